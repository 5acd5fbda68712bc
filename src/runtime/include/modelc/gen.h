/* modelc/gen.h - what generated code calls: statements, parameters, result
 * memory and the text codecs. Application code rarely needs it. Generated
 * sources include it together with <libpq-fe.h>. */
#ifndef MODELC_GEN_H
#define MODELC_GEN_H

#include "modelc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A statement of the generated code: static, one per operation. */
typedef struct mc_stmt {
    const char *name;               /* server-side prepared statement name */
    const char *sql;                /* $1.. placeholders; only generated identifiers in it */
    int nparams;
    int binary;                     /* 1: results in binary format (every result column has a
                                     * binary decoder, mc_get_*), 0: text */
} mc_stmt;

/* Parameters in text format. Values are copied into the builder (small
 * ones inline, larger ones on the heap); mc_params_free releases them. */
#define MC_PARAMS_INLINE 32
typedef struct mc_params {
    int n, cap;
    const char **values;            /* NULL entry = SQL NULL */
    int *lengths;
    const char *inline_values[MC_PARAMS_INLINE];
    int inline_lengths[MC_PARAMS_INLINE];
    char *owned;                    /* one heap block per copied value, chained */
    char scratch[512];              /* short values are formatted here */
    size_t scratch_used;
    bool failed;                    /* out of memory: mc_exec reports MC_NOMEM */
} mc_params;

void mc_params_init(mc_params *p);
void mc_params_free(mc_params *p);
void mc_param_null(mc_params *p);
void mc_param_text(mc_params *p, const char *s, size_t len);   /* copied */
void mc_param_str(mc_params *p, mc_str s);
void mc_param_bool(mc_params *p, bool v);
void mc_param_int16(mc_params *p, int16_t v);
void mc_param_int32(mc_params *p, int32_t v);
void mc_param_int64(mc_params *p, int64_t v);
void mc_param_float(mc_params *p, float v);
void mc_param_double(mc_params *p, double v);
void mc_param_bytes(mc_params *p, mc_bytes v);
void mc_param_uuid(mc_params *p, const mc_uuid *v);
void mc_param_date(mc_params *p, mc_date v);
void mc_param_time(mc_params *p, mc_time v);
void mc_param_timetz(mc_params *p, mc_timetz v);
void mc_param_timestamp(mc_params *p, mc_timestamp v);
void mc_param_timestamptz(mc_params *p, mc_timestamptz v);
void mc_param_interval(mc_params *p, mc_interval v);
/* Arrays are sent as one parameter in PostgreSQL's array text form. */
void mc_param_array_text(mc_params *p, const mc_str *items, const bool *nulls, size_t n);
void mc_param_array_int64(mc_params *p, const int64_t *items, const bool *nulls, size_t n);

/* Runs st with p (may be NULL) on c. On MC_OK *res is the PGresult * (the
 * caller PQclear()s it or hands it to mc_result_keep). Errors are recorded
 * on c; the hook and the statement counter see every call. */
mc_status mc_exec(mc_conn *c, const mc_stmt *st, const mc_params *p, void **res);

/* Result memory: an arena plus the PGresults its text points into. */
mc_result *mc_result_new(void);
void *mc_result_alloc(mc_result *r, size_t n);   /* zeroed, max-aligned; NULL when out of memory */
/* Empties r for reuse (a stream's next row): its PGresults are cleared,
 * its first block is kept (zeroed), the others are freed. */
void mc_result_reset(mc_result *r);
/* r frees pgresult from now on; on failure the caller still owns it. */
mc_status mc_result_keep(mc_result *r, void *pgresult);
/* The generated code's way to say which constraint failed. */
void mc_conn_set_constraint_id(mc_conn *c, int id);

/* ---- batches (modelc.h): how generated _batch functions queue --------------
 * A call is one or more statements, queued in order; its status is the
 * first failure among them, or MC_OK. done is called once per statement,
 * in queue order, when its result is in: st as mc_exec would have returned
 * it, with pgres the PGresult on MC_OK (the callback's: PQclear it or keep
 * it) and NULL otherwise (the error is on mc_batch_conn(b)); it returns
 * the statement's outcome as the call sees it. */
