"""Input checks of the control service, shared by its Python and HTTP callers.

Each check raises :class:`ControlError` naming the field, the value it got
and what it expects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .config import ACCESS_TOKEN_FORMATS
from .config import ClientConfig
from .config import Lifetimes
from .config import UserConfig
from .journal import FILTER_FIELDS
from .state import IdpState

#: Largest number of seconds any time value may move, about 300 years; it
#: keeps every instant inside what ``datetime`` and JWT libraries accept.
MAX_SECONDS = 10**10

#: Settings that ``Controller.configure`` may change at run time.
SETTINGS = {
    "access_token_format": "str",
    "refresh_rotation": "bool",
    "refresh_reuse_detection": "bool",
    "refresh_grace_seconds": "int",
    "error_profile": "str",
    "auto_approve": "bool",
    "default_user": "str | None",
    "jwks_max_age": "int",
}

LIFETIME_FIELDS = tuple(field.name for field in dataclasses.fields(Lifetimes))


class ControlError(ValueError):
    """Bad input to the control service; the HTTP API responds with ``status``."""

    def __init__(self, field: str | None, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": "invalid_request" if self.status == 400 else "not_found",
            "field": self.field,
            "error_description": str(self),
        }


def check_string(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ControlError(field, f"{field} must be a non-empty string, got {value!r}")
    return value


def check_number(field: str, value: Any, minimum: float, maximum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(field, f"{field} must be a number of seconds, got {value!r}")
    if not minimum <= value <= maximum:
        raise ControlError(
            field, f"{field} must be between {minimum:g} and {maximum:g}, got {value!r}"
        )
    return float(value)


def check_int(field: str, value: Any, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(field, f"{field} must be an integer, got {value!r}")
    if not minimum <= value <= maximum:
        raise ControlError(
            field, f"{field} must be between {minimum} and {maximum}, got {value!r}"
        )
    return value


def check_bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ControlError(field, f"{field} must be true or false, got {value!r}")
    return value


def check_lifetimes(lifetimes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(lifetimes) - set(LIFETIME_FIELDS))
    if unknown:
        raise ControlError(
            unknown[0],
            f"unknown lifetime(s) {unknown}; known: {', '.join(LIFETIME_FIELDS)}",
        )
    checked: dict[str, Any] = {}
    for name, value in lifetimes.items():
        if name == "refresh_token" and value is None:
            checked[name] = None  # No expiry, the default.
        else:
            checked[name] = check_int(name, value, 1, MAX_SECONDS)
    return checked


def check_setting(name: str, value: Any) -> None:
    kind = SETTINGS.get(name)
    if kind is None:
        raise ControlError(
            name, f"unknown setting {name!r}; known settings: {', '.join(SETTINGS)}"
        )
    if kind == "bool":
        check_bool(name, value)
    elif kind == "int":
        check_int(name, value, 0, MAX_SECONDS)
    elif name == "access_token_format" and value not in ACCESS_TOKEN_FORMATS:
        raise ControlError(
            name, f"{name} must be one of {ACCESS_TOKEN_FORMATS}, got {value!r}"
        )
    elif name == "error_profile" and value not in ("reference", "rfc"):
        raise ControlError(name, f"{name} must be 'reference' or 'rfc', got {value!r}")
    elif name == "default_user" and value is not None:
        check_string(name, value)


#: Option types of :meth:`Controller.queue_failure`.
FAILURE_OPTIONS = {
    "grant_type": "str",
    "call": "int",
    "times": "int",
    "error": "str",
    "error_description": "str",
    "status": "int",
    "body": "str",
    "retry_after": "int",
    "latency": "number",
    "drop": "bool",
}


def check_failure_options(options: Mapping[str, Any]) -> None:
    for name, value in options.items():
        kind = FAILURE_OPTIONS.get(name)
        if kind is None:
            raise ControlError(
                name,
                f"unknown failure option {name!r}; known: {', '.join(FAILURE_OPTIONS)}",
            )
        if value is None and name not in ("latency", "drop", "call", "times"):
            continue
        if kind == "str" and not isinstance(value, str):
            raise ControlError(name, f"{name} must be a string, got {value!r}")
        if kind == "int":
            check_int(name, value, 0, MAX_SECONDS)
        if kind == "number":
            check_number(name, value, 0, MAX_SECONDS)
        if kind == "bool":
            check_bool(name, value)


def check_journal_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Accept filters as Python values or as query-string text."""
    converted: dict[str, Any] = {}
    for name, value in filters.items():
        if name not in FILTER_FIELDS and name != "sent":
            raise ControlError(
                name,
                f"unknown journal filter {name!r}; known: "
                f"{', '.join(FILTER_FIELDS)}, sent",
            )
        if name == "status" and isinstance(value, str):
            if not value.isdigit():
                raise ControlError(name, f"status must be an integer, got {value!r}")
            value = int(value)
        if name == "dropped" and isinstance(value, str):
            if value not in ("true", "false"):
                raise ControlError(
                    name, f"dropped must be true or false, got {value!r}"
                )
            value = value == "true"
        converted[name] = value
    return converted


def check_fields(
    cls: type[Any], values: Mapping[str, Any], fixed: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Check user or client fields against the dataclass's annotations."""
    kinds = {field.name: str(field.type) for field in dataclasses.fields(cls)}
    checked: dict[str, Any] = {}
    for name, value in values.items():
        kind = kinds.get(name)
        if kind is None or name in fixed:
            allowed = ", ".join(n for n in kinds if n not in fixed)
            raise ControlError(
                name, f"unknown or fixed field {name!r}; allowed: {allowed}"
            )
        checked[name] = _check_field(name, kind, value)
    return checked


def _check_field(name: str, kind: str, value: Any) -> Any:
    if kind == "bool":
        return check_bool(name, value)
    if kind == "str":
        if not isinstance(value, str):
            raise ControlError(name, f"{name} must be a string, got {value!r}")
        return value
    if kind == "str | None":
        if value is not None and not isinstance(value, str):
            raise ControlError(name, f"{name} must be a string or null, got {value!r}")
        return value
    if kind.startswith("tuple[str"):
        if not isinstance(value, list | tuple) or not all(
            isinstance(v, str) for v in value
        ):
            raise ControlError(name, f"{name} must be a list of strings, got {value!r}")
        return tuple(value)
    if kind.startswith("Mapping"):
        if not isinstance(value, dict):
            raise ControlError(name, f"{name} must be an object, got {value!r}")
        return dict(value)
    raise ControlError(name, f"{name} cannot be changed at run time")


def default_user_values(username: str, state: IdpState) -> dict[str, Any]:
    """Claims of a new user that the caller did not give."""
    subs = [int(u.sub) for u in state.store.users() if u.sub.isdigit()]
    sub = str(max(subs, default=1000) + 1)
    return {
        "username": username,
        "password": username,
        "sub": sub,
        "livits_id": f"1{sub}0000"[:8],
        "name": username.title(),
        "given_name": username.title(),
        "family_name": "",
    }


def user_to_dict(config: UserConfig) -> dict[str, Any]:
    """Describe a user as JSON-ready data, without the password."""
    data = _to_json(dataclasses.asdict(config))
    del data["password"]
    return data


def client_to_dict(config: ClientConfig) -> dict[str, Any]:
    """Describe a client as JSON-ready data, without the secret's value."""
    data = _to_json(dataclasses.asdict(config))
    data["client_secret"] = None if config.client_secret is None else "(set)"
    return data


def _to_json(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: list(value)
        if isinstance(value, tuple)
        else dict(value)
        if isinstance(value, Mapping)
        else value
        for key, value in data.items()
    }
