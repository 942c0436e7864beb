"""One Ray head node for all sweep tests: started by ``ray start --head --num-cpus 2``, joined
by this process (so in-process sweeps reuse it) and by ``nprl sweep --address`` child
processes, and stopped at the end. Ray's startup takes seconds: one head, shared."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAD_START_S = 120  # a busy 2-core machine may take most of Ray's own 30 s per try


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Ray's token authentication, with a token of our own (never the user's ~/.ray/auth_token).
# Ray reads it once per process, when first imported: so it is set here, at collection.
AUTH = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
os.environ.update(AUTH)


def child_env() -> dict[str, str]:
    """The environment of Ray's processes and of ``nprl`` children: nprl importable, the
    test cluster's token."""
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", **AUTH)
    from nprl.scale.ray_session import PATIENT_ENVIRONMENT  # a busy machine starts Ray late

    for name, value in PATIENT_ENVIRONMENT.items():
        env.setdefault(name, value)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("RAY_ADDRESS", None)
    return env


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _start_head(temp_dir: str) -> tuple[subprocess.Popen, str]:
    ray = Path(sys.executable).with_name("ray")
    port = free_port()
    command = [str(ray) if ray.exists() else "ray", "start", "--head", "--num-cpus", "2",
               "--port", str(port), "--include-dashboard=false", "--include-log-monitor=false",
               "--disable-usage-stats",
               "--object-store-memory", str(200 * 1024 * 1024), "--temp-dir", temp_dir,
               "--block"]
    log = open(Path(temp_dir) / "head.log", "w")  # noqa: SIM115 (closed with the head)
    head = subprocess.Popen(command, env=child_env(), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + HEAD_START_S
    log_path = Path(temp_dir) / "head.log"
    while time.monotonic() < deadline and head.poll() is None:
        if _answers(port) and "--block" in log_path.read_text():
            return head, f"127.0.0.1:{port}"
        time.sleep(0.5)
    _stop_head(head)
    raise RuntimeError(f"ray start --head did not come up:\n{log_path.read_text()[-2000:]}")


def _stop_head(head: subprocess.Popen) -> None:
    """Kill the head's process group (everything it started, nothing else)."""
    try:
        os.killpg(head.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    head.wait(timeout=30)


@pytest.fixture(scope="session")
def ray_head():
    """Address of a Ray head node (2 CPUs) started for the tests; stopped afterwards."""
    pytest.importorskip("ray")  # the `test` extra brings it: CI runs these tests
    temp_dir = tempfile.mkdtemp(prefix="nprlray")  # short: Ray's socket paths are limited
    try:
        head, address = _start_head(temp_dir)
    except RuntimeError:  # Ray gives its raylet 30 s; a loaded machine can miss that once
        head, address = _start_head(temp_dir)
    yield address
    _stop_head(head)


@pytest.fixture(scope="session")
def ray_joined(ray_head):
    """This process joined to the test head, so that ``sweep()`` calls reuse it."""
    import ray

    os.environ.update(RAY_USAGE_STATS_ENABLED="0")
    ray.init(address=ray_head, log_to_driver=False, logging_level="ERROR")
    yield ray_head
    ray.shutdown()


@pytest.fixture(scope="session")
def ray_child_env() -> dict[str, str]:
    """Environment for ``nprl`` child processes of the tests."""
    return child_env()
