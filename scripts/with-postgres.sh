#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Runs CMD with DATABASE_URL set. If DATABASE_URL is already set it just
# execs CMD. Otherwise it starts a throwaway PostgreSQL (Debian's
# `postgresql` package) on a free port of 127.0.0.1 in a temporary
# directory, creates the database `streamz_test`, runs CMD, then stops the
# server and removes the directory. Exits with CMD's exit status.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

if [[ -n "${DATABASE_URL:-}" ]]; then
    exec "$@"
fi

die() { echo "with-postgres: $*" >&2; exit 1; }

# Highest installed PostgreSQL version.
PG_VERSION=$(ls -1 /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
[[ -n "$PG_VERSION" ]] || die "no PostgreSQL in /usr/lib/postgresql (run scripts/install-deps.sh)"
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
for b in initdb pg_ctl pg_isready createdb; do
    [[ -x "$PG_BIN/$b" ]] || die "$PG_BIN/$b not found"
done

# PostgreSQL refuses to run as root: run the server as the `postgres` user.
AS_PG=()
if [[ $(id -u) -eq 0 ]]; then
    getent passwd postgres >/dev/null || die "running as root but there is no 'postgres' user"
    AS_PG=(runuser -u postgres --)
fi

PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/streamz-pg.XXXXXX")
PG_DATA=$PG_TMP/data
PG_LOG=$PG_TMP/server.log
STARTED=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ $STARTED -eq 1 ]]; then
        (cd "$PG_TMP" && "${AS_PG[@]}" "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30) \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ ${#AS_PG[@]} -gt 0 ]]; then
    chown postgres: "$PG_TMP"
    # The postgres user must be able to reach the directory; if TMPDIR is
    # private (e.g. under /root), fall back to /tmp.
    if ! "${AS_PG[@]}" test -w "$PG_TMP"; then
        rm -rf "$PG_TMP"
        PG_TMP=$(mktemp -d /tmp/streamz-pg.XXXXXX)
        PG_DATA=$PG_TMP/data
        PG_LOG=$PG_TMP/server.log
        chown postgres: "$PG_TMP"
        "${AS_PG[@]}" test -w "$PG_TMP" || die "user postgres cannot write $PG_TMP"
    fi
fi

# Run a PostgreSQL binary as the server user, from a directory it can enter.
pg() { (cd "$PG_TMP" && "${AS_PG[@]}" "$PG_BIN/$1" "${@:2}"); }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg initdb -D "$PG_DATA" --auth=trust -U postgres --encoding=UTF8 --no-sync \
    >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }

# Start the server; retry with another port if the chosen one was taken
# between picking it and binding it (e.g. concurrent runs).
PORT=
for attempt in 1 2 3; do
    PORT=$(free_port)
    rm -f "$PG_LOG"
    if pg pg_ctl start -D "$PG_DATA" -l "$PG_LOG" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PG_TMP -c fsync=off -c max_connections=200" \
        >/dev/null 2>&1; then
        STARTED=1
        break
    fi
    # pg_ctl may have timed out with the server still starting up.
    if [[ -f "$PG_DATA/postmaster.pid" ]]; then
        STARTED=1
        break
    fi
    grep -q "could not bind" "$PG_LOG" 2>/dev/null || break
done

deadline=$((SECONDS + 30))
until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 1; do
    if [[ $STARTED -eq 0 || $SECONDS -ge $deadline ]]; then
        echo "with-postgres: PostgreSQL $PG_VERSION did not become ready on 127.0.0.1:$PORT; server log:" >&2
        cat "$PG_LOG" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.2
done

"$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres streamz_test ||
    die "could not create database streamz_test"

export DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/streamz_test?sslmode=disable"
echo "with-postgres: throwaway PostgreSQL $PG_VERSION at 127.0.0.1:$PORT (data in $PG_TMP)" >&2

# Not exec: the EXIT trap must stop the server afterwards.
set +e
"$@"
status=$?
exit "$status"
