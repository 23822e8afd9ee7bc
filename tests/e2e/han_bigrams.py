#!/usr/bin/env python3
"""Chinese text fidelity: the share of a reference extraction's distinct Han
bigrams that occur unbroken in wenyuan's page text.

    han_bigrams.py ref KIND FILE [LANG]   the reference text of FILE
    han_bigrams.py share REF WY           "share found total" and the misses

The reference is made without wenyuan: pdftotext for a PDF, the text runs
of a DOCX's XML (body, headers, footers, notes, text boxes), a TXT decoded
by its byte order mark, else as UTF-8, else by the manifest's language
(zh-Hant: Big5, zh: GB18030). A bigram is two Han characters next to each
other in the reference; in wenyuan's text (the output of `wenyuan text`)
it counts when it sits inside a page or across a page break.
"""
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def bigrams(text):
    out = set()
    for a, b in zip(text, text[1:]):
        if HAN.match(a) and HAN.match(b):
            out.add(a + b)
    return out


def docx_text(path):
    """Each paragraph's runs joined, one paragraph a line; a tab or a
    break separates. Hidden runs (w:vanish) are left out: Word does not
    print them."""
    lines = []
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist()
                 if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml", n)]
        for name in sorted(parts):
            root = ET.fromstring(z.read(name))
            for p in root.iter(W + "p"):
                buf = []
                for r in p.iter(W + "r"):
                    rpr = r.find(W + "rPr")
                    if rpr is not None and rpr.find(W + "vanish") is not None:
                        continue
                    for el in r:
                        if el.tag == W + "t":
                            buf.append(el.text or "")
                        elif el.tag in (W + "tab", W + "br", W + "cr"):
                            buf.append("\t")
                lines.append("".join(buf))
    return "\n".join(lines)


def txt_text(path, lang):
    data = open(path, "rb").read()
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                     (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("big5" if lang == "zh-Hant" else "gb18030", errors="replace")


def ref(kind, path, lang=""):
    if kind == "pdf":
        return subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], check=True,
                              capture_output=True).stdout.decode("utf-8", "replace")
    if kind == "docx":
        return docx_text(path)
    if kind == "txt":
        return txt_text(path, lang)
    sys.exit(f"han_bigrams: no reference for {kind}")


def wy_bigrams(text):
    pages = re.split(r"^=== page \d+ ===\n", text, flags=re.M)[1:] or [text]
    found = set()
    for p in pages:
        found |= bigrams(p)
    for a, b in zip(pages, pages[1:]):
        ha, hb = HAN.findall(a), HAN.findall(b)
        if ha and hb:
            found.add(ha[-1] + hb[0])
    return found


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "ref":
        sys.stdout.write(ref(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else ""))
        return
    if len(sys.argv) == 4 and sys.argv[1] == "share":
        want = bigrams(open(sys.argv[2], encoding="utf-8").read())
        have = wy_bigrams(open(sys.argv[3], encoding="utf-8").read())
        missing = sorted(want - have)
        share = 1.0 if not want else (len(want) - len(missing)) / len(want)
        print(f"{share:.4f} {len(want) - len(missing)} {len(want)}")
        if missing:
            print("missing: " + " ".join(missing[:40]))
        return
    sys.exit(__doc__)


main()
