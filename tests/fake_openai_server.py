"""A small real HTTP server speaking the OpenAI chat-completions protocol, for tests.

Run as its own process: `python tests/fake_openai_server.py` prints `PORT <n>` and serves on
127.0.0.1 until killed (or after --max-seconds). Each test scripts the replies:

    POST /control/enqueue   {"responses": [ITEM, ...]}   replies are used in order
    POST /control/reset     forget queued replies and the request log
    POST .../v1/traces      an OTLP/HTTP trace export: logged (its size only) and accepted
    GET  /control/requests  {"requests": [{"path", "headers", "body"}, ...]}

An ITEM is {"content": "..."} (a normal completion with that message text), or a raw reply
{"status": 429, "body": {...} or "text", "headers": {...}}; either may add "sleep": seconds
(answer late, e.g. past the client's time-out) and "usage": {"prompt_tokens", ...}.
With nothing queued, a completion request gets a 500 naming the problem.
"""

from __future__ import annotations

import argparse
import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

try:  # run as a script (tests/ is on sys.path) or imported as tests.fake_openai_server
    from fake_http import Scripted, read_body, serve
except ImportError:  # pragma: no cover
    from tests.fake_http import Scripted, read_body, serve

STATE = Scripted()


def completion(content: str, model: str, usage: dict[str, int] | None = None) -> dict:
    usage = usage or {"prompt_tokens": 100, "completion_tokens": 50}
    usage = {**usage, "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"]}
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": 1700000000,
        "model": model, "usage": usage,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the log API
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (time-out test)
            pass

    def do_GET(self) -> None:
        answer = STATE.control("GET", self.path, None)
        self._send(*(answer or (404, {"error": {"message": f"no such path {self.path}"}})))

    def do_POST(self) -> None:
        body = read_body(self)
        answer = STATE.control("POST", self.path, body)
        if answer is not None:
            self._send(*answer)
        elif self.path.endswith("/chat/completions"):
            self._complete(body)
        elif self.path.endswith("/v1/traces"):  # an OTLP/HTTP collector: log and accept
            with STATE.lock:
                STATE.log.append({"path": self.path, "headers": dict(self.headers),
                                  "body": {"bytes": len(str(body))}})
            self._send(200, b"")
        else:
            self._send(404, {"error": {"message": f"no such path {self.path}"}})

    def _complete(self, body: Any) -> None:
        item = STATE.record(self, body)
        if not item:
            self._send(500, {"error": {"message": "fake server: no scripted response"}})
            return
        time.sleep(float(item.get("sleep", 0)))
        model = body.get("model", "fake") if isinstance(body, dict) else "fake"
        if "content" in item:
            self._send(200, completion(item["content"], model, item.get("usage")))
        else:
            self._send(int(item.get("status", 200)), item.get("body", ""), item.get("headers"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=1800,
                        help="stop by itself after this long, whatever happens")
    args = parser.parse_args()
    serve(Handler, args.max_seconds, args.port)


if __name__ == "__main__":
    main()
