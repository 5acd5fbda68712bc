/* modelc_bench.c - the peer benchmark kit's workloads through modelc's
 * generated API (bench/blog.model) and the runtime only.
 *
 *   PGURI=postgresql://... modelc_bench <workload> <size>
 *
 * prints one JSON line: impl, workload, n, seconds (wall time of the timed
 * section), statements (mc_conn_statements over the timed section), rows,
 * cpu_seconds (process CPU time of the timed section). Setup (connecting,
 * reading the id list, building the input, the eager warm-up load) is
 * outside the clock. No SQL is written here: every statement comes from
 * the generated code or the runtime (transactions).
 *
 * transfer: each side is the generated increment_where (balance =
 * balance + $delta WHERE id = $id [AND balance >= $amt]). See
 * bench/README.md. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blog.h"

#define LOREM "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do " \
              "eiusmod tempor incididunt ut labore. #"

static mc_conn *conn;
static const char *workload_name;

static void die(const char *what, mc_status s)
{
    const mc_error *e = mc_last_error(conn);
    fprintf(stderr, "modelc_bench %s: %s: %s (%s%s%s)\n", workload_name, what, e->message,
            mc_status_name(s), e->sqlstate[0] ? ", SQLSTATE " : "", e->sqlstate);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fprintf(stderr, "modelc_bench: out of memory\n");
        exit(1);
    }
    return p;
}

/* A NUL-free string built with printf, kept for the whole run. */
static mc_str fmt(const char *f, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, f);
    int len = vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof buf) {
        fprintf(stderr, "modelc_bench: string too long\n");
        exit(1);
    }
    char *p = xmalloc((size_t)len + 1);
    memcpy(p, buf, (size_t)len + 1);
    return (mc_str){ p, (size_t)len };
}

/* ---- the clock ----------------------------------------------------------- */

typedef struct span {
    struct timespec wall, cpu;
    uint64_t statements;
} span;

static double ts_diff(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static void clock_start(span *s)
{
    s->statements = mc_conn_statements(conn);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &s->cpu);
    clock_gettime(CLOCK_MONOTONIC, &s->wall);
}

static void clock_stop_and_report(const span *s, long n, long rows)
{
    struct timespec wall, cpu;
    clock_gettime(CLOCK_MONOTONIC, &wall);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    uint64_t stmts = mc_conn_statements(conn) - s->statements;
    printf("{\"impl\": \"modelc\", \"workload\": \"%s\", \"n\": %ld, \"seconds\": %.6f, "
           "\"statements\": %" PRIu64 ", \"rows\": %ld, \"cpu_seconds\": %.6f}\n",
           workload_name, n, ts_diff(s->wall, wall), stmts, rows, ts_diff(s->cpu, cpu));
}

/* ---- setup ----------------------------------------------------------------- */

/* ids = SELECT id FROM users ORDER BY email, through the generated list. */
static mc_uuid *read_ids(size_t *count)
{
    blog_users_query *q = blog_users_query_new();
    mc_result *res;
    blog_user *users;
    size_t n;
    if (!q) {
        fprintf(stderr, "modelc_bench: out of memory\n");
        exit(1);
    }
    blog_users_order_by_email(q, false);
    mc_status s = blog_users_list(conn, q, 0, &res, &users, &n);
    blog_users_query_free(q);
    if (s != MC_OK)
        die("reading the ids", s);
    mc_uuid *ids = xmalloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = users[i].id;
    mc_result_free(res);
    if (n == 0) {
        fprintf(stderr, "modelc_bench %s: no users seeded\n", workload_name);
        exit(1);
    }
    *count = n;
    return ids;
}

/* ---- workloads --------------------------------------------------------------- */

