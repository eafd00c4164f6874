#!/usr/bin/env bash
# The reader tests run axe-core (accessibility rules, injected into headless
# chromium) and Lighthouse 12.2.3 (the last release that runs on Node 20) from
# npm, installed into .ci/node/ of the project: never globally, and only when
# the pinned versions are not there yet, so a second run costs nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v npm >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends nodejs npm
fi
want_axe=4.10.2
want_lighthouse=12.2.3
have() { [ -f ".ci/node/node_modules/$1/package.json" ] &&
         grep -q "\"version\": \"$2\"" ".ci/node/node_modules/$1/package.json"; }
if ! have axe-core "$want_axe" || ! have lighthouse "$want_lighthouse"; then
  mkdir -p .ci/node
  npm install --prefix .ci/node --no-audit --no-fund --no-save --loglevel=error \
    "axe-core@$want_axe" "lighthouse@$want_lighthouse"
fi
# Owned by whoever owns the project, so the tests (not root) can read and rerun it.
chown -R --reference=. .ci/node
