#!/usr/bin/env bash
# Install what the tests need beyond the Rust toolchain: Debian's headless
# Chromium and its WebDriver (the docs browser test).  Idempotent.
set -euo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    chromium --version
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    chromium chromium-driver fonts-dejavu-core >/dev/null
chromium --version
