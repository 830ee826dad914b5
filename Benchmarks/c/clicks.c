/*
 * Click-stream tools for the `streamz run` benchmarks (scripts/bench-run.sh and
 * scripts/bench-latency.sh): they fill the input, observe a running pipeline from the
 * outside, and measure end-to-end latency. Raw librdkafka, so that they cost the
 * measured process nothing.
 *
 *   clicks produce BOOTSTRAP TOPIC COUNT [USERS [EVENT_RATE]]
 *       Fills TOPIC with COUNT JSON clicks, round-robin over its partitions (explicit
 *       partition), lz4:
 *         {"user":"u17","page":"/home","value":42,"ts":1700000000000}
 *       user = u(i % USERS) (USERS default 1000); page one of 20 paths, "/health" for
 *       1 in 20; value = (i * 7919) % 100 (so `value > 10` drops 11 in 100); ts (ms) =
 *       BASE + floor(i * 1000 / EVENT_RATE) (EVENT_RATE default 10000 per second of
 *       event time), BASE a whole second about an hour before now, so ts increases
 *       with i within every partition. Then one sentinel per partition
 *       ({"user":"sentinel","page":"/end","value":11,"ts":LAST+10000}): it moves every
 *       partition's watermark 10 s past the data, so every 1 s window of the data
 *       closes. Waits for every delivery and checks the broker retained everything.
 *       Prints one JSON line:
 *         {"produced": N+P, "data": N, "partitions": P, "retained": R,
 *          "enrich_out": E, "window_rows": W, "first_close_records": K, "seconds": S}
 *       E: records passing the example's filter `value > 10 && page != '/health'`
 *       (sentinels included); W: distinct (user, 1 s window) pairs of the data (the
 *       rows a 1 s tumbling window keyed by user emits once the sentinels are read);
 *       K: records in the input before the first record whose ts reaches the end of
 *       the first window (+ P - 1: every partition must get there), i.e. how much input
 *       a window pipeline has consumed, at least, when its first row can appear.
 *       Exit 3 when R < N+P (the mock's retention truncated the input).
 *
 *   clicks watch BOOTSTRAP TOPIC EXPECTED PID [TIMEOUT_S]
 *       Observes a pipeline from the outside: every POLL_MS (env, default 5) it sums the
 *       high watermarks of TOPIC's partitions (ListOffsets to the broker) and reads
 *       /proc/PID/stat (utime+stime of all PID's threads). The span starts when the sum
 *       first leaves 0 (the first output record was appended) and ends when it reaches
 *       EXPECTED; each instant is the midpoint of the two polls around the change, so
 *       it is known within ±half a poll interval (polls' own duration is reported).
 *       CPU over the span is PID's CPU at the first nonzero poll to its CPU at the
 *       final poll (clock ticks, 10 ms). PID's VmHWM is read at every poll (the highest
 *       value seen is reported). After the end it waits 300 ms more and reports the
 *       final sum (more than EXPECTED would mean duplicates).
 *       Exit 1 if PID exits or TIMEOUT_S (default 300) passes first. Prints:
 *         {"out": X, "final_out": F, "seconds": S, "cpu_s": C, "vmhwm_kb": H,
 *          "vmrss_kb": R, "polls": n, "poll_ms_avg": a, "poll_ms_max": m,
 *          "wait_for_first_s": w}
 *
 *   clicks latency BOOTSTRAP IN OUT RATE SECONDS [WARMUP_S]
 *       Paced producer and measuring consumer. A consumer assigned to every partition
 *       of OUT from offset 0 (no group; fetch.wait.max.ms=2, fetch.min.bytes=1) runs on
 *       the main thread. First, probes: one click to IN every 100 ms until one comes
 *       back on OUT (the pipeline has its partitions and flows), at most 60 s. Then a
 *       producer thread writes RATE clicks per second to IN for SECONDS (due clicks
 *       are sent every 0.2 ms; linger.ms=5, librdkafka's default, or LAT_LINGER_MS),
 *       each with value = 11 + its sequence
 *       number (so every click passes the example filter and can be recognised on the
 *       output as value or value2 / 2) and ts = its send time in ms, also given as
 *       the Kafka timestamp. The consumer notes each output record's receive time
 *       (CLOCK_REALTIME, right after rd_kafka_consumer_poll returns it) and its
 *       latency = receive time - the click's send time (ns, kept by the producer).
 *       Clicks sent in the first WARMUP_S (default 1) seconds are excluded. It also
 *       checks that the output record's Kafka timestamp equals the input's ts (the
 *       sink propagated the event time) and reports receive time - output timestamp
 *       (ms resolution) beside. Waits up to 30 s after the last send. Prints:
 *         {"sent": n, "rate": r, "received": m, "measured": k, "missing": x,
 *          "p50_ms": .., "p90_ms": .., "p99_ms": .., "p999_ms": .., "max_ms": ..,
 *          "ts_propagated": t, "ts_p50_ms": .., "ts_p99_ms": ..}
 *       LAT_DUMP=FILE writes every measured click as "send time (s from the first
 *       measured send) latency-ms output-partition", for looking at stalls.
 *       Exit 1 when no probe comes back; clicks still missing after the wait are
 *       counted in "missing" (and excluded from the percentiles).
 *
 * Build: cc -O2 -o clicks clicks.c -lrdkafka -lpthread
 * Loopback only: BOOTSTRAP is whatever the caller passes (the dev broker on 127.0.0.1).
 */
