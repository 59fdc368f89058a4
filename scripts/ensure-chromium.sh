#!/usr/bin/env bash
# The browser tests drive Debian's Chromium, and the API guide's examples run curl. Install what is
# missing when we are root; else say what to do.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Paquets absents : installation des paquets Debian « ${missing[*]} »…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  command -v chromium >/dev/null && command -v curl >/dev/null && exit 0
fi
echo "ERREUR : les tests ont besoin de ${missing[*]}. Installez : sudo apt-get install ${missing[*]}" >&2
exit 1
