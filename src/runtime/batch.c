/* batch.c - many calls on one connection in one round trip: libpq's
 * pipeline mode (modelc.h, "batches").
 *
 * Queuing copies each statement (its SQL when unnamed, its parameters)
 * into the batch's own memory, so the caller's values may go at once.
 * Running sends the statements in queue order, each generated statement
 * preceded by a PREPARE the first time the connection sees it (the PREPARE
 * is pipelined too), and a Sync after the last statement of every call:
 * each call is a pipeline segment of its own, so an error aborts nothing
 * but the rest of its own call, and outside a transaction block each call
 * commits on its own. The results come back in the same order; each one
 * goes to its statement's callback, and when a call's last statement is
 * in, the call's status (its first failure, else MC_OK) is written out.
 *
 * The connection is non-blocking while the batch runs: sends never block
 * (libpq buffers what the socket does not take; at most MAX_IN_FLIGHT
 * statements are sent ahead of the results read, which bounds that
 * buffer), and the results are read as they come, so neither side can
 * fill its socket buffer while the other waits to write (the pipeline
 * deadlock). mc_batch_run is mc_batch_step plus poll(). */
#include <errno.h>
#include <poll.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_IN_FLIGHT 1000
/* Consecutive reads share a Sync (a Sync per call costs a write and a
 * server wake-up each under libpq 15, whose PQpipelineSync flushes) */
#define GROUP_MAX 100
#define CHUNK 16384

enum { B_QUEUING, B_RUNNING, B_DONE };

/* Where the receiver is in the results of the statement it waits for. */
enum { RX_START, RX_PREPARE, RX_PREPARE_END, RX_EXEC, RX_EXEC_END };

typedef struct bcall {
	mc_status *out;         /* the caller's status, or NULL */
	mc_status status;
	size_t pending;         /* statements not answered yet */
	bool failed, finished;
	bool conn_error;        /* err came from the connection (not a bare status) */
	mc_error err;           /* when failed: strings in the batch's memory */
} bcall;

typedef struct bstmt {
	const mc_stmt *st;      /* a generated statement, or NULL: unnamed */
	const char *sql;
	int nparams;
	const char **values;
	mc_batch_done done;
	void *ctx;
	size_t call;
	double t0;              /* sent at */
	bool prepare;           /* a PREPARE went before it */
	bool sync;              /* a Sync went after it: the last of its segment */
	bool grouped;           /* shares its segment with other calls' reads */
	bool retry;             /* a copy of a grouped read a neighbour's failure aborted */
	mc_status local;        /* not sent: its status, */
	const char *local_msg;  /* and why */
} bstmt;

typedef struct chunk {
	struct chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
} chunk;

struct mc_batch {
	mc_conn *c;
	int state;
	bstmt *stmts;
	size_t nstmts, stmts_cap;
	bcall *calls;
	size_t ncalls, calls_cap;
	bool open_call;         /* the last call takes statements */
	size_t sent;            /* statements sent */
	size_t answered;        /* statements whose results are all in */
	int rx;                 /* RX_* for stmts[answered] */
	bool await_sync;        /* a PGRES_PIPELINE_SYNC comes next */
	size_t group_len;       /* calls in the segment being sent, less one */
	PGresult *prep_failed;  /* the failed PREPARE of stmts[answered] */
	PGresult *exec_res;     /* the result of stmts[answered], until its NULL */
	bool wants_write;
	bool was_nonblocking;
	bool closing;           /* its connection is being closed */
	mc_status fatal;        /* why the batch stopped, or MC_OK */
	chunk *mem;
};

/* ---- memory -------------------------------------------------------------------- */

static void *balloc(mc_batch *b, size_t n)
{
	chunk *k = b->mem;
	size_t al = alignof(max_align_t);

	n = (n + al - 1) / al * al;
	if (!n)
		n = al;
	if (!k || k->cap - k->used < n) {
		size_t cap = n > CHUNK ? n : CHUNK;
		k = malloc(sizeof(*k) + cap);
		if (!k)
			return NULL;
		k->cap = cap;
		k->used = 0;
		/* a big block goes behind the current one, whose room stays usable */
		if (b->mem && n > CHUNK) {
			k->next = b->mem->next;
			b->mem->next = k;
		} else {
			k->next = b->mem;
			b->mem = k;
		}
	}
	void *p = k->data + k->used;
	k->used += n;
	return p;
}

