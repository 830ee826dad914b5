/*
 * Raw librdkafka passthrough: the baseline StreamzPassthrough is measured against
 * (scripts/bench-passthrough.sh runs both against the same broker, in the same run).
 *
 *   passthrough produce BOOTSTRAP TOPIC COUNT SIZE
 *       Fills TOPIC fast: lz4, linger.ms=20, large batches, records spread round-robin
 *       over the topic's partitions (one key per partition, chosen so that KafkaSink's
 *       partitioner, murmur2, maps it back to that partition), value = SIZE bytes of compressible
 *       text with a counter. Waits for every delivery, then prints one JSON line:
 *       {"produced": N, "seconds": S, "partitions": P, "retained": R}
 *       where R is the sum of (high - low) watermarks over TOPIC's partitions: the
 *       records the broker still holds. librdkafka's mock cluster keeps at most 5 MiB
 *       or 100,000 message sets per partition, so R < N means the input was truncated.
 *
 *   passthrough pass BOOTSTRAP IN OUT GROUP COUNT [key=value ...]
 *       Consumes IN (group GROUP, from the earliest offset, no auto-commit) and produces
 *       every record (key and value, RD_KAFKA_MSG_F_COPY) to OUT. The key=value
 *       properties are applied to both clients (a property one client rejects is applied
 *       to the other only). OUT's metadata is fetched before consuming starts, so the
 *       first produce does not wait for it. When COUNT deliveries have succeeded it
 *       commits the consumed offsets synchronously, once, and prints one JSON line:
 *       {"msgs": N, "seconds": S, "msgs_per_s": R, "cpu_s_per_million": C}
 *       S runs from the first consumed record to the last delivery report; C is
 *       getrusage(RUSAGE_SELF) user+sys over the same span (all of librdkafka's threads
 *       included), per million records.
 *
 *       The fixed properties mirror what StreamzKafka sets, so that the only difference
 *       with StreamzPassthrough is the code in between:
 *         consumer: group.id, auto.offset.reset=earliest, enable.auto.commit=false,
 *                   enable.auto.offset.store=false, enable.partition.eof=false
 *         producer: enable.idempotence=true, linger.ms=5 and partitioner=murmur2_random
 *                   unless given (KafkaSink's defaults; linger.ms=5 is also librdkafka's
 *                   own)
 *       Environment: PASS_TIMEOUT (seconds, default 300) bounds the wait for COUNT.
 *
 *   passthrough pass-headers BOOTSTRAP IN OUT GROUP COUNT [key=value ...]
 *       The same, forwarding each record's headers as well, as a Streamz Kafka sink
 *       does unless told `headers: drop`: the C baseline for that configuration. Each
 *       consumed record's headers are asked for (rd_kafka_message_detach_headers, which
 *       in librdkafka 2.0.2 allocates to parse even a record without headers) and, when
 *       there are any, handed to rd_kafka_producev with the record.
 *
 * Build: cc -O2 -o passthrough passthrough.c -lrdkafka
 * Loopback only: BOOTSTRAP is whatever the caller passes (the dev broker on 127.0.0.1).
 */
#include <librdkafka/rdkafka.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "passthrough: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
    exit(1);
}

static double now_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

/* Per-thread CPU (from /proc/self/task), for the stderr breakdown: which thread burns
 * what over the timed span. */
#define MAX_THREADS 64
struct threads { int n; int tid[MAX_THREADS]; char name[MAX_THREADS][20]; double cpu[MAX_THREADS], sys[MAX_THREADS]; };

