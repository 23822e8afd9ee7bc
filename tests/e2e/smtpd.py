#!/usr/bin/env python3
"""A real SMTP server on loopback for the mail tests (Debian's
python3-aiosmtpd), and a reader of what it received.

  smtpd.py serve PORT DIR [USER:PASSWORD]
      listen on 127.0.0.1:PORT until SIGTERM; write each message received
      to DIR/NNNN.eml (written aside, then renamed: a reader never sees half
      a file), its envelope in DIR/NNNN.env (JSON); with USER:PASSWORD,
      AUTH (PLAIN, LOGIN) is required, without TLS (loopback only).
  smtpd.py show FILE.eml
      the message as JSON: its headers (decoded, RFC 2047), the text of its
      body (decoded from its transfer encoding) and its raw header lines.
"""
import json
import os
import signal
import sys
import threading


def serve(port, outdir, login):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    lock = threading.Lock()
    # numbered on from what an earlier run left (the tests restart it)
    state = {"n": len([f for f in os.listdir(outdir) if f.endswith(".eml")])}

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                state["n"] += 1
                n = state["n"]
            base = os.path.join(outdir, "%04d" % n)
            with open(base + ".env.tmp", "w", encoding="utf-8") as f:
                json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                           "auth": bool(session.authenticated)}, f)
            os.rename(base + ".env.tmp", base + ".env")
            with open(base + ".tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            os.rename(base + ".tmp", base + ".eml")
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        user, password = login.split(":", 1)
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok)

    kw = {}
    if login:
        kw = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    c = Controller(Handler(), hostname="127.0.0.1", port=port, **kw)
    c.start()
    print("smtpd listening on 127.0.0.1:%d" % port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    c.stop()


def show(path):
    import email
    import email.header
    import email.policy
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    out = {k.lower(): str(v) for k, v in msg.items()}
    out["body"] = msg.get_content()
    out["raw_headers"] = head
    out["crlf"] = b"\n" not in raw.replace(b"\r\n", b"")
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")
    elif sys.argv[1] == "show":
        show(sys.argv[2])
    else:
        sys.exit(__doc__)
