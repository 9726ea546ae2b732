"""The authorization endpoint: request checks, login and code issue."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from authlib.oauth2.rfc6749 import AccessDeniedError
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import OAuth2Error
from authlib.oauth2.rfc6749 import UnauthorizedClientError
from authlib.oidc.core.errors import ConsentRequiredError
from authlib.oidc.core.errors import LoginRequiredError
from flask import Response
from flask import render_template
from flask import request
from flask import session

from .consent import CONSENT_FORM
from .consent import render_consent
from .csrf import is_csrf_token_valid
from .csrf import issue_csrf_token
from .errors import UnsupportedResponseTypeError
from .errors import quote_value
from .models import Client
from .models import User
from .server import IdpServer

log = logging.getLogger(__name__)

#: Response types of the implicit and hybrid flows; the reference returns
#: unauthorized_client for them because its clients are code-only.
NON_CODE_RESPONSE_TYPES = {
    "token",
    "id_token",
    "id_token token",
    "code id_token",
    "code token",
    "code id_token token",
}


class ErrorPage(Exception):
    """An authorize error shown to the user instead of redirected.

    RFC 6749 section 4.1.2.1: without a valid client and redirect URI the
    server must not redirect.
    """

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def handle_authorize(server: IdpServer) -> Response:
    args = request.args
    try:
        client, redirect_uri = validate_client_and_redirect_uri(server)
    except ErrorPage as page:
        log.warning("authorize rejected without redirect: %s", page.description)
        return error_page(
            page.description,
            title="Authorization request rejected",
            explanation=(
                "The request was not sent back to the application because its "
                "client or redirect URI could not be trusted."
            ),
        )

    fragment = args.get("response_mode") == "fragment"
    try:
        validate_response_type(client, redirect_uri)
        # In auto-approve mode the chosen test user counts as logged in, so
        # that prompt=none gets a code instead of login_required.
        if server.state.config.auto_approve:
            user: User | None = _auto_user(server, redirect_uri)
        else:
            user = current_user(server)
        grant = server.get_consent_grant(end_user=user)
        return _decide(server, grant, user, redirect_uri)
    except OAuth2Error as error:
        error.redirect_uri = error.redirect_uri or redirect_uri
        error.redirect_fragment = fragment
        error.state = args.get("state")
        log.warning("authorize error %s: %s", error.error, error.description)
        response: Response = server.handle_error_response(None, error)
        return response


def validate_client_and_redirect_uri(server: IdpServer) -> tuple[Client, str]:
    args = request.args
    repeated = sorted(name for name, values in args.lists() if len(values) > 1)
    if repeated:
        raise ErrorPage(
            f"invalid_request: parameter(s) {', '.join(repeated)} sent more than "
            "once; RFC 6749 section 3.1 allows each parameter once."
        )

    client_id = args.get("client_id")
    if not client_id:
        raise ErrorPage("invalid_request: missing client_id.")
    client = server.state.store.get_client(client_id)
    if client is None:
        known = ", ".join(c.client_id for c in server.state.store.clients())
        raise ErrorPage(
            f"invalid_request: unknown client_id '{client_id}'; "
            f"registered clients: {known}."
        )

    registered = client.config.redirect_uris
    redirect_uri = args.get("redirect_uri")
    if redirect_uri is None:
        default = client.get_default_redirect_uri()
        if default is None:
            raise ErrorPage(
                "invalid_request: missing redirect_uri; client "
                f"'{client_id}' has several registered: {', '.join(registered)}."
            )
        return client, default

    if not client.check_redirect_uri(redirect_uri):
        raise ErrorPage(
            f"invalid_request: redirect_uri '{redirect_uri}' is not registered "
            f"for client '{client_id}'; registered: {', '.join(registered) or 'none'}. "
            "Redirect URIs must match exactly (only 127.0.0.1 and [::1] may "
            "use any port)."
        )
    return client, redirect_uri


def validate_response_type(client: Client, redirect_uri: str) -> None:
    response_type = request.args.get("response_type")
    if not response_type:
        raise InvalidRequestError(
            "Missing response_type; send response_type=code.",
            redirect_uri=redirect_uri,
        )
    if response_type == "code":
        return
    if " ".join(sorted(response_type.split())) in {
        " ".join(sorted(t.split())) for t in NON_CODE_RESPONSE_TYPES
    }:
        raise UnauthorizedClientError(
            f"Client '{client.client_id}' may only use response_type=code, "
            f"not '{quote_value(response_type)}'.",
            redirect_uri=redirect_uri,
        )
    raise UnsupportedResponseTypeError(
        response_type,
        f"Unsupported response_type '{quote_value(response_type)}'; send "
        "response_type=code.",
        redirect_uri=redirect_uri,
    )


def current_user(server: IdpServer) -> User | None:
    """Return the user of the IDP session, unless the request forces a login."""
    sub = session.get("sub")
    if sub is None:
        return None
    user = server.state.store.find_user(sub)
    if user is None:
        return None

    # The login and consent pages post back to this endpoint, so prompt=login
    # and max_age are judged on the GET that starts the flow only. Otherwise
    # max_age=0 would send the user back to the login page after every post.
    # A post from the login form logs in the user it names, whatever the
    # session holds.
    if request.method == "POST":
        return user

    prompts = request.args.get("prompt", "").split()
    if "login" in prompts:
        return None

    # ASCII digits only: str.isdigit() accepts characters such as "²" that
    # int() rejects.
    max_age = request.args.get("max_age", "")
    if max_age.isascii() and max_age.isdigit():
        auth_time = float(session.get("auth_time", 0))
        if server.state.clock.now() - auth_time > int(max_age):
            return None
    return user


def _decide(
    server: IdpServer, grant: Any, user: User | None, redirect_uri: str
) -> Response:
    state = server.state
    if state.config.auto_approve and user is not None:
        return _issue_code(server, grant, user, auth_time=state.clock.issue_time())

    if request.method == "POST":
        return _handle_page_form(server, grant, user, redirect_uri)

    if user is None:
        if "none" in _prompts():
            raise LoginRequiredError(
                "prompt=none, but the browser has no IDP session (or max_age "
                "requires a new login); repeat the request without prompt=none.",
                redirect_uri=redirect_uri,
            )
        return render_login(server)
    return _approve_or_ask_consent(server, grant, user, redirect_uri)


def _prompts() -> list[str]:
    return request.args.get("prompt", "").split()


def _handle_page_form(
    server: IdpServer, grant: Any, user: User | None, redirect_uri: str
) -> Response:
    """Handle a post from the login or the consent page."""
    if not is_csrf_token_valid():
        log.warning("authorize form rejected: CSRF token missing or wrong")
        return error_page(
            "The form's CSRF token is missing or does not match this browser "
            "session, so nothing was sent to the application. Start the login "
            "again from the application.",
            title="Form rejected",
        )

    if request.form.get("form") != CONSENT_FORM:
        return _handle_login_form(server, grant, redirect_uri)
    if user is None:
        # The session ended between the two pages, e.g. a logout in another tab.
        return render_login(server, error="Your session ended; log in again.")
    return _handle_consent_form(server, grant, user, redirect_uri)


def _approve_or_ask_consent(
    server: IdpServer, grant: Any, user: User, redirect_uri: str
) -> Response:
    store = server.state.store
    client_id = grant.request.client.client_id
    consent_requested = "consent" in _prompts()
    if consent_requested or not store.has_consent(user.sub, client_id):
        if "none" in _prompts():
            raise ConsentRequiredError(
                f"prompt=none, but user '{user.config.username}' has not allowed "
                f"client '{client_id}' yet; send the user through the consent "
                "page once without prompt=none.",
                redirect_uri=redirect_uri,
            )
        return render_consent(grant, user, dict(server.state.config.scopes))

    return _issue_code(server, grant, user, auth_time=_session_auth_time(server))


def _handle_consent_form(
    server: IdpServer, grant: Any, user: User, redirect_uri: str
) -> Response:
    client_id = grant.request.client.client_id
    if request.form.get("decision") != "allow":
        log.info("user %s denied consent to %s", user.sub, client_id)
        raise AccessDeniedError(
            f"The user denied client '{client_id}' access.",
            redirect_uri=redirect_uri,
        )

    server.state.store.save_consent(user.sub, client_id)
    return _issue_code(server, grant, user, auth_time=_session_auth_time(server))


def _session_auth_time(server: IdpServer) -> float:
    return float(session.get("auth_time", server.state.clock.issue_time()))


def _auto_user(server: IdpServer, redirect_uri: str) -> User:
    store = server.state.store
    hint = request.args.get("login_hint")
    if hint:
        user = store.find_user(hint)
        if user is None:
            known = ", ".join(
                f"{u.config.username} (sub {u.sub})" for u in store.users()
            )
            raise AccessDeniedError(
                f"login_hint '{quote_value(hint)}' names no test user; "
                f"known users: {quote_value(known)}.",
                redirect_uri=redirect_uri,
            )
        return user

    # The default_user setting (checked against the users when it is set)
    # wins over the first configured user.
    default = server.state.config.default_user
    user = store.find_user(default) if default else None
    if user is not None:
        return user

    users = store.users()
    if not users:
        raise AccessDeniedError(
            "No test users are configured.", redirect_uri=redirect_uri
        )
    return users[0]


def _handle_login_form(server: IdpServer, grant: Any, redirect_uri: str) -> Response:
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    user = server.state.store.find_user(username)
    if user is None or not secrets.compare_digest(password, user.config.password):
        log.warning("login failed for user %r", username)
        return render_login(
            server, error="Unknown user name or wrong password.", username=username
        )

    session["sub"] = user.sub
    session["auth_time"] = server.state.clock.issue_time()
    return _approve_or_ask_consent(server, grant, user, redirect_uri)


def _issue_code(
    server: IdpServer, grant: Any, user: User, *, auth_time: float
) -> Response:
    grant.request.auth_time = int(auth_time)
    response: Response = server.create_authorization_response(
        grant=grant, grant_user=user
    )
    return response


def render_login(
    server: IdpServer, *, error: str | None = None, username: str = ""
) -> Response:
    store = server.state.store
    if not username:
        hinted = store.find_user(request.args.get("login_hint", ""))
        username = hinted.config.username if hinted else ""
        username = username or request.args.get("login_hint", "")
    html = render_template(
        "login.html",
        users=store.users(),
        client=store.get_client(request.args.get("client_id", "")),
        csrf_token=issue_csrf_token(),
        error=error,
        username=username,
        action=request.full_path,
    )
    return Response(html, status=200 if error is None else 401, mimetype="text/html")


def error_page(
    description: str,
    status: int = 400,
    *,
    title: str = "Request rejected",
    explanation: str | None = None,
) -> Response:
    html = render_template(
        "error.html",
        description=description,
        status=status,
        title=title,
        explanation=explanation,
    )
    return Response(html, status=status, mimetype="text/html")