static char *bstrdup(mc_batch *b, const char *s, size_t n)
{
	char *p = balloc(b, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static const char *bstr(mc_batch *b, const char *s)
{
	return s ? bstrdup(b, s, strlen(s)) : NULL;
}

static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *na = realloc(*arr, ncap * size);
	if (!na)
		return false;
	*arr = na;
	*cap = ncap;
	return true;
}

/* ---- calls ----------------------------------------------------------------------- */

/* The call's error: the connection's when it has one, else just the status. */
static void record_failure(mc_batch *b, bcall *k, mc_status st)
{
	const mc_error *e = &b->c->err;

	k->failed = true;
	k->status = st;
	memset(&k->err, 0, sizeof(k->err));
	k->err.status = st;
	k->err.constraint_id = -1;
	k->err.message = mc_status_name(st);
	if (e->status == MC_OK)
		return;
	k->conn_error = true;
	memcpy(k->err.sqlstate, e->sqlstate, sizeof(e->sqlstate));
	k->err.constraint_id = e->constraint_id;
	/* out of memory here leaves the status name: still an answer */
	if (e->message && *e->message) {
		const char *m = bstr(b, e->message);
		if (m)
			k->err.message = m;
	}
	k->err.detail = bstr(b, e->detail);
	k->err.hint = bstr(b, e->hint);
	k->err.constraint = bstr(b, e->constraint);
	k->err.table = bstr(b, e->table);
	k->err.column = bstr(b, e->column);
}

static void finish_call(bcall *k)
{
	k->finished = true;
	if (!k->failed)
		k->status = MC_OK;
	if (k->out)
		*k->out = k->status;
}

/* Fails the current call before it runs: its statements go. */
static mc_status fail_call(mc_batch *b, mc_status st)
{
	bcall *k;

	if (!b->open_call || b->state != B_QUEUING)
		return st;
	k = &b->calls[b->ncalls - 1];
	if (k->failed)
		return k->status;
	while (b->nstmts > 0 && b->stmts[b->nstmts - 1].call == b->ncalls - 1)
		b->nstmts--;
	k->pending = 0;
	record_failure(b, k, st);
	finish_call(k);
	return st;
}

mc_batch *mc_batch_new(mc_conn *c)
{
	mc_batch *b;

	if (!c)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (b)
		b->c = c;
	return b;
}

mc_conn *mc_batch_conn(const mc_batch *b)
{
	return b ? b->c : NULL;
}

size_t mc_batch_calls(const mc_batch *b)
{
	return b ? b->ncalls : 0;
}

mc_status mc_batch_status(const mc_batch *b, size_t i)
{
	return b && i < b->ncalls && b->calls[i].finished ? b->calls[i].status : MC_INVALID;
}

const mc_error *mc_batch_error(const mc_batch *b, size_t i)
{
	if (!b || i >= b->ncalls || !b->calls[i].finished || !b->calls[i].failed)
		return NULL;
	return &b->calls[i].err;
}

bool mc_batch_wants_write(const mc_batch *b)
{
	/* output in libpq's buffer, or statements with room to go */
	return b && b->state == B_RUNNING &&
	       (b->wants_write || (b->sent < b->nstmts && b->sent - b->answered < MAX_IN_FLIGHT));
}

mc_status mc_batch_call(mc_batch *b, mc_status *st)
{
	bcall *k;

	if (st)
		*st = MC_INVALID;
	if (!b || !b->c)
		return MC_INVALID;
	if (b->state != B_QUEUING)
		return mc__fail(b->c, MC_INVALID, NULL, "a batch takes no calls once it has run");
	if (!grow((void **)&b->calls, &b->calls_cap, b->ncalls, sizeof(*b->calls))) {
		b->open_call = false;
		return mc__fail(b->c, MC_NOMEM, NULL, "out of memory");
	}
	k = &b->calls[b->ncalls++];
	memset(k, 0, sizeof(*k));
	k->out = st;
	k->status = MC_INVALID;
	b->open_call = true;
	return MC_OK;
}

mc_status mc_batch_refuse(mc_batch *b, mc_status st, const char *msg)
{
	if (!b || !b->c)
		return st;
	if (msg)
		mc__fail(b->c, st, NULL, "%s", msg);
	return fail_call(b, st);
}

/* The statement is copied with its parameters; sql is copied when it is
 * not a generated statement's (those are static). */
static mc_status enqueue(mc_batch *b, const mc_stmt *st, const char *sql, const mc_params *p, mc_batch_done done,
                         const void *ctx, size_t ctx_size)
{
	mc_conn *c;
	bstmt *s;
	int n = p ? p->n : 0;

	if (!b || !b->c)
		return MC_INVALID;
	c = b->c;
	if (b->state != B_QUEUING || !b->open_call)
		return mc__fail(c, MC_INVALID, NULL,
				b->state != B_QUEUING ? "a batch takes no statements once it has run"
						      : "no call started (mc_batch_call)");
	if (b->calls[b->ncalls - 1].failed)
		return b->calls[b->ncalls - 1].status;   /* the call is over */
	if (!sql)
		return fail_call(b, mc__fail(c, MC_INVALID, NULL, "mc_batch_queue: no statement"));
	if (p && p->failed)
		return fail_call(b, mc__fail(c, MC_NOMEM, NULL, "out of memory while building the parameters"));
	if (st && n != st->nparams)
		return fail_call(b, mc__fail(c, MC_INVALID, NULL, "statement %s takes %d parameters, %d given",
					     st->name ? st->name : "(unnamed)", st->nparams, n));
	/* the refusal of mc_exec: a text value ends at its first NUL */
	for (int i = 0; i < n; i++)
		if (p->values[i] && strlen(p->values[i]) != (size_t)p->lengths[i])
			return fail_call(b, mc__fail(c, MC_DATA, "22021", "parameter $%d of %s contains a NUL byte",
						     i + 1, st && st->name ? st->name : "a statement"));
	if (!grow((void **)&b->stmts, &b->stmts_cap, b->nstmts, sizeof(*b->stmts)))
		return fail_call(b, mc__fail(c, MC_NOMEM, NULL, "out of memory"));

	s = &b->stmts[b->nstmts];
	memset(s, 0, sizeof(*s));
	s->st = st && st->name && st->name[0] && !c->opts.unnamed_statements ? st : NULL;
	s->sql = st ? sql : bstr(b, sql);
	s->nparams = n;
	s->values = n ? balloc(b, (size_t)n * sizeof(*s->values)) : NULL;
	s->done = done;
	s->ctx = (void *)ctx;
	if (ctx && ctx_size > 0 && (s->ctx = balloc(b, ctx_size)) != NULL)
		memcpy(s->ctx, ctx, ctx_size);
	s->call = b->ncalls - 1;
	if (!s->sql || (n && !s->values) || (ctx && ctx_size > 0 && !s->ctx))
		return fail_call(b, mc__fail(c, MC_NOMEM, NULL, "out of memory"));
	for (int i = 0; i < n; i++) {
		s->values[i] = p->values[i] ? bstrdup(b, p->values[i], (size_t)p->lengths[i]) : NULL;
		if (p->values[i] && !s->values[i])
			return fail_call(b, mc__fail(c, MC_NOMEM, NULL, "out of memory"));
	}
	b->nstmts++;
	b->calls[s->call].pending++;
	return MC_OK;
}

mc_status mc_batch_queue(mc_batch *b, const mc_stmt *st, const mc_params *p, mc_batch_done done, const void *ctx,
                         size_t ctx_size)
{
	return enqueue(b, st, st ? st->sql : NULL, p, done, ctx, ctx_size);
}

mc_status mc__batch_queue_sql(mc_batch *b, const char *sql, const mc_params *p, mc_batch_done done, void *ctx)
{
	return enqueue(b, NULL, sql, p, done, ctx, 0);
}

mc_status mc_batch_take(mc_batch *b, void *ctx, mc_status st, void *pgres)
{
	(void)b;
	*(void **)ctx = st == MC_OK ? pgres : NULL;
	return st;
}

/* ---- results ----------------------------------------------------------------------- */

static long result_rows(const PGresult *r)
{
	const char *t;

	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return PQntuples(r);
	t = PQcmdTuples((PGresult *)r);
	return *t ? strtol(t, NULL, 10) : 0;
}

/* stmts[answered] is over: counted, reported to the hook, handed to its
 * callback (r only on MC_OK, taken over), and its call finished when it
 * was the call's last. The error describing st is on the connection. */
static void answer(mc_batch *b, mc_status st, PGresult *r)
{
	bstmt *s = &b->stmts[b->answered];
	bcall *k = &b->calls[s->call];
	mc_status out;

	mc__finish(b->c, s->sql, s->nparams, s->t0 ? s->t0 : mc__now(), st, st == MC_OK && r ? result_rows(r) : -1);
	if (st != MC_OK) {
		PQclear(r);
		r = NULL;
	}
	if (s->done) {
		out = s->done(b, s->ctx, st, r);
	} else {
		PQclear(r);
		out = st;
	}
	if (out != MC_OK && !k->failed)
		record_failure(b, k, out);
	b->answered++;
	b->rx = RX_START;
	if (--k->pending == 0)
		finish_call(k);
	if (s->sync)
		b->await_sync = true;
}

/* stmts[answered], a grouped read, was aborted by another call's failure
 * in its segment: it goes again, alone, at the end (nothing of it ran, so
 * nothing is counted or reported). */
static void requeue(mc_batch *b)
{
	if (!grow((void **)&b->stmts, &b->stmts_cap, b->nstmts, sizeof(*b->stmts))) {
		b->fatal = mc__fail(b->c, MC_NOMEM, NULL, "out of memory");
		return;
	}
	bstmt *s = &b->stmts[b->answered], *copy = &b->stmts[b->nstmts];
	*copy = *s;
	copy->grouped = copy->sync = copy->prepare = false;
	copy->retry = true;
	copy->t0 = 0;
	b->nstmts++;
	PQclear(b->exec_res);
	b->exec_res = NULL;
	b->answered++;
	b->rx = RX_START;
	if (s->sync)
		b->await_sync = true;
}

/* The exec result of stmts[answered] is complete (its NULL came). */
static void answered_exec(mc_batch *b)
{
	bstmt *s = &b->stmts[b->answered];
	PGresult *r = b->exec_res;
	mc_status st;

	if (s->grouped && !b->prep_failed && r && PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
		requeue(b);
		return;
	}
	b->exec_res = NULL;
	mc__err_reset(b->c);
	if (b->prep_failed) {
		/* the PREPARE's error is the statement's; its execution was skipped */
		st = mc__check_result(b->c, b->prep_failed);
		if (s->st)
			mc__prepared_drop(b->c, s->st);
	} else if (r && PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
		st = mc__fail(b->c, MC_ERROR, NULL, "not run: an earlier statement of the same call failed");
	} else {
		st = mc__check_result(b->c, r);
		if (st != MC_OK && s->st && strcmp(b->c->err.sqlstate, "26000") == 0) {
			/* gone from the server (a DEALLOCATE behind our back, or its
			 * PREPARE failed earlier in this batch): prepared again
			 * next time */
			mc__prepared_drop(b->c, s->st);
		}
	}
	const char *sev = st == MC_OK ? NULL
			  : PQresultErrorField(b->prep_failed ? b->prep_failed : r, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0)) {
		/* the server says why it hangs up (57P01 ...) before libpq sees
		 * the socket close: the connection is lost all the same */
		st = b->c->err.status = MC_CONNECTION_LOST;
		b->c->depth = 0;
	}
	if (b->prep_failed) {
		PQclear(b->prep_failed);
		b->prep_failed = NULL;
		PQclear(r);
		r = NULL;
	}
	answer(b, st, r);
}

