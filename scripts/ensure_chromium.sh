#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium, with a Chinese sans font, for the JupyterLab
# end-to-end test (tests/e2e). Playwright drives this system browser; it never downloads its own
# (no `playwright install`). fonts-noto-cjk is what a Chinese analyst's Linux browser draws Chinese
# with, and the test renders the notebooks and audit.html with it as such a browser would (no font
# of the test's own). Idempotent: returns at once when both are already installed.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/ensure_debian_program.sh" chromium /usr/bin/chromium chromium
