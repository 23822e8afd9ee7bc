#!/usr/bin/env python3
"""The first-page benchmark's two halves (bench/firstpage.sh runs them).

  firstpage.py fodt PAGES SEED OUT.fodt
      A flat OpenDocument text of PAGES pages (an explicit page break before
      each page's heading; each page's text fits on one A4 page), in mixed
      Chinese and English: a report on running a digital library, sentences
      drawn from a bank with the terms, figures and dates varied by SEED, so
      that every run's file is different bytes and different text.
      LibreOffice turns it into the PDF and the DOCX.

  firstpage.py measure BASE TOKEN FILE DEADLINE_S
      Uploads FILE to the site at BASE the way the upload form does
      (multipart POST /api/v1/upload, signed in by TOKEN), then, every
      20 ms from the start of the upload, asks as a visitor (no cookie, no
      token) for page 1 (GET /api/v1/doc/ID/pages?from=1&count=1) and, once
      it has an item, for its image (/blob/SHA) until that answers 200 (a
      WebP image); and,
      as the uploader, for the document (GET /api/v1/doc/ID) until its
      status is ready. Prints one line: "ID FIRST_S READY_S PAGES", the
      seconds from the start of the upload. Exits 1 when the document fails
      or DEADLINE_S passes.
"""
import http.client
import json
import os
import random
import socket
import sys
import time
import uuid
from xml.sax.saxutils import escape

TOPICS = [
    ("数字化加工流程", "Digitization workflow"),
    ("元数据与编目", "Metadata and cataloguing"),
    ("全文检索", "Full-text search"),
    ("页面图像与缓存", "Page images and caching"),
    ("用户与权限", "Users and permissions"),
    ("存储与备份", "Storage and backup"),
    ("格式转换", "Format conversion"),
    ("光学字符识别", "Optical character recognition"),
    ("访问统计", "Access statistics"),
    ("版权与合规", "Copyright and compliance"),
    ("移动端阅读", "Reading on phones"),
    ("运维与监控", "Operations and monitoring"),
]
SYSTEMS = ["SQLite", "PostgreSQL", "nginx", "LibreOffice", "MuPDF", "Tesseract", "libwebp",
           "Prometheus", "systemd", "OpenCC", "ICU", "FTS5"]
FORMATS = ["PDF", "DOCX", "EPUB", "ODT", "PPTX", "XLSX", "TXT", "MOBI", "DjVu", "RTF"]
UNITS = ["部门", "分馆", "学院", "研究所", "档案室", "编辑部"]
CITIES = ["北京", "上海", "杭州", "成都", "西安", "广州", "南京", "武汉"]
WORDS = ["availability", "throughput", "latency", "recall", "precision", "backlog",
         "checksum", "thumbnail", "preview", "workflow", "retention", "audit log"]

