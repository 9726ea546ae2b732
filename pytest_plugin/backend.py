"""The one module that builds and controls the mock.

Everything the plugin needs from ``mock_idp`` and ``mock_api`` goes through
here, so that a change in those packages is a change in this file only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

if TYPE_CHECKING:
    from flask import Flask

#: Production hosts that the intercept transport serves, by part.
PRODUCTION_URLS: Mapping[str, str] = {
    "idp": "https://inlog.tnl.nu",
    "forms": "https://formsapi.technieknederland.nl",
    "fgo": "https://api.fgoplus.nl",
    "reports": "https://beheer.formulierenapp.technieknederland.nl",
}


class Control(Protocol):
    """The control methods the fixtures call, in process or over HTTP.

    ``mock_idp.control.Controller`` and ``mock_idp.control_client.
    RemoteController`` both have them; each raises ``ControlError`` (a
    ``ValueError``) naming the bad field.
    """

    def reset(self) -> dict[str, Any]: ...
    def configure(self, **settings: Any) -> dict[str, Any]: ...
    def set_lifetimes(
        self, client_id: str | None = None, **lifetimes: Any
    ) -> dict[str, Any]: ...
    def clock(self) -> dict[str, Any]: ...
    def freeze(self, at: float | None = None) -> dict[str, Any]: ...
    def advance(self, seconds: float) -> dict[str, Any]: ...
    def set_time(self, instant: float) -> dict[str, Any]: ...
    def release(self) -> dict[str, Any]: ...
    def skew(self, seconds: float) -> dict[str, Any]: ...
    def mint_token(
        self,
        user: str,
        scope: str,
        client_id: str = "test-client",
        lifetime: int | None = None,
    ) -> dict[str, Any]: ...
    def expire_token(self, token: str) -> dict[str, Any]: ...
    def revoke_token(self, token: str) -> dict[str, Any]: ...
    def revoke_user(self, sub: str) -> dict[str, Any]: ...
    def revoke_client(self, client_id: str) -> dict[str, Any]: ...
    def keys(self) -> dict[str, Any]: ...
    def rotate_key(self) -> dict[str, Any]: ...
    def add_user(self, username: str, **claims: Any) -> dict[str, Any]: ...
    def update_user(self, username: str, **changes: Any) -> dict[str, Any]: ...
    def add_client(self, client_id: str, **settings: Any) -> dict[str, Any]: ...
    def queue_failure(self, endpoint: str, **options: Any) -> dict[str, Any]: ...
    def failures(self) -> list[dict[str, Any]]: ...
    def clear_failures(self) -> dict[str, Any]: ...
    def journal(self, **filters: Any) -> list[dict[str, Any]]: ...
    def clear_journal(self) -> dict[str, Any]: ...


def create_wsgi_app(config_path: str | None, overrides: Mapping[str, Any]) -> Flask:
    """Build the IDP app with the APIs mounted, checking tokens in process."""
    from mock_api.mount import create_combined_app
    from mock_idp.config import load_config

    return create_combined_app(load_config(config_path, **overrides))


def create_local_control(app: Flask) -> Control:
    """Return the controller of an in-process app."""
    from mock_idp.app import get_controller

    return get_controller(app)


def create_remote_control(base_url: str) -> Control:
    """Return a controller that drives the instance at ``base_url`` over HTTP."""
    from mock_idp.control_client import RemoteController

    return RemoteController(base_url)


def fingerprint(secret: str) -> str:
    """Return ``secret`` the way the journal stores it: a prefix and a hash."""
    from mock_idp.journal import fingerprint as journal_fingerprint

    return journal_fingerprint(secret)
