"""Each CCR action's guard and effect on hand-made states (PROTOCOL.md, Actions).

Every step is computed twice, by the reference interpreter and by the
generated kernel, and the two must agree."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from helpers import compiled

from ccrverify.compile import CompiledModel
from ccrverify.explicit.codegen import build_kernel
from ccrverify.state import decode_variables, encode_variables


class Harness:
    def __init__(self, model: CompiledModel) -> None:
        self.model = model
        self.kernel = build_kernel(model)
        self.labels = [a.label for a in model.actions]

    def initial(self, **changes: Any) -> dict[str, Any]:
        state = copy.deepcopy(decode_variables(self.model.model, self.model.init_values()[0]))
        for name, value in changes.items():
            if isinstance(value, dict):
                state[name].update(value)
            else:
                state[name] = value
        return state

    def step(self, state: dict[str, Any], label: str) -> dict[str, Any] | None:
        values = encode_variables(self.model.model, state)
        index = self.labels.index(label)
        interpreted = self.model.next_values(values, index)
        packed = self.model.layout.pack(values)
        generated = dict(self.kernel.successors(packed)).get(index)
        if interpreted is None:
            assert generated is None, f"kernel enables {label}, the interpreter does not"
            return None
        assert generated == self.model.layout.pack(interpreted), f"{label}: engines disagree"
        return decode_variables(self.model.model, interpreted)


@pytest.fixture(scope="module")
def h() -> Harness:
    return Harness(compiled("ccr.py"))


@pytest.fixture(scope="module")
def aged() -> Harness:
    return Harness(compiled("ccr.py", dumpster_size=2, dumpster_time=2, renew_grace=2))


def test_deliver(h: Harness) -> None:
    after = h.step(h.initial(), "Deliver(A,2)")
    assert after is not None
    assert after["log"]["A"] == (2,) and after["acked"][2] and after["dump"] == (2,)
    assert h.step(h.initial(), "Deliver(B,1)") is None  # B is passive
    assert h.step(h.initial(acked={1: True}), "Deliver(A,1)") is None
    assert h.step(h.initial(link={"AW": False}), "Deliver(A,1)") is None
    # A full dumpster (S = 1) evicts its oldest entry.
    full = h.initial(log={"A": (1,)}, acked={1: True}, dump=(1,))
    assert h.step(full, "Deliver(A,2)")["dump"] == (2,)  # type: ignore[index]


def test_deliver_with_ages(aged: Harness) -> None:
    state = aged.initial(log={"A": (1,)}, acked={1: True}, dump=(1,), age=(1,))
    after = aged.step(state, "Deliver(A,2)")
    assert after is not None and after["dump"] == (1, 2) and after["age"] == (1, 0)


def test_replicate_and_reseed(h: Harness) -> None:
    ahead = h.initial(log={"A": (2, 1)}, acked={1: True, 2: True})
    after = h.step(ahead, "Replicate(B)")
    assert after is not None and after["log"]["B"] == (2,) and after["known"]["B"] == 2
    assert h.step(ahead, "Reseed(B)") is None  # an empty log is a prefix
    assert h.step(ahead, "Replicate(A)") is None  # A is not passive
    assert h.step(dict(ahead, link={"AB": False, "AW": True, "BW": True}), "Replicate(B)") is None
    diverged = h.initial(log={"A": (2,), "B": (1,)}, acked={1: True, 2: True})
    assert h.step(diverged, "Replicate(B)") is None
    after = h.step(diverged, "Reseed(B)")
    assert after is not None and after["log"]["B"] == (2,) and after["known"]["B"] == 1


def test_tick_heartbeats_and_known(h: Harness) -> None:
    after = h.step(h.initial(log={"A": (1,)}), "Tick")
    assert after is not None
    assert after["missed"] == {"A": 0, "B": 0} and after["known"]["B"] == 1
    cut = h.initial(link={"AB": False}, missed={"B": 2})
    after = h.step(cut, "Tick")
    assert after is not None and after["missed"]["B"] == 2  # saturates at T
    assert after["missed"]["A"] == 1


def test_tick_renewal_and_witness_lease(h: Harness) -> None:
    # A loses its hub link: with G = 1 it gives up at once, the witness counts down.
    state = h.initial(link={"AW": False})
    after = h.step(state, "Tick")
    assert after is not None
    assert after["holds"]["A"] is False and after["rfail"]["A"] == 0
    assert after["owner"] == "A" and after["lease"] == 1
    after = h.step(after, "Tick")
    assert after is not None and after["owner"] == "none" and after["lease"] == 0


def test_tick_renewal_grace(aged: Harness) -> None:
    after = aged.step(aged.initial(link={"AW": False}), "Tick")
    assert after is not None and after["holds"]["A"] is True and after["rfail"]["A"] == 1


def test_tick_ageing_drops_old_dumpster_entries(aged: Harness) -> None:
    state = aged.initial(dump=(1, 2), age=(1, 0), acked={1: True, 2: True},
                         log={"A": (1, 2)})
    after = aged.step(state, "Tick")
    assert after is not None and after["dump"] == (2,) and after["age"] == (1,)


def test_tick_quorum_dismounts_a_lonely_active(h: Harness) -> None:
    lonely = h.initial(link={"AB": False, "AW": False}, missed={"A": 1})
    after = h.step(lonely, "Tick")
    assert after is not None
    assert after["role"]["A"] == "offline" and after["missed"]["A"] == 0
    assert h.step(h.initial(link={"AB": False}, missed={"A": 1}), "Tick")["role"][
        "A"] == "active"  # type: ignore[index]  # the witness vote keeps it


def test_claim_and_failover(h: Harness) -> None:
    waiting = h.initial(up={"A": False}, role={"A": "offline"}, holds={"A": False},
                        owner="none", lease=0, missed={"B": 2})
    after = h.step(waiting, "Claim(B)")
    assert after is not None and after["owner"] == "B" and after["holds"]["B"] is True
    assert after["lease"] == 2
    assert h.step(h.initial(missed={"B": 2}), "Claim(B)") is None  # the witness is taken
    after = h.step(after, "Failover(B)")
    assert after is not None and after["role"]["B"] == "active" and after["pend"]["B"]
    behind = dict(after, role={"A": "offline", "B": "passive"}, known={"A": 0, "B": 1})
    assert h.step(behind, "Failover(B)") is None  # one log missing > mount dial 0


def test_activate_prefers_the_longer_log_then_a(h: Harness) -> None:
    both = h.initial(role={"A": "passive", "B": "passive"})
    assert h.step(both, "Activate(A)") is not None
    assert h.step(both, "Activate(B)") is None
    longer_b = dict(both, log={"A": (), "B": (1,)})
    assert h.step(longer_b, "Activate(B)")["role"]["B"] == "active"  # type: ignore[index]
    assert h.step(longer_b, "Activate(A)") is None


def test_move_only_when_caught_up(h: Harness) -> None:
    after = h.step(h.initial(), "Move(A)")
    assert after is not None and after["role"] == {"A": "passive", "B": "active"}
    assert h.step(h.initial(log={"A": (1,)}), "Move(A)") is None
    assert h.step(h.initial(pend={"A": True}), "Move(A)") is None
    no_handoff = Harness(compiled("ccr.py", handoff=False))
    assert "Move(A)" not in no_handoff.labels


def test_resubmit_appends_missing_dumpster_entries(aged: Harness) -> None:
    state = aged.initial(role={"A": "passive", "B": "active"}, pend={"B": True},
                         log={"A": (1, 2), "B": (2,)}, dump=(1, 2), age=(0, 0),
                         acked={1: True, 2: True})
    after = aged.step(state, "Resubmit(B)")
    assert after is not None and after["log"]["B"] == (2, 1) and after["pend"]["B"] is False
    assert aged.step(dict(state, link={"AB": True, "AW": True, "BW": False}),
                     "Resubmit(B)") is None


def test_crash_restart_rejoin(h: Harness) -> None:
    after = h.step(h.initial(log={"A": (1,)}, known={"A": 1}), "Crash(A)")
    assert after is not None
    assert (after["up"]["A"], after["role"]["A"], after["holds"]["A"]) == (False, "offline",
                                                                         False)
    assert after["log"]["A"] == (1,) and after["known"]["A"] == 1 and after["faults"] == 1
    assert h.step(h.initial(faults=0), "Crash(A)") is None
    assert h.step(after, "Rejoin(A)") is None  # still down
    after = h.step(after, "Restart(A)")
    assert after is not None and after["up"]["A"] and after["role"]["A"] == "offline"
    after = h.step(dict(after, missed={"A": 0, "B": 1}), "Rejoin(A)")
    assert after is not None and after["role"]["A"] == "passive"
    assert after["missed"] == {"A": 0, "B": 0}


def test_form_pair_and_form_alone(h: Harness) -> None:
    offline = h.initial(role={"A": "offline", "B": "offline"}, holds={"A": False},
                        owner="none", lease=0)
    after = h.step(offline, "FormPair")
    assert after is not None and after["role"] == {"A": "passive", "B": "passive"}
    after = h.step(offline, "FormAlone(B)")
    assert after is not None and after["owner"] == "B" and after["missed"]["B"] == 2
    assert after["role"]["B"] == "passive" and after["lease"] == 2
    assert h.step(dict(offline, owner="A", lease=1), "FormAlone(B)") is None


def test_cut_and_heal(h: Harness) -> None:
    after = h.step(h.initial(), "Cut(AW)")
    assert after is not None and after["link"]["AW"] is False and after["faults"] == 1
    assert h.step(h.initial(faults=0), "Cut(AW)") is None
    assert h.step(h.initial(), "Heal(AW)") is None
    assert h.step(after, "Heal(AW)")["link"]["AW"] is True  # type: ignore[index]
