#!/usr/bin/env bash
# Regenerates the Pacemaker reports (run from the repository root):
#   reports/pacemaker-incidents.md / .html   every incident and its protection, one
#                                            `ccrverify report` page per configuration
#                                            (kept in reports/pacemaker-incidents/)
#                                            joined under an index
#   reports/pacemaker-fence-delays.md / .html  the configuration question: which fence
#                                            delays avoid both nodes dying (sweeps)
# Every page below the index is the tool's own output, with the command that wrote it
# in its header. Sweeps go through the results store (.ccrverify/), so a rerun only
# re-renders.
set -euo pipefail
CCRVERIFY=${CCRVERIFY:-.venv/bin/ccrverify}
PROPS=(--property NoSplitBrain --property NoMutualFencing --property NoFenceLoop
       --property Recovers --property FailoverTime)
# incident, then the configuration that protects against it
CONFIGS=(fence-race fence-race-delay fence-race-qdevice fence-loop fence-loop-wfa
         split-brain-no-stonith split-brain-stonith split-brain-no-stonith-qdevice)

report() {  # a check that finds a violation exits 1: that is the expected outcome here
    nice "$CCRVERIFY" report "$@" >/dev/null || [ $? -eq 1 ]
}

mkdir -p reports/pacemaker-incidents
for config in "${CONFIGS[@]}"; do
    for ext in md html; do
        report "specs/pacemaker/$config.toml" "${PROPS[@]}" \
            --out "reports/pacemaker-incidents/$config.$ext"
    done
done

SWEEPS=(
    --sweep 'fence_delay=0..4 token_ticks=1..3 wait_for_all=false,true max_faults=1..3'
    --sweep 'fence_delay=0..3 token_ticks=1..3 wait_for_all=false,true max_faults=2..3 qdevice=true'
    --sweep 'fence_delay=0..4 wait_for_all=false,true boot_ticks=0,5 cancel_stale=false,true'
)
for ext in md html; do
    report specs/pacemaker/question-fence-delays.toml --property NoMutualFencing \
        --property NoFenceLoop --property NoSplitBrain --property FailoverTime "${SWEEPS[@]}" \
        --jobs 2 --out "reports/pacemaker-fence-delays.$ext"
done

.venv/bin/python - "${CONFIGS[@]}" <<'EOF'
"""Join the incident pages under the index (specs/pacemaker/incidents-index.md)."""
import html
import re
import sys
from pathlib import Path

configs = sys.argv[1:]
index = Path("specs/pacemaker/incidents-index.md").read_text()
reports = Path("reports")
parts = [index]
for config in configs:
    page = (reports / "pacemaker-incidents" / f"{config}.md").read_text()
    # The pictures sit in reports/pacemaker-incidents/<config>/; the joined page is
    # one folder up.
    page = page.replace(f"]({config}/", f"](pacemaker-incidents/{config}/")
    parts.append(f'<a id="{config}"></a>\n\n' + page)
(reports / "pacemaker-incidents.md").write_text("\n\n---\n\n".join(parts))

head = None
bodies = []
for config in configs:
    page = (reports / "pacemaker-incidents" / f"{config}.html").read_text()
    head = head or page[:page.index("<body>")]
    body = page[page.index("<body>") + len("<body>"):page.rindex("</body>")]
    # Anchors must stay unique on the joined page.
    body = re.sub(r'id="([^"]+)"', lambda m: f'id="{config}-{m.group(1)}"', body)
    body = body.replace('href="#', f'href="#{config}-')
    bodies.append(f'<section id="{config}">{body}</section>')


def inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)


def to_html(markdown: str) -> str:
    """The index is headings, paragraphs, bullet lists and one table: enough."""
    out = []
    for block in markdown.strip().split("\n\n"):
        lines = block.splitlines()
        if block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            out.append(f"<h{level}>{inline(block.lstrip('#').strip())}</h{level}>")
        elif block.startswith("| "):
            rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines
                    if not set(line) <= set("|-: ")]
            cells = ["<tr>" + "".join(f"<th>{inline(c)}</th>" for c in rows[0]) + "</tr>"]
            cells += ["<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>"
                      for row in rows[1:]]
            out.append("<table>" + "".join(cells) + "</table>")
        elif block.startswith("- "):
            items = re.split(r"\n- ", "\n" + block)[1:]
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
        elif block.startswith("```"):
            out.append("<pre>" + html.escape("\n".join(lines[1:-1])) + "</pre>")
        else:
            out.append(f"<p>{inline(block)}</p>")
    return "\n".join(out)


index_html = to_html(index.replace("pacemaker-fence-delays.md", "pacemaker-fence-delays.html"))
assert head is not None
head = re.sub(r"<title>.*?</title>", "<title>Pacemaker two-node: the incidents</title>",
              head, flags=re.S)
(reports / "pacemaker-incidents.html").write_text(
    head + "<body>\n" + index_html + "\n<hr>\n" + "\n<hr>\n".join(bodies)
    + "\n</body>\n</html>\n")
print("wrote reports/pacemaker-incidents.md, reports/pacemaker-incidents.html")
EOF
