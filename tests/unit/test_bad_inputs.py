"""The bad-input corpus (tests/badinput/): every mistake a user can make ends in
one clear line naming the file, the place and the fix, with exit status 2 and
no traceback; hard conditions (a closed pipe, a non-UTF-8 terminal, Ctrl-C)
never change or lose the verdict."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

BAD = ROOT / "tests" / "badinput"
CCR = str(ROOT / "specs" / "ccr.py")
CLI = [sys.executable, "-m", "ccrverify.cli"]


def one_line_error(err: str, file: str | None, *words: str) -> str:
    """The error line, checked: one line, the file and line when given, the words."""
    assert "Traceback" not in err and "internal error" not in err, err
    line = err.splitlines()[0]
    assert line.startswith("ccrverify: error: "), err
    if file is not None:
        assert re.search(rf"{re.escape(file)}:\d+: ", line), line
    for word in words:
        assert word in line, line
    return line


# -- mistakes in specs: exit 2, file:line, a fix ------------------------------------------
SPEC_MISTAKES = [
    ("no_initial_state.py", ["no initial state", "give OneOf"]),
    ("action_parameter_mismatch.py", ["declared with parameters (n)", "def inc(s, n)"]),
    ("action_parameter_not_a_collection.py", ["n=3 is not a collection", "n=nodes"]),
    ("init_missing_key.py", ["no value for 'B'", "one value per key"]),
    ("exits_while_loading.py", ["sys.exit(3)"]),
    ("exits_while_building.py", ["sys.exit(0)"]),
    ("enum_compared_with_int.py", ["Role value is compared with the integer 0", "active"]),
    ("seq_append_bool.py", ["holds integers; got a condition"]),
    ("knob_default_out_of_range.py", ["default 7 is outside its own range 1..5"]),
    ("knob_default_string.py", ["'three' is not an integer"]),
    ("intrange_float.py", ["bounds must be integers"]),
    ("integer_invariant.py", ["must return a condition, got an integer expression"]),
    ("python_if_on_state.py", ["Python `if`", "ite("]),
    ("constant_property.py", ["names no state variable"]),
    ("syntax_error.py", ["syntax error"]),
    ("two_specs.py", ["exactly one Spec"]),
]


@pytest.mark.parametrize(("name", "words"), SPEC_MISTAKES, ids=[m[0] for m in SPEC_MISTAKES])
@pytest.mark.parametrize("command", ["check", "prove", "explore"])
def test_spec_mistakes_are_one_located_line(name: str, words: list[str], command: str) -> None:
    status, out, err = run_cli(command, str(BAD / name))
    assert status == 2, err
    assert out == ""
    one_line_error(err, name, *words)


# -- evaluation errors: every engine reports them with the trace -------------------------
UNDEFINED = [
    ("map_key_outside_index.py", "v[2] is read, but 2 is not a key of I", 2),
    ("owner_none_key.py", "up['none'] is read", 1),
    ("seq_read_past_length.py", "q[0] is read past the sequence's length", 0),
    ("division_by_zero.py", "division by 0", 2),
    ("out_of_domain_update.py", "x would become 3, outside 0..2", 2),
]
ENGINES = [("check", "--backend", "python"), ("check", "--backend", "numpy"),
           ("check", "--backend", "numpy", "--workers", "2"),
           ("prove", "--method", "bmc"), ("prove", "--method", "pdr"),
           ("prove", "--method", "kind"), ("prove", "--method", "mined"),
           ("explore", "--seed", "0")]


@pytest.mark.parametrize(("name", "words", "steps"), UNDEFINED, ids=[u[0] for u in UNDEFINED])
@pytest.mark.parametrize("engine", ENGINES, ids=[" ".join(e) for e in ENGINES])
def test_undefined_reads_are_errors_with_a_trace(name: str, words: str, steps: int,
                                                 engine: tuple[str, ...]) -> None:
    status, out, err = run_cli(engine[0], str(BAD / name), *engine[1:])
    assert status == 2, out + err
    one_line_error(err, name, words)
    assert "The state where it happens" in err
    if engine[0] != "explore":  # shortest: the explicit engine and BMC-based searches
        assert (f"reached by {steps} action" in err) if steps else "an initial state" in err


@pytest.mark.slow  # over 20 s on two busy cores; run with -m slow
def test_guarded_reads_are_fine_on_every_engine() -> None:
    for engine in ENGINES:
        status, out, err = run_cli(engine[0], str(BAD / "guarded_reads.py"), *engine[1:])
        assert status in (0, 3), (engine, err)
        assert "error" not in err


def test_a_fold_200_deep_runs_on_both_backends() -> None:
    for backend in ("python", "numpy"):
        status, out, err = run_cli("check", str(BAD / "deep_fold.py"), "--backend", backend)
        assert status == 1, err
        assert "Below" in out and "240 actions" in out


# -- configurations and options ------------------------------------------------------------
CONFIG_MISTAKES = [
    ("latin1.toml", ["not UTF-8"]),
    ("unknown_key.toml", ["unknown key 'extra'"]),
    ("malformed.toml", ["malformed TOML"]),
    ("bad_knob_value.toml", ["'two' is not an integer"]),
]


@pytest.mark.parametrize(("name", "words"), CONFIG_MISTAKES, ids=[m[0] for m in CONFIG_MISTAKES])
def test_configuration_mistakes(name: str, words: list[str]) -> None:
    status, _, err = run_cli("check", str(BAD / name))
    assert status == 2
    one_line_error(err, name, *words)


OPTION_MISTAKES = [
    (["check", CCR, "--set", "messages=100000000000000000000"], "too large"),
    (["check", CCR, "--set", "messages=100000"], "too large"),
    (["check", CCR, "--set", "nope=1"], "unknown knob"),
    (["check", CCR, "--set", "messages=0"], "out of range"),
    (["check", CCR, "--property", "Nope"], "unknown property"),
    (["check", str(ROOT / "specs")], "is a directory"),
    (["check", CCR, "--max-states", "0"], "--max-states"),
    (["report", CCR, "--out", "x.md", "--max-states", "0"], "--max-states"),
    (["report", CCR, "--out", "x.txt"], "suffix"),
    (["graph", CCR, "--out", "x.png"], "suffix"),
    (["prove", CCR, "--timeout", "0"], "--timeout"),
    (["sweep", CCR, "--grid", "renew_grace=3..1"], ""),
    (["prove", CCR, "--symbolic", "messages=1..2"], "structural"),
]


@pytest.mark.parametrize(("argv", "words"), OPTION_MISTAKES, ids=[" ".join(a[:1] + a[2:])
                                                                   for a, _ in OPTION_MISTAKES])
def test_option_mistakes(argv: list[str], words: str) -> None:
    status, out, err = run_cli(*argv)
    assert status == 2, err
    one_line_error(err, None, words)


# -- outputs are checked before the work ----------------------------------------------------
OUTPUTS = [
    ["prove", CCR, "--property", "NoSplitBrain", "--method", "pdr", "--certificate",
     "missing/cert.smt2"],
    ["synthesize", CCR, "--property", "NoSplitBrain", "--knob", "renew_grace=1..2",
     "--certificates", "{file}"],
    ["sweep", CCR, "--grid", "renew_grace=1..2", "--no-store", "--out", "missing/x.json"],
    ["graph", CCR, "--out", "missing/x.dot"],
    ["report", CCR, "--out", "{dir}"],
    ["report", CCR, "--out", "a-file/x.md"],
]


@pytest.mark.parametrize("argv", OUTPUTS, ids=[a[0] for a in OUTPUTS])
def test_output_paths_are_checked_before_the_work(argv: list[str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("")
    (tmp_path / "a-dir.md").mkdir()
    argv = [a.replace("{file}", "a-file").replace("{dir}", "a-dir.md") for a in argv]
    started = time.perf_counter()
    status, out, err = run_cli(*argv)
    assert status == 2, err
    one_line_error(err, None)
    assert time.perf_counter() - started < 10  # refused at once, not after a proof


def test_results_out_checked_and_never_the_store(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    status, _, _ = run_cli("sweep", CCR, "--grid", "renew_grace=1..2", "--store", str(store))
    assert status == 0
    before = store.read_bytes()
    status, _, err = run_cli("sweep", CCR, "--grid", "renew_grace=1..2", "--store", str(store),
                             "--out", str(store))
    assert status == 2 and "results store" in err
    status, _, err = run_cli("results", "--store", str(store), "--out", str(store))
    assert status == 2 and "results store" in err
    status, _, err = run_cli("results", "--store", str(store), "--out",
                             str(tmp_path / "missing" / "x.csv"))
    assert status == 2 and "does not exist" in err
    assert store.read_bytes() == before


def test_a_failed_write_keeps_the_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    """A write that fails after the work (disk full) still prints the verdict."""
    from ccrverify import outputs

    monkeypatch.setattr(outputs.Path, "write_text", _disk_full)
    cert = tmp_path / "cert.smt2"
    status, out, err = run_cli("prove", str(ROOT / "specs/examples/diehard.py"), "--method",
                               "bmc", "--depth", "8", "--certificate", str(cert))
    assert status == 2 and "a proof" in err  # bmc writes no certificate: refused up front
    status, out, err = run_cli("sweep", CCR, "--grid", "renew_grace=3..3", "--no-store",
                               "--out", str(tmp_path / "x.json"))
    assert "renew_grace" in out and "cannot write" in err and status == 2


def _disk_full(self: Path, *args: object, **kwargs: object) -> int:
    raise OSError(28, "No space left on device")


# -- damaged stores --------------------------------------------------------------------------
def _damage(kind: str, path: Path) -> None:
    if kind == "garbage":
        path.write_text("not a database at all")
    elif kind == "directory":
        path.mkdir()
    elif kind == "foreign":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE points (a, b)")
        db.commit()
        db.close()
    elif kind == "truncated":
        status, _, _ = run_cli("sweep", CCR, "--grid", "renew_grace=1..2", "--store", str(path))
        assert status == 0
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize("kind", ["garbage", "directory", "foreign", "truncated"])
def test_a_damaged_store_is_one_line_with_what_to_do(kind: str, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    _damage(kind, store)
    for argv in (["sweep", CCR, "--grid", "renew_grace=1..2", "--store", str(store)],
                 ["results", "--store", str(store)]):
        status, _, err = run_cli(*argv)
        if kind == "truncated" and status == 0:
            continue  # sqlite may still read what survived: then nothing is lost
        assert status == 2, err
        one_line_error(err, None, "--no-store" if argv[0] == "sweep" else "")
    status, out, _ = run_cli("sweep", CCR, "--grid", "renew_grace=1..2", "--no-store")
    assert status == 0 and "renew_grace" in out


def test_a_bad_row_costs_that_row_only(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    assert run_cli("sweep", CCR, "--grid", "renew_grace=1..2", "--store", str(store))[0] == 0
    db = sqlite3.connect(store)
    db.execute("UPDATE points SET result = '{broken' WHERE rowid = 1")
    db.commit()
    db.close()
    status, out, err = run_cli("results", "--store", str(store))
    assert status == 0 and "1 damaged row" in err and "1 stored points" in out
    status, out, err = run_cli("sweep", CCR, "--grid", "renew_grace=1..2", "--store", str(store))
    assert status == 0 and "1 from the results store, 1 checked" in out
    status, out, err = run_cli("results", "--store", str(store))
    assert "2 stored points" in out and "damaged" not in err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write into a read-only directory")
def test_a_read_only_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path.chmod(0o555)
    monkeypatch.chdir(tmp_path)
    try:
        status, _, err = run_cli("sweep", CCR, "--grid", "renew_grace=1..2")
        assert status == 2
        one_line_error(err, None, "--no-store")
    finally:
        tmp_path.chmod(0o755)


# -- the results store never returns stale verdicts -------------------------------------------
def test_editing_an_imported_helper_invalidates_stored_points(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "limits.py").write_text("LIMIT = 3\n")
    (specs / "counter.py").write_text(
        "import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\n"
        "from ccrverify.lang import IntRange, Spec\nfrom limits import LIMIT\n"
        "spec = Spec('Counter')\nspec.knob('top', 5, lo=1, hi=9)\n\n\n@spec.model\n"
        "def build(m):\n    m.var('x', IntRange(0, m.k.top), init=0)\n\n"
        "    @m.action()\n    def inc(s):\n        s.require(s.x < m.k.top)\n"
        "        s.x = s.x + 1\n\n\n@spec.invariant('Below')\ndef below(s):\n"
        "    return s.x < LIMIT\n")
    store = str(tmp_path / "s.sqlite")
    argv = ["sweep", str(specs / "counter.py"), "--grid", "top=2..4", "--no-deadlock",
            "--store", store, "--json", "--jobs", "1"]
    first = _holds_at(*argv)
    (specs / "limits.py").write_text("LIMIT = 10\n")
    second = _holds_at(*argv)
    assert first == {2: True, 3: False, 4: False}
    assert second == {2: True, 3: True, 4: True}


def _holds_at(*argv: str) -> dict[int, bool]:
    import json

    # a fresh process: the edited helper must not come from this process's module cache
    done = subprocess.run([*CLI, *argv], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    return {p["knobs"]["top"]: p["properties"][0]["verdict"] == "holds" for p in data["points"]}


# -- exit statuses survive pipes, encodings and Ctrl-C -----------------------------------------
DIEHARD = str(ROOT / "specs" / "examples" / "diehard.py")


@pytest.mark.parametrize("argv", [["check", CCR], ["check", CCR, "--json"],
                                  ["explore", DIEHARD, "--seed", "0", "--max-examples", "100"],
                                  ["prove", DIEHARD, "--method", "bmc", "--depth", "8"]],
                         ids=["check", "check --json", "explore", "prove"])
def test_a_closed_pipe_keeps_the_verdicts_exit_status(argv: list[str]) -> None:
    for _ in range(3 if argv[0] == "check" else 1):
        reader_gone = subprocess.Popen([*CLI, *argv], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, cwd=ROOT)
        assert reader_gone.stdout is not None
        reader_gone.stdout.close()  # like `| true`: nobody reads
        _, err = reader_gone.communicate(timeout=300)
        assert reader_gone.returncode == 1, err
        assert b"Traceback" not in err


def test_through_a_real_shell_pipe() -> None:
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check {CCR} | true;"
                           " echo ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "1"


def test_a_non_utf8_terminal_keeps_the_verdict() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run([*CLI, "check", CCR], capture_output=True, env=env, cwd=ROOT)
    assert done.returncode == 1
    assert b"log[B]=<>" in done.stdout and b"Traceback" not in done.stderr


def test_ctrl_c_in_explore_keeps_what_was_found() -> None:
    proc = subprocess.Popen([*CLI, "explore", CCR, "--set", "messages=6", "--set",
                             "max_faults=5", "--set", "heartbeat_tolerance=5", "--no-db",
                             "--max-examples", "1000000", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        time.sleep(6)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()  # never left running when the test fails
    assert proc.returncode == 1, err  # NoLostAckedMail was found before the interrupt
    assert b'"interrupted' in out or b"interrupted" in out


def test_help_says_what_the_tool_and_each_command_do() -> None:
    done = subprocess.run([*CLI, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert "failover protocols" in done.stdout and "exit status" in done.stdout
    assert "ccrverify check specs/ccr.py" in done.stdout
    done = subprocess.run([*CLI, "check", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert "breadth first" in done.stdout and "counterexamples are shown" in done.stdout
    done = subprocess.run([*CLI, "--version"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.startswith("ccrverify ")


def test_max_states_is_a_memory_guard_on_the_python_backend() -> None:
    for limit in (1000, 5000):
        status, out, _ = run_cli("check", str(ROOT / "specs/examples/twophase.py"), "--set",
                                 "rm=6", "--backend", "python", "--max-states", str(limit),
                                 "--json")
        import json

        assert status == 3
        assert limit <= json.loads(out)["stats"]["distinct_states"] <= limit * 1.05


@pytest.mark.parametrize("redirect", ["2>&1 >/dev/null | true", "2>&1 | head -c 1 >/dev/null"])
def test_a_closed_stderr_pipe_keeps_an_errors_exit_status(redirect: str) -> None:
    """The error's one line goes to stderr; a reader that leaves early must not turn
    exit 2 into 1."""
    spec = BAD / "map_key_outside_index.py"
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m ccrverify.cli check {spec} "
                           f"{redirect}; echo ${{PIPESTATUS[0]}}"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip().splitlines()[-1] == "2", done.stdout + done.stderr
