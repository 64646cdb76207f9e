"""The explorer's page: one self-contained HTML document (inline style and
script, nothing loaded from elsewhere) that asks the local server for views
(`ccrverify.explorer.server`) and draws them: the steps of the path, the state
as the model's tables with changed cells marked, the properties here, the
enabled actions to take, and the timeline picture. Element ids are stable:
the browser test drives the page by them."""

from __future__ import annotations

from xml.sax.saxutils import escape

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #212121; }
header { background: #37474f; color: white; padding: 8px 16px; }
header h1 { font-size: 18px; margin: 0 0 4px 0; }
header .knobs { font-size: 12px; opacity: 0.85; }
#controls { padding: 8px 16px; border-bottom: 1px solid #ddd; display: flex; gap: 8px;
            align-items: center; flex-wrap: wrap; }
#controls button { font-size: 14px; }
#layout { display: flex; gap: 16px; padding: 8px 16px; align-items: flex-start; }
#left { min-width: 220px; max-width: 280px; }
#main { flex: 1; min-width: 0; }
#steps { padding-left: 28px; margin: 0; font-size: 13px; }
#steps li { cursor: pointer; padding: 1px 4px; }
#steps li.current { background: #fff59d; font-weight: bold; }
#steps li.future { color: #9e9e9e; }
h2 { font-size: 15px; margin: 12px 0 6px 0; }
table { border-collapse: collapse; font-size: 13px; margin-bottom: 10px; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
th { background: #eceff1; }
td.changed { background: #ffe0b2; font-weight: bold; }
td.holds { color: #2e7d32; font-weight: bold; }
td.violated { color: #c62828; font-weight: bold; }
#tables { display: flex; flex-wrap: wrap; gap: 12px; }
#actions { list-style: none; padding: 0; margin: 0; font-size: 13px; }
#actions li { margin: 2px 0; }
#actions button { min-width: 150px; text-align: left; }
#actions .doc { color: #616161; margin-left: 6px; }
#actions .error { color: #c62828; margin-left: 6px; }
#timeline { overflow-x: auto; border: 1px solid #eee; }
#message { color: #c62828; }
"""

SCRIPT = r"""
"use strict";
let path = {init: 0, choices: []};
let at = 0;
let version = 0;

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function post(url, body) {
  const response = await fetch(url, {method: "POST", body: JSON.stringify(body),
                                     headers: {"Content-Type": "application/json"}});
  return response.json();
}

async function start() {
  const model = await (await fetch("/api/model")).json();
  document.getElementById("title").textContent = model.model + " (" + model.source + ")";
  document.getElementById("knobs").textContent =
    Object.entries(model.knobs).map(([k, v]) => k + "=" + v).join("  ");
  const select = document.getElementById("cex");
  select.appendChild(el("option", {value: "-1"}, "initial state 0, no steps"));
  model.counterexamples.forEach((c, i) => {
    select.appendChild(el("option", {value: String(i)},
      "counterexample to " + c.property + " (" + c.length + " actions)"));
  });
  select.onchange = () => {
    const i = Number(select.value);
    path = i < 0 ? {init: 0, choices: []} : {init: model.counterexamples[i].init,
                                              choices: model.counterexamples[i].choices};
    at = 0;
    show();
  };
  const first = model.counterexamples.findIndex(
    c => c.init === model.start.init && c.choices.join() === model.start.choices.join());
  select.value = String(first);
  path = model.start;
  at = 0;
  await show();
}

async function show() {
  const view = await post("/api/view", {path: path, at: at});
  const message = document.getElementById("message");
  if (view.error) { message.textContent = view.error; return; }
  message.textContent = "";
  at = view.at;
  draw(view);
}

function go(step) { at = Math.max(0, Math.min(step, path.choices.length)); show(); }

function take(index) {
  path = {init: path.init, choices: path.choices.slice(0, at).concat([index])};
  at = at + 1;
  document.getElementById("cex").value = "-1";
  show();
}

function draw(view) {
  document.getElementById("position").textContent =
    "step " + view.at + " of " + view.length;
  document.getElementById("step").textContent = String(view.at);
  document.getElementById("back").disabled = view.at === 0;
  document.getElementById("first").disabled = view.at === 0;
  document.getElementById("forward").disabled = view.at === view.length;
  document.getElementById("last").disabled = view.at === view.length;

  const steps = document.getElementById("steps");
  steps.replaceChildren();
  view.steps.forEach(s => {
    const item = el("li", {"data-step": String(s.number), title: s.doc || ""}, s.action);
    if (s.number === view.at) item.className = "current";
    else if (s.number > view.at) item.className = "future";
    item.onclick = () => go(s.number);
    steps.appendChild(item);
  });

  const props = document.getElementById("properties");
  props.replaceChildren();
  const head = el("tr");
  ["property", "here", "first broken at step", "description"].forEach(
    h => head.appendChild(el("th", {}, h)));
  props.appendChild(head);
  view.properties.forEach(p => {
    const row = el("tr", {"data-property": p.name});
    row.appendChild(el("td", {}, p.name));
    const here = el("td", {class: p.here.startsWith("error") ? "violated" : p.here}, p.here);
    here.setAttribute("data-here", p.here);
    row.appendChild(here);
    row.appendChild(el("td", {}, p.first_broken === null ? "-" : String(p.first_broken)));
    row.appendChild(el("td", {}, p.description));
    props.appendChild(row);
  });

  const tables = document.getElementById("tables");
  tables.replaceChildren();
  view.tables.forEach(t => {
    const table = el("table", {"data-table": t.title || "variables"});
    const header = el("tr");
    header.appendChild(el("th", {}, t.title));
    t.columns.forEach(c => header.appendChild(el("th", {}, c)));
    table.appendChild(header);
    t.rows.forEach(r => {
      const row = el("tr");
      row.appendChild(el("th", {}, r.key));
      r.cells.forEach(c => row.appendChild(el("td", c.changed ? {class: "changed"} : {},
                                                c.text)));
      table.appendChild(row);
    });
    tables.appendChild(table);
  });

  const actions = document.getElementById("actions");
  actions.replaceChildren();
  if (!view.enabled.length) actions.appendChild(el("li", {}, "no action is enabled here"));
  view.enabled.forEach(a => {
    const item = el("li");
    const button = el("button", {class: "action", "data-index": String(a.index),
                                 "data-label": a.label, title: a.doc || a.label}, a.label);
    if (a.error) { button.disabled = true; }
    const next = path.choices[view.at];
    if (view.at < path.choices.length && next === a.index) button.textContent += "  (next)";
    button.onclick = () => take(a.index);
    item.appendChild(button);
    item.appendChild(el("span", {class: a.error ? "error" : "doc"}, a.error || a.doc));
    actions.appendChild(item);
  });

  document.getElementById("timeline").innerHTML = view.timeline;  // our own escaped SVG
  const save = document.getElementById("save");
  save.href = "/api/trace?init=" + path.init + "&choices=" +
    path.choices.slice(0, view.at).join(",");
  version += 1;
  document.body.setAttribute("data-version", String(version));
}

document.getElementById("first").onclick = () => go(0);
document.getElementById("back").onclick = () => go(at - 1);
document.getElementById("forward").onclick = () => go(at + 1);
document.getElementById("last").onclick = () => go(path.choices.length);
document.addEventListener("keydown", e => {
  if (e.key === "ArrowLeft") go(at - 1);
  if (e.key === "ArrowRight") go(at + 1);
});
start();
"""


def page_html(title: str) -> str:
    """The explorer page (the model's name in the title)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} - ccrverify explorer</title>
<style>{STYLE}</style>
</head>
<body data-version="0">
<header>
  <h1 id="title">{escape(title)}</h1>
  <div class="knobs" id="knobs"></div>
</header>
<div id="controls">
  <select id="cex" aria-label="path"></select>
  <button id="first" title="the initial state">|&lt;</button>
  <button id="back" title="one step back (left arrow)">&lt; back</button>
  <span id="position"></span><span id="step" hidden></span>
  <button id="forward" title="one step forward (right arrow)">forward &gt;</button>
  <button id="last" title="the end of the path">&gt;|</button>
  <a id="save" download="explorer.itf.json" href="#">save this path (ITF)</a>
  <span id="message"></span>
</div>
<div id="layout">
  <div id="left">
    <h2>Path</h2>
    <ol id="steps" start="0"></ol>
  </div>
  <div id="main">
    <h2>Properties here</h2>
    <table id="properties"></table>
    <h2>State</h2>
    <div id="tables"></div>
    <h2>Enabled actions (take one to branch off)</h2>
    <ul id="actions"></ul>
    <h2>Timeline</h2>
    <div id="timeline"></div>
  </div>
</div>
<script>{SCRIPT}</script>
</body>
</html>
"""
