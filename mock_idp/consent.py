"""The consent page shown after login, once per user and client."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import render_template
from flask import request

from .config import SCOPE_CATALOGUE
from .csrf import issue_csrf_token
from .models import Client
from .models import User

#: Value of the hidden ``form`` field that marks a post from the consent page.
#: Posts without it come from the login page.
CONSENT_FORM = "consent"


def describe_scopes(
    scope: str | None, catalogue: dict[str, str]
) -> list[tuple[str, str]]:
    """Return each requested scope with the text the consent page shows."""
    described = []
    for name in (scope or "").split():
        text = catalogue.get(name) or SCOPE_CATALOGUE.get(name) or name
        described.append((name, text))
    return described


def render_consent(grant: Any, user: User, catalogue: dict[str, str]) -> Response:
    client: Client = grant.request.client
    html = render_template(
        "consent.html",
        client=client,
        user=user,
        scopes=describe_scopes(grant.request.payload.scope, catalogue),
        csrf_token=issue_csrf_token(),
        form_name=CONSENT_FORM,
        action=request.full_path,
    )
    return Response(html, status=200, mimetype="text/html")
