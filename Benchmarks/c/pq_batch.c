/*
 * Which way of batching upserts through libpq is fastest for materialized window
 * aggregates? (scripts/bench-pq-batch.sh builds and runs this.)
 *
 * A window sink writes rows (page, window_start, window_end, views, total, top) with
 * INSERT … ON CONFLICT (page, window_start) DO UPDATE, adding views and totals and
 * keeping the greater top. Three ways of sending a batch of N such rows are measured,
 * all with bound parameters (nothing is ever spliced into SQL) and each batch one
 * transaction (BEGIN … COMMIT):
 *
 *   unnest    one statement per batch: each column is one parameter, a text-format
 *             array literal ({"page-1","page-2"}), unpacked server-side by unnest()
 *   pipeline  a prepared one-row upsert sent N times in libpq pipeline mode, with
 *             BEGIN and COMMIT in the same pipeline: one round trip per batch
 *   values    INSERT … VALUES ($1,…,$6),($7,…),… of up to 1000 rows (6000 parameters;
 *             the protocol's limit is 65535) per statement, several per batch
 *
 * Timestamps travel as epoch milliseconds (int8) and are turned into timestamptz by the
 * same SQL expression in every strategy, so the server does the same work per row.
 *
 * For each batch size and strategy: a new connection, bench_agg dropped and recreated,
 * then BATCHES batches upserting the same N keys with new values: the first inserts,
 * every later one conflicts on every row and takes the DO UPDATE path. The first batch
 * is warm-up and is left out of every figure. Afterwards the table is checked (row
 * count, summed views, the row whose key needs array escaping).
 *
 * Output (stdout), one markdown table row per case:
 *   median rows/s        over the measured batches, wall time from building the
 *                        parameters to COMMIT returning
 *   client CPU-s per 1M  getrusage(RUSAGE_SELF) user+sys around each batch's upsert
 *   server CPU-s per 1M  the backend's on-CPU time from /proc/PID/schedstat over the
 *                        same batches; "n/a" if the backend is not visible from here
 *   build ms/batch       median time to format the parameters (for unnest: the six
 *                        array literals), included in the rows/s figure
 *
 * Usage: pq_batch CONNINFO      (a URL or key=value string; loopback hosts only)
 * Environment: BATCHES (20), SIZES (comma-separated batch sizes, "1000,10000").
 * Build: cc -O2 -o pq_batch pq_batch.c $(pkg-config --cflags --libs libpq)
 */
#include <libpq-fe.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define COLS 6                    /* parameters per row */
#define VALUES_ROWS_PER_STMT 1000 /* rows per multi-row VALUES statement */
#define WINDOW_START_MS 1700000000000LL
#define WINDOW_MS 60000LL

/* ------------------------------------------------------------------ SQL */

#define CREATE_TABLE                                                              \
    "CREATE TABLE bench_agg (page text, window_start timestamptz, window_end timestamptz, " \
    "views bigint, total double precision, top double precision, "                \
    "PRIMARY KEY (page, window_start))"

#define ON_CONFLICT                                                               \
    " ON CONFLICT (page, window_start) DO UPDATE SET"                             \
    " views = t.views + excluded.views,"                                          \
    " total = t.total + excluded.total,"                                          \
    " top = GREATEST(t.top, excluded.top)"

#define UNNEST_UPSERT                                                             \
    "INSERT INTO bench_agg AS t"                                                  \
    " SELECT k, 'epoch'::timestamptz + ws * interval '1 millisecond',"            \
    " 'epoch'::timestamptz + we * interval '1 millisecond', v, s, m"              \
    " FROM unnest($1::text[], $2::int8[], $3::int8[], $4::int8[], $5::float8[], $6::float8[])" \
    " AS u(k, ws, we, v, s, m)" ON_CONFLICT

/* One row's tuple for the VALUES and pipeline statements; %d is the first parameter's
 * number. The casts pin each parameter's type rather than leaving it to inference. */
#define VALUES_TUPLE                                                              \
    "($%d::text, 'epoch'::timestamptz + $%d::int8 * interval '1 millisecond',"    \
    " 'epoch'::timestamptz + $%d::int8 * interval '1 millisecond',"               \
    " $%d::int8, $%d::float8, $%d::float8)"

