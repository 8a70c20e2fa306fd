#!/usr/bin/env bash
# Takes docs/html-report.png, the README's picture of the HTML report: runs
# docs/screenshot/report-demo.postman_collection.json (one step fails on purpose) against the local
# PingOne stand-in, writes the HTML report, and has Debian's headless Chromium take the picture.
# Nothing leaves 127.0.0.1. BATON names a baton binary to use instead of a fresh release build;
# BATON_CHROMIUM names the browser (default /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

baton="${BATON:-}"
if [ -z "$baton" ]; then
    cargo build --release --quiet -p baton-cli
    baton="${CARGO_TARGET_DIR:-target}/release/baton"
fi
chromium="${BATON_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
    echo "error: $chromium is missing; install Debian's chromium (apt-get install chromium)" >&2
    exit 1
fi

work="$(mktemp -d)"
server=""
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$baton" pingone serve --port 0 --write-env "$work/env.json" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do
    [ -s "$work/env.json" ] && break
    sleep 0.1
done

# The run fails on purpose (exit 1); the report is what matters.
"$baton" run docs/screenshot/report-demo.postman_collection.json -e "$work/env.json" \
    -r html --reporter-html-export "$work/report.html" || [ $? -eq 1 ]

"$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-sync \
    --disable-background-networking --disable-component-update --hide-scrollbars \
    --user-data-dir="$work/profile" --window-size=1280,1600 \
    --screenshot="$PWD/docs/html-report.png" "file://$work/report.html" 2>/dev/null
echo "wrote docs/html-report.png"
