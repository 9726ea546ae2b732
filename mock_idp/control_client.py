"""``RemoteController``: the methods of ``control.Controller`` over HTTP.

For an IDP in another process or container. Each method sends one request
to the ``/_mock/`` API and returns its JSON, or raises ``ControlError``
with the server's message, exactly as the in-process controller would.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from .control_checks import ControlError
from .control_routes import PREFIX
from .control_routes import ROUTES_BY_ACTION

__all__ = ["ControlError", "RemoteController"]


class RemoteController:
    def __init__(
        self,
        base_url: str,
        session: requests.Session | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    def _call(self, action: str, **arguments: Any) -> Any:
        route = ROUTES_BY_ACTION[action]
        rule = route.rule
        for name in route.path_params:
            rule = rule.replace(f"<{name}>", quote(str(arguments.pop(name)), safe=""))
        url = f"{self.base_url}{PREFIX}{rule}"

        if route.uses_query:
            params = {k: _query_value(v) for k, v in arguments.items() if v is not None}
            response = self.session.request(
                route.method, url, params=params, timeout=self.timeout
            )
        else:
            response = self.session.request(
                route.method, url, json=arguments, timeout=self.timeout
            )

        if response.status_code >= 400:
            raise _control_error(response)
        return response.json()

    def reset(self) -> dict[str, Any]:
        return self._call("reset")  # type: ignore[no-any-return]

    def clock(self) -> dict[str, Any]:
        return self._call("clock")  # type: ignore[no-any-return]

    def freeze(self, at: float | None = None) -> dict[str, Any]:
        arguments = {} if at is None else {"at": at}
        return self._call("freeze", **arguments)  # type: ignore[no-any-return]

    def advance(self, seconds: float) -> dict[str, Any]:
        return self._call("advance", seconds=seconds)  # type: ignore[no-any-return]

    def set_time(self, instant: float) -> dict[str, Any]:
        return self._call("set_time", instant=instant)  # type: ignore[no-any-return]

    def release(self) -> dict[str, Any]:
        return self._call("release")  # type: ignore[no-any-return]

    def skew(self, seconds: float) -> dict[str, Any]:
        return self._call("skew", seconds=seconds)  # type: ignore[no-any-return]

    def set_lifetimes(
        self, client_id: str | None = None, **lifetimes: Any
    ) -> dict[str, Any]:
        if client_id is not None:
            lifetimes["client_id"] = client_id
        return self._call("set_lifetimes", **lifetimes)  # type: ignore[no-any-return]

    def lifetimes(self) -> dict[str, Any]:
        return self._call("lifetimes")  # type: ignore[no-any-return]

    def configure(self, **settings: Any) -> dict[str, Any]:
        return self._call("configure", **settings)  # type: ignore[no-any-return]

    def settings(self) -> dict[str, Any]:
        return self._call("settings")  # type: ignore[no-any-return]

    def expire_token(self, token: str) -> dict[str, Any]:
        return self._call("expire_token", token=token)  # type: ignore[no-any-return]

    def revoke_token(self, token: str) -> dict[str, Any]:
        return self._call("revoke_token", token=token)  # type: ignore[no-any-return]

    def revoke_user(self, sub: str) -> dict[str, Any]:
        return self._call("revoke_user", sub=sub)  # type: ignore[no-any-return]

    def revoke_client(self, client_id: str) -> dict[str, Any]:
        result = self._call("revoke_client", client_id=client_id)
        return result  # type: ignore[no-any-return]

    def expire_user(self, sub: str) -> dict[str, Any]:
        return self._call("expire_user", sub=sub)  # type: ignore[no-any-return]

    def expire_client(self, client_id: str) -> dict[str, Any]:
        result = self._call("expire_client", client_id=client_id)
        return result  # type: ignore[no-any-return]

    def mint_token(
        self,
        user: str,
        scope: str,
        client_id: str = "test-client",
        lifetime: int | None = None,
    ) -> dict[str, Any]:
        arguments: dict[str, Any] = {"user": user, "scope": scope}
        arguments["client_id"] = client_id
        if lifetime is not None:
            arguments["lifetime"] = lifetime
        return self._call("mint_token", **arguments)  # type: ignore[no-any-return]

    def keys(self) -> dict[str, Any]:
        return self._call("keys")  # type: ignore[no-any-return]

    def add_key(self) -> dict[str, Any]:
        return self._call("add_key")  # type: ignore[no-any-return]

    def rotate_key(self) -> dict[str, Any]:
        return self._call("rotate_key")  # type: ignore[no-any-return]

    def activate_key(self, kid: str) -> dict[str, Any]:
        return self._call("activate_key", kid=kid)  # type: ignore[no-any-return]

    def retire_key(self, kid: str) -> dict[str, Any]:
        return self._call("retire_key", kid=kid)  # type: ignore[no-any-return]

    def queue_failure(self, endpoint: str, **options: Any) -> dict[str, Any]:
        result = self._call("queue_failure", endpoint=endpoint, **options)
        return result  # type: ignore[no-any-return]

    def clear_failures(self) -> dict[str, Any]:
        return self._call("clear_failures")  # type: ignore[no-any-return]

    def failures(self) -> list[dict[str, Any]]:
        return self._call("failures")  # type: ignore[no-any-return]

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        return self._call("journal", **filters)  # type: ignore[no-any-return]

    def clear_journal(self) -> dict[str, Any]:
        return self._call("clear_journal")  # type: ignore[no-any-return]

    def add_user(self, username: str, **claims: Any) -> dict[str, Any]:
        result = self._call("add_user", username=username, **claims)
        return result  # type: ignore[no-any-return]

    def update_user(self, username: str, **changes: Any) -> dict[str, Any]:
        result = self._call("update_user", username=username, **changes)
        return result  # type: ignore[no-any-return]

    def add_client(self, client_id: str, **settings: Any) -> dict[str, Any]:
        result = self._call("add_client", client_id=client_id, **settings)
        return result  # type: ignore[no-any-return]

    def update_client(self, client_id: str, **changes: Any) -> dict[str, Any]:
        result = self._call("update_client", client_id=client_id, **changes)
        return result  # type: ignore[no-any-return]

    def forget_consent(self, sub: str, client_id: str | None = None) -> dict[str, Any]:
        arguments: dict[str, Any] = {"sub": sub}
        if client_id is not None:
            arguments["client_id"] = client_id
        return self._call("forget_consent", **arguments)  # type: ignore[no-any-return]


def _query_value(value: Any) -> str:
    # The server reads query filters as text; JSON spells booleans lower-case.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _control_error(response: requests.Response) -> ControlError:
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    message = payload.get("error_description") or (
        f"control request {response.request.method} {response.url} failed with "
        f"HTTP {response.status_code}: {response.text[:200]}"
    )
    return ControlError(payload.get("field"), message, status=response.status_code)
