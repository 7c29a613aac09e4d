#!/usr/bin/env bash
# Clean compile time and peak memory of span bindings against the bindings
# of the newest schema alone: QEMU 10.2.0's schema (../shared, or
# $QAPI_SHARED_DIR), alone; spanning 10.0.0's; and spanning 10.0.0's and
# the older schemas of the cargo registry (8.0, 8.1, 9.1, which
# scripts/fetch-older-schemas.sh downloads).  Each crate's build.rs
# generates its bindings with qapi_gen::Builder (default settings,
# `.compat(..)` for the spans).
#
#   bench/compile-span.sh [debug] [release]   (default: debug; RUNS=N, default 1)
#
# As compile.sh: each crate is built once with its dependencies, then only
# the bindings crate is cleaned and built again, RUNS times, the crates
# taking turns; the best run of each (by CPU time, which a loaded machine
# disturbs less than wall time) is printed, with the CPU ratio to the
# newest schema alone (target: <= 1.1).
set -euo pipefail
shopt -s inherit_errexit
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

bench=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$bench")
work=$bench/target/compile-span
# measure() runs once; the rounds take turns (see below).
rounds=${RUNS:-1}
runs=1
profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(debug)

[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
shared=${QAPI_SHARED_DIR:-$repo/../shared}
newest=$(realpath "$shared/qemu/10.2.0/qapi/qapi-schema.json")
v10_0=$(realpath "$shared/qemu/10.0.0/qapi/qapi-schema.json")
older=$("$repo/scripts/fetch-older-schemas.sh" | grep -E 'qapi-qmp-0\.1[245]\.0/')
[ "$(wc -l <<<"$older")" -eq 3 ] || { echo "error: QEMU 8.0, 8.1 and 9.1's schemas are missing" >&2; exit 2; }

# rustc-timed, measure() and bindings_manifest: shared with compile.sh.
source "$bench/compile-common.sh"

# crate NAME COMPAT...: a crate whose build.rs generates the bindings of
# the newest schema spanning the COMPAT schemas.
crate() {
    local name=$1 compat= path
    shift
    for path in "$@"; do
        compat+=".compat(\"$path\")"
    done
    bindings_manifest "$work/$name" "$name" build-rs
    cat > "$work/$name/build.rs" <<RUST
fn main() {
    qapi_gen::Builder::new("$newest")$compat
        .generate_to_out_dir("qmp.rs")
        .unwrap_or_else(|e| panic!("{e}"));
}
RUST
    echo 'include!(concat!(env!("OUT_DIR"), "/qmp.rs"));' > "$work/$name/src/lib.rs"
}

crate alone
crate span-10-0 "$v10_0"
# shellcheck disable=SC2046
crate span-8-0 "$v10_0" $older

echo "newest: $newest"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); best of $rounds run(s) (by CPU time); CARGO_INCREMENTAL=$CARGO_INCREMENTAL"
echo
printf '%-8s %-26s %12s %12s %14s %18s %10s\n' profile crate "rustc wall" "rustc CPU" "rustc peak RSS" "cargo build wall" "CPU ratio"
crates=(alone span-10-0 span-8-0)
declare -A labels=([alone]="10.2 alone" [span-10-0]="10.2 spanning 10.0" [span-8-0]="10.2 spanning 8.0-10.0")
for profile in "${profiles[@]}"; do
    case $profile in
    debug) cargo_profile=dev ;;
    release) cargo_profile=release ;;
    *) echo "error: unknown profile '$profile' (debug or release)" >&2; exit 2 ;;
    esac
    # The crates take turns, run after run, so that the machine's load
    # weighs on each alike; the best run of each is kept.
    declare -A best=()
    for _ in $(seq "$rounds"); do
        for name in "${crates[@]}"; do
            row=$(measure "$work/$name" "qmp-$name" "qmp_${name//-/_}" $cargo_profile)
            best[$name]=$(printf '%s\n%s\n' "${best[$name]:-}" "$row" | awk 'NF' | sort -n -k2,2 | head -n 1)
        done
    done
    read -r _ base_cpu _ _ <<<"${best[alone]}"
    for name in "${crates[@]}"; do
        read -r wall cpu rss total <<<"${best[$name]}"
        printf '%-8s %-26s %11ss %11ss %11d MB %17ss %10s\n' "$profile" "${labels[$name]}" "$wall" "$cpu" \
            $((rss / 1024)) "$total" "$(awk -v a="$cpu" -v b="$base_cpu" 'BEGIN { printf "%.3f", a / b }')"
    done
done
echo "(target: span / alone <= 1.1)"
