"""Which source files a model depends on, for the results store's key.

A stored verdict may be reused only while every file that shaped the model is
unchanged: the spec, its properties file, and every module of the user's own
that they import, directly or through other modules. `dependencies` finds them
from the loaded modules (what each module's globals refer to, transitively)
plus the modules that appeared while the spec was imported; installed
packages and the standard library are left out (their versions do not change
under a sweep), and ccrverify itself is covered by `engine_hash`. When a
dependency has no readable file, the store cannot know whether it changed:
`Sources.unknowable` then says why, and callers must not reuse results.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Sources:
    files: tuple[str, ...]
    unknowable: str = ""  # why the dependencies cannot be known ("" when they can)

    def digest(self) -> str:
        """A hash of every file's content; "" when the sources are unknowable."""
        if self.unknowable:
            return ""
        h = hashlib.sha256()
        for path in self.files:
            h.update(path.encode() + b"\0")
            try:
                h.update(Path(path).read_bytes())
            except OSError:
                return ""
            h.update(b"\0")
        return h.hexdigest()[:16]


def _installed_roots() -> list[str]:
    paths = sysconfig.get_paths()
    roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    roots |= {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return sorted(os.path.realpath(r) + os.sep for r in roots)


def _is_own(path: str, installed: list[str]) -> bool:
    real = os.path.realpath(path)
    if real.startswith(str(PACKAGE_DIR) + os.sep):
        return False  # ccrverify itself: see engine_hash
    return not any(real.startswith(root) for root in installed)


def dependencies(modules: Iterable[ModuleType], also: Iterable[str] = ()) -> Sources:
    """The user's source files behind these modules (and the modules named in `also`,
    e.g. those imported while the spec loaded), followed transitively."""
    installed = _installed_roots()
    todo = list(modules) + [sys.modules[n] for n in also if n in sys.modules]
    seen: set[int] = set()
    files: set[str] = set()
    while todo:
        module = todo.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        path = getattr(module, "__file__", None)
        if path is None:
            if module.__name__ in sys.builtin_module_names or module.__name__ == "__main__":
                continue
            spec = getattr(module, "__spec__", None)
            if spec is not None and spec.origin in ("built-in", "frozen"):
                continue
            return Sources((), f"module {module.__name__} has no source file")
        if not _is_own(path, installed):
            continue
        if not os.path.isfile(path):
            return Sources((), f"the source of module {module.__name__} ({path}) is not readable")
        files.add(os.path.realpath(path))
        for value in list(vars(module).values()):
            todo.extend(_modules_behind(value))
    return Sources(tuple(sorted(files)))


def _modules_behind(value: object) -> list[ModuleType]:
    if isinstance(value, ModuleType):
        return [value]
    if inspect.isfunction(value) or inspect.isclass(value):
        module = sys.modules.get(getattr(value, "__module__", "") or "")
        return [module] if module is not None else []
    return []


@functools.cache
def engine_hash() -> str:
    """A hash of ccrverify's own sources: an edited engine never reuses old verdicts."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]