/* INSERT ... RETURNING, one statement each, autocommit. */
static void insert_one(long n)
{
    blog_user *in = xmalloc((size_t)n * sizeof *in);
    for (long k = 0; k < n; k++) {
        in[k].email = fmt("new%ld@example.com", k);
        in[k].name = fmt("New User %ld", k);
        in[k].deleted_at_null = true;        /* the other columns take their defaults */
    }
    long rows = 0;
    span sp;
    clock_start(&sp);
    for (long k = 0; k < n; k++) {
        mc_result *res;
        blog_user *out;
        mc_status s = blog_users_insert(conn, &in[k], 0, &res, &out);
        if (s != MC_OK)
            die("insert", s);
        rows++;
        mc_result_free(res);
    }
    clock_stop_and_report(&sp, n, rows);
}

/* n posts in one COPY. */
static void bulk_insert(long n)
{
    size_t u;
    mc_uuid *ids = read_ids(&u);
    blog_post *rows = xmalloc((size_t)n * sizeof *rows);
    for (long k = 0; k < n; k++) {
        rows[k].author_id = ids[(size_t)k % u];
        rows[k].title = fmt("Post %ld", k);
        rows[k].body = fmt("%s%ld", LOREM, k);
        rows[k].views = (int32_t)(k % 1000);
    }
    int64_t count = 0;
    span sp;
    clock_start(&sp);
    mc_status s = blog_posts_copy(conn, rows, (size_t)n, BLOG_POSTS_VIEWS, &count);
    if (s != MC_OK)
        die("copy", s);
    clock_stop_and_report(&sp, n, (long)count);
}

/* SELECT by primary key, decoded into a blog_user. */
static void get_by_pk(long n)
{
    size_t u;
    mc_uuid *ids = read_ids(&u);
    long rows = 0;
    size_t touched = 0;
    span sp;
    clock_start(&sp);
    for (long k = 0; k < n; k++) {
        mc_result *res;
        blog_user *out;
        mc_status s = blog_users_get(conn, ids[(size_t)k * 7919 % u], 0, &res, &out);
        if (s == MC_NOT_FOUND)
            continue;
        if (s != MC_OK)
            die("get", s);
        rows++;
        touched += out->email.len;
        mc_result_free(res);
    }
    clock_stop_and_report(&sp, n, rows);
    if (touched == 0)
        fprintf(stderr, "modelc_bench: no e-mail read\n");
}

/* get_by_pk with every lookup queued in one batch (libpq pipeline mode:
 * the runtime keeps at most 1000 in flight), run, then read. */
static void pipeline(long n)
{
    size_t u;
    mc_uuid *ids = read_ids(&u);
    mc_result **res = xmalloc((size_t)n * sizeof *res);
    blog_user **out = xmalloc((size_t)n * sizeof *out);
    mc_status *st = xmalloc((size_t)n * sizeof *st);
    long rows = 0;
    size_t touched = 0;
    span sp;
    clock_start(&sp);
    mc_batch *b = mc_batch_new(conn);
    if (!b)
        die("batch", MC_NOMEM);
    for (long k = 0; k < n; k++) {
        mc_status s = blog_users_get_batch(b, ids[(size_t)k * 7919 % u], 0, &res[k], &out[k], &st[k]);
        if (s != MC_OK)
            die("queue", s);
    }
    mc_status s = mc_batch_run(b);
    if (s != MC_OK)
        die("batch run", s);
    for (long k = 0; k < n; k++) {
        if (st[k] == MC_NOT_FOUND)
            continue;
        if (st[k] != MC_OK)
            die("get", st[k]);
        rows++;
        touched += out[k]->email.len;
        mc_result_free(res[k]);
    }
    mc_batch_free(b);
    clock_stop_and_report(&sp, n, rows);
    if (touched == 0)
        fprintf(stderr, "modelc_bench: no e-mail read\n");
    free(res);
    free(out);
    free(st);
}

/* UPDATE ... SET name, updated_at = now() (the model's 'on update now()'),
 * by primary key, autocommit: the generated update with a column mask. */
