"""The pytest plugin, run inside pytester sessions as a user's suite would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pytest_plugin

# Subprocess runs must import this checkout's plugin, not another copy that
# the pytest11 entry point may name.
CHECKOUT = Path(pytest_plugin.__file__).resolve().parent.parent


@pytest.fixture
def subprocess_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(CHECKOUT))


def test_plugin_import_loads_no_heavy_modules() -> None:
    code = (
        "import sys, pytest_plugin.plugin\n"
        "heavy = {'flask', 'authlib', 'werkzeug', 'requests', 'responses'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=CHECKOUT,
    )

    assert result.stdout.strip() == "[]"


def test_marker_registered_with_signature(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")

    result.stdout.fnmatch_lines(["@pytest.mark.tn_mock(*, user=None, claims=None,*"])


def test_marker_misspelled_keyword_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.tn_mock(scope="openid")
        def test_typo(tn_mock):
            pass
        """
    )

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*unknown keyword(s) scope; valid keywords: user, claims, scopes,*"]
    )


LEAK_CHECK = """
SHARED = {}

def test_first(tn_mock, tn_login, tn_clock, tn_users, tn_faults):
    tokens = tn_login()
    tn_clock.freeze(1_000_000)
    tn_users.add("kees", sub="2001")
    tn_faults.fail("jwks", status=500)
    tn_mock.control.rotate_key()
    SHARED["token"] = tokens.access_token
    SHARED["keys"] = tn_mock.control.keys()
    assert tn_mock.journal.count() == 2

def test_second(tn_mock, tn_clock, tn_journal, tn_faults):
    assert tn_journal.entries() == []
    assert tn_faults.pending() == []
    assert tn_mock.control.keys() == SHARED["keys"]
    assert not tn_clock.frozen
    assert tn_clock.now() > 1_700_000_000
    response = tn_mock.http.get(
        tn_mock.idp.userinfo_endpoint,
        headers={"Authorization": "Bearer " + SHARED["token"]},
    )
    assert response.status_code == 401
    assert tn_mock.mint("kees") is None
"""


@pytest.mark.parametrize("transport", ["live", "intercept", "external"])
def test_state_does_not_leak_between_tests(
    pytester: pytest.Pytester, request: pytest.FixtureRequest, transport: str
) -> None:
    pytester.makepyfile(LEAK_CHECK)

    result = pytester.runpytest_inprocess(
        "-p", "no:randomly", *transport_options(request, transport)
    )

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ControlError: unknown user 'kees'; known users*"])


@pytest.mark.parametrize("transport", ["live", "external"])
def test_dropped_connection_reaches_client(
    pytester: pytest.Pytester, request: pytest.FixtureRequest, transport: str
) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        def test_drop(tn_mock, tn_faults, tn_tokens, tn_journal):
            tn_faults.drop("userinfo")

            with pytest.raises(requests.ConnectionError):
                tn_mock.userinfo(tn_tokens.access_token)
            assert tn_journal.last(endpoint="userinfo")["dropped"] is True
        """
    )

    result = pytester.runpytest_inprocess(*transport_options(request, transport))

    result.assert_outcomes(passed=1)


def transport_options(request: pytest.FixtureRequest, transport: str) -> list[str]:
    """Return the options of an inner pytest run that uses ``transport``."""
    if transport == "external":
        return ["--tn-mock-url", request.getfixturevalue("external_tn_mock_url")]
    return ["--tn-mock-transport", transport]


def test_server_exception_fails_the_test_that_caused_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_breaks_server(tn_mock, tn_tokens, monkeypatch):
            def broken(name_or_sub):
                raise ZeroDivisionError("broken on purpose")

            monkeypatch.setattr(tn_mock.app.extensions["tn_mock_state"].store,
                                "find_user", broken)
            response = tn_mock.http.get(
                tn_mock.idp.userinfo_endpoint, headers=tn_tokens.authorization
            )
            assert response.status_code == 500

        def test_next_one_is_clean(tn_mock, tn_tokens):
            assert tn_mock.userinfo(tn_tokens.access_token)["sub"] == "1001"
        """
    )

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_breaks_server*",
            "*raised 1 unhandled exception(s)*",
            "*ZeroDivisionError: broken on purpose*",
        ]
    )


def test_each_xdist_worker_runs_its_own_server(
    pytester: pytest.Pytester, subprocess_env: None
) -> None:
    pytester.makepyfile(
        """
        import os
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_login(tn_mock, tn_login, n):
            tokens = tn_login()
            assert tn_mock.userinfo(tokens.access_token)["sub"] == "1001"
            assert tn_mock.journal.count() == 3
            print("worker", os.environ["PYTEST_XDIST_WORKER"], tn_mock.idp.issuer)
        """
    )

    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=4)


def test_external_url_rejected_with_xdist(
    pytester: pytest.Pytester, subprocess_env: None
) -> None:
    pytester.makepyfile("def test_nothing(): pass")

    result = pytester.runpytest_subprocess(
        "-n", "2", "--tn-mock-url", "http://127.0.0.1:9"
    )

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*cannot serve several pytest-xdist workers*"])


def test_external_url_allowed_in_run_inside_worker(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    external_tn_mock_url: str,
) -> None:
    # A pytest run started inside an xdist worker inherits its environment
    # but is a single process of its own.
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    pytester.makepyfile("def test_reset(tn_mock): assert tn_mock.app is None")

    result = pytester.runpytest_inprocess("--tn-mock-url", external_tn_mock_url)

    result.assert_outcomes(passed=1)


def test_ini_transport_must_be_known(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ntn_mock_transport = socket\n")
    pytester.makepyfile("def test_nothing(): pass")

    result = pytester.runpytest_inprocess()

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*not a transport; valid: live, intercept, external*"])
