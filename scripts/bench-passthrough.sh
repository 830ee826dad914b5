#!/usr/bin/env bash
# Usage: scripts/bench-passthrough.sh [RESULT.md]
#
# Kafka passthrough, Streamz against raw librdkafka C, in the same run on the same
# broker: KafkaSource(in) → sinkToKafka(out) (Benchmarks/Sources/StreamzPassthrough)
# versus Benchmarks/c/passthrough.c (rd_kafka_consumer_poll → rd_kafka_produce).
# Both get the same librdkafka properties; the C program also mirrors what StreamzKafka
# sets itself (manual commits, enable.idempotence=true, linger.ms=5,
# partitioner=murmur2_random).
#
# Steps: build (release) the `streamz` binary, StreamzPassthrough and the C program;
# start `streamz dev-broker` (librdkafka's mock cluster on 127.0.0.1; stopped on exit);
# fill topic `in` (4 partitions) with COUNT records of SIZE bytes (lz4, so that the
# mock's 5 MiB-per-partition retention keeps them all: checked); then for each setting
# run C and Swift RUNS times each, alternating which goes first, every run with its own
# group and output topic. Each run is timed from its first consumed record to its last
# delivery report. Prints a markdown table of medians (and every run), and writes it to
# RESULT.md too when given.
#
# Environment: COUNT (2000000), SIZE (60), RUNS (3), SWIFT (swift), CC (cc),
# PASS_TIMEOUT (300 s per run), STREAMZ_MAX_IN_FLIGHT_RECORDS / _BYTES (the Swift
# source's bounds, 200000 / 256 MiB by default).
#
# Builds go to Benchmarks/.build only: the `streamz` product is built through the
# Benchmarks package (which depends on the root package by path), so this never takes
# the root package's .build lock or changes its artifacts.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/Benchmarks
SWIFT=${SWIFT:-swift}
CC=${CC:-cc}
COUNT=${COUNT:-2000000}
SIZE=${SIZE:-60}
RUNS=${RUNS:-3}
RESULT=${1:-}

BENCH_NAME=bench-passthrough
# shellcheck source=scripts/bench-lib.sh
source "$ROOT/scripts/bench-lib.sh"

