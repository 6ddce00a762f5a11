"""Errors a user can cause. The CLI prints `error: <message>` on one line and exits 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or environment: reported as one line, exit code 2, never a traceback."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        # One line, whatever the cause text held.
        return " ".join(self.message.split())


class RenderError(UserError):
    """ffmpeg (or another external tool) failed: the message carries its last stderr line."""
