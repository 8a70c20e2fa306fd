#!/usr/bin/env python3
"""Runs one command and prints its cost as JSON: wall seconds, user and system CPU seconds, peak RSS.

CPU time (user + sys) is reported next to wall time because it stays meaningful when other work
loads the machine. Peak RSS comes from GNU time (`/usr/bin/time`) when it is installed. Without it,
the kernel's wait4() accounting is used, which needs nothing installed but has a floor: Linux keeps
the RSS high-water mark of the process that forked the child (this Python, about 10-14 MB) across
exec, so a command lighter than that reads as that. The JSON says which source it used.

The command's stdout and stderr go to /dev/null unless --stdout FILE is given: the runners' terminal
output is part of the work measured, not of the result.

Each --label KEY=VALUE is copied into the JSON. A command that exits non-zero makes this exit 1
after printing, so a broken run is never averaged in.

usage: measure.py [--stdout FILE] [--label KEY=VALUE]... -- COMMAND ARGS...
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def gnu_time_works():
    if not shutil.which(GNU_TIME):
        return False
    # BusyBox and BSD `time` do not take -f.
    probe = subprocess.run([GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True)
    return probe.returncode == 0 and probe.stderr.strip().isdigit()


def measure(argv, out, gnu_time):
    """Wall and CPU time from wait4() (microseconds; GNU time rounds CPU to 10 ms, too coarse for
    startup), peak RSS from GNU time when it is there."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        if gnu_time:
            argv = [GNU_TIME, "-q", "-o", report.name, "-f", "%M", *argv]
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        # Popen would otherwise try to reap the child again.
        child.returncode = os.waitstatus_to_exitcode(status)
        # ru_maxrss is in KiB on Linux.
        rss_kib = int(report.read().split()[-1]) if gnu_time else usage.ru_maxrss
    return wall, usage.ru_utime, usage.ru_stime, rss_kib, child.returncode


def main(argv):
    out_path = os.devnull
    labels = {}
    while argv[:1] in (["--stdout"], ["--label"]) and len(argv) > 1:
        if argv[0] == "--stdout":
            out_path = argv[1]
        else:
            key, _, value = argv[1].partition("=")
            labels[key] = value
        argv = argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    gnu_time = gnu_time_works()
    with open(out_path, "wb") as out:
        wall, user, system, rss_kib, status = measure(argv, out, gnu_time)
    print(json.dumps({
        **labels,
        "wall": round(wall, 4),
        "user": round(user, 4),
        "sys": round(system, 4),
        "cpu": round(user + system, 4),
        "rss_mb": round(rss_kib / 1024, 1),
        "exit": status,
        "rss_source": "gnu-time" if gnu_time else "wait4 (floor: this Python's RSS)",
    }))
    if status != 0:
        sys.exit(f"measure.py: {' '.join(argv)} exited with {status}")


if __name__ == "__main__":
    main(sys.argv[1:])
