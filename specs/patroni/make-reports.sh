#!/usr/bin/env bash
# Regenerates the Patroni reports (run from the repository root):
#   reports/patroni-incidents.md / .html  every incident and its protection: one
#                                         `ccrverify report` page per configuration
#                                         (kept in reports/patroni-incidents/), joined
#                                         under the index specs/patroni/incidents-index.md
#   reports/patroni-timers.md / .html     the configuration question: which timer
#                                         combinations ttl x loop_wait x retry_timeout
#                                         keep one primary (sweeps; the answer and its
#                                         comparison with the documented rule are in
#                                         specs/patroni/QUESTIONS.md)
# Every page below the index is the tool's own output, with the command that wrote it in
# its header. Sweeps go through the results store (.ccrverify/), so a rerun only re-renders.
set -euo pipefail
CCRVERIFY=${CCRVERIFY:-.venv/bin/ccrverify}
PROPS=(--property NoSplitBrain --property NoLostSyncWrite --property Recovers
       --property FailoverTime --property FailoverTimeSyncStandby)
# each incident, then the configuration that protects against it
CONFIGS=(timer-rule-violated timer-rule-enforced issue-308-stale-leader issue-308-fixed
         synchronous-three-members)

report() {  # a check that finds a violation exits 1: that is an expected outcome here
    nice "$CCRVERIFY" report "$@" >/dev/null || [ $? -eq 1 ]
}

mkdir -p reports/patroni-incidents
for config in "${CONFIGS[@]}"; do
    for ext in md html; do
        report "specs/patroni/$config.toml" "${PROPS[@]}" \
            --out "reports/patroni-incidents/$config.$ext"
    done
done

SWEEPS=(
    --sweep 'ttl=1..8 loop_wait=1..4 retry_timeout=1..3'
    --sweep 'ttl=1..9 loop_wait=1..4 retry_timeout=1..3 demote_on_failed_update=false stale_reads=false'
)
for ext in md html; do
    report specs/patroni/question-timers.toml --property NoSplitBrain --property FailoverTime \
        "${SWEEPS[@]}" --jobs 2 --out "reports/patroni-timers.$ext"
done

# Join the incident pages under the index (a heredoc: a .py file in specs/ would be taken
# for a model by list-models).
.venv/bin/python - "${CONFIGS[@]}" <<'EOF'
"""Join the Patroni incident pages (reports/patroni-incidents/<config>.md / .html, each
written by `ccrverify report`) under the index specs/patroni/incidents-index.md, into
reports/patroni-incidents.md and .html. Run by specs/patroni/make-reports.sh."""

import html
import re
import sys
from pathlib import Path

REPORTS = Path("reports")
FOLDER = "patroni-incidents"


def inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)


def to_html(markdown: str) -> str:
    """The index has headings, paragraphs, bullet lists and tables only."""
    out = []
    for block in markdown.strip().split("\n\n"):
        lines = block.splitlines()
        if block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            out.append(f"<h{level}>{inline(block.lstrip('#').strip())}</h{level}>")
        elif block.startswith("| "):
            rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines
                    if not set(line) <= set("|-: ")]
            cells = ["<tr>" + "".join(f"<th>{inline(c)}</th>" for c in rows[0]) + "</tr>"]
            cells += ["<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>"
                      for row in rows[1:]]
            out.append("<table>" + "".join(cells) + "</table>")
        elif block.startswith("- "):
            items = re.split(r"\n- ", "\n" + block)[1:]
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
        else:
            out.append(f"<p>{inline(block)}</p>")
    return "\n".join(out)


def main(configs: list[str]) -> None:
    index = Path("specs/patroni/incidents-index.md").read_text()
    parts = [index]
    for config in configs:
        page = (REPORTS / FOLDER / f"{config}.md").read_text()
        # The pictures sit in reports/patroni-incidents/<config>/; the joined page is one
        # folder up.
        page = page.replace(f"]({config}/", f"]({FOLDER}/{config}/")
        parts.append(f'<a id="{config}"></a>\n\n' + page)
    (REPORTS / "patroni-incidents.md").write_text("\n\n---\n\n".join(parts))

    head = ""
    bodies = []
    for config in configs:
        page = (REPORTS / FOLDER / f"{config}.html").read_text()
        head = head or page[:page.index("<body>")]
        body = page[page.index("<body>") + len("<body>"):page.rindex("</body>")]
        # Anchors must stay unique on the joined page.
        body = re.sub(r'id="([^"]+)"', rf'id="{config}-\1"', body)
        body = body.replace('href="#', f'href="#{config}-')
        bodies.append(f'<section id="{config}">{body}</section>')
    head = re.sub(r"<title>.*?</title>", "<title>Patroni with etcd: the incidents</title>",
                  head, flags=re.S)
    index_html = to_html(index.replace("patroni-timers.md)", "patroni-timers.html)"))
    (REPORTS / "patroni-incidents.html").write_text(
        head + "<body>\n" + index_html + "\n<hr>\n" + "\n<hr>\n".join(bodies)
        + "\n</body>\n</html>\n")
    sys.stdout.write("wrote reports/patroni-incidents.md, reports/patroni-incidents.html\n")


if __name__ == "__main__":
    main(sys.argv[1:])
EOF
