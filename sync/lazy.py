"""Names a package exports without importing their modules until first use.

``import sync`` (and ``sync.jobmojito``, ``sync.dispatch``) must stay cheap: the
sandbox process, the Airflow scheduler parsing a DAG file and ``--help`` should
not pay for httpx, pandas or the client's models. A package lists which module
holds each name and gets a module ``__getattr__`` (PEP 562) that imports it on
first access::

    __getattr__ = lazy_exports(__name__, {"sync.run": ("run_sync", "SyncReport")})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(package: str, modules: Mapping[str, Iterable[str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``modules`` maps a module (absolute, or
    relative to ``package`` with a leading dot) to the names it provides."""
    owner: dict[str, str] = {}
    for module, names in modules.items():
        path = package + module if module.startswith(".") else module
        for name in names:
            owner[name] = path

    def __getattr__(name: str) -> Any:
        module = owner.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__


__all__ = ["lazy_exports"]
