#!/usr/bin/env bash
# Usage: scripts/bench-window-postgres.sh [RESULT.md]
#
# End to end, embedded Kafka → 1-minute tumbling window → PostgreSQL
# (StreamzPostgres' MaterializedWindow), and aggregate upserts, each beside a baseline
# measured in the same run (Benchmarks/Sources/StreamzWindowToPostgres):
#
#   consume   the baseline: KafkaSource → sink {}, timed first record → COUNT-th
#   window    KafkaSource (offsetStore .external) → materialize(into:) a 1-minute
#             tumbling window per page (count, sum, max; grace 5 s, maxOutOfOrder 1 s,
#             final mode) → PostgreSQL, timed from the first record until a committed
#             checkpoint covers every record (stored next offsets sum to COUNT); then,
#             out of the span, every window is closed and the table checked
#             (sum(views) = COUNT)
#   upsert    WindowTable.upsertSQL in 10,000-row batches, one transaction each, every
#             batch after the first conflicting on every row, beside the same upsert
#             from C (Benchmarks/c/pq_batch.c, its "unnest" case, same data and timing)
#
# Steps: build (release, through Benchmarks/ only) `streamz`, StreamzWindowToPostgres
# and pq_batch.c; start `streamz dev-broker --topic clicks:8` on 127.0.0.1 (stopped on
# exit); produce COUNT clicks once (lz4; every record is checked to be retained); then
# RUNS times each, alternating which goes first: consume and window, each with a fresh
# group (and the window with a fresh pipeline name and table); then RUNS times each,
# alternating: the Swift upsert and pq_batch. Prints a markdown table of medians (and
# every run), and writes it to RESULT.md too when given.
#
# Without DATABASE_URL it re-runs itself under scripts/with-postgres.sh (a throwaway
# PostgreSQL on 127.0.0.1, fsync=off). DATABASE_URL must name a loopback server.
#
# Environment: COUNT (1000000), RUNS (3), UPSERT_ROWS (200000: 20 batches of 10,000,
# the first warm-up, as pq_batch's BATCHES=20), CONSUMER_PROPS (consumer key=value
# properties given to both consume and window: "queued.min.messages=1000000
# fetch.wait.max.ms=10"), CHECKPOINT_MS (1000), FLUSH_ROWS (10000), SWIFT (swift),
# CC (cc), RUN_TIMEOUT (300 s per run), STREAMZ_MAX_IN_FLIGHT_RECORDS (1000000).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$ROOT/scripts/bench-window-postgres.sh
BENCH=$ROOT/Benchmarks

BENCH_NAME=bench-window-postgres
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"

if [[ -z "${DATABASE_URL:-}" ]]; then
    [[ -z "${BENCH_WINDOW_PG_REEXEC:-}" ]] || die "with-postgres.sh did not set DATABASE_URL"
    export BENCH_WINDOW_PG_REEXEC=1
    exec bash "$ROOT/scripts/with-postgres.sh" bash "$SELF" "$@"
fi

SWIFT=${SWIFT:-swift}
CC=${CC:-cc}
COUNT=${COUNT:-1000000}
RUNS=${RUNS:-3}
UPSERT_ROWS=${UPSERT_ROWS:-200000}
CONSUMER_PROPS=${CONSUMER_PROPS:-"queued.min.messages=1000000 fetch.wait.max.ms=10"}
export CHECKPOINT_MS=${CHECKPOINT_MS:-1000} FLUSH_ROWS=${FLUSH_ROWS:-10000} RUN_TIMEOUT=${RUN_TIMEOUT:-300}
export MIGRATIONS=$ROOT/migrations
RESULT=${1:-}
BATCH_ROWS=10000
TOPIC=clicks

[[ "$COUNT" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9][0-9]*$ && "$UPSERT_ROWS" =~ ^[1-9][0-9]*$ ]] \
    || die "COUNT, RUNS and UPSERT_ROWS must be whole numbers"
