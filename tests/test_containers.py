"""docker-compose.yml and the Dockerfile, checked without a Docker engine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from mock_idp.cli import build_parser
from mock_idp.cli import create_wsgi_app
from mock_idp.cli import resolve_options

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text().splitlines()


def service_options(name: str) -> dict[str, Any]:
    service = COMPOSE["services"][name]
    command = service["command"]
    assert command[0] == "tn-mock"
    args = build_parser().parse_args(command[1:])
    return resolve_options(args, service.get("environment", {}))


def health_path(name: str) -> str:
    probe = COMPOSE["services"][name]["healthcheck"]["test"][-1]
    match = re.search(r"urlopen\('([^']+)'\)", probe)
    assert match is not None, probe
    return urlsplit(match.group(1)).path


def test_dockerfile_base_image_is_pinned() -> None:
    base = next(line for line in DOCKERFILE if line.startswith("FROM "))

    assert re.fullmatch(r"FROM python:\d+\.\d+\.\d+-slim-\w+", base), base


def test_dockerfile_runs_as_non_root_user() -> None:
    users = [line.split()[1] for line in DOCKERFILE if line.startswith("USER ")]
    last_run = max(i for i, line in enumerate(DOCKERFILE) if line.startswith("RUN "))
    last_user = max(i for i, line in enumerate(DOCKERFILE) if line.startswith("USER "))

    assert users
    assert users[-1] not in ("root", "0")
    assert last_user > last_run


def test_compose_images_are_not_latest() -> None:
    for service in COMPOSE["services"].values():
        assert not service["image"].endswith(":latest")
        assert ":" in service["image"]


def test_compose_ports_bind_loopback_only() -> None:
    for service in COMPOSE["services"].values():
        for mapping in service["ports"]:
            assert mapping.startswith("127.0.0.1:")


def test_idp_service_command_line() -> None:
    options = service_options("idp")

    assert options["part"] == "idp"
    assert options["port"] == 8080
    assert options["issuer"] == "http://localhost:8080/o"


def test_api_service_command_line() -> None:
    options = service_options("api")

    assert options["part"] == "api"
    assert options["port"] == 8081
    assert options["idp_url"] == "http://idp:8080"
    assert options["api_client_id"] == "forms-api"
    assert options["api_client_secret"] == "forms-api-secret"


def test_api_service_waits_for_healthy_idp() -> None:
    depends = COMPOSE["services"]["api"]["depends_on"]

    assert depends["idp"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["idp", "api"])
def test_health_check_path_answers(name: str) -> None:
    app = create_wsgi_app(service_options(name))

    answer = app.test_client().get(health_path(name))

    assert answer.status_code == 200


def test_compose_ports_match_commands() -> None:
    for name in ("idp", "api"):
        port = service_options(name)["port"]
        assert COMPOSE["services"][name]["ports"] == [f"127.0.0.1:{port}:{port}"]