/* Reads every result libpq has complete, without blocking. */
static void receive(mc_batch *b)
{
	PGconn *pg = b->c->pg;

	while (b->fatal == MC_OK) {
		if (!b->await_sync) {
			if (b->answered == b->sent)
				return;         /* nothing in flight */
			bstmt *s = &b->stmts[b->answered];
			if (b->rx == RX_START) {
				if (s->local != MC_OK) {
					/* never sent: its status is known */
					mc__fail(b->c, s->local, NULL, "%s", s->local_msg ? s->local_msg : "out of memory");
					answer(b, s->local, NULL);
					continue;
				}
				b->rx = s->prepare ? RX_PREPARE : RX_EXEC;
			}
		}
		if (PQisBusy(pg))
			return;
		PGresult *r = PQgetResult(pg);
		if (b->await_sync) {
			/* anything but the sync would be libpq's surprise: skipped */
			if (r && PQresultStatus(r) == PGRES_PIPELINE_SYNC)
				b->await_sync = false;
			else if (!r && PQstatus(pg) != CONNECTION_OK)
				b->fatal = mc__lost(b->c);
			else if (!r)
				b->fatal = mc__fail(b->c, MC_ERROR, NULL, "pipeline out of step: no sync result");
			PQclear(r);
			continue;
		}
		if (!r && (b->rx == RX_PREPARE || b->rx == RX_EXEC)) {
			/* a statement's results start with one */
			b->fatal = PQstatus(pg) != CONNECTION_OK
					   ? mc__lost(b->c)
					   : mc__fail(b->c, MC_ERROR, NULL, "pipeline out of step: no result");
			continue;
		}
		switch (b->rx) {
		case RX_PREPARE:
			if (PQresultStatus(r) != PGRES_COMMAND_OK) {
				PQclear(b->prep_failed);
				b->prep_failed = r;
				r = NULL;
			}
			b->rx = RX_PREPARE_END;
			break;
		case RX_PREPARE_END:
		case RX_EXEC_END:
			if (r) {
				/* a second result for one statement: keep the first */
				break;
			}
			if (b->rx == RX_PREPARE_END) {
				b->rx = RX_EXEC;
				break;
			}
			answered_exec(b);
			break;
		case RX_EXEC:
			b->exec_res = r;
			r = NULL;
			b->rx = RX_EXEC_END;
			break;
		default:
			break;
		}
		PQclear(r);
	}
}

