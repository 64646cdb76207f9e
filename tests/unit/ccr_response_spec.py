"""CCR (specs/ccr.py) with bounded failover times, for the engine tests of
response properties: PROTOCOL.md's FailoverTime with a bound in ticks. The model
and the trigger are the bundled ones; only the properties are new."""
import importlib.util
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]


def _load(path, name):
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


_model = _load(_ROOT / "specs" / "ccr.py", "ccr_response_model")
_props = _load(_ROOT / "properties" / "ccr.py", "ccr_response_properties")
spec = _model.spec


def _caught_up(s):
    return _props._failover_trigger(s, caught_up=True), _props._someone_serves(s)


def _general(s):
    return _props._failover_trigger(s, caught_up=False), _props._someone_serves(s)


for _bound in (1, 2, 3):
    spec.response(f"CaughtUpWithin{_bound}", f"A caught-up passive copy serves within "
                  f"{_bound} ticks of its peer's crash.", within=_bound)(_caught_up)

spec.response("CaughtUpTime", "The worst case failover time of a caught-up copy "
              "(measured).")(_caught_up)
spec.response("GeneralWithin2", "Any passive copy serves within 2 ticks of its peer's "
              "crash (a lagging one never does: mount_dial = 0).", within=2)(_general)
