#!/usr/bin/env bash
# How far the clean compile of the bindings can fall: compile.sh's crates
# (QEMU 9.1's schema, ours against qapi-qmp 0.15) beside variants of our
# bindings that keep less, all measured in one run:
#
#   default      the bindings as generated (default settings)
#   no-builders  generated with --no-builders
#   floor        the same file with every runtime macro call replaced by the
#                least that still compiles: the types with their derives,
#                the commands and events, and one `Serialize` and one
#                `Deserialize` impl per type whose bodies are
#                `unimplemented!()`; no decoding, encoding, enum or builder
#                code. No design that keeps these types, derives and serde
#                impls compiles in less.
#   types-only   floor without the derives (`Clone` kept where the runtime
#                requires it): the type definitions alone.
#
#   bench/compile-floor.sh        (RUNS=N, default 1; debug profile)
#
# Each variant is a crate whose src/lib.rs includes a file written by the
# qapi-gen CLI (built first, release), so only rustc differs between them;
# measured as compile.sh measures (best of RUNS, CARGO_INCREMENTAL=0).
set -euo pipefail
shopt -s inherit_errexit
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

bench=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$bench")
work=$bench/target/compile-floor
runs=${RUNS:-1}

[ -x /usr/bin/time ] || { echo "error: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
command -v perl >/dev/null || { echo "error: perl is missing" >&2; exit 2; }

# rustc-timed, measure(), bindings_manifest, qapi_qmp_schema and
# qapi_qmp_crate.
source "$bench/compile-common.sh"
schema=$(qapi_qmp_schema)

(cd "$repo" && cargo build --quiet --release -p qapi-gen-cli)
qapi_gen=$repo/target/release/qapi-gen

# crate NAME: a crate of our bindings from $work/NAME.rs.
crate() {
    bindings_manifest "$work/$1" "$1"
    echo '#![allow(warnings)] include!("../../'"$1"'.rs");' > "$work/$1/src/lib.rs"
}

qapi_qmp_crate "$work/qapi-qmp"

"$qapi_gen" rust "$schema" -o "$work/default.rs" 2>/dev/null
"$qapi_gen" rust "$schema" --no-builders -o "$work/no-builders.rs" 2>/dev/null

# The floor: local macros in place of the runtime's, each giving its type
# only serde impls that do nothing.
stubs='macro_rules! serde_stubs {
    ($ty:ident) => {
        impl ::qapi_types::serde::Serialize for $ty {
            fn serialize<S: ::qapi_types::serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                unimplemented!()
            }
        }
        impl<'"'"'de> ::qapi_types::serde::Deserialize<'"'"'de> for $ty {
            fn deserialize<D: ::qapi_types::serde::Deserializer<'"'"'de>>(_: D) -> Result<Self, D::Error> {
                unimplemented!()
            }
        }
    };
}
macro_rules! object_impls { ($ty:ident = $($rest:tt)*) => { serde_stubs!($ty); }; }
macro_rules! enum_impls { ($ty:ident = $($rest:tt)*) => { serde_stubs!($ty); }; }
macro_rules! alternate_impls { ($ty:ident = $($rest:tt)*) => { serde_stubs!($ty); }; }
macro_rules! branch_impls { ($($rest:tt)*) => {}; }
macro_rules! builder { ($($rest:tt)*) => {}; }
'
{
    echo "$stubs"
    perl -pe 's/::qapi_types::__private::(object_impls|enum_impls|alternate_impls|branch_impls|builder)!/$1!/' \
        "$work/no-builders.rs"
} > "$work/floor.rs"
# Types only: no derives but the Clone (and Copy, Default) the runtime needs.
perl -pe 's/^(\s*)#\[derive\(Debug, Clone, Copy, Default, PartialEq, Eq, Hash\)\]/$1#[derive(Clone, Copy, Default)]/;
          s/^(\s*)#\[derive\(Debug, Clone, (Default, )?PartialEq\)\]/$1#[derive($2)]/;
          s/^(\s*)#\[derive\(Debug, Clone, PartialEq, Eq, Hash\)\]/$1#[derive(Clone)]/' \
    "$work/floor.rs" > "$work/types-only.rs"

variants=(default no-builders floor types-only)
for variant in "${variants[@]}"; do
    crate "$variant"
done

echo "schema: $schema (QEMU 9.1, from qapi-qmp 0.15's package)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); best of $runs run(s); CARGO_INCREMENTAL=$CARGO_INCREMENTAL; debug"
echo
theirs=$(measure "$work/qapi-qmp" qapi-qmp qapi_qmp dev)
read -r q_wall q_cpu q_rss _ <<<"$theirs"
printf '%-22s %8s %12s %12s %16s %10s\n' crate lines "rustc wall" "rustc CPU" "rustc peak RSS" "CPU, RSS / qapi-qmp"
printf '%-22s %8s %11ss %11ss %13d MB\n' "qapi-qmp 0.15" "" "$q_wall" "$q_cpu" $((q_rss / 1024))
for variant in "${variants[@]}"; do
    read -r wall cpu rss _ <<<"$(measure "$work/$variant" "qmp-$variant" "qmp_${variant//-/_}" dev)"
    printf '%-22s %8d %11ss %11ss %13d MB %9s %6s\n' "ours: $variant" "$(wc -l < "$work/$variant.rs")" \
        "$wall" "$cpu" $((rss / 1024)) \
        "$(awk -v a="$cpu" -v b="$q_cpu" 'BEGIN { printf "%.2f", a / b }')" \
        "$(awk -v a="$rss" -v b="$q_rss" 'BEGIN { printf "%.2f", a / b }')"
done
echo "(issue 10's target for the default bindings: CPU <= 0.20, peak RSS <= 0.35 of qapi-qmp's)"
