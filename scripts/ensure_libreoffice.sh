#!/usr/bin/env bash
# Make sure Debian's LibreOffice Calc is at /usr/bin/soffice, with a Chinese sans font, for the
# workbook's conversion test (tests/e2e/test_workbook_libreoffice.py): it opens the workbook, has
# every formula recalculated and prints it to PDF as a user's LibreOffice would. fonts-noto-cjk is
# the CJK sans LibreOffice puts in place of the workbook's Microsoft YaHei (without it Chinese text
# is drawn with no glyphs and the pages are not the ones a user gets).
# Idempotent: returns at once when both are already installed (when not: about 25 s, 100 MB to
# download, 400 MB on disk).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/ensure_debian_program.sh" libreoffice /usr/bin/soffice libreoffice-calc
