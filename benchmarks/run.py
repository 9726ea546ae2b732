"""Measure tn-mock's start-up, code-flow throughput, CPU, memory and plugin cost.

Run from the repository root with the project's virtual environment:

    python benchmarks/run.py            # full run, writes benchmarks/RESULTS.md
    python benchmarks/run.py --quick    # a few seconds, proves the script works

Every server is a ``tn-mock serve --auto-approve`` subprocess on a free port
of 127.0.0.1, started from this checkout. Linux only: CPU time and peak
memory are read from ``/proc/<pid>``.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import http.client
import os
import platform
import resource
import secrets
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from typing import TypeVar
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import requests

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "benchmarks" / "RESULTS.md"
CLIENT_ID = "test-client"
REDIRECT_URI = "http://127.0.0.1/callback"
DISCOVERY_PATH = "/o/.well-known/openid-configuration/"
SCOPES = {"without openid": "profile TNForm", "with openid": "openid profile TNForm"}
#: Scope of the token for the API requests: the Forms and the FGO+ API accept it.
API_SCOPE = "openid profile TNForm FGOWebs"
#: Requests sent in turn to the APIs, each with the bearer token: the forms
#: list and an FGO+ search that matches 27 of the shipped sample products.
API_REQUESTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("/api/v1/Forms/Latest", {}),
    ("/api/v1/Fgo/Product/Search", {"SearchString": "remeha", "Size": "10"}),
)
SWAGGER_PATH = "/swagger/v1/swagger.json"
LIBRARIES = ("flask", "werkzeug", "authlib", "joserfc", "cryptography", "requests")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Child processes import this checkout first and may write bytecode caches,
# as a normal installation does; PYTHONDONTWRITEBYTECODE would add the
# compile time of every module to each start.
CHILD_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPATH": str(ROOT),
}

# The fastest Python peer, oidc-provider-mock, on the same 2-core machine, as
# measured by the team before this script existed (not re-measured here).
PEER = {"flows": 300.0, "cpu_ms": 3.0, "startup_s": 0.43, "memory_mb": 62.0}
TARGETS = {
    "flows": 3 * PEER["flows"],
    "cpu_ms": 1.0,
    "startup_s": PEER["startup_s"] / 2,
    "memory_mb": 50.0,
    "pytest_ms": 30.0,
}


@dataclass(frozen=True)
class Settings:
    startup_runs: int
    warmup_flows: int
    flow_rounds: int
    flows_per_round: int
    api_rounds: int
    api_requests_per_round: int
    pytest_runs: int
    sign_runs: int
    #: Also time pytest with every installed plugin autoloaded. This varies by
    #: seconds between runs when hypothesis and schemathesis are installed,
    #: so it is left out of the quick mode.
    pytest_autoload: bool


FULL = Settings(
    startup_runs=10,
    warmup_flows=20,
    flow_rounds=5,
    flows_per_round=500,
    api_rounds=5,
    api_requests_per_round=500,
    pytest_runs=10,
    sign_runs=200,
    pytest_autoload=True,
)
QUICK = Settings(
    startup_runs=1,
    warmup_flows=3,
    flow_rounds=2,
    flows_per_round=10,
    api_rounds=2,
    api_requests_per_round=10,
    pytest_runs=1,
    sign_runs=20,
    pytest_autoload=False,
)


@dataclass(frozen=True)
class Sample:
    """Several measurements of one quantity, summarised as median and range."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def describe(self, unit: str, scale: float = 1.0, digits: int = 1) -> str:
        low = min(self.values) * scale
        high = max(self.values) * scale
        median = self.median * scale
        return (
            f"{median:.{digits}f} {unit} "
            f"(range {low:.{digits}f}–{high:.{digits}f}, n={len(self.values)})"
        )


@dataclass(frozen=True)
class StartupResult:
    wall_seconds: Sample
    #: CPU time of the server process at its first response, which depends
    #: less on other processes' load than the wall time does.
    cpu_seconds: Sample
    #: Time from start to the end of a first code flow with ``openid``, which
    #: includes generating the signing key.
    first_id_token_seconds: Sample