static void snapshot_threads(struct threads *t) {
    t->n = 0;
    DIR *dir = opendir("/proc/self/task");
    if (!dir) return;
    struct dirent *entry;
    double tick = (double)sysconf(_SC_CLK_TCK);
    while ((entry = readdir(dir)) && t->n < MAX_THREADS) {
        if (entry->d_name[0] == '.') continue;
        char path[300], line[1024];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", entry->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t len = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        line[len] = 0;
        char *open = strchr(line, '('), *close = strrchr(line, ')');
        if (!open || !close) continue;
        unsigned long utime = 0, stime = 0;
        /* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
        if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) continue;
        int i = t->n++;
        t->tid[i] = atoi(entry->d_name);
        int name_len = (int)(close - open - 1);
        snprintf(t->name[i], sizeof t->name[i], "%.*s", name_len < 19 ? name_len : 19, open + 1);
        t->cpu[i] = (double)(utime + stime) / tick;
        t->sys[i] = (double)stime / tick;
    }
    closedir(dir);
}

static void print_threads(const struct threads *a, const struct threads *b, long count) {
    fprintf(stderr, "passthrough: CPU-s per 1M by thread over the span:");
    for (int i = 0; i < b->n; i++) {
        double before = 0, before_sys = 0;
        for (int j = 0; j < a->n; j++)
            if (a->tid[j] == b->tid[i]) before = a->cpu[j], before_sys = a->sys[j];
        fprintf(stderr, " %s/%d=%.2f(sys %.2f)", b->name[i], b->tid[i], (b->cpu[i] - before) * 1e6 / (double)count,
                (b->sys[i] - before_sys) * 1e6 / (double)count);
    }
    fprintf(stderr, "\n");
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK)
        die("%s: %s", name, err);
}

/* Applies the user's key=value list; returns how many were rejected. */
static int set_extra(rd_kafka_conf_t *conf, int argc, char **argv, const char *who) {
    int rejected = 0;
    for (int i = 0; i < argc; i++) {
        char *pair = strdup(argv[i]);
        char *eq = strchr(pair, '=');
        if (!eq) die("not key=value: %s%s", argv[i], "");
        *eq = 0;
        char err[512];
        if (rd_kafka_conf_set(conf, pair, eq + 1, err, sizeof err) != RD_KAFKA_CONF_OK) {
            fprintf(stderr, "passthrough: %s: not applied to the %s: %s\n", argv[i], who, err);
            rejected++;
        }
        free(pair);
    }
    return rejected;
}

static int has_extra(int argc, char **argv, const char *name) {
    size_t n = strlen(name);
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') return 1;
    return 0;
}

static rd_kafka_t *make(rd_kafka_type_t type, rd_kafka_conf_t *conf) {
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new: %s%s", err, "");
    return rk;
}

/* Partition count of `topic`, fetching its metadata (and so warming the client). */
static int fetch_partitions(rd_kafka_t *rk, const char *topic) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int partitions = -1;
    for (int attempt = 0; attempt < 50 && partitions <= 0; attempt++) {
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
        if (err) die("metadata for %s: %s", topic, rd_kafka_err2str(err));
        if (md->topic_cnt == 1 && !md->topics[0].err) partitions = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        if (partitions <= 0) {
            struct timespec pause = {0, 100 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    rd_kafka_topic_destroy(rkt);
    if (partitions <= 0) die("topic %s has no partitions%s", topic, "");
    return partitions;
}

/* ---------------------------------------------------------------- produce */

static long produce_delivered, produce_failed;

static void produce_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    if (m->err) {
        if (produce_failed++ == 0) fprintf(stderr, "passthrough: delivery failed: %s\n", rd_kafka_err2str(m->err));
    } else {
        produce_delivered++;
    }
}

static int produce(int argc, char **argv) {
    if (argc != 4) die("usage: produce BOOTSTRAP TOPIC COUNT SIZE%s%s", "", "");
    const char *bootstrap = argv[0], *topic = argv[1];
    long count = atol(argv[2]);
    int size = atoi(argv[3]);
    if (count <= 0 || size < 16) die("COUNT must be > 0 and SIZE >= 16%s%s", "", "");

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "compression.codec", "lz4");
    set(conf, "linger.ms", "20");
    set(conf, "batch.num.messages", "1000000");
    set(conf, "batch.size", "1000000");
    set(conf, "queue.buffering.max.messages", "2000000");
    set(conf, "queue.buffering.max.kbytes", "2097151");
    rd_kafka_conf_set_dr_msg_cb(conf, produce_dr);
    rd_kafka_t *rk = make(RD_KAFKA_PRODUCER, conf);
    int partitions = fetch_partitions(rk, topic);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);

    /* One key per partition, one KafkaSink's partitioner (murmur2_random, as Java
     * clients) maps to that same partition, so a passthrough that keeps keys writes
     * partition p of IN to partition p of OUT. */
    char keys[1024][16];
    int key_len[1024];
    if (partitions > 1024) die("too many partitions%s%s", "", "");
    for (int p = 0; p < partitions; p++) {
        for (int j = 0;; j++) {
            key_len[p] = snprintf(keys[p], sizeof keys[p], "key-%d", j);
            if (rd_kafka_msg_partitioner_murmur2_random(rkt, keys[p], key_len[p], partitions, NULL, NULL) == p) break;
        }
    }

    static const char filler[] = "the quick brown fox jumps over the lazy dog; ";
    char *value = malloc(size);
    double start = now_wall();
    for (long i = 0; i < count; i++) {
        int p = (int)(i % partitions);
        int n = snprintf(value, size, "record %012ld ", i);
        for (int k = n; k < size; k++) value[k] = filler[(k - n) % (sizeof filler - 1)];
        for (;;) {
            if (rd_kafka_produce(rkt, p, RD_KAFKA_MSG_F_COPY, value, size, keys[p], key_len[p], NULL) == 0) break;
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                die("produce: %s%s", rd_kafka_err2str(rd_kafka_last_error()), "");
            rd_kafka_poll(rk, 10);
        }
        rd_kafka_poll(rk, 0);
    }
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 50);
    double seconds = now_wall() - start;
    if (produce_failed) die("%s deliveries failed%s", "some", "");

    long retained = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 5000);
        if (err) die("watermarks: %s%s", rd_kafka_err2str(err), "");
        retained += (long)(high - low);
    }
    printf("{\"produced\": %ld, \"seconds\": %.3f, \"partitions\": %d, \"retained\": %ld}\n",
           produce_delivered, seconds, partitions, retained);
    free(value);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return retained == count ? 0 : 3;
}

