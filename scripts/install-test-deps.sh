#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine (run as root, or with sudo for apt):
# the Python packages from requirements-dev.txt (the runtime included), Debian's chromium, which
# the browser tests drive and the review's PDF is printed with (tests/browser, tests/test_review.py;
# Playwright cannot download its own browsers here), poppler-utils to read that PDF back, and
# PostgreSQL 15, which the SQL reader's and the PostgreSQL store's tests start (tests/pg_support.py).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium fonts-dejavu-core fonts-noto-color-emoji poppler-utils postgresql-15)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