SENTENCES = [
    "本季度{city}{unit}共上传文档 {n} 份，其中 {fmt} 格式占 {pct}%，较上季度增长 {pct2}%。",
    "系统采用 {sys} 保存元数据，每份文档的 SHA-256 校验和（checksum）在入库时计算一次。",
    "The {word} of the {sys} stage was measured on {date}: {n} requests, p99 {ms} ms.",
    "读者反馈显示，{fmt} 文档的首页加载时间是影响体验的主要因素，平均为 {ms} 毫秒。",
    "为了提高 {word}，我们将缩略图（thumbnail）的宽度固定为 240 像素，并以 WebP 格式存储。",
    "{city}{unit}的 {n} 册古籍扫描件已完成 OCR，识别准确率约为 {pct}%（以字符计）。",
    "Each page image is stored once, named by its hash, and served with an immutable Cache-Control header.",
    "检索模块支持简体与繁体互查：输入“图书馆”也能找到“圖書館”，由 {sys} 提供字表。",
    "在压力测试中，{sys} 与 wenyuan 并排运行于同一台两核服务器，结果见表 {n2}。",
    "According to the {date} audit, {pct}% of uploads were {fmt} files and {pct2}% were scans.",
    "管理员可以在后台调整预览页数（preview pages），默认值为 50 页，超过部分需下载原文阅读。",
    "第 {n2} 次迭代修复了 {fmt} 转换中的字体替换问题：宋体、仿宋与楷体均映射到开源字体。",
    "The conversion queue held {n} jobs at peak; the {word} stayed under {ms} ms for readers.",
    "用户注册后获得 {n2} 个积分，上传一份文档奖励 {n2} 分，下载付费文档时扣除相应积分。",
    "我们在 {date} 将日志格式改为 key=value 形式，便于用 {sys} 采集与告警。",
    "文档状态依次为 queued、converting 与 ready；失败时给出原因代码，例如 encrypted 或 damaged。",
    "A {fmt} file of {n} pages took {sec} seconds from upload to ready on the test machine.",
    "对于 {n} 页以上的长文档，读者希望在转换完成之前就能阅读前几页，这是本期的重点工作。",
    "备份采用 SQLite 的在线备份接口，每日凌晨 {h2} 点执行，保留最近 {n2} 天的副本。",
    "移动端页面在 390 像素宽的屏幕上不出现横向滚动条，图片按需加载（lazy loading）。",
    "The {sys} team reviewed the {word} figures and agreed on a target of {pct}% for next year.",
    "{city}用户的访问量占总量的 {pct}%，高峰出现在工作日上午 {h} 点前后。",
    "版权投诉由管理员在 {n2} 个工作日内处理，涉及的文档先隐藏，核实后再决定是否恢复。",
    "全文索引以字为单位，同时为相邻两字建立 bigram，查询“{city}{unit}”时两种索引共同参与排序。",
    "Storage grew by {n} MB this quarter, mostly page images; originals are kept unchanged.",
    "为避免重复入库，系统对正文计算指纹，相似度超过 {pct}% 的文档会被标记为近似重复。",
    "本节数据统计截至 {date}，口径与上一期报告一致，单位为份或页。",
]


def sentence(rng):
    t = rng.choice(SENTENCES)
    return t.format(
        city=rng.choice(CITIES), unit=rng.choice(UNITS), fmt=rng.choice(FORMATS), sys=rng.choice(SYSTEMS),
        word=rng.choice(WORDS), n=rng.randint(120, 98000), n2=rng.randint(2, 30), pct=rng.randint(3, 97),
        pct2=rng.randint(1, 40), h=rng.randint(8, 11), h2=rng.randint(1, 5), ms=rng.randint(8, 900), sec=round(rng.uniform(0.5, 90), 1),
        date="%d-%02d-%02d" % (rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28)))


def paragraph(rng):
    out = [sentence(rng) for _ in range(rng.randint(4, 5))]
    return "".join(x + " " if x.endswith(".") else x for x in out).rstrip()


FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta><dc:title>{title}</dc:title></office:meta>
 <office:font-face-decls>
  <style:font-face style:name="Noto Serif CJK SC" svg:font-family="'Noto Serif CJK SC'"/>
  <style:font-face style:name="Noto Sans CJK SC" svg:font-family="'Noto Sans CJK SC'"/>
 </office:font-face-decls>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:text-properties style:font-name="Noto Serif CJK SC" fo:font-size="10.5pt" fo:language="en" fo:country="US"
    style:font-name-asian="Noto Serif CJK SC" style:font-size-asian="10.5pt" style:language-asian="zh" style:country-asian="CN"/>
  </style:default-style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="2.2cm"
    fo:margin-bottom="1.5cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm"/>
   <style:footer-style><style:header-footer-properties fo:min-height="0.8cm"/></style:footer-style>
  </style:page-layout>
  <style:style style:name="T" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.5cm"/>
   <style:text-properties style:font-name="Noto Sans CJK SC" fo:font-size="20pt" fo:font-weight="bold"
    style:font-name-asian="Noto Sans CJK SC" style:font-size-asian="20pt" style:font-weight-asian="bold"/>
  </style:style>
  <style:style style:name="H" style:family="paragraph">
   <style:paragraph-properties fo:break-before="page" fo:margin-bottom="0.35cm"/>
   <style:text-properties style:font-name="Noto Sans CJK SC" fo:font-size="15pt" fo:font-weight="bold"
    style:font-name-asian="Noto Sans CJK SC" style:font-size-asian="15pt" style:font-weight-asian="bold"/>
  </style:style>
  <style:style style:name="P" style:family="paragraph">
   <style:paragraph-properties fo:text-indent="0.74cm" fo:margin-bottom="0.2cm" fo:line-height="145%"
    fo:text-align="justify"/>
  </style:style>
  <style:style style:name="F" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center"/>
   <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
  </style:style>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:footer><text:p text:style-name="F">— <text:page-number text:select-page="current"/> —</text:p></style:footer>
  </style:master-page>
 </office:master-styles>
 <office:body><office:text>
