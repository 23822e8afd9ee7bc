#!/usr/bin/env python3
"""unit_filter.py UNIT -- COMMAND...: run COMMAND under the seccomp filter
systemd would install for UNIT, on a machine where systemd is not PID 1
(tests/e2e/units_sandbox.sh). Of the unit it reads SystemCallFilter=
(groups expanded by `systemd-analyze syscall-filter`, so as systemd
itself defines them), SystemCallErrorNumber=, RestrictAddressFamilies=
(socket() of another family fails with EAFNOSUPPORT),
RestrictNamespaces= (unshare() of another namespace fails) and
MemoryDenyWriteExecute= (no memory both writable and executable, none made
executable later); like systemd
it sets no_new_privs. The mount-based settings (ProtectSystem=,
PrivateTmp= ...) are not imitated: they need a mount namespace made as
root. Prints one line to stderr saying what it applied."""
import errno
import os
import socket
import subprocess
import sys

import seccomp

CLONE_NS = {"cgroup": 0x02000000, "ipc": 0x08000000, "mnt": 0x00020000, "net": 0x40000000,
            "pid": 0x20000000, "user": 0x10000000, "uts": 0x04000000}


def groups():
    """systemd's syscall groups: name -> members (calls and groups)."""
    out = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True,
                         check=True).stdout
    table, cur = {}, None
    for line in out.splitlines():
        word = line.strip()
        if line.startswith("@"):
            cur = table.setdefault(word, [])
        elif cur is not None and word and not word.startswith("#"):
            cur.append(word)
    return table


def expand(table, name):
    if not name.startswith("@"):
        return {name}
    if name not in table:
        sys.exit(f"unit_filter: systemd knows no group {name}")
    calls = set()
    for member in table[name]:
        calls |= expand(table, member)
    return calls


def main():
    sep = sys.argv.index("--")
    unit, cmd = sys.argv[1], sys.argv[sep + 1:]
    settings = {}
    for line in open(unit, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)

    table = groups()
    allowed = None
    for value in settings.get("SystemCallFilter", []):
        deny = value.startswith("~")
        calls = set()
        for name in value.lstrip("~").split():
            calls |= expand(table, name)
        if deny:
            allowed = (allowed if allowed is not None else expand(table, "@known")) - calls
        else:
            allowed = calls if allowed is None else allowed | calls
    if allowed is None:
        sys.exit("unit_filter: the unit has no SystemCallFilter=")
    err = getattr(errno, settings.get("SystemCallErrorNumber", ["EPERM"])[-1])
    families = [getattr(socket, f) for f in " ".join(settings.get("RestrictAddressFamilies", [])).split()]
    spaces = " ".join(settings.get("RestrictNamespaces", [])).split()

    mdwe = settings.get("MemoryDenyWriteExecute", ["no"])[-1] in ("yes", "true")
    wx, x = 0x2 | 0x4, 0x4  # PROT_WRITE | PROT_EXEC, PROT_EXEC

    flt = seccomp.SyscallFilter(defaction=seccomp.ERRNO(err))
    unknown = []
    for call in sorted(allowed):
        try:
            if call in ("mmap", "mmap2") and mdwe:
                for prot in (0, 0x2, 0x4):
                    flt.add_rule(seccomp.ALLOW, call, seccomp.Arg(2, seccomp.MASKED_EQ, wx, prot))
                flt.add_rule(seccomp.ERRNO(errno.EPERM), call, seccomp.Arg(2, seccomp.MASKED_EQ, wx, wx))
            elif call in ("mprotect", "pkey_mprotect") and mdwe:
                flt.add_rule(seccomp.ALLOW, call, seccomp.Arg(2, seccomp.MASKED_EQ, x, 0))
                flt.add_rule(seccomp.ERRNO(errno.EPERM), call, seccomp.Arg(2, seccomp.MASKED_EQ, x, x))
            elif call == "socket" and families:
                for fam in families:
                    flt.add_rule(seccomp.ALLOW, call, seccomp.Arg(0, seccomp.EQ, fam))
                for fam in range(64):
                    if fam not in families:
                        flt.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), call, seccomp.Arg(0, seccomp.EQ, fam))
            elif call == "unshare" and spaces:
                ok = 0
                if spaces not in (["yes"], ["true"]):
                    for s in spaces:
                        ok |= CLONE_NS[s]
                banned = sum(CLONE_NS.values()) & ~ok
                flt.add_rule(seccomp.ALLOW, call, seccomp.Arg(0, seccomp.MASKED_EQ, banned, 0))
            else:
                flt.add_rule(seccomp.ALLOW, call)
        except (RuntimeError, ValueError):
            unknown.append(call)  # not a call on this architecture
    print(f"unit_filter: {len(allowed) - len(unknown)} calls allowed (else {errno.errorcode[err]}), "
          f"address families {' '.join(settings.get('RestrictAddressFamilies', [])) or 'any'}, "
          f"namespaces {' '.join(spaces) or 'any'}, write+execute memory {'denied' if mdwe else 'allowed'}",
          file=sys.stderr)
    flt.load()
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
