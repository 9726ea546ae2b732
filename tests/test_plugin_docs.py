"""Every Python example in docs/pytest-plugin.md runs as a test file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
DOC = CHECKOUT / "docs" / "pytest-plugin.md"
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
EXAMPLES = PYTHON_BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_doc_has_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("source", EXAMPLES, ids=range(len(EXAMPLES)))
def test_doc_example_passes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    # An example that starts `tn-mock serve` must run this checkout's copy.
    monkeypatch.setenv("PYTHONPATH", str(CHECKOUT))
    pytester.makepyfile(test_example=source)

    result = pytester.runpytest_inprocess("-W", "error")

    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert "failed" not in outcomes, result.stdout.str()
    assert "errors" not in outcomes, result.stdout.str()


def test_doc_lists_every_endpoint_name() -> None:
    from mock_api.mount import create_combined_app
    from mock_idp.faults import list_endpoint_names

    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Endpoint names")[1].split("\n#")[0]
    documented = re.findall(r"^\| `([a-z_:]+)` \|", section, re.MULTILINE)

    assert sorted(documented) == list_endpoint_names(create_combined_app())
