#!/usr/bin/env bash
# The chart's PNG is drawn by resvg with the faces it is given: DejaVu Sans for
# English (fonts-dejavu-core) and WenQuanYi Zen Hei for Chinese, without which
# a Chinese chart's labels would be missing from the PNG. Chromium uses them too.
set -euo pipefail
need=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || need+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}"
fi