/* ---- sending ------------------------------------------------------------------------ */

/* A read that can share its segment with other calls: the only statement
 * of its call, a generated SELECT already prepared (a PREPARE goes in a
 * segment of its own, so that an aborted segment never takes one with it). */
static bool groupable(mc_batch *b, size_t i)
{
	const bstmt *s = &b->stmts[i];
	if (!s->st || s->retry || s->local != MC_OK || strncmp(s->sql, "SELECT ", 7) != 0)
		return false;
	if ((i > 0 && b->stmts[i - 1].call == s->call) || (i + 1 < b->nstmts && b->stmts[i + 1].call == s->call))
		return false;
	return mc__prepared_known(b->c, s->st);
}

/* False when libpq refused: the connection is gone or broken. */
static bool send_one(mc_batch *b, bstmt *s)
{
	mc_conn *c = b->c;
	PGconn *pg = c->pg;
	size_t i = (size_t)(s - b->stmts), next = i + 1;
	int ok = 1;

	s->t0 = mc__now();
	/* the next statement of the same call goes in the same segment; so
	 * does the next call when both are reads (up to GROUP_MAX) */
	s->sync = next >= b->nstmts || b->stmts[next].call != s->call;
	if (s->sync && next < b->nstmts && b->group_len + 1 < GROUP_MAX && groupable(b, i) && groupable(b, next)) {
		s->sync = false;
		s->grouped = b->stmts[next].grouped = true;
		b->group_len++;
	} else if (s->sync) {
		b->group_len = 0;
	}
	bool first;             /* whether the failure (if any) was the first send */
	if (s->st) {
		const char *name;
		bool fresh;
		if (mc__prepared_for(c, s->st, &name, &fresh) != MC_OK) {
			s->local = MC_NOMEM;
			first = true;
		} else {
			s->prepare = fresh;
			first = true;
			if (fresh && (ok = PQsendPrepare(pg, name, s->sql, s->nparams, NULL)) == 1)
				first = false;
			if (ok)
				ok = PQsendQueryPrepared(pg, name, s->nparams, s->values, NULL, NULL,
							 s->st->binary ? 1 : 0);
			if (!ok && fresh)
				mc__prepared_drop(c, s->st);
		}
	} else {
		first = true;
		ok = PQsendQueryParams(pg, s->sql, s->nparams, NULL, s->values, NULL, NULL,
				       s->st && s->st->binary ? 1 : 0);
	}
	if (!ok && first && PQstatus(pg) == CONNECTION_OK) {
		/* refused by libpq before anything of it went out (a statement
		 * libpq will not send): that call fails, the batch goes on */
		const char *why = PQerrorMessage(pg);
		s->local = MC_ERROR;
		s->local_msg = bstr(b, why && *why ? why : "libpq refused the statement");
		s->prepare = false;
		ok = 1;
	}
	/* a statement that could not be sent still ends its segment */
	if (ok && s->sync) {
#ifdef LIBPQ_HAS_SEND_PIPELINE_SYNC
		ok = PQsendPipelineSync(pg);    /* libpq 17: no flush per call */
#else
		ok = PQpipelineSync(pg);
#endif
	}
	return ok == 1;
}

