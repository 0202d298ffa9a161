"""Modules a route table names without importing them yet.

Registering routes needs the request and response models, not the services behind them: a
blueprint names its services with `deferred(...)`, and each is imported on its first attribute use
(the first request that calls it). `import app` then loads no PynamoDB or botocore, and a cold
start of a stream or schedule function never pays for the routes' services. Types are unchanged:
the same modules are imported for the type checker under `TYPE_CHECKING`.
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class DeferredModule(ModuleType):
    """A stand-in for a module, imported (once: Python's import lock makes it thread-safe) the first
    time one of its attributes is read."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_deferred_name"] = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__dict__["_deferred_name"]), attr)


def deferred(package: str, *names: str) -> tuple[DeferredModule, ...]:
    """Stand-ins for `package.<name>` of each name, in order."""
    return tuple(DeferredModule(f"{package}.{name}") for name in names)
