"""Serving the simulator with uvicorn: in a background thread (tests) or blocking (demo server).

uvicorn comes with the ``server`` extra (``pip install 'budgettui[server]'``); without it,
importing this module raises ``ModuleNotFoundError`` for ``uvicorn``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from budgettui.simulator.app import create_app
from budgettui.simulator.faults import Faults
from budgettui.simulator.store import Store


class _ThreadServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the main thread."""

    def install_signal_handlers(self) -> None:
        return


@contextmanager
def serve_in_thread(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    tls: tuple[Path, Path] | None = None,
) -> Iterator[str]:
    """Serve ``app`` on ``host:port`` (0 = a free port) in a thread; yield its base URL.
    ``tls`` = (certificate, private key) files serves HTTPS instead of HTTP."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="critical",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        timeout_keep_alive=1,
        ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
    )
    server = _ThreadServer(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="sim-uvicorn"
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the simulator server did not start")
        time.sleep(0.01)
    try:
        yield f"{'https' if tls else 'http'}://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def run_server(
    store: Store, faults: Faults | None, host: str = "127.0.0.1", port: int = 4000
) -> None:
    """Serve the simulator until interrupted (``budgettui demo-server``)."""
    uvicorn.run(create_app(store, faults), host=host, port=port, log_level="info")
