"""Typed configuration of the fake IDP, with the embedded defaults."""

from __future__ import annotations

import dataclasses
import difflib
import types
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Literal
from typing import Union
from typing import get_args
from typing import get_origin
from typing import get_type_hints

ErrorProfile = Literal["reference", "rfc"]
ACCESS_TOKEN_FORMATS = ("opaque", "jwt")

#: Every scope name of the Techniek Nederland platform, old and new, with the
#: text the consent screen shows for it.
SCOPE_CATALOGUE: Mapping[str, str] = {
    "openid": "Sign you in and share your member id (livits_id)",
    "profile": "Your name, companies and user name",
    "FGOPlus": "Use the FGO+ web application",
    "FGOWebs": "Read product data from the FGO+ Webservice",
    "FGOWS": "Read product data from the FGO+ Webservice (older name)",
    "TNForm": "Read forms and generate reports through the Forms Webservice",
    "FGOForm": "Read forms and generate reports (older name of TNForm)",
    "FGO": "Use FGO+ (older name of FGOPlus)",
    "FORMS": "Use the Formulieren app (older name)",
    "FORMSWS": "Use the Forms Webservice (older name)",
}


@dataclass(frozen=True, kw_only=True)
class ClientConfig:
    """A registered OAuth client."""

    client_id: str
    client_secret: str | None = None
    redirect_uris: tuple[str, ...] = ()
    post_logout_redirect_uris: tuple[str, ...] = ()
    allowed_scopes: tuple[str, ...] = tuple(SCOPE_CATALOGUE)
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token")
    cors_origins: tuple[str, ...] = ()
    may_introspect: bool = False
    name: str = ""

    @property
    def is_public(self) -> bool:
        return self.client_secret is None


@dataclass(frozen=True, kw_only=True)
class UserConfig:
    """A test user who can log in, with the claims the IDP releases."""

    username: str
    password: str
    sub: str
    livits_id: str
    name: str
    given_name: str
    family_name: str
    companies: tuple[str, ...] = ()
    form_json_permission: bool = False
    extra_claims: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Lifetimes:
    """Lifetimes in seconds; ``refresh_token`` ``None`` means no expiry."""

    code: int = 60
    access_token: int = 36000
    id_token: int = 36000
    refresh_token: int | None = None


DEFAULT_API_AUDIENCE = (
    "https://formsapi.technieknederland.nl",
    "https://api.fgoplus.nl",
    "https://beheer.formulierenapp.technieknederland.nl",
)

DEFAULT_CLIENTS = (
    ClientConfig(
        client_id="test-client",
        name="Test client",
        redirect_uris=(
            "http://localhost:8000/oauth-callback/",
            "http://127.0.0.1/callback",
        ),
        post_logout_redirect_uris=("http://localhost:8000/",),
        cors_origins=("http://localhost:8000",),
    ),
    ClientConfig(
        client_id="forms-api",
        client_secret="forms-api-secret",
        name="Forms API (resource server)",
        grant_types=("client_credentials",),
        allowed_scopes=(),
        may_introspect=True,
    ),
)

DEFAULT_USERS = (
    UserConfig(
        username="jan",
        password="jan",
        sub="1001",
        livits_id="10012345",
        name="Jan de Vries",
        given_name="Jan",
        family_name="de Vries",
        companies=("Installatiebedrijf De Vries B.V.",),
        form_json_permission=True,
    ),
    UserConfig(
        username="fatima",
        password="fatima",
        sub="1002",
        livits_id="10023456",
        name="Fatima El Amrani",
        given_name="Fatima",
        family_name="El Amrani",
        companies=("Warmtetechniek Noord B.V.", "Zonnestroom Groningen"),
    ),
    UserConfig(
        username="pieter",
        password="pieter",
        sub="1003",
        livits_id="10034567",
        name="Pieter van den Berg",
        given_name="Pieter",
        family_name="van den Berg",
    ),
)