/* ------------------------------------------------------------------ utilities */

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pq_batch: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

/* The first error of the current operation, for the caller to report. */
static char last_error[1024];

static void set_error(const char *what, const char *message) {
    snprintf(last_error, sizeof last_error, "%s: %s", what, message);
    size_t len = strlen(last_error);
    while (len > 0 && last_error[len - 1] == '\n') last_error[--len] = '\0';
}

static double now_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double client_cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

/* Reads the first line of /proc/PID/NAME into buf; false if it cannot. */
static bool read_proc(int pid, const char *name, char *buf, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    FILE *f = fopen(path, "r");
    if (!f) return false;
    bool ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    return ok;
}

/* CPU seconds used so far by the backend serving a connection. On a 2-core machine the
 * server competes with the client for the same cores, so its cost matters as much as
 * ours. schedstat's first field is on-CPU time in nanoseconds; stat's utime and stime
 * are in clock ticks (10 ms), too coarse for a few short batches, so they are only the
 * fallback. Returns -1 when PID is not a visible PostgreSQL backend (server on another
 * host or in another PID namespace). */
static double backend_cpu(int pid) {
    char text[1024];
    if (!read_proc(pid, "comm", text, sizeof text) || strncmp(text, "postgres", 8) != 0) return -1;
    unsigned long long ns;
    if (read_proc(pid, "schedstat", text, sizeof text) && sscanf(text, "%llu", &ns) == 1 && ns > 0)
        return (double)ns / 1e9;
    /* stat: the command name is in parentheses and may contain spaces, so parse after
     * the last ')'. Fields from there: state ppid pgrp session tty tpgid flags minflt
     * cminflt majflt cmajflt utime stime. */
    unsigned long utime, stime;
    char *close;
    if (!read_proc(pid, "stat", text, sizeof text) || !(close = strrchr(text, ')')) ||
        sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n), which gets sorted. */
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------------ growable text */

typedef struct {
    char *data;
    size_t len, cap;
} Buf;

static void buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    b->data = realloc(b->data, cap);
    if (!b->data) die("out of memory");
    b->cap = cap;
}

static void buf_putc(Buf *b, char c) {
    buf_reserve(b, 1);
    b->data[b->len++] = c;
}

static void buf_printf(Buf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) die("vsnprintf failed");
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        buf_reserve(b, (size_t)n + 1);
    }
}

/* Numbers in PostgreSQL's input syntax. %.17g round-trips every double exactly; the
 * data here is finite (%g would write "inf"/"nan", which float8in happens to accept). */
static void put_int(Buf *b, long long v) { buf_printf(b, "%lld", v); }
static void put_float(Buf *b, double v) { buf_printf(b, "%.17g", v); }

/* ------------------------------------------------------------------ the data */

typedef struct {
    char key[64];
    long long window_start, window_end, views; /* window bounds in epoch ms */
    double total, top;
} Row;

/* Keys are unique within a batch and the same in every batch. Every 1000th key holds
 * the characters array literals must get right: quotes, a backslash, braces, a comma,
 * spaces and the word NULL. */
static void make_keys(Row *rows, int n) {
    for (int i = 0; i < n; i++) {
        if (i % 1000 == 999)
            snprintf(rows[i].key, sizeof rows[i].key, "page \"%d\" \\ {a,b} NULL", i);
        else
            snprintf(rows[i].key, sizeof rows[i].key, "page-%d", i);
    }
}

static long long row_views(int i) { return 1 + i % 7; }
static double row_top(int i, int batch) { return (double)((i * 37 + batch * 11) % 1000) + 0.5; }

/* Batch `batch`'s values: same window for every batch, so batches after the first
 * conflict on every row. */
static void fill_batch(Row *rows, int n, int batch) {
    for (int i = 0; i < n; i++) {
        rows[i].window_start = WINDOW_START_MS;
        rows[i].window_end = WINDOW_START_MS + WINDOW_MS;
        rows[i].views = row_views(i);
        rows[i].total = (double)rows[i].views * 0.25 + batch;
        rows[i].top = row_top(i, batch);
    }
}

/* ------------------------------------------------------------------ libpq helpers */

static void ignore_notice(void *arg, const char *message) { (void)arg; (void)message; }