[[ "$COUNT" =~ ^[0-9]+$ && "$SIZE" =~ ^[0-9]+$ && "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "COUNT, SIZE and RUNS must be whole numbers"

# Settings: a name, then the key=value properties given to both clients.
SETTING_NAMES=("librdkafka defaults" "queued.min.messages=1000000")
SETTING_PROPS=("" "queued.min.messages=1000000")

# ---------------------------------------------------------------- build
log "building (release)"
(cd "$BENCH" && "$SWIFT" build -c release --product streamz >&2)
(cd "$BENCH" && "$SWIFT" build -c release --product StreamzPassthrough >&2)
BIN=$(cd "$BENCH" && "$SWIFT" build -c release --show-bin-path)
STREAMZ=$BIN/streamz
SWIFT_PASS=$BIN/StreamzPassthrough
mkdir -p "$BENCH/.build/c"
C_PASS=$BENCH/.build/c/passthrough
"$CC" -O2 -o "$C_PASS" "$BENCH/c/passthrough.c" -lrdkafka

# ---------------------------------------------------------------- broker
make_work

topics=(--topic in:4)
for s in "${!SETTING_NAMES[@]}"; do
    for r in $(seq 1 "$RUNS"); do
        topics+=(--topic "out-c-$s-$r:4" --topic "out-s-$s-$r:4")
    done
done
start_broker "${topics[@]}"

# ---------------------------------------------------------------- input
log "producing $COUNT records of $SIZE bytes to 'in'"
"$C_PASS" produce "$BOOTSTRAP" in "$COUNT" "$SIZE" >"$WORK/produce.json" \
    || { cat "$WORK/produce.json" >&2; die "the input was not fully retained (mock retention: 5 MiB or 100,000 message sets per partition)"; }
log "produced: $(cat "$WORK/produce.json")"

# ---------------------------------------------------------------- runs
# One line per run in $WORK/runs: setting-index client run msgs_per_s cpu_s_per_million seconds
field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" <<<"$2"; }

run_one() {  # setting-index client run
    local s=$1 client=$2 r=$3 json props=()
    read -r -a props <<<"${SETTING_PROPS[$s]}"
    local group="bench-$client-$s-$r" out="out-$client-$s-$r"
    if [[ "$client" == c ]]; then
        json=$(PASS_TIMEOUT=${PASS_TIMEOUT:-300} "$C_PASS" pass "$BOOTSTRAP" in "$out" "$group" "$COUNT" "${props[@]}" 2>>"$WORK/runs.err") \
            || { tail -n 5 "$WORK/runs.err" >&2; die "C pass failed ($client, setting $s, run $r)"; }
    else
        json=$(PASS_TIMEOUT=${PASS_TIMEOUT:-300} "$SWIFT_PASS" "$BOOTSTRAP" in "$out" "$group" "$COUNT" "${props[@]}" 2>>"$WORK/runs.err") \
            || { tail -n 5 "$WORK/runs.err" >&2; die "Swift pass failed ($client, setting $s, run $r)"; }
    fi
    [[ "$(field msgs "$json")" == "$COUNT" ]] || die "unexpected result: $json"
    log "  ${SETTING_NAMES[$s]} / $client / run $r: $json"
    log "    $(grep 'by thread' "$WORK/runs.err" | tail -n 1 | sed -E 's/^[A-Za-z]+: //; s/ [^ ]+\/[0-9]+=0\.0[0-9]\(sys 0\.0[0-9]\)//g')"
    echo "$s $client $r $(field msgs_per_s "$json") $(field cpu_s_per_million "$json") $(field seconds "$json")" >>"$WORK/runs"
}

: >"$WORK/runs"
for s in "${!SETTING_NAMES[@]}"; do
    log "setting: ${SETTING_NAMES[$s]}"
    for r in $(seq 1 "$RUNS"); do
        if (( r % 2 == 1 )); then run_one "$s" c "$r"; run_one "$s" s "$r"
        else run_one "$s" s "$r"; run_one "$s" c "$r"; fi
    done
done

# ---------------------------------------------------------------- table
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { awk -v s="$1" -v c="$2" -v k="$3" '$1 == s && $2 == c { print $k }' "$WORK/runs"; }

revision=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git -C "$ROOT" status --porcelain -- Sources/Streamz Sources/StreamzKafka 2>/dev/null)" ]]; then revision+=" + uncommitted changes"; fi
{
    echo "### Kafka passthrough: Streamz vs raw librdkafka C"
    echo
    echo "$COUNT records of $SIZE bytes, 4 partitions, \`streamz dev-broker\` (librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?') mock cluster) on loopback;"
    echo "median of $RUNS runs each, C and Swift alternating, timed from the first consumed record to the last delivery."
    echo "CPU is the client process's user+sys (getrusage) over the same span. Streamz at $revision; $(nproc) cores."
    echo
    echo "| setting | client | msgs/s | CPU-s per 1M | Swift/C |"
    echo "|---|---|---:|---:|---:|"
    for s in "${!SETTING_NAMES[@]}"; do
        c_rate=$(column "$s" c 4 | median); s_rate=$(column "$s" s 4 | median)
        c_cpu=$(column "$s" c 5 | median); s_cpu=$(column "$s" s 5 | median)
        ratio=$(awk -v a="$s_rate" -v b="$c_rate" 'BEGIN { printf "%.0f%%", 100 * a / b }')
        printf '| %s | C (librdkafka) | %.0f | %.2f | |\n' "${SETTING_NAMES[$s]}" "$c_rate" "$c_cpu"
        printf '| %s | Streamz | %.0f | %.2f | %s |\n' "${SETTING_NAMES[$s]}" "$s_rate" "$s_cpu" "$ratio"
    done
    echo
    echo "Every run (msgs/s, CPU-s per 1M):"
    echo
    for s in "${!SETTING_NAMES[@]}"; do
        for client in c s; do
            name=$([[ $client == c ]] && echo C || echo Streamz)
            runs=$(awk -v s="$s" -v c="$client" '$1 == s && $2 == c { printf "%s%.0f (%.2f)", sep, $4, $5; sep = ", " }' "$WORK/runs")
            echo "- ${SETTING_NAMES[$s]}, $name: $runs"
        done
    done
} | tee "$WORK/table.md"
if [[ -n "$RESULT" ]]; then cp "$WORK/table.md" "$RESULT"; log "wrote $RESULT"; fi
