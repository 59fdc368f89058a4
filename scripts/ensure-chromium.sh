#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it when missing and we are root; else say what to do.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium absent : installation du paquet Debian « chromium »…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  command -v chromium >/dev/null && exit 0
fi
echo "ERREUR : les tests navigateur ont besoin de Chromium. Installez-le : sudo apt-get install chromium" >&2
exit 1
