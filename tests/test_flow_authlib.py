"""The full code flow with authlib's OAuth2Session against the live IDP."""

from __future__ import annotations

import base64
import hashlib

import pytest
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from .conftest import LiveServer
from .conftest import make_pkce_pair
from .flows import API_CLIENT
from .flows import Flow
from .flows import redirect_params

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


def _at_hash(access_token: str) -> str:
    # OpenID Connect Core 3.1.3.6: left half of the SHA-256, base64url.
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def _decode_id_token(id_token: str, discovery: dict) -> jwt.Token:
    jwks = requests.get(discovery["jwks_uri"], timeout=5).json()
    return jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])


def test_id_token_claims_verified(live_idp: LiveServer) -> None:
    live_idp.state.clock.freeze()
    result = login(live_idp)
    token, discovery = result["token"], result["discovery"]
    jwks = requests.get(discovery["jwks_uri"], timeout=5).json()

    decoded = _decode_id_token(token["id_token"], discovery)
    claims = decoded.claims
    now = int(live_idp.state.clock.now())

    assert decoded.header["kid"] in [key["kid"] for key in jwks["keys"]]
    assert claims["iss"] == discovery["issuer"]
    assert claims["iss"] == live_idp.issuer
    assert claims["aud"] == "test-client"
    assert claims["sub"] == "1001"
    assert claims["iat"] == now
    assert claims["exp"] == now + 36000
    assert claims["auth_time"] == now
    assert claims["nonce"] == "n-1"
    assert claims["at_hash"] == _at_hash(token["access_token"])


def test_userinfo_post_returns_claims(live_idp: LiveServer) -> None:
    result = login(live_idp)

    response = result["session"].post(result["discovery"]["userinfo_endpoint"])

    assert response.status_code == 200
    assert response.json()["sub"] == "1001"


def test_refresh_rotates_refresh_token(live_idp: LiveServer) -> None:
    result = login(live_idp)
    old = result["token"]
    session, discovery = result["session"], result["discovery"]

    new = session.refresh_token(discovery["token_endpoint"])
    replay = requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": old["refresh_token"],
            "client_id": "test-client",
        },
        timeout=5,
    )

    assert new["refresh_token"] != old["refresh_token"]
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_refresh_ends_old_access_token(live_idp: LiveServer) -> None:
    result = login(live_idp)
    old = result["token"]
    session, discovery = result["session"], result["discovery"]

    session.refresh_token(discovery["token_endpoint"])
    answer = requests.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {old['access_token']}"},
        timeout=5,
    )

    assert answer.status_code == 401
    assert session.get(discovery["userinfo_endpoint"]).status_code == 200


def test_refresh_issues_new_id_token(live_idp: LiveServer) -> None:
    result = login(live_idp)
    session, discovery = result["session"], result["discovery"]

    new = session.refresh_token(discovery["token_endpoint"])
    claims = _decode_id_token(new["id_token"], discovery).claims

    assert new["id_token"] != result["token"]["id_token"]
    assert claims["sub"] == "1001"
    assert claims["at_hash"] == _at_hash(new["access_token"])


def test_refresh_narrower_scope_honoured(live_idp: LiveServer) -> None:
    result = login(live_idp)
    session, discovery = result["session"], result["discovery"]

    new = session.refresh_token(discovery["token_endpoint"], scope="openid")

    assert new["scope"] == "openid"


def test_refresh_broader_scope_rejected(live_idp: LiveServer) -> None:
    result = login(live_idp, scope="openid")
    session, discovery = result["session"], result["discovery"]

    with pytest.raises(OAuthError) as raised:
        session.refresh_token(discovery["token_endpoint"], scope="openid TNForm")

    assert raised.value.error == "invalid_scope"


@pytest.mark.parametrize("hint", [None, "access_token", "refresh_token", "magic"])
def test_revoke_access_token_ends_refresh(
    live_idp: LiveServer, hint: str | None
) -> None:
    result = login(live_idp)
    token, session, discovery = result["token"], result["session"], result["discovery"]

    answer = session.revoke_token(
        discovery["revocation_endpoint"], token["access_token"], token_type_hint=hint
    )

    assert answer.status_code == 200
    assert answer.content == b""
    with pytest.raises(OAuthError):
        session.refresh_token(discovery["token_endpoint"])


def test_revoke_refresh_token_ends_access(live_idp: LiveServer) -> None:
    result = login(live_idp)
    token, session, discovery = result["token"], result["session"], result["discovery"]

    session.revoke_token(
        discovery["revocation_endpoint"],
        token["refresh_token"],
        token_type_hint="refresh_token",
    )

    assert session.get(discovery["userinfo_endpoint"]).status_code == 401


def test_revoke_unknown_token_answers_empty(live_idp: LiveServer) -> None:
    result = login(live_idp)
    session, discovery = result["session"], result["discovery"]

    answer = session.revoke_token(discovery["revocation_endpoint"], "no-such-token")

    assert answer.status_code == 200
    assert answer.content == b""


