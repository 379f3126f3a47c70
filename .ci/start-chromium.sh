#!/usr/bin/env bash
# Installs what the browser tests (example-orders-web's TimelinePageTest) need: Debian's headless-capable
# Chromium and its ChromeDriver, /usr/bin/chromium and /usr/bin/chromedriver.
#
# Idempotent: installs only what is missing. The tests find other binaries through CHROME_BIN and
# CHROMEDRIVER; without any, they are skipped with a message, except under CI=true, where they fail.
set -euo pipefail

log() { echo "start-chromium: $*"; }

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  log "already installed"
else
  log "installing Debian's chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q chromium chromium-driver
fi
# Debian's chromium wrapper script prints a harmless shell warning on some machines: keep the version line.
log "$(chromium --version 2>/dev/null | tail -n 1); $(chromedriver --version | head -n 1)"
