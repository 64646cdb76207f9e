"""The interactive explorer (``ccrverify serve``): the views the server computes,
its HTTP answers, and the page driven in a real headless browser (Debian's
chromium with chromedriver, through Selenium), skipped where none is installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, compiled, run_cli

from ccrverify.explicit.engine import check
from ccrverify.explorer.session import Explorer, PathError, counterexamples_of, path_of
from ccrverify.explorer.session import Path as ExplorerPath
from ccrverify.request import Request

CCR = str(ROOT / "specs" / "ccr.py")


def _explorer() -> Explorer:
    c = compiled("ccr.py")
    return Explorer(c, "specs/ccr.py", "Tick", counterexamples_of(check(c, Request())))


def test_views_step_through_the_counterexample() -> None:
    explorer = _explorer()
    cex = explorer.counterexamples[0]
    assert cex.property == "NoLostAckedMail"
    start = explorer.view(cex.path, 0)
    first = explorer.compiled.actions[cex.path.choices[0]].label
    assert start["length"] == 10 and start["steps"][1]["action"] == first
    here = {p["name"]: p for p in start["properties"]}
    assert here["NoLostAckedMail"]["here"] == "holds"
    end = explorer.view(cex.path, 10)
    here = {p["name"]: p for p in end["properties"]}
    assert here["NoLostAckedMail"]["here"] == "violated"
    assert here["NoLostAckedMail"]["first_broken"] == 10
    node = next(t for t in end["tables"] if t["title"] == "Node")
    assert node["columns"][:2] == ["up", "role"]
    changed = [c for row in node["rows"] for c in row["cells"] if c["changed"]]
    assert changed  # the last step changed log[B]
    assert "<svg" in end["timeline"]
    labels = {a["label"] for a in explorer.view(cex.path, 9)["enabled"]}
    last = explorer.compiled.actions[cex.path.choices[9]].label
    assert last in labels and "Tick" in labels  # the path's own last step, and others


def test_a_view_beyond_the_path_is_clamped_and_a_bad_path_refused() -> None:
    explorer = _explorer()
    assert explorer.view(ExplorerPath(0, ()), 5)["at"] == 0
    with pytest.raises(PathError, match="not enabled"):
        explorer.view(ExplorerPath(0, (0, 0)), 2)  # Deliver(A,1) twice
    with pytest.raises(PathError):
        path_of({"init": 0, "choices": [10_000]}, len(explorer.compiled.actions))


def test_a_saved_path_replays(tmp_path: Path) -> None:
    explorer = _explorer()
    cex = explorer.counterexamples[0]
    file = tmp_path / "saved.itf.json"
    file.write_text(json.dumps(explorer.itf(cex.path)))
    status, out, _ = run_cli("replay", str(file))
    assert status == 1 and "NoLostAckedMail at state 10" in out


# -- the server ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-m", "ccrverify.cli", "serve", CCR, "--port",
                             "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, proc.stderr.read() if proc.stderr else line
        yield line.split("http://", 1)[1].split("/", 1)[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _get(address: str, path: str) -> Any:
    with urllib.request.urlopen(f"http://{address}{path}", timeout=10) as response:
        return json.loads(response.read())


def test_the_server_answers_on_localhost_only(server: str) -> None:
    assert server.startswith("127.0.0.1:")
    model = _get(server, "/api/model")
    assert model["model"] == "CCR"
    # NoLostAckedMail, and FailoverTime's lasso (never, in general, at the defaults)
    assert [c["property"] for c in model["counterexamples"]] == ["NoLostAckedMail",
                                                                 "FailoverTime"]
    with urllib.request.urlopen(f"http://{server}/", timeout=10) as response:
        page = response.read().decode()
        policy = response.headers["Content-Security-Policy"]
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy


def test_the_server_refuses_bad_requests(server: str) -> None:
    request = urllib.request.Request(f"http://{server}/api/view", data=b'{"path": 3}',
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"http://{server}/api/trace?choices=x", timeout=10)
    assert caught.value.code == 400


def test_serve_refuses_a_bad_port_in_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "ccrverify.cli", "serve", CCR, "--port",
                           "70000", "--no-check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "--port 70000" in proc.stderr


# -- a real browser ----------------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture()
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("no browser: install Debian's chromium and chromium-driver to drive the "
                    "explorer page in headless Chromium")
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium is a test dependency: pip install "
                                           "-e '.[test]'")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="ccrverify-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1600",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_page_in_a_headless_browser(server: str, browser: Any, tmp_path: Path) -> None:
    """Load the page, step through the default counterexample, take a different
    enabled action, see the property table change, save the path and replay it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def version() -> int:
        return int(browser.find_element(By.TAG_NAME, "body").get_attribute("data-version"))

    def click(element_id: str | None = None, element: Any = None) -> None:
        before = version()
        (element or browser.find_element(By.ID, element_id)).click()
        WebDriverWait(browser, 15).until(lambda d: version() > before)

    def here(name: str) -> str:
        row = browser.find_element(By.CSS_SELECTOR, f'tr[data-property="{name}"]')
        return str(row.find_element(By.CSS_SELECTOR, "td[data-here]").get_attribute(
            "data-here"))

    browser.get(f"http://{server}/")
    WebDriverWait(browser, 20).until(lambda d: version() >= 1)
    assert browser.find_element(By.ID, "position").text == "step 0 of 10"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#steps li")) == 11
    assert browser.find_element(By.CSS_SELECTOR, "#tables table[data-table=Node]")
    assert browser.find_element(By.CSS_SELECTOR, "#timeline svg")
    for _ in range(10):
        click("forward")
    assert browser.find_element(By.ID, "position").text == "step 10 of 10"
    assert here("NoLostAckedMail") == "violated"
    violated_table = browser.find_element(By.ID, "properties").text
    click("back")
    assert here("NoLostAckedMail") == "holds"
    # Another branch: an enabled action other than the counterexample's next one.
    explorer = _explorer()
    cex = explorer.counterexamples[0]
    buttons = browser.find_elements(By.CSS_SELECTOR, "#actions button.action")
    other = next(b for b in buttons
                 if int(b.get_attribute("data-index")) != cex.path.choices[9])
    label = other.get_attribute("data-label")
    branch = ExplorerPath(cex.path.init, cex.path.choices[:9] + (
        int(other.get_attribute("data-index")),))
    expected = {p["name"]: p["here"] for p in explorer.view(branch, 10)["properties"]}
    click(element=other)
    assert browser.find_element(By.ID, "position").text == "step 10 of 10"
    assert browser.find_elements(By.CSS_SELECTOR, "#steps li")[10].text == label
    assert here("NoLostAckedMail") == expected["NoLostAckedMail"] == "holds"
    assert browser.find_element(By.ID, "properties").text != violated_table
    # Save the branch and verify it.
    href = browser.find_element(By.ID, "save").get_attribute("href")
    with urllib.request.urlopen(href, timeout=10) as response:
        saved = response.read()
    file = tmp_path / "branch.itf.json"
    file.write_bytes(saved)
    status, out, _ = run_cli("replay", str(file))
    assert status == 0, out
    assert "10 actions; breaks no property" in out