#include <librdkafka/rdkafka.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, const char *a) {
    fprintf(stderr, "clicks: ");
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\n");
    exit(1);
}

static double now_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_real_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_s(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) die("%s", err);
}

static rd_kafka_t *make(rd_kafka_type_t type, rd_kafka_conf_t *conf) {
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new: %s", err);
    return rk;
}

static int fetch_partitions(rd_kafka_t *rk, const char *topic) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int partitions = -1;
    for (int attempt = 0; attempt < 50 && partitions <= 0; attempt++) {
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
        if (err) die("metadata: %s", rd_kafka_err2str(err));
        if (md->topic_cnt == 1 && !md->topics[0].err) partitions = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        if (partitions <= 0) sleep_s(0.1);
    }
    rd_kafka_topic_destroy(rkt);
    if (partitions <= 0) die("topic %s has no partitions", topic);
    return partitions;
}

/* ---------------------------------------------------------------- produce */

static long delivered, failed;

static void count_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    if (m->err) {
        if (failed++ == 0) fprintf(stderr, "clicks: delivery failed: %s\n", rd_kafka_err2str(m->err));
    } else {
        delivered++;
    }
}

static const char *PAGES[20] = {"/home", "/search", "/cart", "/checkout", "/product/1", "/product/2", "/product/3",
                                "/product/4", "/about", "/health", "/login", "/logout", "/account", "/orders",
                                "/help", "/blog", "/blog/1", "/blog/2", "/pricing", "/contact"};

