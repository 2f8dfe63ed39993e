#!/bin/sh
# The headless browser tests/test_report_html.py screenshots the HTML run report with (Debian's chromium),
# and a small CJK font so the page's Chinese text draws as glyphs, not boxes. Nothing to do if chromium is
# there already; otherwise apt (as root, as CI runs; about 30 s on a fresh Debian machine).
command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei)
