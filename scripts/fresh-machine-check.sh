#!/usr/bin/env bash
# Prove that scripts/test.sh works on a fresh Debian 12 machine that has
# only the Rust toolchain: build such a machine as a chroot (debootstrap
# bookworm, minbase, plus what the toolchain itself needs: a C compiler for
# linking, CA certificates for crates.io), copy in this machine's stable
# toolchain (rustup's toolchain and proxies; no registry cache, so every
# crate downloads as on a fresh machine), a `git clone` of this repository's
# HEAD (committed work only) and ../shared beside it, then run
# scripts/test.sh inside; it installs the rest with apt, pip and cargo.
#
#     scripts/fresh-machine-check.sh [--setup-only] [--reuse] [DIR] [-- ARGS]
#
# DIR       where the machine goes (default <repo>/target/fresh-machine)
# --setup-only  build the machine and check it (cargo, apt, the clone), but
#           do not run the tests
# --reuse   keep a machine built by an earlier run (its installed packages
#           too); by default it is rebuilt from scratch
# ARGS      passed to scripts/test.sh (then to cargo test)
#
# Needs root (debootstrap, chroot, mount).  /dev, /proc and /sys are
# bind-mounted inside a private mount namespace (unshare) that ends with the
# check, so nothing stays mounted and deleting DIR is always safe.  The
# machine has its own /tmp.  A full run downloads a few hundred MB and
# builds the workspace from scratch: expect tens of minutes on 2 cores.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
setup_only=false
reuse=false
dir=""
while (($#)); do
    case $1 in
    --setup-only) setup_only=true ;;
    --reuse) reuse=true ;;
    --) shift; break ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fresh-machine-check: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) dir=$1 ;;
    esac
    shift
done
root=${dir:-$repo/target/fresh-machine}
case $root in /*) ;; *) root=$PWD/$root ;; esac
shared=${QAPI_SHARED_DIR:-$repo/../shared}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
cargo_home=${CARGO_HOME:-$HOME/.cargo}
# Inside the machine: the clone and the shared material side by side, as CI has them.
inner_repo=/work/$(basename "$repo")

die() {
    echo "fresh-machine-check: error: $*" >&2
    exit 1
}
stage() {
    printf '==> %s (%ds)\n' "$*" "$SECONDS"
}
quietly() {
    local what=$1 log
    shift
    log=$(mktemp)
    if ! "$@" >"$log" 2>&1; then
        tail -n 25 "$log" >&2
        rm -f "$log"
        die "$what failed"
    fi
    rm -f "$log"
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount)"
[[ -d $shared/qemu/10.0.0 ]] || die "QEMU's material not found at $shared (set QAPI_SHARED_DIR)"
toolchain=$(cd "$repo" && rustup show active-toolchain 2>/dev/null | awk '{print $1; exit}') ||
    true
[[ -n $toolchain && -d $rustup_home/toolchains/$toolchain ]] ||
    die "no active rustup toolchain found under $rustup_home/toolchains"

# This machine's network may intercept TLS with a CA of its own (in
# /usr/local/share/ca-certificates; environment variables naming the
# bundle): a fresh machine on the same network needs the same trust.
local_cas=(/usr/local/share/ca-certificates/*.crt)
[[ -e ${local_cas[0]} ]] || local_cas=()
tls_env=()
for var in SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE REQUESTS_CA_BUNDLE PIP_CERT; do
    if [[ -n ${!var:-} ]]; then tls_env+=("$var=${!var}"); fi
done

# Runs its arguments inside the machine, as root with a login-like
# environment, /dev /proc /sys mounted for the time of the command only.
# The machine's root is bind-mounted onto itself so that `/` is a mount
# point inside, as on a real machine: unshare(1) --propagation, which the
# QEMU 11 wrappers use, fails otherwise.
inside() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount --propagation private -- /bin/sh -euc '
        root=$1; shift
        mount --bind "$root" "$root"
        for m in dev proc sys; do mount --rbind "/$m" "$root/$m"; done
        exec chroot "$root" "$@"' sh "$root" \
        env -i HOME=/root USER=root LOGNAME=root LANG=C.UTF-8 TERM=dumb CI=true \
        PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        CARGO_HOME=/root/.cargo RUSTUP_HOME=/root/.rustup "${tls_env[@]}" "$@"
}

if [[ $reuse == true && -f $root/.fresh-machine-ready ]]; then
    stage "Reusing the machine at $root"
else
    stage "Debian 12 (bookworm, minbase) into $root"
    if ! command -v debootstrap >/dev/null; then
        quietly "apt-get update" apt-get update -qq
        quietly "installing debootstrap" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends debootstrap
    fi
    # --one-file-system: never follow a mount out of the old machine.
    rm -rf --one-file-system "$root"
    mkdir -p "$(dirname "$root")"
    quietly "debootstrap of Debian bookworm into $root" \
        unshare --mount --propagation private -- \
        debootstrap --variant=minbase --include=ca-certificates,gcc,libc6-dev \
        bookworm "$root" "$mirror"
    # A Debian 12 machine's usual sources (Chromium comes from security).
    cat >"$root/etc/apt/sources.list" <<LIST
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
LIST
    if ((${#local_cas[@]})); then
        cp "${local_cas[@]}" "$root/usr/local/share/ca-certificates/"
        quietly "update-ca-certificates inside the machine" inside update-ca-certificates
    fi
    # What Debian's installer writes and debootstrap does not: without it
    # `localhost` does not resolve (chromedriver reaches Chromium by it).
    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
    # Like a container: packages never start services.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"

    stage "Rust toolchain $toolchain (rustup's, without the registry cache)"
    mkdir -p "$root/root/.rustup/toolchains" "$root/root/.cargo"
    # readlink: a toolchain may be a link to another (1.95.0 -> stable).
    cp -a "$(readlink -f "$rustup_home/toolchains/$toolchain")" \
        "$root/root/.rustup/toolchains/$toolchain"
    cp -a "$rustup_home/settings.toml" "$root/root/.rustup/"
    cp -a "$cargo_home/bin" "$root/root/.cargo/"
    touch "$root/.fresh-machine-ready"
fi

stage "Repository (git clone of HEAD $(git -C "$repo" rev-parse --short HEAD)) and shared material"
rm -rf --one-file-system "$root$inner_repo" "$root/work/shared"
mkdir -p "$root/work"
quietly "git clone of $repo" git clone --quiet --no-hardlinks "$repo" "$root$inner_repo"
# "/.": the contents, also when $shared is a symlink (../shared often is).
mkdir "$root/work/shared"
cp -a "$shared/." "$root/work/shared/"

stage "Checks inside: cargo, apt, the clone"
inside cargo --version
inside rustc --version
quietly "apt-get update inside the machine" inside apt-get update -qq
inside apt-cache policy tmux | sed -n '1,3p'
inside test -x "$inner_repo/scripts/test.sh" || die "no $inner_repo/scripts/test.sh inside"
inside test -d "$inner_repo/../shared/qemu/10.0.0" || die "no $inner_repo/../shared inside"
echo "clone at $inner_repo, shared material at $inner_repo/../shared"

if [[ $setup_only == true ]]; then
    stage "Machine ready (--setup-only: tests not run); run them with: $0 --reuse${dir:+ $dir}"
    exit 0
fi
stage "scripts/test.sh $* (inside)"
# shellcheck disable=SC2016 # expanded by the inner shell
inside /bin/bash -c 'cd "$1" && shift && exec scripts/test.sh "$@"' bash "$inner_repo" "$@"
stage "scripts/test.sh passed on a fresh Debian 12 machine"
