#!/usr/bin/env bash
# Usage: scripts/perf-enrich.sh [RESULT.md]
#
# The README's `enrich` pipeline (JSON clicks → filter → map → Kafka, dead letters to
# clicks-dlq) through the real `streamz run` binary, against the raw librdkafka C
# passthrough (Benchmarks/c/passthrough.c) on the same input, in the same run.
#
# Steps: build (release, through the Benchmarks package like bench-passthrough.sh)
# `streamz` and the C tools; start `streamz dev-broker`; fill `clicks` (4 partitions,
# lz4) with COUNT records like {"user":"u17","page":"/home","value":42,"ts":…}
# (Benchmarks/c/clicks.c); then for each setting (librdkafka defaults, and
# queued.min.messages=1000000) RUNS times: the C passthrough of `clicks`, and
# `streamz run` with a config holding only `enrich` (own group per run). Each Streamz
# run is timed from the outside by `clicks watch`: from the first output in
# clicks-enriched/clicks-dlq to the last expected one, with the process's CPU
# (user+sys, /proc/PID/stat) over the same span, per input record.
#
# Environment: COUNT (1000000), RUNS (3), SWIFT (swift), CC (cc), SKIP_BUILD=1,
# STREAMZ_BIN (a `streamz` binary to time instead of the one built here),
# SETTINGS ("0 1": which settings to run).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/Benchmarks
SWIFT=${SWIFT:-swift}
CC=${CC:-cc}
COUNT=${COUNT:-1000000}
RUNS=${RUNS:-3}
SETTINGS=${SETTINGS:-"0 1"}
RESULT=${1:-}

log() { echo "perf-enrich: $*" >&2; }
die() { log "$*"; exit 1; }

SETTING_NAMES=("librdkafka defaults" "queued.min.messages=1000000")
SETTING_PROPS=("" "queued.min.messages=1000000")
SETTING_YAML=("{}" "{queued.min.messages: \"1000000\"}")

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    log "building (release)"
    (cd "$BENCH" && "$SWIFT" build -c release --product streamz >&2)
fi
BIN=$(cd "$BENCH" && "$SWIFT" build -c release --show-bin-path)
STREAMZ=${STREAMZ_BIN:-$BIN/streamz}
mkdir -p "$BENCH/.build/c"
C_PASS=$BENCH/.build/c/passthrough
CLICKS=$BENCH/.build/c/clicks
"$CC" -O2 -o "$C_PASS" "$BENCH/c/passthrough.c" -lrdkafka
"$CC" -O2 -o "$CLICKS" "$BENCH/c/clicks.c" -lrdkafka

