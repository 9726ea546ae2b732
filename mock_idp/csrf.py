"""CSRF tokens for the HTML forms, kept in the Flask session."""

from __future__ import annotations

import secrets

from flask import request
from flask import session

SESSION_KEY = "csrf"
FIELD_NAME = "csrf_token"


def issue_csrf_token() -> str:
    """Return the session's CSRF token, creating one on first use."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(24)
        session[SESSION_KEY] = token
    return token


def is_csrf_token_valid() -> bool:
    """Check the posted token against the session's, in constant time."""
    expected = session.get(SESSION_KEY)
    posted = request.form.get(FIELD_NAME, "")
    if not isinstance(expected, str) or not expected or not posted:
        return False
    return secrets.compare_digest(posted, expected)