def _introspect(discovery: dict, token: str, how: str) -> dict:
    endpoint = discovery["introspection_endpoint"]
    if how == "basic":
        answer = requests.post(
            endpoint, data={"token": token}, auth=API_CLIENT, timeout=5
        )
    else:
        data = {"token": token, "client_id": API_CLIENT[0]}
        data["client_secret"] = API_CLIENT[1]
        answer = requests.post(endpoint, data=data, timeout=5)
    assert answer.status_code == 200
    result: dict = answer.json()
    return result


@pytest.mark.parametrize("how", ["basic", "post"])
def test_introspection_active_token(live_idp: LiveServer, how: str) -> None:
    live_idp.state.clock.freeze()
    result = login(live_idp)
    token = result["token"]

    answer = _introspect(result["discovery"], token["access_token"], how)

    assert answer["active"] is True
    assert answer["scope"] == "openid profile TNForm"
    assert answer["sub"] == "1001"
    assert answer["exp"] == int(live_idp.state.clock.now()) + 36000


@pytest.mark.parametrize("how", ["basic", "post"])
def test_introspection_after_revocation(live_idp: LiveServer, how: str) -> None:
    result = login(live_idp)
    token, session, discovery = result["token"], result["session"], result["discovery"]
    session.revoke_token(discovery["revocation_endpoint"], token["access_token"])

    answer = _introspect(discovery, token["access_token"], how)

    assert answer == {"active": False}


def test_introspection_at_expiry(live_idp: LiveServer) -> None:
    clock = live_idp.state.clock
    clock.freeze()
    result = login(live_idp)
    access_token = result["token"]["access_token"]

    clock.advance(35999)
    before = _introspect(result["discovery"], access_token, "basic")
    clock.advance(1)
    after = _introspect(result["discovery"], access_token, "basic")

    assert before["active"] is True
    assert after == {"active": False}


def _interactive_login(live_idp: LiveServer) -> tuple[requests.Session, dict]:
    """Log in through the login form; return the browser and the tokens."""
    live_idp.state.configure(auto_approve=False)
    flow = Flow(live_idp)
    browser = requests.Session()
    verifier, challenge = make_pkce_pair()
    params = flow.authorize_params(challenge)
    page = browser.get(flow.url("authorize/"), params=params, timeout=5)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = browser.post(
        flow.url("authorize/"),
        params=params,
        data={"csrf_token": csrf, "username": "jan", "password": "jan"},
        allow_redirects=False,
        timeout=5,
    )
    # The first login of a user for a client shows the consent page.
    assert 'value="allow"' in answer.text
    answer = browser.post(
        flow.url("authorize/"),
        params=params,
        data={"csrf_token": csrf, "form": "consent", "decision": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    code = redirect_params(answer)["code"]
    tokens = flow.token(flow.exchange_data(code, verifier)).json()
    return browser, tokens


def test_logout_redirects_with_state(live_idp: LiveServer) -> None:
    browser, tokens = _interactive_login(live_idp)

    answer = browser.get(
        f"{live_idp.issuer}/logout/",
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "http://localhost:8000/",
            "state": "bye 1",
        },
        allow_redirects=False,
        timeout=5,
    )

    assert answer.status_code == 302
    assert answer.headers["Location"] == "http://localhost:8000/?state=bye+1"


def test_logout_deletes_tokens_and_session(live_idp: LiveServer) -> None:
    browser, tokens = _interactive_login(live_idp)
    flow = Flow(live_idp)

    browser.get(
        f"{live_idp.issuer}/logout/",
        params={"id_token_hint": tokens["id_token"]},
        timeout=5,
    )
    _, challenge = make_pkce_pair()
    again = browser.get(
        flow.url("authorize/"),
        params=flow.authorize_params(challenge, prompt="none"),
        allow_redirects=False,
        timeout=5,
    )

    assert flow.userinfo(tokens["access_token"]).status_code == 401
    assert flow.refresh(tokens["refresh_token"]).status_code == 400
    assert redirect_params(again)["error"] == "login_required"


def test_logout_with_hint_only_deletes_tokens(live_idp: LiveServer) -> None:
    flow = Flow(live_idp)
    tokens = flow.issue_tokens()

    requests.get(
        f"{live_idp.issuer}/logout/",
        params={"id_token_hint": tokens["id_token"]},
        timeout=5,
    )

    assert flow.userinfo(tokens["access_token"]).status_code == 401


def test_logout_unregistered_uri_not_followed(live_idp: LiveServer) -> None:
    browser, tokens = _interactive_login(live_idp)

    answer = browser.get(
        f"{live_idp.issuer}/logout/",
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://evil.example/",
            "state": "s",
        },
        allow_redirects=False,
        timeout=5,
    )

    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "is not registered" in answer.text
