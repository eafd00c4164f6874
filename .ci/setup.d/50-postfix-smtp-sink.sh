#!/usr/bin/env bash
# The email tests' pipelining cases run against postfix's smtp-sink, a real
# SMTP server that offers PIPELINING (aiosmtpd does not). The system's postfix
# is installed unconfigured and never started: the bounce tests
# (tests/test_bounces_postfix.py) start a private instance of their own, as
# root, with its config and queue in a temporary folder.
set -euo pipefail
if { command -v smtp-sink >/dev/null 2>&1 || [ -x /usr/sbin/smtp-sink ]; } \
    && [ -f /usr/share/postfix/master.cf.dist ]; then
  exit 0
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 postfix
