"""Serving the app with uvicorn: small, quick workers and sockets that answer without delay.

- ``TCP_NODELAY`` on the listening socket (Linux hands it on to every accepted connection). uvicorn binds
  the socket itself with ``--workers N``, and asyncio only sets the option on sockets whose protocol is
  ``IPPROTO_TCP`` (uvicorn's is 0): without it every keep-alive response waits ~40 ms for a delayed ACK.
- h11 with a bound on a request head that arrives in pieces (``web.request_limits`` bounds whole heads).
- One in-memory seed for the client-address keys, shared by all workers (``web.address_keys``).
- A generous worker health-check timeout: a worker busy with Argon2id under load is not a dead worker.
This module is what a worker process imports besides the app: it must stay free of the CLI.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from reporting.web.address_keys import share_seed_with_workers

APP_FACTORY = "reporting.app:create_app_from_env"
MAX_REQUEST_HEAD_BYTES = 16 * 1024
WORKER_HEALTHCHECK_SECONDS = 30
KEEP_ALIVE_SECONDS = 5


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration, with ``TCP_NODELAY`` on every TCP socket it binds."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def server_config(*, host: str, port: int, workers: int, log_config: dict[str, Any]) -> ServerConfig:
    return ServerConfig(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="h11",
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        log_config=log_config,
    )


def run_server(config: ServerConfig) -> None:
    """Bind once, then serve in this process or in ``config.workers`` worker processes."""
    share_seed_with_workers()
    sock = config.bind_socket()
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
