"""Loading the IDP settings from a TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_idp.config import ConfigError
from mock_idp.config import load_config

FULL_FILE = """
[idp]
issuer = "https://inlog.example/o"
error_profile = "rfc"
pkce_methods = ["S256"]
scopes = { openid = "Sign in", TNForm = "Forms" }

[idp.lifetimes]
code = 30
access_token = 600
refresh_token = 86400

[[idp.clients]]
client_id = "my-app"
redirect_uris = ["http://localhost:3000/cb"]
allowed_scopes = ["openid", "TNForm"]

[[idp.users]]
username = "kees"
password = "geheim"
sub = "42"
livits_id = "4242"
name = "Kees Jansen"
given_name = "Kees"
family_name = "Jansen"
companies = ["Kees B.V."]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tn-mock.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_config_reads_every_section(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL_FILE))

    assert config.issuer == "https://inlog.example/o"
    assert config.error_profile == "rfc"
    assert config.pkce_methods == ("S256",)
    assert dict(config.scopes) == {"openid": "Sign in", "TNForm": "Forms"}
    assert config.lifetimes.code == 30
    assert config.lifetimes.access_token == 600
    assert config.lifetimes.refresh_token == 86400
    assert config.clients[0].redirect_uris == ("http://localhost:3000/cb",)
    assert config.clients[0].allowed_scopes == ("openid", "TNForm")
    assert config.users[0].companies == ("Kees B.V.",)


def test_load_config_top_level_keys(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'issuer = "https://x.example/o"\n'))

    assert config.issuer == "https://x.example/o"


def test_load_config_keywords_win(tmp_path: Path) -> None:
    path = write(tmp_path, '[idp]\nerror_profile = "rfc"\n')

    assert load_config(path, error_profile="reference").error_profile == "reference"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[idp\n", "is not valid TOML"),
        ("idp = 3\n", "[idp] must be a table"),
        ('[idp]\nerror_profile = "strict"\n', "error_profile must be"),
        ('[idp]\npkce_methods = ["S512"]\n', "pkce_methods must be"),
        ("[idp]\npkce_methods = []\n", "pkce_methods must be"),
        ('[idp]\naccess_token_format = "xml"\n', "access_token_format must be"),
        ("[idp]\nclients = [1]\n", "each entry of clients must be a table"),
        (
            '[[idp.clients]]\nclient_id = "a"\nsecret = "b"\n',
            "unknown key(s) ['secret']",
        ),
        ("[idp.lifetimes]\ncodes = 5\n", "unknown key(s) ['codes'] in lifetimes"),
        ("[idp]\ncolour = 1\n", "unknown key(s) ['colour']; known keys: ["),
        ("autoapprove = true\n", "(did you mean 'auto_approve'?)"),
        ('[[idp.users]]\nusername = "x"\n', "is missing key(s) ['family_name',"),
        ('auto_approve = "no"\n', "auto_approve must be true or false, got 'no'"),
        ("jwks_max_age = true\n", "jwks_max_age must be an integer, got true"),
        ("issuer = 5\n", "issuer must be a string or absent, got 5"),
        ('pkce_methods = "S256"\n', "pkce_methods must be a list of strings"),
        ("scopes = { openid = 1 }\n", "scopes must be a table of strings"),
        ("lifetimes = 4\n", "lifetimes must be a table, got 4"),
        ("[idp.lifetimes]\ncode = 1.5\n", "lifetimes.code must be an integer"),
        (
            '[[idp.clients]]\nclient_id = "a"\nredirect_uris = "http://x/cb"\n',
            "clients.redirect_uris must be a list of strings",
        ),
        ('[[idp.clients]]\nclient_id = "a"\nmay_introspect = 1\n', "true or false"),
        ('builtin_users = "no"\n', "builtin_users must be true or false"),
    ],
)
def test_load_config_bad_file_message(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))

    assert message in str(raised.value)


def test_load_config_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"

    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load_config(path)


def test_load_config_error_names_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'auto_approve = "no"\n')

    with pytest.raises(ConfigError) as raised:
        load_config(path)

    assert str(raised.value).startswith(f"{path}: auto_approve")


def test_load_config_keyword_type_checked() -> None:
    with pytest.raises(ConfigError, match="auto_approve must be true or false"):
        load_config(auto_approve="no")


def test_load_config_unknown_keyword_lists_settings() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) \['colour'\]"):
        load_config(colour=1)


def test_load_config_file_entries_extend_builtins(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL_FILE))

    client_ids = [client.client_id for client in config.clients]
    usernames = [user.username for user in config.users]
    assert client_ids == ["my-app", "test-client", "forms-api"]
    assert usernames == ["kees", "jan", "fatima", "pieter"]


def test_load_config_file_entry_replaces_same_id(tmp_path: Path) -> None:
    text = (
        '[[idp.clients]]\nclient_id = "test-client"\nredirect_uris = ["http://a/cb"]\n'
    )

    config = load_config(write(tmp_path, text))

    test_clients = [c for c in config.clients if c.client_id == "test-client"]
    assert len(test_clients) == 1
    assert test_clients[0].redirect_uris == ("http://a/cb",)


def test_load_config_builtins_off(tmp_path: Path) -> None:
    text = "builtin_clients = false\nbuiltin_users = false\n" + FULL_FILE.replace(
        "[idp]\n", ""
    ).replace("[idp.", "[").replace("[[idp.", "[[")

    config = load_config(write(tmp_path, text))

    assert [client.client_id for client in config.clients] == ["my-app"]
    assert [user.username for user in config.users] == ["kees"]


def test_load_config_keyword_clients_replace() -> None:
    only = load_config().clients[:1]

    assert load_config(clients=only).clients == only
