#!/usr/bin/env bash
# The cost of scripts, counted in instructions (valgrind's callgrind), which unlike time stays the
# same on a loaded machine. Runs the benchmark's collections (benches/generate.py) of N plain
# requests and of N requests with a test script, and of 1 request of each, against the local
# benchmark server, then prints:
#   - per script: (scripted N - plain N - first scripted request) / (N - 1), in instructions;
#   - the first scripted request: scripted 1 - plain 1 (the realm, the pm API, chai on first use);
# and the same runs' CPU time (user + sys, median of R runs, benches/measure.py) for scale.
#
# usage: bash benches/script_cost.sh [--script capture|no-library|library] [--requests N] [--runs R]
#   defaults: --script capture --requests 2000 --runs 5
#
# Needs: a Rust toolchain, Python 3, curl and valgrind. Loopback only; the temp dir is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

script=capture
requests=2000
runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --script) script="$2"; shift ;;
        --requests) requests="$2"; shift ;;
        --runs) runs="$2"; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
for tool in cargo python3 curl valgrind; do
    command -v "$tool" >/dev/null || { echo "benches/script_cost.sh needs $tool" >&2; exit 2; }
done

echo "== building (release)" >&2
executables=$(cargo build --release --locked --bin baton --bench server \
    --message-format=json-render-diagnostics \
    | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable"):
        print(m["target"]["name"], m["executable"])')
baton=$(awk '$1 == "baton" { print $2 }' <<<"$executables")
server=$(awk '$1 == "server" { print $2 }' <<<"$executables")
[ -x "$baton" ] && [ -x "$server" ] || { echo "cargo named no baton or server executable" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/baton-script-cost.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
"$server" --serve >"$work/port" &
server_pid=$!
for _ in $(seq 100); do
    [ -s "$work/port" ] && break
    sleep 0.05
done
base="http://127.0.0.1:$(head -n1 "$work/port")"
curl -sf "$base/items/0" >/dev/null || { echo "the bench server did not answer on $base" >&2; exit 1; }

for n in 1 "$requests"; do
    python3 benches/generate.py collection "$n" "$base" >"$work/plain-$n.json"
    python3 benches/generate.py collection "$n" "$base" --script "$script" >"$work/scripted-$n.json"
done

instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$baton" run "$1" -r cli \
        >/dev/null 2>"$work/callgrind.log"
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/callgrind.log"
}
cpu_ms() {
    for _ in $(seq "$runs"); do
        python3 benches/measure.py -- "$baton" run "$1" -r cli
    done | python3 -c 'import json, statistics, sys
print(round(statistics.median(r["cpu"] * 1000 for r in map(json.loads, sys.stdin)), 3))'
}

echo "== counting instructions (callgrind) and CPU time (median of $runs)" >&2
declare -A ir cpu
for c in plain-1 scripted-1 "plain-$requests" "scripted-$requests"; do
    ir[$c]=$(instructions "$work/$c.json")
    cpu[$c]=$(cpu_ms "$work/$c.json")
done
python3 - "$script" "$requests" "${ir[plain-1]}" "${ir[scripted-1]}" "${ir[plain-$requests]}" \
    "${ir[scripted-$requests]}" "${cpu[plain-1]}" "${cpu[scripted-1]}" "${cpu[plain-$requests]}" \
    "${cpu[scripted-$requests]}" <<'EOF'
import sys
script, n = sys.argv[1], int(sys.argv[2])
p1, s1, pn, sn, cp1, cs1, cpn, csn = map(float, sys.argv[3:])
first, cpu_first = s1 - p1, cs1 - cp1
per, cpu_per = (sn - pn - first) / (n - 1), (csn - cpn - cpu_first) / (n - 1)
print(f"| {script} script | instructions | CPU (median of runs) |")
print("|---|---|---|")
print(f"| 1 request, plain | {p1 / 1e6:.2f} M | {cp1:.1f} ms |")
print(f"| 1 request, scripted | {s1 / 1e6:.2f} M | {cs1:.1f} ms |")
print(f"| first scripted request (difference) | {first / 1e6:.2f} M | {cpu_first:.1f} ms |")
print(f"| per script, after the first ({n} requests) | {per / 1e3:.0f} K | {cpu_per:.4f} ms |")
EOF
