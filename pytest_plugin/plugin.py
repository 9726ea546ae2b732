"""pytest plugin of tn-mock: fixtures, the ``tn_mock`` marker and options.

pytest loads this module for every run in an environment where tn-mock is
installed, so it imports only pytest and the standard library. Flask,
authlib, werkzeug, requests and responses are imported when a test first
requests a ``tn_`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any

import pytest

from .settings import MARKER_HELP
from .settings import OPTIONS
from .settings import TRANSPORTS
from .settings import MarkerError
from .settings import parse_marker
from .settings import split_scopes

if TYPE_CHECKING:
    from .handles import ApiInfo
    from .handles import Clients
    from .handles import Clock
    from .handles import Faults
    from .handles import IdpInfo
    from .handles import Journal
    from .handles import TokenSet
    from .handles import Users
    from .lifecycle import Defaults
    from .mock import TnMock
    from .transports import TransportPool

POOL_KEY = pytest.StashKey["TransportPool"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tn-mock", "tn-mock: fake Techniek Nederland IDP and APIs")
    for option in OPTIONS:
        if option.is_flag:
            group.addoption(
                option.flag,
                action="store_true",
                default=None,
                dest=option.ini_key,
                help=option.help,
            )
            parser.addini(option.ini_key, option.help, type="bool", default=False)
            continue
        group.addoption(
            option.flag,
            dest=option.ini_key,
            default=None,
            choices=option.choices,
            metavar=option.name.upper(),
            help=option.help,
        )
        parser.addini(option.ini_key, option.help, default=option.default)


def read_setting(config: pytest.Config, name: str) -> Any:
    """Return a setting from the command line, else the ini file, else its default."""
    key = "tn_mock_" + name
    value = config.getoption(key, default=None)
    if value is None:
        value = config.getini(key)
    return value if value != "" else None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)

    transport = read_setting(config, "transport")
    if transport is not None and transport not in TRANSPORTS:
        raise pytest.UsageError(
            f"tn_mock_transport = {transport!r} is not a transport; "
            f"valid: {', '.join(TRANSPORTS)}"
        )
    if read_setting(config, "url") and _xdist_workers(config) > 1:
        raise pytest.UsageError(
            "tn-mock: an external instance (--tn-mock-url / tn_mock_url) is shared "
            "state, so it cannot serve several pytest-xdist workers at once. Run "
            "with -n 0 or -n 1, or drop the URL so that each worker starts its own "
            "server."
        )


def _xdist_workers(config: pytest.Config) -> int:
    # A worker's config carries workerinput. The environment variable
    # PYTEST_XDIST_WORKER_COUNT would also reach a pytest run that a test
    # starts inside a worker, which is no worker itself.
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return int(workerinput.get("workercount", 1))
    processes = getattr(config.option, "numprocesses", None)
    if processes in (None, 0, 1):
        return 1
    # "auto" and "logical" usually mean several workers.
    return processes if isinstance(processes, int) else 2


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A safety net: servers stop even when a fixture teardown did not run.
    pool = session.config.stash.get(POOL_KEY, None)
    if pool is not None:
        pool.close()


@pytest.fixture(scope="session")
def tn_mock_url(pytestconfig: pytest.Config) -> str | None:
    """Base URL of an external tn-mock instance, or ``None``."""
    url: str | None = read_setting(pytestconfig, "url")
    return url


@pytest.fixture(scope="session")
def tn_transport(pytestconfig: pytest.Config, tn_mock_url: str | None) -> str:
    """The transport name: ``live``, ``intercept`` or ``external``."""
    name: str | None = read_setting(pytestconfig, "transport")
    if name is None:
        name = "external" if tn_mock_url else "live"
    return name


@pytest.fixture(scope="session")
def tn_mock_pool(pytestconfig: pytest.Config) -> Iterator[TransportPool]:
    """The session's servers, one per transport, started on first use."""
    from .transports import TransportPool

    pool = TransportPool(
        config_path=read_setting(pytestconfig, "config"),
        app_settings={
            "auto_approve": True,
            "error_profile": read_setting(pytestconfig, "error_profile"),
        },
    )
    pytestconfig.stash[POOL_KEY] = pool
    yield pool
    pool.close()


def _defaults(config: pytest.Config) -> Defaults:
    from .lifecycle import Defaults

    return Defaults(
        user=read_setting(config, "user"),
        scopes=split_scopes(read_setting(config, "scopes")),
        client_id=read_setting(config, "client_id"),
        redirect_uri=read_setting(config, "redirect_uri"),
        error_profile=read_setting(config, "error_profile"),
    )


@pytest.fixture
def tn_mock(
    request: pytest.FixtureRequest,
    tn_transport: str,
    tn_mock_url: str | None,
    tn_mock_pool: TransportPool,
) -> Iterator[TnMock]:
    """The mock, reset to its defaults and the test's ``tn_mock`` marker."""
    from .lifecycle import begin_test
    from .lifecycle import end_test

    markers = list(request.node.iter_markers("tn_mock"))
    problem = None
    try:
        if any(marker.args for marker in markers):
            raise MarkerError(
                "tn_mock marker: takes keywords only, e.g. tn_mock(user='fatima')"
            )
        settings = parse_marker([marker.kwargs for marker in markers])
    except MarkerError as error:
        problem = str(error)
    if problem is not None:
        pytest.fail(problem, pytrace=False)

    passthrough = bool(read_setting(request.config, "passthrough"))
    transport = tn_mock_pool.get(tn_transport, url=tn_mock_url, passthrough=passthrough)
    try:
        mock = begin_test(transport, settings, _defaults(request.config))
    except ValueError as error:
        problem = f"tn_mock marker: {error}"
    if problem is not None:
        pytest.fail(problem, pytrace=False)

    yield mock
    end_test(mock)


@pytest.fixture
def tn_idp(tn_mock: TnMock) -> IdpInfo:
    """Issuer, endpoints, client_id, redirect_uri and scopes of the IDP."""
    return tn_mock.idp


@pytest.fixture
def tn_api(tn_mock: TnMock) -> ApiInfo:
    """Base URLs of the Forms Webservice, FGO+ Webservice and Reports."""
    return tn_mock.api


@pytest.fixture
def tn_login(tn_mock: TnMock) -> Callable[..., TokenSet]:
    """``tn_login(user=None, scopes=None, **options)``: a browserless login."""
    return tn_mock.login


@pytest.fixture
def tn_mint(tn_mock: TnMock) -> Callable[..., TokenSet]:
    """``tn_mint(user=None, scopes=None, lifetime=None)``: tokens from the store."""
    return tn_mock.mint


@pytest.fixture
def tn_tokens(tn_mock: TnMock) -> TokenSet:
    """Tokens minted for the test's default user and scopes."""
    return tn_mock.mint()


@pytest.fixture
def tn_clock(tn_mock: TnMock) -> Clock:
    """The mock's clock: freeze, advance, set, skew, release."""
    return tn_mock.clock


@pytest.fixture
def tn_faults(tn_mock: TnMock) -> Faults:
    """Queue failures (status, error, Retry-After, latency) for next requests."""
    return tn_mock.faults


@pytest.fixture
def tn_journal(tn_mock: TnMock) -> Journal:
    """Requests the mock received during this test."""
    return tn_mock.journal


@pytest.fixture
def tn_users(tn_mock: TnMock) -> Users:
    """Add test users or change their claims for this test."""
    return tn_mock.users


@pytest.fixture
def tn_clients(tn_mock: TnMock) -> Clients:
    """Add OAuth clients or change their token lifetimes for this test."""
    return tn_mock.clients
