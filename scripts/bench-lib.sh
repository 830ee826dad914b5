# shellcheck shell=bash
# Helpers shared by the scripts/bench-*.sh benchmarks (sourced, not run).
# The caller sets BENCH_NAME (log prefix) and ROOT before sourcing, and gets:
#   log, die, field JSON KEY, median (stdin), build_tools (sets STREAMZ, C_PASS, CLICKS),
#   start_broker TOPIC... (sets BOOTSTRAP, BROKER_PID; WORK must exist),
#   start_streamz CONFIG LOG (sets STREAMZ_PID), stop_pid PID, cleanup_bench (for traps),
#   make_work (sets WORK), config_head GROUP, enrich_config.

BENCH=$ROOT/Benchmarks
SWIFT=${SWIFT:-swift}
CC=${CC:-cc}

log() { echo "$BENCH_NAME: $*" >&2; }
die() { log "$*"; exit 1; }

# field JSON KEY: the number after "KEY": in a one-line JSON object.
field() { sed -n "s/.*\"$2\": \(-\{0,1\}[0-9.]*\).*/\1/p" <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Release builds through Benchmarks/ only (never the root package's .build), and the C tools.
build_tools() {
    log "building (release): streamz, Benchmarks/c/passthrough.c, Benchmarks/c/clicks.c"
    (cd "$BENCH" && "$SWIFT" build -c release --product streamz >&2) || die "swift build of streamz failed"
    local bin
    bin=$(cd "$BENCH" && "$SWIFT" build -c release --show-bin-path)
    STREAMZ=$bin/streamz
    mkdir -p "$BENCH/.build/c"
    C_PASS=$BENCH/.build/c/passthrough
    CLICKS=$BENCH/.build/c/clicks
    "$CC" -O2 -o "$C_PASS" "$BENCH/c/passthrough.c" -lrdkafka || die "cc passthrough.c failed"
    "$CC" -O2 -o "$CLICKS" "$BENCH/c/clicks.c" -lrdkafka -lpthread || die "cc clicks.c failed"
}

BROKER_PID=
STREAMZ_PID=
EXTRA_PIDS=()

stop_pid() {  # PID: SIGTERM, up to 15 s, then SIGKILL
    local pid=$1
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    log "pid $pid did not stop within 15 s of SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup_bench() {
    local pid
    for pid in "${EXTRA_PIDS[@]}"; do stop_pid "$pid"; done
    stop_pid "$STREAMZ_PID"
    stop_pid "$BROKER_PID"
    [[ -n "${WORK:-}" && -d "$WORK" ]] && rm -rf "$WORK"
    return 0
}

start_broker() {  # --topic NAME:PARTITIONS ...
    "$STREAMZ" dev-broker "$@" >"$WORK/broker.out" 2>"$WORK/broker.err" &
    BROKER_PID=$!
    BOOTSTRAP=
    for _ in $(seq 1 300); do
        if [[ -s "$WORK/broker.out" ]]; then
            BOOTSTRAP=$(head -n 1 "$WORK/broker.out")
            break
        fi
        kill -0 "$BROKER_PID" 2>/dev/null || { cat "$WORK/broker.err" >&2; die "dev-broker exited"; }
        sleep 0.1
    done
    [[ -n "$BOOTSTRAP" ]] || die "dev-broker printed no bootstrap address within 30 s"
    [[ "$BOOTSTRAP" =~ ^127\.0\.0\.1:[0-9]+$ ]] || die "dev-broker is not on loopback: $BOOTSTRAP"
    log "broker on $BOOTSTRAP (pid $BROKER_PID)"
}

start_streamz() {  # CONFIG LOG
    local migrations=()
    [[ -d "$ROOT/migrations" ]] && migrations=(--migrations "$ROOT/migrations")
    "$STREAMZ" run --config "$1" --http-host 127.0.0.1 "${migrations[@]}" --log-level notice 2>"$2" &
    STREAMZ_PID=$!
    sleep 0.2
    kill -0 "$STREAMZ_PID" 2>/dev/null || { tail -n 20 "$2" >&2; die "streamz run exited at once (config $1)"; }
}

# WORK, a temporary directory removed on exit with everything the benchmark started.
make_work() {
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH_NAME.XXXXXX")
    trap cleanup_bench EXIT
    trap 'exit 130' INT TERM
}

# kafka.properties as YAML flow mapping entries from "k=v k=v".
yaml_properties() {
    local pair sep="" out=""
    for pair in $1; do
        out+="$sep\"${pair%%=*}\": \"${pair#*=}\""
        sep=", "
    done
    echo "{$out}"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

revision() {
    local rev
    rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n "$(git -C "$ROOT" status --porcelain -- Sources 2>/dev/null)" ]]; then rev+=" + uncommitted changes"; fi
    echo "$rev"
}

# The top of every benchmark config: $BOOTSTRAP, the group, $properties (the caller's
# librdkafka properties as YAML), HTTP off. The pipelines follow.
config_head() {  # group
    cat <<EOF
kafka:
  bootstrap_servers: "$BOOTSTRAP"
  group_id: $1
  properties: $properties
http:
  port: 0
EOF
}

# The README's `enrich` pipeline, taken from docker/pipeline.yaml (so the benchmarks
# measure what users read) and moved onto the given topics (see config_head).
enrich_config() {  # group input-topic output-topic dead-letter-topic [sink-extra, e.g. ", headers: drop"]
    local pipeline
    pipeline=$(awk '/^  - name: / { on = ($0 == "  - name: enrich") } on' "$ROOT/docker/pipeline.yaml" \
        | sed -e "s/topics: \[clicks\]/topics: [$2]/" -e "s/{topic: clicks-enriched,\(.*\)}/{topic: $3,\1${5:-}}/" \
              -e "s/{topic: clicks-dlq}/{topic: $4}/")
    # A reshaped example must fail here, not benchmark the wrong topics.
    for expected in "topics: [$2]" "{topic: $3," "{topic: $4}" "start: earliest" ${5:+"$5}"}; do
        grep -qF -- "$expected" <<<"$pipeline" || die "docker/pipeline.yaml: the enrich pipeline has no '$expected' after rewriting"
    done
    config_head "$1"
    echo "pipelines:"
    echo "$pipeline"
}
