#!/usr/bin/env bash
# Make sure Debian's LibreOffice Calc is at /usr/bin/soffice, with a Chinese sans font, for the
# workbook's conversion test (tests/e2e/test_workbook_libreoffice.py): it opens the workbook, has
# every formula recalculated and prints it to PDF as a user's LibreOffice would. fonts-noto-cjk is
# the CJK sans LibreOffice puts in place of the workbook's Microsoft YaHei (without it Chinese text
# is drawn with no glyphs and the pages are not the ones a user gets).
# Idempotent: returns at once when both are already installed (when not: about 25 s, 100 MB to
# download, 400 MB on disk).
set -euo pipefail

SOFFICE=/usr/bin/soffice

has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && fc-list ':lang=zh' family | grep -q 'Noto Sans CJK SC'
}

if [ -x "$SOFFICE" ] && has_cjk_font; then
    echo "libreoffice present: $("$SOFFICE" --version 2>/dev/null || echo "$SOFFICE"), with Noto Sans CJK SC"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_libreoffice: $SOFFICE or the Noto Sans CJK font is missing and apt-get is not available;" \
         "install them by hand (packages 'libreoffice-calc' and 'fonts-noto-cjk' on Debian/Ubuntu)" >&2
    exit 1
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=sudo
    else
        echo "ensure_libreoffice: need root (or sudo) to apt-get install libreoffice-calc fonts-noto-cjk" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing Debian's libreoffice-calc and fonts-noto-cjk packages ..."
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends libreoffice-calc fonts-noto-cjk

if [ ! -x "$SOFFICE" ] || ! has_cjk_font; then
    echo "ensure_libreoffice: apt-get finished but $SOFFICE or Noto Sans CJK SC is still missing" >&2
    exit 1
fi
echo "libreoffice installed: $("$SOFFICE" --version 2>/dev/null || echo "$SOFFICE"), with Noto Sans CJK SC"
