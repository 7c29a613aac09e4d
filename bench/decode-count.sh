#!/usr/bin/env bash
# Decoding cost, exactly: the instructions of one pass over each part of
# the QMP corpus (examples/decode_count.rs under valgrind's cachegrind),
# for a base revision and the working tree, side by side in one run.
#
#   bench/decode-count.sh BASE        (BASE: a git revision, e.g. 00df618)
#
# The base is exported (git archive) under target/decode-count/REV with
# this checkout's decode_count.rs copied in, and built there (release, its
# own target directory: the first run of a base compiles its dependencies).
# Each part is run with REPEAT passes and with none; the difference over
# REPEAT is one pass. Needs valgrind and ../shared (or QAPI_SHARED_DIR).
set -euo pipefail
shopt -s inherit_errexit

bench=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$bench")
[ $# -eq 1 ] || { echo "usage: $0 BASE (a git revision)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "error: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
rev=$(git -C "$repo" rev-parse --verify --quiet "$1^{commit}") ||
    { echo "error: $1 is not a revision of $repo" >&2; exit 2; }
export QAPI_SHARED_DIR=${QAPI_SHARED_DIR:-$(cd "$repo/.." && pwd)/shared}
export CARGO_INCREMENTAL=0

base=$bench/target/decode-count/$rev
if [ ! -d "$base" ]; then
    mkdir -p "$base.tmp"
    git -C "$repo" archive "$rev" | tar -x -C "$base.tmp"
    mv "$base.tmp" "$base"
fi
cp "$bench/examples/decode_count.rs" "$base/bench/examples/"
for dir in "$base/bench" "$bench"; do
    (cd "$dir" && cargo build --quiet --release --example decode_count) || exit 1
done

# instructions BINARY PART REPEAT
instructions() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 |
        awk '/I +refs:/ { gsub(",", "", $NF); print $NF }'
}

# per_pass DIR PART REPEAT
per_pass() {
    local binary=$1/target/release/examples/decode_count none all
    none=$(instructions "$binary" "$2" 0)
    all=$(instructions "$binary" "$2" "$3")
    [ -n "$none" ] && [ -n "$all" ] || { echo "error: $binary $2 did not run under valgrind" >&2; exit 1; }
    echo $(((all - none) / $3))
}

printf '%-10s %18s %18s %8s\n' part "base ${rev:0:10}" "working tree" change
for part in schema:20 replies:20 events:500; do
    name=${part%%:*}
    repeat=${part##*:}
    old=$(per_pass "$base/bench" "$name" "$repeat")
    new=$(per_pass "$bench" "$name" "$repeat")
    printf '%-10s %18d %18d %+7.1f%%\n' "$name" "$old" "$new" \
        "$(awk -v a="$old" -v b="$new" 'BEGIN { print (b - a) * 100 / a }')"
done
echo "(instructions per pass over the part; issue 10: no part slower than before)"
