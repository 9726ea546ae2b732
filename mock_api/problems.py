"""Problem-details responses (RFC 9457) in the shape ASP.NET Core sends."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from collections.abc import Sequence

from flask import Response
from flask import request

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# ASP.NET Core links each status to its section of RFC 9110.
PROBLEM_TYPES = {
    400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
    401: "https://tools.ietf.org/html/rfc9110#section-15.5.2",
    403: "https://tools.ietf.org/html/rfc9110#section-15.5.4",
    404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    405: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
    406: "https://tools.ietf.org/html/rfc9110#section-15.5.7",
    413: "https://tools.ietf.org/html/rfc9110#section-15.5.14",
    415: "https://tools.ietf.org/html/rfc9110#section-15.5.16",
    500: "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    503: "https://tools.ietf.org/html/rfc9110#section-15.6.4",
}


def create_trace_id() -> str:
    # W3C trace-context format, as ASP.NET Core puts it into traceId.
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def create_problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    errors: Mapping[str, Sequence[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build a problem-details response and log client errors at WARNING."""
    body: dict[str, object] = {
        "type": PROBLEM_TYPES.get(status, "about:blank"),
        "title": title,
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = {name: list(messages) for name, messages in errors.items()}
    body["traceId"] = create_trace_id()

    if 400 <= status < 500:
        # Only the path is logged, because the query string may contain
        # personal data or an RFC 6750 access_token parameter.
        logger.warning(
            "%s %s: %d %s", request.method, request.path, status, detail or title
        )
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value

    return response
