#!/usr/bin/env bash
# Install qemu-system-x86_64 10.0.x from Debian 12's bookworm-backports (plain
# bookworm ships 7.2), for the tests that drive a real QEMU.  Idempotent.
set -euo pipefail

want_major=10
if command -v qemu-system-x86_64 >/dev/null &&
    qemu-system-x86_64 --version | grep -q "version ${want_major}\."; then
    qemu-system-x86_64 --version | head -n1
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
$sudo apt-get "${apt_opts[@]}" update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get "${apt_opts[@]}" -t bookworm-backports \
    install -y -qq --no-install-recommends qemu-system-x86 qemu-utils >/dev/null
qemu-system-x86_64 --version | head -n1
