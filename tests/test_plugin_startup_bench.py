"""The start-up benchmark hook runs and returns both timings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "plugin_startup.py"


def test_measure_startup_returns_timings() -> None:
    spec = importlib.util.spec_from_file_location("plugin_startup", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    result = module.measure_startup(runs=1)

    assert result["without_plugin_s"] > 0
    assert result["with_plugin_s"] > 0
