#!/usr/bin/env bash
# The store's tests run on a real PostgreSQL as well as SQLite: the test
# harness (tests/support/postgres.py) starts a throwaway cluster of its own
# with initdb and pg_ctl on loopback, and removes it afterwards. Only the
# server binaries are needed here, so the package's default cluster is not
# created. initdb refuses to run as root; the harness runs the server as the
# `postgres` system user the package creates.
set -euo pipefail
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && id postgres >/dev/null 2>&1; then
  exit 0
fi
mkdir -p /etc/postgresql-common/createcluster.d
printf 'create_main_cluster = false\n' > /etc/postgresql-common/createcluster.d/50-bulletin-no-main.conf
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends postgresql
