#!/usr/bin/env python3
"""The one table `make bench` ends with, from the rows the bench scripts
appended to the results file (default ${BENCH_RESULTS:-build/bench-results.tsv}).

  bench/summary.py [RESULTS.tsv]

Each row of the file: key, what, wenyuan, alternative, unit, ratio, goal,
note (tab-separated; docs/bench.md). The table has the issue's rows in its
order, a row no script wrote as "not measured"; when a key was written
twice the last row counts. A goal ">=10x" or ">=90%" is held against the
ratio, any other (e.g. "<=1s", "<=30000") against wenyuan's figure. The
notes follow the table. Prints Markdown, so that docs/bench.md can quote it.
"""
import os
import re
import sys

# key, what the table calls it when the script did not say, its goal
ROWS = [
    ("pipeline", "PDF pages to ready (bench/pipeline.sh)", ">=10x"),
    ("pipeline_no_ocr", "PDF pages to ready, no OCR, as the script (bench/pipeline.sh)", ">=10x"),
    ("http_image", "page image over HTTP (bench/http.sh)", ">=90%"),
    ("http_doc", "document page over HTTP, visitor", ">=90%"),
    ("http_doc_signed_in", "document page over HTTP, signed in", ">=90%"),
    ("office", "Office document to ready (bench/office.sh)", ">=12x"),
    ("first_page_pdf", "first page readable, 300-page PDF (bench/firstpage.sh)", "<=1s"),
    ("first_page_docx", "first page readable, 100-page DOCX (bench/firstpage.sh)", "<=3s"),
    ("first_page_docx_cold", "first page readable, 100-page DOCX, LibreOffice still loading (bench/firstpage.sh)", "<=3s"),
    ("bytes_per_page", "bytes per page image (bench/pipeline.sh)", "no larger than before"),
]
FIELDS = ["key", "what", "wenyuan", "alternative", "unit", "ratio", "goal", "note"]
GOAL = re.compile(r"^\s*(>=|<=|>|<|≥|≤)\s*([0-9]+(?:\.[0-9]+)?)\s*(x|×|%)?\s*(.*)$")
NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
READY = re.compile(r"ready after ([0-9]+(?:\.[0-9]+)?) s")


def number(text):
    m = NUMBER.search(text.replace(",", "")) if text else None
    return float(m.group(0)) if m else None


def met(row):
    """'met', 'not met' or '?' (a goal or figure it cannot read)."""
    m = GOAL.match(row["goal"])
    if not m:
        return "?"
    op, want, on_ratio = m.group(1), float(m.group(2)), bool(m.group(3))
    have = number(row["ratio"] if on_ratio else row["wenyuan"])
    if have is None:
        return "?"
    ok = {">=": have >= want, "≥": have >= want, ">": have > want,
          "<=": have <= want, "≤": have <= want, "<": have < want}[op]
    return "met" if ok else "not met"


def with_unit(value, unit):
    if not value or value == "-":
        return "-"
    return "%s %s" % (value, unit) if unit else value


def read(path):
    rows = {}
    order = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                if not line.strip() or line.startswith("#"):
                    continue
                cells = line.split("\t")
                if len(cells) < 7:
                    print("summary: %s:%d: %d fields, not 8: ignored" % (path, n, len(cells)), file=sys.stderr)
                    continue
                row = dict(zip(FIELDS, cells + [""] * (8 - len(cells))))
                if row["key"] not in rows:
                    order.append(row["key"])
                rows[row["key"]] = row
    except FileNotFoundError:
        pass
    return rows, order


def main(argv):
    path = argv[1] if len(argv) > 1 else os.environ.get("BENCH_RESULTS", "build/bench-results.tsv")
    rows, order = read(path)
    known = [k for k, _, _ in ROWS]
    table = [("what", "wenyuan", "the alternative", "ratio", "goal", "goal met")]
    notes = []
    for key, what, goal in ROWS + [(k, k, "") for k in order if k not in known]:
        r = rows.get(key)
        if r is None:
            table.append((what, "not measured", "-", "-", goal, "-"))
            continue
        alt = with_unit(r["alternative"], r["unit"])
        if key.startswith("first_page_") and alt == "-":
            m = READY.search(r["note"])  # the time to ready, against which page 1 counts
            alt = "ready after %s s" % m.group(1) if m else "-"
        table.append((r["what"] or what, with_unit(r["wenyuan"], r["unit"]), alt, r["ratio"] or "-",
                      r["goal"] or goal, met(r) if r["goal"] else "?"))
        if r["note"]:
            notes.append("- %s: %s" % (key, r["note"]))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    line = lambda row: "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"
    print(line(table[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table[1:]:
        print(line(row))
    if notes:
        print()
        print("\n".join(notes))


if __name__ == "__main__":
    main(sys.argv)
