"""A real ``reporting serve`` process on a free loopback port, for tests that need a live server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from reporting.config.settings import Settings

START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    log_path: Path
    pid: int  # the server's first process, which leads the session of all of them


def server_environment(settings: Settings, **extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("REPORTING_")}
    environment.update(
        REPORTING_DATA_DIR=str(settings.data_dir),
        REPORTING_KEYS_DIR=str(settings.keys_dir),
        REPORTING_DATABASE_URL=settings.database_url,
        REPORTING_SECURE_COOKIES="false",
        **extra,
    )
    return environment


@contextmanager
def live_server(settings: Settings, log_path: Path, workers: int = 1, **extra_env: str) -> Iterator[LiveServer]:
    """Start this checkout's service as a real process; stop it (and its workers) afterwards, whatever happens."""
    with running_server(
        [sys.executable, "-m", "reporting"], server_environment(settings, **extra_env), log_path, workers=workers
    ) as server:
        yield server


@contextmanager
def running_server(
    reporting_command: Sequence[str],
    environment: Mapping[str, str],
    log_path: Path,
    *,
    workers: int = 1,
    cwd: Path | None = None,
) -> Iterator[LiveServer]:
    """Run ``<reporting_command> serve`` on a free port until /healthz answers; stop its process group afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [*reporting_command, "serve", "--port", str(port), "--workers", str(workers)],
            env=dict(environment),
            cwd=cwd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited early: {log_path.read_text(errors='replace')}")
                try:
                    with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not answer /healthz in time")
                time.sleep(0.2)
            yield LiveServer(base_url=base_url, log_path=log_path, pid=process.pid)
        finally:
            with suppress(ProcessLookupError):  # already gone: keep the error that says why
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
