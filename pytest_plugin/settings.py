"""Marker keywords and options of the plugin, checked without heavy imports.

This module uses the standard library only, because ``plugin.py`` imports
it when pytest loads the plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TRANSPORTS = ("live", "intercept", "external")
TOKEN_FORMATS = ("opaque", "jwt")
ERROR_PROFILES = ("reference", "rfc")
LIFETIME_NAMES = ("code", "access_token", "id_token", "refresh_token")

MARKER_SIGNATURE = (
    "tn_mock(*, user=None, claims=None, scopes=None, lifetimes=None, "
    "token_format=None, refresh_rotation=None, refresh_grace_seconds=None, "
    "refresh_reuse_detection=None, error_profile=None, auto_approve=None)"
)
MARKER_HELP = (
    f"{MARKER_SIGNATURE}: per-test settings of the tn-mock IDP: the user "
    "tn_login and tn_mint act for, extra or changed claims of that user, "
    "default scopes, token lifetimes in seconds, access-token format, "
    "refresh-token behaviour, error profile and auto-approve."
)
MARKER_KEYWORDS = (
    "user",
    "claims",
    "scopes",
    "lifetimes",
    "token_format",
    "refresh_rotation",
    "refresh_grace_seconds",
    "refresh_reuse_detection",
    "error_profile",
    "auto_approve",
)


class MarkerError(ValueError):
    """A ``tn_mock`` marker with an unknown keyword or an invalid value."""


@dataclass(frozen=True, kw_only=True)
class Option:
    """One setting that both the command line and the ini file can give."""

    name: str
    help: str
    default: str | None = None
    choices: tuple[str, ...] | None = None
    is_flag: bool = False

    @property
    def flag(self) -> str:
        return "--tn-mock-" + self.name.replace("_", "-")

    @property
    def ini_key(self) -> str:
        return "tn_mock_" + self.name


OPTIONS = (
    Option(
        name="url",
        help="base URL of an already running tn-mock (e.g. http://127.0.0.1:8080); "
        "the fixtures then drive it through its /_mock/ control API",
    ),
    Option(
        name="transport",
        help="how tests reach the mock: live (a server thread on a free loopback "
        "port), intercept (responses serves the production URLs in process) or "
        "external (the instance at tn_mock_url); default: live, or external "
        "when a URL is given",
        choices=TRANSPORTS,
    ),
    Option(
        name="passthrough",
        help="with the intercept transport, let requests to other hosts reach the "
        "network instead of failing",
        is_flag=True,
    ),
    Option(
        name="config",
        help="TOML file with IDP settings for the in-process server",
    ),
    Option(
        name="user",
        help="user name or sub that tn_login and tn_mint act for (default: jan)",
        default="jan",
    ),
    Option(
        name="scopes",
        help="space-separated scopes that tn_login and tn_mint request "
        "(default: openid profile TNForm FGOWebs)",
        default="openid profile TNForm FGOWebs",
    ),
    Option(
        name="client_id",
        help="client that tn_login and tn_mint act as (default: test-client)",
        default="test-client",
    ),
    Option(
        name="redirect_uri",
        help="redirect URI that tn_login sends "
        "(default: http://localhost:8000/oauth-callback/)",
        default="http://localhost:8000/oauth-callback/",
    ),
    Option(
        name="error_profile",
        help="respond like the real IDP (reference, default) or like the RFCs (rfc)",
        default="reference",
        choices=ERROR_PROFILES,
    ),
)


def parse_marker(kwargs_list: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge ``tn_mock`` marker keywords, the closest marker first, and check them.

    Raises :class:`MarkerError` naming the bad keyword and the valid ones.
    """
    merged: dict[str, Any] = {}
    for kwargs in reversed(kwargs_list):
        merged.update(kwargs)

    unknown = sorted(set(merged) - set(MARKER_KEYWORDS))
    if unknown:
        raise MarkerError(
            f"tn_mock marker: unknown keyword(s) {', '.join(unknown)}; "
            f"valid keywords: {', '.join(MARKER_KEYWORDS)}"
        )
    _check_values(merged)
    return merged


def _check_values(settings: Mapping[str, Any]) -> None:
    token_format = settings.get("token_format")
    if token_format is not None and token_format not in TOKEN_FORMATS:
        raise MarkerError(
            f"tn_mock marker: token_format must be one of {TOKEN_FORMATS}, "
            f"got {token_format!r}"
        )

    profile = settings.get("error_profile")
    if profile is not None and profile not in ERROR_PROFILES:
        raise MarkerError(
            f"tn_mock marker: error_profile must be one of {ERROR_PROFILES}, "
            f"got {profile!r}"
        )

    lifetimes = settings.get("lifetimes")
    if lifetimes is not None:
        if not isinstance(lifetimes, Mapping):
            raise MarkerError(
                "tn_mock marker: lifetimes must be a dict of seconds, "
                f"got {lifetimes!r}"
            )
        unknown = sorted(set(lifetimes) - set(LIFETIME_NAMES))
        if unknown:
            raise MarkerError(
                f"tn_mock marker: unknown lifetime(s) {', '.join(unknown)}; "
                f"valid: {', '.join(LIFETIME_NAMES)}"
            )

    claims = settings.get("claims")
    if claims is not None and not isinstance(claims, Mapping):
        raise MarkerError(f"tn_mock marker: claims must be a dict, got {claims!r}")


def split_scopes(scopes: str | Sequence[str]) -> tuple[str, ...]:
    """Return scopes given as a space-separated string or a sequence as a tuple."""
    if isinstance(scopes, str):
        return tuple(scopes.split())
    return tuple(scopes)
