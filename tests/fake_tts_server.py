"""A small real HTTP server speaking OpenAI's /v1/audio/speech protocol, for tests.

Run as its own process: `python tests/fake_tts_server.py` prints `PORT <n>` and serves on
127.0.0.1 until killed (or after --max-seconds). It answers every speech request with real
speech: the `input` text read by espeak-ng (voice from --espeak-voice), resampled to 24 kHz
like OpenAI's WAV output, so the client's alignment runs on real audio.

    POST /control/enqueue   {"responses": [ITEM, ...]}  raw replies used (in order) before speech
    POST /control/reset     forget queued replies and the request log
    GET  /control/requests  {"requests": [{"path", "headers", "body"}, ...]}

An ITEM is {"status": 401, "body": {...}}, or {"wav": "unknown_length"} (real speech whose WAV
header gives no length, as streaming servers write it).
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import tempfile
import wave
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import numpy as np

try:  # run as a script (tests/ is on sys.path) or imported as tests.fake_tts_server
    from fake_http import Scripted, read_body, serve
except ImportError:  # pragma: no cover
    from tests.fake_http import Scripted, read_body, serve

RATE = 24_000
STATE = Scripted()
_VOICE = {"espeak": "en-us"}


def speech_wav(text: str, unknown_length: bool = False) -> bytes:
    """`text` spoken by espeak-ng, as a 16-bit mono 24 kHz WAV file's bytes."""
    from ad2video.backends.tts_espeak import EspeakTTS

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "s.wav"
        EspeakTTS().synthesize(text, _VOICE["espeak"], 175, wav)
        with wave.open(str(wav), "rb") as w:
            rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    t_new = np.arange(round(pcm.size * RATE / rate)) / RATE
    out = np.interp(t_new, np.arange(pcm.size) / rate, pcm).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(out.tobytes())
    data = bytearray(buf.getvalue())
    if unknown_length:  # RIFF and data sizes as a streaming server writes them
        data[4:8] = struct.pack("<I", 0xFFFFFFFF)
        data[40:44] = struct.pack("<I", 0xFFFFFFFF)
    return bytes(data)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the log API
        pass

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        answer = STATE.control("GET", self.path, None)
        self._send(*(answer or (404, {"error": {"message": f"no such path {self.path}"}})))

    def do_POST(self) -> None:
        body = read_body(self)
        answer = STATE.control("POST", self.path, body)
        if answer is not None:
            self._send(*answer)
            return
        item = STATE.record(self, body)
        if self.path != "/v1/audio/speech":
            self._send(404, {"error": {"message": f"no such path {self.path}"}})
        elif "status" in item:
            self._send(item["status"], item.get("body", {}))
        elif not isinstance(body, dict) or not body.get("input"):
            self._send(400, {"error": {"message": "input is required"}})
        else:
            wav = speech_wav(body["input"], item.get("wav") == "unknown_length")
            self._send(200, wav, "audio/wav")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--espeak-voice", default="en-us")
    args = parser.parse_args()
    _VOICE["espeak"] = args.espeak_voice
    serve(Handler, args.max_seconds)


if __name__ == "__main__":
    main()
