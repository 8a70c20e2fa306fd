#!/usr/bin/env python3
"""Turns the JSON lines benches/run.sh collected into the Markdown tables the README shows.

Each cell is the median over the runs of a scenario (one run for Newman above 100 requests). Derived
costs are differences between scenarios, so fixed costs (process start, first connection) cancel:
per request = (5000 requests - 1 request) / 4999, per script = (1000 with scripts - 1000 without) / 1000.

usage: table.py RESULTS.jsonl [--load "uptime output"] [--cores N] [--item-files N=BYTES,...]
"""

import json
import statistics
import sys
from collections import defaultdict

MAIN = ["1 request", "100 requests", "1000 requests", "5000 requests",
        "1 request, no-library script", "1 request, capture script", "1 request, library script",
        "1000 requests, capture script", "5000 requests, capture script"]
RUNNERS = ["baton", "newman", "curl"]
ITEMS = [1000, 5000, 20000, 100000]


def load(path):
    runs = defaultdict(list)
    with open(path) as lines:
        for line in lines:
            m = json.loads(line)
            runs[(m["scenario"], m["runner"])].append(m)
    return {key: {metric: statistics.median(r[metric] for r in rs)
                  for metric in ("wall", "cpu", "rss_mb")}
            | {"wall_min": min(r["wall"] for r in rs), "runs": len(rs)}
            for key, rs in runs.items()}


def seconds(value):
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def per_unit(value):
    """A per-request or per-script cost, which is well below a millisecond for Baton and curl."""
    if value is None:
        return "-"
    # A difference of two medians is below zero only when the noise is larger than the cost.
    return f"{value * 1000:.3f} ms" if value >= 0 else "below noise"


def ratio(a, b):
    return f"{a / b:.3f}x" if a is not None and b and a >= 0 and b > 0 else "-"


def get(results, scenario, runner, metric):
    m = results.get((scenario, runner))
    return m[metric] if m else None


def main(argv):
    if not argv:
        sys.exit(__doc__)
    results = load(argv[0])
    load_note = argv[argv.index("--load") + 1] if "--load" in argv else ""
    cores = argv[argv.index("--cores") + 1] if "--cores" in argv else "?"
    item_files = {}
    if "--item-files" in argv:
        for pair in argv[argv.index("--item-files") + 1].split(","):
            n, size = pair.split("=")
            item_files[int(n)] = int(size)
    r = lambda s, runner, metric: get(results, s, runner, metric)

    has_main = any((m, "baton") in results for m in MAIN)
    if has_main:
        main_tables(results, r, cores, load_note, item_files)
    slow = [s for (s, runner) in results if s.startswith("slow server") and runner == "baton"]
    if slow:
        serial = next((s for s in slow if s.endswith(": serial")), None)
        print()
        print("| slow server (100 ms per answer) | wall | CPU | peak RSS | wall vs Baton serial |")
        print("|---|---|---|---|---|")
        rows = [(s, "baton", f"Baton {s.split(': ', 1)[1]}") for s in slow]
        if serial and (serial, "newman") in results:
            rows.append((serial, "newman", "Newman (no --parallel)"))
        base = r(serial, "baton", "wall") if serial else None
        for s, runner, label in rows:
            wall = r(s, runner, "wall")
            print(f"| {s.split(':')[0]}, {label} | {seconds(wall)} | {seconds(r(s, runner, 'cpu'))} "
                  f"| {r(s, runner, 'rss_mb'):.1f} MB | {ratio(wall, base)} |")
        if not has_main:
            print()
            print(f"Machine: {cores} cores; load average {load_note.strip() or 'not recorded'}.")


