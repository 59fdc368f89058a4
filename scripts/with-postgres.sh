#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: installs Debian's packages if needed,
# initialises a cluster in a temporary folder, starts it on a free local port, exports
# DATABASE_URL, runs the command, and stops the server whatever happens.
set -euo pipefail

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PGBIN=$(find_bin || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL absent : installation du paquet Debian « postgresql »…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PGBIN=$(find_bin)
  else
    echo "ERREUR : PostgreSQL est nécessaire. Installez-le : sudo apt-get install postgresql" >&2
    exit 1
  fi
fi

# PostgreSQL refuses to run as root: use the postgres account (created by the package) or nobody.
RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  if id postgres >/dev/null 2>&1; then RUN_AS=(runuser -u postgres --); else RUN_AS=(runuser -u nobody --); fi
fi

PGDATA=$(mktemp -d /tmp/portail-pg.XXXXXX)
SOCKDIR=$PGDATA/sock
mkdir -p "$SOCKDIR"
[ "$(id -u)" = "0" ] && chown -R "${RUN_AS[2]}" "$PGDATA"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA"
}
trap cleanup EXIT

"${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGDATA/data" -U portail --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA/data" -l "$PGDATA/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCKDIR -c fsync=off -c max_connections=200" start >/dev/null
"${RUN_AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U portail portail

export DATABASE_URL="postgres://portail@127.0.0.1:$PORT/portail"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') prêt sur 127.0.0.1:$PORT"
"$@"