/* Sends what the in-flight limit allows and flushes what the socket takes;
 * false (b->fatal set) when the connection failed. */
static bool send_some(mc_batch *b)
{
	PGconn *pg = b->c->pg;
	bool ok = true;
	int f;

	while (ok && b->sent < b->nstmts && b->sent - b->answered < MAX_IN_FLIGHT)
		if ((ok = send_one(b, &b->stmts[b->sent])))
			b->sent++;
	if (!ok || (f = PQflush(pg)) < 0) {
		b->fatal = mc__lost(b->c);
		return false;
	}
	b->wants_write = f == 1;
	return true;
}

/* ---- running ------------------------------------------------------------------------- */

/* Every statement not answered yet gets st (the error is on the connection). */
static void answer_rest(mc_batch *b, mc_status st)
{
	PQclear(b->prep_failed);
	PQclear(b->exec_res);
	b->prep_failed = b->exec_res = NULL;
	while (b->answered < b->nstmts)
		answer(b, st, NULL);
	b->await_sync = false;
	for (size_t i = 0; i < b->ncalls; i++)
		if (!b->calls[i].finished) {
			if (!b->calls[i].failed)
				record_failure(b, &b->calls[i], st);
			finish_call(&b->calls[i]);
		}
}

/* Leaves pipeline mode, gives the connection back, settles the last error. */
static void finish(mc_batch *b)
{
	mc_conn *c = b->c;
	PGconn *pg = c->pg;

	if (pg && !b->was_nonblocking && PQstatus(pg) == CONNECTION_OK)
		(void)PQsetnonblocking(pg, 0);
	if (pg && !b->closing && PQpipelineStatus(pg) != PQ_PIPELINE_OFF && !PQexitPipelineMode(pg)) {
		/* stopped with results unread (out of step): drop them, so that
		 * the connection is usable again; a bound, should libpq disagree */
		for (size_t i = 0; i < 4 * b->nstmts + 16 && PQstatus(pg) == CONNECTION_OK; i++) {
			PGresult *r = PQgetResult(pg);
			PQclear(r);
			if (!r && PQexitPipelineMode(pg))
				break;
		}
	}
	if (c->batch == b)
		c->batch = NULL;
	b->state = B_DONE;
	b->wants_write = false;
	if (b->fatal != MC_OK)
		return;
	mc__err_reset(c);
	for (size_t i = 0; i < b->ncalls; i++)
		if (b->calls[i].failed && b->calls[i].conn_error) {
			mc__set_error(c, &b->calls[i].err);
			break;
		}
}