static void update_by_pk(long n)
{
    size_t u;
    mc_uuid *ids = read_ids(&u);
    blog_user *in = xmalloc((size_t)n * sizeof *in);
    for (long k = 0; k < n; k++) {
        in[k].id = ids[(size_t)k * 7919 % u];
        in[k].name = fmt("Renamed %ld", k);
    }
    long rows = 0;
    span sp;
    clock_start(&sp);
    for (long k = 0; k < n; k++) {
        /* res and out NULL: the row is not wanted back (no RETURNING) */
        mc_status s = blog_users_update(conn, &in[k], BLOG_USERS_NAME, NULL, NULL);
        if (s == MC_NOT_FOUND)
            continue;
        if (s != MC_OK)
            die("update", s);
        rows++;
    }
    clock_stop_and_report(&sp, n, rows);
}

/* The first n users by e-mail with their posts (or roles), attached. */
static long eager_load(long n, unsigned flags)
{
    blog_users_query *q = blog_users_query_new();
    mc_result *res;
    blog_user *users;
    size_t got;
    long attached = 0;
    if (!q) {
        fprintf(stderr, "modelc_bench: out of memory\n");
        exit(1);
    }
    blog_users_order_by_email(q, false);
    blog_users_limit(q, n);
    mc_status s = blog_users_list(conn, q, flags, &res, &users, &got);
    blog_users_query_free(q);
    if (s != MC_OK)
        die("list", s);
    for (size_t i = 0; i < got; i++) {
        if (flags & BLOG_USERS_LOAD_POSTS) {
            if (users[i].posts.state != MC_LOADED)
                die("posts not loaded", MC_ERROR);
            attached += (long)users[i].posts.n;
        }
        if (flags & BLOG_USERS_LOAD_ROLES) {
            if (users[i].roles.state != MC_LOADED)
                die("roles not loaded", MC_ERROR);
            attached += (long)users[i].roles.n;
        }
    }
    mc_result_free(res);
    return attached;
}

static void eager(long n, unsigned flags)
{
    (void)eager_load(n, flags);              /* the warm-up the protocol allows */
    span sp;
    clock_start(&sp);
    long rows = eager_load(n, flags);
    clock_stop_and_report(&sp, n, rows);
}

/* numeric(12,2) text of an amount in cents ("-51.25") */
typedef struct money { char text[32]; } money;

static mc_numeric money_of(money *m, int64_t cents)
{
    int64_t a = cents < 0 ? -cents : cents;
    int len = snprintf(m->text, sizeof m->text, "%s%" PRId64 ".%02" PRId64, cents < 0 ? "-" : "", a / 100,
                       a % 100);
    return (mc_numeric){ m->text, (size_t)len };
}

/* balance = balance + delta on account id (and, for a debit, only where
 * balance >= -delta): the generated increment_where, one statement;
 * *changed = rows written. */
static void add_to_balance(int64_t id, int64_t delta, int64_t *changed)
{
    money m_amt, m_delta;
    blog_accounts_query *q = blog_accounts_query_new();
    if (!q) {
        fprintf(stderr, "modelc_bench: out of memory\n");
        exit(1);
    }
    blog_accounts_where_id(q, MC_OP_EQ, id);
    if (delta < 0)
        blog_accounts_where_balance(q, MC_OP_GE, money_of(&m_amt, -delta));
    blog_account d = { .balance = money_of(&m_delta, delta) };
    mc_status s = blog_accounts_increment_where(conn, q, &d, BLOG_ACCOUNTS_BALANCE, changed);
    blog_accounts_query_free(q);
    if (s != MC_OK)
        die("increment_where account", s);
}

/* BEGIN; SAVEPOINT; debit src if it has the money; credit dst; (RELEASE
 * is deferred by the runtime: COMMIT ends the savepoint) or ROLLBACK TO
 * when nothing moved; COMMIT: 5 statements either way. */
