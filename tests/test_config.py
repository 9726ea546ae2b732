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
        ("[idp]\ncolour = 1\n", "invalid IDP configuration"),
        ('[[idp.users]]\nusername = "x"\n', "invalid IDP configuration"),
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
