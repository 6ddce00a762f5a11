"""Plumbing shared by the fake HTTP servers the tests run as real processes.

A fake server is a script that serves on 127.0.0.1, prints `PORT <n>` and stops by itself after
--max-seconds. Tests script its replies through a small control API:

    POST /control/enqueue   {"responses": [ITEM, ...]}   replies used in order
    POST /control/reset     forget queued replies and the request log
    GET  /control/requests  {"requests": [{"path", "headers", "body"}, ...]}
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Scripted:
    """The replies a test queued and the requests the server saw (shared by handler threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: deque[dict[str, Any]] = deque()
        self.log: list[dict[str, Any]] = []

    def record(self, handler: BaseHTTPRequestHandler, body: Any) -> dict[str, Any]:
        """Log one request and take the next queued reply ({} when none is queued)."""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.log.append({"path": handler.path, "headers": headers, "body": body})
            return self.queue.popleft() if self.queue else {}

    def control(self, method: str, path: str, body: Any) -> tuple[int, Any] | None:
        """Answer a /control/* request; None when `path` is not one."""
        with self.lock:
            if method == "GET" and path == "/control/requests":
                return 200, {"requests": list(self.log)}
            if method == "POST" and path == "/control/enqueue":
                self.queue.extend(body["responses"])
                return 200, {"queued": len(self.queue)}
            if method == "POST" and path == "/control/reset":
                self.queue.clear()
                self.log.clear()
                return 200, {"ok": True}
        return None


def read_body(handler: BaseHTTPRequestHandler) -> Any:
    """The request body as JSON, or as text when it is not JSON (protobuf, malformed)."""
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode("utf-8", "replace")


def serve(handler: type[BaseHTTPRequestHandler], max_seconds: float, port: int = 0) -> None:
    """Serve until killed or until `max_seconds` have passed (a test run never leaks it)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    timer = threading.Timer(max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
    sys.exit(0)


@contextmanager
def spawn(script: Path, *args: str) -> Iterator[int]:
    """Start a fake server script as its own process and yield its port."""
    proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE,
                            text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("PORT "), f"fake server did not start: {line!r}"
        yield int(line.split()[1])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
