"""Every answer that the reference server gives to a bad request, per endpoint.

Each table row is one situation, checked against a live IDP in both error
profiles. A row gives the reference profile's answer and, where the
reference departs from the RFCs, the RFC profile's answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pytest
import requests

from mock_idp.app import create_app
from mock_idp.config import DEFAULT_CLIENTS
from mock_idp.config import ClientConfig

from .conftest import LiveServer
from .conftest import make_pkce_pair
from .conftest import serve
from .flows import REDIRECT_URI
from .flows import TIMEOUT
from .flows import Flow
from .flows import redirect_params

PROFILES = ("reference", "rfc")

#: A second public client with a single redirect URI and an IPv6 loopback one.
SINGLE_URI_CLIENT = ClientConfig(
    client_id="single-uri-client",
    redirect_uris=("http://[::1]/callback",),
)
CLIENTS = (*DEFAULT_CLIENTS, SINGLE_URI_CLIENT)

ODD_STATE = "a b+c/d?e=f&g#h%25i'j\"k<l>é☃\\~"


@pytest.fixture(scope="module", params=PROFILES)
def shared_idp(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    app = create_app(auto_approve=True, error_profile=request.param, clients=CLIENTS)
    yield from serve(app)


@pytest.fixture
def flow(shared_idp: LiveServer) -> Flow:
    """A flow on a live IDP whose state is back at its start for each test."""
    shared_idp.state.reset()
    return Flow(shared_idp)


def profile_of(flow: Flow) -> str:
    return flow.idp.state.config.error_profile


# Authorize


@dataclass(frozen=True)
class Rejected:
    """An authorize answer: an error page, or a redirect with an error code."""

    error: str
    page: bool = False
    fragment: bool = False


@dataclass(frozen=True)
class AuthorizeCase:
    name: str
    changes: dict[str, Any] = field(default_factory=dict)
    expected: Rejected | None = None  # None: a code is issued
    repeated: tuple[str, ...] = ()
    redirect_to: str = REDIRECT_URI


AUTHORIZE_CASES = [
    AuthorizeCase(
        "unknown client_id",
        {"client_id": "nope"},
        Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "missing client_id", {"client_id": None}, Rejected("invalid_request", page=True)
    ),
    AuthorizeCase(
        "empty client_id", {"client_id": ""}, Rejected("invalid_request", page=True)
    ),
    AuthorizeCase(
        "unregistered redirect_uri",
        {"redirect_uri": "https://evil.example/cb"},
        Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "redirect_uri without trailing slash",
        {"redirect_uri": "http://localhost:8000/oauth-callback"},
        Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "redirect_uri with extra query",
        {"redirect_uri": REDIRECT_URI + "?x=1"},
        Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "localhost on another port",
        {"redirect_uri": "http://localhost:8001/oauth-callback/"},
        Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "127.0.0.1 on any port",
        {"redirect_uri": "http://127.0.0.1:53124/callback"},
        redirect_to="http://127.0.0.1:53124/callback",
    ),
    AuthorizeCase(
        "127.0.0.1 on another path",
        {"redirect_uri": "http://127.0.0.1:53124/other"},
        Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "[::1] on any port",
        {
            "client_id": "single-uri-client",
            "redirect_uri": "http://[::1]:49152/callback",
        },
        redirect_to="http://[::1]:49152/callback",
    ),
    AuthorizeCase(
        "https on a loopback IP",
        {"redirect_uri": "https://127.0.0.1:53124/callback"},
        Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "missing redirect_uri with several registered",
        {"redirect_uri": None},
        Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "missing redirect_uri with one registered",
        {"client_id": "single-uri-client", "redirect_uri": None},
        redirect_to="http://[::1]/callback",
    ),
    AuthorizeCase(
        "repeated state",
        repeated=("state",),
        expected=Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "repeated scope",
        repeated=("scope",),
        expected=Rejected("invalid_request", page=True),
    ),
    AuthorizeCase(
        "missing response_type", {"response_type": None}, Rejected("invalid_request")
    ),
    AuthorizeCase(
        "unknown response_type",
        {"response_type": "magic"},
        Rejected("unsupported_response_type"),
    ),
    AuthorizeCase(
        "response_type token",
        {"response_type": "token"},
        Rejected("unauthorized_client"),
    ),
    AuthorizeCase(
        "response_type code id_token",
        {"response_type": "code id_token"},
        Rejected("unauthorized_client"),
    ),
    AuthorizeCase(
        "missing code_challenge", {"code_challenge": None}, Rejected("invalid_request")
    ),
    AuthorizeCase(
        "missing code_challenge and method",
        {"code_challenge": None, "code_challenge_method": None},
        Rejected("invalid_request"),
    ),
    AuthorizeCase("challenge method plain", {"code_challenge_method": "plain"}),
    AuthorizeCase("challenge without method", {"code_challenge_method": None}),
    AuthorizeCase(
        "challenge method s256",
        {"code_challenge_method": "s256"},
        Rejected("invalid_request"),
    ),
    AuthorizeCase(
        "challenge method S512",
        {"code_challenge_method": "S512"},
        Rejected("invalid_request"),
    ),
    AuthorizeCase(
        "unknown scope", {"scope": "openid admin"}, Rejected("invalid_scope")
    ),
    AuthorizeCase(
        "comma and space scopes",
        {"scope": "openid, profile"},
        Rejected("invalid_scope"),
    ),
    AuthorizeCase(
        "comma scopes", {"scope": "openid,profile"}, Rejected("invalid_scope")
    ),
    AuthorizeCase(
        "guide's example scopes",
        {"scope": "openid, profile, FGO, FGOWS"},
        Rejected("invalid_scope"),
    ),
    AuthorizeCase("upper-case scope", {"scope": "OPENID"}, Rejected("invalid_scope")),
    AuthorizeCase("empty scope", {"scope": ""}, Rejected("invalid_scope")),
    AuthorizeCase("blank scope", {"scope": "   "}, Rejected("invalid_scope")),
    AuthorizeCase("absent scope", {"scope": None}),
    AuthorizeCase(
        "old scope names", {"scope": "openid FGO FGOWS FGOForm FORMS FORMSWS"}
    ),
    AuthorizeCase("fragment response_mode", {"response_mode": "fragment"}),
    AuthorizeCase(
        "fragment response_mode error",
        {"response_mode": "fragment", "scope": "OPENID"},
        Rejected("invalid_scope", fragment=True),
    ),
    AuthorizeCase("odd state", {"state": ODD_STATE}),
    AuthorizeCase(
        "odd state on error",
        {"state": ODD_STATE, "scope": "x"},
        Rejected("invalid_scope"),
    ),
    AuthorizeCase("prompt none in auto-approve mode", {"prompt": "none"}),
]


def _authorize_query(flow: Flow, case: AuthorizeCase) -> list[tuple[str, str]]:
    _, challenge = make_pkce_pair()
    params = flow.authorize_params(challenge, **case.changes)
    query = list(params.items())
    query.extend((name, params[name]) for name in case.repeated)
    return query


@pytest.mark.parametrize("case", AUTHORIZE_CASES, ids=lambda case: case.name)
def test_authorize_answers_like_reference(flow: Flow, case: AuthorizeCase) -> None:
    query = _authorize_query(flow, case)
    sent = dict(query)

    response = flow.authorize(query)

    expected = case.expected
    if expected is not None and expected.page:
        assert response.status_code == 400
        assert response.headers["Content-Type"].startswith("text/html")
        assert expected.error in response.text
        assert "Location" not in response.headers
        return

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(case.redirect_to)
    params = redirect_params(response)
    assert params.get("state") == sent.get("state")
    fragment = "#" in location
    if expected is None:
        assert "code" in params
        assert fragment == (sent.get("response_mode") == "fragment")
    else:
        assert params.get("error") == expected.error
        assert params.get("error_description")
        assert fragment == expected.fragment


def test_authorize_missing_challenge_says_required(flow: Flow) -> None:
    _, challenge = make_pkce_pair()
    response = flow.authorize(flow.authorize_params(challenge, code_challenge=None))

    assert "Code challenge required." in redirect_params(response)["error_description"]


def test_authorize_comma_scope_explains_spaces(flow: Flow) -> None:
    _, challenge = make_pkce_pair()
    params = flow.authorize_params(challenge, scope="openid, profile, FGO, FGOWS")

    description = redirect_params(flow.authorize(params))["error_description"]

    assert "scope='openid profile FGO FGOWS'" in description


def test_authorize_absent_scope_grants_client_scopes(flow: Flow) -> None:
    tokens = flow.issue_tokens(scope=None)

    client = flow.idp.state.store.get_client("test-client")
    assert client is not None
    assert tokens["scope"].split() == list(client.config.allowed_scopes)


def test_authorize_plain_challenge_exchanges(flow: Flow) -> None:
    verifier = "p" * 50
    params = flow.authorize_params(verifier, code_challenge_method="plain")
    code = redirect_params(flow.authorize(params))["code"]

    response = flow.token(flow.exchange_data(code, verifier))

    assert response.status_code == 200


def test_authorize_challenge_without_method_is_plain(flow: Flow) -> None:
    verifier = "q" * 50
    params = flow.authorize_params(verifier, code_challenge_method=None)
    code = redirect_params(flow.authorize(params))["code"]

    response = flow.token(flow.exchange_data(code, verifier))

    assert response.status_code == 200


@pytest.fixture(params=PROFILES)
def s256_only_idp(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    app = create_app(
        auto_approve=True, error_profile=request.param, pkce_methods=("S256",)
    )
    yield from serve(app)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("S256", None), ("plain", "invalid_request"), (None, "invalid_request")],
)
def test_authorize_s256_only_setting(
    s256_only_idp: LiveServer, method: str | None, expected: str | None
) -> None:
    flow = Flow(s256_only_idp)
    _, challenge = make_pkce_pair()

    response = flow.authorize(
        flow.authorize_params(challenge, code_challenge_method=method)
    )

    assert response.status_code == 302
    assert redirect_params(response).get("error") == expected


def test_discovery_s256_only_lists_s256(s256_only_idp: LiveServer) -> None:
    flow = Flow(s256_only_idp)

    document = requests.get(
        flow.url(".well-known/openid-configuration/"), timeout=TIMEOUT
    ).json()

    assert document["code_challenge_methods_supported"] == ["S256"]


def _login_through_form(flow: Flow) -> requests.Session:
    """Log in as jan with the login form; return the browser session."""
    browser = requests.Session()
    _, challenge = make_pkce_pair()
    params = flow.authorize_params(challenge)
    page = browser.get(flow.url("authorize/"), params=params, timeout=TIMEOUT)
    assert page.status_code == 200
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    answer = browser.post(
        flow.url("authorize/"),
        params=params,
        data={"csrf_token": csrf, "username": "jan", "password": "jan"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302
    assert "code" in redirect_params(answer)
    return browser


def test_authorize_prompt_none_without_session(flow: Flow) -> None:
    flow.idp.state.configure(auto_approve=False)
    _, challenge = make_pkce_pair()

    response = flow.authorize(flow.authorize_params(challenge, prompt="none"))

    assert response.status_code == 302
    assert redirect_params(response)["error"] == "login_required"
    assert redirect_params(response)["state"] == "state-1"


def test_authorize_prompt_none_with_session(flow: Flow) -> None:
    flow.idp.state.configure(auto_approve=False)
    browser = _login_through_form(flow)
    _, challenge = make_pkce_pair()

    response = browser.get(
        flow.url("authorize/"),
        params=flow.authorize_params(challenge, prompt="none"),
        allow_redirects=False,
        timeout=TIMEOUT,
    )

    assert response.status_code == 302
    assert "code" in redirect_params(response)
    assert redirect_params(response)["state"] == "state-1"


def test_authorize_without_session_shows_login(flow: Flow) -> None:
    flow.idp.state.configure(auto_approve=False)
    _, challenge = make_pkce_pair()

    response = flow.authorize(flow.authorize_params(challenge))

    assert response.status_code == 200
    assert 'name="csrf_token"' in response.text


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/o/authorize", "/o/authorize/"),
        ("/o/token", "/o/token/"),
        ("/o/userinfo", "/o/userinfo/"),
        ("/o/revoke_token", "/o/revoke_token/"),
        ("/o/introspect", "/o/introspect/"),
        ("/o/logout", "/o/logout/"),
    ],
)
def test_slashless_path_redirects_301(flow: Flow, path: str, target: str) -> None:
    response = requests.get(
        flow.idp.url + path + "?a=1", allow_redirects=False, timeout=TIMEOUT
    )

    assert response.status_code == 301
    assert response.headers["Location"].endswith(target + "?a=1")


def test_slashless_token_post_loses_body(flow: Flow) -> None:
    code, verifier = flow.issue_code()

    response = requests.post(
        flow.idp.url + "/o/token",
        data=flow.exchange_data(code, verifier),
        timeout=TIMEOUT,
    )

    # requests follows a 301 after POST with a GET, as browsers do.
    assert response.history[0].status_code == 301
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/o/.well-known/openid-configuration/", 200),
        ("/o/.well-known/openid-configuration", 200),
        ("/o/.well-known/jwks.json", 200),
        ("/o/.well-known/jwks.json/", 404),
    ],
)
def test_well_known_paths(flow: Flow, path: str, status: int) -> None:
    response = requests.get(flow.idp.url + path, allow_redirects=False, timeout=TIMEOUT)

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
