"""Settings of the mock APIs that tests and the command line can change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType

# Older scope names that apps in the field still request, and the current
# name each counts as. NOTE: the real platform does not publish this
# mapping; it is an assumption that a test can override.
DEFAULT_SCOPE_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "FGOWS": "FGOWebs",
        "FGOForm": "TNForm",
        "FGO": "FGOPlus",
        "FORMS": "TNForm",
        "FORMSWS": "TNForm",
    }
)


def _default_aliases() -> Mapping[str, str]:
    return DEFAULT_SCOPE_ALIASES


@dataclass(frozen=True, kw_only=True)
class ApiSettings:
    """Scope rules and limits of the Forms, FGO+ and Reports APIs.

    A token is accepted by a service when its scope, after applying
    scope_aliases, contains at least one of that service's scopes.
    """

    forms_scopes: tuple[str, ...] = ("TNForm", "FGOPlus", "FGOWebs")
    fgo_scopes: tuple[str, ...] = ("FGOWebs",)
    reports_scopes: tuple[str, ...] = ("TNForm", "FGOPlus", "FGOWebs")
    scope_aliases: Mapping[str, str] = field(default_factory=_default_aliases)
    # Entry of the introspection response's "permissions" that allows a
    # report request to send form_json.
    form_json_permission: str = "form_json"
    max_report_body_bytes: int = 2_000_000

    def scopes_for(self, service: str) -> tuple[str, ...]:
        """Return the accepted scopes of "forms", "fgo" or "reports"."""
        scopes = {
            "forms": self.forms_scopes,
            "fgo": self.fgo_scopes,
            "reports": self.reports_scopes,
        }
        return scopes[service]
