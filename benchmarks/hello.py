"""A bare Starlette app answering "hello" on /, served by the same uvicorn as Afterglow (server/serve.py's socket
and settings): the benchmark's external anchor, which no change to Afterglow can speed up or slow down.

    python benchmarks/hello.py PORT [WORKERS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from uvicorn.supervisors import Multiprocess

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def hello(_request: Request) -> Response:
    return PlainTextResponse("hello")


def create_app() -> Starlette:
    return Starlette(routes=[Route("/", hello)])


def main(port: int, workers: int) -> None:
    from server.serve import listening_socket

    config = uvicorn.Config(
        "benchmarks.hello:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        date_header=False,
    )
    sock = listening_socket("127.0.0.1", port)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


@contextmanager
def running(port: int, workers: int) -> Iterator[str]:
    """This app served in its own process(es) on `port` until the block ends; yields its URL once it answers."""
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), str(port), str(workers)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                if httpx.get(base).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
