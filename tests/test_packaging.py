"""The install extras: what an app's tests need, and what this project needs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = PROJECT["project"]["optional-dependencies"]


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=\[]", requirement)[0] for requirement in requirements}


def test_test_extra_has_no_developer_tools() -> None:
    test = names(EXTRAS["test"])

    assert "time-machine" in test
    assert not test & {"ruff", "mypy", "schemathesis", "playwright", "hypothesis"}


def test_dev_extra_includes_test_extra() -> None:
    assert "tn-mock[test]" in EXTRAS["dev"]
    assert {"ruff", "mypy", "pytest-xdist"} <= names(EXTRAS["dev"])


def test_makefile_installs_dev_extra() -> None:
    makefile = (CHECKOUT / "Makefile").read_text(encoding="utf-8")

    assert "-e '.[dev]'" in makefile
