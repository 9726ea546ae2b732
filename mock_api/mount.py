"""Serve the APIs inside the IDP's app, validating tokens from its store."""

from __future__ import annotations

from flask import Flask

from mock_api.app import create_api_blueprint
from mock_api.catalog import Catalog
from mock_api.catalog import load_catalog
from mock_api.settings import ApiSettings
from mock_idp.app import create_app
from mock_idp.app import get_state
from mock_idp.config import IdpConfig


def mount_api(
    app: Flask,
    *,
    catalog: Catalog | None = None,
    settings: ApiSettings | None = None,
) -> Flask:
    """Register the API routes on an IDP app; tokens are read in process.

    The IDP's state performs introspection directly, so the APIs judge every
    token by the same store and clock as the IDP, with no HTTP round trip.
    """
    blueprint = create_api_blueprint(
        catalog or load_catalog(), get_state(app), settings or ApiSettings()
    )
    app.register_blueprint(blueprint)
    app.extensions["tn_mock_api_mounted"] = True
    return app


def create_combined_app(config: IdpConfig | None = None, **overrides: object) -> Flask:
    """Build one app serving the IDP under ``/o/`` and every API route."""
    return mount_api(create_app(config, **overrides))
