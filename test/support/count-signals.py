"""Counts the SIGINTs and SIGQUITs it receives: prints "ready PID" (PID: its
parent, the git-vault that started it), then "SIGINT=n SIGQUIT=m" after 1.5
seconds, and exits 0."""
import os
import signal
import time

counts = {signal.SIGINT: 0, signal.SIGQUIT: 0}


def count(signum, _frame):
    counts[signum] += 1


signal.signal(signal.SIGINT, count)
signal.signal(signal.SIGQUIT, count)
print(f"ready {os.getppid()}", flush=True)
deadline = time.monotonic() + 1.5
while time.monotonic() < deadline:
    time.sleep(0.05)
print(f"SIGINT={counts[signal.SIGINT]} SIGQUIT={counts[signal.SIGQUIT]}", flush=True)
