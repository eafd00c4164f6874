#!/usr/bin/env bash
# The WordPress publisher is tested against a real WordPress from Debian's
# packages: the tests start mariadb on a temporary datadir and serve
# WordPress with `php -S` on loopback, so no service is enabled here.
set -euo pipefail
need=()
[ -f /usr/share/wordpress/wp-settings.php ] || need+=(wordpress)
command -v mariadbd >/dev/null || command -v mysqld >/dev/null || need+=(mariadb-server)
command -v php >/dev/null || need+=(php-cli)
php -m 2>/dev/null | grep -qi '^mysqli$' || need+=(php-mysql)
php -m 2>/dev/null | grep -qi '^gd$' || need+=(php-gd)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}"
fi
