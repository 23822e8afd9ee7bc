#!/usr/bin/env python3
"""Real Chinese text for the search benchmark (bench/search.sh): documents and
pages made from text people wrote, as installed from packages, written to one
corpus file that wy-searchbench gen reads.

    realtext.py [--poem-lines N] POETRY_DIR OUT

POETRY_DIR is the dist/ folder of the npm package chinese-poetry. The Debian
sources are read where their packages install them (scripts/deps.sh --bench).
A source that is missing is left out with a warning.

The corpus file is a sequence of records, each opened by \\x1e; a record's
fields are separated by \\x1f: the script ('s' Simplified, 't' Traditional),
the source's short name, the title, then one field per page. Page text keeps
its line breaks and punctuation; control characters other than \\n are
dropped.

Shapes (what a library of scans and exports of these would hold):
- a poem is a page (a long one is cut at line ends into pages of at most
  about 400 characters); a document is a volume of one author's poems in
  the order the source gives them, closed at 3 poems or 600 characters,
  titled "作者诗集（卷N）" (词集, 散曲, or the book's name for the classics);
- a help page, a manual chapter, a man page or an FAQ section is a document
  titled with its own title; its text is cut at paragraph and sentence ends
  into pages of about 150-400 characters;
- fortunes are pages, 12 to a document.

--poem-lines N cuts poems into pages of at most N lines instead (N = 1: a
line, usually a couplet, a page). That is no longer what a scanned book
looks like, but it gives the same text and documents as about 1.6 million
pages, for measuring at the issue's scale of a million pages.

Nothing here is random except the page lengths of prose (seeded), so the
same packages give the same corpus.
"""
import glob
import gzip
import html.parser
import json
import os
import random
import re
import subprocess
import sys

rng = random.Random(14)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
CTRL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

out = None
ndocs = npages = nchars = 0
by_source = {}


def han_count(s):
    return len(HAN.findall(s))


def clean(s):
    s = ANSI.sub("", s)
    s = CTRL.sub("", s.replace("\r\n", "\n").replace("\t", " "))
    s = re.sub(r"[ \u00a0]+\n", "\n", s)
    s = re.sub(r"\n{3,}", "\n\n", s)
    return s.strip()


def emit(script, source, title, pages):
    global ndocs, npages, nchars
    pages = [p for p in (clean(p) for p in pages) if han_count(p) >= 2]
    title = clean(title).replace("\n", " ")
    if not pages or not title or sum(han_count(p) for p in pages) < 10:
        return
    out.write("\x1e" + "\x1f".join([script, source, title] + pages))
    ndocs += 1
    npages += len(pages)
    c = sum(len(p) for p in pages)
    nchars += c
    d = by_source.setdefault(source, [0, 0, 0])
    d[0] += 1
    d[1] += len(pages)
    d[2] += c


def script_of(sample):
    """'t' when OpenCC's t2s changes a noticeable share of the characters."""
    sample = "".join(HAN.findall(sample))[:3000]
    if not sample:
        return "s"
    r = subprocess.run(["opencc", "-c", "t2s.json"], input=sample, capture_output=True, text=True, check=True)
    changed = sum(1 for a, b in zip(sample, r.stdout) if a != b)
    return "t" if changed > len(sample) * 0.04 else "s"


poem_lines = 0  # --poem-lines


def cut_lines(lines, limit=400):
    """Lines (a poem's) into pages of at most about limit characters (and
    at most poem_lines lines, when set)."""
    pages, cur, n = [], "", 0
    for ln in lines:
        if cur and (len(cur) + len(ln) > limit or (poem_lines and n >= poem_lines)):
            pages.append(cur)
            cur, n = "", 0
        cur += ("\n" if cur else "") + ln
        n += 1
    if cur:
        pages.append(cur)
    return pages


def cut_prose(paras):
    """Paragraphs into pages of about 150-400 characters, cut at paragraph
    ends, or at sentence ends inside a long paragraph."""
    units = []  # (text, opens a paragraph)
    for p in paras:
        p = p.strip()
        if not p:
            continue
        if len(p) <= 400:
            units.append((p, True))
            continue
        for i, s in enumerate(re.findall(r".+?(?:[。！？；]|$)", p, re.S)):
            if s:
                units.append((s, i == 0))
    pages, cur, target = [], "", rng.randint(150, 400)
    for u, newpara in units:
        if cur and len(cur) + len(u) > target:
            pages.append(cur)
            cur, target = "", rng.randint(150, 400)
        cur += ("\n" if cur and newpara else "") + u
        if len(cur) >= target:
            pages.append(cur)
            cur, target = "", rng.randint(150, 400)
    if cur:
        pages.append(cur)
    return pages


