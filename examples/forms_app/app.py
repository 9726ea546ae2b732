"""A small client app of the Forms platform, of the kind its users write.

It logs a member in with the authorization code flow and PKCE, keeps the
tokens on the server, lists forms, searches FGO+ products and generates a
report. Run it with ``flask --app examples.forms_app.app run --port 8000``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from flask import Flask
from flask import Response
from flask import abort
from flask import jsonify
from flask import redirect
from flask import request
from flask import session
from joserfc import jwt
from joserfc.jwk import KeySet

from .client import ApiClient
from .client import LoginRequired
from .client import ServiceUnavailable
from .client import create_oauth_session

PRODUCTION = {
    "issuer": "https://inlog.tnl.nu/o",
    "forms_url": "https://formsapi.technieknederland.nl",
    "fgo_url": "https://api.fgoplus.nl",
    "reports_url": "https://beheer.formulierenapp.technieknederland.nl",
    "client_id": "test-client",
    "redirect_uri": "http://localhost:8000/oauth-callback/",
    "scope": "openid profile TNForm FGOWebs",
}
#: Seconds an ID token's iat may lie in the future before it is rejected.
CLOCK_LEEWAY = 120


def create_app(**overrides: Any) -> Flask:
    settings = {**PRODUCTION, **overrides}
    issuer = settings["issuer"]
    settings["authorization_endpoint"] = issuer + "/authorize/"
    settings["token_endpoint"] = issuer + "/token/"
    settings["jwks_uri"] = issuer + "/.well-known/jwks.json"

    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(16)
    tokens: dict[str, dict[str, Any]] = {}

    def api() -> ApiClient:
        token = tokens.get(session.get("sid", ""))
        if token is None:
            raise LoginRequired("not logged in")
        return ApiClient(settings, token)

    def save(client: ApiClient) -> None:
        tokens[session["sid"]] = client.token

    @app.errorhandler(LoginRequired)
    def login_required(error: LoginRequired) -> Response:
        tokens.pop(session.get("sid", ""), None)
        return redirect("/login")  # type: ignore[return-value]

    @app.errorhandler(ServiceUnavailable)
    def unavailable(error: ServiceUnavailable) -> Response:
        response = jsonify(error="login service unavailable, try again later")
        response.status_code = 503
        if error.retry_after is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.get("/login")
    def login() -> Response:
        oauth = create_oauth_session(settings)
        verifier = secrets.token_urlsafe(48)
        url, state = oauth.create_authorization_url(
            settings["authorization_endpoint"], code_verifier=verifier
        )
        session["oauth"] = {"state": state, "verifier": verifier}
        return redirect(url)  # type: ignore[return-value]

    @app.get("/oauth-callback/")
    def callback() -> Response:
        pending = session.pop("oauth", None)
        if pending is None or request.args.get("state") != pending["state"]:
            abort(400, "unexpected state: start again at /login")

        oauth = create_oauth_session(settings)
        try:
            token = oauth.fetch_token(
                settings["token_endpoint"],
                authorization_response=request.url,
                code_verifier=pending["verifier"],
                state=pending["state"],
            )
        except OAuthError as error:
            abort(400, f"login failed: {error.error}")
        claims = verify_id_token(settings, token["id_token"])

        session["sid"] = secrets.token_urlsafe(16)
        tokens[session["sid"]] = dict(token)
        return jsonify(user=claims["name"], sub=claims["sub"])

    @app.get("/forms")
    def forms() -> Response:
        client = api()
        answer = client.get(settings["forms_url"] + "/api/v1/Forms/Latest")
        save(client)
        return relay(answer)

    @app.get("/products")
    def products() -> Response:
        client = api()
        answer = client.get(
            settings["fgo_url"] + "/api/v1/Fgo/Product/Search",
            params={"SearchString": request.args.get("q", "*"), "Size": 10},
        )
        save(client)
        return relay(answer)

    @app.post("/reports/<form_code>")
    def report(form_code: str) -> Response:
        client = api()
        answer = client.post(
            settings["reports_url"]
            + "/api/v1/third-party-reports/generate_report_template/",
            json={"form_code": form_code, "data": request.get_json(silent=True) or {}},
            headers={"Accept": "application/pdf"},
        )
        save(client)
        return relay(answer)

    return app


def verify_id_token(settings: dict[str, Any], id_token: str) -> dict[str, Any]:
    """Check the ID token's signature, issuer, audience and issue time."""
    keys = requests.get(settings["jwks_uri"], timeout=10).json()
    token = jwt.decode(id_token, KeySet.import_key_set(keys))
    claims: dict[str, Any] = dict(token.claims)
    if claims["iss"] != settings["issuer"] or claims["aud"] != settings["client_id"]:
        abort(400, "the ID token is for another issuer or client")
    if claims["iat"] > time.time() + CLOCK_LEEWAY:
        abort(400, "the ID token was issued in the future: check the clocks")
    return claims


def relay(answer: requests.Response) -> Response:
    """Pass an API answer on; a 403 names the scope the token lacked."""
    if answer.status_code == 403:
        response = jsonify(
            error="insufficient_scope",
            challenge=answer.headers.get("WWW-Authenticate", ""),
        )
        response.status_code = 403
        return response
    content_type = answer.headers.get("Content-Type", "application/json")
    return Response(answer.content, answer.status_code, content_type=content_type)