/* Consumes `res`; true if its status is `expected`, otherwise records the error. */
static bool check_result(PGresult *res, ExecStatusType expected, const char *what) {
    bool ok = PQresultStatus(res) == expected;
    if (!ok) set_error(what, PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static bool exec_command(PGconn *conn, const char *sql) {
    return check_result(PQexec(conn, sql), PGRES_COMMAND_OK, sql);
}

static void exec_or_die(PGconn *conn, const char *sql) {
    if (!exec_command(conn, sql)) die("%s", last_error);
}

static void prepare_or_die(PGconn *conn, const char *name, const char *sql) {
    if (!check_result(PQprepare(conn, name, sql, 0, NULL), PGRES_COMMAND_OK, name))
        die("%s", last_error);
}

/* Ends the batch's transaction: COMMIT if everything went through, else ROLLBACK (the
 * transaction is then in the failed state and would refuse everything else). */
static bool finish_transaction(PGconn *conn, bool ok) {
    if (ok) return exec_command(conn, "COMMIT");
    PQclear(PQexec(conn, "ROLLBACK"));
    return false;
}

/* True if every host in a comma-separated libpq host list is local: a loopback
 * address, "localhost", or a Unix-socket directory. */
static bool hosts_are_local(const char *list) {
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", list);
    for (char *save = NULL, *h = strtok_r(copy, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
        bool local = h[0] == '/' || h[0] == '@' || strcmp(h, "localhost") == 0 ||
                     strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0 ||
                     strcmp(h, "[::1]") == 0;
        if (!local) return false;
    }
    return true;
}

/* Refuses, before connecting, any conninfo that names a non-loopback server (host or
 * hostaddr, falling back to PGHOST/PGHOSTADDR; neither means the local socket). */
static void require_loopback(const char *conninfo) {
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (!opts) die("bad conninfo: %s", err ? err : "?");
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "host") != 0 && strcmp(o->keyword, "hostaddr") != 0) continue;
        const char *value = o->val && *o->val ? o->val
                            : getenv(strcmp(o->keyword, "host") == 0 ? "PGHOST" : "PGHOSTADDR");
        if (value && *value && !hosts_are_local(value))
            die("refusing non-loopback %s '%s'", o->keyword, value);
    }
    PQconninfoFree(opts);
}

static PGconn *connect_or_die(const char *conninfo) {
    require_loopback(conninfo);
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) die("connect: %s", PQerrorMessage(conn));
    /* DROP TABLE IF EXISTS would print a NOTICE on every first run. */
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    return conn;
}

static void recreate_table(PGconn *conn) {
    exec_or_die(conn, "DROP TABLE IF EXISTS bench_agg");
    exec_or_die(conn, CREATE_TABLE);
}

/* ------------------------------------------------------------------ parameters */

/* One batch's parameters as NUL-terminated text, row after row (COLS per row): what
 * the pipeline and VALUES strategies bind. Offsets are recorded while writing because
 * the text buffer may move as it grows; pointers are taken at the end. */
typedef struct {
    Buf text;
    size_t *offsets;
    const char **values;
    size_t count, cap;
} Params;

static void params_begin(Params *p, size_t count) {
    if (count > p->cap) {
        p->offsets = realloc(p->offsets, count * sizeof *p->offsets);
        p->values = realloc(p->values, count * sizeof *p->values);
        if (!p->offsets || !p->values) die("out of memory");
        p->cap = count;
    }
    p->text.len = 0;
    p->count = 0;
}

static void params_mark(Params *p) { p->offsets[p->count++] = p->text.len; }

static void params_end(Params *p) {
    for (size_t i = 0; i < p->count; i++) p->values[i] = p->text.data + p->offsets[i];
}

static void build_row_params(Params *p, const Row *rows, int n) {
    params_begin(p, (size_t)n * COLS);
    for (int i = 0; i < n; i++) {
        const Row *r = &rows[i];
        params_mark(p); buf_printf(&p->text, "%s", r->key);   buf_putc(&p->text, '\0');
        params_mark(p); put_int(&p->text, r->window_start);   buf_putc(&p->text, '\0');
        params_mark(p); put_int(&p->text, r->window_end);     buf_putc(&p->text, '\0');
        params_mark(p); put_int(&p->text, r->views);          buf_putc(&p->text, '\0');
        params_mark(p); put_float(&p->text, r->total);        buf_putc(&p->text, '\0');
        params_mark(p); put_float(&p->text, r->top);          buf_putc(&p->text, '\0');
    }
    params_end(p);
}