typedef mc_status (*mc_batch_done)(mc_batch *b, void *ctx, mc_status st, void *pgres);

/* Starts the next call: the statements queued until the next mc_batch_call
 * are its part, st (may be NULL) receives its status once it has run
 * (MC_INVALID until then). MC_INVALID when b takes no calls (NULL, run or
 * running). */
mc_status mc_batch_call(mc_batch *b, mc_status *st);
/* Queues st with p (copied; may be NULL) for the current call. done gets
 * ctx as it is, or with ctx_size > 0 a copy of ctx_size bytes made here.
 * A failure (parameters out of memory or miscounted, a NUL in a value)
 * fails the call: its statements are dropped, the status is recorded as
 * its own and returned. */
mc_status mc_batch_queue(mc_batch *b, const mc_stmt *st, const mc_params *p, mc_batch_done done,
                         const void *ctx, size_t ctx_size);
/* Fails the current call with st (message msg; NULL keeps the last error
 * of the connection) and drops its statements. Returns st. */
mc_status mc_batch_refuse(mc_batch *b, mc_status st, const char *msg);
/* A done callback that stores pgres (NULL on failure) in *(void **)ctx. */
mc_status mc_batch_take(mc_batch *b, void *ctx, mc_status st, void *pgres);

/* ---- text codecs: PostgreSQL text format <-> C values ------------------
 * Decoders take the exact text libpq returns (NUL-terminated) and return
 * MC_OK or MC_DATA; those that allocate in r (bytea, arrays) may also
 * return MC_NOMEM. */
mc_status mc_decode_bool(const char *s, bool *out);
mc_status mc_decode_int16(const char *s, int16_t *out);
mc_status mc_decode_int32(const char *s, int32_t *out);
mc_status mc_decode_int64(const char *s, int64_t *out);
mc_status mc_decode_float(const char *s, float *out);
mc_status mc_decode_double(const char *s, double *out);
mc_status mc_decode_uuid(const char *s, mc_uuid *out);
mc_status mc_decode_date(const char *s, mc_date *out);
mc_status mc_decode_time(const char *s, mc_time *out);
mc_status mc_decode_timetz(const char *s, mc_timetz *out);
mc_status mc_decode_timestamp(const char *s, mc_timestamp *out);
mc_status mc_decode_timestamptz(const char *s, mc_timestamptz *out);
mc_status mc_decode_interval(const char *s, mc_interval *out);
mc_status mc_decode_bytea(mc_result *r, const char *s, mc_bytes *out);
/* One-dimensional array text ("{a,b,NULL}") into items (allocated in r);
 * nulls receives a flag per item; with nulls == NULL a NULL element is
 * MC_DATA. "{}" gives n = 0 and NULL pointers. elem gets each element
 * unquoted, unescaped, NUL-terminated at s[len] and stored in r (so text
 * elements may keep the pointer); its errors are passed on. */