WORK=$(mktemp -d "${TMPDIR:-/tmp}/perf-enrich.XXXXXX")
BROKER_PID=
RUN_PID=
cleanup() {
    for pid in $RUN_PID $BROKER_PID; do
        if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

topics=(--topic clicks:4 --topic clicks-enriched:4 --topic clicks-dlq:4)
for s in $SETTINGS; do for r in $(seq 1 "$RUNS"); do topics+=(--topic "out-c-$s-$r:4"); done; done
"$STREAMZ" dev-broker "${topics[@]}" >"$WORK/broker.out" 2>"$WORK/broker.err" &
BROKER_PID=$!
BOOTSTRAP=
for _ in $(seq 1 300); do
    if [[ -s "$WORK/broker.out" ]]; then BOOTSTRAP=$(head -n 1 "$WORK/broker.out"); break; fi
    kill -0 "$BROKER_PID" 2>/dev/null || { cat "$WORK/broker.err" >&2; die "dev-broker exited"; }
    sleep 0.1
done
[[ "$BOOTSTRAP" =~ ^127\.0\.0\.1:[0-9]+$ ]] || die "dev-broker is not on loopback: $BOOTSTRAP"
log "broker on $BOOTSTRAP"

produced=$("$CLICKS" produce "$BOOTSTRAP" clicks "$COUNT") || die "input not fully retained: $produced"
log "produced: $produced"
EXPECTED=$(sed -n 's/.*"expected_out": \([0-9]*\).*/\1/p' <<<"$produced")

field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" <<<"$2"; }
: >"$WORK/runs"

run_c() {  # setting run
    local s=$1 r=$2 props=() json
    read -r -a props <<<"${SETTING_PROPS[$s]}"
    json=$("$C_PASS" pass "$BOOTSTRAP" clicks "out-c-$s-$r" "perf-c-$s-$r" "$COUNT" "${props[@]}" 2>>"$WORK/c.err") \
        || { tail -n 5 "$WORK/c.err" >&2; die "C pass failed"; }
    log "  ${SETTING_NAMES[$s]} / C / run $r: $json"
    echo "$s c $r $(field msgs_per_s "$json") $(field cpu_s_per_million "$json")" >>"$WORK/runs"
}

run_streamz() {  # setting run
    local s=$1 r=$2 json
    cat >"$WORK/enrich.yaml" <<EOF
kafka:
  bootstrap_servers: "$BOOTSTRAP"
  group_id: perf-$s-$r
  properties: ${SETTING_YAML[$s]}
http:
  port: $((19464 + RANDOM % 1000))
pipelines:
  - name: enrich
    source:
      topics: [clicks]
      format: json
      start: earliest
      event_time: {field: ts, unit: ms}
      watermark: {max_out_of_order: 2s, idle_timeout: 10s}
    steps:
      - filter: "value > 10 && page != '/health'"
      - map:
          user: user
          page: page
          value2: "value * 2"
          ts: ts
    sink:
      kafka: {topic: clicks-enriched, key: user}
    dead_letter: {topic: clicks-dlq}
EOF
    rm -f "$WORK/pid"
    "$CLICKS" watch "$BOOTSTRAP" "@$WORK/pid" "$COUNT" "$EXPECTED" clicks-enriched clicks-dlq >"$WORK/watch.out" 2>"$WORK/watch.err" &
    local watch_pid=$!
    sleep 0.3  # the watcher reads the base watermarks first
    "$STREAMZ" run --config "$WORK/enrich.yaml" --http-host 127.0.0.1 --log-level warning 2>>"$WORK/run.err" &
    RUN_PID=$!
    echo "$RUN_PID" >"$WORK/pid.tmp" && mv "$WORK/pid.tmp" "$WORK/pid"
    wait "$watch_pid" || { cat "$WORK/watch.err" >&2; tail -n 20 "$WORK/run.err" >&2; die "watch failed"; }
    kill -TERM "$RUN_PID"; wait "$RUN_PID" || true; RUN_PID=
    json=$(cat "$WORK/watch.out")
    log "  ${SETTING_NAMES[$s]} / Streamz enrich / run $r: $json"
    log "    $(grep 'by thread' "$WORK/watch.err" | sed 's/^clicks: //')"
    echo "$s s $r $(field msgs_per_s "$json") $(field cpu_s_per_million "$json")" >>"$WORK/runs"
}

for s in $SETTINGS; do
    log "setting: ${SETTING_NAMES[$s]}"
    for r in $(seq 1 "$RUNS"); do
        if (( r % 2 == 1 )); then run_c "$s" "$r"; run_streamz "$s" "$r"; else run_streamz "$s" "$r"; run_c "$s" "$r"; fi
    done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { awk -v s="$1" -v c="$2" -v k="$3" '$1 == s && $2 == c { print $k }' "$WORK/runs"; }
{
    echo "### enrich pipeline (streamz run) vs C passthrough"
    echo
    echo "$COUNT JSON clicks, 4 partitions, dev-broker on loopback; median of $RUNS runs; $EXPECTED outputs expected."
    echo
    echo "| setting | client | msgs/s | CPU-s per 1M | Streamz/C |"
    echo "|---|---|---:|---:|---:|"
    for s in $SETTINGS; do
        c_rate=$(column "$s" c 4 | median); s_rate=$(column "$s" s 4 | median)
        c_cpu=$(column "$s" c 5 | median); s_cpu=$(column "$s" s 5 | median)
        ratio=$(awk -v a="$s_rate" -v b="$c_rate" 'BEGIN { printf "%.0f%%", 100 * a / b }')
        printf '| %s | C passthrough | %.0f | %.2f | |\n' "${SETTING_NAMES[$s]}" "$c_rate" "$c_cpu"
        printf '| %s | Streamz enrich | %.0f | %.2f | %s |\n' "${SETTING_NAMES[$s]}" "$s_rate" "$s_cpu" "$ratio"
    done
    echo
    for s in $SETTINGS; do for c in c s; do
        echo "- ${SETTING_NAMES[$s]}, $c: $(awk -v s="$s" -v c="$c" '$1 == s && $2 == c { printf "%s%.0f (%.2f)", sep, $4, $5; sep = ", " }' "$WORK/runs")"
    done; done
} | tee "$WORK/table.md"
if [[ -n "$RESULT" ]]; then cp "$WORK/table.md" "$RESULT"; fi