static void transfer(long n)
{
    const int64_t accounts = 1000;
    long moved = 0;
    span sp;
    clock_start(&sp);
    for (long i = 0; i < n; i++) {
        int64_t src = (i * 37) % accounts + 1;
        int64_t dst = (i * 37 + accounts / 2) % accounts + 1;
        int64_t amt = ((i * 7) % 50 + 1) * 100 + 25;
        int64_t changed = 0;
        mc_status s;
        if ((s = mc_begin(conn)) != MC_OK)
            die("begin", s);
        if ((s = mc_begin(conn)) != MC_OK)
            die("savepoint", s);
        add_to_balance(src, -amt, &changed);
        if (changed == 1) {
            add_to_balance(dst, amt, &changed);
            if (changed != 1)
                die("credit changed no row", MC_ERROR);
            if ((s = mc_commit(conn)) != MC_OK)
                die("release savepoint", s);
            moved++;
        } else if ((s = mc_rollback(conn)) != MC_OK) {
            die("rollback to savepoint", s);
        }
        if ((s = mc_commit(conn)) != MC_OK)
            die("commit", s);
    }
    clock_stop_and_report(&sp, n, moved);
}

typedef struct stream_sum {
    long rows;
    int64_t views;
} stream_sum;

static int stream_row(void *ctx, const blog_post *row)
{
    stream_sum *sum = ctx;
    sum->rows++;
    sum->views += row->views;
    return 0;
}

/* Every post, one row in memory at a time (single-row mode). */
static void stream(long n)
{
    stream_sum sum = { 0, 0 };
    span sp;
    clock_start(&sp);
    mc_status s = blog_posts_stream(conn, NULL, 0, stream_row, &sum);
    if (s != MC_OK)
        die("stream", s);
    clock_stop_and_report(&sp, n, sum.rows);
    fprintf(stderr, "modelc_bench stream: sum(views) = %" PRId64 "\n", sum.views);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: PGURI=... %s WORKLOAD SIZE\n"
                        "workloads: insert_one bulk_insert get_by_pk update_by_pk eager_one_to_many\n"
                        "           eager_many_to_many transfer stream pipeline\n", argv[0]);
        return 2;
    }
    workload_name = argv[1];
    char *end;
    long n = strtol(argv[2], &end, 10);
    if (*end || n <= 0) {
        fprintf(stderr, "modelc_bench: bad size '%s'\n", argv[2]);
        return 2;
    }
    static const char *const known[] = {
        "insert_one", "bulk_insert", "get_by_pk", "update_by_pk", "eager_one_to_many",
        "eager_many_to_many", "transfer", "stream", "pipeline",
    };
    bool ok = false;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        ok = ok || strcmp(workload_name, known[i]) == 0;
    if (!ok) {
        fprintf(stderr, "modelc_bench: unknown workload '%s'\n", workload_name);
        return 2;
    }
    const char *uri = getenv("PGURI");
    mc_status s = mc_conn_open(&conn, uri ? uri : "", NULL);
    if (s != MC_OK)
        die("connect", s);

    if (strcmp(workload_name, "insert_one") == 0)
        insert_one(n);
    else if (strcmp(workload_name, "bulk_insert") == 0)
        bulk_insert(n);
    else if (strcmp(workload_name, "get_by_pk") == 0)
        get_by_pk(n);
    else if (strcmp(workload_name, "update_by_pk") == 0)
        update_by_pk(n);
    else if (strcmp(workload_name, "eager_one_to_many") == 0)
        eager(n, BLOG_USERS_LOAD_POSTS);
    else if (strcmp(workload_name, "eager_many_to_many") == 0)
        eager(n, BLOG_USERS_LOAD_ROLES);
    else if (strcmp(workload_name, "transfer") == 0)
        transfer(n);
    else if (strcmp(workload_name, "pipeline") == 0)
        pipeline(n);
    else
        stream(n);

    fflush(stdout);
    mc_conn_close(conn);
    return 0;
}
