"""Malformed requests to every ``/o/`` endpoint never get a 5xx answer.

Parameters are drawn half from plausible values (so that requests get past
the first checks) and half from arbitrary text, including characters that
RFC 6749 forbids in an error description.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from mock_idp.app import create_app

from .conftest import LiveServer
from .conftest import make_pkce_pair
from .conftest import serve
from .flows import REDIRECT_URI
from .flows import TIMEOUT

_, CHALLENGE = make_pkce_pair()

#: Plausible values per parameter name; arbitrary text is drawn as well.
PLAUSIBLE = {
    "response_type": ["code", "token", "code id_token", "", "CODE"],
    "client_id": ["test-client", "forms-api", "", "nope"],
    "redirect_uri": [REDIRECT_URI, "http://127.0.0.1:1/callback", "http://[::1"],
    "scope": ["openid", "openid profile", "openid, profile", "", "OPENID"],
    "state": ["s", ""],
    "nonce": ["n"],
    "code_challenge": [CHALLENGE, ""],
    "code_challenge_method": ["S256", "plain", "s256", ""],
    "response_mode": ["fragment", "query", "form_post"],
    "prompt": ["none", "login", "consent", "none login", ""],
    "max_age": ["0", "10", "-1", "²", "1e3"],
    "login_hint": ["jan", "1002", "nobody"],
    "grant_type": [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
        "",
    ],
    "code": ["x", ""],
    "code_verifier": ["v" * 43, ""],
    "client_secret": ["forms-api-secret", ""],
    "refresh_token": ["x", ""],
    "token": ["x", ""],
    "token_type_hint": ["access_token", "refresh_token", "magic"],
    "access_token": ["x"],
    "id_token_hint": ["a.b.c", "x"],
    "post_logout_redirect_uri": ["http://localhost:8000/", "http://evil/"],
    "csrf_token": ["x"],
    "username": ["jan"],
    "password": ["jan"],
}

#: A valid request per endpoint, which the strategies below mutate.
BASE_PARAMS: dict[str, dict[str, str]] = {
    "/o/authorize/": {
        "response_type": "code",
        "client_id": "test-client",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": "s",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    },
    "/o/token/": {
        "grant_type": "authorization_code",
        "client_id": "test-client",
        "code": "x",
        "redirect_uri": REDIRECT_URI,
        "code_verifier": "v" * 43,
    },
    "/o/userinfo/": {"access_token": "x"},
    "/o/revoke_token/": {"token": "x", "client_id": "test-client"},
    "/o/introspect/": {
        "token": "x",
        "client_id": "forms-api",
        "client_secret": "forms-api-secret",
    },
    "/o/logout/": {
        "client_id": "test-client",
        "post_logout_redirect_uri": "http://localhost:8000/",
        "state": "s",
    },
    "/o/.well-known/openid-configuration/": {},
    "/o/.well-known/jwks.json": {},
}
PATHS = list(BASE_PARAMS)

#: Characters that break naive parsers: quotes, escapes, separators, control
#: characters, non-ASCII letters and a character outside the BMP.
ODD_CHARACTERS = list("\"'\\%&=+#?;, \t\x00\x7féü☃€\u2028\ufffd😀")

odd_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(ODD_CHARACTERS),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    ),
    max_size=20,
)


def _value(name: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(PLAUSIBLE[name]), odd_text)


def _pair() -> st.SearchStrategy[tuple[str, str]]:
    return st.one_of(
        st.sampled_from(sorted(PLAUSIBLE)).flatmap(
            lambda name: st.tuples(st.just(name), _value(name))
        ),
        st.tuples(odd_text, odd_text),
    )


@st.composite
def mutated_params(draw: st.DrawFn, path: str) -> list[tuple[str, str]]:
    """Return the endpoint's valid parameters with some dropped or replaced."""
    base = BASE_PARAMS[path]
    dropped = draw(st.sets(st.sampled_from(sorted(base)))) if base else set()
    changes = dict(draw(st.lists(_pair(), max_size=3)))
    pairs = [(k, v) for k, v in base.items() if k not in dropped and k not in changes]
    pairs.extend(changes.items())
    pairs.extend(draw(st.lists(_pair(), max_size=2)))
    return pairs


def _encode(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


# Header values go out as latin-1 bytes; requests rejects CR, LF and
# leading whitespace, so those are left out.
header_text = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFF), max_size=40
).map(lambda text: text.encode("latin-1"))


def _basic(user_pass: tuple[str, str]) -> bytes:
    raw = ":".join(user_pass).encode("utf-8")
    return b"Basic " + base64.b64encode(raw)


authorization = st.one_of(
    st.none(),
    st.tuples(_value("client_id"), _value("client_secret")).map(_basic),
    st.builds(lambda value: b"Basic " + value, header_text),
    st.builds(lambda value: b"Bearer " + value, header_text),
    header_text,
)

content_type = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/json",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "text/plain; charset=utf-16",
            "application/x-www-form-urlencoded; charset=latin-1",
        ]
    ),
)

odd_query = st.sampled_from(["%zz", "%ff%fe", "a=%", "=&=&", "a=1&a=2", "&&&"])


@st.composite
def bodies(draw: st.DrawFn, path: str) -> bytes:
    pairs = draw(mutated_params(path))
    kind = draw(st.sampled_from(["form", "json", "bytes"]))
    if kind == "form":
        return _encode(pairs).encode("ascii")
    if kind == "json":
        return json.dumps(dict(pairs)).encode("utf-8")
    return draw(st.binary(max_size=60))


@pytest.fixture(scope="module")
def fuzz_idp() -> Iterator[LiveServer]:
    yield from serve(create_app(auto_approve=True))


@pytest.mark.parametrize("path", PATHS)
def test_endpoint_never_answers_5xx(fuzz_idp: LiveServer, path: str) -> None:
    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"]),
        query=st.one_of(mutated_params(path).map(_encode), odd_query),
        body=bodies(path),
        auth=authorization,
        kind=content_type,
        cookie=st.one_of(st.none(), header_text),
        slashless=st.booleans(),
    )
    def check(
        method: str,
        query: str,
        body: bytes,
        auth: bytes | None,
        kind: str | None,
        cookie: bytes | None,
        slashless: bool,
    ) -> None:
        # One connection for speed, but no cookie carried between examples.
        browser.cookies.clear()
        headers: dict[str, Any] = {}
        if auth is not None:
            headers["Authorization"] = auth
        if kind is not None:
            headers["Content-Type"] = kind
        if cookie is not None:
            headers["Cookie"] = b"tn_mock_session=" + cookie
        target = path.rstrip("/") if slashless else path

        response = browser.request(
            method,
            f"{fuzz_idp.url}{target}?{query}",
            data=body if method not in ("GET", "HEAD") else None,
            headers=headers,
            allow_redirects=False,
            timeout=TIMEOUT,
        )

        assert response.status_code < 500, response.text

    with requests.Session() as browser:
        check()
