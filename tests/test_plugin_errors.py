"""LoginError fields parsed from rejected responses, without a server."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest
import requests

from pytest_plugin.handles import LoginError
from pytest_plugin.handles import check_response
from pytest_plugin.handles import parse_retry_after


def make_response(status: int, body: bytes, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers.update(headers)
    return response


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("30", 30),
        (" 0 ", 0),
        ("soon", None),
        ("-5", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0),
    ],
)
def test_retry_after_values(header: str | None, expected: int | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_future_date() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)

    seconds = parse_retry_after(format_datetime(later, usegmt=True))

    assert seconds is not None
    assert 110 <= seconds <= 120


def test_check_response_reads_bearer_challenge() -> None:
    challenge = 'Bearer error="invalid_token", error_description="expired"'
    response = make_response(401, b"", **{"WWW-Authenticate": challenge})

    with pytest.raises(LoginError) as caught:
        check_response(response, "userinfo")

    assert caught.value.error == "invalid_token"
    assert caught.value.error_description == "expired"
    assert caught.value.status == 401
    assert caught.value.retry_after is None
    assert str(caught.value) == "userinfo failed: HTTP 401 invalid_token: expired"


def test_check_response_without_error_body() -> None:
    response = make_response(502, b"<html>Bad gateway</html>", **{"Retry-After": "5"})

    with pytest.raises(LoginError) as caught:
        check_response(response, "refresh")

    assert caught.value.error is None
    assert caught.value.error_description is None
    assert caught.value.status == 502
    assert caught.value.retry_after == 5
    assert "HTTP 502 no JSON error body: <html>Bad gateway</html>" in str(caught.value)