# ---- HTML (help, manuals, FAQ) ----

BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "dd", "table", "td", "th",
         "section", "title", "blockquote"}
SKIP = {"script", "style", "head", "header", "aside", "nav", "noscript", "button"}


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip, self.title, self.h1, self.in_t, self.in_h1 = [], 0, "", "", False, False

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip += 1
        if tag == "title":
            self.in_t = True
        if tag == "h1":
            self.in_h1 = True
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in SKIP and self.skip:
            self.skip -= 1
        if tag == "title":
            self.in_t = False
        if tag == "h1":
            self.in_h1 = False
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, d):
        if self.in_t:
            self.title += d
        if self.in_h1 and not self.h1:
            self.h1 = d
        if not self.skip:
            self.parts.append(d)


def html_doc(path, source):
    with open(path, encoding="utf-8", errors="replace") as f:
        t = Text()
        t.feed(f.read())
    text = "".join(t.parts)
    paras = [re.sub(r"[ \t]+", " ", p).strip() for p in text.split("\n")]
    paras = [p for p in paras if p]
    title = (t.h1 or t.title).strip() or os.path.basename(path)
    body = "\n".join(paras)
    if han_count(body) < 50:
        return
    emit("s", source, title, cut_prose(paras))


def html_tree(pattern, source):
    files = sorted(glob.glob(pattern, recursive=True))
    if not files:
        print(f"realtext: no {source} ({pattern})", file=sys.stderr)
    for p in files:
        html_doc(p, source)


# ---- man pages ----

def man_page(path):
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        src = f.read()
    paras, cur, name, in_name = [], [], "", False
    for ln in src.split("\n"):
        if ln.startswith(".\\\"") or ln.startswith("'\\\""):
            continue
        if ln.startswith("."):
            m = re.match(r"\.(\w+)\s*(.*)", ln)
            macro, arg = (m.group(1), m.group(2)) if m else ("", "")
            if macro in ("SH", "SS", "PP", "P", "LP", "TP", "IP", "sp", "br", "TH"):
                if cur:
                    paras.append(" ".join(cur))
                    cur = []
                in_name = macro == "SH" and arg.strip('"') in ("名称", "名字", "NAME", "名 称")
                if macro in ("SH", "SS") and arg:
                    paras.append(arg.strip('"'))
                continue
            ln = arg.replace('"', "")
        ln = re.sub(r"\\f[BIRPC]|\\f\(..|\\f\[[^]]*\]|\\[,/&]|\\s[-+]?\d", "", ln)
        ln = ln.replace("\\-", "-").replace("\\(em", "—").replace("\\e", "\\").replace("\\ ", " ")
        ln = re.sub(r"\\\((..)", "", ln)
        if in_name and ln.strip() and not name:
            name = ln.strip()
        if ln.strip():
            cur.append(ln.strip())
    if cur:
        paras.append(" ".join(cur))
    base = os.path.basename(path)[:-3]
    title = name or base
    if han_count("".join(paras)) < 50:
        return
    emit("s", "manpages-zh", title, cut_prose(paras))


# ---- fortunes ----

def fortunes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        items = [x.strip() for x in f.read().split("\n%\n")]
    items = [x for x in items if han_count(x) >= 4]
    name = {"chinese": "中文格言", "tang300": "唐诗三百首", "song100": "宋词一百首"}.get(os.path.basename(path), "格言")
    for i in range(0, len(items), 12):
        emit("s", "fortunes-zh", f"{name}（第{i // 12 + 1}辑）", items[i:i + 12])


# ---- chinese-poetry ----

def poems_in(obj):
    """Objects with a title and a list of lines, anywhere in obj."""
    if isinstance(obj, list):
        for x in obj:
            yield from poems_in(x)
    elif isinstance(obj, dict):
        lines = obj.get("paragraphs") or obj.get("content") or obj.get("para")
        if isinstance(lines, str):
            lines = [lines]
        if isinstance(lines, list) and lines and all(isinstance(x, str) for x in lines):
            t = obj.get("title") or obj.get("chapter") or obj.get("rhythmic") or ""
            yield (obj.get("author") or "", t, lines)
        else:
            for v in obj.values():
                if isinstance(v, (list, dict)):
                    yield from poems_in(v)


