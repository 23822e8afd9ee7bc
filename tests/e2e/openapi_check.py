#!/usr/bin/env python3
"""Hold docs/openapi.json to the server (tests/e2e/openapi.sh).

  openapi_check.py spec SPEC OAS_SCHEMA   the description is OpenAPI 3.0
  openapi_check.py routes SPEC ROUTES     its paths are the server's routes
  openapi_check.py live SPEC BASE FILE    the server's answers match it
  openapi_check.py doc SPEC API_MD        docs/api.md names the same operations

Each prints "ok - ..." / "not ok - ..." lines and exits 1 when any check
failed. Only the standard library and jsonschema (python3-jsonschema).
"""
import copy
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import jsonschema

failed = 0


def report(good, what, detail=""):
    global failed
    if good:
        print("ok - " + what)
    else:
        failed += 1
        print("not ok - " + what + (": " + detail if detail else ""))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def operations(spec):
    """(METHOD, full path template, operation) of every operation."""
    prefix = spec["servers"][0]["url"].rstrip("/")
    for path, item in spec["paths"].items():
        for method in ("get", "post", "put", "delete", "patch", "head", "options"):
            if method in item:
                yield method.upper(), prefix + path, item[method]


# ---- the description itself ----------------------------------------------

def check_spec(spec_path, schema_path):
    spec, oas = load(spec_path), load(schema_path)
    errors = sorted(jsonschema.Draft4Validator(oas).iter_errors(spec), key=lambda e: list(e.path))
    report(not errors, "the description is valid against the OpenAPI 3.0 schema",
           "; ".join("%s: %s" % ("/".join(map(str, e.path)), e.message[:200]) for e in errors[:5]))
    # what the JSON Schema of OpenAPI cannot say: the names in a path are
    # its path parameters, and every $ref points at something
    bad = []
    for method, path, op in operations(spec):
        names = set(re.findall(r"\{([^}]+)\}", path))
        declared = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
        if names != declared:
            bad.append("%s %s: path names %s, parameters %s" % (method, path, sorted(names), sorted(declared)))
    report(not bad, "every name in a path is a path parameter of its operation", "; ".join(bad))
    dangling = []

    def walk(node):
        if isinstance(node, dict):
            r = node.get("$ref")
            if isinstance(r, str):
                try:
                    resolve(spec, r)
                except KeyError:
                    dangling.append(r)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    report(not dangling, "every $ref resolves", ", ".join(sorted(set(dangling))))


def resolve(spec, ref):
    node = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# ---- the paths against the route table -------------------------------------

def sample_url(path):
    """A URL the template stands for: each {name} a plausible value."""
    return re.sub(r"\{[^}]+\}", "1", path)


def check_routes(spec_path, routes_path):
    spec = load(spec_path)
    routes = []  # (METHOD, path, prefix, segment), in the table's order
    with open(routes_path, encoding="utf-8") as f:
        for line in f:
            method, path = line.split()
            if path.startswith("/api/v1/") or path == "/api/v1":
                prefix = path.endswith("*")
                path = path[:-1] if prefix else path
                # an exact route may hold one '*': a segment (/doc/*/replace)
                seg = re.compile(re.escape(path).replace(r"\*", "[^/]+") + "$") if "*" in path else None
                routes.append((method, path, prefix, seg))
    report(len(routes) >= 10, "the server lists its /api/v1 routes (%d)" % len(routes))
    ops = [(m, p) for m, p, _ in operations(spec)]

    def takes(url, p, prefix, seg):
        return bool(seg.match(url)) if seg else url.startswith(p) if prefix else url == p
    # documented, so served: the route the server would take (first match
    # wins, as find_route in src/web/http.c)
    unserved = []
    for method, path in ops:
        url = sample_url(path)
        if not any(m == method and takes(url, p, prefix, seg) for m, p, prefix, seg in routes):
            unserved.append("%s %s" % (method, path))
    report(not unserved, "every operation described is a route of the server", ", ".join(unserved))
    # served, so documented: an exact route by its path, a prefix route by
    # at least one operation under it
    undocumented = []
    for method, path, prefix, seg in routes:
        if not any(m == method and (bool(seg.match(sample_url(p))) if seg else
                                    p.startswith(path) and p != path if prefix else p == path) for m, p in ops):
            undocumented.append("%s %s%s" % (method, path, "*" if prefix else ""))
    report(not undocumented, "every /api/v1 route of the server is described", ", ".join(undocumented))


