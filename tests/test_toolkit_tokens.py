"""JWT access tokens, expire and revoke at will, and signing-key rotation."""

from __future__ import annotations

import pytest
import requests
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from mock_idp.access_tokens import AccessTokenInvalid
from mock_idp.access_tokens import validate_jwt_access_token

from .conftest import LiveServer
from .toolkit_support import controller
from .toolkit_support import login

START = 1_900_000_000
FORMS_API = "https://formsapi.technieknederland.nl"


@pytest.fixture
def idp_settings() -> dict:
    return {"auto_approve": True, "access_token_format": "jwt"}


def test_jwt_access_token_follows_rfc_9068(live_idp: LiveServer) -> None:
    controller(live_idp).freeze(at=START)
    client = login(live_idp)
    token = client.token["access_token"]
    jwks = requests.get(client.jwks_url, timeout=5).json()

    decoded = jwt.decode(token, KeySet.import_key_set(jwks))
    claims = validate_jwt_access_token(
        token, jwks, live_idp.issuer, now=START, audience=FORMS_API
    )

    assert decoded.header["typ"] == "at+jwt"
    assert claims["sub"] == "1001"
    assert claims["client_id"] == "test-client"
    assert claims["scope"] == "openid profile TNForm"
    assert claims["exp"] == claims["iat"] + 36000
    assert claims["jti"]
    assert client.userinfo().status_code == 200


def test_jwt_validation_rejects_expired_and_revoked(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)
    client = login(live_idp)
    token = client.token["access_token"]
    jwks = requests.get(client.jwks_url, timeout=5).json()

    with pytest.raises(AccessTokenInvalid, match="expired"):
        validate_jwt_access_token(token, jwks, live_idp.issuer, now=START + 36000)

    # Revocation does not show in the JWT; an API needs introspection too.
    control.revoke_token(token)
    validate_jwt_access_token(token, jwks, live_idp.issuer, now=START)
    assert live_idp.state.introspect(token) == {"active": False}


def test_retired_key_fails_against_the_new_jwks(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)
    old_kid = control.keys()["active"]

    rotated = control.rotate_key()
    still_published = requests.get(client.jwks_url, timeout=5).json()
    validate_jwt_access_token(
        client.token["access_token"], still_published, live_idp.issuer, now=0
    )
    control.retire_key(old_kid)
    new_jwks = requests.get(client.jwks_url, timeout=5).json()

    assert rotated["active"] == rotated["kid"] != old_kid
    with pytest.raises(AccessTokenInvalid, match="kids in the JWKS"):
        validate_jwt_access_token(
            client.token["access_token"], new_jwks, live_idp.issuer, now=0
        )
    with pytest.raises((JoseError, ValueError)):
        jwt.decode(client.token["id_token"], KeySet.import_key_set(new_jwks))
    assert login(live_idp).userinfo().status_code == 200


def test_add_activate_and_retire_keys(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    first = control.keys()["active"]

    added = control.add_key()["kid"]
    assert control.keys()["active"] == first
    control.activate_key(added)
    control.retire_key(first)

    assert control.keys() == {"active": added, "kids": [added]}
    jwks = requests.get(f"{live_idp.issuer}/.well-known/jwks.json", timeout=5)
    assert [key["kid"] for key in jwks.json()["keys"]] == [added]


def test_jwks_max_age_is_configurable(live_idp: LiveServer) -> None:
    url = f"{live_idp.issuer}/.well-known/jwks.json"
    assert requests.get(url, timeout=5).headers["Cache-Control"] == "max-age=3600"

    controller(live_idp).configure(jwks_max_age=60)

    assert requests.get(url, timeout=5).headers["Cache-Control"] == "max-age=60"


def test_expire_one_token_leaves_the_refresh_token(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)

    control.expire_token(client.token["access_token"])

    assert client.userinfo().status_code == 401
    client.refresh()
    assert client.userinfo().status_code == 200


def test_revoke_user_and_client(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    first = login(live_idp)
    second = login(live_idp)

    assert control.revoke_user("jan") == {"sub": "1001", "revoked": 2}
    assert first.userinfo().status_code == 401
    assert second.userinfo().status_code == 401

    third = login(live_idp)
    assert control.revoke_client("test-client")["revoked"] == 1
    assert third.userinfo().status_code == 401


def test_expire_user_and_client(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)

    assert control.expire_user("1001")["expired"] == 1
    assert client.userinfo().status_code == 401
    client.refresh()
    assert control.expire_client("test-client")["expired"] == 1
    assert client.userinfo().status_code == 401


def test_mint_token_without_a_flow(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=START)

    minted = control.mint_token("fatima", "openid TNForm", lifetime=120)
    answer = requests.get(
        f"{live_idp.issuer}/userinfo/",
        headers={"Authorization": f"Bearer {minted['access_token']}"},
        timeout=5,
    )

    assert answer.json()["sub"] == "1002"
    assert minted["expires_in"] == 120
    assert live_idp.state.introspect(minted["access_token"])["exp"] == START + 120