/* ------------------------------------------------------------------ array literals */

/* A one-dimensional array in PostgreSQL's text input format. Every text element is
 * double-quoted with '"' and '\' backslash-escaped: unquoted, the parser would trim
 * spaces, split on commas, read braces as nesting, take NULL as a null and reject "".
 * Numbers need no quotes. */
static void array_begin(Buf *a) {
    a->len = 0;
    buf_putc(a, '{');
}

static void array_separate(Buf *a) {
    if (a->len > 1) buf_putc(a, ',');
}

static void array_add_text(Buf *a, const char *s) {
    array_separate(a);
    buf_reserve(a, 2 * strlen(s) + 2); /* worst case: every byte escaped */
    a->data[a->len++] = '"';
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') a->data[a->len++] = '\\';
        a->data[a->len++] = *s;
    }
    a->data[a->len++] = '"';
}

static void array_add_int(Buf *a, long long v) { array_separate(a); put_int(a, v); }
static void array_add_float(Buf *a, double v) { array_separate(a); put_float(a, v); }

static void array_end(Buf *a) {
    buf_putc(a, '}');
    buf_putc(a, '\0');
}

/* ------------------------------------------------------------------ strategies */

typedef struct {
    const char *name;
    void (*prepare)(PGconn *conn);
    /* Upserts rows[0..n) in one transaction; sets *build_s to the time spent
     * formatting parameters. False (with last_error set) if the batch failed. */
    bool (*upsert)(PGconn *conn, const Row *rows, int n, double *build_s);
} Strategy;

/* --- 1. unnest: six array parameters, one statement */

static void unnest_prepare(PGconn *conn) { prepare_or_die(conn, "upsert_unnest", UNNEST_UPSERT); }

static void build_arrays(Buf arrays[COLS], const Row *rows, int n) {
    for (int c = 0; c < COLS; c++) array_begin(&arrays[c]);
    for (int i = 0; i < n; i++) {
        array_add_text(&arrays[0], rows[i].key);
        array_add_int(&arrays[1], rows[i].window_start);
        array_add_int(&arrays[2], rows[i].window_end);
        array_add_int(&arrays[3], rows[i].views);
        array_add_float(&arrays[4], rows[i].total);
        array_add_float(&arrays[5], rows[i].top);
    }
    for (int c = 0; c < COLS; c++) array_end(&arrays[c]);
}

static bool unnest_upsert(PGconn *conn, const Row *rows, int n, double *build_s) {
    static Buf arrays[COLS]; /* reused across batches, as a long-lived sink would */
    double t0 = now_wall();
    build_arrays(arrays, rows, n);
    *build_s = now_wall() - t0;

    const char *values[COLS];
    for (int c = 0; c < COLS; c++) values[c] = arrays[c].data;
    if (!exec_command(conn, "BEGIN")) return false;
    PGresult *res = PQexecPrepared(conn, "upsert_unnest", COLS, values, NULL, NULL, 0);
    return finish_transaction(conn, check_result(res, PGRES_COMMAND_OK, "unnest upsert"));
}

/* --- 2. pipeline: N one-row statements, one round trip */

/* "INSERT … VALUES (…),(…) ON CONFLICT …" for `rows` rows, into `sql`. */
static void values_sql(Buf *sql, int rows) {
    sql->len = 0;
    buf_printf(sql, "INSERT INTO bench_agg AS t VALUES ");
    for (int i = 0; i < rows; i++) {
        int p = i * COLS + 1;
        if (i > 0) buf_putc(sql, ',');
        buf_printf(sql, VALUES_TUPLE, p, p + 1, p + 2, p + 3, p + 4, p + 5);
    }
    buf_printf(sql, "%s", ON_CONFLICT);
}

static void pipeline_prepare(PGconn *conn) {
    Buf sql = {0};
    values_sql(&sql, 1);
    prepare_or_die(conn, "upsert_row", sql.data);
    free(sql.data);
}