# ---- the server's answers against the schemas -------------------------------

def json_schema(spec, schema):
    """An OpenAPI 3.0 schema as a self-contained JSON Schema (draft 4):
    references inlined, nullable as a null type, OpenAPI-only keywords
    dropped."""
    if isinstance(schema, list):
        return [json_schema(spec, s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return json_schema(spec, resolve(spec, schema["$ref"]))
    out = {}
    for k, v in schema.items():
        if k in ("nullable", "example", "format", "readOnly", "writeOnly", "xml", "externalDocs", "discriminator",
                 "deprecated"):
            continue
        if k == "properties":
            out[k] = {name: json_schema(spec, s) for name, s in v.items()}
        elif k in ("items", "not", "additionalProperties") or k in ("allOf", "anyOf", "oneOf"):
            out[k] = json_schema(spec, v)
        else:
            out[k] = copy.deepcopy(v)
    if schema.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def known_properties(schema):
    """The properties an object of schema may have, through allOf."""
    props = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props.update(known_properties(part))
    for part in schema.get("anyOf", []):
        props.update(known_properties(part))
    return props


def items_of(schema):
    if "items" in schema:
        return schema["items"]
    for part in schema.get("allOf", []) + schema.get("anyOf", []):
        found = items_of(part)
        if found is not None:
            return found
    return None


def undocumented(instance, schema, where, out):
    """Fields the server sends that the schema does not name."""
    if isinstance(instance, dict):
        props = known_properties(schema)
        for k, v in instance.items():
            if k not in props:
                out.append("%s.%s" % (where, k))
            else:
                undocumented(v, props[k], "%s.%s" % (where, k), out)
    elif isinstance(instance, list):
        items = items_of(schema)
        if items is not None:
            for n, v in enumerate(instance):
                undocumented(v, items, "%s[%d]" % (where, n), out)


class Client:
    def __init__(self, spec, base):
        self.spec, self.base = spec, base.rstrip("/")
        self.ops = {(m, p): op for m, p, op in operations(spec)}
        self.seen = set()  # (METHOD, template) exercised
        self.prefix = spec["servers"][0]["url"].rstrip("/")

    def call(self, method, template, values=None, query=None, token=None, form=None, files=None, expect=200,
             what=None):
        """Ask the server, check the status is the one expected and one the
        description lists, and its JSON against the schema it gives for it.
        Returns the decoded JSON (or None)."""
        values = values or {}
        path = self.prefix + template
        url = path
        for k, v in values.items():
            url = url.replace("{%s}" % k, urllib.parse.quote(str(v), safe="/"))
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None
        if files is not None:
            boundary = uuid.uuid4().hex
            parts = []
            for k, v in (form or {}).items():
                parts.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                              % (boundary, k, v)).encode())
            for name, body in files:
                parts.append(('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                              'Content-Type: application/octet-stream\r\n\r\n' % (boundary, name)).encode() + body
                             + b"\r\n")
            data = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
            headers["Content-Type"] = "multipart/form-data; boundary=" + boundary
        elif method == "POST":
            data = urllib.parse.urlencode(form or {}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, ctype, body = r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, body = e.code, e.headers.get("Content-Type", ""), e.read()
        what = what or "%s %s" % (method, url)
        op = self.ops.get((method, path))
        if op is None:
            report(False, what, "not in the description")
            return None
        self.seen.add((method, path))
        good = status == expect
        report(good, "%s answers %d" % (what, expect), "it answered %d: %s" % (status, body[:200]))
        responses = op["responses"]
        resp = responses.get(str(status)) or responses.get("default")
        if resp is None:
            report(False, "%s: status %d is described" % (what, status))
            return None
        if "$ref" in resp:
            resp = resolve(self.spec, resp["$ref"])
        content = resp.get("content", {})
        if "application/json" not in content:
            mime = ctype.split(";")[0]
            report(mime in content or "*/*" in content, "%s: the answer is %s, as described" % (what, mime),
                   "described: %s" % ", ".join(content))
            return None
        report(ctype.startswith("application/json"), "%s: the answer is JSON" % what, ctype)
        try:
            doc = json.loads(body)
        except ValueError as e:
            report(False, "%s: the answer parses" % what, str(e))
            return None
        schema = json_schema(self.spec, content["application/json"]["schema"])
        errors = list(jsonschema.Draft4Validator(schema).iter_errors(doc))
        report(not errors, "%s: the answer matches its schema" % what,
               "; ".join("%s: %s" % ("/".join(map(str, e.path)), e.message[:160]) for e in errors[:3]))
        extra = []
        undocumented(doc, schema, "answer", extra)
        report(not extra, "%s: every field of the answer is described" % what, ", ".join(sorted(set(extra))[:10]))
        return doc


def check_live(spec_path, base, text_path):
    spec = load(spec_path)
    cl = Client(spec, base)
    with open(text_path, "rb") as f:
        text = f.read()
    # accounts: a user registers through the API, the admin (made with
    # `wenyuan user add --admin`, password "openapi-admin") logs in
    alice = cl.call("POST", "/register", form={"name": "alice", "password": "openapi-alice"}) or {}
    report(bool(alice.get("token")), "register gives a token")
    cl.call("POST", "/register", form={"name": "alice", "password": "openapi-alice"}, expect=409,
            what="register of a taken name")
    boss = cl.call("POST", "/login", form={"name": "boss", "password": "openapi-admin"}) or {}
    cl.call("POST", "/login", form={"name": "boss", "password": "wrong-password"}, expect=401, what="a wrong login")
    ua, ub = alice.get("token"), boss.get("token")
    # a document: uploaded through the API, converted by the embedded worker
    up = cl.call("POST", "/upload", token=ua, form={"category": "教育资料", "title": "接口测试文档"},
                 files=[("接口测试.txt", text)], expect=201) or {}
    doc = (up.get("documents") or [{}])[0].get("id")
    report(isinstance(doc, int), "the upload made a document")
    deadline = time.time() + 60
    status = None
    while time.time() < deadline:
        with urllib.request.urlopen(urllib.request.Request("%s/api/v1/doc/%s" % (cl.base, doc),
                                                           headers={"Authorization": "Bearer " + ua})) as r:
            status = json.loads(r.read()).get("status")
        if status in ("ready", "failed"):
            break
        time.sleep(0.2)
    report(status == "ready", "the document is ready", str(status))
    ids = {"id": doc}
    # what changes something, before the lists that show it
    cl.call("POST", "/me/signin", token=ua)
    cl.call("POST", "/doc/{id}/favorite", ids, token=ua, form={"on": "1"})
    cl.call("POST", "/doc/{id}/report", ids, token=ub, form={"reason": "其他", "detail": "openapi"}, expect=201)
    cl.call("POST", "/doc/{id}/edit", ids, token=ua, form={"description": "接口测试的简介", "tags": "接口,测试"})
    cl.call("POST", "/doc/{id}/edit", ids, token=ua, form={"price": "-1"}, expect=400, what="an edit's bad price")
    cl.call("POST", "/doc/{id}/replace", ids, token=ua, files=[("接口测试.txt", text)], expect=202)
    cl.call("POST", "/doc/{id}/reward", ids, token=ua, form={"points": "1"}, expect=403, what="a reward to oneself")
    # ratings and comments (the admin reads, rates and comments as any reader)
    cl.call("POST", "/doc/{id}/rating", ids, token=ub, form={"stars": "4"})
    cl.call("POST", "/doc/{id}/rating", ids, token=ua, form={"stars": "5"}, expect=403,
            what="a rating of one's own upload")
    com = cl.call("POST", "/doc/{id}/comments", ids, token=ub, form={"text": "接口测试的评论"}, expect=201) or {}
    cid = str(com.get("comment"))
    cl.call("POST", "/doc/{id}/comments", ids, token=ua, form={"text": "回复", "parent": cid}, expect=201,
            what="a reply")
    cl.call("POST", "/doc/{id}/comments", ids, token=ua, form={"text": " "}, expect=400, what="an empty comment")
    cl.call("POST", "/doc/{id}/report", ids, token=ua, form={"reason": "其他", "comment": cid}, expect=201,
            what="a report of a comment")
    gone = cl.call("POST", "/doc/{id}/comments", ids, token=ub, form={"text": "要删的评论"}, expect=201,
                   what="a comment to delete") or {}
    cl.call("POST", "/doc/{id}/comment/{cid}/delete", {"id": doc, "cid": gone.get("comment")}, token=ub)
    cl.call("POST", "/me/retry/{id}", ids, token=ua, expect=409, what="a retry of a ready document")
    cl.call("POST", "/doc/{id}/delete", ids, token=ua, what="the owner's delete to the recycle bin")
    cl.call("POST", "/doc/{id}/restore", ids, token=ua, what="the owner's restore")
    cl.call("POST", "/doc/{id}/restore", ids, token=ua, expect=409, what="a restore of what is not in the bin")
    cl.call("POST", "/download/{id}", ids, token=ub)
    cl.call("POST", "/download/{id}", {"id": 999999}, token=ub, expect=404, what="a download of no document")
    cl.call("POST", "/me/password", token=ua, form={"old": "not-it", "password": "openapi-alice2"}, expect=400,
            what="a password change with a wrong old one")
    cl.call("POST", "/admin/doc", token=ub, form={"id": str(doc), "action": "approve"})
    cl.call("POST", "/admin/comment", token=ub, form={"id": cid, "action": "comment_hide"})
    cl.call("POST", "/admin/doc", token=ub, form={"id": str(doc), "action": "no-such"}, expect=400,
            what="an unknown admin action")
    alice_id = str((alice.get("user") or {}).get("id"))
    cl.call("POST", "/admin/user", token=ub, form={"id": alice_id, "action": "points", "delta": "5"})
    cl.call("POST", "/admin/group", token=ub, form={"action": "group_add", "name": "接口测试组", "can_upload": "1"})
    cl.call("POST", "/admin/group", token=ub, form={"action": "group_add", "name": "接口测试组"}, expect=409,
            what="a group's name taken")
    cl.call("POST", "/admin/settings", token=ub, form={"site_name": "接口测试文库"})
    cl.call("POST", "/admin/retry", token=ub, form={"reason": "damaged"})  # the dashboard's retry-all
    cl.call("POST", "/admin/retry", token=ub, form={"reason": "no-such"}, expect=400, what="a retry of no reason")
    cl.call("POST", "/admin/settings", token=ua, form={"site_name": "x"}, expect=404, what="site settings by a user")
    # articles and the site's links (PAGES)
    art = cl.call("POST", "/admin/article", token=ub, form={"action": "article_save", "slug": "api-notice",
                                                            "title": "接口公告", "body_md": "**接口**"}) or {}
    cl.call("POST", "/admin/article", token=ub, form={"action": "article_save", "slug": "Bad Slug", "title": "x"},
            expect=400, what="an article's bad slug")
    cl.call("POST", "/admin/article", token=ub, form={"action": "article_save", "slug": "terms", "title": "x"},
            expect=409, what="a slug another article has")
    cl.call("POST", "/admin/article", token=ub, form={"action": "article_delete", "id": str(art.get("id"))})
    cl.call("POST", "/admin/link", token=ub, form={"action": "link_save", "kind": "friend", "title": "友链",
                                                   "url": "https://example.com/"})
    cl.call("POST", "/admin/link", token=ub, form={"action": "link_save", "kind": "nav", "title": "坏",
                                                   "url": "javascript:alert(1)"}, expect=400,
            what="a javascript: link")
    # collections: made, filled, reordered, favorited, edited (one deleted
    # after the lists)
    made = cl.call("POST", "/collections", token=ua, form={"name": "接口专辑", "public": "1"}, expect=201) or {}
    cid = {"id": made.get("collection")}
    cl.call("POST", "/collection/{id}/add", cid, token=ua, form={"doc": str(doc)})
    cl.call("POST", "/collections", token=ua, form={"collection": str(cid["id"]), "doc": str(doc)}, expect=409,
            what="a document added to a collection twice")
    cl.call("POST", "/collection/{id}/move", cid, token=ua, form={"doc": str(doc), "to": "1"})
    cl.call("POST", "/collection/{id}/move", cid, token=ua, form={"doc": str(doc), "to": "9"}, expect=400,
            what="a move past the end")
    cl.call("POST", "/collection/{id}/favorite", cid, token=ub, form={"on": "1"})
    cl.call("POST", "/collection/{id}/edit", cid, token=ua, form={"description": "接口测试"})
    cl.call("POST", "/collection/{id}/edit", cid, token=ub, form={"name": "x"}, expect=403,
            what="an edit of another's collection")
    spare = cl.call("POST", "/collections", token=ua, form={"name": "待删除", "doc": str(doc)}, expect=201) or {}
    cl.call("POST", "/collection/{id}/remove", {"id": spare.get("collection")}, token=ua, form={"doc": str(doc)})
    # mail: an address, its link sent again, a reset asked for, a dead
    # reset link, the admin's test mail (queued: the site has no SMTP
    # server, so it waits)
    cl.call("POST", "/me/email", token=ua, form={"email": "alice@example.org"})
    cl.call("POST", "/me/email", token=ua, form={"email": "alice@example.org\r\nBcc: x@example.org"}, expect=400,
            what="an address with a line break")
    cl.call("POST", "/me/email_resend", token=ua)
    cl.call("POST", "/reset", form={"who": "alice"})
    cl.call("POST", "/reset/{token}", {"token": "0" * 64}, form={"password": "openapi-new-1"}, expect=410,
            what="a reset link that was never sent")
    cl.call("POST", "/admin/mail_test", token=ub, form={"to": "boss@example.org"})
    # every GET, as the admin (who may see everything), then some as others
    word = "文渊阁"
    queries = {"/search": {"q": word}, "/doc/{id}/search": {"q": word}, "/admin/ledger": {"user": alice_id},
               "/captcha": {"form": "register"}}
    for method, path, op in operations(spec):
        if method != "GET":
            continue
        template = path[len(cl.prefix):]
        names = [p for p in op.get("parameters", []) if p["in"] == "path"]
        choices = [{}]
        for p in names:  # every value of an enum, the document for an id
            vals = p["schema"].get("enum") or ([doc] if p["name"] == "id" else [p.get("example")])
            if template.startswith("/collection/"):  # a collection's id, not a document's
                vals = [cid["id"]]
            choices = [dict(c, **{p["name"]: v}) for c in choices for v in vals]
        for values in choices:
            cl.call("GET", template, values, query=queries.get(template), token=ub)
    found = cl.call("GET", "/search", query={"q": word}) or {}
    report(found.get("total", 0) >= 1, "the search finds the document")
    cl.call("GET", "/search", query={"q": ""}, what="a search with nothing to search")
    cl.call("GET", "/search", query={"q": "接口测试 文渊阁 没有的词"}, what="a search matched in part")
    cl.call("GET", "/doc/{id}/search", ids, query={"q": ""}, what="an in-document search with nothing to search")
    cl.call("GET", "/doc/{id}", ids, what="a document, to a visitor")
    cl.call("GET", "/doc/{id}", ids, token=ua, what="a document, to its owner")
    cl.call("GET", "/doc/{id}", {"id": 999999}, expect=404, what="no such document")
    cl.call("GET", "/category/{path}", {"path": "教育资料/高中"}, query={"sort": "views", "pages": 1})
    cl.call("GET", "/me/{list}", {"list": "uploads"}, token=ua, what="one's uploads")
    cl.call("GET", "/me/points", token=ua, what="one's points")
    cl.call("GET", "/me", expect=401, what="/me without a token")
    cl.call("GET", "/admin", token=ua, expect=404, what="the admin area to a user")
    cl.call("GET", "/collection/{id}", cid, what="a public collection, to a visitor")
    cl.call("GET", "/collections", query={"sort": "favorites"}, what="the most favorited collections")
    cl.call("POST", "/collection/{id}/delete", {"id": spare.get("collection")}, token=ua)
    cl.call("GET", "/collection/{id}", {"id": spare.get("collection")}, token=ua, expect=404,
            what="a deleted collection")
    cl.call("POST", "/logout", token=ua)
    cl.call("GET", "/me", token=ua, expect=401, what="/me after logging out")
    described = {(m, p) for m, p, _ in operations(spec)}
    report(cl.seen == described, "every operation described was asked",
           ", ".join("%s %s" % x for x in sorted(described - cl.seen)))


# ---- docs/api.md against the description ------------------------------------

def doc_mentions(md_path):
    """The operations docs/api.md names, (METHOD, URL path): each `GET
    /api/v1/...` or `POST ...` in backquotes, and a path in backquotes after
    one on the same line; {a,b} lists expanded, {name} left as it is."""
    found = []
    with open(md_path, encoding="utf-8") as f:
        for line in f:
            method = None
            for span in re.findall(r"`([^`]*)`", line):
                m = re.match(r"(?:(GET|POST) )?(/api/v1/[^?\s]*)", span)
                if not m:
                    continue
                method = m.group(1) or method
                if not method:
                    continue
                paths = [m.group(2)]
                while any(re.search(r"\{[^}]*,[^}]*\}", p) for p in paths):
                    out = []
                    for p in paths:
                        g = re.search(r"\{([^}]*,[^}]*)\}", p)
                        out += [p[:g.start()] + alt + p[g.end():] for alt in g.group(1).split(",")] if g else [p]
                    paths = out
                found += [(method, p) for p in paths]
    return found


def template_regex(path, op):
    """A template as a regular expression: an enum parameter its values, a
    {name} in the text (docs/api.md's placeholders) or any other one
    segment."""
    enums = {p["name"]: p["schema"].get("enum") for p in op.get("parameters", []) if p.get("in") == "path"}
    out, pos = "", 0
    for g in re.finditer(r"\{([^}]+)\}", path):
        out += re.escape(path[pos:g.start()])
        vals = enums.get(g.group(1))
        out += "(?:%s)" % "|".join(map(re.escape, vals + ["{%s}" % g.group(1)])) if vals else "[^/]+"
        pos = g.end()
    return re.compile(out + re.escape(path[pos:]) + "$")


def check_doc(spec_path, md_path):
    spec = load(spec_path)
    ops = [(m, p, template_regex(p, op)) for m, p, op in operations(spec)]
    mentions = doc_mentions(md_path)
    report(len(mentions) >= 20, "docs/api.md names operations (%d)" % len(mentions))
    unknown = ["%s %s" % (m, p) for m, p in mentions if not any(m == om and rx.match(p) for om, _, rx in ops)]
    report(not unknown, "every operation docs/api.md names is described", ", ".join(unknown))
    unnamed = ["%s %s" % (om, op) for om, op, rx in ops if not any(m == om and rx.match(p) for m, p in mentions)]
    report(not unnamed, "docs/api.md names every operation described", ", ".join(unnamed))


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "spec" and len(sys.argv) == 4:
        check_spec(sys.argv[2], sys.argv[3])
    elif cmd == "routes" and len(sys.argv) == 4:
        check_routes(sys.argv[2], sys.argv[3])
    elif cmd == "doc" and len(sys.argv) == 4:
        check_doc(sys.argv[2], sys.argv[3])
    elif cmd == "live" and len(sys.argv) == 5:
        check_live(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
