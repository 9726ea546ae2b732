"""Measure pytest start-up with and without the tn-mock plugin.

``measure_startup()`` runs ``python -m pytest --co -q`` in an empty folder,
once with ``-p no:tn_mock`` and once with the plugin loaded, and returns the
median wall-clock seconds of each. Run as a script to print them.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def time_collection(extra_args: list[str], folder: Path) -> float:
    command = [sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider"]
    start = time.perf_counter()
    # Exit code 5 means "no tests collected", the expected result here.
    subprocess.run(
        [*command, *extra_args],
        cwd=folder,
        env={"PYTHONPATH": str(PROJECT), "PATH": ""},
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - start


def measure_startup(runs: int = 5) -> dict[str, float]:
    """Return the median start-up seconds without and with the plugin."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        without = [time_collection(["-p", "no:tn_mock"], folder) for _ in range(runs)]
        with_plugin = [time_collection([], folder) for _ in range(runs)]
    return {
        "without_plugin_s": statistics.median(without),
        "with_plugin_s": statistics.median(with_plugin),
        "runs": runs,
    }


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for key, value in measure_startup(runs).items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
