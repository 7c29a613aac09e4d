#!/usr/bin/env bash
# Install everything the tests need beyond the Rust toolchain, each step
# idempotent: Debian's headless Chromium and its WebDriver (the docs browser
# test), tmux (qmp-shell's terminal tests), QEMU 10.0 and its guest agent
# (the live QMP tests), QEMU 11.1 and its guest agent in a Debian 13 chroot
# under target/peers (a second real peer), QEMU's Python QMP client, and the
# schemas of older QEMU versions (from the cargo registry), and parts of
# QEMU's sources (the guest agent's schema).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# apt-get install, its chatter (debconf's included) shown only on failure.
apt_install() {
    local sudo="" log
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log=$(mktemp)
    if ! { $sudo apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"; } \
        >"$log" 2>&1; then
        tail -n 25 "$log" >&2
        rm -f "$log"
        echo "install-test-deps: error: apt-get install $* failed" >&2
        exit 1
    fi
    rm -f "$log"
}

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver fonts-dejavu-core
fi
chromium --version

if ! command -v tmux >/dev/null; then
    apt_install tmux
fi
tmux -V

"$here/install-qemu.sh"
"$here/install-qemu-11.sh"
"$here/install-qmp-python.sh"
"$here/fetch-older-schemas.sh"
"$here/fetch-qemu-sources.sh"
