"""The routes of the ``/_mock/`` control API and its OpenAPI document.

One table drives the Flask views, the remote client and the OpenAPI
document, so the three cannot drift apart. Free of Flask, so that the
remote client can import it without the server.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .config import ClientConfig
from .config import UserConfig

PREFIX = "/_mock"

Schema = dict[str, Any]

STRING: Schema = {"type": "string", "minLength": 1}
NUMBER: Schema = {"type": "number"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}


@dataclass(frozen=True)
class Route:
    """One control operation: HTTP method and rule, and its Controller method.

    ``fields`` are JSON body fields (query parameters for GET and DELETE);
    path parameters come from ``<name>`` parts of the rule.
    """

    method: str
    rule: str
    action: str
    summary: str
    fields: Mapping[str, Schema] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(\w+)>", self.rule)

    @property
    def openapi_path(self) -> str:
        return PREFIX + re.sub(r"<(\w+)>", r"{\1}", self.rule)

    @property
    def uses_query(self) -> bool:
        return self.method in ("GET", "DELETE")


def dataclass_fields(cls: type[Any], *, skip: tuple[str, ...] = ()) -> Schema:
    """Derive JSON schemas of a config dataclass's changeable fields."""
    schemas: Schema = {}
    for item in dataclasses.fields(cls):
        kind = str(item.type)
        if item.name in skip:
            continue
        if kind == "str":
            schemas[item.name] = {"type": "string"}
        elif kind == "str | None":
            schemas[item.name] = {"type": "string", "nullable": True}
        elif kind == "bool":
            schemas[item.name] = BOOLEAN
        elif kind.startswith("tuple[str"):
            schemas[item.name] = {"type": "array", "items": {"type": "string"}}
        elif kind.startswith("Mapping"):
            schemas[item.name] = {"type": "object"}
    return schemas


USER_FIELDS = dataclass_fields(UserConfig, skip=("username",))
CLIENT_FIELDS = dataclass_fields(ClientConfig, skip=("client_id",))

LIFETIME_FIELDS: Schema = {
    "client_id": STRING,
    "code": INTEGER,
    "access_token": INTEGER,
    "id_token": INTEGER,
    "refresh_token": {"type": "integer", "nullable": True},
}

SETTING_FIELDS: Schema = {
    "access_token_format": {"type": "string", "enum": ["opaque", "jwt"]},
    "refresh_rotation": BOOLEAN,
    "refresh_reuse_detection": BOOLEAN,
    "refresh_grace_seconds": INTEGER,
    "error_profile": {"type": "string", "enum": ["reference", "rfc"]},
    "auto_approve": BOOLEAN,
    "default_user": {"type": "string", "minLength": 1, "nullable": True},
    "jwks_max_age": INTEGER,
}

FAILURE_FIELDS: Schema = {
    "endpoint": STRING,
    "grant_type": {"type": "string", "nullable": True},
    "call": INTEGER,
    "times": INTEGER,
    "error": {"type": "string", "nullable": True},
    "error_description": {"type": "string", "nullable": True},
    "status": {"type": "integer", "nullable": True},
    "body": {"type": "string", "nullable": True},
    "retry_after": {"type": "integer", "nullable": True},
    "latency": NUMBER,
    "drop": BOOLEAN,
}

JOURNAL_FILTERS: Schema = {
    name: {"type": "string"}
    for name in (
        "method",
        "path",
        "endpoint",
        "grant_type",
        "token",
        "token_status",
        "sub",
        "client_id",
        "status",
        "error",
        "dropped",
        "sent",
    )
}

