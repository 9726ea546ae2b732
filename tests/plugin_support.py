"""A ``tn-mock serve`` subprocess for the plugin's external transport."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest_plugin

# The subprocess must import this checkout's mock_idp, not another copy
# that the environment may have installed.
CHECKOUT = Path(pytest_plugin.__file__).resolve().parent.parent
ISSUER_LINE = re.compile(r"issuer:\s+(http://\S+)/o\s*$")
START_TIMEOUT_SECONDS = 60.0


@contextmanager
def serve_tn_mock() -> Iterator[str]:
    """Run ``tn-mock serve --port 0 --auto-approve``; yield its base URL.

    The server's output is read on a thread until it exits, so that its
    request log cannot fill the pipe and block it.
    """
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_idp.cli", "serve", "--port=0", "--auto-approve"],
        cwd=CHECKOUT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    urls: queue.Queue[str | None] = queue.Queue()
    output: deque[str] = deque(maxlen=50)
    reader = threading.Thread(
        target=_read_output, args=(process, urls, output), daemon=True
    )
    reader.start()
    try:
        yield _wait_for_url(process, urls, output)
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=10)


def _read_output(
    process: subprocess.Popen[str], urls: queue.Queue[str | None], output: deque[str]
) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line.rstrip())
        match = ISSUER_LINE.search(line)
        if match:
            urls.put(match.group(1))
    urls.put(None)
    process.stdout.close()


def _wait_for_url(
    process: subprocess.Popen[str], urls: queue.Queue[str | None], output: deque[str]
) -> str:
    try:
        url = urls.get(timeout=START_TIMEOUT_SECONDS)
    except queue.Empty:
        url = None
    if url is None:
        raise RuntimeError(
            f"tn-mock serve printed no issuer line (exit code {process.poll()}); "
            "its output:\n" + "\n".join(output)
        )
    return url
