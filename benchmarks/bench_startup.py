"""How quickly does a worker come up? Run: python benchmarks/bench_startup.py

uvicorn kills a worker that does not answer its health check in time, so start-up time is robustness,
not comfort. Measures, each in fresh processes (median of 5): importing the app and building it, next
to importing Litestar and building a one-route app (the floor); and the wall time from starting
``reporting serve --workers 2`` on SQLite to its first ``/healthz`` answer. Loopback only; bounded.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RUNS = 5
SERVE_TIMEOUT_SECONDS = 120

APP_PROBE = """
import os, time
start = time.perf_counter()
from reporting.app import create_app
from reporting.config.settings import Settings
create_app(Settings.from_env())
print(time.perf_counter() - start)
"""

FLOOR_PROBE = """
import time
start = time.perf_counter()
from litestar import Litestar, get
@get("/")
async def index() -> str:
    return "ok"
Litestar([index])
print(time.perf_counter() - start)
"""


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("REPORTING_")}
    environment.update(REPORTING_DATA_DIR=str(data_dir / "var"), REPORTING_KEYS_DIR=str(data_dir / "keys"))
    return environment


def _median_seconds(probe: str, environment: dict[str, str]) -> float:
    timings = [
        float(
            subprocess.run(
                [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(RUNS)
    ]
    return statistics.median(timings)


def _serve_seconds(environment: dict[str, str]) -> float:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "reporting", "serve", "--port", str(port), "--workers", "2"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while time.perf_counter() - start < SERVE_TIMEOUT_SECONDS:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not answer in time")
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        environment = _environment(Path(directory))
        subprocess.run([sys.executable, "-m", "reporting", "init"], env=environment, capture_output=True, check=True)
        app = _median_seconds(APP_PROBE, environment)
        floor = _median_seconds(FLOOR_PROBE, environment)
        serve = _serve_seconds(environment)
    print(f"import and build the app (median of {RUNS}): {app * 1000:7.0f} ms")
    print(f"bare Litestar, one route (floor):           {floor * 1000:7.0f} ms   ratio {app / floor:.1f}x")
    print(f"reporting serve --workers 2 to first /healthz: {serve * 1000:5.0f} ms (init done beforehand)")


if __name__ == "__main__":
    main()
