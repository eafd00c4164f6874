#!/usr/bin/env bash
# The email tests score the rendered, DKIM-signed messages with Debian's
# SpamAssassin. The package ships its rule set (/usr/share/spamassassin), so
# no sa-update (which needs the rule servers) is run: the tests use those
# rules as installed. Only the `spamassassin` command is used; spamd is never
# started.
set -euo pipefail
command -v spamassassin >/dev/null && exit 0
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends spamassassin
