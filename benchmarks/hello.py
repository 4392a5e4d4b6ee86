"""A bare Starlette app answering "hello" on /, served by the same uvicorn as Afterglow (server/serve.py's socket
and settings): the benchmark's external anchor, which no change to Afterglow can speed up or slow down.

    python benchmarks/hello.py PORT [WORKERS]
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from uvicorn.supervisors import Multiprocess

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


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


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