/* The batch stops: what is left gets st. */
static mc_status stop(mc_batch *b, mc_status st)
{
	b->fatal = st;
	answer_rest(b, st);
	finish(b);
	return st;
}

static mc_status start(mc_batch *b)
{
	mc_conn *c = b->c;
	PGconn *pg = c->pg;

	if (c->batch)
		return mc__fail(c, MC_INVALID, NULL, "the connection is running another batch");
	mc__err_reset(c);
	/* calls with nothing to send are over */
	for (size_t i = 0; i < b->ncalls; i++)
		if (!b->calls[i].finished && b->calls[i].pending == 0)
			finish_call(&b->calls[i]);
	if (b->nstmts == 0) {
		/* no round trip */
		b->open_call = false;
		b->state = B_DONE;
		finish(b);
		return MC_OK;
	}
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		b->open_call = false;
		b->state = B_RUNNING;
		return stop(b, mc__lost(c));
	}
	/* refused unless libpq is idle: in a COPY, a stream, another pipeline */
	if (PQpipelineStatus(pg) != PQ_PIPELINE_OFF || !PQenterPipelineMode(pg))
		return mc__fail(c, MC_INVALID, NULL, "cannot run a batch: the connection is in the middle of something");
	b->was_nonblocking = PQisnonblocking(pg) != 0;
	if (!b->was_nonblocking && PQsetnonblocking(pg, 1) != 0) {
		(void)PQexitPipelineMode(pg);
		return mc__fail(c, MC_ERROR, NULL, "cannot make the connection non-blocking");
	}
	c->batch = b;
	c->round_trips++;
	b->open_call = false;
	b->state = B_RUNNING;
	return MC_OK;
}