(( UPSERT_ROWS >= 2 * BATCH_ROWS )) || die "UPSERT_ROWS must be at least $((2 * BATCH_ROWS)) (a warm-up batch and one more)"
# Loopback only: the host part of the URL (pq_batch checks again before connecting).
db_host=$(sed -E 's#^[a-z]+://([^@/]*@)?(\[[^]]*\]|[^:/?]*).*#\2#' <<<"$DATABASE_URL")
[[ "$db_host" =~ ^(127\.[0-9.]+|localhost|\[::1\]|)$ ]] || die "DATABASE_URL is not on loopback: $db_host"
read -r -a PROPS <<<"$CONSUMER_PROPS"

# ---------------------------------------------------------------- build
log "building (release)"
(cd "$BENCH" && "$SWIFT" build -c release --product streamz >&2)
(cd "$BENCH" && "$SWIFT" build -c release --product StreamzWindowToPostgres >&2)
BIN=$(cd "$BENCH" && "$SWIFT" build -c release --show-bin-path)
STREAMZ=$BIN/streamz
WINDOW=$BIN/StreamzWindowToPostgres
mkdir -p "$BENCH/.build/c"
PQ_BATCH=$BENCH/.build/c/pq_batch
# shellcheck disable=SC2046 # pkg-config's output is meant to be word-split
"$CC" -O2 -o "$PQ_BATCH" "$BENCH/c/pq_batch.c" $(pkg-config --cflags --libs libpq)

# ---------------------------------------------------------------- broker
make_work

start_broker --topic "$TOPIC:8"
log "PostgreSQL at $(sed -E 's#//[^@/]*@#//#' <<<"$DATABASE_URL")"

# ---------------------------------------------------------------- input
log "producing $COUNT clicks to '$TOPIC' (8 partitions, lz4) and checking they are all retained"
"$WINDOW" "$BOOTSTRAP" - produce "$TOPIC" "$COUNT" >"$WORK/produce.json" 2>>"$WORK/runs.err" \
    || { tail -n 5 "$WORK/runs.err" >&2; die "produce failed"; }
log "produced: $(cat "$WORK/produce.json")"

# ---------------------------------------------------------------- runs
# One line per run in $WORK/runs: kind run msgs_per_s cpu_s_per_million server_cpu extra...
field() { sed -n "s/.*\"$1\": \([-0-9.]*\).*/\1/p" <<<"$2"; }

run_consume() {  # run
    local r=$1 json
    json=$("$WINDOW" "$BOOTSTRAP" - consume "$TOPIC" "bench-consume-$r" "$COUNT" "${PROPS[@]}" 2>>"$WORK/runs.err") \
        || { tail -n 5 "$WORK/runs.err" >&2; die "consume run $r failed"; }
    [[ "$(field msgs "$json")" == "$COUNT" ]] || die "unexpected result: $json"
    log "  consume / run $r: $json"
    log "    $(grep 'consume: CPU-s per 1M by thread' "$WORK/runs.err" | tail -n 1 | sed -E 's/^[A-Za-z]+: consume: //')"
    echo "consume $r $(field msgs_per_s "$json") $(field cpu_s_per_million "$json") -1 $(field seconds "$json")" >>"$WORK/runs"
}

run_window() {  # run
    local r=$1 json
    json=$("$WINDOW" "$BOOTSTRAP" "$DATABASE_URL" window "$TOPIC" "bench-window-$r" "$COUNT" \
        "bench_window_$r" "page_views_$r" "${PROPS[@]}" 2>>"$WORK/runs.err") \
        || { tail -n 5 "$WORK/runs.err" >&2; die "window run $r failed"; }
    [[ "$(field msgs "$json")" == "$COUNT" ]] || die "unexpected result: $json"
    log "  window / run $r: $json"
    log "    $(grep 'window: CPU-s per 1M by thread' "$WORK/runs.err" | tail -n 1 | sed -E 's/^[A-Za-z]+: window: //')"
    log "    $(grep 'window: [0-9]* checkpoints' "$WORK/runs.err" | tail -n 1 | sed -E 's/^[A-Za-z]+: window: //')"
    local tail_ms
    tail_ms=$(awk -v a="$(field seconds "$json")" -v b="$(field consumed_seconds "$json")" 'BEGIN { printf "%.0f", 1000 * (a - b) }')
    echo "window $r $(field msgs_per_s "$json") $(field cpu_s_per_million "$json") $(field server_cpu_s_per_million "$json") $(field seconds "$json") $(field rows "$json") $(field checkpoints "$json") $tail_ms" >>"$WORK/runs"
    echo "window-in $r $(field consumed_msgs_per_s "$json") $(field consumed_cpu_s_per_million "$json") -1 $(field consumed_seconds "$json")" >>"$WORK/runs"
}

