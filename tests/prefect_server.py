"""Real Prefect processes for the end-to-end tests: a server, and `dangjian serve` against it.

Everything runs as subprocesses with its own PREFECT_HOME and an explicit
PREFECT_API_URL in *their* environment only; the test process keeps the
ephemeral mode tests/conftest.py set up, so other tests are unaffected.
The server is started once per test session and shared by the test files
that ask for it (starting one takes about 20 s).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
SERVER_START_TIMEOUT_S = 120
TERMINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class RetryingTransport(httpx.HTTPTransport):
    """Retries what Prefect's own client retries: a server on SQLite answers 503
    ("Service Unavailable") while its database is locked by a concurrent write,
    which happens on 2 busy cores while `dangjian serve` polls it."""

    RETRY_STATUSES = frozenset({429, 503})

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(6):
            response = super().handle_request(request)
            if response.status_code not in self.RETRY_STATUSES or attempt == 5:
                return response
            response.read()
            response.close()
            time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _stop(process: subprocess.Popen, timeout_s: float = 15) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout_s)
    except ProcessLookupError:
        pass


def _tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except FileNotFoundError:
        return "(no log)"


@dataclass
class PrefectServer:
    """A `prefect server start` subprocess on a free port with its own home and SQLite database."""

    home: Path
    port: int
    process: subprocess.Popen
    log_path: Path
    started_in_s: float = 0.0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, home: Path) -> dict[str, str]:
        """Environment for a client subprocess (own PREFECT_HOME) talking to this server."""
        env = _base_env(home)
        env["PREFECT_API_URL"] = self.api_url
        return env

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api_url, timeout=30, transport=RetryingTransport())

    def log(self) -> str:
        return _tail(self.log_path)

    def stop(self) -> None:
        _stop(self.process)


def start_prefect_server(home: Path, timeout_s: float = SERVER_START_TIMEOUT_S) -> PrefectServer:
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = home / "server.log"
    env = _base_env(home)
    env["PREFECT_SERVER_API_HOST"] = "127.0.0.1"
    env["PREFECT_SERVER_API_PORT"] = str(port)
    env["PREFECT_UI_API_URL"] = f"http://127.0.0.1:{port}/api"
    started = time.perf_counter()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = PrefectServer(home=home, port=port, process=process, log_path=log_path)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.api_url}/health", timeout=2).status_code == 200:
                server.started_in_s = time.perf_counter() - started
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"prefect server not healthy after {timeout_s} s:\n{server.log()}")


_SHARED: dict[str, PrefectServer] = {}


def shared_prefect_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PrefectServer:
    """One server per test session, whichever test file asks first; stopped when the session ends."""
    if "server" not in _SHARED:
        server = start_prefect_server(tmp_path_factory.mktemp("prefect-server-home"))
        _SHARED["server"] = server
        request.session.config.add_cleanup(server.stop)
        request.session.config.add_cleanup(lambda: _SHARED.pop("server", None))
    server = _SHARED["server"]
    if server.process.poll() is not None:
        pytest.fail(f"the shared prefect server died:\n{server.log()}")
    return server


@dataclass
class ServedDeployments:
    """A `dangjian serve` subprocess: the three deployments, served to a PrefectServer."""

    server: PrefectServer
    process: subprocess.Popen
    log_path: Path
    deployment_ids: dict[str, str] = field(default_factory=dict)

    def log(self) -> str:
        return _tail(self.log_path)

    def stop(self) -> None:
        _stop(self.process)


def start_dangjian_serve(
    server: PrefectServer, home: Path, sources_file: Path, warehouse: Path, *extra_args: str,
    timeout_s: float = 90,
) -> ServedDeployments:
    """Run `python -m dangjian serve` and wait until its three deployments are registered."""
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dangjian", "serve", "--sources", str(sources_file),
             "--warehouse", str(warehouse), *extra_args],
            env=server.env(home), cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    served = ServedDeployments(server=server, process=process, log_path=log_path)
    deadline = time.monotonic() + timeout_s
    with server.client() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"dangjian serve exited with {process.returncode}:\n{served.log()}")
            ids = {}
            for name in ("nightly", "backfill", "reprocess"):
                flow = "ingest" if name == "nightly" else name
                response = client.get(f"/deployments/name/{flow}/{name}")
                if response.status_code == 200:
                    ids[name] = response.json()["id"]
            # Registered is not enough: wait for the runner to poll (its log line says so).
            if len(ids) == 3 and "Your deployments are being served" in served.log().replace("\n", " "):
                served.deployment_ids = ids
                return served
            time.sleep(0.5)
    served.stop()
    raise RuntimeError(f"deployments not served after {timeout_s} s:\n{served.log()}")


def wait_for_flow_run(client: httpx.Client, flow_run_id: str, timeout_s: float = 180) -> dict:
    """The flow run once it reaches a terminal state (the whole run object)."""
    deadline = time.monotonic() + timeout_s
    run: dict = {}
    while time.monotonic() < deadline:
        run = client.get(f"/flow_runs/{flow_run_id}").json()
        if (run.get("state") or {}).get("type") in TERMINAL_STATES:
            return run
        time.sleep(0.5)
    raise TimeoutError(f"flow run {flow_run_id} still {(run.get('state') or {}).get('type')} after {timeout_s} s")


def flow_run_logs(client: httpx.Client, flow_run_id: str) -> str:
    response = client.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200})
    return "\n".join(entry["message"] for entry in response.json())
