#!/usr/bin/env bash
# Fuzz the front end (target `frontend` in qapi-gen/fuzz) for SECONDS
# seconds (default 120).
#
#   scripts/fuzz.sh [SECONDS]
#
# Installs cargo-fuzz when absent.  Works on the stable toolchain
# (RUSTC_BOOTSTRAP=1 allows the sanitizer flags cargo-fuzz passes).  The
# corpus (qapi-gen/fuzz/corpus/frontend, not committed) is seeded from
# schema/ and QEMU's conformance suite in ../shared (or $QAPI_SHARED_DIR).
# Crashes are saved under qapi-gen/fuzz/artifacts/frontend/; replay one
# with `RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir qapi-gen/fuzz frontend FILE`.
set -euo pipefail

seconds=${1:-120}
if [[ ! $seconds =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [SECONDS]" >&2
    exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "Installing cargo-fuzz..."
    cargo install cargo-fuzz --locked
fi

# Seeds: each file is a root schema (the target splits its input at NUL
# bytes into root.json, a.json and b.json); two seeds exercise includes.
corpus=qapi-gen/fuzz/corpus/frontend
mkdir -p "$corpus"
for file in schema/*.json; do
    cp "$file" "$corpus/schema-$(basename "$file")"
done
suite=${QAPI_SHARED_DIR:-$repo/../shared}/qemu/10.0.0/tests/qapi-schema
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

cargo fuzz run --fuzz-dir qapi-gen/fuzz frontend -- \
    -max_total_time="$seconds" -timeout=10 -max_len=65536 -dict=qapi-gen/fuzz/qapi.dict