static void produce_one(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int partition, const char *value, int len) {
    for (;;) {
        if (rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, (void *)value, len, NULL, 0, NULL) == 0) break;
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            die("produce: %s", rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
}

static int produce(int argc, char **argv) {
    if (argc < 3 || argc > 5) die("usage: produce BOOTSTRAP TOPIC COUNT [USERS [EVENT_RATE]]%s", "");
    const char *bootstrap = argv[0], *topic = argv[1];
    long count = atol(argv[2]);
    long users = argc > 3 ? atol(argv[3]) : 1000;
    long event_rate = argc > 4 ? atol(argv[4]) : 10000;
    if (count <= 0 || users <= 0 || event_rate <= 0) die("COUNT, USERS and EVENT_RATE must be > 0%s", "");

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "compression.codec", "lz4");
    set(conf, "linger.ms", "20");
    set(conf, "batch.num.messages", "1000000");
    set(conf, "batch.size", "1000000");
    set(conf, "queue.buffering.max.messages", "2000000");
    set(conf, "queue.buffering.max.kbytes", "2097151");
    rd_kafka_conf_set_dr_msg_cb(conf, count_dr);
    rd_kafka_t *rk = make(RD_KAFKA_PRODUCER, conf);
    int partitions = fetch_partitions(rk, topic);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);

    int64_t base = (now_real_ns() / 1000000000 - 3600) * 1000;
    long enrich_out = 0, window_rows = 0, first_close = -1;
    unsigned char *seen = calloc((size_t)users, 1);
    int64_t current_second = -1, last_ts = base;
    char value[160];
    double start = now_mono();
    for (long i = 0; i < count; i++) {
        int64_t ts = base + (int64_t)((double)i * 1000.0 / (double)event_rate);
        long user = i % users, v = (long)((i * 7919L) % 100);
        const char *page = PAGES[(i * 13) % 20];
        int n = snprintf(value, sizeof value, "{\"user\":\"u%ld\",\"page\":\"%s\",\"value\":%ld,\"ts\":%" PRId64 "}", user,
                         page, v, ts);
        produce_one(rk, rkt, (int)(i % partitions), value, n);
        if (v > 10 && strcmp(page, "/health") != 0) enrich_out++;
        int64_t second = ts / 1000;
        if (second != current_second) {
            memset(seen, 0, (size_t)users);
            current_second = second;
        }
        if (!seen[user]) {
            seen[user] = 1;
            window_rows++;
        }
        if (first_close < 0 && ts >= base + 1000) first_close = i + partitions - 1;
        last_ts = ts;
    }
    for (int p = 0; p < partitions; p++) {
        int n = snprintf(value, sizeof value, "{\"user\":\"sentinel\",\"page\":\"/end\",\"value\":11,\"ts\":%" PRId64 "}",
                         last_ts + 10000);
        produce_one(rk, rkt, p, value, n);
        enrich_out++;
    }
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 50);
    double seconds = now_mono() - start;
    if (failed) die("%s deliveries failed", "some");
    if (first_close < 0) first_close = count;

    long retained = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 5000);
        if (err) die("watermarks: %s", rd_kafka_err2str(err));
        retained += (long)(high - low);
    }
    printf("{\"produced\": %ld, \"data\": %ld, \"partitions\": %d, \"retained\": %ld, \"enrich_out\": %ld, "
           "\"window_rows\": %ld, \"first_close_records\": %ld, \"seconds\": %.3f}\n",
           delivered, count, partitions, retained, enrich_out, window_rows, first_close, seconds);
    free(seen);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return retained == count + partitions ? 0 : 3;
}

/* ---------------------------------------------------------------- watch */

/* utime + stime of the whole process (live and exited threads), in seconds; -1 if gone. */
static double proc_cpu(int pid) {
    char path[64], line[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t len = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[len] = 0;
    char *close = strrchr(line, ')');
    if (!close) return -1;
    char state = 0;
    unsigned long utime = 0, stime = 0;
    if (sscanf(close + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &state, &utime, &stime) != 3) return -1;
    if (state == 'Z' || state == 'X') return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_status_kb(int pid, const char *field) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') kb = atol(line + n + 1);
    fclose(f);
    return kb;
}

static long sum_high(rd_kafka_t *rk, const char *topic, int partitions) {
    long sum = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 5000);
        if (err) die("watermarks: %s", rd_kafka_err2str(err));
        sum += (long)high;
    }
    return sum;
}