/* Reads the results of `queued` queries, then the Sync's. Each query yields one result
 * and then NULL. After the first error the server skips everything up to the Sync and
 * libpq reports each skipped query as PGRES_PIPELINE_ABORTED: keep the first real
 * error, but drain them all, or the connection is left mid-pipeline. */
static bool pipeline_drain(PGconn *conn, int queued) {
    bool ok = true;
    for (int q = 0; q < queued; q++) {
        PGresult *res = PQgetResult(conn);
        if (!res) { /* only if the connection broke */
            set_error("pipeline: missing result", PQerrorMessage(conn));
            return false;
        }
        ExecStatusType status = PQresultStatus(res);
        if (status != PGRES_COMMAND_OK && status != PGRES_PIPELINE_ABORTED && ok)
            set_error("pipeline", PQresultErrorMessage(res));
        ok = ok && status == PGRES_COMMAND_OK;
        PQclear(res);
        if ((res = PQgetResult(conn)) != NULL) { /* the NULL ending this query */
            PQclear(res);
            set_error("pipeline", "more than one result for a query");
            return false;
        }
    }
    PGresult *res = PQgetResult(conn);
    if (PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
        if (ok) set_error("pipeline: expected the sync result", PQerrorMessage(conn));
        ok = false;
    }
    PQclear(res);
    return ok;
}

/* Sends BEGIN, one prepared upsert per row, COMMIT and a Sync, then reads everything.
 *
 * Blocking mode is safe here although nothing is read until all is sent: libpq flushes
 * its output every 64 kB in pipeline mode, and when the socket is full it reads (and
 * buffers) the server's pending results before retrying, so client and server never
 * wait on each other. The cost is holding up to N results in memory.
 *
 * On an error the server skips the rest, COMMIT included, and the Sync leaves the
 * explicit transaction open in the failed state: it must be rolled back. */
static bool pipeline_send(PGconn *conn, const char *const *values, int n) {
    if (!PQenterPipelineMode(conn)) {
        set_error("PQenterPipelineMode", PQerrorMessage(conn));
        return false;
    }
    int queued = 0;
    bool sent = PQsendQueryParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    queued += sent;
    for (int i = 0; sent && i < n; i++) {
        sent = PQsendQueryPrepared(conn, "upsert_row", COLS, values + (size_t)i * COLS, NULL, NULL, 0);
        queued += sent;
    }
    if (sent) {
        sent = PQsendQueryParams(conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
        queued += sent;
    }
    if (!sent) set_error("pipeline: send", PQerrorMessage(conn));
    /* Sync even after a failed send, so that whatever was queued can be drained. */
    bool ok = PQpipelineSync(conn) && pipeline_drain(conn, queued) && sent;
    if (!PQexitPipelineMode(conn)) {
        set_error("PQexitPipelineMode", PQerrorMessage(conn));
        ok = false;
    }
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) PQclear(PQexec(conn, "ROLLBACK"));
    return ok;
}

static bool pipeline_upsert(PGconn *conn, const Row *rows, int n, double *build_s) {
    static Params params;
    double t0 = now_wall();
    build_row_params(&params, rows, n);
    *build_s = now_wall() - t0;
    return pipeline_send(conn, params.values, n);
}

/* --- 3. multi-row VALUES: up to 1000 rows per statement */

static void values_prepare(PGconn *conn) {
    Buf sql = {0};
    values_sql(&sql, VALUES_ROWS_PER_STMT);
    prepare_or_die(conn, "upsert_values", sql.data);
    free(sql.data);
}

static bool values_upsert(PGconn *conn, const Row *rows, int n, double *build_s) {
    static Params params;
    static Buf tail_sql;
    double t0 = now_wall();
    build_row_params(&params, rows, n);
    *build_s = now_wall() - t0;

    if (!exec_command(conn, "BEGIN")) return false;
    bool ok = true;
    for (int first = 0; ok && first < n; first += VALUES_ROWS_PER_STMT) {
        int count = n - first < VALUES_ROWS_PER_STMT ? n - first : VALUES_ROWS_PER_STMT;
        const char *const *values = params.values + (size_t)first * COLS;
        PGresult *res;
        if (count == VALUES_ROWS_PER_STMT) {
            res = PQexecPrepared(conn, "upsert_values", count * COLS, values, NULL, NULL, 0);
        } else { /* a short last chunk: its own, unprepared statement */
            values_sql(&tail_sql, count);
            res = PQexecParams(conn, tail_sql.data, count * COLS, NULL, values, NULL, NULL, 0);
        }
        ok = check_result(res, PGRES_COMMAND_OK, "values upsert");
    }
    return finish_transaction(conn, ok);
}

