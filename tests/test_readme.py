"""The README's examples run as written."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from mock_idp.app import create_app
from mock_idp.config import load_config

CHECKOUT = Path(__file__).resolve().parent.parent
README = (CHECKOUT / "README.md").read_text(encoding="utf-8")
PYTHON_EXAMPLES = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
TOML_EXAMPLES = re.findall(r"```toml\n(.*?)```", README, re.DOTALL)


def test_readme_has_examples() -> None:
    assert PYTHON_EXAMPLES
    assert TOML_EXAMPLES


@pytest.mark.parametrize("source", PYTHON_EXAMPLES, ids=range(len(PYTHON_EXAMPLES)))
def test_readme_python_example_passes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(CHECKOUT))
    pytester.makepyfile(test_readme_example=source)

    outcomes = pytester.runpytest_inprocess("-W", "error").parseoutcomes()

    assert outcomes.get("passed", 0) >= 1
    assert "failed" not in outcomes
    assert "errors" not in outcomes


@pytest.mark.parametrize("source", TOML_EXAMPLES, ids=range(len(TOML_EXAMPLES)))
def test_readme_toml_example_loads(tmp_path: Path, source: str) -> None:
    path = tmp_path / "tn-mock.toml"
    path.write_text(source, encoding="utf-8")

    config = load_config(path)

    assert config.find_user("kees") is not None
    assert any(client.client_id == "my-app" for client in config.clients)
    assert config.lifetimes.access_token == 300


def test_readme_scope_error_matches_server() -> None:
    quoted = re.search(r"\n    invalid_scope: (.*?)\n\n", README, re.DOTALL)
    assert quoted is not None
    documented = " ".join(quoted.group(1).split())
    client = create_app(auto_approve=True).test_client()

    answer = client.get(
        "/o/authorize/",
        query_string={
            "response_type": "code",
            "client_id": "test-client",
            "redirect_uri": "http://127.0.0.1/callback",
            "scope": "openid, profile, FGO",
            "code_challenge": "a" * 43,
        },
    )

    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["invalid_scope"]
    assert query["error_description"] == [documented]


def test_readme_lists_every_environment_variable() -> None:
    from mock_idp.cli import API_ENVIRONMENT
    from mock_idp.cli import IDP_ENVIRONMENT

    variables = set(re.findall(r"TN_MOCK_\w+", IDP_ENVIRONMENT + API_ENVIRONMENT))

    assert len(variables) == 9
    for name in sorted(variables):
        assert f"`{name}`" in README, name
