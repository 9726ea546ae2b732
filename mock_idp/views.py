"""The ``/o/`` endpoints with the real IDP's paths and responses."""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import unquote

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import OAuth2Error
from authlib.oauth2.rfc6749 import UnauthorizedClientError
from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from joserfc import jwt
from joserfc.errors import JoseError

from .authorize import handle_authorize
from .errors import InvalidClientError
from .errors import quote_value
from .keys import SIGNING_ALGORITHM
from .models import Client
from .models import Token
from .server import IdpServer

log = logging.getLogger(__name__)

bp = Blueprint("idp", __name__, url_prefix="/o")

#: Public claims of the ID token and userinfo, for discovery.
CLAIMS_SUPPORTED = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "livits_id",
    "name",
    "companies",
    "given_name",
    "family_name",
    "preferred_username",
]


def idp() -> IdpServer:
    server: IdpServer = current_app.extensions["tn_mock_idp"]
    return server


@bp.route("/authorize/", methods=["GET", "POST"])
def authorize() -> Response:
    return handle_authorize(idp())


@bp.route("/token/", methods=["POST"])
def token() -> Response:
    server = idp()
    try:
        _validate_token_request(server)
    except OAuth2Error as error:
        log.warning("token error %s: %s", error.error, error.description)
        response: Response = server.handle_error_response(None, error)
        return response

    response = server.create_token_response()
    if response.status_code >= 400:
        log.warning("token request failed with status %s", response.status_code)
    return response


def _validate_token_request(server: IdpServer) -> None:
    """Reject requests whose error authlib would report differently from the reference.

    authlib tries each client authentication method in turn and reports a
    generic failure; the checks here name the exact problem and the fix.
    """
    state = server.state
    form = request.form
    if not form.get("grant_type"):
        if request.is_json and state.profile.rfc:
            raise InvalidRequestError(
                "The token request body is JSON; send it as "
                "application/x-www-form-urlencoded (RFC 6749 section 4.1.3)."
            )
        raise state.profile.missing_grant_type()

    validate_authorization_header()
    basic = _basic_credentials()
    client_id = basic[0] if basic else form.get("client_id")
    if not client_id:
        raise InvalidClientError(
            "Missing client_id. A public client sends client_id in the form body."
        )

    client = state.store.get_client(client_id)
    if client is None:
        known = ", ".join(c.client_id for c in state.store.clients())
        raise InvalidClientError(
            f"Unknown client_id '{quote_value(client_id)}'; "
            f"registered clients: {quote_value(known)}."
        )

    if client.config.is_public:
        if basic is not None:
            raise InvalidClientError(
                f"Client '{client_id}' is public and has no secret, but the request "
                "used HTTP Basic authentication. Send client_id in the form body "
                "instead; with requests-oauthlib call "
                "fetch_token(..., include_client_id=True)."
            )
        if "client_secret" in form:
            raise InvalidClientError(
                f"Client '{client_id}' is public and has no secret; do not send "
                "client_secret."
            )
        if form["grant_type"] == "client_credentials":
            raise InvalidClientError(
                f"Client '{client_id}' is public; client_credentials needs a "
                "confidential client with a secret."
            )
    elif not client.check_grant_type(form["grant_type"]) and form["grant_type"] in (
        "authorization_code",
        "refresh_token",
        "client_credentials",
    ):
        raise UnauthorizedClientError(
            f"Client '{client_id}' is not registered for "
            f"grant_type={form['grant_type']}; its grant types: "
            f"{', '.join(client.config.grant_types)}."
        )


def validate_authorization_header() -> None:
    """Raise ``invalid_client`` for an Authorization header authlib cannot parse.

    authlib 1.9's extract_basic_authorization raises ValueError when the
    header's whitespace is not a plain space, and UnicodeDecodeError when
    the Basic credentials are not UTF-8; either would end in a 500.
    """
    header = request.headers.get("Authorization")
    if header is None:
        return
    if len(header.split(None, 1)) != 2:
        raise InvalidClientError(
            "The Authorization header is malformed; send 'Basic' and the "
            "base64 of 'client_id:secret', separated by a space."
        )
    _basic_credentials()


def _basic_credentials() -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except ValueError:  # bad base64, non-ASCII text or non-UTF-8 bytes
        raise InvalidClientError(
            "The HTTP Basic credentials are not valid base64 of 'client_id:secret'."
        ) from None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


@bp.route("/userinfo/", methods=["GET", "POST"])
def userinfo() -> Response:
    state = idp().state
    profile = state.profile
    token_string = _bearer_token()
    if token_string is None:
        return _bearer_error(
            401,
            "invalid_token" if profile.missing_bearer_has_error else None,
            "Missing access token: send Authorization: Bearer <access_token>.",
        )

    token = state.store.get_access_token(token_string)
    if token is None or not state.store.is_access_token_active(token):
        return _bearer_error(401, "invalid_token", _inactive_reason(token))

    if "openid" not in token.scope.split():
        status = profile.userinfo_without_openid_status
        error = "insufficient_scope" if status == 403 else "invalid_token"
        return _bearer_error(
            status, error, "The access token was not granted the 'openid' scope."
        )

    user = state.store.find_user(token.sub or "")
    if user is None:
        return _bearer_error(401, "invalid_token", "The token's user no longer exists.")
    return jsonify(user.claims(token.scope))


def _bearer_token() -> str | None:
    # Parsed by hand: authlib's ResourceProtector rejects a missing token
    # with a non-standard error code, and the reference's codes differ.
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if request.method == "POST" and request.form.get("access_token"):
        return request.form["access_token"]
    return None


