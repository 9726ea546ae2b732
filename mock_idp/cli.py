"""The ``tn-mock`` command: serve the fake IDP and APIs for local development.

Environment variables (``TN_MOCK_*``) are read here and nowhere else.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import threading
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

log = logging.getLogger("tn_mock")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORTS = {"all": 8080, "idp": 8080, "api": 8081}

#: Query parameters whose values never reach the request log.
SECRET_PARAMETERS = re.compile(
    r"((?:^|[?&])(?:code|code_verifier|access_token|refresh_token|id_token|"
    r"id_token_hint|client_secret|password|token)=)[^&]*"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tn-mock",
        description=(
            "Offline fake of the Techniek Nederland identity provider and APIs."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the fake IDP and APIs (default: both on one port)"
    )
    serve.add_argument(
        "part",
        nargs="?",
        choices=("all", "idp", "api"),
        default="all",
        help="what to serve: all (IDP and APIs, default), idp, or api",
    )
    serve.add_argument("--host", help=f"address to bind (default {DEFAULT_HOST})")
    serve.add_argument(
        "--port", type=int, help="TCP port (default 8080; 8081 for 'api')"
    )
    serve.add_argument("--config", help="TOML file with IDP settings")
    serve.add_argument(
        "--issuer", help="issuer URL (default: derived from the request)"
    )
    serve.add_argument(
        "--auto-approve",
        action="store_true",
        default=None,
        help="skip the login page: log in the login_hint user or the first user",
    )
    serve.add_argument(
        "--error-profile",
        choices=("reference", "rfc"),
        help="answer like the real IDP (reference, default) or like the RFCs",
    )
    serve.add_argument(
        "--idp-url",
        help="base URL of the IDP, for 'serve api' (e.g. http://127.0.0.1:8080)",
    )
    return parser


def options_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """Read the ``TN_MOCK_*`` variables that mirror command-line options."""
    options: dict[str, Any] = {}
    for name in ("host", "config", "issuer", "error_profile", "idp_url"):
        value = env.get(f"TN_MOCK_{name.upper()}")
        if value:
            options[name] = value
    if env.get("TN_MOCK_PORT"):
        options["port"] = int(env["TN_MOCK_PORT"])
    if env.get("TN_MOCK_AUTO_APPROVE", "").lower() in ("1", "true", "yes"):
        options["auto_approve"] = True
    for name in ("api_client_id", "api_client_secret"):
        value = env.get(f"TN_MOCK_{name.upper()}")
        if value:
            options[name] = value
    return options


def resolve_options(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, Any]:
    """Merge defaults, environment and command line, in rising priority."""
    options: dict[str, Any] = {"host": DEFAULT_HOST, "port": DEFAULT_PORTS[args.part]}
    options.update(options_from_env(env))
    for name, value in vars(args).items():
        if value is not None and name != "command":
            options[name] = value
    return options


def create_wsgi_app(options: Mapping[str, Any]) -> Any:
    """Build the app for ``options['part']``: all, idp or api."""
    part = options.get("part", "all")
    if part == "api":
        return _create_api_app(options)

    from .app import create_app
    from .config import load_config

    overrides: dict[str, Any] = {}
    for name in ("issuer", "auto_approve", "error_profile"):
        if options.get(name) is not None:
            overrides[name] = options[name]
    config = load_config(options.get("config"), **overrides)
    if part == "idp":
        return create_app(config)

    from mock_api.mount import create_combined_app

    return create_combined_app(config)


def _create_api_app(options: Mapping[str, Any]) -> Any:
    # The APIs run apart from the IDP: tokens are checked by RFC 7662
    # introspection with the API's own client credentials.
    from mock_api.service import create_api_service

    return create_api_service(
        str(options["idp_url"]),
        client_id=options.get("api_client_id", "forms-api"),
        client_secret=options.get("api_client_secret", "forms-api-secret"),
    )


class RedactingRequestHandler(WSGIRequestHandler):
    """One log line per request, with secret query values removed."""

    # The handler writes status, headers and body separately; without
    # TCP_NODELAY the client's delayed ACK adds about 40 ms to a response.
    disable_nagle_algorithm = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        line = SECRET_PARAMETERS.sub(r"\1[redacted]", self.path)
        log.info('%s "%s %s" %s', self.address_string(), self.command, line, code)


def print_banner(options: Mapping[str, Any], app: Any) -> None:
    base = f"http://{options['host']}:{options['port']}"
    lines = [
        "tn-mock: TEST identity provider and APIs. Not the real Techniek Nederland "
        "service; never use it for real logins."
    ]
    if options.get("part", "all") != "api":
        lines += _idp_banner(base, app)
    if options.get("part", "all") != "idp":
        lines += [
            f"  APIs:       {base}/api/v1/ (Forms, FGO+ and Reports; "
            "Authorization: Bearer <access_token>)",
            f"  OpenAPI:    {base}/swagger/v1/swagger.json",
        ]
    if options.get("part") == "api":
        lines.append(f"  tokens checked by introspection at {options['idp_url']}")
    print("\n".join(lines), flush=True)


def _idp_banner(base: str, app: Any) -> list[str]:
    from .app import get_state

    state = get_state(app)
    issuer = state.config.issuer or f"{base}/o"
    mode = "auto-approve" if state.config.auto_approve else "interactive login"
    lines = [
        f"  issuer:     {issuer}",
        f"  discovery:  {issuer}/.well-known/openid-configuration/",
        f"  mode:       {mode}",
    ]
    for client in state.store.clients():
        kind = "public" if client.config.is_public else "confidential"
        lines.append(f"  client:     {client.client_id} ({kind})")
        for uri in client.config.redirect_uris:
            lines.append(f"              redirect_uri {uri}")
    lines.append("  test users (password = user name):")
    for user in state.store.users():
        config = user.config
        lines.append(
            f"              {config.username:<8} sub {user.sub}  {config.name}"
        )
    return lines


def generate_signing_key_in_background(app: Any) -> None:
    """Start generating the first signing key while the server waits for clients.

    RSA-2048 generation took 60-350 ms on a loaded 2-core machine. Started
    here, the key is ready for the first ID token or JWKS request unless a
    client sends one sooner, and then KeyRing's lock makes that request wait
    for this key rather than generate a second one.
    """
    from .app import get_state

    keys = get_state(app).keys
    threading.Thread(
        target=lambda: keys.active, name="tn-mock-key-generation", daemon=True
    ).start()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    options = resolve_options(args, os.environ)
    if options["part"] == "api" and not options.get("idp_url"):
        parser.error(
            "serve api needs --idp-url (or TN_MOCK_IDP_URL), the IDP's base URL, "
            "e.g. http://127.0.0.1:8080"
        )
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    app = create_wsgi_app(options)
    server = make_server(
        options["host"],
        options["port"],
        app,
        threaded=True,
        request_handler=RedactingRequestHandler,
    )
    options = {**options, "port": server.server_port}
    print_banner(options, app)
    # The stand-alone API service has no IDP state and signs nothing.
    if options["part"] != "api":
        generate_signing_key_in_background(app)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
