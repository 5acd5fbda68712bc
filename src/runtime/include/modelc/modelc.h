/* modelc.h - the libmodelc runtime: value types shared by generated code.
 *
 * Generated headers include this file and check MODELC_ABI_VERSION, so code
 * generated for one runtime cannot be compiled against another. */
#ifndef MODELC_MODELC_H
#define MODELC_MODELC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODELC_ABI_VERSION 6

#ifdef __cplusplus
extern "C" {
#endif

/* Text, not NUL-terminated: ptr points into the result that holds the row. */
typedef struct mc_str { const char *ptr; size_t len; } mc_str;
typedef struct mc_bytes { const uint8_t *ptr; size_t len; } mc_bytes;
typedef struct mc_uuid { uint8_t bytes[16]; } mc_uuid;

/* numeric stays exact: its decimal text form, e.g. "1234.50". */
typedef mc_str mc_numeric;
typedef mc_str mc_json;     /* json and jsonb, as text */
typedef mc_str mc_inet;     /* inet, as text */

/* Dates and times use PostgreSQL's own epoch (2000-01-01) and units. */
typedef struct mc_date { int32_t days; } mc_date;                    /* days since 2000-01-01 */
typedef struct mc_time { int64_t usec; } mc_time;                    /* microseconds since midnight */
typedef struct mc_timetz { int64_t usec; int32_t zone_sec; } mc_timetz; /* zone: seconds west of UTC */
typedef struct mc_timestamp { int64_t usec; } mc_timestamp;          /* since 2000-01-01 00:00:00 */
typedef struct mc_timestamptz { int64_t usec; } mc_timestamptz;      /* since 2000-01-01 00:00:00 UTC */
typedef struct mc_interval { int64_t usec; int32_t days; int32_t months; } mc_interval;

/* One-dimensional arrays. */
/* nulls is NULL when no element is NULL, else one flag per item. */
#define MC_ARRAY_TYPE(name, T) typedef struct name { T *items; bool *nulls; size_t n; } name
MC_ARRAY_TYPE(mc_int16_array, int16_t);
MC_ARRAY_TYPE(mc_int32_array, int32_t);
MC_ARRAY_TYPE(mc_int64_array, int64_t);
MC_ARRAY_TYPE(mc_bool_array, bool);
MC_ARRAY_TYPE(mc_float_array, float);
MC_ARRAY_TYPE(mc_double_array, double);
MC_ARRAY_TYPE(mc_str_array, mc_str);
MC_ARRAY_TYPE(mc_bytes_array, mc_bytes);
MC_ARRAY_TYPE(mc_uuid_array, mc_uuid);
MC_ARRAY_TYPE(mc_date_array, mc_date);
MC_ARRAY_TYPE(mc_time_array, mc_time);
MC_ARRAY_TYPE(mc_timetz_array, mc_timetz);
MC_ARRAY_TYPE(mc_timestamp_array, mc_timestamp);
MC_ARRAY_TYPE(mc_timestamptz_array, mc_timestamptz);
MC_ARRAY_TYPE(mc_interval_array, mc_interval);

/* Whether a relationship member of a row was loaded by the call that
 * produced it. Reading one that was not is a program error, never an
 * implicit query. */
typedef enum mc_load { MC_NOT_LOADED = 0, MC_LOADED = 1 } mc_load;


/* ---- status and errors ----------------------------------------------------
 * Every call returns an mc_status: MC_OK (0) or a negative kind to switch
 * on. The details of the last failure stay on the connection (mc_last_error)
 * until the next call on it. */
typedef enum mc_status {
    MC_OK = 0,
    MC_NOT_FOUND = -1,              /* get: no such row (not an error message) */
    MC_UNIQUE_VIOLATION = -2,       /* 23505 */
    MC_FOREIGN_KEY_VIOLATION = -3,  /* 23503 */
    MC_CHECK_VIOLATION = -4,        /* 23514 */
    MC_NOT_NULL_VIOLATION = -5,     /* 23502 */
    MC_SERIALIZATION_FAILURE = -6,  /* 40001 or deadlock 40P01: retry the transaction */
    MC_STALE_VERSION = -7,          /* update of a version column lost to another writer */
    MC_CONNECTION_LOST = -8,
    MC_POOL_TIMEOUT = -9,
    MC_INVALID = -10,               /* a bad argument or call order */
    MC_DATA = -11,                  /* a value could not be converted */
    MC_NOMEM = -12,
    MC_ERROR = -13                  /* any other server error: see sqlstate */
} mc_status;

typedef struct mc_error {
    mc_status status;
    char sqlstate[6];               /* "" when the error did not come from the server */
    const char *message;            /* never NULL */
    const char *detail, *hint;      /* may be NULL */
    const char *constraint, *table, *column;   /* may be NULL */
    int constraint_id;              /* the model's constraint enum value, or -1 */
} mc_error;

/* A short name for a status ("unique violation"). */
const char *mc_status_name(mc_status s);
/* True for kinds worth retrying the whole transaction for. */
static inline bool mc_status_retryable(mc_status s) { return s == MC_SERIALIZATION_FAILURE; }

/* ---- connections ---------------------------------------------------------- */
typedef struct mc_conn mc_conn;

typedef struct mc_conn_opts {
    bool unnamed_statements;        /* no server-side prepared statements (PgBouncer transaction mode) */
} mc_conn_opts;
#define MC_CONN_OPTS_INIT { false }

/* Opens a connection (libpq conninfo or URL; NULL or "" = PG* environment).
 * On failure *out is still set when memory allowed, so mc_last_error(*out)
 * explains; close it either way. */
mc_status mc_conn_open(mc_conn **out, const char *conninfo, const mc_conn_opts *opts);
void mc_conn_close(mc_conn *c);
const mc_error *mc_last_error(const mc_conn *c);
mc_status mc_conn_ping(mc_conn *c);          /* SELECT 1 */
bool mc_conn_ok(const mc_conn *c);           /* the socket is still up, as far as libpq knows */
void *mc_conn_pg(mc_conn *c);                /* the PGconn *, for what modelc does not cover */

/* Statements issued on this connection since it was opened. */
uint64_t mc_conn_statements(const mc_conn *c);
/* Round trips since it was opened: the times it sent something and waited
 * for the answer. A statement is one (two when it is prepared first), a
 * batch run is one, whatever the number of its statements. */
uint64_t mc_conn_round_trips(const mc_conn *c);
/* The connection's socket, for poll/epoll while a batch runs (see
 * mc_batch_step); -1 when there is none. Read it, never close it. */
int mc_conn_socket(const mc_conn *c);

/* Called after every statement: the echo=True equivalent. */
typedef struct mc_stmt_event {
    const char *sql;
    int nparams;
    double duration_ms;
    long rows;                      /* rows returned or affected, -1 on error */
    mc_status status;
    const mc_error *error;          /* NULL on success */
} mc_stmt_event;
typedef void (*mc_stmt_hook)(void *ctx, const mc_stmt_event *ev);
void mc_conn_set_hook(mc_conn *c, mc_stmt_hook hook, void *ctx);

/* ---- transactions ----------------------------------------------------------
 * mc_begin nests: the outer call starts a transaction, inner calls set
 * savepoints. mc_commit releases the innermost level (commits the outer
 * one), mc_rollback rolls it back; the levels above stay usable. */
mc_status mc_begin(mc_conn *c);
mc_status mc_commit(mc_conn *c);
mc_status mc_rollback(mc_conn *c);
int mc_tx_depth(const mc_conn *c);           /* 0 outside a transaction */

typedef enum mc_isolation { MC_READ_COMMITTED, MC_REPEATABLE_READ, MC_SERIALIZABLE } mc_isolation;
typedef mc_status (*mc_tx_fn)(mc_conn *c, void *ctx);
/* Runs fn inside a transaction and commits; rolls back when fn fails.
 * On a serialization failure or deadlock it runs fn again, up to
 * max_attempts times in all. */
mc_status mc_transaction(mc_conn *c, mc_isolation iso, int max_attempts, mc_tx_fn fn, void *ctx);

/* ---- batches ----------------------------------------------------------------
 * Many generated calls on one connection in one round trip (libpq's
 * pipeline mode). Queue calls with the generated <table>_<op>_batch
 * functions, then mc_batch_run (blocking) or, from an event loop, call
 * mc_batch_step whenever mc_conn_socket is readable (or writable, when
 * mc_batch_wants_write) until *done.
 *
 * Each call is its own pipeline segment (a sync after its statements), so
 * a failing call fails alone: outside a transaction every call commits on
 * its own, as if run by itself; inside mc_begin/mc_commit the calls run in
 * that transaction, and a failure aborts it as usual (the calls after it
 * fail with SQLSTATE 25P02). A call's out-parameters (res, out, st) must
 * stay valid until the batch has run; st is MC_INVALID until the call has
 * run. While a batch runs, other calls on its connection fail with
 * MC_INVALID. A batch runs once and must not outlive its connection. */
typedef struct mc_batch mc_batch;

/* NULL when c is NULL or out of memory. */
mc_batch *mc_batch_new(mc_conn *c);
/* Frees b and the copies it made (NULL is fine). A batch that is still
 * running is run to its end first (blocking); results handed to calls
 * belong to their callers either way. */
void mc_batch_free(mc_batch *b);
mc_conn *mc_batch_conn(const mc_batch *b);
/* Sends every call and waits for all of them. MC_OK when the batch ran:
 * each call's status is then in its st (and mc_batch_status); otherwise
 * why the batch could not run or finish: MC_INVALID (the connection is
 * busy: nothing was sent, the batch may run later) or MC_CONNECTION_LOST
 * (the calls without an answer got that status). Afterwards
 * mc_last_error(c) describes that failure, or else the first call that
 * failed with an error. */
mc_status mc_batch_run(mc_batch *b);
/* The non-blocking form: sends what the socket takes, reads what has
 * come, and hands out the results that are complete; *done when all calls
 * have their status. Returns as mc_batch_run, at the end (with *done). */
mc_status mc_batch_step(mc_batch *b, bool *done);
/* Whether the batch has output waiting for the socket to be writable
 * (poll for POLLOUT too); it always waits for input while not done. */
bool mc_batch_wants_write(const mc_batch *b);
/* Calls queued (the first is 0), and what became of call i: its status
 * (MC_INVALID until it has run), and the error of a call that failed
 * (sqlstate, constraint, ...: NULL when it succeeded or has not run; valid
 * while b lives). */
size_t mc_batch_calls(const mc_batch *b);
mc_status mc_batch_status(const mc_batch *b, size_t i);
const mc_error *mc_batch_error(const mc_batch *b, size_t i);

/* ---- pool ------------------------------------------------------------------ */
typedef struct mc_pool mc_pool;
typedef struct mc_pool_opts {
    const char *conninfo;
    int pool_size;                  /* connections kept open */
    int max_overflow;               /* extra connections when all are busy, closed on release */
    double pool_timeout;            /* seconds acquire waits before MC_POOL_TIMEOUT */
    double pool_recycle;            /* seconds after which a connection is replaced; <= 0: never */
    bool pre_ping;                  /* check a connection before handing it out */
    mc_conn_opts conn;
} mc_pool_opts;
#define MC_POOL_OPTS_INIT { NULL, 5, 10, 30.0, -1.0, false, MC_CONN_OPTS_INIT }

mc_status mc_pool_new(mc_pool **out, const mc_pool_opts *opts);
/* Thread-safe. err (may be NULL) receives the reason of a failure. */
mc_status mc_pool_acquire(mc_pool *p, mc_conn **out, mc_error *err);
/* A connection given back inside a transaction is rolled back first. */
void mc_pool_release(mc_pool *p, mc_conn *c);
void mc_pool_free(mc_pool *p);               /* all connections must be released */

/* Flags of generated read calls: soft-deleted rows count too. (The low
 * bits are for choosing relationships to load.) */
#define MC_INCLUDE_DELETED 0x80000000u
/* Load the relationships the model marks with a load strategy other than lazy. */
#define MC_LOAD_DEFAULTS 0x40000000u
/* Rows per batch of a generated _stream that loads relationships. */
#define MC_STREAM_BATCH 1000

/* What to load, nested to any depth: flags are the table's _LOAD_ bits;
 * next[i] (may be NULL, or next itself) says what to load below the
 * relationship with index i (the table's _REL_ constants). */
typedef struct mc_load_plan {
    unsigned flags;
    const struct mc_load_plan *const *next;
} mc_load_plan;

/* Comparison operators of generated query conditions. */
typedef enum mc_op {
    MC_OP_EQ, MC_OP_NE, MC_OP_LT, MC_OP_LE, MC_OP_GT, MC_OP_GE,
    MC_OP_IN,                       /* col = ANY($n::type[]): the value is an array parameter */
    MC_OP_NOT_IN,
    MC_OP_IS_NULL, MC_OP_IS_NOT_NULL, /* no value */
    MC_OP_LIKE, MC_OP_ILIKE         /* the pattern is sent as text, not cast to the column's type */
} mc_op;

/* ---- results ---------------------------------------------------------------
 * The rows of one call, and everything they point to, live in one result:
 * mc_result_free releases all of it. Text points into libpq's memory. */
typedef struct mc_result mc_result;
void mc_result_free(mc_result *r);           /* NULL is fine */

/* Index of s[0..len) in labels[0..n), or -1: what generated
 * <enum>_from_string functions call. */
static inline int mc_enum_index(const char *const *labels, unsigned n, const char *s, size_t len)
{
    for (unsigned i = 0; i < n; i++) {
        const char *l = labels[i];
        size_t k = 0;
        while (k < len && l[k] && l[k] == s[k])
            k++;
        if (k == len && l[k] == '\0')
            return (int)i;
    }
    return -1;
}

#ifdef __cplusplus
}
#endif

#endif
