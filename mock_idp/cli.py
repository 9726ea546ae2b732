"""The ``tn-mock`` command: serve the fake IDP and APIs for local development.

Environment variables (``TN_MOCK_*``) are read here and nowhere else.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import textwrap
import threading
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

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


#: The environment variables each part reads; an option on the command line
#: wins over its variable.
IDP_ENVIRONMENT = """\
  TN_MOCK_HOST            address to bind (--host)
  TN_MOCK_PORT            TCP port, 0 to 65535 (--port)
  TN_MOCK_CONFIG          TOML file with IDP settings (--config)
  TN_MOCK_ISSUER          issuer URL (--issuer)
  TN_MOCK_AUTO_APPROVE    1, true or yes: skip the login page (--auto-approve)
  TN_MOCK_ERROR_PROFILE   reference or rfc (--error-profile)"""
API_ENVIRONMENT = """\
  TN_MOCK_HOST              address to bind (--host)
  TN_MOCK_PORT              TCP port, 0 to 65535 (--port)
  TN_MOCK_IDP_URL           base URL of the IDP (--idp-url)
  TN_MOCK_API_CLIENT_ID     client_id for introspection (default forms-api)
  TN_MOCK_API_CLIENT_SECRET its client_secret (default forms-api-secret)"""

PART_DESCRIPTIONS = {
    "all": "Serve the fake IDP and the APIs on one port (default 8080).",
    "idp": "Serve the fake IDP alone (default port 8080).",
    "api": (
        "Serve the fake APIs alone (default port 8081). They check tokens by "
        "RFC 7662 introspection at the IDP given by --idp-url."
    ),
}


def port_number(text: str) -> int:
    """Parse a TCP port for argparse: 0 to 65535, where 0 picks a free port."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"invalid port {text!r}: use a number from 0 to 65535 (0 picks a free port)"
        )
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tn-mock",
        description=(
            "Offline fake of the Techniek Nederland identity provider and APIs."
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the fake IDP and APIs (default: both on one port)",
        description=textwrap.fill(
            PART_DESCRIPTIONS["all"]
            + " 'serve idp' and 'serve api' run them apart; see their --help.",
            78,
        ),
        epilog=_environment_epilog("all"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_options(serve, "all", argparse.SUPPRESS)
    parts = serve.add_subparsers(
        dest="part",
        metavar="{idp,api}",
        help="serve the IDP alone, or the APIs alone (see 'serve idp --help' "
        "and 'serve api --help'); without it, both on one port",
    )
    for part in ("all", "idp", "api"):
        part_parser = parts.add_parser(
            part,
            description=textwrap.fill(PART_DESCRIPTIONS[part], 78),
            epilog=_environment_epilog(part),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        # SUPPRESS keeps an option given before the part (`serve --port 0
        # idp`) from being reset to None by the part's own default.
        _add_options(part_parser, part, argparse.SUPPRESS)
    return parser


def _add_options(parser: argparse.ArgumentParser, part: str, default: Any) -> None:
    port = DEFAULT_PORTS[part]
    parser.add_argument(
        "--host", default=default, help=f"address to bind (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=default,
        help=f"TCP port, 0 to 65535; 0 picks a free port (default {port})",
    )
    if part == "api":
        parser.add_argument(
            "--idp-url",
            default=default,
            help="base URL of the IDP, required (e.g. http://127.0.0.1:8080)",
        )
        return

    parser.add_argument("--config", default=default, help="TOML file with IDP settings")
    parser.add_argument(
        "--issuer",
        default=default,
        help="issuer URL (default: derived from the request, e.g. "
        "http://127.0.0.1:8080/o)",
    )
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        default=default,
        help="skip the login page: log in the login_hint user or the first user",
    )
    parser.add_argument(
        "--error-profile",
        choices=("reference", "rfc"),
        default=default,
        help="respond like the real IDP (reference, default) or like the RFCs",
    )


def _environment_epilog(part: str) -> str:
    variables = API_ENVIRONMENT if part == "api" else IDP_ENVIRONMENT
    return (
        "environment variables (the command line wins):\n"
        + variables
        + "\n\nThe IDP options (--config, --issuer, --auto-approve, --error-profile)"
        "\napply to 'serve' and 'serve idp'; --idp-url applies to 'serve api' only."
    )


class UsageError(Exception):
    """A setting from the command line or environment that cannot be used."""


def options_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """Read the ``TN_MOCK_*`` variables that mirror command-line options."""
    options: dict[str, Any] = {}
    for name in ("host", "config", "issuer", "idp_url"):
        value = env.get(f"TN_MOCK_{name.upper()}")
        if value:
            options[name] = value
    if env.get("TN_MOCK_PORT"):
        try:
            options["port"] = port_number(env["TN_MOCK_PORT"])
        except argparse.ArgumentTypeError as error:
            raise UsageError(f"TN_MOCK_PORT: {error}") from None
    profile = env.get("TN_MOCK_ERROR_PROFILE")
    if profile:
        if profile not in ("reference", "rfc"):
            raise UsageError(
                f"TN_MOCK_ERROR_PROFILE: invalid error profile {profile!r}; "
                "set it to reference or rfc"
            )
        options["error_profile"] = profile
    approve = env.get("TN_MOCK_AUTO_APPROVE", "").lower()
    if approve in ("1", "true", "yes"):
        options["auto_approve"] = True
    elif approve not in ("", "0", "false", "no"):
        raise UsageError(
            f"TN_MOCK_AUTO_APPROVE: invalid value {env['TN_MOCK_AUTO_APPROVE']!r}; "
            "set it to 1, true or yes (or 0, false, no or empty for the login page)"
        )
    for name in ("api_client_id", "api_client_secret"):
        value = env.get(f"TN_MOCK_{name.upper()}")
        if value:
            options[name] = value
    return options


def resolve_options(args: argparse.Namespace, env: Mapping[str, str]) -> dict[str, Any]:
    """Merge defaults, environment and command line, in rising priority."""
    part = args.part or "all"
    options: dict[str, Any] = {"host": DEFAULT_HOST, "port": DEFAULT_PORTS[part]}
    options.update(options_from_env(env))
    for name, value in vars(args).items():
        if value is not None and name != "command":
            options[name] = value
    options["part"] = part
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


BANNER_TITLES = {
    "all": "TEST identity provider and APIs",
    "idp": "TEST identity provider",
    "api": "TEST APIs",
}


def print_banner(options: Mapping[str, Any], app: Any) -> None:
    base = f"http://{options['host']}:{options['port']}"
    part = options.get("part", "all")
    lines = [
        f"tn-mock: {BANNER_TITLES[part]}. Not the real Techniek Nederland "
        "service; never use it for real logins."
    ]
    if part != "api":
        lines += _idp_banner(base, app, options["port"])
    if part != "idp":
        lines += [
            f"  APIs:       {base}/api/v1/ (Forms, FGO+ and Reports; "
            "Authorization: Bearer <access_token>)",
            f"  OpenAPI:    {base}/swagger/v1/swagger.json",
        ]
    if part == "api":
        lines.append(f"  tokens checked by introspection at {options['idp_url']}")
    print("\n".join(lines), flush=True)


def _idp_banner(base: str, app: Any, port: int) -> list[str]:
    from .app import get_state

    state = get_state(app)
    issuer = state.config.issuer or f"{base}/o"
    mode = "auto-approve" if state.config.auto_approve else "interactive login"
    lines = [
        f"  issuer:     {issuer}",
        f"  discovery:  {issuer}/.well-known/openid-configuration/",
        f"  mode:       {mode}",
    ]
    issuer_port = _issuer_port(issuer)
    if issuer_port is not None and issuer_port != port:
        lines.append(
            f"  WARNING:    the configured issuer's port is {issuer_port}, but the "
            f"server listens on {port}; clients that fetch the issuer's URLs "
            "will miss this server (set --issuer, or --port "
            f"{issuer_port})"
        )
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


def _issuer_port(url: str) -> int | None:
    """Return the port the issuer URL names, or None if it is no local URL.

    A remote issuer without a port (https://inlog.example/o) is taken to sit
    behind a proxy, so only loopback hosts get their scheme's default port.
    """
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if port is None and parts.hostname in ("localhost", "127.0.0.1", "::1"):
        port = {"http": 80, "https": 443}.get(parts.scheme)
    return port


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
    try:
        options = resolve_options(args, os.environ)
    except UsageError as error:
        return fail(str(error))
    if options["part"] == "api" and not options.get("idp_url"):
        find_parser(parser, "serve", "api").error(
            "serve api needs --idp-url (or TN_MOCK_IDP_URL), the IDP's base URL, "
            "e.g. http://127.0.0.1:8080"
        )
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from .config import ConfigError

    try:
        app = create_wsgi_app(options)
    except ConfigError as error:
        return fail(str(error))
    try:
        server = make_server(
            options["host"],
            options["port"],
            app,
            threaded=True,
            request_handler=RedactingRequestHandler,
        )
    except OSError as error:
        return fail(
            f"cannot listen on {options['host']}:{options['port']}: "
            f"{error.strerror or error}; stop the other server or choose another "
            "--port (0 picks a free one)",
            status=1,
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


def fail(message: str, status: int = 2) -> int:
    """Print a one-line error for a setting that cannot be used."""
    print(f"tn-mock: error: {message}", file=sys.stderr)
    return status


def find_parser(
    parser: argparse.ArgumentParser, *names: str
) -> argparse.ArgumentParser:
    """Return the subcommand parser that ``names`` lead to, e.g. serve, api."""
    for name in names:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parser = action.choices[name]
                break
    return parser


if __name__ == "__main__":
    sys.exit(main())