def main_tables(results, r, cores, load_note, files):
    """The tables against Newman and curl, the derived costs, the targets and memory flatness."""
    print("| scenario | Baton wall / CPU / peak RSS | Newman wall / CPU / peak RSS "
          "| Baton/Newman wall, CPU, RSS | curl loop wall |")
    print("|---|---|---|---|---|")
    for s in MAIN:
        cells = []
        for runner in ("baton", "newman"):
            if (s, runner) in results:
                cells.append(f"{seconds(r(s, runner, 'wall'))} / {seconds(r(s, runner, 'cpu'))} / "
                             f"{r(s, runner, 'rss_mb'):.1f} MB")
            else:
                cells.append("-")
        ratios = ", ".join(ratio(r(s, "baton", m), r(s, "newman", m)) for m in ("wall", "cpu", "rss_mb"))
        if (s, "newman") not in results or (s, "baton") not in results:
            ratios = "-"
        print(f"| {s} | {cells[0]} | {cells[1]} | {ratios} | {seconds(r(s, 'curl', 'wall'))} |")

    def diff(a, b, runner, metric, n):
        x, y = r(a, runner, metric), r(b, runner, metric)
        return (x - y) / n if x is not None and y is not None else None

    print()
    print("| derived | Baton | Newman | Baton/Newman | curl loop |")
    print("|---|---|---|---|---|")
    rows = [
        ("per request, wall", "5000 requests", "1 request", "wall", 4999),
        ("per request, CPU", "5000 requests", "1 request", "cpu", 4999),
        ("per capture script, wall", "1000 requests, capture script", "1000 requests", "wall", 1000),
        ("per capture script, CPU", "1000 requests, capture script", "1000 requests", "cpu", 1000),
        ("startup of the script sandbox (no-library script), CPU", "1 request, no-library script",
         "1 request", "cpu", 1),
        ("first use of chai (`pm.response.to`), CPU", "1 request, capture script",
         "1 request, no-library script", "cpu", 1),
        ("first use of a bundled library (moment), CPU", "1 request, library script",
         "1 request, capture script", "cpu", 1),
    ]
    derived = {}
    for label, a, b, metric, n in rows:
        values = {runner: diff(a, b, runner, metric, n) for runner in RUNNERS}
        derived[label] = values
        print(f"| {label} | {per_unit(values['baton'])} | {per_unit(values['newman'])} "
              f"| {ratio(values['baton'], values['newman'])} | {per_unit(values['curl'])} |")

    print()
    print("| target | measured | met |")
    print("|---|---|---|")
    # Startup is judged on the fastest run, less the fastest run of `true` through the same
    # harness (Python, GNU time, fork and exec): a process this short is slowed by anything else
    # the machine does, and the fastest run is the one least disturbed. The median is shown too.
    startup = r("1 request", "baton", "wall_min")
    spawn = r("no-op", "true", "wall_min") or 0
    targets = []
    if startup is not None:
        targets.append(("startup (1 request, fastest run, less spawning `true`) under 10 ms",
                        f"{seconds(startup - spawn)} ({seconds(startup)} - {seconds(spawn)}; "
                        f"median {seconds(r('1 request', 'baton', 'wall'))})",
                        startup - spawn < 0.010))
    baton_5000, curl_5000 = r("5000 requests", "baton", "wall"), r("5000 requests", "curl", "wall")
    if baton_5000 and curl_5000:
        targets.append(("5000 requests within 1.5x of the keep-alive curl loop",
                        f"{baton_5000 / curl_5000:.2f}x ({seconds(baton_5000)} vs {seconds(curl_5000)})",
                        baton_5000 <= 1.5 * curl_5000))
    first_script = r("1 request, capture script", "baton", "wall_min")
    if first_script is not None:
        targets.append(("first scripted request (1 request, capture script, fastest run, less "
                        "spawning `true`) at most 10 ms", f"{seconds(first_script - spawn)}",
                        first_script - spawn <= 0.010))
    for s, limit in (("5000 requests", 20), ("5000 requests, capture script", 30)):
        rss = r(s, "baton", "rss_mb")
        if rss is not None:
            targets.append((f"peak RSS at most {limit} MB, {s}", f"{rss:.1f} MB", rss <= limit))
    baton_scripted, hurl_scripted = (r("5000 requests, capture script", runner, "wall")
                                     for runner in ("baton", "hurl"))
    if baton_scripted and hurl_scripted:
        targets.append(("5000 scripted requests no slower than Hurl's 5000 captures",
                        f"{baton_scripted / hurl_scripted:.2f}x ({seconds(baton_scripted)} vs "
                        f"{seconds(hurl_scripted)})", baton_scripted <= hurl_scripted))
    # A script runs on the CPU from start to end, so its CPU time is its cost; wall time adds
    # whatever else the machine was doing, and is shown next to it.
    script_cpu = derived["per capture script, CPU"]["baton"]
    script_wall = derived["per capture script, wall"]["baton"]
    if script_cpu is not None:
        targets.append(("capture script at most 0.03 ms per execution (CPU time)",
                        f"{per_unit(script_cpu)} (wall {per_unit(script_wall)})",
                        script_cpu <= 0.00003))
    above = {n: r(f"items: {n}", "baton", "rss_mb") - files[n] / 1e6
             for n in ITEMS if n in files and r(f"items: {n}", "baton", "rss_mb") is not None}
    if len(above) >= 2:
        smallest, largest = min(above), max(above)
        targets.append(("memory no more than the file plus a constant (peak RSS less the file: the "
                        "largest loaded collection against the smallest)",
                        f"{above[largest]:.1f} MB at {largest} items against {above[smallest]:.1f} MB "
                        f"at {smallest}; at most {max(above.values()):.1f} MB at any size measured",
                        above[largest] <= above[smallest]))
    for label, measured, met in targets:
        print(f"| {label} | {measured} | {'yes' if met else '**no**'} |")

    flat = sorted({s for (s, runner) in results if s.startswith("flat: ")},
                  key=lambda s: ("scripted" in s, int(s.split()[1])))
    if flat:
        print()
        print("| memory flatness, Baton, -r cli | peak RSS | wall | growth |")
        print("|---|---|---|---|")
        for kind in ("executions", "scripted executions"):
            group = [s for s in flat if s.split(" ", 2)[2] == kind]
            if len(group) != 2:
                continue
            small, large = (r(s, "baton", "rss_mb") for s in group)
            growth = large / small - 1
            flag = " **grows more than 20%**" if growth > 0.2 else ""
            for s in group:
                print(f"| {s[6:]} | {r(s, 'baton', 'rss_mb'):.1f} MB | {seconds(r(s, 'baton', 'wall'))} "
                      f"| {'' if s == group[0] else f'{growth:+.0%}{flag}'} |")

    hurl_table(r)
    items_table(r, files)

    print()
    overhead = r("no-op", "true", "wall")
    if overhead is not None:
        print(f"Wall times include spawning the process through benches/measure.py: "
              f"{seconds(overhead)} for `true`.")
    print(f"Machine: {cores} cores; load average {load_note.strip() or 'not recorded'}.")