/* ---------------------------------------------------------------- pass */

static long pass_count, pass_delivered, pass_failed;
static double end_wall, end_cpu;
static struct threads threads_start, threads_end;

static void pass_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    if (m->err) {
        if (pass_failed++ == 0) fprintf(stderr, "passthrough: delivery failed: %s\n", rd_kafka_err2str(m->err));
        return;
    }
    if (++pass_delivered == pass_count) {
        end_wall = now_wall();
        end_cpu = now_cpu();
        snapshot_threads(&threads_end);
    }
}

/* Produces one consumed record to OUT; RD_KAFKA_RESP_ERR__QUEUE_FULL means "poll, then retry". */
static rd_kafka_resp_err_t forward(rd_kafka_t *producer, rd_kafka_topic_t *out_topic, rd_kafka_message_t *m,
                                   int with_headers) {
    rd_kafka_headers_t *headers = NULL;
    if (with_headers && rd_kafka_message_detach_headers(m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) headers = NULL;
    if (!headers)
        return rd_kafka_produce(out_topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, m->payload, m->len, m->key,
                                m->key_len, NULL) == 0 ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_last_error();
    rd_kafka_resp_err_t err = rd_kafka_producev(producer, RD_KAFKA_V_RKT(out_topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_KEY(m->key, m->key_len),
                                                RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    /* On success the producer owns the headers; otherwise they go back on the message for the retry. */
    if (err) rd_kafka_message_set_headers(m, headers);
    return err;
}

static int pass(int argc, char **argv, int with_headers) {
    if (argc < 5) die("usage: pass BOOTSTRAP IN OUT GROUP COUNT [key=value ...]%s%s", "", "");
    const char *bootstrap = argv[0], *in = argv[1], *out = argv[2], *group = argv[3];
    pass_count = atol(argv[4]);
    if (pass_count <= 0) die("COUNT must be > 0%s%s", "", "");
    int extra_c = argc - 5;
    char **extra = argv + 5;
    const char *timeout_env = getenv("PASS_TIMEOUT");
    double timeout = timeout_env ? atof(timeout_env) : 300;

    rd_kafka_conf_t *pconf = rd_kafka_conf_new();
    set(pconf, "bootstrap.servers", bootstrap);
    if (!has_extra(extra_c, extra, "enable.idempotence")) set(pconf, "enable.idempotence", "true");
    if (!has_extra(extra_c, extra, "linger.ms")) set(pconf, "linger.ms", "5");
    if (!has_extra(extra_c, extra, "partitioner")) set(pconf, "partitioner", "murmur2_random");
    set_extra(pconf, extra_c, extra, "producer");
    rd_kafka_conf_set_dr_msg_cb(pconf, pass_dr);
    rd_kafka_t *producer = make(RD_KAFKA_PRODUCER, pconf);

    rd_kafka_conf_t *cconf = rd_kafka_conf_new();
    set_extra(cconf, extra_c, extra, "consumer");
    set(cconf, "bootstrap.servers", bootstrap);
    set(cconf, "group.id", group);
    set(cconf, "auto.offset.reset", "earliest");
    set(cconf, "enable.auto.commit", "false");
    set(cconf, "enable.auto.offset.store", "false");
    set(cconf, "enable.partition.eof", "false");
    rd_kafka_t *consumer = make(RD_KAFKA_CONSUMER, cconf);
    rd_kafka_poll_set_consumer(consumer);

    /* OUT's metadata (and a broker connection) before anything is consumed. */
    fetch_partitions(producer, out);
    rd_kafka_topic_t *out_topic = rd_kafka_topic_new(producer, out, NULL);

    rd_kafka_topic_partition_list_t *subscription = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subscription, in, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, subscription);
    rd_kafka_topic_partition_list_destroy(subscription);
    if (err) die("subscribe: %s%s", rd_kafka_err2str(err), "");

    /* The next offset per consumed partition, for the final commit. */
    int64_t next_offset[1024];
    for (int p = 0; p < 1024; p++) next_offset[p] = -1;

    long consumed = 0;
    double start_wall = 0, start_cpu = 0, give_up = now_wall() + timeout;
    while (pass_delivered + pass_failed < pass_count) {
        if (now_wall() > give_up) {
            fprintf(stderr, "passthrough: timed out: consumed %ld, delivered %ld of %ld\n", consumed, pass_delivered, pass_count);
            return 1;
        }
        if (consumed >= pass_count) {
            rd_kafka_poll(producer, 100);
            continue;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 10);
        if (m) {
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    fprintf(stderr, "passthrough: consumer: %s\n", rd_kafka_message_errstr(m));
            } else {
                if (consumed++ == 0) {
                    start_wall = now_wall();
                    start_cpu = now_cpu();
                    snapshot_threads(&threads_start);
                }
                if (m->partition >= 0 && m->partition < 1024) next_offset[m->partition] = m->offset + 1;
                rd_kafka_resp_err_t sent;
                while ((sent = forward(producer, out_topic, m, with_headers)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                    if (sent != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce: %s%s", rd_kafka_err2str(sent), "");
                    rd_kafka_poll(producer, 10);
                }
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_poll(producer, 0);
    }
    if (pass_failed) die("%s deliveries failed%s", "some", "");

    double seconds = end_wall - start_wall;
    printf("{\"msgs\": %ld, \"seconds\": %.4f, \"msgs_per_s\": %.0f, \"cpu_s_per_million\": %.3f}\n", pass_count, seconds,
           (double)pass_count / seconds, (end_cpu - start_cpu) * 1e6 / (double)pass_count);
    fflush(stdout);

    /* One synchronous commit of everything consumed (outside the timed span). */
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(4);
    for (int p = 0; p < 1024; p++)
        if (next_offset[p] >= 0) rd_kafka_topic_partition_list_add(offsets, in, p)->offset = next_offset[p];
    err = rd_kafka_commit(consumer, offsets, 0);
    rd_kafka_topic_partition_list_destroy(offsets);
    if (err) fprintf(stderr, "passthrough: commit: %s\n", rd_kafka_err2str(err));
    fprintf(stderr, "passthrough: consumed %ld, delivered %ld\n", consumed, pass_delivered);
    print_threads(&threads_start, &threads_end, pass_count);

    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_flush(producer, 10000);
    rd_kafka_topic_destroy(out_topic);
    rd_kafka_destroy(producer);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "produce") == 0) return produce(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "pass") == 0) return pass(argc - 2, argv + 2, 0);
    if (argc >= 2 && strcmp(argv[1], "pass-headers") == 0) return pass(argc - 2, argv + 2, 1);
    fprintf(stderr,
            "usage: passthrough produce BOOTSTRAP TOPIC COUNT SIZE\n"
            "       passthrough pass BOOTSTRAP IN OUT GROUP COUNT [key=value ...]\n"
            "       passthrough pass-headers BOOTSTRAP IN OUT GROUP COUNT [key=value ...]\n");
    return 2;
}
