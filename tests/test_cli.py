"""The tn-mock command line: options, environment and a real start."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mock_idp.cli import build_parser
from mock_idp.cli import create_wsgi_app
from mock_idp.cli import main
from mock_idp.cli import print_banner
from mock_idp.cli import resolve_options

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def served() -> Iterator[tuple[str, list[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_idp.cli", "serve", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    banner = []
    try:
        for line in process.stdout:
            banner.append(line.rstrip())
            match = re.search(r"issuer:\s+(\S+)", line)
            if match:
                break
        assert match is not None, banner
        yield match.group(1), banner
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_serve_defaults_to_loopback_8080() -> None:
    options = resolve_options(build_parser().parse_args(["serve"]), {})

    assert options["host"] == "127.0.0.1"
    assert options["port"] == 8080
    assert options["part"] == "all"


def test_serve_api_defaults_to_8081() -> None:
    args = build_parser().parse_args(["serve", "api", "--idp-url", "http://x"])

    assert resolve_options(args, {})["port"] == 8081


def test_command_line_wins_over_environment() -> None:
    args = build_parser().parse_args(["serve", "--port", "9000"])
    env = {"TN_MOCK_PORT": "9100", "TN_MOCK_AUTO_APPROVE": "true"}

    options = resolve_options(args, env)

    assert options["port"] == 9000
    assert options["auto_approve"] is True


def test_serve_api_without_idp_url_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "api"])

    assert exit_info.value.code == 2
    assert "--idp-url" in capsys.readouterr().err


def test_serve_prints_banner_and_answers(served: tuple[str, list[str]]) -> None:
    issuer, banner = served

    discovery = requests.get(f"{issuer}/.well-known/openid-configuration/", timeout=5)

    assert "TEST identity provider" in banner[0]
    assert discovery.status_code == 200
    assert discovery.json()["issuer"] == issuer


def test_serve_api_starts_and_answers() -> None:
    # The swagger document needs no token, so no IDP has to listen at --idp-url.
    command = [sys.executable, "-m", "mock_idp.cli", "serve", "api", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--idp-url", "http://127.0.0.1:9"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = []
    try:
        for line in process.stdout:
            output.append(line.rstrip())
            match = re.search(r"OpenAPI:\s+(\S+)", line)
            if match:
                break
        assert match is not None, output
        swagger = requests.get(match.group(1), timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()

    assert swagger.status_code == 200
    assert swagger.json()["paths"]


def start_server(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``tn-mock serve ARGS --port 0`` and return it with its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_idp.cli", "serve", *args, "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        match = re.search(r"(?:issuer|APIs):\s+(http://[\d.]+:\d+)", line)
        if match:
            return process, match.group(1)
    process.wait(timeout=10)
    process.stdout.close()
    raise AssertionError(f"tn-mock serve {args} exited with {process.returncode}")


def stop_server(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=10)
    assert process.stdout is not None
    process.stdout.close()


def test_serve_idp_and_api_apart_answer_with_token() -> None:
    idp, idp_url = start_server("idp", "--auto-approve")
    try:
        api, api_url = start_server("api", "--idp-url", idp_url)
        try:
            minted = requests.post(
                f"{idp_url}/_mock/tokens/mint",
                json={"user": "jan", "scope": "openid TNForm"},
                timeout=10,
            )
            assert minted.status_code == 200, minted.text
            token = minted.json()["access_token"]

            answer = requests.get(
                f"{api_url}/api/v1/Forms/Latest",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
        finally:
            stop_server(api)
    finally:
        stop_server(idp)

    assert answer.status_code == 200
    assert answer.json()[0]["code"]


def run_cli(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run tn-mock in a subprocess that must stop by itself (a bad setting)."""
    return subprocess.run(
        [sys.executable, "-m", "mock_idp.cli", *args],
        cwd=ROOT,
        env={"PATH": "", "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["serve", "--config", "/nonexistent/nope.toml"],
            {},
            "cannot read configuration file /nonexistent/nope.toml",
        ),
        (["serve", "--port", "0"], {"TN_MOCK_PORT": "abc"}, "TN_MOCK_PORT"),
        (["serve"], {"TN_MOCK_PORT": "abc"}, "TN_MOCK_PORT: invalid port 'abc'"),
        (["serve"], {"TN_MOCK_PORT": "70000"}, "use a number from 0 to 65535"),
        (["serve"], {"TN_MOCK_AUTO_APPROVE": "maybe"}, "TN_MOCK_AUTO_APPROVE"),
        (["serve"], {"TN_MOCK_ERROR_PROFILE": "strict"}, "reference or rfc"),
    ],
)
def test_bad_setting_one_line_error(
    args: list[str], env: dict[str, str], expected: str
) -> None:
    result = run_cli(*args, env=env)

    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    "text", ["autoapprove = true\n", 'auto_approve = "no"\n', "[idp\n"]
)
def test_bad_config_file_one_line_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "tn-mock.toml"
    path.write_text(text, encoding="utf-8")

    result = run_cli("serve", "--config", str(path))

    assert result.returncode == 2
    assert result.stderr.startswith(f"tn-mock: error: {path}")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unknown_config_key_lists_known(tmp_path: Path) -> None:
    path = tmp_path / "tn-mock.toml"
    path.write_text("autoapprove = true\n", encoding="utf-8")

    result = run_cli("serve", "idp", "--config", str(path))

    assert "unknown key(s) ['autoapprove']" in result.stderr
    assert "'auto_approve'" in result.stderr


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_port_out_of_range_rejected(
    capsys: pytest.CaptureFixture[str], port: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["serve", "--port", port])

    assert exit_info.value.code == 2
    assert f"invalid port '{port}'" in capsys.readouterr().err


