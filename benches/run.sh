#!/usr/bin/env bash
# Benchmark: Baton against Newman 6.2.2, Hurl (when installed) and a keep-alive curl loop, on
# generated collections sent to
# a local server. Prints wall time, CPU time (user+sys) and peak RSS side by side, the derived
# per-request and per-script costs, and whether memory stays flat over 100,000 executions. Then a
# server that takes 100 ms per answer, 200 data rows: serial, --parallel 8 and --parallel 32.
#
# usage: bash benches/run.sh [--quick] [--no-newman] [--runs R] [--slow-only]
#   --quick      one run per scenario, no Newman at 5000 requests, 20,000 executions for flatness
#   --no-newman  Baton and curl only (no Node.js needed)
#   --runs R     runs per scenario (default 5), taken in R rounds over all scenarios; Newman runs
#                once above 100 requests, since it takes about 10 s per 1000 requests
#   --slow-only  only the slow-server scenario (each runner once: it waits on the server, not
#                on the CPU, so runs barely differ)
#
# Needs: a Rust toolchain, Python 3, curl, and Node.js with npm unless --no-newman. Hurl runs the
# same work (`.hurl` twins of the collections) when `hurl` is on PATH or HURL names it. GNU time
# (/usr/bin/time) is used for peak RSS when present; see benches/measure.py for why.
# Loopback only: the server binds 127.0.0.1 on a free port. Generated collections and results live
# in a temp dir that is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
slow_only=false
newman=true
runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=true ;;
        --no-newman) newman=false ;;
        --runs) runs="$2"; shift ;;
        --slow-only) slow_only=true ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
flat_iterations=100
if $quick; then
    runs=1
    flat_iterations=20
fi

for tool in cargo python3 curl; do
    command -v "$tool" >/dev/null || { echo "benches/run.sh needs $tool" >&2; exit 2; }
done

echo "== building (release)" >&2
# cargo names the executables in its build messages, wherever CARGO_TARGET_DIR points. The server is
# a harness = false bench target.
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
hurl=${HURL:-$(command -v hurl || true)}
[ -z "$hurl" ] && echo "== hurl not found: the Hurl columns stay empty (see the README)" >&2
newman_js=tests/node/node_modules/newman/bin/newman.js
if $newman && [ ! -f "$newman_js" ]; then
    echo "== installing Newman (npm ci in tests/node)" >&2
    (cd tests/node && npm ci --ignore-scripts --no-audit --no-fund >&2)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/baton-bench.XXXXXX")
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
port=$(head -n1 "$work/port")
base="http://127.0.0.1:$port"
curl -sf "$base/items/0" >/dev/null || { echo "the bench server did not answer on $base" >&2; exit 1; }

echo "== generating collections in $work" >&2
for n in 1 100 1000 5000; do
    python3 benches/generate.py collection "$n" "$base" >"$work/plain-$n.json"
    python3 benches/generate.py curl "$n" "$base" >"$work/curl-$n.config"
done
for script in no-library capture library; do
    python3 benches/generate.py collection 1 "$base" --script "$script" >"$work/$script-1.json"
done
python3 benches/generate.py collection 1000 "$base" --script capture >"$work/capture-1000.json"
python3 benches/generate.py collection 5000 "$base" --script capture >"$work/capture-5000.json"
python3 benches/generate.py collection 20000 "$base" >"$work/plain-20000.json"
# Above the 4 MiB a run holds in memory: left on disk, each request read from it as it runs.
python3 benches/generate.py collection 100000 "$base" >"$work/plain-100000.json"
python3 benches/generate.py hurl 5000 "$base" >"$work/plain-5000.hurl"
python3 benches/generate.py hurl 5000 "$base" --capture >"$work/capture-5000.hurl"
slow_rows=200
python3 benches/generate.py slow "$base" >"$work/slow.json"
python3 benches/generate.py rows "$slow_rows" >"$work/rows.json"

results="$work/results.jsonl"
# measure SCENARIO RUNNER REPEATS COMMAND...: runs the command once if this round is one of its
# REPEATS, appending one JSON line. Rounds go through every scenario in turn, so a change in the
# machine's load while the benchmark runs spreads over all scenarios instead of landing on a few.
round=1
measure() {
    local scenario=$1 runner=$2 repeats=$3
    shift 3
    [ "$round" -le "$repeats" ] || return 0
    echo "   round $round: $runner, $scenario" >&2
    python3 benches/measure.py --label "scenario=$scenario" --label "runner=$runner" \
        -- "$@" >>"$results"
}
baton_run() { measure "$1" baton "$2" "$baton" run "$3" -r cli "${@:4}"; }
newman_run() {
    if $newman; then measure "$1" newman "$2" node "$newman_js" run "$3" -r cli "${@:4}"; fi
}

