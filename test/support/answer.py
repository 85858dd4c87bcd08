"""Runs a command on a real terminal (a pty) and answers its yes/no question:
when the output shows "[y/N] ", types ANSWER and Enter. Prints
{"output", "status"} as JSON on stdout.

    python3 answer.py ANSWER -- CMD...
"""
import json
import os
import pty
import select
import sys
import time

answer, argv = sys.argv[1], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, answered, deadline = b"", False, time.time() + 30
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not answered and b"[y/N] " in out:
        os.write(fd, answer.encode() + b"\r")
        answered = True
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": out.decode("utf8", "replace"), "status": os.waitstatus_to_exitcode(status)}))