mc_status mc_batch_step(mc_batch *b, bool *done)
{
	mc_status st;
	PGconn *pg;

	if (done)
		*done = false;
	if (!b)
		return MC_INVALID;
	if (b->state == B_DONE) {
		if (done)
			*done = true;
		return b->fatal;
	}
	if (!b->c)
		return MC_INVALID;
	if (b->state == B_QUEUING && (st = start(b)) != MC_OK)
		return st;
	if (b->state == B_DONE) {
		if (done)
			*done = true;
		return b->fatal;
	}
	/* bounded work per step, for event loops: send, read what has come,
	 * and send again into the room the answers made */
	pg = b->c->pg;
	if (send_some(b)) {
		if (PQconsumeInput(pg))
			receive(b);
		else
			b->fatal = mc__lost(b->c);
	}
	if (b->fatal == MC_OK && b->answered < b->nstmts)
		(void)send_some(b);
	if (b->fatal != MC_OK || (b->answered == b->nstmts && !b->await_sync)) {
		st = b->fatal;
		if (st != MC_OK)
			stop(b, st);
		else
			finish(b);
		if (done)
			*done = true;
		return st;
	}
	return MC_OK;
}

mc_status mc_batch_run(mc_batch *b)
{
	bool done = false;
	mc_status st;

	if (!b)
		return MC_INVALID;
	for (;;) {
		st = mc_batch_step(b, &done);
		if (done || st != MC_OK)
			return st;
		struct pollfd pfd;
		pfd.fd = PQsocket(b->c->pg);
		pfd.events = (short)(POLLIN | (mc_batch_wants_write(b) ? POLLOUT : 0));
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR && errno != EAGAIN) {
			mc_status lost = mc__fail(b->c, MC_CONNECTION_LOST, NULL, "poll: %s", strerror(errno));
			return stop(b, lost);
		}
	}
}

void mc__batch_abandon(mc_batch *b)
{
	b->closing = true;
	if (b->state == B_RUNNING)
		stop(b, mc__fail(b->c, MC_CONNECTION_LOST, NULL, "connection closed while a batch was running"));
	b->c = NULL;    /* the batch can only be freed now */
}

void mc_batch_free(mc_batch *b)
{
	if (!b)
		return;
	if (b->state == B_RUNNING)
		(void)mc_batch_run(b);
	free(b->stmts);
	free(b->calls);
	for (chunk *k = b->mem, *next; k; k = next) {
		next = k->next;
		free(k);
	}
	free(b);
}
