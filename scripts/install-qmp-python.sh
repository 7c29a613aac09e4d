#!/usr/bin/env bash
# Make the virtualenv with QEMU's Python QMP client (qemu.qmp from PyPI) that
# the tests use as a real peer.  Idempotent.  Prints the venv's python path.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="${QMP_PYTHON_VENV:-$root/target/qmp-venv}"
if ! "$venv/bin/python" -c "import qemu.qmp" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "qemu.qmp==0.0.6"
fi
echo "$venv/bin/python"
