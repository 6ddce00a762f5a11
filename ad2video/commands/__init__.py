"""Extra CLI commands, one module each, discovered at start-up.

A module here defines `register(app: typer.Typer) -> None` and adds its command(s) to the app,
so a new command is one new file and never an edit of cli.py.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