static const Strategy STRATEGIES[] = {
    {"unnest", unnest_prepare, unnest_upsert},
    {"pipeline", pipeline_prepare, pipeline_upsert},
    {"values", values_prepare, values_upsert},
};
#define STRATEGY_COUNT (int)(sizeof STRATEGIES / sizeof STRATEGIES[0])

/* ------------------------------------------------------------------ checks */

/* The table after `batches` batches: n rows, views summed over all batches, and the
 * escaped key (if n has one) with its views and top. */
static void verify_table(PGconn *conn, const Row *rows, int n, int batches, const char *strategy) {
    long long want_sum = 0;
    for (int i = 0; i < n; i++) want_sum += row_views(i) * batches;
    PGresult *res = PQexec(conn, "SELECT count(*), sum(views) FROM bench_agg");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) die("verify: %s", PQresultErrorMessage(res));
    long long count = atoll(PQgetvalue(res, 0, 0)), sum = atoll(PQgetvalue(res, 0, 1));
    PQclear(res);
    if (count != n || sum != want_sum)
        die("%s, n=%d: table has %lld rows and %lld views, expected %d and %lld",
            strategy, n, count, sum, n, want_sum);
    if (n < 1000) return;

    int i = 999; /* the key with quotes, backslash, braces, comma and NULL */
    double want_top = 0;
    for (int b = 0; b < batches; b++)
        if (row_top(i, b) > want_top) want_top = row_top(i, b);
    const char *key = rows[i].key;
    res = PQexecParams(conn, "SELECT views, top FROM bench_agg WHERE page = $1",
                       1, NULL, &key, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        die("%s: row '%s' not found %s", strategy, key, PQresultErrorMessage(res));
    if (atoll(PQgetvalue(res, 0, 0)) != row_views(i) * batches || atof(PQgetvalue(res, 0, 1)) != want_top)
        die("%s: row '%s' has views %s top %s", strategy, key, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    PQclear(res);
}

static long long count_rows(PGconn *conn) {
    PGresult *res = PQexec(conn, "SELECT count(*) FROM bench_agg");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) die("count: %s", PQresultErrorMessage(res));
    long long count = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return count;
}

/* Runs the pipeline error path once before measuring: a bad value in one row must fail
 * the whole batch with that row's error (not just "aborted"), commit nothing, and leave
 * the connection idle and usable for the next batch. */
static void check_pipeline_errors(const char *conninfo) {
    enum { N = 10, BAD_ROW = 3 };
    PGconn *conn = connect_or_die(conninfo);
    recreate_table(conn);
    pipeline_prepare(conn);
    Row rows[N];
    make_keys(rows, N);
    fill_batch(rows, N, 0);
    Params params = {0};
    build_row_params(&params, rows, N);

    params.values[BAD_ROW * COLS + 3] = "not-a-number"; /* views */
    last_error[0] = '\0';
    if (pipeline_send(conn, params.values, N)) die("pipeline check: a bad row was accepted");
    if (!strstr(last_error, "not-a-number")) die("pipeline check: unexpected error: %s", last_error);
    if (PQtransactionStatus(conn) != PQTRANS_IDLE || count_rows(conn) != 0)
        die("pipeline check: the failed batch left a transaction or rows behind");

    build_row_params(&params, rows, N);
    if (!pipeline_send(conn, params.values, N)) die("pipeline check: good batch failed: %s", last_error);
    if (count_rows(conn) != N) die("pipeline check: good batch did not commit");
    last_error[strcspn(last_error, "\n")] = '\0';
    fprintf(stderr, "pq_batch: pipeline error path ok (%s)\n", last_error);

    free(params.text.data);
    free(params.offsets);
    free(params.values);
    PQfinish(conn);
}

