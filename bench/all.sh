#!/usr/bin/env bash
# `make bench`: for each size of BENCH_SIZES (default "S M L") and each database of BENCH_DATABASES
# (default "sqlite postgres"): generate the data set, play the load runs (portal and baseline),
# measure the SIRENE import and the exports; then write bench/RESULTS.md and bench/p95.png.
# PostgreSQL runs against a throwaway server (scripts/with-postgres.sh). Each step's output goes
# to bench/out/<database>-<size>/*.log as well as the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
SIZES=${BENCH_SIZES:-S M L}
DATABASES=${BENCH_DATABASES:-sqlite postgres}

one() {  # one size on the database of $DATABASE_URL ($1 = size, $2 = sqlite|postgres)
  local out=bench/out/$2-$1
  mkdir -p "$out"
  $PY -m bench.generate --size "$1" --database "$DATABASE_URL" --out "$out" 2>&1 | tee "$out/generate.log"
  $PY -m bench.run --dataset "$out/dataset.json" 2>&1 | tee "$out/run.log"
  $PY -m bench.extras --dataset "$out/dataset.json" 2>&1 | tee "$out/extras.log"
}

if [ "${1:-}" = "--one" ]; then
  one "$2" "$3"
  exit 0
fi

for size in $SIZES; do
  for db in $DATABASES; do
    if [ "$db" = sqlite ]; then
      DATABASE_URL="sqlite://$PWD/var/bench-$size.sqlite3" one "$size" sqlite
    else
      bash scripts/with-postgres.sh bash bench/all.sh --one "$size" postgres
    fi
  done
done
$PY -m bench.report