static int watch(int argc, char **argv) {
    if (argc < 4 || argc > 5) die("usage: watch BOOTSTRAP TOPIC EXPECTED PID [TIMEOUT_S]%s", "");
    const char *bootstrap = argv[0], *topic = argv[1];
    long expected = atol(argv[2]);
    int pid = atoi(argv[3]);
    double timeout = argc > 4 ? atof(argv[4]) : 300;
    const char *poll_env = getenv("POLL_MS");
    double interval = (poll_env ? atof(poll_env) : 5) / 1000.0;
    if (expected <= 0 || pid <= 0) die("EXPECTED and PID must be > 0%s", "");

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    rd_kafka_t *rk = make(RD_KAFKA_PRODUCER, conf);
    int partitions = fetch_partitions(rk, topic);

    double begin = now_mono(), give_up = begin + timeout;
    double prev_at = begin, start_at = -1, end_at = -1, start_cpu = -1, end_cpu = -1;
    double poll_sum = 0, poll_max = 0;
    long polls = 0, sum = 0, hwm = -1, rss = -1;
    double last_cpu = -1;
    for (;;) {
        /* VmHWM every poll: the process may exit right after its last delivery (the C
         * passthrough does), before the final poll could read it. */
        long h = proc_status_kb(pid, "VmHWM"), r = proc_status_kb(pid, "VmRSS");
        if (h > hwm) hwm = h;
        if (r >= 0) rss = r;
        double cpu = proc_cpu(pid);
        double t0 = now_mono();
        sum = sum_high(rk, topic, partitions);
        if (cpu < 0) {
            /* Gone: fine only if it finished first (its CPU as of the previous poll). */
            if (sum < expected || start_at < 0) {
                fprintf(stderr, "clicks: watch: process %d exited (output %ld of %ld)\n", pid, sum, expected);
                return 1;
            }
            cpu = last_cpu;
        }
        last_cpu = cpu;
        double t1 = now_mono();
        polls++;
        poll_sum += t1 - t0;
        if (t1 - t0 > poll_max) poll_max = t1 - t0;
        if (start_at < 0 && sum > 0) {
            start_at = (prev_at + t1) / 2;
            start_cpu = cpu;
        }
        if (sum >= expected) {
            end_at = (prev_at + t1) / 2;
            end_cpu = proc_cpu(pid);
            if (end_cpu < 0) end_cpu = cpu; /* exited meanwhile: its CPU as of this poll */
            break;
        }
        prev_at = t1;
        if (t1 > give_up) {
            fprintf(stderr, "clicks: watch: timed out after %.0f s: output %ld of %ld\n", timeout, sum, expected);
            return 1;
        }
        double next = t0 + interval;
        double rest = next - now_mono();
        if (rest > 0) sleep_s(rest);
    }
    long h = proc_status_kb(pid, "VmHWM"), r = proc_status_kb(pid, "VmRSS");
    if (h > hwm) hwm = h;
    if (r >= 0) rss = r;
    sleep_s(0.3);
    long final_sum = sum_high(rk, topic, partitions);
    printf("{\"out\": %ld, \"final_out\": %ld, \"seconds\": %.4f, \"cpu_s\": %.2f, \"vmhwm_kb\": %ld, \"vmrss_kb\": %ld, "
           "\"polls\": %ld, \"poll_ms_avg\": %.2f, \"poll_ms_max\": %.2f, \"wait_for_first_s\": %.3f}\n",
           sum, final_sum, end_at - start_at, end_cpu - start_cpu, hwm, rss, polls, 1000 * poll_sum / (double)polls,
           1000 * poll_max, start_at - begin);
    rd_kafka_destroy(rk);
    return 0;
}

/* ---------------------------------------------------------------- latency */

static rd_kafka_t *lat_producer;
static rd_kafka_topic_t *lat_in;
static int lat_partitions;
static int64_t *send_ns; /* by sequence number; 0 = not sent */
static long lat_capacity;
static atomic_long lat_sent;
static atomic_int lat_done;
static long lat_rate, lat_measure_from = -1;
static double lat_seconds, lat_real_rate;

static void send_click(long seq) {
    char value[160];
    int64_t t = now_real_ns(), ts = t / 1000000;
    int n = snprintf(value, sizeof value, "{\"user\":\"u%ld\",\"page\":\"%s\",\"value\":%ld,\"ts\":%" PRId64 "}", seq % 1000,
                     PAGES[(seq * 13) % 20 == 9 ? 0 : (seq * 13) % 20], 11 + seq, ts);
    send_ns[seq] = t;
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            lat_producer, RD_KAFKA_V_RKT(lat_in), RD_KAFKA_V_PARTITION((int32_t)(seq % lat_partitions)),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(value, (size_t)n), RD_KAFKA_V_TIMESTAMP(ts),
            RD_KAFKA_V_END);
        if (!err) break;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce: %s", rd_kafka_err2str(err));
        rd_kafka_poll(lat_producer, 1);
    }
    atomic_store(&lat_sent, seq + 1);
}

