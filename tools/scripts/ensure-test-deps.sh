#!/usr/bin/env sh
# The integration tests start a real redis-server; no npm package ships one. Install it from the
# OS packages when it is missing (Debian/Ubuntu), as root or through sudo.
set -e
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
echo "redis-server not found: installing it with apt-get (Debian/Ubuntu)"
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get here: install redis-server (>= 6.2) with your package manager and rerun" >&2
  exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
# Debian starts a system-wide instance on 6379; the tests use their own on random ports.
command -v redis-server
