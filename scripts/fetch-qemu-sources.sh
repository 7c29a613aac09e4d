#!/usr/bin/env bash
# Fetch the parts of QEMU's sources the guest agent bindings and tests read,
# for QEMU 10.0.2 and 11.1.3, from Debian's source packages (bookworm- and
# trixie-backports): qapi/ (the QMP schema), qga/*.json (the guest agent's
# schema, qga/qapi-schema.json) and tests/qapi-schema/, extracted into
# target/qemu-sources/<version>/.  These are QEMU's files (GPL-2.0-or-later):
# never commit them.  Idempotent: a version already there is not fetched.
# 10.0.2 is required (the guest agent bindings are built from it); 11.1.3
# only warns when the mirror does not have its tarball.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dest=$repo/target/qemu-sources
# Each QEMU version, its Debian source package's version, and whether it
# is required.
versions=(
    "10.0.2 1:10.0.2+ds-2+deb13u1~bpo12+1 required"
    "11.1.3 1:11.1.3+ds-2~bpo13+1 optional"
)

# Report a version that cannot be had: fatal if required.
unavailable() {
    local need=$1 message=$2
    if [[ $need == required ]]; then
        echo "error: $message" >&2
        exit 1
    fi
    echo "warning: $message (skipped)" >&2
}

missing=()
for entry in "${versions[@]}"; do
    read -r upstream _ <<<"$entry"
    [[ -f $dest/$upstream/qga/qapi-schema.json && -d $dest/$upstream/qapi && -d $dest/$upstream/tests/qapi-schema ]] ||
        missing+=("$entry")
done

if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # A temporary sources list, so the machine's own configuration is untouched.
    cat >"$work/sources.list" <<'LIST'
deb-src http://deb.debian.org/debian bookworm-backports main
deb-src http://deb.debian.org/debian trixie-backports main
LIST
    # tar needs xz for the .orig.tar.xz, which a minimal Debian lacks.
    if ! command -v xz >/dev/null; then
        if ! { $sudo apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends xz-utils; } \
            >"$work/apt.log" 2>&1; then
            tail -n 25 "$work/apt.log" >&2
            echo "error: installing xz-utils with apt-get failed" >&2
            exit 1
        fi
    fi
    apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-"
        -o "APT::Get::List-Cleanup=0")
    if ! $sudo apt-get "${apt_opts[@]}" update -qq >"$work/apt.log" 2>&1; then
        cat "$work/apt.log" >&2
        echo "error: apt-get update of the deb-src lists failed" >&2
        exit 1
    fi
    # The upstream tarball named by the source package (its .dsc is not
    # always on the mirror, so `apt-get source` cannot be used), checked
    # against the SHA-256 the package lists.
    showsrc=$work/showsrc
    apt-cache "${apt_opts[@]}" showsrc qemu >"$showsrc"
    for entry in "${missing[@]}"; do
        read -r upstream debian need <<<"$entry"
        listing=$(awk -v version="$debian" '
            /^Package:/ { keep = 0 }
            $0 == "Version: " version { keep = 1 }
            keep && /^Directory:/ { directory = $2 }
            keep && /^Checksums-Sha256:/ { sums = 1; next }
            keep && sums && /^ / && $3 ~ /\.orig\.tar\.xz$/ { hash = $1; file = $3 }
            /^[^ ]/ { sums = 0 }
            END { if (hash != "") print directory, hash, file }
        ' "$showsrc")
        if [[ -z $listing ]]; then
            unavailable "$need" "apt-cache showsrc qemu lists no orig tarball of $debian"
            continue
        fi
        read -r directory hash file <<<"$listing"
        tarball=$work/$file
        # apt's own downloader (no curl on a fresh machine), which checks
        # the SHA-256 the source package lists.
        if ! /usr/lib/apt/apt-helper download-file "http://deb.debian.org/debian/$directory/$file" \
            "$tarball" "SHA256:$hash" >"$work/download.log" 2>&1; then
            tail -n 5 "$work/download.log" >&2
            unavailable "$need" "cannot download $directory/$file from Debian, or its SHA-256 differs"
            continue
        fi
        out=$dest/$upstream
        rm -rf "$out"
        mkdir -p "$out"
        # The tarball's top directory (qemu-10.0.2/) is dropped; a pattern's
        # `*` stays within one directory (not scripts/qapi/).
        tar -xJf "$tarball" -C "$out" --strip-components=1 \
            --wildcards --no-wildcards-match-slash \
            'qemu-*/qapi' 'qemu-*/qga/*.json' 'qemu-*/tests/qapi-schema'
        if [[ ! -f $out/qga/qapi-schema.json ]]; then
            echo "error: $tarball has no qga/qapi-schema.json" >&2
            exit 1
        fi
    done
fi

for entry in "${versions[@]}"; do
    read -r upstream _ <<<"$entry"
    if [[ -f $dest/$upstream/qga/qapi-schema.json ]]; then
        echo "QEMU $upstream sources: $dest/$upstream (qapi/, qga/qapi-schema.json, tests/qapi-schema/)"
    fi
done
