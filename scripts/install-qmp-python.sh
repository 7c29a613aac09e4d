#!/usr/bin/env bash
# Make the virtualenv with QEMU's Python QMP client (qemu.qmp from PyPI) that
# the tests use as a real peer.  Idempotent.  Prints the venv's python path.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="${QMP_PYTHON_VENV:-$root/target/qmp-venv}"
if ! "$venv/bin/python" -c "import qemu.qmp" 2>/dev/null; then
    # Debian keeps venv's pip bootstrap (ensurepip) in python3-venv, which a
    # fresh machine lacks (and a minimal one lacks python3 too).
    if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        log=$(mktemp)
        if ! { $sudo apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
                python3 python3-venv; } >"$log" 2>&1; then
            tail -n 25 "$log" >&2
            echo "install-qmp-python: error: installing python3-venv with apt-get failed" >&2
            exit 1
        fi
        rm -f "$log"
    fi
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "qemu.qmp==0.0.6"
fi
echo "$venv/bin/python"
