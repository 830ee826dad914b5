/*
 * JSON clicks for timing `streamz run` from the outside (scripts/perf-enrich.sh).
 *
 *   clicks produce BOOTSTRAP TOPIC COUNT
 *       Fills TOPIC with COUNT records like {"user":"u17","page":"/home","value":42,"ts":1700000000000}
 *       (no key, round-robin over the partitions, lz4 so that the mock's 5 MiB per
 *       partition keeps them all). Values run 0..99 and one page in 16 is /health, so
 *       the README's `enrich` filter (value > 10 && page != '/health') keeps a known
 *       share. Prints {"produced": N, "expected_out": E, "retained": R}.
 *
 *   clicks watch BOOTSTRAP PID|@PIDFILE COUNT EXPECTED TOPIC...
 *       Polls the high watermarks of TOPIC... (every 10 ms) until their sum grows by
 *       EXPECTED, and reads process PID's CPU (user+sys, /proc) at the first output and
 *       at the last. Prints {"msgs": COUNT, "seconds": S, "msgs_per_s": COUNT/S,
 *       "cpu_s_per_million": C} with S and C over that span, per input record; on
 *       stderr, CPU per thread of PID over the span.
 *
 * Build: cc -O2 -o clicks clicks.c -lrdkafka. Loopback only: BOOTSTRAP is the dev broker.
 */
#include <librdkafka/rdkafka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *detail) {
    fprintf(stderr, "clicks: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static double now_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) die(name, err);
}

static rd_kafka_t *client(const char *bootstrap, int producer) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    if (producer) {
        set(conf, "compression.codec", "lz4");
        set(conf, "linger.ms", "20");
        set(conf, "batch.num.messages", "1000000");
        set(conf, "batch.size", "1000000");
        set(conf, "queue.buffering.max.messages", "2000000");
        set(conf, "queue.buffering.max.kbytes", "2097151");
    }
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new", err);
    return rk;
}

static int partitions_of(rd_kafka_t *rk, const char *topic) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    int partitions = -1;
    for (int attempt = 0; attempt < 50 && partitions <= 0; attempt++) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
        if (err) die("metadata", rd_kafka_err2str(err));
        if (md->topic_cnt == 1 && !md->topics[0].err) partitions = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        if (partitions <= 0) usleep(100000);
    }
    rd_kafka_topic_destroy(rkt);
    if (partitions <= 0) die("no partitions", topic);
    return partitions;
}

static long high_sum(rd_kafka_t *rk, const char *topic, int partitions) {
    long sum = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 5000);
        if (err) die("watermarks", rd_kafka_err2str(err));
        sum += (long)high;
    }
    return sum;
}

static long failed;
static void dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    if (m->err && failed++ == 0) fprintf(stderr, "clicks: delivery failed: %s\n", rd_kafka_err2str(m->err));
}

static int produce(int argc, char **argv) {
    if (argc != 3) die("usage: produce BOOTSTRAP TOPIC COUNT", NULL);
    const char *topic = argv[1];
    long count = atol(argv[2]);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", argv[0]);
    set(conf, "compression.codec", "lz4");
    set(conf, "linger.ms", "20");
    set(conf, "batch.num.messages", "1000000");
    set(conf, "batch.size", "1000000");
    set(conf, "queue.buffering.max.messages", "2000000");
    set(conf, "queue.buffering.max.kbytes", "2097151");
    rd_kafka_conf_set_dr_msg_cb(conf, dr);
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new", err);
    int partitions = partitions_of(rk, topic);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    static const char *pages[] = {"/home", "/cart", "/search", "/product/42", "/checkout", "/about", "/blog/post-17",
                                  "/login", "/home", "/cart", "/search", "/product/7", "/checkout", "/help", "/home",
                                  "/health"};
    long expected = 0;
    char value[256];
    for (long i = 0; i < count; i++) {
        long v = (i * 37) % 100;
        const char *page = pages[(i / 3) % 16];
        int n = snprintf(value, sizeof value, "{\"user\":\"u%ld\",\"page\":\"%s\",\"value\":%ld,\"ts\":%ld}", (i * 7919) % 1000,
                         page, v, 1700000000000L + i);
        if (v > 10 && strcmp(page, "/health") != 0) expected++;
        while (rd_kafka_produce(rkt, (int)(i % partitions), RD_KAFKA_MSG_F_COPY, value, n, NULL, 0, NULL) != 0) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce", rd_kafka_err2str(rd_kafka_last_error()));
            rd_kafka_poll(rk, 10);
        }
        rd_kafka_poll(rk, 0);
    }
    while (rd_kafka_outq_len(rk) > 0) rd_kafka_poll(rk, 50);
    if (failed) die("deliveries failed", NULL);
    long retained = 0;
    for (int p = 0; p < partitions; p++) {
        int64_t low = 0, high = 0;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 5000)) die("watermarks", NULL);
        retained += (long)(high - low);
    }
    printf("{\"produced\": %ld, \"expected_out\": %ld, \"retained\": %ld}\n", count, expected, retained);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return retained == count ? 0 : 3;
}

