"""The full code flow with authlib's OAuth2Session against the live IDP."""

from __future__ import annotations

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from .conftest import LiveServer

REDIRECT_URI = "http://localhost:8000/oauth-callback/"


def login(live_idp: LiveServer, scope: str = "openid profile TNForm") -> dict:
    discovery = requests.get(
        f"{live_idp.issuer}/.well-known/openid-configuration/", timeout=5
    ).json()
    session = OAuth2Session(
        "test-client",
        redirect_uri=REDIRECT_URI,
        scope=scope,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = "v" * 64
    uri, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce="n-1"
    )
    answer = requests.get(uri, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    token = session.fetch_token(
        discovery["token_endpoint"],
        authorization_response=answer.headers["Location"],
        code_verifier=verifier,
        state=state,
    )
    return {"token": dict(token), "discovery": discovery, "session": session}


def test_code_flow_issues_verifiable_id_token(live_idp: LiveServer) -> None:
    result = login(live_idp)
    token, discovery = result["token"], result["discovery"]

    jwks = requests.get(discovery["jwks_uri"], timeout=5).json()
    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(jwks))

    assert decoded.header["kid"] == jwks["keys"][0]["kid"]
    assert decoded.claims["iss"] == discovery["issuer"]
    assert decoded.claims["aud"] == "test-client"
    assert decoded.claims["nonce"] == "n-1"
    assert decoded.claims["sub"] == "1001"
    assert token["expires_in"] == 36000
    assert token["token_type"] == "Bearer"


def test_userinfo_returns_member_claims(live_idp: LiveServer) -> None:
    result = login(live_idp)
    session = result["session"]

    claims = session.get(result["discovery"]["userinfo_endpoint"]).json()

    assert claims["sub"] == "1001"
    assert claims["livits_id"] == "10012345"
    assert claims["name"] == "Jan de Vries"
    assert claims["companies"] == ["Installatiebedrijf De Vries B.V."]
    assert claims["family_name"] == "de Vries"
