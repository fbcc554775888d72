"""Heavy libraries imported on first use, so that building the app stays fast.

Every gunicorn worker and every `confapp` command builds the whole app (all blueprints,
so all views and the services they import); a library that only some requests need
(calendar files, QR codes, Markdown) should cost nothing until one of them comes.
``icalendar = lazy_import("icalendar")`` gives a module whose contents load at the first
attribute access. Plain ``import`` lines elsewhere then get the same module object.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """The module `name`, loaded when one of its attributes is first used."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
