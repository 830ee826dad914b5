#!/usr/bin/env bash
# Usage: scripts/bench-pq-batch.sh
#
# Which batching strategy upserts window aggregates fastest through libpq: one
# unnest() statement with array parameters, pipeline mode (one prepared one-row
# upsert per row, one round trip per batch), or multi-row INSERT … VALUES of up to
# 1000 rows per statement. Builds Benchmarks/c/pq_batch.c (see its header for what is
# measured) in a temporary directory and runs it against $DATABASE_URL, which must be
# a loopback or Unix-socket server (the program refuses anything else). Without
# DATABASE_URL it re-runs itself under scripts/with-postgres.sh, which starts a
# throwaway PostgreSQL on 127.0.0.1 (fsync=off) and removes it afterwards.
#
# Prints a markdown table on stdout. Environment: BATCHES (20 per case, the first is
# warm-up), SIZES (batch sizes, "1000,10000"), CC (cc).
#
# The program drops and recreates the table bench_agg in that database.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$ROOT/scripts/bench-pq-batch.sh

log() { echo "bench-pq-batch: $*" >&2; }
die() { log "$*"; exit 1; }

if [[ -z "${DATABASE_URL:-}" ]]; then
    # Guard against looping if with-postgres.sh ever ran us without setting it.
    [[ -z "${BENCH_PQ_BATCH_REEXEC:-}" ]] || die "with-postgres.sh did not set DATABASE_URL"
    export BENCH_PQ_BATCH_REEXEC=1
    exec bash "$ROOT/scripts/with-postgres.sh" bash "$SELF" "$@"
fi

command -v pkg-config >/dev/null || die "pkg-config not found (run scripts/install-deps.sh)"
pkg-config --exists libpq || die "libpq not found by pkg-config (Debian: libpq-dev)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-pq-batch.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# shellcheck disable=SC2046 # pkg-config's output is meant to be word-split
"${CC:-cc}" -O2 -Wall -Wextra -o "$WORK/pq_batch" "$ROOT/Benchmarks/c/pq_batch.c" \
    $(pkg-config --cflags --libs libpq)

log "running against $(sed -E 's#//[^@/]*@#//#' <<<"$DATABASE_URL")"  # without user/password
"$WORK/pq_batch" "$DATABASE_URL"
