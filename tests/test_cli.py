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
from mock_idp.cli import main
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
