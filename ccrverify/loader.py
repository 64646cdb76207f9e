"""Finding and loading specs, their property modules and configuration files.

A spec is a Python file (or a bundled model name such as ``ccr`` or
``examples/diehard``) that defines one `Spec`. Its properties are the spec's
own invariants plus those of ``properties/<same path>.py`` when that file
exists (``specs/ccr.py`` -> ``properties/ccr.py``). A configuration is a TOML
file naming the model and setting knobs::

    model = "ccr"
    description = "Exchange defaults with a lossy mount dial"
    [knobs]
    mount_dial = 6
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tomllib
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ccrverify.errors import Location, SpecError, UsageError
from ccrverify.lang.spec import PropertySet, Spec
from ccrverify.model import Model
from ccrverify.sources import Sources, dependencies

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Config:
    path: Path
    model: str
    description: str
    knobs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedSpec:
    path: Path
    spec: Spec
    property_sets: tuple[PropertySet, ...]
    sources: Sources = Sources(())  # every project file the model depends on

    def build(self, knobs: Mapping[str, Any] | None = None,
              symbolic: Mapping[str, tuple[int, int]] | None = None) -> Model:
        model = self.spec.build(knobs, self.property_sets, symbolic)
        # The store's key: "" when a dependency cannot be known (then nothing is reused).
        return replace(model, source_hash=self.sources.digest())


def bundled_models() -> list[str]:
    specs = REPO_ROOT / "specs"
    if not specs.is_dir():
        return []
    # A model's own folder (specs/ccr/ beside specs/ccr.py) holds its configurations
    # and helpers, not models.
    return sorted(str(p.relative_to(specs).with_suffix("")) for p in specs.rglob("*.py")
                  if not p.name.startswith("_")
                  and not any(d.with_suffix(".py").is_file() for d in p.parents
                              if d != specs and specs in d.parents))


def resolve_spec(name: str, near: Path | None = None) -> Path:
    """A spec path from a path or a bundled model name."""
    candidates = [Path(name)]
    if not name.endswith(".py"):
        for base in ([near, near.parent] if near else []) + [Path("specs"), REPO_ROOT / "specs"]:
            candidates.append(base / f"{name}.py")
    for path in candidates:
        if path.is_file():
            return path
    if Path(name).is_dir():
        inside = sorted(p.name for p in Path(name).glob("*.py"))[:8]
        raise UsageError(f"{name} is a directory, not a spec file",
                         hint="name a spec file" + (": " + ", ".join(inside) if inside else ""))
    raise UsageError(f"no spec {name!r}: no such file and no bundled model of that name",
                     hint="bundled: " + ", ".join(bundled_models()))


def load(spec_arg: str) -> LoadedSpec:
    path = resolve_spec(spec_arg)
    before = set(sys.modules)
    module = _import(path)
    specs = [v for v in vars(module).values() if isinstance(v, Spec)]
    if len(specs) != 1:
        raise SpecError(f"a spec module must define exactly one Spec; found {len(specs)}",
                        Location(str(path.resolve()), 1), "spec = Spec('Name')")
    props_path = properties_path(path)
    psets: list[PropertySet] = []
    modules = [module]
    if props_path is not None:
        pmod = _import(props_path)
        modules.append(pmod)
        psets = [v for v in vars(pmod).values()
                 if isinstance(v, PropertySet) and not isinstance(v, Spec)]
    sources = dependencies(modules, also=set(sys.modules) - before)
    return LoadedSpec(path, specs[0], tuple(psets), sources)


def properties_path(spec_path: Path) -> Path | None:
    parts = list(spec_path.resolve().parts)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == "specs":
            candidate = Path(*parts[:i], "properties", *parts[i + 1:])
            return candidate if candidate.is_file() else None
    return None


def _import(path: Path) -> Any:
    name = "ccrverify_user_" + re.sub(r"\W", "_", str(path.resolve()))
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise UsageError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except SyntaxError as err:
        raise SpecError(f"syntax error: {err.msg}",
                        Location(str(path.resolve()), err.lineno or 0)) from None
    except (SpecError, UsageError):
        raise
    except SystemExit as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if os.path.abspath(f.filename) == str(path.resolve())]
        raise SpecError(f"the module called sys.exit({exc.code!r}) while loading",
                        Location(str(path.resolve()), (frames[-1].lineno if frames else 1) or 1),
                        "a spec must not exit; remove the call") from None
    except Exception as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if os.path.abspath(f.filename) == str(path.resolve())]
        line = frames[-1].lineno if frames else 1
        raise SpecError(f"{type(exc).__name__}: {exc}",
                        Location(str(path.resolve()), line or 1),
                        "the module failed while loading") from None
    return module


# -- configurations ---------------------------------------------------------------
def load_config(path_arg: str) -> Config:
    path = Path(path_arg)
    if not path.is_file():
        raise UsageError(f"no configuration file {path_arg!r}")
    text = _utf8_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or _line_from_message(str(err))
        raise SpecError(f"malformed TOML: {str(err).split(' (at')[0]}",
                        Location(str(path.resolve()), line),
                        "see https://toml.io for the syntax") from None
    allowed = {"model", "description", "knobs"}
    for key in data:
        if key not in allowed:
            raise SpecError(f"unknown key {key!r}", _key_location(path, text, key),
                            "a configuration has model, description and a [knobs] table")
    model = data.get("model")
    if not isinstance(model, str):
        raise SpecError("the configuration must name its model", Location(str(path.resolve()), 1),
                        'add model = "ccr"')
    knobs = data.get("knobs", {})
    if not isinstance(knobs, dict):
        raise SpecError("knobs must be a table", _key_location(path, text, "knobs"),
                        "write [knobs] and one knob = value per line")
    return Config(path, model, str(data.get("description", "")), dict(knobs))


def _utf8_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise SpecError("the file is not UTF-8 text", Location(str(path.resolve()), line),
                        "TOML files are UTF-8; save it as UTF-8") from None


def _line_from_message(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 1


def _key_location(path: Path, text: str, key: str) -> Location:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*\[?\s*{re.escape(key)}\s*[=\]]", line):
            return Location(str(path.resolve()), number)
    return Location(str(path.resolve()), 1)


def resolve_knobs(loaded: LoadedSpec, config: Config | None, sets: Sequence[str]
                  ) -> dict[str, Any]:
    """Knob overrides from a configuration, then from --set, each checked."""
    spec = loaded.spec
    values: dict[str, Any] = {}
    if config is not None:
        text = _utf8_text(config.path)
        for name, value in config.knobs.items():
            try:
                values[name] = value
                spec.knob_values({name: value})
            except UsageError as err:
                raise SpecError(err.message, _key_location(config.path, text, name),
                                err.hint) from None
    for item in sets:
        if "=" not in item:
            raise UsageError(f"--set {item!r}: expected KNOB=VALUE")
        name, text_value = (part.strip() for part in item.split("=", 1))
        if name not in spec.knobs:
            spec.knob_values({name: 0})  # raises the unknown-knob error with a hint
        values[name] = spec.knobs[name].parse(text_value)
    spec.knob_values(values)
    return values


def spec_for_config(config: Config) -> str:
    """The spec a configuration names, resolved next to the configuration first."""
    return str(resolve_spec(config.model, near=config.path.resolve().parent))