@dataclass(frozen=True)
class FlowResult:
    flows_per_second: Sample
    cpu_ms_per_flow: Sample
    client_cpu_ms_per_flow: Sample
    peak_memory_mb: float
    #: Peak memory right after start-up, before the first flow.
    start_memory_mb: float
    #: Flows run against this server, warm-up included.
    flow_count: int


@dataclass(frozen=True)
class ApiResult:
    requests_per_second: Sample
    #: Summed over every server process of the setup.
    cpu_ms_per_request: Sample
    #: The same CPU time for each process, by the command that started it.
    cpu_ms_by_process: dict[str, Sample]
    client_cpu_ms_per_request: Sample


# Server process -------------------------------------------------------------


def find_free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def server_command(
    port: int, arguments: Sequence[str] = ("--auto-approve",)
) -> list[str]:
    """Return the ``tn-mock serve`` command line; ``arguments`` may name a part."""
    return [
        sys.executable,
        "-m",
        "mock_idp.cli",
        "serve",
        *arguments,
        "--port",
        str(port),
    ]


def query_ready(port: int, path: str = DISCOVERY_PATH) -> bool:
    """Return True if the server responds to a GET of ``path`` with 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def run_server(
    arguments: Sequence[str] = ("--auto-approve",),
    ready_path: str = DISCOVERY_PATH,
    timeout: float = 30.0,
) -> Iterator[tuple[subprocess.Popen[bytes], int, float]]:
    """Start a server and yield its process, port and seconds to first response."""
    port = find_free_port()
    command = server_command(port, arguments)
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=CHILD_ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not query_ready(port, ready_path):
            if process.poll() is not None:
                raise RuntimeError(
                    f"tn-mock serve exited with {process.returncode} before it "
                    f"responded; run {shlex.join(command)} to see why"
                )
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"tn-mock serve did not respond within {timeout} s")
            time.sleep(0.002)
        yield process, port, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)


def read_cpu_seconds(pid: int) -> float:
    """Return user plus system CPU time of a process, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name in brackets may contain spaces, so split after it.
    fields = stat.rsplit(")", 1)[1].split()
    user_ticks, system_ticks = int(fields[11]), int(fields[12])
    return (user_ticks + system_ticks) / CLOCK_TICKS


