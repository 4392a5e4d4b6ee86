"""Serve with uvicorn on a listening socket we create ourselves.

uvicorn's own multi-worker socket is created without IPPROTO_TCP, so asyncio never sets TCP_NODELAY on accepted
connections and keep-alive responses wait ~40 ms on Nagle + delayed ACK. Creating the socket with the
protocol given makes asyncio set TCP_NODELAY in every worker.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from server.settings import Settings
from server.templating import precompile


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings) -> None:
    config = uvicorn.Config(
        "afterglow:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=max(1, settings.web_concurrency),
        proxy_headers=False,  # the client address is taken in server.web.client_ip, from TRUSTED_PROXIES only
        server_header=False,
        date_header=False,
    )
    sock = listening_socket(settings.host, settings.port)
    precompile(settings.var_dir / "templates")  # once here, so each worker loads compiled templates
    print(f"Afterglow serving on http://{settings.host}:{settings.port} with {config.workers} worker(s)", flush=True)
    if config.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
