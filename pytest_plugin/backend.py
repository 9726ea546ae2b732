"""The one module that knows how to build and control the mock.

Everything the plugin needs from ``mock_idp`` and ``mock_api`` goes through
here, so that a change in those packages is a change in this file only.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

if TYPE_CHECKING:
    from flask import Flask

#: Production hosts that the intercept transport answers, by part.
PRODUCTION_URLS: Mapping[str, str] = {
    "idp": "https://inlog.tnl.nu",
    "forms": "https://formsapi.technieknederland.nl",
    "fgo": "https://api.fgoplus.nl",
    "reports": "https://beheer.formulierenapp.technieknederland.nl",
}


class Control(Protocol):
    """The control methods the fixtures call, in process or over HTTP."""

    def reset(self) -> None: ...
    def configure(self, **settings: Any) -> None: ...
    def set_lifetimes(self, client_id: str | None = None, **lifetimes: Any) -> None: ...
    def clock(self) -> dict[str, Any]: ...
    def freeze(self, at: float | None = None) -> None: ...
    def advance(self, seconds: float) -> None: ...
    def set_time(self, instant: float) -> None: ...
    def release(self) -> None: ...
    def skew(self, seconds: float) -> None: ...
    def mint_token(
        self,
        user: str,
        scope: str,
        client_id: str = "test-client",
        lifetime: int | None = None,
        issuer: str | None = None,
    ) -> dict[str, Any]: ...
    def expire_token(self, token: str) -> None: ...
    def revoke_token(self, token: str) -> None: ...
    def revoke_user(self, sub: str) -> None: ...
    def revoke_client(self, client_id: str) -> None: ...
    def rotate_key(self) -> str: ...
    def add_user(self, **fields: Any) -> dict[str, Any]: ...
    def update_user(self, user: str, **changes: Any) -> dict[str, Any]: ...
    def add_client(self, **fields: Any) -> dict[str, Any]: ...
    def queue_failure(
        self,
        *,
        path: str = "/",
        method: str | None = None,
        host: str | None = None,
        status: int = 503,
        error: str = "temporarily_unavailable",
        description: str = ...,
        retry_after: int | None = None,
        latency: float = 0.0,
        count: int = 1,
    ) -> None: ...
    def clear_failures(self) -> None: ...
    def journal(self, **filters: Any) -> list[dict[str, Any]]: ...
    def clear_journal(self) -> None: ...


def create_wsgi_app(config_path: str | None, overrides: Mapping[str, Any]) -> Flask:
    """Build the IDP app, with the APIs mounted when ``mock_api`` provides them."""
    from mock_idp.app import create_app
    from mock_idp.config import load_config

    app = create_app(load_config(config_path, **overrides))
    _mount_api(app)
    return app


def has_api(app: Flask) -> bool:
    return bool(app.extensions.get("tn_mock_api_mounted"))


def _mount_api(app: Flask) -> None:
    from mock_api.app import create_api_blueprint
    from mock_api.catalog import load_catalog
    from mock_api.settings import ApiSettings
    from mock_idp.app import get_state

    # In one process the APIs check tokens straight against the IDP's state.
    blueprint = create_api_blueprint(load_catalog(), get_state(app), ApiSettings())
    app.register_blueprint(blueprint)
    app.extensions["tn_mock_api_mounted"] = True


def create_local_control(app: Flask) -> Control:
    """Return the controller of an in-process app."""
    from ._fallback import StateController

    return StateController(app)


def create_remote_control(base_url: str) -> Control:
    """Return a controller that drives the instance at ``base_url`` over HTTP."""
    try:
        module = importlib.import_module("mock_idp.control_client")
    except ImportError:
        raise RuntimeError(
            f"cannot drive the tn-mock instance at {base_url}: this installation "
            "has no control client (mock_idp.control_client). Use the live or "
            "intercept transport instead."
        ) from None

    control: Control = module.RemoteController(base_url)
    return control
