"""The /_mock/ control API: Controller and RemoteController agree over HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mock_idp.app import create_app
from mock_idp.config import ConfigError
from mock_idp.config import load_config
from mock_idp.control import ControlError
from mock_idp.control_client import RemoteController
from mock_idp.control_routes import PREFIX

from .conftest import LiveServer
from .conftest import serve
from .toolkit_support import controller
from .toolkit_support import login


@pytest.fixture(params=["local", "remote"])
def control(request: pytest.FixtureRequest, live_idp: LiveServer) -> Any:
    if request.param == "local":
        return controller(live_idp)
    return RemoteController(live_idp.url)


def test_clock_operations(control: Any) -> None:
    assert control.freeze(at=1_900_000_000)["now"] == 1_900_000_000
    assert control.advance(30)["now"] == 1_900_000_030
    assert control.set_time(1_900_000_100)["now"] == 1_900_000_100
    assert control.skew(-5)["issue_time"] == 1_900_000_095
    assert control.release()["frozen"] is False


def test_tokens_keys_and_failures(control: Any, live_idp: LiveServer) -> None:
    minted = control.mint_token("jan", "openid TNForm")
    assert control.expire_token(minted["access_token"])["kind"] == "access_token"
    assert control.revoke_token(minted["refresh_token"])["revoked"] is True
    assert control.revoke_user("jan")["sub"] == "1001"
    assert control.revoke_client("test-client")["client_id"] == "test-client"

    kid = control.add_key()["kid"]
    assert control.activate_key(kid)["active"] == kid
    assert kid in control.rotate_key()["kids"]
    assert kid not in control.retire_key(kid)["kids"]

    fault = control.queue_failure("token", status=503, times=2)
    assert control.failures() == [fault]
    assert control.clear_failures() == {"cleared": True}


def test_users_clients_settings_and_journal(control: Any, live_idp: LiveServer) -> None:
    added = control.add_user("kees", companies=["Kees Klimaat B.V."])
    assert added["companies"] == ["Kees Klimaat B.V."]
    assert "password" not in added
    assert control.update_user("kees", name="Kees Jansen")["name"] == "Kees Jansen"
    client = control.add_client("app-2", redirect_uris=["http://127.0.0.1/cb"])
    assert client["redirect_uris"] == ["http://127.0.0.1/cb"]
    assert control.update_client("app-2", name="Second")["name"] == "Second"
    assert control.forget_consent("1001")["forgotten"] is True
    assert control.configure(refresh_rotation=False)["refresh_rotation"] is False
    lifetimes = control.set_lifetimes(client_id="app-2", access_token=5)
    assert lifetimes["clients"]["app-2"]["access_token"] == 5

    login(live_idp)
    assert len(control.journal(endpoint="token", status=200)) == 1
    assert control.clear_journal() == {"cleared": True}
    assert control.reset()["reset"] is True


def test_default_user_picks_auto_approved_user(
    control: Any, live_idp: LiveServer
) -> None:
    settings = control.configure(default_user="1002")
    fatima = login(live_idp).userinfo().json()
    control.reset()
    jan = login(live_idp).userinfo().json()

    assert settings["default_user"] == "fatima"
    assert fatima["sub"] == "1002"
    assert jan["sub"] == "1001"


def test_default_user_in_config_must_exist() -> None:
    with pytest.raises(ConfigError, match="default_user 'nobody' names no"):
        load_config(default_user="nobody")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.advance("soon"), "seconds"),
        (lambda c: c.advance(-1), "seconds"),
        (lambda c: c.configure(colour="red"), "colour"),
        (lambda c: c.configure(refresh_rotation="yes"), "refresh_rotation"),
        (lambda c: c.configure(default_user="nobody"), "default_user"),
        (lambda c: c.configure(default_user=""), "default_user"),
        (lambda c: c.set_lifetimes(access_token=0), "access_token"),
        (lambda c: c.set_lifetimes(client_id="nobody", code=5), "client_id"),
        (lambda c: c.queue_failure("token", status=999), "status"),
        (lambda c: c.mint_token("nobody", "openid"), "user"),
        (lambda c: c.mint_token("jan", "openid, profile"), "scope"),
        (lambda c: c.expire_token("no-such-token"), "token"),
        (lambda c: c.add_user("jan"), "username"),
        (lambda c: c.update_client("test-client", grant_types="all"), "grant_types"),
    ],
)
def test_bad_input_names_the_field(control: Any, call: Any, field: str) -> None:
    with pytest.raises(ControlError) as caught:
        call(control)

    assert caught.value.field == field
    assert caught.value.status in (400, 404)


def test_http_bad_bodies_get_400(live_idp: LiveServer) -> None:
    url = f"{live_idp.url}{PREFIX}/clock/advance"

    not_json = requests.post(url, data="{", timeout=5)
    not_object = requests.post(url, json=[1], timeout=5)
    missing = requests.post(url, json={}, timeout=5)

    assert not_json.status_code == 400
    assert not_object.status_code == 400
    assert missing.status_code == 400
    assert missing.json()["field"] == "seconds"


def test_retiring_the_active_key_is_400(live_idp: LiveServer) -> None:
    remote = RemoteController(live_idp.url)
    with pytest.raises(ControlError, match="activate another key") as caught:
        remote.retire_key(remote.keys()["active"])
    assert caught.value.status == 400


@pytest.fixture
def idp_without_control() -> Iterator[LiveServer]:
    yield from serve(create_app(control_api=False))


def test_control_api_can_be_switched_off(idp_without_control: LiveServer) -> None:
    answer = requests.get(f"{idp_without_control.url}{PREFIX}/clock", timeout=5)
    assert answer.status_code == 404


def test_openapi_paths_equal_the_routes(live_idp: LiveServer) -> None:
    document = requests.get(f"{live_idp.url}{PREFIX}/openapi.json", timeout=5).json()
    served: dict[str, set[str]] = {}
    for rule in live_idp.app.url_map.iter_rules():
        # The inspector's HTML pages share the prefix but are not the API.
        is_page = rule.endpoint.startswith("inspector.")
        if rule.rule.startswith(PREFIX + "/") and not is_page:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
            served.setdefault(path, set()).update(methods)

    documented = {path: set(item) for path, item in document["paths"].items()}
    assert documented == served


def test_schemathesis_finds_no_server_error(live_idp: LiveServer) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{live_idp.url}{PREFIX}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "8",
            "--suppress-health-check",
            "all",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
