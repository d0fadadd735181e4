#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the storage tests and print its URL.
# Usage: eval "$(bash .ci/pg.sh start)"  → exports ESPLAN_TEST_PG_URL;  bash .ci/pg.sh stop
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
DATA=${ESPLAN_PG_DATA:-/tmp/esplan-pg}
PORT=${ESPLAN_PG_PORT:-55432}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-start}" in
  start)
    [ -n "$PGBIN" ] || { echo "echo 'PostgreSQL server binaries not found' >&2"; exit 1; }
    if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      rm -rf "$DATA"; mkdir -p "$DATA"
      [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
      as_pg "$PGBIN/initdb" -D "$DATA" -U esplan --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      as_pg "$PGBIN/pg_ctl" -D "$DATA" -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" \
        -l "$DATA/server.log" -w start >/dev/null
    fi
    as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U esplan esplan_test 2>/dev/null || true
    echo "export ESPLAN_TEST_PG_URL=postgresql+psycopg://esplan@127.0.0.1:$PORT/esplan_test"
    ;;
  stop)
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    ;;
esac
