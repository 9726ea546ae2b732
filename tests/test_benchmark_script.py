"""The benchmark script's quick mode runs and writes every section with numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "run.py"
SECTIONS = [
    "## Machine",
    "## Targets",
    "## Start-up",
    "## Code flows",
    "## API requests",
    "## pytest start-up",
    "## Costs behind the numbers",
    "## Notes on missed targets",
]
NUMBER = r"-?\d+(?:\.\d+)?"


@pytest.fixture(scope="module")
def quick_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    output = tmp_path_factory.mktemp("bench") / "results.md"
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return output.read_text(encoding="utf-8")


def section(page: str, heading: str) -> str:
    start = page.index(heading)
    end = page.find("\n## ", start + len(heading))
    return page[start : end if end != -1 else len(page)]


@pytest.mark.parametrize("heading", SECTIONS)
def test_quick_page_has_section(quick_page: str, heading: str) -> None:
    assert heading in quick_page


def test_quick_page_states_command_and_machine(quick_page: str) -> None:
    assert "python benchmarks/run.py --quick --output" in quick_page
    machine = section(quick_page, "## Machine")
    assert "- CPU: " in machine
    assert "- Python: " in machine
    assert re.search(r"Load average .*: " + NUMBER, machine)


def test_quick_page_targets_have_numbers(quick_page: str) -> None:
    rows = [
        line
        for line in section(quick_page, "## Targets").splitlines()
        if line.startswith("| ") and not line.startswith(("| measure", "| ---"))
    ]

    names = [row.split("|")[1].strip() for row in rows]
    assert "start-up to first discovery answer" in names
    assert "code flows per second, without openid" in names
    assert "code flows per second, with openid" in names
    assert "server CPU per flow, without openid" in names
    assert "server CPU per flow, with openid" in names
    assert "server peak memory (VmHWM)" in names
    assert "pytest start-up CPU added by the plugin" in names
    for row in rows:
        measured = row.split("|")[4]
        assert re.search(NUMBER, measured), row
        assert row.split("|")[5].strip() in ("met", "**missed**"), row


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        ("## Start-up", "- wall time: "),
        ("## Start-up", "- server CPU time at that moment: "),
        ("## Start-up", "first code flow with `openid`"),
        ("## Code flows", "| without openid"),
        ("## Code flows", "| with openid"),
        ("## API requests", "| in process (`tn-mock serve`)"),
        ("## API requests", "| over introspection"),
        ("## pytest start-up", "- isolated, with plugin: "),
        ("## pytest start-up", "- isolated, without plugin: "),
        ("## Costs behind the numbers", "- import mock_idp.app: "),
        ("## Costs behind the numbers", "- RS256 signature: "),
        ("## Costs behind the numbers", "without openid, Flask test client: "),
    ],
)
def test_quick_page_line_has_median(quick_page: str, heading: str, label: str) -> None:
    lines = [
        line for line in section(quick_page, heading).splitlines() if label in line
    ]

    assert lines, f"no line with {label!r} under {heading}"
    assert re.search(NUMBER + r" \S+ \(range " + NUMBER, lines[0]), lines[0]
