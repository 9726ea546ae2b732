"""Every answer that the reference server gives to a bad request, per endpoint.

Each table row is one situation, checked against a live IDP in both error
profiles. A row gives the reference profile's answer and, where the
reference departs from the RFCs, the RFC profile's answer.
"""

from __future__ import annotations

from collections.abc import Callable
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
from .flows import API_CLIENT
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
    AuthorizeCase("non-ASCII scope", {"scope": "openid é"}, Rejected("invalid_scope")),
    AuthorizeCase(
        "non-ASCII response_type",
        {"response_type": "cöde"},
        Rejected("unsupported_response_type"),
    ),
    AuthorizeCase(
        "non-ASCII challenge method",
        {"code_challenge_method": "S256é"},
        Rejected("invalid_request"),
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
    # The first login of a user for a client shows the consent page.
    assert 'value="allow"' in answer.text
    answer = browser.post(
        flow.url("authorize/"),
        params=params,
        data={"csrf_token": csrf, "form": "consent", "decision": "allow"},
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


# Token, userinfo, revocation and introspection


@dataclass(frozen=True)
class Expect:
    """A JSON answer: its status and its ``error`` code (``None``: no error)."""

    status: int
    error: str | None = None


OK = Expect(200)


@dataclass(frozen=True)
class EndpointCase:
    """One request to a JSON endpoint and its answer in each profile."""

    name: str
    build: Callable[[Flow], requests.Response]
    reference: Expect
    rfc: Expect | None = None

    def expected(self, flow: Flow) -> Expect:
        if profile_of(flow) == "rfc" and self.rfc is not None:
            return self.rfc
        return self.reference


def _error_of(response: requests.Response) -> str | None:
    if not response.content:
        return None
    error = response.json().get("error")
    return error if isinstance(error, str) else None


def _exchange(
    flow: Flow, headers: dict[str, str] | None = None, **changes: Any
) -> requests.Response:
    code, verifier = flow.issue_code()
    data = flow.exchange_data(code, verifier, **changes)
    return flow.token(data, headers=headers)


def _exchange_twice(flow: Flow) -> requests.Response:
    code, verifier = flow.issue_code()
    first = flow.token(flow.exchange_data(code, verifier))
    assert first.status_code == 200
    return flow.token(flow.exchange_data(code, verifier))


def _exchange_after(seconds: int) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        clock = flow.idp.state.clock
        clock.freeze()
        code, verifier = flow.issue_code()
        clock.advance(seconds)
        return flow.token(flow.exchange_data(code, verifier))

    return build


def _exchange_other_clients_code(flow: Flow) -> requests.Response:
    other = Flow(flow.idp, "single-uri-client", "http://[::1]/callback")
    code, verifier = other.issue_code()
    return flow.token(flow.exchange_data(code, verifier))


def _exchange_as_json(flow: Flow) -> requests.Response:
    code, verifier = flow.issue_code()
    return requests.post(
        flow.url("token/"), json=flow.exchange_data(code, verifier), timeout=TIMEOUT
    )


def _exchange_with_basic(secret: str) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        code, verifier = flow.issue_code()
        data = flow.exchange_data(code, verifier, client_id=None)
        return flow.token(data, auth=(flow.client_id, secret))

    return build


def _grant_for_api_client(grant_type: str) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        return flow.token(
            {"grant_type": grant_type, "code": "x", "refresh_token": "x"},
            auth=API_CLIENT,
        )

    return build


def _refresh(**changes: Any) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        tokens = flow.issue_tokens(scope="openid profile TNForm")
        return flow.refresh(tokens["refresh_token"], **changes)

    return build


def _refresh_twice(flow: Flow) -> requests.Response:
    tokens = flow.issue_tokens()
    assert flow.refresh(tokens["refresh_token"]).status_code == 200
    return flow.refresh(tokens["refresh_token"])


def _refresh_other_clients_token(flow: Flow) -> requests.Response:
    other = Flow(flow.idp, "single-uri-client", "http://[::1]/callback")
    tokens = other.issue_tokens()
    return flow.refresh(tokens["refresh_token"])


TOKEN_CASES = [
    EndpointCase("code exchange", _exchange, OK),
    EndpointCase("scope sent with exchange", lambda f: _exchange(f, scope="FGO"), OK),
    EndpointCase(
        "missing grant_type",
        lambda f: _exchange(f, grant_type=None),
        Expect(400, "unsupported_grant_type"),
        Expect(400, "invalid_request"),
    ),
    EndpointCase(
        "unknown grant_type",
        lambda f: _exchange(f, grant_type="magic"),
        Expect(400, "unsupported_grant_type"),
    ),
    EndpointCase(
        "password grant_type",
        lambda f: _exchange(f, grant_type="password"),
        Expect(400, "unsupported_grant_type"),
    ),
    EndpointCase(
        "JSON body",
        _exchange_as_json,
        Expect(400, "unsupported_grant_type"),
        Expect(400, "invalid_request"),
    ),
    EndpointCase(
        "GET",
        lambda f: requests.get(f.url("token/"), timeout=TIMEOUT),
        Expect(405, "method_not_allowed"),
    ),
    EndpointCase(
        "missing code",
        lambda f: _exchange(f, code=None),
        Expect(400, "invalid_request"),
    ),
    EndpointCase(
        "unknown code",
        lambda f: _exchange(f, code="nope"),
        Expect(400, "invalid_grant"),
    ),
    EndpointCase("reused code", _exchange_twice, Expect(400, "invalid_grant")),
    EndpointCase("code at 59 seconds", _exchange_after(59), OK),
    EndpointCase(
        "code at 60 seconds", _exchange_after(60), Expect(400, "invalid_grant")
    ),
    EndpointCase(
        "wrong code_verifier",
        lambda f: _exchange(f, code_verifier="w" * 50),
        Expect(400, "invalid_grant"),
    ),
    EndpointCase(
        "missing code_verifier",
        lambda f: _exchange(f, code_verifier=None),
        Expect(400, "invalid_request"),
    ),
    EndpointCase(
        "another client's code",
        _exchange_other_clients_code,
        Expect(400, "invalid_grant"),
    ),
    EndpointCase(
        "mismatching redirect_uri",
        lambda f: _exchange(f, redirect_uri="http://127.0.0.1/callback"),
        Expect(400, "invalid_request"),
        Expect(400, "invalid_grant"),
    ),
    EndpointCase(
        "missing redirect_uri",
        lambda f: _exchange(f, redirect_uri=None),
        OK,
        Expect(400, "invalid_request"),
    ),
    EndpointCase(
        "missing client_id",
        lambda f: _exchange(f, client_id=None),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "unknown client_id",
        lambda f: _exchange(f, client_id="nope"),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "non-ASCII client_id",
        lambda f: _exchange(f, client_id="clïent"),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "Authorization header without credentials",
        lambda f: _exchange(f, headers={"Authorization": "Basic \x85"}),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "HTTP Basic that is not UTF-8",
        lambda f: _exchange(f, headers={"Authorization": "Basic /w=="}),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "public client with client_secret",
        lambda f: _exchange(f, client_secret="guess"),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "public client with empty client_secret",
        lambda f: _exchange(f, client_secret=""),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "HTTP Basic with empty secret",
        _exchange_with_basic(""),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "client_credentials for public client",
        lambda f: f.token(
            {"grant_type": "client_credentials", "client_id": f.client_id}
        ),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "client_credentials for forms-api",
        lambda f: f.token({"grant_type": "client_credentials"}, auth=API_CLIENT),
        OK,
    ),
    EndpointCase(
        "forms-api with wrong secret",
        lambda f: f.token(
            {"grant_type": "client_credentials"}, auth=("forms-api", "x")
        ),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "forms-api with authorization_code",
        _grant_for_api_client("authorization_code"),
        Expect(400, "unauthorized_client"),
    ),
    EndpointCase(
        "forms-api with refresh_token",
        _grant_for_api_client("refresh_token"),
        Expect(400, "unauthorized_client"),
    ),
    EndpointCase("refresh", _refresh(), OK),
    EndpointCase("refresh with narrower scope", _refresh(scope="openid"), OK),
    EndpointCase(
        "refresh with broader scope",
        _refresh(scope="openid profile TNForm FGOPlus"),
        Expect(400, "invalid_scope"),
    ),
    EndpointCase(
        "missing refresh_token",
        lambda f: f.refresh(None),
        Expect(400, "invalid_request"),
    ),
    EndpointCase(
        "unknown refresh_token",
        lambda f: f.refresh("nope"),
        Expect(400, "invalid_grant"),
    ),
    EndpointCase("spent refresh_token", _refresh_twice, Expect(400, "invalid_grant")),
    EndpointCase(
        "another client's refresh_token",
        _refresh_other_clients_token,
        Expect(400, "invalid_grant"),
    ),
]


def _check(case: EndpointCase, flow: Flow) -> requests.Response:
    response = case.build(flow)
    expected = case.expected(flow)

    assert response.status_code == expected.status, response.text
    assert _error_of(response) == expected.error, response.text
    return response


@pytest.mark.parametrize("case", TOKEN_CASES, ids=lambda case: case.name)
def test_token_answers_like_reference(flow: Flow, case: EndpointCase) -> None:
    response = _check(case, flow)

    if response.status_code == 401:
        assert "WWW-Authenticate" in response.headers
    if response.status_code == 200:
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Pragma"] == "no-cache"


def test_token_success_fields(flow: Flow) -> None:
    tokens = _exchange(flow, scope="FGO").json()

    assert tokens["expires_in"] == 36000
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"] == "openid profile TNForm"
    assert tokens["refresh_token"]
    assert tokens["id_token"].count(".") == 2
    assert tokens["access_token"].count(".") == 0


def test_token_basic_empty_secret_names_fix(flow: Flow) -> None:
    response = _exchange_with_basic("")(flow)

    assert "include_client_id=True" in response.json()["error_description"]


def _userinfo_with(kind: str) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        tokens = flow.issue_tokens()
        return flow.userinfo(tokens[kind])

    return build


def _userinfo_after(
    step: Callable[[Flow, dict[str, Any]], object],
) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        tokens = flow.issue_tokens()
        step(flow, tokens)
        return flow.userinfo(tokens["access_token"])

    return build


def _userinfo_form_token(flow: Flow) -> requests.Response:
    tokens = flow.issue_tokens()
    return requests.post(
        flow.url("userinfo/"),
        data={"access_token": tokens["access_token"]},
        timeout=TIMEOUT,
    )


def _userinfo_without_openid(flow: Flow) -> requests.Response:
    tokens = flow.issue_tokens(scope="TNForm")
    return flow.userinfo(tokens["access_token"])


USERINFO_CASES = [
    EndpointCase("GET", _userinfo_with("access_token"), OK),
    EndpointCase(
        "POST",
        lambda f: f.userinfo(f.issue_tokens()["access_token"], method="POST"),
        OK,
    ),
    EndpointCase("token in form body", _userinfo_form_token, OK),
    EndpointCase(
        "missing token",
        lambda f: f.userinfo(None),
        Expect(401, "invalid_token"),
        Expect(401, None),
    ),
    EndpointCase(
        "unknown token", lambda f: f.userinfo("nope"), Expect(401, "invalid_token")
    ),
    EndpointCase(
        "expired token",
        _userinfo_after(lambda f, t: f.idp.state.clock.advance(36000)),
        Expect(401, "invalid_token"),
    ),
    EndpointCase(
        "revoked token",
        _userinfo_after(lambda f, t: f.revoke(t["access_token"])),
        Expect(401, "invalid_token"),
    ),
    EndpointCase(
        "token replaced by refresh",
        _userinfo_after(lambda f, t: f.refresh(t["refresh_token"])),
        Expect(401, "invalid_token"),
    ),
    EndpointCase(
        "token without openid",
        _userinfo_without_openid,
        Expect(401, "invalid_token"),
        Expect(403, "insufficient_scope"),
    ),
    EndpointCase(
        "id_token as bearer", _userinfo_with("id_token"), Expect(401, "invalid_token")
    ),
    EndpointCase(
        "refresh_token as bearer",
        _userinfo_with("refresh_token"),
        Expect(401, "invalid_token"),
    ),
]


@pytest.mark.parametrize("case", USERINFO_CASES, ids=lambda case: case.name)
def test_userinfo_answers_like_reference(flow: Flow, case: EndpointCase) -> None:
    response = _check(case, flow)

    if response.status_code != 200:
        challenge = response.headers["WWW-Authenticate"]
        assert challenge.startswith("Bearer")
        expected = case.expected(flow).error
        assert (f'error="{expected}"' in challenge) == (expected is not None)


def _revoke(kind: str, **changes: Any) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        tokens = flow.issue_tokens()
        return flow.revoke(tokens[kind], **changes)

    return build


def _revoke_other_clients_token(flow: Flow) -> requests.Response:
    other = Flow(flow.idp, "single-uri-client", "http://[::1]/callback")
    tokens = other.issue_tokens()
    return flow.revoke(tokens["access_token"])


REVOCATION_CASES = [
    EndpointCase("access token", _revoke("access_token"), OK),
    EndpointCase("refresh token", _revoke("refresh_token"), OK),
    EndpointCase("unknown token", lambda f: f.revoke("nope"), OK),
    EndpointCase(
        "hint access_token",
        _revoke("refresh_token", token_type_hint="access_token"),
        OK,
    ),
    EndpointCase(
        "hint refresh_token",
        _revoke("access_token", token_type_hint="refresh_token"),
        OK,
    ),
    EndpointCase("unknown hint", _revoke("access_token", token_type_hint="magic"), OK),
    EndpointCase(
        "unknown token with unknown hint",
        lambda f: f.revoke("nope", token_type_hint="magic"),
        OK,
    ),
    EndpointCase("another client's token", _revoke_other_clients_token, OK),
    EndpointCase(
        "missing token",
        lambda f: f.revoke(None),
        Expect(400, "invalid_request"),
    ),
    EndpointCase(
        "missing client_id",
        _revoke("access_token", client_id=None),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "unknown client_id",
        _revoke("access_token", client_id="nope"),
        Expect(401, "invalid_client"),
    ),
    EndpointCase(
        "Authorization header without credentials",
        lambda f: requests.post(
            f.url("revoke_token/"),
            data={"token": "x", "client_id": f.client_id},
            headers={"Authorization": "Basic \x85"},
            timeout=TIMEOUT,
        ),
        Expect(401, "invalid_client"),
    ),
]


@pytest.mark.parametrize("case", REVOCATION_CASES, ids=lambda case: case.name)
def test_revocation_answers_like_reference(flow: Flow, case: EndpointCase) -> None:
    response = _check(case, flow)

    if response.status_code == 200:
        assert response.content == b""
    if response.status_code == 401:
        assert "WWW-Authenticate" in response.headers


def _introspect(**kwargs: Any) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        tokens = flow.issue_tokens()
        return flow.introspect(tokens["access_token"], **kwargs)

    return build


def _introspect_post(data: dict[str, str]) -> Callable[[Flow], requests.Response]:
    def build(flow: Flow) -> requests.Response:
        tokens = flow.issue_tokens()
        return requests.post(
            flow.url("introspect/"),
            data={"token": tokens["access_token"], **data},
            timeout=TIMEOUT,
        )

    return build


FORBIDDEN = Expect(403, "access_denied")
UNAUTHENTICATED = Expect(401, "invalid_client")

INTROSPECTION_CASES = [
    EndpointCase("HTTP Basic", _introspect(), OK),
    EndpointCase(
        "client_secret_post",
        _introspect_post({"client_id": API_CLIENT[0], "client_secret": API_CLIENT[1]}),
        OK,
    ),
    EndpointCase("unknown token", lambda f: f.introspect("nope"), OK),
    EndpointCase(
        "missing token",
        lambda f: requests.post(f.url("introspect/"), auth=API_CLIENT, timeout=TIMEOUT),
        Expect(400, "invalid_request"),
    ),
    EndpointCase(
        "wrong secret in HTTP Basic",
        _introspect(auth=("forms-api", "wrong")),
        FORBIDDEN,
        UNAUTHENTICATED,
    ),
    EndpointCase(
        "wrong client_secret_post",
        _introspect_post({"client_id": "forms-api", "client_secret": "wrong"}),
        FORBIDDEN,
        UNAUTHENTICATED,
    ),
    EndpointCase(
        "forms-api without secret",
        _introspect_post({"client_id": "forms-api"}),
        FORBIDDEN,
        UNAUTHENTICATED,
    ),
    EndpointCase(
        "public client",
        _introspect_post({"client_id": "test-client"}),
        FORBIDDEN,
        UNAUTHENTICATED,
    ),
    EndpointCase(
        "public client with HTTP Basic",
        _introspect(auth=("test-client", "")),
        FORBIDDEN,
        UNAUTHENTICATED,
    ),
    EndpointCase("anonymous", _introspect_post({}), FORBIDDEN, UNAUTHENTICATED),
    EndpointCase(
        "HTTP Basic that is not base64",
        _introspect(headers={"Authorization": "Basic é"}, auth=None),
        FORBIDDEN,
        UNAUTHENTICATED,
    ),
]


@pytest.mark.parametrize("case", INTROSPECTION_CASES, ids=lambda case: case.name)
def test_introspection_answers_like_reference(flow: Flow, case: EndpointCase) -> None:
    response = _check(case, flow)

    if response.status_code == 401:
        assert "WWW-Authenticate" in response.headers


def test_token_get_after_slashless_post_explains(flow: Flow) -> None:
    code, verifier = flow.issue_code()

    response = requests.post(
        flow.idp.url + "/o/token",
        data=flow.exchange_data(code, verifier),
        timeout=TIMEOUT,
    )

    description = response.json()["error_description"]
    assert response.json()["error"] == "method_not_allowed"
    assert "GET is not allowed on /o/token/; send a POST." in description
    assert "A POST to /o/token (without the trailing slash)" in description
    assert "use /o/token/." in description


def test_token_missing_verifier_says_what_to_send(flow: Flow) -> None:
    code, verifier = flow.issue_code()
    data = flow.exchange_data(code, verifier)
    del data["code_verifier"]

    body = flow.token(data).json()

    assert body["error"] == "invalid_request"
    assert "send the code_verifier you generated" in body["error_description"]


def test_token_wrong_verifier_names_challenge(flow: Flow) -> None:
    code, _ = flow.issue_code()

    body = flow.token(flow.exchange_data(code, "w" * 50)).json()

    assert body["error"] == "invalid_grant"
    assert "does not match the code_challenge" in body["error_description"]
    assert "(method S256)" in body["error_description"]


def test_token_malformed_verifier_names_rule(flow: Flow) -> None:
    code, _ = flow.issue_code()

    body = flow.token(flow.exchange_data(code, "short")).json()

    assert body["error"] == "invalid_request"
    assert "43 to 128 characters" in body["error_description"]