scenarios() {
    # What spawning a process through measure.py costs by itself; part of every wall time.
    measure "no-op" true "$runs" true
    for n in 1 100 1000 5000; do
        local label="$n requests"
        [ "$n" = 1 ] && label="1 request"
        measure "$label" curl "$runs" curl -s --config "$work/curl-$n.config"
        baton_run "$label" "$runs" "$work/plain-$n.json"
        if [ "$n" -le 100 ]; then
            newman_run "$label" "$runs" "$work/plain-$n.json"
        elif [ "$n" -lt 5000 ] || ! $quick; then
            newman_run "$label" 1 "$work/plain-$n.json"
        fi
    done
    for script in no-library capture library; do
        baton_run "1 request, $script script" "$runs" "$work/$script-1.json"
        newman_run "1 request, $script script" "$runs" "$work/$script-1.json"
    done
    baton_run "1000 requests, capture script" "$runs" "$work/capture-1000.json"
    newman_run "1000 requests, capture script" 1 "$work/capture-1000.json"
    baton_run "5000 requests, capture script" "$runs" "$work/capture-5000.json"
    if [ -n "$hurl" ]; then
        measure "5000 requests" hurl "$runs" "$hurl" --no-output "$work/plain-5000.hurl"
        measure "5000 requests, capture script" hurl "$runs" "$hurl" --no-output \
            "$work/capture-5000.hurl"
    fi
}

# A slow API (100 ms per answer) and one iteration per data row: what --parallel is for. Each
# runner once; Newman, which has no --parallel, for comparison.
slow_scenarios() {
    round=1
    local label="slow server, $slow_rows rows"
    baton_run "$label: serial" 1 "$work/slow.json" -d "$work/rows.json"
    baton_run "$label: --parallel 8" 1 "$work/slow.json" -d "$work/rows.json" --parallel 8
    baton_run "$label: --parallel 32" 1 "$work/slow.json" -d "$work/rows.json" --parallel 32
    newman_run "$label: serial" 1 "$work/slow.json" -d "$work/rows.json"
}

load_before=$(uptime)
echo "== load before: $load_before" >&2
echo "== measuring" >&2
# Warm the page cache and the server's connection handling once before anything is timed.
"$baton" run "$work/plain-100.json" -r cli >/dev/null
if $newman; then node "$newman_js" run "$work/plain-1.json" >/dev/null; fi
if $slow_only; then
    slow_scenarios
    load_after=$(uptime)
    echo "== load after: $load_after" >&2
    python3 benches/table.py "$results" --cores "$(nproc)" \
        --load "before: ${load_before#*load average: }; after: ${load_after#*load average: } (uptime's 1, 5, 15 min averages)"
    exit 0
fi
for round in $(seq "$runs"); do
    scenarios
done

# Memory flatness: the same 1000-request collections for 1 and for $flat_iterations iterations
# (-n), so the collection's own size stays out of the comparison; only the cli reporter runs.
executions=$((1000 * flat_iterations))
round=1
baton_run "flat: 1000 executions" 1 "$work/plain-1000.json"
baton_run "flat: $executions executions" 1 "$work/plain-1000.json" -n "$flat_iterations"
baton_run "flat: 1000 scripted executions" 1 "$work/capture-1000.json"
baton_run "flat: $executions scripted executions" 1 "$work/capture-1000.json" -n "$flat_iterations"
# Memory per loaded item: the same plain GETs at four sizes, once each.
item_files=
for n in 1000 5000 20000 100000; do
    baton_run "items: $n" 1 "$work/plain-$n.json"
    item_files+="${item_files:+,}$n=$(stat -c %s "$work/plain-$n.json")"
done
slow_scenarios
load_after=$(uptime)
echo "== load after: $load_after" >&2

python3 benches/table.py "$results" --cores "$(nproc)" --item-files "$item_files" \
    --load "before: ${load_before#*load average: }; after: ${load_after#*load average: } (uptime's 1, 5, 15 min averages)"
