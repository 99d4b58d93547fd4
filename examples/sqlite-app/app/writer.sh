#!/bin/sh
# The example application: appends a note to its SQLite file every few seconds and prints how many notes it holds
# (its own and those replicated from the other pods). The sidecar captures changes inside these transactions.
# Notes have UUID-like text keys; events show INTEGER keys that never collide between pods: each pod allocates ids
# only in its own range, (StatefulSet ordinal) << 40 and up.
set -eu
DB="${DATABASE:-/data/app.db}"
ME="${POD_NAME:-$(hostname)}"
sql() { sqlite3 -cmd ".timeout 10000" "$DB" "$@"; }

sql "PRAGMA journal_mode=WAL;" >/dev/null
sql "CREATE TABLE IF NOT EXISTS notes (id TEXT PRIMARY KEY, author TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);"
sql "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, author TEXT NOT NULL, body TEXT NOT NULL);"
# "init": only create the schema (run as an init container before the sidecar starts, so the sidecar finds the table).
if [ "${1:-}" = "init" ]; then exit 0; fi

# This pod's id range: its StatefulSet ordinal (the pod name's last part) shifted by 40 bits.
ORDINAL="${ME##*-}"
case "$ORDINAL" in ''|*[!0-9]*) echo "POD_NAME '$ME' does not end in a StatefulSet ordinal" >&2; exit 1 ;; esac
BASE=$((ORDINAL << 40))

trap 'exit 0' TERM INT
n=0
while true; do
  n=$((n + 1))
  sql "INSERT INTO notes (id, author, body, created_at) VALUES (lower(hex(randomblob(16))), '$ME', 'note $n from $ME', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));"
  sql "INSERT INTO events (id, author, body) VALUES ((SELECT coalesce(max(id) + 1, $BASE) FROM events WHERE id >= $BASE AND id < $BASE + (1 << 40)), '$ME', 'event $n from $ME');"
  echo "{\"event\":\"wrote\",\"n\":$n,\"notes\":$(sql 'SELECT count(*) FROM notes;'),\"authors\":$(sql 'SELECT count(DISTINCT author) FROM notes;')}"
  sleep "${WRITE_INTERVAL_SECONDS:-5}" &
  wait $!
done