run_upsert_swift() {  # run
    local r=$1 json
    json=$("$WINDOW" - "$DATABASE_URL" upsert "$UPSERT_ROWS" 2>>"$WORK/runs.err") \
        || { tail -n 5 "$WORK/runs.err" >&2; die "Swift upsert run $r failed"; }
    log "  upsert Swift / run $r: $json"
    echo "upsert-s $r $(field rows_per_s "$json") $(field cpu_s_per_million "$json") $(field server_cpu_s_per_million "$json") $(field build_ms "$json")" >>"$WORK/runs"
}

run_upsert_c() {  # run
    local r=$1 out line
    out=$(BATCHES=$((UPSERT_ROWS / BATCH_ROWS)) SIZES=$BATCH_ROWS "$PQ_BATCH" "$DATABASE_URL" 2>>"$WORK/runs.err") \
        || { tail -n 5 "$WORK/runs.err" >&2; die "pq_batch run $r failed"; }
    # | unnest | 10000 | rows/s | client CPU-s per 1M | server CPU-s per 1M | build ms |
    line=$(grep -E "^\| unnest \| $BATCH_ROWS \|" <<<"$out") || { echo "$out" >&2; die "no unnest row in pq_batch's output"; }
    log "  upsert C / run $r: $line"
    awk -F'|' -v r="$r" '{ gsub(/ /, ""); s = $6 == "n/a" ? -1 : $6; print "upsert-c", r, $4, $5, s, $7 }' <<<"$line" >>"$WORK/runs"
    grep -q '^PostgreSQL' <<<"$out" && grep '^PostgreSQL' <<<"$out" | head -n 1 >"$WORK/pg-context"
}

: >"$WORK/runs"
log "consume and window, $RUNS runs each (consumer properties: ${CONSUMER_PROPS:-none})"
for r in $(seq 1 "$RUNS"); do
    if (( r % 2 == 1 )); then run_consume "$r"; run_window "$r"
    else run_window "$r"; run_consume "$r"; fi
done
log "upserts, $RUNS runs each: $((UPSERT_ROWS / BATCH_ROWS)) batches of $BATCH_ROWS rows"
for r in $(seq 1 "$RUNS"); do
    if (( r % 2 == 1 )); then run_upsert_c "$r"; run_upsert_swift "$r"
    else run_upsert_swift "$r"; run_upsert_c "$r"; fi
done

# ---------------------------------------------------------------- table
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$WORK/runs" | median; }
every() { awk -v k="$1" '$1 == k { printf "%s%.0f (%.2f)", sep, $3, $4; sep = ", " }' "$WORK/runs"; }
cpu_or_na() { awk -v v="$1" 'BEGIN { if (v < 0) print "n/a"; else printf "%.2f", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
target() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? "yes" : "**no**") }'; }

c_rate=$(column consume 3); c_cpu=$(column consume 4)
w_rate=$(column window 3); w_cpu=$(column window 4); w_server=$(column window 5)
w_rows=$(column window 7); w_checkpoints=$(column window 8); w_tail=$(column window 9)
i_rate=$(column window-in 3); i_cpu=$(column window-in 4)
uc_rate=$(column upsert-c 3); uc_cpu=$(column upsert-c 4); uc_server=$(column upsert-c 5)
us_rate=$(column upsert-s 3); us_cpu=$(column upsert-s 4); us_server=$(column upsert-s 5)

