#!/usr/bin/env python3
"""Writes the benchmark's inputs: a Postman v2.1 collection of N GET requests, optionally each with a
test script, or a curl config that fetches the same N URLs over one keep-alive connection.

A slow collection is one GET per iteration to BASE_URL/slow/{{row}} (answered after 100 ms) with the
capture script, and rows.json its N data rows.

usage: generate.py collection N BASE_URL [--script no-library|capture|library] > collection.json
       generate.py curl N BASE_URL > curl.config
       generate.py hurl N BASE_URL [--capture] > requests.hurl
       generate.py slow BASE_URL > collection.json
       generate.py rows N > rows.json
"""

import json
import sys

# A capture script that touches no library: what any script pays for the sandbox itself.
NO_LIBRARY = [
    "const j = pm.response.json();",
    "pm.environment.set('id', j.id);",
]

# The typical capture script of a setup workflow: read the JSON body, assert once, save an id.
CAPTURE = [
    "const j = pm.response.json();",
    "pm.test('ok', () => pm.response.to.have.status(200));",
    "pm.environment.set('id', j.id);",
]

# `pm.response.to` is chai, loaded on first use as in Postman's sandbox.

# The same, plus one bundled library: what a script that does use one pays on first use.
LIBRARY = CAPTURE + [
    "const moment = require('moment');",
    "pm.environment.set('seen', moment().toISOString());",
]

SCRIPTS = {"no-library": NO_LIBRARY, "capture": CAPTURE, "library": LIBRARY}


def collection(count, base_url, script):
    items = []
    for i in range(count):
        item = {
            "name": f"request {i}",
            "request": {"method": "GET", "url": f"{{{{baseUrl}}}}/items/{i}"},
        }
        if script:
            item["event"] = [{
                "listen": "test",
                "script": {"type": "text/javascript", "exec": SCRIPTS[script]},
            }]
        items.append(item)
    return {
        "info": {
            "name": f"bench {count}" + (f" {script}" if script else ""),
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "variable": [{"key": "baseUrl", "value": base_url}],
        "item": items,
    }


def hurl(count, base_url, capture):
    """The same GETs as a Hurl file: the capture twin asserts the status and captures the id, as
    the capture script does with `pm.test` and `pm.environment.set`."""
    entries = []
    for i in range(count):
        entry = f"GET {base_url}/items/{i}\n"
        if capture:
            entry += 'HTTP 200\n[Captures]\nid: jsonpath "$.id"\n'
        entries.append(entry)
    return "\n".join(entries)


def slow(base_url):
    return {
        "info": {
            "name": "bench slow server",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "variable": [{"key": "baseUrl", "value": base_url}],
        "item": [{
            "name": "slow request",
            "request": {"method": "GET", "url": "{{baseUrl}}/slow/{{row}}"},
            "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": CAPTURE}}],
        }],
    }


def main(argv):
    if argv[:1] == ["slow"] and len(argv) == 2:
        json.dump(slow(argv[1]), sys.stdout, indent=1)
        return
    if argv[:1] == ["rows"] and len(argv) == 2:
        json.dump([{"row": i} for i in range(int(argv[1]))], sys.stdout)
        return
    if len(argv) < 3 or argv[0] not in ("collection", "curl", "hurl"):
        sys.exit(__doc__)
    kind, count, base_url = argv[0], int(argv[1]), argv[2]
    if kind == "curl":
        # One curl process, one connection: each URL gets its own output line or curl prints bodies.
        for i in range(count):
            print(f'url = "{base_url}/items/{i}"\noutput = "/dev/null"')
        return
    if kind == "hurl":
        sys.stdout.write(hurl(count, base_url, argv[3:4] == ["--capture"]))
        return
    script = argv[4] if argv[3:4] == ["--script"] else None
    if script is not None and script not in SCRIPTS:
        sys.exit(f"unknown script {script!r}; expected one of {', '.join(SCRIPTS)}")
    json.dump(collection(count, base_url, script), sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