@dataclass(frozen=True, kw_only=True)
class IdpConfig:
    """Settings of one IDP instance; every field has a working default."""

    issuer: str | None = None
    clients: tuple[ClientConfig, ...] = DEFAULT_CLIENTS
    users: tuple[UserConfig, ...] = DEFAULT_USERS
    scopes: Mapping[str, str] = field(default_factory=lambda: dict(SCOPE_CATALOGUE))
    lifetimes: Lifetimes = Lifetimes()
    error_profile: ErrorProfile = "reference"
    pkce_methods: tuple[str, ...] = ("S256", "plain")
    auto_approve: bool = False
    #: Username or sub that auto-approve logs in when the request has no
    #: ``login_hint``; ``None`` picks the first user.
    default_user: str | None = None
    access_token_format: str = "opaque"
    #: ``aud`` of JWT access tokens: the APIs' base URLs. The reference
    #: issues opaque tokens only, so this is the mock's own choice.
    access_token_audience: tuple[str, ...] = DEFAULT_API_AUDIENCE
    refresh_grace_seconds: int = 0
    refresh_rotation: bool = True
    refresh_reuse_detection: bool = False
    jwks_max_age: int = 3600
    control_api: bool = True
    journal_max_entries: int = 1000
    rsa_key_size: int = 2048

    def replace(self, **changes: Any) -> IdpConfig:
        return dataclasses.replace(self, **changes)

    def find_user(self, name_or_sub: str) -> UserConfig | None:
        for user in self.users:
            if name_or_sub in (user.username, user.sub):
                return user
        return None


class ConfigError(ValueError):
    """A configuration file or value that cannot be used."""


#: Keys a TOML file may set besides the IdpConfig fields. ``false`` drops the
#: built-in clients or users, so that only the file's entries remain.
FILE_ONLY_KEYS = ("builtin_clients", "builtin_users")


def load_config(path: str | Path | None = None, **overrides: Any) -> IdpConfig:
    """Build an :class:`IdpConfig` from an optional TOML file and keywords.

    Keywords win over the file; both win over the embedded defaults. The
    file's clients and users are added to the built-in ones (an entry with
    the same client_id or username replaces the built-in entry), while
    ``clients`` and ``users`` keywords replace the built-in lists.
    """
    values: dict[str, Any] = {}
    if path is not None:
        values.update(_load_file(Path(path)))
    values.update(_convert(overrides, "setting"))
    _validate(values)
    return IdpConfig(**values)


def _load_file(path: Path) -> dict[str, Any]:
    section = _read_toml(path)
    builtin = {key: section.pop(key, True) for key in FILE_ONLY_KEYS}
    try:
        for key, value in builtin.items():
            if not isinstance(value, bool):
                raise ConfigError(f"{key} must be true or false, got {_show(value)}")
        values = _convert(section, "key")
        _validate(values)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None

    if "clients" in values and builtin["builtin_clients"]:
        ids = {client.client_id for client in values["clients"]}
        builtins = (c for c in DEFAULT_CLIENTS if c.client_id not in ids)
        values["clients"] = (*values["clients"], *builtins)
    if "users" in values and builtin["builtin_users"]:
        # File users come first, so the first of them is auto-approve's
        # default user; a built-in user whose name or sub is taken is dropped.
        file_names = {
            name for user in values["users"] for name in (user.username, user.sub)
        }
        builtin_users = (
            user
            for user in DEFAULT_USERS
            if user.username not in file_names and user.sub not in file_names
        )
        values["users"] = (*values["users"], *builtin_users)
    return values