def read_peak_memory_mb(pid: int) -> float:
    """Return the peak resident set size (VmHWM) of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")


# Measurements ---------------------------------------------------------------


def measure_startup(settings: Settings) -> StartupResult:
    # One untimed start writes the bytecode caches of this checkout.
    with run_server():
        pass

    wall = []
    cpu = []
    first_id_token = []
    for _ in range(settings.startup_runs):
        started = time.perf_counter()
        with run_server() as (process, port, elapsed):
            wall.append(elapsed)
            cpu.append(read_cpu_seconds(process.pid))
            with requests.Session() as session:
                run_code_flow(
                    session, f"http://127.0.0.1:{port}", SCOPES["with openid"]
                )
            first_id_token.append(time.perf_counter() - started)
    return StartupResult(Sample(wall), Sample(cpu), Sample(first_id_token))


def create_pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


def run_code_flow(
    session: requests.Session, base_url: str, scope: str
) -> dict[str, Any]:
    """Run one authorize + token exchange and return the token response.

    Raises RuntimeError if either step fails.
    """
    verifier, challenge = create_pkce_pair()
    authorization = session.get(
        f"{base_url}/o/authorize/",
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": "bench",
            "nonce": "bench",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        allow_redirects=False,
        timeout=10,
    )
    if authorization.status_code != 302:
        raise RuntimeError(
            f"authorize returned {authorization.status_code}, expected 302: "
            f"{authorization.text[:200]}"
        )

    query = parse_qs(urlsplit(authorization.headers["Location"]).query)
    if "code" not in query:
        raise RuntimeError(f"authorize redirect has no code: {query}")
    token = session.post(
        f"{base_url}/o/token/",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    if token.status_code != 200 or "access_token" not in token.json():
        raise RuntimeError(f"token returned {token.status_code}: {token.text[:200]}")
    response: dict[str, Any] = token.json()
    return response


def measure_flows(settings: Settings, scope: str) -> FlowResult:
    """Run rounds of sequential flows from one client thread and session."""
    rates = []
    cpu_per_flow = []
    client_cpu_per_flow = []
    with run_server() as (process, port, _elapsed):
        base_url = f"http://127.0.0.1:{port}"
        start_memory = read_peak_memory_mb(process.pid)
        with requests.Session() as session:
            # The first flows pay for lazy imports and key generation.
            for _ in range(settings.warmup_flows):
                run_code_flow(session, base_url, scope)
            for _ in range(settings.flow_rounds):
                cpu_before = read_cpu_seconds(process.pid)
                client_before = time.process_time()
                started = time.perf_counter()
                for _ in range(settings.flows_per_round):
                    run_code_flow(session, base_url, scope)
                elapsed = time.perf_counter() - started
                client = time.process_time() - client_before
                cpu = read_cpu_seconds(process.pid) - cpu_before
                rates.append(settings.flows_per_round / elapsed)
                cpu_per_flow.append(cpu / settings.flows_per_round * 1000)
                client_cpu_per_flow.append(client / settings.flows_per_round * 1000)
        peak = read_peak_memory_mb(process.pid)
    flow_count = settings.warmup_flows + settings.flow_rounds * settings.flows_per_round
    return FlowResult(
        Sample(rates),
        Sample(cpu_per_flow),
        Sample(client_cpu_per_flow),
        peak,
        start_memory,
        flow_count,
    )


def measure_api(settings: Settings) -> dict[str, ApiResult]:
    """Measure API requests with token validation, in process and apart.

    In process, ``tn-mock serve`` validates each token in its own store.
    Apart, ``tn-mock serve api`` introspects each token at a ``tn-mock serve
    idp`` process, so the CPU time of both processes counts.
    """
    results: dict[str, ApiResult] = {}
    with run_server() as (process, port, _elapsed):
        base_url = f"http://127.0.0.1:{port}"
        results["in process (`tn-mock serve`)"] = run_api_rounds(
            settings, base_url, base_url, {"tn-mock serve": process}
        )

    with run_server(("idp", "--auto-approve")) as (idp, idp_port, _elapsed):
        idp_url = f"http://127.0.0.1:{idp_port}"
        api_arguments = ("api", "--idp-url", idp_url)
        with run_server(api_arguments, SWAGGER_PATH) as (api, api_port, _elapsed):
            results["over introspection (`serve idp` + `serve api`)"] = run_api_rounds(
                settings,
                idp_url,
                f"http://127.0.0.1:{api_port}",
                {"tn-mock serve api": api, "tn-mock serve idp": idp},
            )
    return results


def run_api_rounds(
    settings: Settings,
    idp_url: str,
    api_url: str,
    processes: dict[str, subprocess.Popen[bytes]],
) -> ApiResult:
    """Get a token from a code flow, then send rounds of API requests."""
    rates = []
    total_cpu: list[float] = []
    process_cpu: dict[str, list[float]] = {name: [] for name in processes}
    client_cpu = []
    count = settings.api_requests_per_round
    with requests.Session() as session:
        token = run_code_flow(session, idp_url, API_SCOPE)["access_token"]
        session.headers["Authorization"] = f"Bearer {token}"
        # The first requests pay for lazy imports and the first searches.
        send_api_requests(session, api_url, len(API_REQUESTS) * 5)
        for _ in range(settings.api_rounds):
            before = {name: read_cpu_seconds(p.pid) for name, p in processes.items()}
            client_before = time.process_time()
            started = time.perf_counter()
            send_api_requests(session, api_url, count)
            elapsed = time.perf_counter() - started
            client_cpu.append((time.process_time() - client_before) / count * 1000)
            rates.append(count / elapsed)
            for name, process in processes.items():
                used = read_cpu_seconds(process.pid) - before[name]
                process_cpu[name].append(used / count * 1000)
            total_cpu.append(sum(values[-1] for values in process_cpu.values()))
    return ApiResult(
        Sample(rates),
        Sample(total_cpu),
        {name: Sample(values) for name, values in process_cpu.items()},
        Sample(client_cpu),
    )


def send_api_requests(session: requests.Session, api_url: str, count: int) -> None:
    """Send ``count`` API requests, cycling through API_REQUESTS; raise on non-200."""
    for index in range(count):
        path, params = API_REQUESTS[index % len(API_REQUESTS)]
        response = session.get(f"{api_url}{path}", params=params, timeout=10)
        if response.status_code != 200:
            raise RuntimeError(
                f"GET {path} returned {response.status_code}: {response.text[:200]}"
            )


def measure_command_cpu(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Run a command and return its user plus system CPU time in seconds.

    CPU time, unlike wall time, barely changes with the load of other
    processes on the shared machine.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure_pytest(settings: Settings) -> dict[str, Sample]:
    """Measure the CPU time of ``pytest --co -q`` with and without the plugin.

    The isolated pair turns off plugin autoloading and loads only tn-mock's
    plugin, so the difference is not lost in other plugins' start-up time.
    The variants alternate, so a change in machine load hits each of them.
    """
    base = [sys.executable, "-m", "pytest", "--co", "-q"]
    isolated = {**CHILD_ENV, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    variants = {
        "isolated, with plugin": ([*base, "-p", "pytest_plugin.plugin"], isolated),
        "isolated, without plugin": (base, isolated),
    }
    if settings.pytest_autoload:
        variants["all plugins, with plugin"] = (base, CHILD_ENV)
        variants["all plugins, without plugin"] = (
            [*base, "-p", "no:tn_mock"],
            CHILD_ENV,
        )

    times: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(settings.pytest_runs):
            for name, (command, env) in variants.items():
                times[name].append(measure_command_cpu(command, Path(folder), env))
    return {name: Sample(values) for name, values in times.items()}


def measure_imports(settings: Settings) -> dict[str, Sample]:
    """Measure the CPU time of interpreter start and of the IDP's imports."""
    statements = {
        "python -c pass": "pass",
        "import flask, authlib, joserfc": (
            "import flask, authlib.integrations.flask_oauth2, joserfc.jwt"
        ),
        "import mock_idp.app": "import mock_idp.app",
    }
    return {
        label: Sample(
            [
                measure_command_cpu([sys.executable, "-c", statement], ROOT, CHILD_ENV)
                for _ in range(settings.startup_runs)
            ]
        )
        for label, statement in statements.items()
    }