def hurl_table(r):
    """Baton beside Hurl and the curl loop on the same 5000 GETs, plain and with captures."""
    rows = [("5000 requests", "plain"), ("5000 requests, capture script", "status check and capture")]
    if not any(r(s, "hurl", "wall") for s, _ in rows):
        return
    print()
    print("| 5000 GETs | Baton wall / CPU / peak RSS | Hurl wall / CPU / peak RSS | Baton/Hurl wall, CPU, RSS "
          "| curl loop wall | Baton/curl wall |")
    print("|---|---|---|---|---|---|")
    for s, label in rows:
        cells = [f"{seconds(r(s, runner, 'wall'))} / {seconds(r(s, runner, 'cpu'))} / "
                 f"{r(s, runner, 'rss_mb'):.1f} MB" if r(s, runner, "wall") is not None else "-"
                 for runner in ("baton", "hurl")]
        ratios = ", ".join(ratio(r(s, "baton", m), r(s, "hurl", m)) for m in ("wall", "cpu", "rss_mb"))
        curl = r("5000 requests", "curl", "wall")
        print(f"| {label} | {cells[0]} | {cells[1]} | {ratios} | {seconds(curl)} "
              f"| {ratio(r(s, 'baton', 'wall'), curl)} |")


def items_table(r, files):
    """Peak RSS by the number of loaded items, what each further item adds, and how far above
    the file's own size the run peaks."""
    sizes = [n for n in ITEMS if r(f"items: {n}", "baton", "rss_mb") is not None]
    if len(sizes) < 2:
        return
    print()
    print("| loaded items (plain GETs, -r cli) | file | peak RSS | peak RSS less the file | per item since the smallest |")
    print("|---|---|---|---|---|")
    base = r(f"items: {sizes[0]}", "baton", "rss_mb")
    for n in sizes:
        rss = r(f"items: {n}", "baton", "rss_mb")
        per = "" if n == sizes[0] else f"{(rss - base) * 1e6 / (n - sizes[0]):.0f} B"
        file = files.get(n)
        file_cell = "" if file is None else f"{file / 1e6:.1f} MB"
        less = "" if file is None else f"{rss - file / 1e6:.1f} MB"
        print(f"| {n} | {file_cell} | {rss:.1f} MB | {less} | {per} |")


if __name__ == "__main__":
    main(sys.argv[1:])