"""
FODT_TAIL = "</office:text></office:body>\n</office:document>\n"


def fodt(pages, seed, out):
    rng = random.Random(seed)
    title = "数字图书馆运行报告 Digital Library Operations Report（第 %d 辑）" % seed
    parts = [FODT_HEAD.replace("{title}", escape(title))]
    parts.append('<text:p text:style-name="T">%s</text:p>\n' % escape(title))
    for p in range(1, pages + 1):
        zh, en = TOPICS[(p - 1) % len(TOPICS)]
        head = "%d　%s %s" % (p, zh, en)
        # the first page's heading follows the title; every other starts a page
        style = "P" if p == 1 else "H"
        parts.append('<text:p text:style-name="%s">%s</text:p>\n' % (style, escape(head)))
        # 1100-1400 characters: most of an A4 page, never more than one
        budget, used = rng.randint(1100, 1400), 0
        while True:
            para = paragraph(rng)
            if used + len(para) > budget:
                break
            used += len(para)
            parts.append('<text:p text:style-name="P">%s</text:p>\n' % escape(para))
    parts.append(FODT_TAIL)
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(parts))


class Site:
    def __init__(self, base):
        assert base.startswith("http://")
        self.hostport = base[len("http://"):].rstrip("/")
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, body bytes); one keep-alive connection, reopened on error."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.hostport, timeout=60)
                self.conn.connect()
                # small requests at once, not held back for the last one's ACK
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def measure(base, token, path, deadline_s):
    name = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()
    boundary = "----wybench" + uuid.uuid4().hex
    body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n") % (boundary, name)).encode() + data + \
        ("\r\n--%s--\r\n" % boundary).encode()
    owner = Site(base)   # the uploader: upload, then the document's status
    visitor = Site(base)  # no cookie, no token: page 1 and its image
    auth = {"Authorization": "Bearer " + token}

    t0 = time.monotonic()
    st, out = owner.request("POST", "/api/v1/upload", body,
                            dict(auth, **{"Content-Type": "multipart/form-data; boundary=" + boundary}))
    if st != 201:
        sys.exit("bench: upload of %s answered %d: %s" % (name, st, out[:200]))
    d = json.loads(out)["documents"][0]
    if "id" not in d or d.get("existed"):
        sys.exit("bench: upload of %s gave no new document: %s" % (name, d))
    doc_id = d["id"]
    first = ready = None
    pages = 0
    while ready is None or first is None:
        t = time.monotonic()
        if first is None:
            st, out = visitor.request("GET", "/api/v1/doc/%d/pages?from=1&count=1" % doc_id)
            if st == 200:
                items = json.loads(out).get("items") or []
                if items and items[0].get("image"):
                    st, img = visitor.request("GET", items[0]["image"])
                    if st == 200:
                        first = time.monotonic() - t0
                        if img[:4] != b"RIFF" or img[8:12] != b"WEBP":
                            sys.exit("bench: page 1 of %s answered 200 without a WebP image" % name)
        if ready is None:
            st, out = owner.request("GET", "/api/v1/doc/%d" % doc_id, headers=auth)
            if st == 200:
                j = json.loads(out)
                if j.get("status") == "failed":
                    sys.exit("bench: %s failed: %s" % (name, j.get("reason")))
                if j.get("status") == "ready":
                    ready = time.monotonic() - t0
                    pages = j.get("pages", 0)
        if time.monotonic() - t0 > deadline_s:
            sys.exit("bench: %s not %s after %d s" % (name, "readable" if first is None else "ready", deadline_s))
        # every ~20 ms, counted from the start of this round
        time.sleep(max(0.0, 0.02 - (time.monotonic() - t)))
    print(doc_id, "%.3f" % first, "%.3f" % ready, pages)


def main(argv):
    if len(argv) == 5 and argv[1] == "fodt":
        fodt(int(argv[2]), int(argv[3]), argv[4])
    elif len(argv) == 6 and argv[1] == "measure":
        measure(argv[2], argv[3], argv[4], float(argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
