#!/usr/bin/env bash
# tests/deps.sh - installs the Debian packages modelc needs, when missing.
# Run as root on Debian 12; elsewhere it only reports what is missing.
set -u
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in make gcc g++ flex bison libpq-dev libcmocka-dev postgresql-15 pkg-config; do
	have_pkg "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "missing packages: ${need[*]} (install them, e.g. apt-get install ${need[*]})" >&2
	exit 1
fi
echo "== installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
	|| { echo "apt-get install failed" >&2; exit 1; }
