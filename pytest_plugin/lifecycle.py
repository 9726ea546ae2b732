"""Preparing the mock for one test and checking it afterwards."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .handles import IdpInfo
from .mock import TnMock
from .settings import split_scopes
from .transports import ServerError
from .transports import Transport

#: Marker ``claims`` keys that are fields of a test user; others become
#: extra claims.
USER_CLAIM_FIELDS = frozenset(
    {"livits_id", "name", "given_name", "family_name", "companies"}
)


@dataclass(frozen=True, kw_only=True)
class Defaults:
    """Session-wide defaults from the command line and the ini file."""

    user: str
    scopes: tuple[str, ...]
    client_id: str
    redirect_uri: str
    error_profile: str


def begin_test(
    transport: Transport, marker: Mapping[str, Any], defaults: Defaults
) -> TnMock:
    """Reset the mock, apply the defaults and the marker, and return the handle.

    Raises ``ValueError`` when the mock cannot apply a marker setting.
    """
    control = transport.control
    transport.errors.take()
    control.reset()

    user = marker.get("user", defaults.user)
    control.configure(
        auto_approve=marker.get("auto_approve", True),
        error_profile=marker.get("error_profile", defaults.error_profile),
        default_user=user,
    )
    _apply_settings(transport, marker, user)

    scopes = marker.get("scopes")
    idp = IdpInfo(
        base_url=transport.base_urls["idp"],
        client_id=defaults.client_id,
        redirect_uri=defaults.redirect_uri,
        scopes=defaults.scopes if scopes is None else split_scopes(scopes),
    )
    transport.begin_test()
    return TnMock(transport, idp=idp, user=user, password=None)


def _apply_settings(transport: Transport, marker: Mapping[str, Any], user: str) -> None:
    control = transport.control
    settings: dict[str, Any] = {}
    if "token_format" in marker:
        settings["access_token_format"] = marker["token_format"]
    for name in (
        "refresh_grace_seconds",
        "refresh_rotation",
        "refresh_reuse_detection",
    ):
        if name in marker:
            settings[name] = marker[name]
    if settings:
        control.configure(**settings)

    if marker.get("lifetimes"):
        control.set_lifetimes(**marker["lifetimes"])

    claims = marker.get("claims")
    if claims:
        changes = {k: v for k, v in claims.items() if k in USER_CLAIM_FIELDS}
        extra = {k: v for k, v in claims.items() if k not in USER_CLAIM_FIELDS}
        if extra:
            changes["extra_claims"] = extra
        control.update_user(user, **changes)


def end_test(mock: TnMock) -> None:
    """Undo the test's interception and clock travel; raise server failures."""
    transport = mock.transport
    mock.clock.stop_local()
    transport.end_test()
    mock.http.close()

    errors = transport.errors.take()
    if errors:
        details = "\n".join(
            "".join(traceback.format_exception(error)) for error in errors
        )
        raise ServerError(
            f"the tn-mock server raised {len(errors)} unhandled exception(s) "
            f"while this test ran ({transport.name} transport):\n{details}"
        ) from errors[0]
