# Shared by compile.sh, compile-span.sh and compile-floor.sh (sourced;
# needs $bench, $repo, $work and $runs): a RUSTC_WRAPPER that times one
# crate's rustc, measure(), the manifest of a crate of our bindings, and
# the crate of qapi-qmp the first and last compare with.

mkdir -p "$work"

# Runs the rustc of crate $MEASURE_CRATE under /usr/bin/time, appending
# "wall user sys maxrss_kb" to $MEASURE_LOG; other crates run as usual.
cat > "$work/rustc-timed" <<'SH'
#!/bin/sh
rustc=$1
shift
case " $* " in
*" --crate-name ${MEASURE_CRATE:-none} "*)
    exec /usr/bin/time -f '%e %U %S %M' -a -o "$MEASURE_LOG" "$rustc" "$@" ;;
esac
exec "$rustc" "$@"
SH
chmod +x "$work/rustc-timed"
export RUSTC_WRAPPER=$work/rustc-timed

# measure DIR PACKAGE CRATE PROFILE: prints "rustc_wall rustc_cpu rss_kb cargo_wall", best of $runs.
measure() {
    local dir=$1 package=$2 crate=$3 profile=$4 log best=
    log=$work/$package-$profile.time
    (cd "$dir" && cargo build --quiet --profile "$profile" >&2) || exit 1
    for _ in $(seq "$runs"); do
        (cd "$dir" && cargo clean --quiet -p "$package" --profile "$profile")
        rm -f "$log"
        local start end
        start=$(date +%s.%N)
        (cd "$dir" && MEASURE_CRATE=$crate MEASURE_LOG=$log cargo build --quiet --profile "$profile" >&2) || exit 1
        end=$(date +%s.%N)
        [ -s "$log" ] || { echo "error: $crate was not rebuilt" >&2; exit 1; }
        [ "$(wc -l < "$log")" -eq 1 ] || { echo "error: unexpected $log:" >&2; cat "$log" >&2; exit 1; }
        local row
        row=$(awk -v total="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
            'END { printf "%.2f %.2f %d %.2f\n", $1, $2 + $3, $4, total }' "$log")
        best=$(printf '%s\n%s\n' "$best" "$row" | awk 'NF' | sort -n -k1,1 | head -n 1)
    done
    echo "$best"
}

# qapi_qmp_schema: the path of QEMU 9.1's qapi-schema.json in qapi-qmp
# 0.15's package, as cargo downloaded it for the bench crate.
qapi_qmp_schema() {
    local manifest schema
    manifest=$(cd "$bench" && cargo metadata --format-version 1 |
        grep -o '"manifest_path":"[^"]*/qapi-qmp-0\.15\.[^/"]*/Cargo.toml"' | head -n 1 | cut -d'"' -f4)
    [ -n "$manifest" ] || { echo "error: qapi-qmp 0.15 not found by cargo metadata" >&2; exit 2; }
    schema=$(dirname "$manifest")/schema/qapi/qapi-schema.json
    [ -f "$schema" ] || { echo "error: $schema is missing" >&2; exit 2; }
    echo "$schema"
}

# qapi_qmp_crate DIR: a crate depending on qapi-qmp 0.15 (whose build.rs
# generates its bindings), package qmp-qapi-qmp.
qapi_qmp_crate() {
    mkdir -p "$1/src"
    cat > "$1/Cargo.toml" <<TOML
[package]
name = "qmp-qapi-qmp"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
qapi-qmp = "=0.15.0"
TOML
    echo 'pub use qapi_qmp;' > "$1/src/lib.rs"
}

# bindings_manifest DIR NAME [build-rs]: DIR/Cargo.toml of package
# qmp-NAME, depending on qapi-types, and with build-rs on qapi-gen as a
# build-dependency (its build.rs generates the bindings).
bindings_manifest() {
    mkdir -p "$1/src"
    {
        cat <<TOML
[package]
name = "qmp-$2"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
qapi-types = { path = "$repo/qapi-types" }
TOML
        if [ "${3:-}" = build-rs ]; then
            printf '\n[build-dependencies]\nqapi-gen = { path = "%s" }\n' "$repo/qapi-gen"
        fi
    } > "$1/Cargo.toml"
}