/* CPU seconds (user+sys) of a process or one of its threads, from a /proc stat file. */
static int read_stat(const char *path, double *cpu, char *name, size_t name_size) {
    char line[1024];
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t len = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[len] = 0;
    char *open = strchr(line, '('), *close = strrchr(line, ')');
    if (!open || !close) return -1;
    unsigned long utime = 0, stime = 0;
    if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
    if (name) snprintf(name, name_size, "%.*s", (int)(close - open - 1), open + 1);
    *cpu = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    return 0;
}

#define MAX_THREADS 128
struct threads { int n; int tid[MAX_THREADS]; char name[MAX_THREADS][20]; double cpu[MAX_THREADS]; };

static void snapshot(int pid, struct threads *t) {
    char dir_path[64];
    snprintf(dir_path, sizeof dir_path, "/proc/%d/task", pid);
    t->n = 0;
    DIR *dir = opendir(dir_path);
    if (!dir) return;
    struct dirent *entry;
    while ((entry = readdir(dir)) && t->n < MAX_THREADS) {
        if (entry->d_name[0] == '.') continue;
        char path[300];
        snprintf(path, sizeof path, "%s/%.64s/stat", dir_path, entry->d_name);
        int i = t->n;
        if (read_stat(path, &t->cpu[i], t->name[i], sizeof t->name[i]) == 0) { t->tid[i] = atoi(entry->d_name); t->n++; }
    }
    closedir(dir);
}

static int watch(int argc, char **argv) {
    if (argc < 5) die("usage: watch BOOTSTRAP PID COUNT EXPECTED TOPIC...", NULL);
    long count = atol(argv[2]), expected = atol(argv[3]);
    int ntopics = argc - 4;
    char **topics = argv + 4;
    rd_kafka_t *rk = client(argv[0], 0);
    int partitions[16];
    long base = 0;
    for (int t = 0; t < ntopics && t < 16; t++) {
        partitions[t] = partitions_of(rk, topics[t]);
        base += high_sum(rk, topics[t], partitions[t]);
    }
    /* "@FILE": the PID is written to FILE once the process starts, after the base above. */
    int pid = atoi(argv[1]);
    if (argv[1][0] == '@') {
        for (pid = 0; pid <= 0;) {
            FILE *f = fopen(argv[1] + 1, "r");
            if (f) { if (fscanf(f, "%d", &pid) != 1) pid = 0; fclose(f); }
            if (pid <= 0) usleep(10000);
        }
    }
    char stat_path[64];
    snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", pid);
    double start_wall = 0, start_cpu = 0, end_wall = 0, end_cpu = 0, give_up = now_wall() + 600;
    static struct threads first, last;
    for (;;) {
        long sum = 0;
        for (int t = 0; t < ntopics; t++) sum += high_sum(rk, topics[t], partitions[t]);
        sum -= base;
        double wall = now_wall(), cpu = 0;
        if (read_stat(stat_path, &cpu, NULL, 0) != 0) die("the process is gone", NULL);
        if (sum > 0 && start_wall == 0) { start_wall = wall; start_cpu = cpu; snapshot(pid, &first); }
        if (sum >= expected) { end_wall = wall; end_cpu = cpu; snapshot(pid, &last); break; }
        if (wall > give_up) { fprintf(stderr, "clicks: timed out at %ld of %ld\n", sum, expected); return 1; }
        usleep(10000);
    }
    double seconds = end_wall - start_wall;
    printf("{\"msgs\": %ld, \"seconds\": %.4f, \"msgs_per_s\": %.0f, \"cpu_s_per_million\": %.3f}\n", count, seconds,
           (double)count / seconds, (end_cpu - start_cpu) * 1e6 / (double)count);
    fprintf(stderr, "clicks: CPU-s per 1M by thread over the span:");
    for (int i = 0; i < last.n; i++) {
        double before = 0;
        for (int j = 0; j < first.n; j++) if (first.tid[j] == last.tid[i]) before = first.cpu[j];
        double d = (last.cpu[i] - before) * 1e6 / (double)count;
        if (d >= 0.005) fprintf(stderr, " %s/%d=%.2f", last.name[i], last.tid[i], d);
    }
    fprintf(stderr, "\n");
    rd_kafka_destroy(rk);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "produce") == 0) return produce(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "watch") == 0) return watch(argc - 2, argv + 2);
    fprintf(stderr, "usage: clicks produce BOOTSTRAP TOPIC COUNT\n       clicks watch BOOTSTRAP PID COUNT EXPECTED TOPIC...\n");
    return 2;
}