ROUTES = (
    Route("POST", "/reset", "reset", "Return to the configured start state"),
    Route("GET", "/clock", "clock", "Read the clock"),
    Route("POST", "/clock/freeze", "freeze", "Freeze the clock", {"at": NUMBER}),
    Route(
        "POST",
        "/clock/advance",
        "advance",
        "Move the clock forward",
        {"seconds": NUMBER},
        ("seconds",),
    ),
    Route(
        "POST",
        "/clock/set",
        "set_time",
        "Set the clock to an instant (Unix seconds)",
        {"instant": NUMBER},
        ("instant",),
    ),
    Route("POST", "/clock/release", "release", "Return to real time"),
    Route(
        "POST",
        "/clock/skew",
        "skew",
        "Stamp iat and exp this many seconds off",
        {"seconds": NUMBER},
        ("seconds",),
    ),
    Route("GET", "/lifetimes", "lifetimes", "Read the lifetimes"),
    Route(
        "POST",
        "/lifetimes",
        "set_lifetimes",
        "Change lifetimes, for the process or one client",
        LIFETIME_FIELDS,
    ),
    Route("GET", "/settings", "settings", "Read the run-time settings"),
    Route(
        "PATCH", "/settings", "configure", "Change run-time settings", SETTING_FIELDS
    ),
    Route(
        "POST",
        "/tokens/mint",
        "mint_token",
        "Issue a token pair without a flow",
        {"user": STRING, "scope": STRING, "client_id": STRING, "lifetime": INTEGER},
        ("user", "scope"),
    ),
    Route(
        "POST",
        "/tokens/expire",
        "expire_token",
        "Make a token expire now",
        {"token": STRING},
        ("token",),
    ),
    Route(
        "POST",
        "/tokens/revoke",
        "revoke_token",
        "Revoke a token pair",
        {"token": STRING},
        ("token",),
    ),
    Route(
        "POST",
        "/tokens/expire-user",
        "expire_user",
        "Make every access token of a user expire now",
        {"sub": STRING},
        ("sub",),
    ),
    Route(
        "POST",
        "/tokens/expire-client",
        "expire_client",
        "Make every access token of a client expire now",
        {"client_id": STRING},
        ("client_id",),
    ),
    Route(
        "POST",
        "/tokens/revoke-user",
        "revoke_user",
        "Revoke every token of a user",
        {"sub": STRING},
        ("sub",),
    ),
    Route(
        "POST",
        "/tokens/revoke-client",
        "revoke_client",
        "Revoke every token of a client",
        {"client_id": STRING},
        ("client_id",),
    ),
    Route("GET", "/keys", "keys", "List the signing keys"),
    Route("POST", "/keys", "add_key", "Publish a new key without signing with it"),
    Route("POST", "/keys/rotate", "rotate_key", "Publish a new key and sign with it"),
    Route("POST", "/keys/<kid>/activate", "activate_key", "Sign with a published key"),
    Route("DELETE", "/keys/<kid>", "retire_key", "Remove a key from the JWKS"),
    Route("GET", "/failures", "failures", "List queued failures"),
    Route(
        "POST",
        "/failures",
        "queue_failure",
        "Queue a failure for matching requests",
        FAILURE_FIELDS,
        ("endpoint",),
    ),
    Route("DELETE", "/failures", "clear_failures", "Drop every queued failure"),
    Route("GET", "/journal", "journal", "List recorded requests", JOURNAL_FILTERS),
    Route("DELETE", "/journal", "clear_journal", "Forget recorded requests"),
    Route(
        "POST",
        "/users",
        "add_user",
        "Add a test user",
        {"username": STRING, **USER_FIELDS},
        ("username",),
    ),
    Route("PATCH", "/users/<username>", "update_user", "Change a user", USER_FIELDS),
    Route(
        "POST",
        "/clients",
        "add_client",
        "Register a client",
        {"client_id": STRING, **CLIENT_FIELDS},
        ("client_id",),
    ),
    Route(
        "PATCH",
        "/clients/<client_id>",
        "update_client",
        "Change a client",
        CLIENT_FIELDS,
    ),
    Route(
        "POST",
        "/consents/forget",
        "forget_consent",
        "Forget a user's consents",
        {"sub": STRING, "client_id": STRING},
        ("sub",),
    ),
)

ROUTES_BY_ACTION = {route.action: route for route in ROUTES}


#: The operations of an API served apart from the IDP: its own failures and
#: journal, a reset of both, and the IDP's clock to read.
API_ACTIONS = frozenset(
    {
        "reset",
        "clock",
        "failures",
        "queue_failure",
        "clear_failures",
        "journal",
        "clear_journal",
    }
)
API_ROUTES = tuple(route for route in ROUTES if route.action in API_ACTIONS)


def create_openapi_document(routes: tuple[Route, ...] = ROUTES) -> dict[str, Any]:
    """Build the OpenAPI 3.0 document of the control API from ``routes``."""
    paths: dict[str, Any] = {}
    for route in routes:
        operation = paths.setdefault(route.openapi_path, {})
        operation[route.method.lower()] = _operation(route)

    paths[PREFIX + "/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {"200": {"description": "The OpenAPI document"}},
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "tn-mock control API",
            "version": "1",
            "description": "Drives the mock IDP from tests: clock, lifetimes, "
            "tokens, keys, failures, journal, users and clients.",
        },
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR_SCHEMA}},
    }


_ERROR_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "field": {"type": "string", "nullable": True},
        "error_description": {"type": "string"},
    },
}


def _operation(route: Route) -> dict[str, Any]:
    error = {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
        }
    }
    operation: dict[str, Any] = {
        "operationId": route.action,
        "summary": route.summary,
        "responses": {
            "200": {"description": "Done; the new state"},
            "400": {"description": "Invalid input", **error},
            "404": {"description": "Unknown item", **error},
        },
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.path_params
    ]
    if route.uses_query:
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": schema}
            for name, schema in route.fields.items()
        ]
    elif route.fields:
        body: Schema = {
            "type": "object",
            "properties": dict(route.fields),
            "additionalProperties": False,
        }
        if route.required:
            body["required"] = list(route.required)
        operation["requestBody"] = {
            "required": bool(route.required),
            "content": {"application/json": {"schema": body}},
        }
    if parameters:
        operation["parameters"] = parameters
    return operation
