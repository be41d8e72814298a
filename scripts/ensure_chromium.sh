#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium, with a Chinese sans font, for the JupyterLab
# end-to-end test (tests/e2e). Playwright drives this system browser; it never downloads its own
# (no `playwright install`). fonts-noto-cjk is what a Chinese analyst's Linux browser draws Chinese
# with, and the test renders the notebooks and audit.html with it as such a browser would (no font
# of the test's own).
# Idempotent: returns at once when both are already installed.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && fc-list ':lang=zh' family | grep -q 'Noto Sans CJK SC'
}

if [ -x "$CHROMIUM" ] && has_cjk_font; then
    echo "chromium present: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"), with Noto Sans CJK SC"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: $CHROMIUM or the Noto Sans CJK font is missing and apt-get is not available;" \
         "install them by hand (packages 'chromium' and 'fonts-noto-cjk' on Debian/Ubuntu)" >&2
    exit 1
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "ensure_chromium: need root (or sudo) to apt-get install chromium fonts-noto-cjk" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing Debian's chromium and fonts-noto-cjk packages ..."
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk

if [ ! -x "$CHROMIUM" ] || ! has_cjk_font; then
    echo "ensure_chromium: apt-get finished but $CHROMIUM or Noto Sans CJK SC is still missing" >&2
    exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"), with Noto Sans CJK SC"