typedef mc_status (*mc_elem_decoder)(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_decode_array(mc_result *r, const char *s, size_t elem_size, mc_elem_decoder elem,
                          void **items, bool **nulls, size_t *n);

/* Column decoders for either result format: column col of row of the
 * PGresult pg, text (the mc_decode_* above) or binary (big-endian, dates
 * in days and times in microseconds from 2000-01-01, infinities as
 * INT32/INT64 min and max), whatever PQfformat says. MC_OK or MC_DATA. */
mc_status mc_get_bool(const void *pg, int row, int col, bool *out);
mc_status mc_get_int16(const void *pg, int row, int col, int16_t *out);
mc_status mc_get_int32(const void *pg, int row, int col, int32_t *out);
mc_status mc_get_int64(const void *pg, int row, int col, int64_t *out);
mc_status mc_get_float(const void *pg, int row, int col, float *out);
mc_status mc_get_double(const void *pg, int row, int col, double *out);
mc_status mc_get_uuid(const void *pg, int row, int col, mc_uuid *out);
mc_status mc_get_date(const void *pg, int row, int col, mc_date *out);
mc_status mc_get_time(const void *pg, int row, int col, mc_time *out);
mc_status mc_get_timestamp(const void *pg, int row, int col, mc_timestamp *out);
mc_status mc_get_timestamptz(const void *pg, int row, int col, mc_timestamptz *out);

/* Encoders write NUL-terminated text into buf (cap bytes, 64 is always
 * enough) and return the length. Infinity dates/timestamps are INT32/INT64
 * min and max, as in PostgreSQL. */
size_t mc_encode_uuid(char *buf, const mc_uuid *v);
size_t mc_encode_date(char *buf, size_t cap, mc_date v);
size_t mc_encode_time(char *buf, size_t cap, mc_time v);
size_t mc_encode_timetz(char *buf, size_t cap, mc_timetz v);
size_t mc_encode_timestamp(char *buf, size_t cap, mc_timestamp v);
size_t mc_encode_timestamptz(char *buf, size_t cap, mc_timestamptz v);
size_t mc_encode_interval(char *buf, size_t cap, mc_interval v);


/* An array parameter from elements added to elems with the mc_param_*
 * calls (a NULL element stays NULL): how IN lists and array columns are
 * sent, as ONE parameter whatever their length. */
void mc_param_array_of(mc_params *p, const mc_params *elems);

/* Element decoders for mc_decode_array, one per scalar kind: out points
 * at the element (e.g. an int32_t); text kinds keep a pointer into r. */
mc_status mc_elem_bool(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_int16(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_int32(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_int64(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_float(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_double(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_str(mc_result *r, const char *s, size_t len, void *out);      /* mc_str */
mc_status mc_elem_bytes(mc_result *r, const char *s, size_t len, void *out);    /* bytea text */
mc_status mc_elem_uuid(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_date(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_time(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_timetz(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_timestamp(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_timestamptz(mc_result *r, const char *s, size_t len, void *out);
mc_status mc_elem_interval(mc_result *r, const char *s, size_t len, void *out);

/* ---- COPY -------------------------------------------------------------------
 * Bulk insert: mc_copy_begin runs "COPY t (cols) FROM STDIN", each
 * mc_copy_row sends the values of p (in text format, NULL as NULL) as one
 * row, mc_copy_end finishes and reports the server's verdict and the row
 * count. After a failed row, still call mc_copy_end. */
mc_status mc_copy_begin(mc_conn *c, const char *sql);
mc_status mc_copy_row(mc_conn *c, const mc_params *p);
mc_status mc_copy_end(mc_conn *c, int64_t *rows);

/* ---- inserts and updates by column mask ---------------------------------------
 * A generated insert or update writes only the columns its mask names: the
 * SQL of each mask (a variant) is built from the descriptor on first use
 * and prepared on the connection, so the server parses no value that is
 * not written. Parameters: an update's key parameters first ($1..$nkeys,
 * used by where), then one per column in the mask, in column order. */
enum { MC_WRITE_INSERT = 0, MC_WRITE_UPDATE = 1 };
typedef struct mc_write_desc {
    int kind;                       /* MC_WRITE_INSERT or MC_WRITE_UPDATE */
    const char *table;              /* SQL, quoted where needed */
    int ncols;                      /* at most 64 */
    const char *const *columns;     /* SQL names */
    const char *const *casts;       /* the parameter cast of each column */
    const char *const *on_update;   /* update: a column's expression when it is not written, or NULL */
    const char *set_tail;           /* update: assignments always made (a version count), or NULL */
    const char *touch;              /* update: the assignment when nothing else is ("id = id") */
    const char *where;              /* update: " WHERE ..." on the key parameters */
    int nkeys;                      /* update: parameters of where */
    const char *returning;          /* the select list for RETURNING */
} mc_write_desc;
/* Runs the variant of w for mask (bits of the columns written; an insert
 * without any is DEFAULT VALUES), with RETURNING when returning; *res as
 * in mc_exec. */
mc_status mc_exec_write(mc_conn *c, const mc_write_desc *w, uint64_t mask, bool returning, const mc_params *p,
                        void **res);

/* ---- queries ----------------------------------------------------------------
 * A filtered query on one table. Generated code describes each table once
 * (mc_table_desc) and wraps these calls in typed functions; the runtime
 * composes the SQL from the descriptor's identifiers only, every value is
 * a parameter. */
typedef struct mc_table_desc {
    const char *name;               /* SQL, quoted where needed */
    int ncolumns;
    const char *const *columns;     /* SQL names, quoted where needed */
    const char *const *casts;       /* SQL type of each column, for $n::type; without a
                                     * length or precision (varchar, bpchar, numeric): an
                                     * explicit cast to varchar(5) truncates silently */
    const char *select_list;        /* all columns, in struct order */
    int soft_delete_at;             /* column index of the soft-delete timestamp, or -1 */
    int soft_delete_flag;           /* column index of the soft-delete flag, or -1 */
    int binary;                     /* 1: every column has a binary decoder: streams ask for
                                     * binary results */
} mc_table_desc;

/* mc_op is in modelc.h: generated headers use it. */

typedef struct mc_query mc_query;

/* NULL when out of memory. A query is not tied to a connection. */
mc_query *mc_query_new(const mc_table_desc *t);
void mc_query_free(mc_query *q);             /* NULL is fine */

/* Where a condition's value goes: add exactly one mc_param_* (or
 * mc_param_array_of for IN) to it, then call mc_query_cond. NULL when q
 * is NULL: check mc_query_new. */
mc_params *mc_query_value(mc_query *q);
void mc_query_cond(mc_query *q, int col, mc_op op);

/* Conditions combine with AND. mc_query_or_begin / mc_query_and_begin open
 * a group whose conditions combine with OR / AND; mc_query_end closes it.
 * Groups nest. */
void mc_query_or_begin(mc_query *q);
void mc_query_and_begin(mc_query *q);
void mc_query_end(mc_query *q);

void mc_query_order(mc_query *q, int col, bool desc);    /* in call order */
int mc_query_order_count(const mc_query *q);
int mc_query_order_col(const mc_query *q, int i);        /* column index of order term i */
void mc_query_limit(mc_query *q, int64_t n);
void mc_query_offset(mc_query *q, int64_t n);
/* Keyset pagination: rows after the row whose order columns have these
 * values: add one mc_param_* per mc_query_order column to
 * mc_query_value(q), in the same order, then call this. Works with mixed
 * directions. NULLs in the order columns are not supported (such rows
 * are skipped); the last order column should be unique, e.g. the key. */
void mc_query_after(mc_query *q);
/* Soft-deleted rows (soft_delete_* in the descriptor) are skipped unless
 * this is set. */
void mc_query_include_deleted(mc_query *q, bool yes);

/* Misuse (a cond with no value, unbalanced groups, too many values, out
 * of memory) is remembered and reported by the run calls as MC_INVALID or
 * MC_NOMEM with a message on the connection. */

/* SELECT select_list FROM ... : *pgres as in mc_exec. q may be NULL (all rows).
 * Count ignores order, limit and offset; delete and update ignore order
 * and refuse limit and offset (MC_INVALID). */
mc_status mc_query_select(mc_conn *c, const mc_table_desc *t, const mc_query *q, void **pgres);
/* The SELECT with related rows in the same statement: the table's columns,
 * then extra_select (generated text, e.g. "mc_j0.id, mc_j0.name"), FROM the
 * table, then join (generated text, e.g. " LEFT JOIN users AS mc_j0 ON
 * mc_j0.id = posts.author_id"). Every reference to the table's own columns
 * is qualified with its name, so a join may bring the same table again
 * under an alias. */
mc_status mc_query_select_joined(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                                 const char *join, void **pgres);
/* The query as a subquery named after its table with join after it (a
 * joined collection), ordered by the query's order, then tail_order. */
mc_status mc_query_select_nested(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                                 const char *join, const char *tail_order, void **pgres);
/* The query's SELECT (filters, order, limit and offset, all columns) as
 * a subquery: before + SELECT ... + after, both generated text. */
mc_status mc_query_select_around(mc_conn *c, const mc_table_desc *t, const mc_query *q, const char *before,
                                 const char *after, void **pgres);

/* The same SELECTs queued in a batch for its current call (composed now:
 * q may go after the call); done and ctx as for mc_batch_queue (ctx is
 * passed as it is). */
mc_status mc_batch_select(mc_batch *b, const mc_table_desc *t, const mc_query *q, mc_batch_done done, void *ctx);
mc_status mc_batch_select_joined(mc_batch *b, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                                 const char *join, mc_batch_done done, void *ctx);
mc_status mc_batch_select_nested(mc_batch *b, const mc_table_desc *t, const mc_query *q, const char *extra_select,
                                 const char *join, const char *tail_order, mc_batch_done done, void *ctx);
mc_status mc_batch_select_around(mc_batch *b, const mc_table_desc *t, const mc_query *q, const char *before,
                                 const char *after, mc_batch_done done, void *ctx);

/* Rows of one result found by the text of their key columns in another:
 * the map indexes the n rows of pgres by the columns cols[0..nkeys)
 * (rows with a NULL key are left out; cols must stay valid); first/next
 * give, in row order, each indexed row whose key equals that of row of
 * another result at its cols, then -1. NULL when out of memory. */
typedef struct mc_keymap mc_keymap;
mc_keymap *mc_keymap_new(const void *pgres, int nkeys, const int *cols, size_t n);
long mc_keymap_first(const mc_keymap *m, const void *pgres, int row, const int *cols);
long mc_keymap_next(const mc_keymap *m, long i, const void *pgres, int row, const int *cols);
/* The same with the key given as text, one NUL-terminated string per key
 * column (a NULL one matches nothing). */
long mc_keymap_first_text(const mc_keymap *m, const char *const *key);
long mc_keymap_next_text(const mc_keymap *m, long i, const char *const *key);
void mc_keymap_free(mc_keymap *m);

mc_status mc_query_count(mc_conn *c, const mc_table_desc *t, const mc_query *q, int64_t *n);
mc_status mc_query_delete(mc_conn *c, const mc_table_desc *t, const mc_query *q, int64_t *n);
/* UPDATE ... SET: set_cols[i] = value i of set (mc_params, in order), plus
 * the raw SQL assignments in set_sql (generated text such as
 * "updated_at = now()", may be NULL), WHERE q. */
mc_status mc_query_update(mc_conn *c, const mc_table_desc *t, const mc_query *q, const int *set_cols,
                          int nset, const mc_params *set, const char *set_sql, int64_t *n);
/* UPDATE ... SET col = col + value for each of cols (one value each in
 * deltas, in order: numeric columns), then the raw assignments of set_sql
 * (may be NULL), WHERE q; *n as for mc_query_update. */
mc_status mc_query_increment(mc_conn *c, const mc_table_desc *t, const mc_query *q, const int *cols, int ncols,
                             const mc_params *deltas, const char *set_sql, int64_t *n);
/* Streams the rows of the query in constant memory (libpq single-row or
 * chunked mode): each(ctx, pgres, row) is called per row with a PGresult
 * valid during the call; a non-zero return stops the stream (status MC_OK).
 * each must not use c. An early stop cancels the statement, except inside
 * a transaction block, where a cancel would abort the transaction: there
 * the remaining rows are read and dropped. */
typedef int (*mc_row_fn)(void *ctx, const void *pgres, int row);
mc_status mc_query_stream(mc_conn *c, const mc_table_desc *t, const mc_query *q, mc_row_fn each, void *ctx);
/* Streams the rows of the query in batches of at most batch rows through a
 * cursor, so that c is free between batches (the caller loads the batch's
 * relationships there): each(ctx, pgres) gets a PGresult of 1..batch rows
 * and owns it (PQclear it or keep it in a result); a positive return stops
 * the stream (status MC_OK), a negative one says the callback failed and
 * recorded why (the stream stops, its own transaction rolls back, the last
 * error is kept; the status returned is still MC_OK: the callback has the
 * real one). Outside a transaction block the stream runs in
 * one of its own (BEGIN ... COMMIT, ROLLBACK on failure). */
typedef int (*mc_batch_fn)(void *ctx, void *pgres);
mc_status mc_query_stream_batches(mc_conn *c, const mc_table_desc *t, const mc_query *q, int batch,
                                  mc_batch_fn each, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