def test_port_bounds_accepted() -> None:
    for port in ("0", "65535"):
        args = build_parser().parse_args(["serve", "idp", "--port", port])

        assert resolve_options(args, {})["port"] == int(port)


def test_option_before_part_kept() -> None:
    args = build_parser().parse_args(["serve", "--port", "9000", "idp"])

    options = resolve_options(args, {})

    assert options["port"] == 9000
    assert options["part"] == "idp"


def test_serve_api_help_differs(capsys: pytest.CaptureFixture[str]) -> None:
    helps = {}
    for argv in (["serve", "--help"], ["serve", "api", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        helps[argv[1]] = capsys.readouterr().out

    assert helps["api"] != helps["--help"]
    assert "--idp-url" in helps["api"]
    assert "--config CONFIG" not in helps["api"]
    assert "TN_MOCK_API_CLIENT_SECRET" in helps["api"]
    for name in ("HOST", "PORT", "AUTO_APPROVE", "CONFIG", "ISSUER", "ERROR_PROFILE"):
        assert f"TN_MOCK_{name}" in helps["--help"]


def test_serve_api_without_idp_url_shows_api_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "api"])

    assert capsys.readouterr().err.startswith("usage: tn-mock serve api ")


def test_banner_names_served_part(capsys: pytest.CaptureFixture[str]) -> None:
    options = resolve_options(build_parser().parse_args(["serve", "idp"]), {})

    print_banner(options, create_wsgi_app(options))

    first = capsys.readouterr().out.splitlines()[0]
    assert "TEST identity provider." in first
    assert "APIs" not in first


def test_banner_warns_issuer_port_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["serve", "--issuer", "http://localhost:8080/o", "--port", "0"]
    options = resolve_options(build_parser().parse_args(argv), {})
    app = create_wsgi_app(options)

    print_banner({**options, "port": 41234}, app)
    mismatch = capsys.readouterr().out
    print_banner({**options, "port": 8080}, app)
    match = capsys.readouterr().out

    assert "WARNING:    the configured issuer's port is 8080" in mismatch
    assert "listens on 41234" in mismatch
    assert "WARNING" not in match