revision=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git -C "$ROOT" status --porcelain -- Sources 2>/dev/null)" ]]; then revision+=" + uncommitted changes"; fi
{
    echo "### Kafka → 1-minute tumbling window → PostgreSQL"
    echo
    echo "$COUNT clicks (10,000 pages, event time 0.3 ms apart with up to 300 ms disorder: $(awk -v n="$COUNT" 'BEGIN { printf "%.0f", n * 0.3 / 60000 }')+ one-minute windows),"
    echo "8 partitions, \`streamz dev-broker\` (librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?') mock cluster) on loopback, lz4;"
    echo "consumer properties \`${CONSUMER_PROPS:-none}\` for both. Window: views = count, total = sum, top = max per (page, minute),"
    echo "grace 5 s, maxOutOfOrder 1 s, final mode, checkpointInterval ${CHECKPOINT_MS} ms, flushRows ${FLUSH_ROWS}."
    echo "Median of $RUNS runs each, alternating, every run with a fresh group (window: fresh pipeline and table)."
    echo "consume: first record → COUNT-th; window: first record → the checkpoint COMMIT covering the COUNT-th record."
    echo "CPU is the client process's user+sys (getrusage) over the span; the PostgreSQL backend's from /proc/PID/schedstat."
    echo "$(cat "$WORK/pg-context" 2>/dev/null || echo 'PostgreSQL'). Streamz at $revision; $(nproc) cores."
    echo
    echo "| | msgs/s | CPU-s per 1M (client) | PostgreSQL CPU-s per 1M | vs consume | ≥ 200k/s |"
    echo "|---|---:|---:|---:|---:|:---:|"
    printf '| consume only (KafkaSource → sink {}) | %.0f | %.2f | | | |\n' "$c_rate" "$c_cpu"
    printf '| window → PostgreSQL, until checkpointed | %.0f | %.2f | %s | %s | %s |\n' "$w_rate" "$w_cpu" \
        "$(cpu_or_na "$w_server")" "$(ratio "$w_rate" "$c_rate")" "$(target "$w_rate" 200000)"
    printf '| window, records in (first → COUNT-th) | %.0f | %.2f | | %s | |\n' "$i_rate" "$i_cpu" "$(ratio "$i_rate" "$c_rate")"
    echo
    printf 'Window runs: median %.0f rows in %.0f checkpoints within the span (the last windows stay open until the end-of-run close, out of the span);\n' \
        "$w_rows" "$w_checkpoints"
    printf 'median %.0f ms from the COUNT-th record to the COMMIT of the checkpoint covering it (up to one checkpointInterval, then the write).\n' "$w_tail"
    echo
    echo "### Aggregate upserts: $BATCH_ROWS-row batches, one transaction each, every row conflicting (ON CONFLICT DO UPDATE)"
    echo
    echo "$((UPSERT_ROWS / BATCH_ROWS)) batches per run, the first warm-up; median batch rate (parameters built → COMMIT), median of $RUNS runs."
    echo
    echo "| | rows/s | client CPU-s per 1M rows | PostgreSQL CPU-s per 1M rows | vs C | ≥ 50k/s |"
    echo "|---|---:|---:|---:|---:|:---:|"
    printf '| C libpq, unnest (Benchmarks/c/pq_batch.c) | %.0f | %.2f | %s | | |\n' "$uc_rate" "$uc_cpu" "$(cpu_or_na "$uc_server")"
    printf '| Streamz WindowTable.upsertSQL (PostgresClient) | %.0f | %.2f | %s | %s | %s |\n' "$us_rate" "$us_cpu" \
        "$(cpu_or_na "$us_server")" "$(ratio "$us_rate" "$uc_rate")" "$(target "$us_rate" 50000)"
    echo
    echo "Every run (rate, client CPU-s per 1M):"
    echo
    echo "- consume: $(every consume)"
    echo "- window, until checkpointed: $(every window); tail ms: $(awk '$1 == "window" { printf "%s%s", sep, $9; sep = ", " }' "$WORK/runs")"
    echo "- window, records in: $(every window-in)"
    echo "- upsert, C: $(every upsert-c)"
    echo "- upsert, Streamz: $(every upsert-s)"
} | tee "$WORK/table.md"
if [[ -n "$RESULT" ]]; then cp "$WORK/table.md" "$RESULT"; log "wrote $RESULT"; fi