static void *paced(void *arg) {
    (void)arg;
    long first = atomic_load(&lat_sent), total = (long)((double)lat_rate * lat_seconds);
    double start = now_mono();
    for (long k = 0; k < total;) {
        long due = (long)((now_mono() - start) * (double)lat_rate) + 1;
        if (due > total) due = total;
        while (k < due) send_click(first + k++);
        rd_kafka_poll(lat_producer, 0);
        sleep_s(0.0002);
    }
    lat_real_rate = (double)total / (now_mono() - start);
    rd_kafka_flush(lat_producer, 10000);
    atomic_store(&lat_done, 1);
    return NULL;
}

static long seq_of(const rd_kafka_message_t *m, int64_t *ts_field) {
    char buf[256];
    size_t n = m->len < sizeof buf - 1 ? m->len : sizeof buf - 1;
    memcpy(buf, m->payload, n);
    buf[n] = 0;
    long seq = -1;
    char *p;
    if ((p = strstr(buf, "\"value2\":"))) seq = strtol(p + 9, NULL, 10) / 2 - 11;
    else if ((p = strstr(buf, "\"value\":"))) seq = strtol(p + 8, NULL, 10) - 11;
    *ts_field = (p = strstr(buf, "\"ts\":")) ? strtoll(p + 5, NULL, 10) : -1;
    return seq;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct(const int64_t *sorted, long n, double q) {
    if (n == 0) return -1;
    long i = (long)(q * (double)(n - 1) + 0.5);
    return (double)sorted[i] / 1e6;
}

static int latency(int argc, char **argv) {
    if (argc < 5 || argc > 6) die("usage: latency BOOTSTRAP IN OUT RATE SECONDS [WARMUP_S]%s", "");
    const char *bootstrap = argv[0], *in = argv[1], *out = argv[2];
    lat_rate = atol(argv[3]);
    lat_seconds = atof(argv[4]);
    double warmup = argc > 5 ? atof(argv[5]) : 1;
    if (lat_rate <= 0 || lat_seconds <= 0 || warmup < 0 || warmup >= lat_seconds) die("bad RATE/SECONDS/WARMUP_S%s", "");
    lat_capacity = (long)((double)lat_rate * lat_seconds) + 1000;
    send_ns = calloc((size_t)lat_capacity, sizeof *send_ns);
    int64_t *lat = calloc((size_t)lat_capacity, sizeof *lat), *ts_lat = calloc((size_t)lat_capacity, sizeof *ts_lat);
    unsigned char *got = calloc((size_t)lat_capacity, 1);

    rd_kafka_conf_t *pconf = rd_kafka_conf_new();
    set(pconf, "bootstrap.servers", bootstrap);
    const char *linger = getenv("LAT_LINGER_MS");
    set(pconf, "linger.ms", linger ? linger : "5");
    lat_producer = make(RD_KAFKA_PRODUCER, pconf);
    lat_partitions = fetch_partitions(lat_producer, in);
    lat_in = rd_kafka_topic_new(lat_producer, in, NULL);

    rd_kafka_conf_t *cconf = rd_kafka_conf_new();
    set(cconf, "bootstrap.servers", bootstrap);
    set(cconf, "group.id", "clicks-latency");
    set(cconf, "fetch.wait.max.ms", "2");
    set(cconf, "fetch.min.bytes", "1");
    set(cconf, "enable.partition.eof", "false");
    rd_kafka_t *consumer = make(RD_KAFKA_CONSUMER, cconf);
    rd_kafka_poll_set_consumer(consumer);
    int out_partitions = fetch_partitions(consumer, out);
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(out_partitions);
    for (int p = 0; p < out_partitions; p++) rd_kafka_topic_partition_list_add(assignment, out, p)->offset = 0;
    rd_kafka_resp_err_t err = rd_kafka_assign(consumer, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    if (err) die("assign: %s", rd_kafka_err2str(err));

    long received = 0, measured = 0, propagated = 0, ts_n = 0, missing = 0;
    /* LAT_DUMP=FILE: one line per measured click, "seconds-since-first-send latency-ms partition". */
    const char *dump_path = getenv("LAT_DUMP");
    FILE *dump = dump_path ? fopen(dump_path, "w") : NULL;
    /* Probes until the pipeline answers. */
    double probe_deadline = now_mono() + 60, next_probe = 0;
    int answered = 0;
    while (!answered) {
        if (now_mono() > probe_deadline) die("no probe came back on %s within 60 s", out);
        if (now_mono() >= next_probe) {
            send_click(atomic_load(&lat_sent));
            rd_kafka_poll(lat_producer, 0);
            next_probe = now_mono() + 0.1;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 10);
        if (m) {
            if (!m->err) answered = 1, received++;
            rd_kafka_message_destroy(m);
        }
        rd_kafka_poll(lat_producer, 0);
    }
    /* Drain the other probes' answers for a moment, then start pacing. */
    double settle = now_mono() + 0.5;
    while (now_mono() < settle) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 10);
        if (m) {
            if (!m->err) received++;
            rd_kafka_message_destroy(m);
        }
        rd_kafka_poll(lat_producer, 0);
    }
    long probes = atomic_load(&lat_sent);
    lat_measure_from = probes + (long)((double)lat_rate * warmup);
    long total = probes + (long)((double)lat_rate * lat_seconds);

    pthread_t thread;
    if (pthread_create(&thread, NULL, paced, NULL)) die("pthread_create%s", "");
    double deadline = -1;
    for (;;) {
        if (atomic_load(&lat_done) && deadline < 0) deadline = now_mono() + 30;
        if (deadline > 0 && (now_mono() > deadline || measured == total - lat_measure_from)) break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 5);
        if (!m) continue;
        int64_t recv = now_real_ns();
        if (m->err) {
            fprintf(stderr, "clicks: consumer: %s\n", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        received++;
        int64_t ts_field;
        long seq = seq_of(m, &ts_field);
        if (seq >= lat_measure_from && seq < total && !got[seq] && send_ns[seq] > 0) {
            got[seq] = 1;
            lat[measured++] = recv - send_ns[seq];
            if (dump)
                fprintf(dump, "%.4f %.3f %d\n", (double)(send_ns[seq] - send_ns[lat_measure_from]) / 1e9,
                        (double)(recv - send_ns[seq]) / 1e6, (int)m->partition);
            rd_kafka_timestamp_type_t type;
            int64_t out_ts = rd_kafka_message_timestamp(m, &type);
            if (out_ts == ts_field) propagated++;
            if (out_ts >= 0) ts_lat[ts_n++] = recv - out_ts * 1000000;
        }
        rd_kafka_message_destroy(m);
    }
    pthread_join(thread, NULL);
    if (dump) fclose(dump);
    missing = (total - lat_measure_from) - measured;
    qsort(lat, (size_t)measured, sizeof *lat, cmp_i64);
    qsort(ts_lat, (size_t)ts_n, sizeof *ts_lat, cmp_i64);
    printf("{\"sent\": %ld, \"rate\": %.0f, \"received\": %ld, \"measured\": %ld, \"missing\": %ld, \"p50_ms\": %.3f, "
           "\"p90_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f, \"ts_propagated\": %ld, "
           "\"ts_p50_ms\": %.3f, \"ts_p99_ms\": %.3f}\n",
           total, lat_real_rate, received, measured, missing, pct(lat, measured, 0.5), pct(lat, measured, 0.9),
           pct(lat, measured, 0.99), pct(lat, measured, 0.999), measured ? (double)lat[measured - 1] / 1e6 : -1,
           propagated, pct(ts_lat, ts_n, 0.5), pct(ts_lat, ts_n, 0.99));
    fflush(stdout);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_topic_destroy(lat_in);
    rd_kafka_destroy(lat_producer);
    if (missing) fprintf(stderr, "clicks: latency: %ld measured clicks never came back\n", missing);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "produce") == 0) return produce(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "watch") == 0) return watch(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "latency") == 0) return latency(argc - 2, argv + 2);
    fprintf(stderr,
            "usage: clicks produce BOOTSTRAP TOPIC COUNT [USERS [EVENT_RATE]]\n"
            "       clicks watch BOOTSTRAP TOPIC EXPECTED PID [TIMEOUT_S]\n"
            "       clicks latency BOOTSTRAP IN OUT RATE SECONDS [WARMUP_S]\n");
    return 2;
}
