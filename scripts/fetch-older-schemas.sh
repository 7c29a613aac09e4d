#!/usr/bin/env bash
# Download the QAPI schemas of older QEMU versions that crates of the cargo
# registry ship (qapi-qmp 0.12.0 to 0.15.0: QEMU 8.0, 8.0, 8.1, 9.1;
# qapi-qga 0.13.0: the guest agent's), with `cargo fetch` on a scratch
# manifest under target/, and print where they are.  The tests
# `qapi-gen/tests/older_schemas.rs` and `tests/bindings` read them there.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=${CARGO_TARGET_DIR:-$repo/target}/older-schemas
mkdir -p "$scratch/src"
: >"$scratch/src/lib.rs"
cat >"$scratch/Cargo.toml" <<'TOML'
[package]
name = "older-schemas"
version = "0.0.0"
edition = "2021"
publish = false

# Not a member of the repository's workspace.
[workspace]

[dependencies]
qmp-0-12 = { package = "qapi-qmp", version = "=0.12.0" }
qmp-0-13 = { package = "qapi-qmp", version = "=0.13.0" }
qmp-0-14 = { package = "qapi-qmp", version = "=0.14.0" }
qmp-0-15 = { package = "qapi-qmp", version = "=0.15.0" }
qga-0-13 = { package = "qapi-qga", version = "=0.13.0" }
TOML
cargo fetch --quiet --manifest-path "$scratch/Cargo.toml"

registry=${CARGO_HOME:-$HOME/.cargo}/registry
status=0
for schema in qapi-qmp-0.12.0/schema/qapi qapi-qmp-0.13.0/schema/qapi \
    qapi-qmp-0.14.0/schema/qapi qapi-qmp-0.15.0/schema/qapi qapi-qga-0.13.0/schema/qga; do
    package=${schema%%/*}
    found=$(ls -d "$registry"/src/*/"$schema"/qapi-schema.json 2>/dev/null | head -n 1 || true)
    if [[ -z $found ]]; then
        # Downloaded but not unpacked: unpack the .crate as cargo would.
        crate=$(ls "$registry"/cache/*/"$package".crate 2>/dev/null | head -n 1 || true)
        if [[ -n $crate ]]; then
            index=$(basename "$(dirname "$crate")")
            mkdir -p "$registry/src/$index"
            tar -xzf "$crate" -C "$registry/src/$index"
            found=$(ls -d "$registry"/src/*/"$schema"/qapi-schema.json 2>/dev/null | head -n 1 || true)
        fi
    fi
    if [[ -n $found ]]; then
        echo "$found"
    else
        echo "error: $package: no $schema/qapi-schema.json in $registry" >&2
        status=1
    fi
done
exit $status
