#!/usr/bin/env bash
# Install everything the tests need beyond the Rust toolchain, each step
# idempotent: Debian's headless Chromium and its WebDriver (the docs browser
# test), tmux (qmp-shell's terminal tests), QEMU 10.0 (the live QMP tests),
# QEMU's Python QMP client, and the schemas of older QEMU versions (from the
# cargo registry), and parts of QEMU's sources (the guest agent's schema).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    chromium --version
else
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver fonts-dejavu-core >/dev/null
    chromium --version
fi

if command -v tmux >/dev/null; then
    tmux -V
else
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        tmux >/dev/null
    tmux -V
fi

"$here/install-qemu.sh"
"$here/install-qmp-python.sh"
"$here/fetch-older-schemas.sh"
"$here/fetch-qemu-sources.sh"
