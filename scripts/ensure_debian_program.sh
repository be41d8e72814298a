#!/usr/bin/env bash
# Make sure a program of Debian's is installed at PATH, with the Chinese sans font Noto Sans CJK SC
# (fonts-noto-cjk) beside it, installing both with apt-get when either is missing.
#     scripts/ensure_debian_program.sh NAME PATH PACKAGE
# NAME is what messages call it; PACKAGE the Debian package that provides PATH. Used by
# ensure_chromium.sh and ensure_libreoffice.sh. Idempotent: returns at once when both are there.
set -euo pipefail

NAME=$1
PROGRAM=$2
PACKAGE=$3

has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && fc-list ':lang=zh' family | grep -q 'Noto Sans CJK SC'
}

if [ -x "$PROGRAM" ] && has_cjk_font; then
    echo "$NAME present: $("$PROGRAM" --version 2>/dev/null || echo "$PROGRAM"), with Noto Sans CJK SC"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_$NAME: $PROGRAM or the Noto Sans CJK font is missing and apt-get is not available;" \
         "install them by hand (packages '$PACKAGE' and 'fonts-noto-cjk' on Debian/Ubuntu)" >&2
    exit 1
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "ensure_$NAME: need root (or sudo) to apt-get install $PACKAGE fonts-noto-cjk" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing Debian's $PACKAGE and fonts-noto-cjk packages ..."
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "$PACKAGE" fonts-noto-cjk

if [ ! -x "$PROGRAM" ] || ! has_cjk_font; then
    echo "ensure_$NAME: apt-get finished but $PROGRAM or Noto Sans CJK SC is still missing" >&2
    exit 1
fi
echo "$NAME installed: $("$PROGRAM" --version 2>/dev/null || echo "$PROGRAM"), with Noto Sans CJK SC"
