#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the JupyterLab
# end-to-end test (tests/e2e). Playwright drives this system browser; it never
# downloads its own (no `playwright install`).
# Idempotent: returns at once when Chromium is already installed.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "chromium present: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: $CHROMIUM is missing and apt-get is not available;" \
         "install Chromium by hand (package 'chromium' on Debian/Ubuntu)" >&2
    exit 1
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "ensure_chromium: need root (or sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing Debian's chromium package ..."
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure_chromium: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
