"""Copy the browser tests' screenshots into docs/screenshots/.

The browser tests save a screenshot of each page to the ignored folder
artifacts/screenshots/ on every run. The docs change only when someone
runs this script and commits the result:

    python scripts/update_screenshots.py          # copy the last run's images
    python scripts/update_screenshots.py --run    # run the browser tests first
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "artifacts" / "screenshots"
TARGET = ROOT / "docs" / "screenshots"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run",
        action="store_true",
        help="run the browser tests first, so that the images are current",
    )
    args = parser.parse_args(argv)

    if args.run:
        command = [sys.executable, "-m", "pytest", "-q", "tests/browser"]
        if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
            print("browser tests failed; docs/screenshots/ left unchanged")
            return 1

    images = sorted(SOURCE.glob("*.png"))
    if not images:
        print(f"no screenshots in {SOURCE}; run the browser tests or pass --run")
        return 1

    TARGET.mkdir(parents=True, exist_ok=True)
    for image in images:
        shutil.copy2(image, TARGET / image.name)
        print(f"copied {image.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