def poetry(files, source, kind, book=None):
    """One source's poems as volumes: up to 3 poems or 600 characters of one
    author, titled author + kind + （卷N）, or book + （卷N） when the source
    is one book."""
    items = []
    for p in files:
        with open(p, encoding="utf-8") as f:
            items.extend(poems_in(json.load(f)))
    if not items:
        print(f"realtext: no {source}", file=sys.stderr)
        return
    script = script_of("".join("".join(l) for _, _, l in items[:200]))
    if kind == "诗集" and script == "t":
        kind = "詩集"
    if kind == "词集" and script == "t":
        kind = "詞集"
    vols = {}
    cur_author, cur, size = None, [], 0

    def close():
        if not cur:
            return
        who = book or cur_author or "佚名"
        n = vols[who] = vols.get(who, 0) + 1
        title = f"{who}{kind}（卷{n}）" if not book else f"{book}（卷{n}）"
        pages = []
        for _, t, lines in cur:
            pages.extend(cut_lines(([t] if t else []) + [l for l in lines if l.strip()]))
        emit(script, source, title, pages)

    for author, t, lines in items:
        chars = sum(len(l) for l in lines)
        if cur and (author != cur_author or len(cur) >= 3 or size + chars > 600):
            close()
            cur, size = [], 0
        cur_author = author
        cur.append((author, t, lines))
        size += chars
    close()


def main():
    global out, poem_lines
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == "--poem-lines":
        poem_lines = int(args[1])
        args = args[2:]
    if len(args) != 2:
        sys.exit("usage: realtext.py [--poem-lines N] CHINESE_POETRY_DIST OUT")
    dist, path = args
    out = open(path + ".tmp", "w", encoding="utf-8")
    html_tree("/usr/share/libreoffice/help/zh-CN/text/**/*.html", "libreoffice-help-zh-cn")
    html_tree("/usr/share/gimp/2.0/help/zh_CN/*.html", "gimp-help-zh-cn")
    html_tree("/usr/share/debian-reference/*.zh-cn.html", "debian-reference-zh-cn")
    html_tree("/usr/share/doc/debian/FAQ/zh-cn/*.html", "debian-faq-zh-cn")
    html_tree("/usr/share/doc/maint-guide-zh-cn/html/*.html", "maint-guide-zh-cn")
    for p in sorted(glob.glob("/usr/share/man/zh_CN/man*/*.gz")):
        man_page(p)
    for n in ("chinese", "tang300", "song100"):
        p = "/usr/share/games/fortunes/" + n
        if os.path.exists(p):
            fortunes(p)
    g = lambda pat: sorted(glob.glob(os.path.join(dist, pat)))
    poetry(g("quantangshi/poet.tang.*.json"), "chinese-poetry/quantangshi", "诗集")
    poetry(g("quantangshi/poet.song.*.json"), "chinese-poetry/quantangshi", "诗集")
    poetry(g("songci/ci.song.*.json"), "chinese-poetry/songci", "词集")
    poetry(g("yuanqu/yuanqu.json"), "chinese-poetry/yuanqu", "散曲")
    poetry(g("wudaishici/huajianji/huajianji-*-juan.json"), "chinese-poetry/wudaishici", "词集")
    poetry(g("wudaishici/nantang/poetrys.json"), "chinese-poetry/wudaishici", "词集")
    poetry(g("nalanxingde/*.json"), "chinese-poetry/nalanxingde", "词集")
    poetry(g("caocaoshiji/*.json"), "chinese-poetry/caocaoshiji", "诗集")
    poetry(g("shijing/shijing.json"), "chinese-poetry/shijing", "", "诗经")
    poetry(g("chuci/chuci.json"), "chinese-poetry/chuci", "", "楚辞")
    poetry(g("lunyu/lunyu.json"), "chinese-poetry/lunyu", "", "论语")
    poetry(g("sishuwujing/mengzi.json"), "chinese-poetry/sishuwujing", "", "孟子")
    poetry(g("sishuwujing/daxue.json") + g("sishuwujing/zhongyong.json"), "chinese-poetry/sishuwujing", "",
           "大學中庸")
    poetry(g("youmengying/youmengying.json"), "chinese-poetry/youmengying", "", "幽梦影")
    poetry(g("mengxue/guwenguanzhi.json"), "chinese-poetry/mengxue", "", "古文觀止")
    out.close()
    os.replace(path + ".tmp", path)
    for s, (d, p, c) in sorted(by_source.items()):
        print(f"  {s:34} {d:7} documents {p:8} pages {c / 1e6:6.1f} M characters", file=sys.stderr)
    print(f"realtext: {ndocs} documents, {npages} pages, {nchars / 1e6:.1f} M characters", file=sys.stderr)


if __name__ == "__main__":
    main()