/* ------------------------------------------------------------------ the benchmark */

typedef struct {
    double rows_per_s, client_cpu_per_m, server_cpu_per_m, build_ms;
} Result;

static Result run_case(const char *conninfo, const Strategy *s, int n, int batches) {
    PGconn *conn = connect_or_die(conninfo);
    recreate_table(conn);
    s->prepare(conn);
    int backend = PQbackendPID(conn);

    Row *rows = calloc((size_t)n, sizeof *rows);
    double *rates = calloc((size_t)batches, sizeof *rates);
    double *builds = calloc((size_t)batches, sizeof *builds);
    if (!rows || !rates || !builds) die("out of memory");
    make_keys(rows, n);

    double client = 0, server_start = -1;
    for (int b = 0; b < batches; b++) {
        fill_batch(rows, n, b);
        double cpu0 = client_cpu(), t0 = now_wall(), build_s;
        if (!s->upsert(conn, rows, n, &build_s)) die("%s, n=%d, batch %d: %s", s->name, n, b, last_error);
        double t1 = now_wall(), cpu1 = client_cpu();
        if (b == 0) { /* warm-up: start counting after it */
            server_start = backend_cpu(backend);
            continue;
        }
        rates[b - 1] = n / (t1 - t0);
        builds[b - 1] = build_s * 1e3;
        client += cpu1 - cpu0;
    }
    double server_end = backend_cpu(backend);
    verify_table(conn, rows, n, batches, s->name);

    double measured_rows = (double)n * (batches - 1);
    Result r = {
        .rows_per_s = median(rates, batches - 1),
        .client_cpu_per_m = client / measured_rows * 1e6,
        .server_cpu_per_m = server_start < 0 || server_end < 0
                                ? -1 : (server_end - server_start) / measured_rows * 1e6,
        .build_ms = median(builds, batches - 1),
    };
    free(rows);
    free(rates);
    free(builds);
    PQfinish(conn);
    return r;
}

static void print_context(const char *conninfo) {
    PGconn *conn = connect_or_die(conninfo);
    PGresult *res = PQexec(conn, "SELECT current_setting('server_version'), current_setting('fsync'),"
                                 " current_setting('synchronous_commit'), current_setting('shared_buffers')");
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        printf("PostgreSQL %s (fsync=%s, synchronous_commit=%s, shared_buffers=%s), libpq %d, %ld cores\n\n",
               PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
               PQgetvalue(res, 0, 3), PQlibVersion(), sysconf(_SC_NPROCESSORS_ONLN));
    PQclear(res);
    PQfinish(conn);
}

static int env_int(const char *name, int fallback) {
    const char *v = getenv(name);
    return v && *v ? atoi(v) : fallback;
}

int main(int argc, char **argv) {
    if (argc != 2) die("usage: pq_batch CONNINFO");
    const char *conninfo = argv[1];
    int batches = env_int("BATCHES", 20);
    if (batches < 2) die("BATCHES must be at least 2 (the first is warm-up)");
    char sizes[256];
    snprintf(sizes, sizeof sizes, "%s", getenv("SIZES") ? getenv("SIZES") : "1000,10000");

    check_pipeline_errors(conninfo);
    print_context(conninfo);
    printf("%d batches per case, first one warm-up; every later batch conflicts on every row.\n\n", batches);
    printf("| strategy | rows/batch | median rows/s | client CPU-s per 1M rows | server CPU-s per 1M rows | build ms/batch |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    fflush(stdout);

    for (char *save = NULL, *tok = strtok_r(sizes, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int n = atoi(tok);
        if (n < 1) die("bad batch size '%s'", tok);
        for (int s = 0; s < STRATEGY_COUNT; s++) {
            Result r = run_case(conninfo, &STRATEGIES[s], n, batches);
            char server[32] = "n/a";
            if (r.server_cpu_per_m >= 0) snprintf(server, sizeof server, "%.2f", r.server_cpu_per_m);
            printf("| %s | %d | %.0f | %.2f | %s | %.2f |\n", STRATEGIES[s].name, n, r.rows_per_s,
                   r.client_cpu_per_m, server, r.build_ms);
            fflush(stdout);
        }
    }
    return 0;
}
