#!/usr/bin/env bash
# Install QEMU 10.0.x from Debian 12's bookworm-backports (plain bookworm
# ships 7.2), for the tests that drive a real QEMU: qemu-system-x86_64 and
# qemu-img, and the guest agent qemu-ga (a QMP-speaking peer of its own).
# Idempotent; prints the installed versions.
#
# qemu-ga acts on the machine it runs on: run it only with --allow-rpcs
# naming harmless commands (guest-sync*, guest-info, guest-ping, ...).  The
# package's service starts only beside a virtio serial port, which this
# machine does not have.
set -euo pipefail

want_major=10

installed() {
    command -v qemu-system-x86_64 >/dev/null && command -v qemu-img >/dev/null &&
        qemu-system-x86_64 --version | grep -q "version ${want_major}\." &&
        command -v qemu-ga >/dev/null && qemu-ga --version | grep -q "Agent ${want_major}\."
}

print_versions() {
    qemu-system-x86_64 --version | head -n1
    qemu-ga --version | head -n1
}

if installed; then
    print_versions
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# A temporary sources list, so the machine's own configuration is untouched.
list=$(mktemp -d)
trap 'rm -rf "$list"' EXIT
cat >"$list/backports.list" <<'LIST'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-backports main
LIST
apt_opts=(-o "Dir::Etc::sourcelist=$list/backports.list" -o "Dir::Etc::sourceparts=-"
    -o "APT::Get::List-Cleanup=0")
if ! $sudo apt-get "${apt_opts[@]}" update -qq >"$list/log" 2>&1 ||
    ! DEBIAN_FRONTEND=noninteractive $sudo apt-get "${apt_opts[@]}" -t bookworm-backports \
        install -y -qq --no-install-recommends qemu-system-x86 qemu-utils qemu-guest-agent \
        >"$list/log" 2>&1; then
    tail -n 25 "$list/log" >&2
    echo "install-qemu: error: installing QEMU ${want_major}.x from bookworm-backports failed" >&2
    exit 1
fi
if ! installed; then
    echo "install-qemu: error: QEMU ${want_major}.x was installed but qemu-system-x86_64 or qemu-ga does not report it:" >&2
    print_versions >&2 || true
    exit 1
fi
print_versions
