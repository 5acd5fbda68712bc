/* internal.h - what the runtime's own files share; never installed. */
#ifndef MODELC_INTERNAL_H
#define MODELC_INTERNAL_H

#include <libpq-fe.h>

#include "modelc/gen.h"

/* One prepared statement of a connection: the mc_stmt it was made for and
 * the name it has on the server (st->name, or a variant of it when another
 * statement with other SQL took that name first). */
typedef struct mc_prepared {
	const mc_stmt *st;
	char *name;
} mc_prepared;

struct mc_conn {
	PGconn *pg;
	mc_conn_opts opts;

	mc_error err;
	char *errbuf;           /* the strings err points to */
	size_t errbuf_cap;

	uint64_t statements;
	uint64_t round_trips;
	mc_batch *batch;        /* the batch running on the connection: it is busy */
	mc_stmt_hook hook;
	void *hook_ctx;

	int depth;              /* transaction nesting: 0 outside */
	int released_sp;        /* L > 0: savepoint mc_sp_L was committed but not yet released
	                         * on the server (tx.c); valid only while L == depth + 1 */

	/* open addressing on the mc_stmt pointer; cap is 0 or a power of two */
	mc_prepared *prepared;
	size_t nprepared, prepared_cap;
	unsigned name_seq;      /* suffix for clashing statement names */
	unsigned cursor_seq;    /* names of stream cursors (streams may nest) */

	double opened_at;       /* mc__now() when connected: pool_recycle */

	struct mc_dyn *dyn;     /* statements made at run time (stmtcache.c) */

	mc_status copy_failed;  /* a COPY row could not be sent: the COPY was aborted */
};

/* Monotonic seconds. */
double mc__now(void);

/* Runs one simple-protocol command (transaction control, health check),
 * counted and reported to the hook like any statement. With keep_error the
 * last error survives when the command succeeds: what a rollback after a
 * failure needs. */
mc_status mc__run(mc_conn *c, const char *sql, bool keep_error, PGresult **out);

/* What mc_exec does around a statement, for code that drives libpq itself
 * (query.c streams): clear the last error; turn a PGresult (NULL: libpq
 * failed) into a status and the error fields; record a lost connection;
 * count the statement and call the hook (rows: returned or affected). */
void mc__err_reset(mc_conn *c);
mc_status mc__check_result(mc_conn *c, const PGresult *r);
mc_status mc__lost(mc_conn *c);
void mc__finish(mc_conn *c, const char *sql, int nparams, double t0, mc_status st, long rows);

/* MC_OK, or MC_INVALID (recorded on c) while a batch runs on c: nothing
 * else may use the connection then. */
mc_status mc__busy(mc_conn *c);

/* The prepared-statement cache, for batches that send PREPAREs in their
 * pipeline: the server-side name of st, *fresh when it must be prepared
 * first (the entry exists from now on, so the batch's later statements
 * share it; mc__prepared_drop forgets it, and every statement sharing its
 * name, when the PREPARE failed). mc__prepared_reset starts the cache over
 * (DEALLOCATE ALL), when a statement was gone from the server. */
mc_status mc__prepared_for(mc_conn *c, const mc_stmt *st, const char **name, bool *fresh);
void mc__prepared_drop(mc_conn *c, const mc_stmt *st);
/* Whether st is prepared on the connection already (nothing is added). */
bool mc__prepared_known(mc_conn *c, const mc_stmt *st);
void mc__prepared_reset(mc_conn *c);

/* Makes e (e.g. a batch call's copy) the last error of c. */
void mc__set_error(mc_conn *c, const mc_error *e);

/* batch.c: queues an unnamed statement (sql and p copied) for the current
 * call of b, as mc_batch_queue does; and ends a running batch whose
 * connection is being closed (the calls left get MC_CONNECTION_LOST). */
mc_status mc__batch_queue_sql(mc_batch *b, const char *sql, const mc_params *p, mc_batch_done done, void *ctx);
void mc__batch_abandon(mc_batch *b);

/* stmtcache.c: the prepared statement for composed SQL text, from its
 * third use on (NULL: run it unnamed); and the cache's end, on close. */
typedef struct mc_dyn mc_dyn;
const mc_stmt *mc__dyn_text(mc_conn *c, const char *sql, int nparams, int binary);
void mc__dyn_free(mc_conn *c);

/* Records an error that did not come from the server. */
mc_status mc__fail(mc_conn *c, mc_status st, const char *sqlstate, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* binary.c: the text of a key column whatever the result's format (the
 * text PostgreSQL prints and mc_param_* send), in buf or the result. */
#define MC__KEY_TEXT 64
const char *mc__key_text(const PGresult *r, int row, int col, char buf[MC__KEY_TEXT]);

#endif
