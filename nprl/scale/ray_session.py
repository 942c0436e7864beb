"""Start or join Ray, offline and quiet; the only place that calls ``ray.init``.

Local by default: Ray starts inside the command with the machine's CPUs, no dashboard,
a small object store (trials pass only a few numbers around), usage statistics off, and
stops when the sweep ends. With an address (``--address`` or ``RAY_ADDRESS``) it joins a
running cluster instead and leaves it running. A Ray already started in this process (a
notebook, the test suite) is used as it is. Problems at startup are one line each
(:class:`~nprl.errors.UserError`): Ray not installed, an address that does not answer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
from collections.abc import Iterator
from types import ModuleType

from nprl.errors import UserError

OBJECT_STORE_BYTES = 200 * 1024 * 1024  # trials report floats; Ray's default takes 30% of RAM
CONNECT_TIMEOUT_S = 5.0
STARTS = 3  # Ray gives its node 30 s to come up; on a loaded machine a later try may do
QUIET_ENVIRONMENT = {
    "RAY_USAGE_STATS_ENABLED": "0",  # offline: never phone home
    "RAY_AIR_NEW_OUTPUT": "0",  # Tune's own tables off (verbose=0): nprl prints the live table
    "TUNE_DISABLE_AUTO_CALLBACK_LOGGERS": "1",  # no result.json/TensorBoard copies by Tune
    "RAY_DEDUP_LOGS": "0",
    # A trial's first result (it started, at which step) has no evaluation yet.
    "TUNE_DISABLE_STRICT_METRIC_CHECKING": "1",
}
# Ray's raylet gives its Python agents 15 s to come up, then aborts; a busy laptop (or a
# shared 2-core machine) can need more, and idle workers started in advance only slow the
# start down (trials start their own). A value the user set is kept.
PATIENT_ENVIRONMENT = {"RAY_agent_register_timeout_ms": "60000",
                       "RAY_enable_worker_prestart": "0"}


def import_ray() -> ModuleType:
    """``import ray`` (with usage statistics off), or a UserError saying how to get it."""
    os.environ.update(QUIET_ENVIRONMENT)
    for name, value in PATIENT_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    try:
        import ray
        import ray.tune  # noqa: F401 (the [tune] part of ray[tune])
    except ImportError:
        raise UserError("nprl sweep needs Ray Tune, which is not installed; install it with: "
                        "pip install 'nprl[scale]'") from None
    return ray


def check_address(address: str) -> None:
    """Fail fast, in one line, when ``host:port`` does not answer (``ray.init`` would retry
    for a minute and then print pages). ``auto`` and other forms are left to Ray."""
    target = address.removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        return
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as error:
        raise UserError(f"no Ray cluster answers at {address} ({error.strerror or error}); "
                        "start one with 'ray start --head' or leave out --address") from None


@contextlib.contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None) -> Iterator[str]:
    """Connect to Ray for the duration of a ``with`` block; yields a description of it.

    ``address`` (else ``RAY_ADDRESS``) joins a running cluster; otherwise a local Ray is
    started with ``num_cpus`` CPUs (default: all of them) and shut down afterwards.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield "the Ray already started in this process"
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    options = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                   configure_logging=True)
    if address:
        check_address(address)
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise UserError(f"cannot join the Ray cluster at {address}: "
                            f"{str(error).splitlines()[0]} (a cluster with token "
                            "authentication needs RAY_AUTH_MODE=token and its token here)"
                            ) from None
        where = f"the Ray cluster at {address}"
    else:
        num_cpus = num_cpus or os.cpu_count() or 1
        os.environ.pop("RAY_ADDRESS", None)  # an empty RAY_ADDRESS must not mean "join"
        for attempt in range(STARTS):
            try:
                ray.init(num_cpus=num_cpus, object_store_memory=OBJECT_STORE_BYTES, **options)
                break
            except Exception as error:  # Ray raises bare Exceptions from its node startup
                ray.shutdown()  # what did start is stopped before trying again
                if attempt == STARTS - 1:
                    raise UserError(f"Ray could not start here: "
                                    f"{str(error).splitlines()[0]}") from None
                print("Ray did not come up in time (a busy machine?); trying again",
                      file=sys.stderr)
        where = f"a local Ray with {num_cpus} CPUs"
    try:
        yield where
    finally:
        ray.shutdown()


def cluster_cpus() -> int:
    """CPUs the connected Ray cluster has."""
    import ray

    return int(ray.cluster_resources().get("CPU", 0))
