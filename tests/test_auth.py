import base64

import pytest
import requests
import responses
from api_support import serve_on_loopback
from flask import Flask
from flask import jsonify
from flask import request

from mock_api.auth import InsufficientScope
from mock_api.auth import IntrospectionUnavailable
from mock_api.auth import IntrospectionValidator
from mock_api.auth import InvalidToken
from mock_api.auth import MissingToken
from mock_api.auth import expand_scopes
from mock_api.auth import extract_bearer_token
from mock_api.settings import DEFAULT_SCOPE_ALIASES

INTROSPECT_URL = "https://idp.example/o/introspect/"


def test_extract_bearer_token_valid():
    assert extract_bearer_token("Bearer abc.DEF-_~+/=") == "abc.DEF-_~+/="


def test_extract_bearer_token_missing():
    with pytest.raises(MissingToken) as caught:
        extract_bearer_token(None)

    assert caught.value.www_authenticate == "Bearer"


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("Basic abc", "uses the Basic scheme"),
        ("Bearer", "has no bearer token"),
        ("Bearer a b", "more than one bearer token"),
        ("Bearer a,b", "does not allow"),
    ],
)
def test_extract_bearer_token_malformed(header, fragment):
    with pytest.raises(InvalidToken, match=fragment) as caught:
        extract_bearer_token(header)

    assert caught.value.www_authenticate.startswith('Bearer error="invalid_token"')


def test_challenge_description_is_quoted_string_safe():
    challenge = InsufficientScope('scope "x" \\ é', scope="FGOWebs").www_authenticate

    assert challenge == (
        'Bearer error="insufficient_scope", scope="FGOWebs", '
        "error_description=\"scope 'x' ' '\""
    )


def test_expand_scopes_applies_aliases():
    scopes = expand_scopes("openid FGOWS FORMSWS FGO", DEFAULT_SCOPE_ALIASES)

    assert scopes >= {"FGOWebs", "TNForm", "FGOPlus", "FGOWS"}


@responses.activate
def test_introspection_validator_sends_basic_credentials():
    responses.post(INTROSPECT_URL, json={"active": True, "scope": "TNForm"})
    validator = IntrospectionValidator(INTROSPECT_URL)

    info = validator.introspect("tok-1")

    assert info == {"active": True, "scope": "TNForm"}
    sent = responses.calls[0].request
    expected = base64.b64encode(b"forms-api:forms-api-secret").decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
    assert "token=tok-1" in sent.body
    assert "token_type_hint=access_token" in sent.body


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"status": 403, "json": {"error": "x"}}, "HTTP 403, expected 200"),
        ({"status": 200, "body": "<html>"}, "not JSON"),
        ({"status": 200, "json": {"scope": "x"}}, "boolean 'active'"),
        ({"status": 200, "json": ["active"]}, "boolean 'active'"),
        ({"body": requests.ConnectionError("refused")}, "failed: ConnectionError"),
    ],
)
@responses.activate
def test_introspection_validator_failures(kwargs, fragment):
    responses.post(INTROSPECT_URL, **kwargs)
    validator = IntrospectionValidator(INTROSPECT_URL)

    with pytest.raises(IntrospectionUnavailable, match=fragment) as caught:
        validator.introspect("secret-token-value")

    assert "secret-token-value" not in str(caught.value)


def test_introspection_validator_against_loopback_idp(catalog):
    from api_support import bearer

    from mock_api.app import create_app

    idp = Flask("fake-idp")
    seen = []

    @idp.post("/o/introspect/")
    def introspect():
        seen.append(request.authorization.username)
        token = request.form["token"]
        if token == "live-token":
            return jsonify(active=True, scope="openid FGOWebs", permissions=[])
        return jsonify(active=False)

    with serve_on_loopback(idp) as idp_url:
        validator = IntrospectionValidator(f"{idp_url}/o/introspect/", timeout=2)
        client = create_app(catalog, validator).test_client()
        accepted = client.get("/api/v1/Forms/Latest", headers=bearer("live-token"))
        rejected = client.get("/api/v1/Forms/Latest", headers=bearer("other"))

    assert accepted.status_code == 200
    assert rejected.status_code == 401
    assert seen == ["forms-api", "forms-api"]
