"""Serving the dashboard with uvicorn inside an event loop the caller owns (PTB's
customwebhookbot/starlettebot.py does the same), on a socket bound beforehand, so a taken
port is a plain OSError and not uvicorn's exit."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

# The bot's event loop and the dashboard's worker threads (figures, charts, SQLite) share
# one interpreter lock: handing it back to the loop every millisecond rather than every
# five keeps a resident's update from waiting behind a chart being drawn.
SWITCH_INTERVAL = 0.001


class _Quiet(uvicorn.Server):
    """uvicorn leaves signals to the caller: it would otherwise take SIGINT and SIGTERM and
    raise them again once it stops, before the bot has closed its database."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Server:
    def __init__(self, app: Starlette, sock: socket.socket) -> None:
        # No access log: a sign-in link's path is a secret until it is used.
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        self.server = _Quiet(config)
        self.sock = sock

    @property
    def started(self) -> bool:
        return bool(self.server.started)

    async def serve(self) -> None:
        await self.server.serve(sockets=[self.sock])

    def stop(self) -> None:
        self.server.should_exit = True


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to the dashboard's address (OSError if it is taken)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock
