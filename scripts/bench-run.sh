#!/usr/bin/env bash
# Usage: scripts/bench-run.sh [OUTDIR]
#
# The real `streamz run` binary (release) on a click stream, beside the raw librdkafka
# C passthrough (Benchmarks/c/passthrough.c) on the same input topic of the same broker,
# in the same run:
#
#   c        passthrough pass: every record of `clicks` copied to its own output topic
#            (the C baseline; same librdkafka properties as streamz)
#   ch       passthrough pass-headers: the same, forwarding each record's headers as
#            enrich's sink does (the C baseline for enrich as configured)
#   enrich   `streamz run` with the README's `enrich` pipeline: json source with event
#            time, filter `value > 10 && page != '/health'`, map {user, page,
#            value2: value * 2, ts}, Kafka sink keyed by user, dead_letter topic
#   enrichd  the same with the sink's `headers: drop`, like-for-like with c, which
#            copies no headers: librdkafka 2.0.2 allocates to parse a consumed
#            message's headers even when it has none, so forwarding costs even then
#   bytes    `streamz run` with a plain passthrough pipeline (format: bytes, no steps,
#            Kafka sink keeping the input key, headers: drop, as c copies none): the
#            service's own overhead on top of librdkafka, like-for-like with c
#   enrich2  scale-out: two `streamz run` processes with the enrich config in one
#            consumer group (Kafka splits the 8 partitions), against one (enrich);
#            msgs/s only (CPU and RSS are one process's)
#   window   `streamz run` with a 1 s tumbling window per user, {n: count(),
#            total: sum(value)}, emit final, Kafka sink (window state and offsets
#            checkpointed to PostgreSQL, which a window pipeline needs)
#
# Input: COUNT JSON clicks over 8 partitions plus one sentinel per partition, made by
# `Benchmarks/c/clicks.c produce` (see there: 1000 users, ts 0.1 ms apart, so 10,000
# clicks per second of event time; 11% filtered out by value, 5% by page; the
# sentinels' ts lies 10 s past the data, so every data window closes).
#
# Timing, identical for all and done from the outside by `clicks watch` (no
# hook in the measured process): every POLL_MS it sums the output topic's high
# watermarks (ListOffsets to the broker) and reads the process's /proc/PID/stat. The
# span runs from the first output record to the last expected one (each instant the
# midpoint of the polls around it); CPU is the process's utime+stime over that span;
# peak RSS is its VmHWM at the end of the span (start-up included). msgs/s counts input
# records: for c and enrich every input record falls in the span (up to the first
# record's own latency); a window's first row can only appear once a full second of
# event time has been read (K records, printed by `clicks produce`), so its rate is
# (records - K) / span. passthrough also times itself (first consumed → last
# delivery report, getrusage): shown beside, as a check of the outside method.
#
# Writes OUTDIR/run.md (markdown section), OUTDIR/run.vars (medians, KEY=VALUE) and
# OUTDIR/run-runs.txt (every run); without OUTDIR, only prints the section.
#
# Without DATABASE_URL it re-runs itself under scripts/with-postgres.sh.
#
# Environment: COUNT (1000000), RUNS (3), KAFKA_PROPS (librdkafka properties for both
# streamz and C: "queued.min.messages=1000000"), POLL_MS (5), RUN_TIMEOUT (300 s per
# run), SWIFT, CC.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_NAME=bench-run
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"

if [[ -z "${DATABASE_URL:-}" ]]; then
    [[ -z "${BENCH_RUN_REEXEC:-}" ]] || die "with-postgres.sh did not set DATABASE_URL"
    export BENCH_RUN_REEXEC=1
    exec bash "$ROOT/scripts/with-postgres.sh" bash "${BASH_SOURCE[0]}" "$@"
fi

COUNT=${COUNT:-1000000}
RUNS=${RUNS:-3}
KAFKA_PROPS=${KAFKA_PROPS-"queued.min.messages=1000000"}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
export POLL_MS=${POLL_MS:-5}
OUTDIR=${1:-}
PARTITIONS=8

[[ "$COUNT" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "COUNT and RUNS must be whole numbers"
db_host=$(sed -E 's#^[a-z]+://([^@/]*@)?(\[[^]]*\]|[^:/?]*).*#\2#' <<<"$DATABASE_URL")
[[ "$db_host" =~ ^(127\.[0-9.]+|localhost|\[::1\]|)$ ]] || die "DATABASE_URL is not on loopback: $db_host"
[[ -z "$OUTDIR" ]] || mkdir -p "$OUTDIR"
read -r -a PROPS <<<"$KAFKA_PROPS"

build_tools

make_work

topics=(--topic "clicks:$PARTITIONS" --topic "clicks-dlq:$PARTITIONS")
for r in $(seq 1 "$RUNS"); do
    topics+=(--topic "out-c-$r:$PARTITIONS" --topic "out-ch-$r:$PARTITIONS" --topic "out-bytes-$r:$PARTITIONS" --topic "out-enrich-$r:$PARTITIONS" --topic "out-enrichd-$r:$PARTITIONS" --topic "out-enrich2-$r:$PARTITIONS" --topic "out-window-$r:$PARTITIONS")
done
start_broker "${topics[@]}"

log "producing $COUNT clicks to 'clicks' ($PARTITIONS partitions, lz4) and checking they are all retained"
"$CLICKS" produce "$BOOTSTRAP" clicks "$COUNT" >"$WORK/produce.json" 2>"$WORK/produce.err" \
    || { cat "$WORK/produce.err" "$WORK/produce.json" >&2; die "producing the input failed or it was not fully retained"; }
PRODUCED=$(cat "$WORK/produce.json")
log "produced: $PRODUCED"
TOTAL=$(field "$PRODUCED" produced)
ENRICH_OUT=$(field "$PRODUCED" enrich_out)
WINDOW_ROWS=$(field "$PRODUCED" window_rows)
FIRST_CLOSE=$(field "$PRODUCED" first_close_records)

# One line per run in $WORK/runs:
#   kind run msgs_per_s cpu_s_per_million seconds vmhwm_kb wait_for_first_s poll_ms_avg final_out
: >"$WORK/runs"
record() {  # kind run records-in-span watch-json
    local kind=$1 r=$2 n=$3 json=$4 seconds cpu
    seconds=$(field "$json" seconds)
    cpu=$(field "$json" cpu_s)
    awk -v k="$kind" -v r="$r" -v n="$n" -v s="$seconds" -v c="$cpu" -v h="$(field "$json" vmhwm_kb)" \
        -v w="$(field "$json" wait_for_first_s)" -v p="$(field "$json" poll_ms_avg)" -v f="$(field "$json" final_out)" \
        'BEGIN { printf "%s %s %.0f %.3f %.4f %s %s %s %s\n", k, r, n / s, c * 1e6 / n, s, h, w, p, f }' >>"$WORK/runs"
    log "  $kind / run $r: $(tail -n 1 "$WORK/runs" | awk '{ printf "%s msgs/s, %s CPU-s per 1M, %s s, VmHWM %.0f MiB", $3, $4, $5, $6 / 1024 }')"
}

watch_pid() {  # out-topic expected pid → prints watch JSON
    "$CLICKS" watch "$BOOTSTRAP" "$1" "$2" "$3" "$RUN_TIMEOUT" 2>>"$WORK/watch.err"
}

run_c() {  # run [kind: c (pass) | ch (pass-headers)]
    local r=$1 kind=${2:-c} mode=pass json self pid
    [[ $kind == c ]] || mode=pass-headers
    PASS_TIMEOUT=$RUN_TIMEOUT "$C_PASS" "$mode" "$BOOTSTRAP" clicks "out-$kind-$r" "bench-$kind-$r" "$TOTAL" "${PROPS[@]}" \
        >"$WORK/$kind-$r.json" 2>"$WORK/$kind-$r.err" &
    pid=$!
    EXTRA_PIDS=("$pid")
    json=$(watch_pid "out-$kind-$r" "$TOTAL" "$pid") || { tail -n 5 "$WORK/$kind-$r.err" "$WORK/watch.err" >&2; die "C $mode run $r failed"; }
    wait "$pid" || { tail -n 5 "$WORK/$kind-$r.err" >&2; die "C $mode run $r exited with an error"; }
    EXTRA_PIDS=()
    self=$(cat "$WORK/$kind-$r.json")
    log "  $kind / run $r: watch $json; self-timed $self"
    record "$kind" "$r" "$TOTAL" "$json"
    echo "$kind-self $r $(field "$self" msgs_per_s) $(field "$self" cpu_s_per_million) $(field "$self" seconds) -1 -1 -1 -1" >>"$WORK/runs"
}

run_streamz() {  # kind run config out-topic expected records-in-span
    local kind=$1 r=$2 config=$3 out=$4 expected=$5 n=$6 json
    start_streamz "$config" "$WORK/$kind-$r.log"
    json=$(watch_pid "$out" "$expected" "$STREAMZ_PID") \
        || { tail -n 20 "$WORK/$kind-$r.log" "$WORK/watch.err" >&2; die "streamz $kind run $r failed"; }
    stop_pid "$STREAMZ_PID"
    STREAMZ_PID=
    [[ -z "$OUTDIR" ]] || { mkdir -p "$OUTDIR/run-logs"; cp "$WORK/$kind-$r.log" "$config" "$OUTDIR/run-logs/"; }
    log "  $kind / run $r: watch $json (load average $(load1))"
    if grep -qiE ' (error|critical) ' "$WORK/$kind-$r.log"; then
        log "  streamz logged errors in $kind run $r:"; grep -iE ' (error|critical) ' "$WORK/$kind-$r.log" | head -n 5 >&2
    fi
    record "$kind" "$r" "$n" "$json"
}

properties=$(yaml_properties "$KAFKA_PROPS")

run_enrich() {  # run
    local r=$1
    enrich_config "bench-enrich-$r" clicks "out-enrich-$r" clicks-dlq >"$WORK/enrich-$r.yaml"
    run_streamz enrich "$r" "$WORK/enrich-$r.yaml" "out-enrich-$r" "$ENRICH_OUT" "$TOTAL"
}

run_enrichd() {  # run
    local r=$1
    enrich_config "bench-enrichd-$r" clicks "out-enrichd-$r" clicks-dlq ", headers: drop" >"$WORK/enrichd-$r.yaml"
    run_streamz enrichd "$r" "$WORK/enrichd-$r.yaml" "out-enrichd-$r" "$ENRICH_OUT" "$TOTAL"
}

# The mock cluster's group coordinator (librdkafka 2.0.2) answers a follower's SyncGroup
# that arrives after the leader's with INVALID_REQUEST (a starved process is late), and
# the member's rejoin then holds the whole group for session.timeout.ms - 1 s before it
# completes (a real broker completes as soon as every member has rejoined). With the
# 45 s default one such run measured 22k msgs/s and 300k duplicates, so the replicas
# use 6 s, as the tests do; a run that still rebalances shows up as duplicates below.
run_enrich2() {  # run: a second replica in the group, then the measured one
    local r=$1 second properties  # config_head reads this properties
    properties=$(yaml_properties "$KAFKA_PROPS session.timeout.ms=6000")
    enrich_config "bench-enrich2-$r" clicks "out-enrich2-$r" clicks-dlq >"$WORK/enrich2-$r.yaml"
    start_streamz "$WORK/enrich2-$r.yaml" "$WORK/enrich2-$r-second.log"
    second=$STREAMZ_PID
    EXTRA_PIDS=("$second")
    run_streamz enrich2 "$r" "$WORK/enrich2-$r.yaml" "out-enrich2-$r" "$ENRICH_OUT" "$TOTAL"
    kill -0 "$second" 2>/dev/null || log "  enrich2 / run $r: the second replica had exited before the end of the run"
    stop_pid "$second"
    EXTRA_PIDS=()
    [[ -z "$OUTDIR" ]] || cp "$WORK/enrich2-$r-second.log" "$OUTDIR/run-logs/"
}

run_bytes() {  # run
    local r=$1
    { config_head "bench-bytes-$r"; cat <<EOF; } >"$WORK/bytes-$r.yaml"
pipelines:
  - name: passthrough
    source:
      topics: [clicks]
      format: bytes
      start: earliest
    sink:
      kafka: {topic: out-bytes-$r, headers: drop}
EOF
    run_streamz bytes "$r" "$WORK/bytes-$r.yaml" "out-bytes-$r" "$TOTAL" "$TOTAL"
}

run_window() {  # run
    local r=$1
    { config_head "bench-window-$r"; cat <<EOF; } >"$WORK/window-$r.yaml"
postgres:
  url: "\${DATABASE_URL}"
pipelines:
  - name: clicks_per_user_$r
    source:
      topics: [clicks]
      format: json
      start: earliest
      event_time: {field: ts, unit: ms}
      watermark: {max_out_of_order: 0s}
    steps:
      - window:
          kind: tumbling
          size: 1s
          grace: 0s
          key: [user]
          aggregate: {n: "count()", total: "sum(value)"}
          emit: final
    sink:
      kafka: {topic: out-window-$r}
    dead_letter: {topic: clicks-dlq}
EOF
    run_streamz window "$r" "$WORK/window-$r.yaml" "out-window-$r" "$WINDOW_ROWS" "$((TOTAL - FIRST_CLOSE))"
}

log "$RUNS runs each of C passthrough (plain and forwarding headers), streamz bytes passthrough, enrich (headers forwarded and dropped) and window, alternating (properties: ${KAFKA_PROPS:-none})"
for r in $(seq 1 "$RUNS"); do
    if (( r % 2 == 1 )); then run_c "$r"; run_bytes "$r"; run_enrich "$r"; run_c "$r" ch; run_enrichd "$r"; run_enrich2 "$r"; run_window "$r"
    else run_window "$r"; run_enrich2 "$r"; run_enrichd "$r"; run_c "$r" ch; run_enrich "$r"; run_bytes "$r"; run_c "$r"; fi
done

# ---------------------------------------------------------------- results
col() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$WORK/runs" | median; }
every() { awk -v k="$1" '$1 == k { printf "%s%s (%.2f)", sep, $3, $4; sep = ", " }' "$WORK/runs"; }
mib() { awk -v v="$1" 'BEGIN { printf "%.0f", v / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }

c_rate=$(col c 3); c_cpu=$(col c 4); c_hwm=$(col c 6); c_self=$(col c-self 3); c_self_cpu=$(col c-self 4)
ch_rate=$(col ch 3); ch_cpu=$(col ch 4); ch_hwm=$(col ch 6)
b_rate=$(col bytes 3); b_cpu=$(col bytes 4); b_hwm=$(col bytes 6)
e_rate=$(col enrich 3); e_cpu=$(col enrich 4); e_hwm=$(col enrich 6); e_wait=$(col enrich 7)
ed_rate=$(col enrichd 3); ed_cpu=$(col enrichd 4); ed_hwm=$(col enrichd 6)
e2_rate=$(col enrich2 3)
w_rate=$(col window 3); w_cpu=$(col window 4); w_hwm=$(col window 6); w_wait=$(col window 7)
poll=$(awk '$1 !~ /-self$/ { print $8 }' "$WORK/runs" | median)
dups=$(awk '$1 !~ /-self$/ && $9 > 0 { print $1, $2, $9 }' "$WORK/runs" | while read -r k r f; do
    case $k in c|ch|bytes) e=$TOTAL ;; enrich|enrichd|enrich2) e=$ENRICH_OUT ;; window) e=$WINDOW_ROWS ;; esac
    (( f > e )) && echo "$k run $r: $f output records for $e expected"; done || true)

{
    echo "### \`streamz run\`: passthrough, topic-to-topic JSON filter+map and 1 s tumbling window, beside raw C"
    echo
    echo "$COUNT JSON clicks (+ $PARTITIONS sentinels) over $PARTITIONS partitions on \`streamz dev-broker\` (librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?') mock cluster, loopback, lz4),"
    echo "e.g. \`{\"user\":\"u17\",\"page\":\"/home\",\"value\":42,\"ts\":1700000000000}\`; 1000 users, 10,000 clicks per second of event time."
    echo "Same input topic, same broker, same librdkafka properties (\`${KAFKA_PROPS:-none}\`) for all; every run with its own group and output topic;"
    echo "median of $RUNS runs each, all alternating. Timed from the outside (\`Benchmarks/c/clicks.c watch\`, polling the output"
    echo "topic's high watermarks and /proc/PID/stat every ${POLL_MS} ms, median poll $(printf '%.2f' "$poll") ms): first output record → last expected output record."
    echo "CPU = the process's utime+stime over that span; peak RSS = its VmHWM (start-up included)."
    echo "The window's span starts with its first row, which needs a second of event time read first: its rate counts the $((TOTAL - FIRST_CLOSE)) records after those."
    echo "Streamz at $(revision); $(nproc) cores."
    echo
    echo "| | msgs/s | CPU-s per 1M | peak RSS (VmHWM) | vs C passthrough | output records |"
    echo "|---|---:|---:|---:|---:|---:|"
    printf '| C passthrough (librdkafka, %s) | %.0f | %.2f | %s MiB | | %s |\n' "same properties" "$c_rate" "$c_cpu" "$(mib "$c_hwm")" "$TOTAL"
    printf '| C passthrough forwarding headers (what enrich'"'"'s sink does; every input record is asked for its headers) | %.0f | %.2f | %s MiB | %s | %s |\n' "$ch_rate" "$ch_cpu" "$(mib "$ch_hwm")" "$(ratio "$ch_rate" "$c_rate")" "$TOTAL"
    printf '| streamz run: passthrough (format bytes, no steps, headers: drop) | %.0f | %.2f | %s MiB | %s | %s |\n' "$b_rate" "$b_cpu" "$(mib "$b_hwm")" "$(ratio "$b_rate" "$c_rate")" "$TOTAL"
    printf '| streamz run: enrich (JSON filter + map → Kafka, DLQ) | %.0f | %.2f | %s MiB | %s | %s |\n' "$e_rate" "$e_cpu" "$(mib "$e_hwm")" "$(ratio "$e_rate" "$c_rate")" "$ENRICH_OUT"
    printf '| streamz run: enrich with headers: drop (like-for-like with C, which copies no headers) | %.0f | %.2f | %s MiB | %s | %s |\n' "$ed_rate" "$ed_cpu" "$(mib "$ed_hwm")" "$(ratio "$ed_rate" "$c_rate")" "$ENRICH_OUT"
    printf '| streamz run: enrich, 2 replicas in one group (scale-out; vs 1 replica: %s) | %.0f | – | – | %s | %s |\n' "$(ratio "$e2_rate" "$e_rate")" "$e2_rate" "$(ratio "$e2_rate" "$c_rate")" "$ENRICH_OUT"
    printf '| streamz run: 1 s tumbling count+sum per user → Kafka | %.0f | %.2f | %s MiB | %s | %s rows |\n' "$w_rate" "$w_cpu" "$(mib "$w_hwm")" "$(ratio "$w_rate" "$c_rate")" "$WINDOW_ROWS"
    echo
    printf 'Check of the outside timing: the C passthrough also times itself (first consumed → last delivery report): median %.0f msgs/s, %.2f CPU-s per 1M,\n' "$c_self" "$c_self_cpu"
    printf 'against %.0f msgs/s and %.2f from the outside (%s). The outside span leaves out the first record'"'"'s own trip (linger.ms=5 and a broker round trip), the same for every client.\n' \
        "$c_rate" "$c_cpu" "$(awk -v a="$c_rate" -v b="$c_self" 'BEGIN { printf "%+.1f%%", 100 * (a - b) / b }')"
    printf 'Start-up of streamz run until its first output record (not in the span): median %.2f s (enrich), %.2f s (window).\n' "$e_wait" "$w_wait"
    [[ -z "$dups" ]] || { echo; echo "More output than expected (at-least-once duplicates) in: $dups."; }
    echo
    echo "Every run (msgs/s (CPU-s per 1M), peak RSS):"
    echo
    for k in c c-self ch ch-self bytes enrich enrichd enrich2 window; do
        case $k in c) name="C passthrough" ;; c-self) name="C passthrough, self-timed" ;; ch) name="C passthrough forwarding headers" ;; ch-self) name="C passthrough forwarding headers, self-timed" ;; bytes) name="streamz bytes passthrough" ;; enrich) name="streamz enrich" ;; enrichd) name="streamz enrich, headers: drop" ;; enrich2) name="streamz enrich, 2 replicas" ;; window) name="streamz window" ;; esac
        echo "- $name: $(awk -v k="$k" '$1 == k { printf "%s%s (%.2f)%s", sep, $3, $4, ($6 > 0 ? sprintf(" %.0f MiB", $6 / 1024) : ""); sep = ", " }' "$WORK/runs")"
    done
} >"$WORK/section.md"
cat "$WORK/section.md"

if [[ -n "$OUTDIR" ]]; then
    cp "$WORK/section.md" "$OUTDIR/run.md"
    cp "$WORK/runs" "$OUTDIR/run-runs.txt"
    cat >"$OUTDIR/run.vars" <<EOF
run_count=$COUNT
run_runs=$RUNS
run_props="$KAFKA_PROPS"
c_rate=$c_rate
c_cpu=$c_cpu
c_hwm_kb=$c_hwm
c_self_rate=$c_self
ch_rate=$ch_rate
ch_cpu=$ch_cpu
bytes_rate=$b_rate
bytes_cpu=$b_cpu
bytes_hwm_kb=$b_hwm
enrich_rate=$e_rate
enrich_cpu=$e_cpu
enrich_hwm_kb=$e_hwm
enrichd_rate=$ed_rate
enrichd_cpu=$ed_cpu
enrich2_rate=$e2_rate
window_rate=$w_rate
window_cpu=$w_cpu
window_hwm_kb=$w_hwm
EOF
    log "wrote $OUTDIR/run.md, run.vars, run-runs.txt"
fi
