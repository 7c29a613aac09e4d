#!/usr/bin/env bash
# The test command, for a fresh Debian 12 machine with the Rust toolchain:
# installs what the tests need (scripts/install-test-deps.sh: Chromium,
# tmux, QEMU 10.0 and 11.1 with their guest agents, qemu.qmp, older
# schemas; idempotent, quick when done), then runs
#     cargo test --workspace "$@"
# with the environment CI uses.  Needs root or sudo (apt, the QEMU 11
# chroot) and QEMU's material in ../shared (or $QAPI_SHARED_DIR).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

shared=${QAPI_SHARED_DIR:-$repo/../shared}
if [[ ! -d $shared/qemu/10.0.0/tests/qapi-schema ]]; then
    cat >&2 <<MSG
error: QEMU's schema material was not found at $shared
  The tests compare against QEMU 10.0.0's conformance suite and schema,
  expected in the 'shared' directory beside this checkout
  ($repo/../shared, holding qemu/10.0.0/...).  Check it out there, or
  point QAPI_SHARED_DIR at it.
MSG
    exit 1
fi
if ! command -v cargo >/dev/null; then
    echo "error: 'cargo' not found; install the Rust toolchain" >&2
    exit 1
fi

export QAPI_SHARED_DIR=$shared
# Where install-qemu-11.sh puts QEMU 11 (wrappers in $QAPI_PEERS_DIR/bin).
export QAPI_PEERS_DIR=${QAPI_PEERS_DIR:-$repo/target/peers}
# As in CI: incremental caches and full debug info only fill the disk (5 GB
# of a 9 GB target directory once); line tables keep panic backtraces.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG:-line-tables-only}

scripts/install-test-deps.sh
exec cargo test --workspace "$@"
