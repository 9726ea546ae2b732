"""The APIs as their own service: introspection, failures, journal, control.

``tn-mock serve api`` runs this app. It validates tokens by RFC 7662
introspection against the IDP, keeps its own scripted failures and request
journal under ``/_mock/``, and reads the time from the IDP's clock, so that
one clock rules both services.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import requests
from flask import Flask
from flask import g
from flask import has_request_context

from mock_api.app import create_app
from mock_api.auth import IntrospectionUnavailable
from mock_api.auth import IntrospectionValidator
from mock_api.catalog import Catalog
from mock_api.catalog import load_catalog
from mock_api.settings import ApiSettings
from mock_idp.clock import Clock
from mock_idp.control import RequestControls
from mock_idp.control_routes import API_ROUTES
from mock_idp.control_views import create_control_blueprint
from mock_idp.faults import FaultQueue
from mock_idp.faults import install_faults
from mock_idp.journal import Journal
from mock_idp.journal import install_journal

log = logging.getLogger(__name__)


class IdpClock(Clock):
    """The IDP's clock, read over its control API at every call.

    Falls back to this machine's time, with one warning, when the IDP's
    control API cannot be reached or is switched off.
    """

    def __init__(self, idp_url: str, session: requests.Session | None = None) -> None:
        super().__init__()
        self.url = f"{idp_url.rstrip('/')}/_mock/clock"
        self.session = session or requests.Session()
        self._warned = False

    def state(self) -> dict[str, float | bool | None]:
        try:
            answer = self.session.get(self.url, timeout=2)
            answer.raise_for_status()
            remote: dict[str, Any] = answer.json()
        except (requests.RequestException, ValueError) as error:
            if not self._warned:
                log.warning("cannot read the IDP clock at %s: %s", self.url, error)
                self._warned = True
            now = time.time()
            return {
                "now": now,
                "issue_time": now,
                "frozen": False,
                "offset": 0.0,
                "skew": 0.0,
            }
        return {
            "now": float(remote["now"]),
            "issue_time": float(remote["issue_time"]),
            "frozen": bool(remote["frozen"]),
            "offset": float(remote["offset"]),
            "skew": float(remote["skew"]),
        }

    def now(self) -> float:
        """Return the IDP's time, reading its clock once per request.

        Within one request the offset from real time is reused, so the
        journal's start and end of an entry cost one call to the IDP, and a
        clock moved between two requests is still seen by the second.
        """
        if not has_request_context():
            return float(self.state()["now"] or time.time())

        state = g.get("tn_mock_idp_clock")
        if state is None:
            state = self.state()
            g.tn_mock_idp_clock = state
        if state["frozen"]:
            return float(state["now"] or 0.0)
        return time.time() + float(state["offset"] or 0.0)


class ApiControls(RequestControls):
    """The API service's controls: its failures and journal, the IDP's clock."""

    def __init__(self, faults: FaultQueue, journal: Journal, clock: Clock) -> None:
        super().__init__(faults, journal)
        self._clock = clock

    def reset(self) -> dict[str, Any]:
        self.faults.clear()
        self.request_journal.clear()
        return {"reset": True, "clock": self.clock()}

    def clock(self) -> dict[str, Any]:
        return dict(self._clock.state())


class CachedValidator:
    """Introspect each token once per request, for the token check and journal."""

    def __init__(self, validator: IntrospectionValidator) -> None:
        self.validator = validator

    def introspect(self, token: str) -> Mapping[str, Any]:
        cache: dict[str, Mapping[str, Any]] = g.setdefault("tn_mock_introspection", {})
        if token not in cache:
            cache[token] = self.validator.introspect(token)
        return cache[token]

    def identify(self, token: str) -> tuple[str, str | None, str | None]:
        """Return ``(status, sub, client_id)``; status is active or inactive.

        NOTE: introspection returns only ``active: false`` for an expired,
        revoked or unknown token, so the API's journal cannot tell them
        apart; the IDP's journal can.
        """
        try:
            answer = self.introspect(token)
        except IntrospectionUnavailable:
            return "unknown", None, None
        if not answer.get("active"):
            return "inactive", None, None
        return "active", answer.get("sub"), answer.get("client_id")


def create_api_service(
    idp_url: str,
    *,
    client_id: str = "forms-api",
    client_secret: str = "forms-api-secret",
    catalog: Catalog | None = None,
    settings: ApiSettings | None = None,
    control_api: bool = True,
) -> Flask:
    """Build the stand-alone API app that checks tokens at ``idp_url``."""
    idp_url = idp_url.rstrip("/")
    validator = CachedValidator(
        IntrospectionValidator(
            f"{idp_url}/o/introspect/", client_id=client_id, client_secret=client_secret
        )
    )
    app = create_app(catalog or load_catalog(), validator, settings)

    clock = IdpClock(idp_url)
    faults = FaultQueue()
    journal = Journal(clock)
    install_journal(app, journal, validator.identify)
    install_faults(app, faults)
    app.extensions["tn_mock_controller"] = ApiControls(faults, journal, clock)
    if control_api:
        app.register_blueprint(create_control_blueprint(API_ROUTES))
    return app
