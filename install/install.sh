#!/usr/bin/env bash
# Installs or upgrades oanode on a Linux server with systemd. Run as root:
#   install/install.sh [path/to/oanode]     (default: target/release/oanode)
# Creates the system user `oanode`, the data directory /var/lib/oanode, installs the binary to
# /usr/local/bin and the hardened unit oanode.service, initializes an empty node on first install
# (printing the administrator's initial password once) and starts the service. Re-running it
# upgrades the binary and restarts the service; the data directory is never touched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
binary=${1:-target/release/oanode}
data=/var/lib/oanode
admin=${OANODE_ADMIN:-admin}

die() { echo "install.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root"
[ -x "$binary" ] || die "no executable at $binary (build it with: cargo build --release)"
"$binary" --version >/dev/null || die "$binary does not run on this machine"

if ! getent group oanode >/dev/null; then
  groupadd --system oanode
fi
if ! getent passwd oanode >/dev/null; then
  useradd --system --gid oanode --no-create-home --home-dir "$data" --shell /usr/sbin/nologin oanode
fi

install -d -m 0750 -o oanode -g oanode "$data"

systemd=false
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemd=true
fi
if $systemd && systemctl is-active --quiet oanode; then
  echo "stopping oanode for the upgrade"
  systemctl stop oanode
fi

if [ "$(realpath "$binary")" != /usr/local/bin/oanode ]; then
  install -m 0755 "$binary" /usr/local/bin/oanode
fi
echo "installed $(/usr/local/bin/oanode --version) to /usr/local/bin/oanode"

if [ ! -e "$data/oanode.redb" ]; then
  echo "initializing a new node in $data (administrator: $admin)"
  # The same umask as the unit's (UMask=0027): nothing in the data directory is world-readable.
  (umask 0027 && runuser -u oanode -- /usr/local/bin/oanode init --data "$data" --admin "$admin")
fi

install -m 0644 "$here/oanode.service" /etc/systemd/system/oanode.service
if $systemd; then
  systemctl daemon-reload
  systemctl enable --now oanode
  systemctl --no-pager --lines=0 status oanode || true
  echo "oanode is running on 127.0.0.1:8000; put the reverse proxy in front (install/nginx.conf.example)"
else
  echo "systemd is not running here: start it with"
  echo "  runuser -u oanode -- /usr/local/bin/oanode serve --data $data --listen 127.0.0.1:8000"
fi