def _read_toml(path: Path) -> dict[str, Any]:
    # Imported only when a configuration file is given.
    import tomllib

    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except OSError as error:
        raise ConfigError(
            f"cannot read configuration file {path}: {error.strerror}; "
            "check the path given to --config or TN_MOCK_CONFIG"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error

    # A file may keep its settings at the top level or under [idp].
    section = data.get("idp", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [idp] must be a table")
    return dict(section)


def _convert(values: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Turn plain TOML/keyword values into checked IdpConfig field values.

    ``kind`` names what the caller wrote ("key" in a file, "setting" for a
    keyword argument) in the message about unknown names.
    """
    known = {f.name for f in dataclasses.fields(IdpConfig)}
    if kind == "key":
        known |= set(FILE_ONLY_KEYS)
    unknown = sorted(set(values) - known)
    if unknown:
        guesses = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f" (did you mean {guesses[0]!r}?)" if guesses else ""
        raise ConfigError(
            f"unknown {kind}(s) {unknown}{hint}; known {kind}s: {sorted(known)}"
        )

    converted = dict(values)
    if "clients" in converted:
        converted["clients"] = _build_each(
            ClientConfig, converted["clients"], "clients"
        )
    if "users" in converted:
        converted["users"] = _build_each(UserConfig, converted["users"], "users")
    if isinstance(converted.get("lifetimes"), Mapping):
        converted["lifetimes"] = _build(Lifetimes, converted["lifetimes"], "lifetimes")
    _check_types(IdpConfig, converted, "")
    return converted


def _build_each(cls: type[Any], items: Any, where: str) -> Any:
    if not isinstance(items, list | tuple):
        raise ConfigError(f"{where} must be a list of tables, got {_show(items)}")
    return tuple(_build(cls, item, where) for item in items)


def _build(cls: type[Any], item: Any, where: str) -> Any:
    if isinstance(item, cls):
        return item
    if not isinstance(item, Mapping):
        raise ConfigError(f"each entry of {where} must be a table, got {item!r}")

    fields = dataclasses.fields(cls)
    known = {f.name for f in fields}
    unknown = sorted(set(item) - known)
    if unknown:
        raise ConfigError(
            f"unknown key(s) {unknown} in {where}; known keys: {sorted(known)}"
        )
    required = {
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    missing = sorted(required - set(item))
    if missing:
        raise ConfigError(f"{where} entry {dict(item)!r} is missing key(s) {missing}")

    values = dict(item)
    _check_types(cls, values, f"{where}.")
    return cls(**values)


def _check_types(cls: type[Any], values: dict[str, Any], prefix: str) -> None:
    """Check ``values`` against the field types of ``cls``, turning lists into
    tuples; raise :class:`ConfigError` naming the first value of a wrong type."""
    hints = get_type_hints(cls)
    for name, value in values.items():
        hint = hints[name]
        if isinstance(value, list) and get_origin(hint) is tuple:
            value = values[name] = tuple(value)
        if not _matches(value, hint):
            raise ConfigError(
                f"{prefix}{name} must be {_describe(hint)}, got {_show(value)}"
            )


def _matches(value: Any, hint: Any) -> bool:
    origin = get_origin(hint)
    args = get_args(hint)
    if hint is Any:
        return True
    if origin in (Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is Literal:
        return value in args
    if hint is type(None):
        return value is None
    # bool is a subclass of int, but `code = true` is no lifetime.
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is tuple:
        return isinstance(value, tuple) and all(_matches(v, args[0]) for v in value)
    if origin is Mapping:
        return isinstance(value, Mapping) and all(
            _matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items()
        )
    return isinstance(value, hint)


def _describe(hint: Any) -> str:
    origin = get_origin(hint)
    args = get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in args)
    if origin is Literal:
        return "one of " + ", ".join(repr(arg) for arg in args)
    if origin is tuple:
        return f"a list of {_describe(args[0]).removeprefix('a ')}s"
    if origin is Mapping:
        return f"a table of {_describe(args[1]).removeprefix('a ')}s"
    names = {
        bool: "true or false",
        int: "an integer",
        str: "a string",
        type(None): "absent",
        Lifetimes: "a table",
    }
    return names.get(hint, f"a {getattr(hint, '__name__', hint)}")


def _show(value: Any) -> str:
    """Show a value with its TOML type, e.g. ``'no' (a string)``."""
    kinds = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    kind = kinds.get(type(value), "a list" if isinstance(value, list | tuple) else "")
    if isinstance(value, Mapping):
        kind = "a table"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    return f"{value!r} ({kind})" if kind else repr(value)


def _validate(values: dict[str, Any]) -> None:
    profile = values.get("error_profile", "reference")
    if profile not in ("reference", "rfc"):
        raise ConfigError(
            f"error_profile must be 'reference' or 'rfc', got {profile!r}"
        )
    methods = values.get("pkce_methods", ("S256",))
    if not methods or not set(methods) <= {"S256", "plain"}:
        raise ConfigError(
            f"pkce_methods must be a non-empty subset of S256, plain; got {methods!r}"
        )
    default_user = values.get("default_user")
    users = values.get("users", DEFAULT_USERS)
    if default_user is not None and not any(
        default_user in (user.username, user.sub) for user in users
    ):
        known = ", ".join(user.username for user in users)
        raise ConfigError(
            f"default_user {default_user!r} names no configured user; users: {known}"
        )
    token_format = values.get("access_token_format", "opaque")
    if token_format not in ACCESS_TOKEN_FORMATS:
        raise ConfigError(
            f"access_token_format must be one of {ACCESS_TOKEN_FORMATS}, "
            f"got {token_format!r}"
        )
