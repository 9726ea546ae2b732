"""The authorization server: authlib's engine wired to one IDP's state."""

from __future__ import annotations

import json
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidRequestError
from authlib.oauth2.rfc6749 import OAuth2Error
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Response

from .access_tokens import create_jwt_access_token
from .grants import AuthorizationCodeGrant
from .grants import ClientCredentialsGrant
from .grants import OpenIDCodeExtension
from .grants import OpenIDRefreshExtension
from .grants import PkceChallenge
from .grants import RefreshTokenGrant
from .models import Client
from .models import Token
from .scopes import validate_scope
from .state import IdpState
from .tokens import generate_token

NO_STORE_HEADERS = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]


class IdpServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, state: IdpState) -> None:
        super().__init__()
        self.state = state
        self._query_client = state.store.get_client
        self.register_token_generator("default", self._generate_token)
        self.scopes_supported = list(state.config.scopes)

        pkce = PkceChallenge(state.config.pkce_methods)
        self.register_grant(AuthorizationCodeGrant, [pkce, OpenIDCodeExtension(self)])
        self.register_grant(RefreshTokenGrant, [OpenIDRefreshExtension(self)])
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(TokenRevocation)
        self.register_endpoint(TokenIntrospection)

    def query_client(self, client_id: str) -> Client | None:
        return self.state.store.get_client(client_id)

    def validate_requested_scope(self, scope: str | None) -> None:
        scopes = self.state.config.scopes
        validate_scope(scope, scopes, scopes)

    def _generate_token(
        self,
        grant_type: str,
        client: Client,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        lifetime = self.state.lifetimes(client).access_token
        token: dict[str, Any] = {
            "access_token": generate_token(42),
            "expires_in": lifetime,
            "token_type": "Bearer",
            "scope": scope or "",
        }
        if include_refresh_token:
            token["refresh_token"] = generate_token(48)
        return token

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        state = self.state
        client: Client = request.client
        # Whole seconds, so that the stored expiry and a JWT's exp agree.
        issued_at = float(int(state.clock.issue_time()))
        lifetimes = state.lifetimes(client)
        refresh_lifetime = lifetimes.refresh_token
        user = request.user
        record = Token(
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token"),
            client_id=client.client_id,
            sub=user.sub if user is not None else None,
            scope=token.get("scope", ""),
            issued_at=issued_at,
            expires_at=issued_at + token["expires_in"],
            refresh_expires_at=(
                None if refresh_lifetime is None else issued_at + refresh_lifetime
            ),
            family_id=getattr(request, "family_id", None) or generate_token(16),
            auth_time=getattr(request, "auth_time", None),
        )
        if state.config.access_token_format == "jwt":
            # The opaque string becomes the jti; the response carries the JWT.
            record.jti = record.access_token
            record.access_token = create_jwt_access_token(state, record)
            token["access_token"] = record.access_token
        state.store.save_token(record)

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Response:
        # The reference returns 401 for every invalid_client error.
        if error.error == "invalid_client":
            error.status_code = 401
        response: Response = super().handle_error_response(request, error)
        return response

    def handle_response(
        self, status_code: int, payload: Any, headers: list[tuple[str, str]]
    ) -> Response:
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        response = Response(payload, status=status_code, headers=headers)
        if "Cache-Control" not in response.headers:
            response.headers.update(NO_STORE_HEADERS)
        return response


class TokenRevocation(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009 revocation; revoking either token of a pair revokes both."""

    CLIENT_AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"]
    server: IdpServer

    def check_params(self, request: OAuth2Request, client: Client) -> None:
        # Any token_type_hint is accepted: RFC 7009 section 2.1 lets the
        # server extend its search when the hint is wrong or unknown.
        if not request.form.get("token"):
            raise InvalidRequestError("Missing 'token': send the token to revoke.")

    def authenticate_token(
        self, request: OAuth2Request, client: Client
    ) -> Token | None:
        self.check_params(request, client)
        token = self.query_token(
            request.form["token"], request.form.get("token_type_hint")
        )
        if token is None or not token.check_client(client):
            # RFC 7009 section 2.2: an unknown token still gets 200.
            return None
        return token

    def query_token(
        self, token_string: str, token_type_hint: str | None
    ) -> Token | None:
        return _find_token(self.server, token_string)

    def revoke_token(self, token: Token, request: OAuth2Request) -> None:
        self.server.state.store.revoke(token)


class TokenIntrospection(IntrospectionEndpoint):  # type: ignore[misc]
    """RFC 7662 introspection for confidential clients allowed to introspect."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    server: IdpServer

    def check_params(self, request: OAuth2Request, client: Client) -> None:
        if not request.form.get("token"):
            raise InvalidRequestError("Missing 'token': send the token to introspect.")

    def query_token(
        self, token_string: str, token_type_hint: str | None
    ) -> Token | None:
        return _find_token(self.server, token_string)

    def check_permission(
        self, token: Token, client: Client, request: OAuth2Request
    ) -> bool:
        return client.config.may_introspect

    def create_introspection_payload(self, token: Token | None) -> dict[str, Any]:
        request_token = self._request_token_string
        return (
            self.server.state.introspect(request_token) if token else {"active": False}
        )

    def authenticate_token(
        self, request: OAuth2Request, client: Client
    ) -> Token | None:
        self._request_token_string = request.form.get("token", "")
        return super().authenticate_token(request, client)  # type: ignore[no-any-return]


def _find_token(server: IdpServer, token_string: str) -> Token | None:
    # Any token_type_hint is a hint only (RFC 7009 section 2.1, RFC 7662
    # section 2.1), so both kinds are searched.
    found = server.state.store.find_token(token_string)
    return found[0] if found is not None else None