def measure_signing(settings: Settings) -> dict[str, Sample]:
    """Time RSA key generation and one RS256 signature, in this process."""
    sys.path.insert(0, str(ROOT))
    from mock_idp.keys import KeyRing

    generation = []
    for _ in range(max(3, settings.sign_runs // 20)):
        ring = KeyRing()
        started = time.perf_counter()
        ring.rotate()
        generation.append(time.perf_counter() - started)

    claims = {"iss": "http://127.0.0.1/o", "sub": "1001", "aud": CLIENT_ID}
    signing = []
    for _ in range(settings.sign_runs):
        started = time.perf_counter()
        ring.sign(claims)
        signing.append(time.perf_counter() - started)
    return {
        "RSA-2048 key generation": Sample(generation),
        "RS256 signature": Sample(signing),
    }


def measure_app_cpu(settings: Settings) -> dict[str, Sample]:
    """Measure the CPU time of code flows through Flask's test client.

    No HTTP server and no socket are involved, so the difference from the
    server CPU per flow is what the HTTP server and the connections cost.
    The test client's own work (building each request) is included.
    """
    sys.path.insert(0, str(ROOT))
    from mock_api.mount import create_combined_app

    app = create_combined_app(auto_approve=True)
    results = {}
    for label, scope in SCOPES.items():
        client = app.test_client()
        for _ in range(settings.warmup_flows):
            run_test_client_flow(client, scope)
        per_flow = []
        for _ in range(settings.flow_rounds):
            started = time.process_time()
            for _ in range(settings.flows_per_round):
                run_test_client_flow(client, scope)
            elapsed = time.process_time() - started
            per_flow.append(elapsed / settings.flows_per_round)
        results[f"code flow {label}, Flask test client"] = Sample(per_flow)
    return results


def run_test_client_flow(client: Any, scope: str) -> None:
    """Run one authorize + token exchange through a Flask test client."""
    verifier, challenge = create_pkce_pair()
    authorization = client.get(
        "/o/authorize/",
        query_string={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": "bench",
            "nonce": "bench",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    query = parse_qs(urlsplit(authorization.headers.get("Location", "")).query)
    if authorization.status_code != 302 or "code" not in query:
        raise RuntimeError(f"authorize returned {authorization.status_code}")
    token = client.post(
        "/o/token/",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "code_verifier": verifier,
        },
    )
    if token.status_code != 200:
        raise RuntimeError(f"token returned {token.status_code}")


# Results page ---------------------------------------------------------------


def describe_machine() -> list[str]:
    cpu_model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in LIBRARIES)
    return [
        f"- CPU: {cpu_model}, {os.cpu_count()} logical cores",
        f"- Memory: {memory_kb / 1024 / 1024:.1f} GiB",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_version()} ({sys.executable})",
        f"- Libraries: {versions}",
    ]


def verdict(passed: bool) -> str:
    return "met" if passed else "**missed**"


@dataclass(frozen=True)
class Results:
    startup: StartupResult
    flows: dict[str, FlowResult]
    api: dict[str, ApiResult]
    pytest: dict[str, Sample]
    imports: dict[str, Sample]
    signing: dict[str, Sample]
    app_cpu: dict[str, Sample]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def pytest_overhead(self, kind: str) -> float | None:
        """Return the plugin's added pytest start-up in seconds, if measured."""
        with_plugin = self.pytest.get(f"{kind}, with plugin")
        without_plugin = self.pytest.get(f"{kind}, without plugin")
        if with_plugin is None or without_plugin is None:
            return None
        return with_plugin.median - without_plugin.median


def render_targets(results: Results) -> list[str]:
    startup = results.startup.wall_seconds.median
    overhead = results.pytest_overhead("isolated")
    assert overhead is not None
    peak = max(flow.peak_memory_mb for flow in results.flows.values())
    rows = [
        (
            "start-up to first discovery answer",
            f"{PEER['startup_s']:.2f} s",
            f"≤ {TARGETS['startup_s']:.2f} s",
            f"{startup:.3f} s",
            startup <= TARGETS["startup_s"],
        )
    ]
    for label, flow in results.flows.items():
        rate = flow.flows_per_second.median
        cpu = flow.cpu_ms_per_flow.median
        rows.append(
            (
                f"code flows per second, {label}",
                f"{PEER['flows']:.0f}",
                f"≥ {TARGETS['flows']:.0f}",
                f"{rate:.0f}",
                rate >= TARGETS["flows"],
            )
        )
        rows.append(
            (
                f"server CPU per flow, {label}",
                f"{PEER['cpu_ms']:.1f} ms",
                f"≈ {TARGETS['cpu_ms']:.1f} ms",
                f"{cpu:.2f} ms",
                cpu <= TARGETS["cpu_ms"],
            )
        )
    rows += [
        (
            "server peak memory (VmHWM)",
            f"{PEER['memory_mb']:.0f} MB",
            f"< {TARGETS['memory_mb']:.0f} MB",
            f"{peak:.1f} MiB",
            peak < TARGETS["memory_mb"],
        ),
        (
            "pytest start-up CPU added by the plugin",
            "–",
            f"< {TARGETS['pytest_ms']:.0f} ms",
            f"{overhead * 1000:.0f} ms",
            overhead * 1000 < TARGETS["pytest_ms"],
        ),
    ]
    lines = [
        "| measure | peer | target | tn-mock (median) | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, peer, target, measured, passed in rows:
        lines.append(f"| {name} | {peer} | {target} | {measured} | {verdict(passed)} |")
    return lines


def render_page(results: Results, settings: Settings, command: str) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# tn-mock benchmark results",
        "",
        f"Measured {now} with:",
        "",
        f"    {command}",
        "",
        "Peer figures are those of oidc-provider-mock, the fastest Python peer, "
        "measured by the team on the same machine; this script does not "
        "re-measure them, so a change in machine load between their "
        "measurement and this one shows up as a difference. Each value is the "
        "median, with the range of all runs.",
        "",
        "## Machine",
        "",
        *describe_machine(),
        "- Load average (1, 5, 15 min): "
        f"{_format_load(results.load_before)} before, "
        f"{_format_load(results.load_after)} after. The machine is shared, so "
        "other processes' work shows up in the ranges.",
        "",
        *render_load_warning(results),
        "## Targets",
        "",
        *render_targets(results),
        "",
        *render_details(results, settings),
        "## Notes on missed targets",
        "",
        *render_notes(results),
        "",
    ]
    return "\n".join(lines)


def render_load_warning(results: Results) -> list[str]:
    """Warn when other processes kept the cores busy during the run."""
    cores = os.cpu_count() or 1
    peak_load = max(results.load_before[0], results.load_after[0])
    if peak_load <= cores:
        return []
    signature = results.signing["RS256 signature"].median * 1000
    return [
        f"**Warning:** the 1-minute load average reached {peak_load:.1f} on "
        f"{cores} cores, so processes waited for a core. Wall times are "
        "inflated most, CPU times less so. For scale: one RS256 signature "
        f"took a median {signature:.2f} ms in this run.",
        "",
    ]


def render_details(results: Results, settings: Settings) -> list[str]:
    lines = [
        "## Start-up",
        "",
        "Time from starting `tn-mock serve --auto-approve` to the first 200 "
        "answer of the discovery document, polled every 2 ms, after one untimed "
        "start that writes the bytecode caches:",
        "",
        f"- wall time: {results.startup.wall_seconds.describe('s', digits=3)}",
        "- server CPU time at that moment: "
        f"{results.startup.cpu_seconds.describe('s', digits=3)}",
        "- wall time to the end of a first code flow with `openid` (which "
        "includes generating the signing key): "
        f"{results.startup.first_id_token_seconds.describe('s', digits=3)}",
        "",
        "## Code flows",
        "",
        f"Each round runs {settings.flows_per_round} sequential authorize + "
        "token flows (PKCE S256) from one client thread on one "
        f"`requests.Session`, after {settings.warmup_flows} warm-up flows; "
        f"{settings.flow_rounds} rounds. werkzeug's server answers every "
        "request with `Connection: close`, so each request opens a new "
        "connection despite the session. Server CPU is user plus system time "
        "of the server process from `/proc/<pid>/stat`, with a resolution of "
        f"{1000 / CLOCK_TICKS:.0f} ms per round. Client CPU is the benchmark "
        "process's own. Peak memory is the server's VmHWM after start-up and "
        "after all rounds.",
        "",
        "| scope | flows per second | server CPU per flow | client CPU per flow "
        "| peak memory after start-up, after all rounds |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, flow in results.flows.items():
        lines.append(
            f"| {label} (`{SCOPES[label]}`) "
            f"| {flow.flows_per_second.describe('/s', digits=0)} "
            f"| {flow.cpu_ms_per_flow.describe('ms', digits=2)} "
            f"| {flow.client_cpu_ms_per_flow.describe('ms', digits=2)} "
            f"| {flow.start_memory_mb:.1f} MiB, {flow.peak_memory_mb:.1f} MiB |"
        )
    lines += ["", *render_api(results, settings)]
    lines += [
        "",
        "## pytest start-up",
        "",
        "CPU time (user plus system) of `python -m pytest --co -q` in an empty "
        "temporary folder, the variants alternating. CPU time stands in for "
        "wall time because the wall time on this shared machine varied by "
        "more than the effect measured. *Isolated* sets "
        "`PYTEST_DISABLE_PLUGIN_AUTOLOAD=1` and "
        "loads the plugin with `-p pytest_plugin.plugin`; *all plugins* "
        "autoloads every installed plugin and turns tn-mock's off with "
        "`-p no:tn_mock`.",
        "",
    ]
    for label, sample in results.pytest.items():
        lines.append(f"- {label}: {sample.describe('ms', scale=1000, digits=0)}")
    for kind in ("isolated", "all plugins"):
        overhead = results.pytest_overhead(kind)
        if overhead is not None:
            lines.append(
                f"- added by the plugin ({kind}): {overhead * 1000:.0f} ms "
                "(difference of the medians)"
            )
    lines += [
        "",
        "## Costs behind the numbers",
        "",
        "CPU time of interpreter start and imports, each in a fresh "
        "subprocess. Wall time of key generation and signing with the IDP's "
        "`KeyRing`, in the benchmark process:",
        "",
    ]
    for label, sample in {**results.imports, **results.signing}.items():
        lines.append(f"- {label}: {sample.describe('ms', scale=1000, digits=1)}")
    lines += [
        "",
        "CPU time per code flow in the benchmark process, through Flask's test "
        "client: no HTTP server and no socket, but the test client's own work "
        "is included. The rounds are those of the code flows above:",
        "",
    ]
    for label, sample in results.app_cpu.items():
        lines.append(f"- {label}: {sample.describe('ms', scale=1000, digits=2)}")
    lines.append("")
    return lines


def render_api(results: Results, settings: Settings) -> list[str]:
    lines = [
        "## API requests",
        "",
        f"Each round sends {settings.api_requests_per_round} sequential requests "
        "from one client thread on one `requests.Session`, alternating "
        + " and ".join(
            f"`GET {path}{'?' + urlencode(params) if params else ''}`"
            for path, params in API_REQUESTS
        )
        + f", each with a bearer token for `{API_SCOPE}` from a code flow; "
        f"{settings.api_rounds} rounds. Server CPU is summed over the server "
        "processes of the setup; the last column splits it by process. Over "
        "introspection, every API request makes the API process introspect the "
        "token at the IDP and read the IDP's clock for its request journal.",
        "",
        "| setup | requests per second | server CPU per request "
        "| client CPU per request | server CPU by process |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, api in results.api.items():
        by_process = "; ".join(
            f"{name}: {sample.median:.2f} ms"
            for name, sample in api.cpu_ms_by_process.items()
        )
        lines.append(
            f"| {label} "
            f"| {api.requests_per_second.describe('/s', digits=0)} "
            f"| {api.cpu_ms_per_request.describe('ms', digits=2)} "
            f"| {api.client_cpu_ms_per_request.describe('ms', digits=2)} "
            f"| {by_process} |"
        )
    return lines


def render_notes(results: Results) -> list[str]:
    """Explain each missed target with the measured costs behind it."""
    notes = []
    startup = results.startup.wall_seconds.median
    imports = results.imports["import mock_idp.app"].median
    bare = results.imports["python -c pass"].median
    if startup > TARGETS["startup_s"]:
        startup_cpu = results.startup.cpu_seconds.median
        notes.append(
            f"- Start-up: {startup:.3f} s of wall time, of which the server used "
            f"{startup_cpu:.3f} s of CPU. A bare interpreter takes {bare:.3f} s "
            "of CPU and importing the IDP's modules (Flask, authlib, joserfc, "
            f"cryptography) another {imports - bare:.3f} s, before any of the "
            "IDP's own work. For the other "
            f"{max(startup - startup_cpu, 0):.3f} s of wall time the server "
            "was not running: it waited for a core or for I/O. The 1-minute "
            f"load average was {results.load_before[0]:.1f} on "
            f"{os.cpu_count()} cores at the start of this run."
        )
    signature = results.signing["RS256 signature"].median * 1000
    for label, flow in results.flows.items():
        cpu = flow.cpu_ms_per_flow.median
        if cpu > TARGETS["cpu_ms"]:
            app_cpu = results.app_cpu[f"code flow {label}, Flask test client"]
            in_process = app_cpu.median * 1000
            notes.append(
                f"- Server CPU {label}: {cpu:.2f} ms per flow, two requests. "
                f"Through Flask's test client, without HTTP, the same flow "
                f"took {in_process:.2f} ms of CPU, the test client's own work "
                "included: Flask's request handling, authlib's grant code and "
                "the request journal. At least the other "
                f"{max(cpu - in_process, 0):.2f} ms went to werkzeug's "
                "development server, which opens a new connection and starts "
                "a thread for every request because it answers each with "
                "`Connection: close`."
            )
        if label == "with openid" and cpu > TARGETS["cpu_ms"]:
            notes.append(
                "- Every flow with openid signs an ID token with RS256 and a "
                f"2048-bit key, which alone costs {signature:.2f} ms here, so "
                "this flow cannot reach 1 ms of CPU with that key."
            )
    for label, flow in results.flows.items():
        rate = flow.flows_per_second.median
        if rate < TARGETS["flows"]:
            wall = 1000 / rate
            notes.append(
                f"- Flows per second {label}: one flow takes {wall:.2f} ms of "
                f"wall time: {flow.cpu_ms_per_flow.median:.2f} ms of server "
                f"CPU and {flow.client_cpu_ms_per_flow.median:.2f} ms of client "
                "CPU, which run in turn, plus the waits for the other "
                "processes on the two shared cores."
            )
    notes += render_memory_notes(results)
    overhead = results.pytest_overhead("isolated")
    if overhead is not None and overhead * 1000 >= TARGETS["pytest_ms"]:
        isolated = results.pytest["isolated, without plugin"]
        spread = (max(isolated.values) - min(isolated.values)) * 1000
        notes.append(
            f"- pytest start-up: the plugin added {overhead * 1000:.0f} ms of "
            f"CPU, while runs without it varied by {spread:.0f} ms; more runs "
            "or a quieter machine would tell whether that difference is real."
        )
    if not notes:
        notes.append("- None: every target was met in this run.")
    return notes


def render_memory_notes(results: Results) -> list[str]:
    notes = []
    for label, flow in results.flows.items():
        if flow.peak_memory_mb >= TARGETS["memory_mb"]:
            notes.append(
                f"- Peak memory {label}: {flow.peak_memory_mb:.1f} MiB after "
                f"{flow.flow_count} flows, {flow.start_memory_mb:.1f} MiB right "
                "after start-up. The in-memory store keeps every issued token "
                "until it is revoked or the state is reset, so the peak grows "
                "with the number of flows a server has answered."
            )
    return notes


def _format_load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{value:.2f}" for value in load)


# Entry point ----------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="few repetitions, to prove the script works",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"results page to write (default {DEFAULT_OUTPUT.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    command = shlex.join(["python", "benchmarks/run.py", *(argv or sys.argv[1:])])

    load_before = os.getloadavg()
    results = Results(
        startup=step("start-up", lambda: measure_startup(settings)),
        flows={
            label: step(
                f"flows {label}", lambda scope=scope: measure_flows(settings, scope)
            )
            for label, scope in SCOPES.items()
        },
        api=step("API requests", lambda: measure_api(settings)),
        pytest=step("pytest start-up", lambda: measure_pytest(settings)),
        imports=step("imports", lambda: measure_imports(settings)),
        signing=step("signing", lambda: measure_signing(settings)),
        app_cpu=step("flows in process", lambda: measure_app_cpu(settings)),
        load_before=load_before,
        load_after=os.getloadavg(),
    )
    args.output.write_text(render_page(results, settings, command), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def step(label: str, measure: Callable[[], T]) -> T:
    print(f"measuring {label} ...", flush=True)
    return measure()


if __name__ == "__main__":
    sys.exit(main())
