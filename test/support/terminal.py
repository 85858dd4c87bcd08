"""Runs a command on a real terminal (a pty) and does to it what a user or the
system would; prints {"output", "status"} as JSON on stdout. The command must
print "ready PID" (PID: the process to signal, usually git-vault) once it
waits for signals.

    python3 terminal.py keys -- CMD...        types Ctrl-C, then Ctrl-\\, on the terminal
    python3 terminal.py background -- CMD...  runs CMD on the terminal in a background
                                              process group; kill -INT, then -QUIT, to PID
    python3 terminal.py detached -- CMD...    runs CMD with no terminal at all (a new
                                              session, pipes); kill -INT, then -QUIT, to PID
    python3 terminal.py hangup -- CMD...      closes the terminal (a hang-up)

status is the exit code, or minus the signal number that killed CMD.
"""
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time

mode, argv = sys.argv[1], sys.argv[3:]
TIMEOUT = 20.0


def read_until_ready(read):
    """Reads output until "ready PID" shows; returns (output, PID)."""
    out = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        match = re.search(rb"ready (\d+)", out)
        if match:
            return out, int(match.group(1))
        chunk = read()
        if not chunk:
            break
        out += chunk
    sys.exit("terminal.py: the command never printed 'ready PID': " + out.decode(errors="replace"))


def read_rest(fd):
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's last process is gone
            break
        if not chunk:
            break
        out += chunk
    return out


def signal_twice(pid):
    os.kill(pid, signal.SIGINT)
    time.sleep(0.3)
    os.kill(pid, signal.SIGQUIT)


if mode == "detached":
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    out, pid = read_until_ready(lambda: os.read(proc.stdout.fileno(), 4096))
    signal_twice(pid)
    out += proc.stdout.read()
    status = proc.wait()
else:
    pid, fd = pty.fork()
    if pid == 0:
        if mode == "background":
            # A process group of its own, not the terminal's foreground one.
            inner = os.fork()
            if inner == 0:
                os.setpgid(0, 0)
                os.execvp(argv[0], argv)
            os._exit(os.waitstatus_to_exitcode(os.waitpid(inner, 0)[1]) & 0xFF)
        os.execvp(argv[0], argv)
    out, target = read_until_ready(lambda: os.read(fd, 4096))
    if mode == "keys":
        os.write(fd, b"\x03")
        time.sleep(0.3)
        os.write(fd, b"\x1c")
    elif mode == "background":
        signal_twice(target)
    elif mode == "hangup":
        os.close(fd)
    if mode != "hangup":
        out += read_rest(fd)
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

print(json.dumps({"output": out.decode(errors="replace").replace("\r\n", "\n"), "status": status}))
