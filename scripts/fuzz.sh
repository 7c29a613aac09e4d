#!/usr/bin/env bash
# Fuzz one target for SECONDS seconds (default 120):
#
#   scripts/fuzz.sh [frontend|qmp] [SECONDS]     # default: frontend
#
# frontend  qapi-gen/fuzz: parse, check and build the model of arbitrary
#           schema files.
# qmp       qapi-types/fuzz: the QMP server (framing, dispatch, argument
#           checks) and client-side decoding, with QEMU 10.0.0's schema.
#
# Installs cargo-fuzz when absent.  Works on the stable toolchain
# (RUSTC_BOOTSTRAP=1 allows the sanitizer flags cargo-fuzz passes).  The
# corpus (DIR/corpus/TARGET, not committed) is seeded from schema/ and
# ../shared (or $QAPI_SHARED_DIR): QEMU's conformance suite, its recorded
# QMP traffic.  Crashes are saved under DIR/artifacts/TARGET/; replay one
# with `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir DIR TARGET FILE`.
set -euo pipefail

usage() {
    echo "usage: $0 [frontend|qmp] [SECONDS]" >&2
    exit 2
}
target=frontend
if [[ ${1:-} == frontend || ${1:-} == qmp ]]; then
    target=$1
    shift
fi
seconds=${1:-120}
[[ $# -le 1 && $seconds =~ ^[0-9]+$ ]] || usage

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export RUSTC_BOOTSTRAP=1
shared=${QAPI_SHARED_DIR:-$repo/../shared}
export QAPI_SHARED_DIR=$shared

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "Installing cargo-fuzz..."
    cargo install cargo-fuzz --locked
fi

seed_frontend() {
    # Each file is a root schema (the target splits its input at NUL bytes
    # into root.json, a.json and b.json); two seeds exercise includes.
    local corpus=$1 file
    for file in schema/*.json; do
        cp "$file" "$corpus/schema-$(basename "$file")"
    done
    local suite=$shared/qemu/10.0.0/tests/qapi-schema
    if [[ -d $suite ]]; then
        for file in "$suite"/*.json; do
            cp "$file" "$corpus/suite-$(basename "$file")"
        done
    else
        echo "note: $suite not found; seeding from schema/ only" >&2
    fi
    printf "{ 'include': 'a.json' }\n{ 'struct': 'Root', 'data': { 'a': 'A' } }\0{ 'include': 'b.json' }\n{ 'struct': 'A', 'data': { 'b': 'B' } }\0{ 'enum': 'B', 'data': [ 'x' ] }\n" \
        >"$corpus/include-chain.json"
    printf "##\n# @Loop:\n##\n{ 'include': 'a.json' }\0{ 'include': 'root.json' }\0" \
        >"$corpus/include-loop.json"
}

seed_qmp() {
    # The target's first byte picks the session; 0x30 is negotiated, OOB
    # offered, default policy, one read.
    local corpus=$1
    local recorded=$shared/qmp-corpus/10.0.2
    if [[ ! -d $recorded ]]; then
        echo "error: $recorded not found; the qmp target needs QEMU's schema and traffic from ../shared" >&2
        exit 1
    fi
    python3 - "$recorded" "$corpus" <<'PY'
import json, pathlib, sys
recorded, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
seeds = {}
for path in sorted(recorded.glob("*.json")):
    data = json.loads(path.read_text())
    for n, case in enumerate(data if isinstance(data, list) else [data]):
        if not isinstance(case, dict):
            continue
        if "request_raw" in case:
            seeds[f"request-{path.stem}-{n}"] = case["request_raw"] + "\n"
        arguments = case.get("request", {}).get("arguments") if isinstance(case.get("request"), dict) else None
        if arguments:
            seeds[f"arguments-{path.stem}-{n}"] = json.dumps(arguments)
        if "response" in case and "return" in case["response"]:
            returns = case["response"]["return"]
            if isinstance(returns, list):
                returns = returns[:40]  # query-qmp-schema: 1172 entries
            seeds[f"reply-{path.stem}-{n}"] = json.dumps(returns)
for n, line in enumerate((recorded / "events.jsonl").read_text().splitlines()):
    seeds[f"event-{n}"] = line
for name, text in seeds.items():
    (corpus / name).write_bytes(b"\x30" + text.encode())
print(f"{len(seeds)} seeds", file=sys.stderr)
PY
}

case $target in
    frontend) dir=qapi-gen/fuzz options=(-max_len=65536 -dict=qapi-gen/fuzz/qapi.dict) ;;
    qmp) dir=qapi-types/fuzz options=(-max_len=16384) ;;
esac
corpus=$dir/corpus/$target
mkdir -p "$corpus"
"seed_$target" "$corpus"

cargo fuzz run --fuzz-dir "$dir" "$target" -- \
    -max_total_time="$seconds" -timeout=10 "${options[@]}"
