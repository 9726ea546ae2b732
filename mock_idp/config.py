"""Typed configuration of the fake IDP, with the embedded defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Literal

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


def load_config(path: str | Path | None = None, **overrides: Any) -> IdpConfig:
    """Build an :class:`IdpConfig` from an optional TOML file and keywords.

    Keywords win over the file; both win over the embedded defaults.
    """
    values: dict[str, Any] = {}
    if path is not None:
        values.update(_read_toml(Path(path)))
    values.update(overrides)

    try:
        return IdpConfig(**_convert(values))
    except TypeError as error:
        raise ConfigError(f"invalid IDP configuration: {error}") from error


def _read_toml(path: Path) -> dict[str, Any]:
    # Imported only when a configuration file is given.
    import tomllib

    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except OSError as error:
        raise ConfigError(f"cannot read configuration file {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from error

    # A file may keep its settings at the top level or under [idp].
    section = data.get("idp", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [idp] must be a table")
    return dict(section)


def _convert(values: dict[str, Any]) -> dict[str, Any]:
    """Turn plain TOML/keyword values into the nested dataclasses."""
    converted = dict(values)
    if "clients" in converted:
        converted["clients"] = tuple(
            _build(ClientConfig, item, "clients") for item in converted["clients"]
        )
    if "users" in converted:
        converted["users"] = tuple(
            _build(UserConfig, item, "users") for item in converted["users"]
        )
    if "lifetimes" in converted and isinstance(converted["lifetimes"], Mapping):
        converted["lifetimes"] = _build(Lifetimes, converted["lifetimes"], "lifetimes")
    for name in ("pkce_methods", "access_token_audience"):
        if name in converted:
            converted[name] = tuple(converted[name])
    _validate(converted)
    return converted


def _build(cls: type[Any], item: Any, where: str) -> Any:
    if isinstance(item, cls):
        return item
    if not isinstance(item, Mapping):
        raise ConfigError(f"each entry of {where} must be a table, got {item!r}")

    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(item) - known)
    if unknown:
        raise ConfigError(
            f"unknown key(s) {unknown} in {where}; known keys: {sorted(known)}"
        )
    fields = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in item.items()
    }
    return cls(**fields)


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