def _inactive_reason(token: Token | None) -> str:
    if token is None:
        return (
            "The access token is unknown. Send the access_token from the token "
            "response (not the id_token or refresh_token)."
        )
    if token.access_revoked:
        return "The access token was revoked or replaced by a refresh."
    return "The access token has expired; refresh it."


def _bearer_error(status: int, error: str | None, description: str) -> Response:
    challenge = 'Bearer realm="oauth"'
    body: dict[str, Any] = {}
    if error:
        challenge += f', error="{error}", error_description="{description}"'
        body = {"error": error, "error_description": description}
    response = jsonify(body)
    response.status_code = status
    response.headers["WWW-Authenticate"] = challenge
    return response


@bp.route("/.well-known/openid-configuration", methods=["GET"])
@bp.route("/.well-known/openid-configuration/", methods=["GET"])
def discovery() -> Response:
    state = idp().state
    issuer = state.issuer()
    document = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize/",
        "token_endpoint": f"{issuer}/token/",
        "userinfo_endpoint": f"{issuer}/userinfo/",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}/revoke_token/",
        "introspection_endpoint": f"{issuer}/introspect/",
        "end_session_endpoint": f"{issuer}/logout/",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
        "scopes_supported": list(state.config.scopes),
        "token_endpoint_auth_methods_supported": [
            "none",
            "client_secret_basic",
            "client_secret_post",
        ],
        "code_challenge_methods_supported": list(state.config.pkce_methods),
        "claims_supported": CLAIMS_SUPPORTED,
        "prompt_values_supported": ["none", "login", "consent"],
    }
    return jsonify(document)


@bp.route("/.well-known/jwks.json", methods=["GET"], strict_slashes=True)
def jwks() -> Response:
    state = idp().state
    response = jsonify(state.keys.jwks())
    response.headers["Cache-Control"] = f"max-age={state.config.jwks_max_age}"
    return response


@bp.route("/revoke_token/", methods=["POST"])
def revoke_token() -> Response:
    server = idp()
    try:
        validate_authorization_header()
        if not request.form.get("client_id") and _basic_credentials() is None:
            raise InvalidClientError(
                "Missing client_id: send it in the form body (public clients) or "
                "authenticate with HTTP Basic."
            )
    except InvalidClientError as error:
        return server.handle_error_response(None, error)  # type: ignore[no-any-return]

    response: Response = server.create_endpoint_response("revocation")
    if response.status_code == 200:
        # The reference returns 200 with an empty body (RFC 7009 section 2.2).
        return Response("", status=200)
    return response


@bp.route("/introspect/", methods=["POST"])
def introspect() -> Response:
    server = idp()
    state = server.state
    client = _authenticate_introspecting_client(server)
    if client is None:
        status = state.profile.introspection_unauthenticated_status
        body = {
            "error": "invalid_client" if status == 401 else "access_denied",
            "error_description": (
                "Introspection is for resource servers: authenticate as a "
                "confidential client allowed to introspect (e.g. forms-api) with "
                "HTTP Basic or client_secret_post."
            ),
        }
        response = jsonify(body)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="oauth"'
        return response

    result: Response = server.create_endpoint_response("introspection")
    return result


def _authenticate_introspecting_client(server: IdpServer) -> Client | None:
    """Return the confidential client the credentials prove, if it may introspect.

    Checked here rather than by authlib, so that a wrong secret gets the
    same profile-dependent status as a missing one.
    """
    try:
        validate_authorization_header()
        basic = _basic_credentials()
    except InvalidClientError:
        return None
    if basic is not None:
        client_id, secret = basic
    else:
        client_id = request.form.get("client_id", "")
        secret = request.form.get("client_secret", "")

    client = server.state.store.get_client(client_id)
    if client is None or not client.config.may_introspect:
        return None
    if not client.check_client_secret(secret):
        return None
    return client


@bp.route("/logout/", methods=["GET", "POST"])
def logout() -> Response:
    """RP-initiated logout: end the session and delete the user's tokens."""
    state = idp().state
    values = request.values
    claims = _id_token_claims(values.get("id_token_hint", ""))
    client_id = values.get("client_id") or _string_claim(claims, "aud")
    # Without a session cookie (auto-approve mode, or a client calling
    # logout from its back end) a valid id_token_hint names the user.
    sub = session.get("sub") or _string_claim(claims, "sub")

    if sub and client_id:
        deleted = state.store.delete_tokens(sub=sub, client_id=client_id)
        log.info("logout of sub %s deleted %d token(s) of %s", sub, deleted, client_id)
    session.clear()

    target = values.get("post_logout_redirect_uri")
    client = state.store.get_client(client_id or "")
    if target and client and target in client.config.post_logout_redirect_uris:
        if values.get("state"):
            target = add_params_to_uri(target, [("state", values["state"])])
        return redirect(target, 302)  # type: ignore[return-value]

    message = None
    if target:
        message = (
            f"post_logout_redirect_uri '{target}' is not registered for client "
            f"'{client_id or '(none given)'}', so you stay here."
        )
    return Response(
        render_template("logged_out.html", message=message),
        status=200 if message is None else 400,
        mimetype="text/html",
    )


def _id_token_claims(id_token: str) -> dict[str, Any]:
    """Return the claims of an ID token this IDP signed, or ``{}``."""
    if not id_token:
        return {}
    try:
        decoded = jwt.decode(
            id_token, idp().state.keys.public_key_set(), algorithms=[SIGNING_ALGORITHM]
        )
    except (JoseError, ValueError):
        return {}
    return dict(decoded.claims)


def _string_claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else None
