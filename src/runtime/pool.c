/* pool.c - a thread-safe connection pool with SQLAlchemy's QueuePool knobs.
 *
 * Idle connections sit on a stack (LIFO: the warmest one goes out first, the
 * others can age out through pool_recycle). `open` counts every connection
 * that exists or is being opened, checked out or idle; it never exceeds
 * pool_size + max_overflow (max_overflow < 0: no limit). Opening, pinging
 * and closing happen outside the lock so that one slow server round trip
 * does not stall the other threads. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

struct mc_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* a slot or an idle connection became free */
	mc_pool_opts opts;
	char *conninfo;
	mc_conn **idle;         /* room for pool_size */
	int nidle;
	int open;
	int limit;
};

/* mc_error has no owner for its strings: a failed acquire's message lives
 * per thread until that thread's next failed acquire. */
static _Thread_local char acquire_msg[512];

static mc_status report(mc_error *err, mc_status st, const char *sqlstate, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static mc_status report(mc_error *err, mc_status st, const char *sqlstate, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return st;
	va_start(ap, fmt);
	vsnprintf(acquire_msg, sizeof(acquire_msg), fmt, ap);
	va_end(ap);
	memset(err, 0, sizeof(*err));
	err->status = st;
	if (sqlstate && strlen(sqlstate) == 5)
		memcpy(err->sqlstate, sqlstate, 6);
	err->message = acquire_msg;
	err->constraint_id = -1;
	return st;
}

mc_status mc_pool_new(mc_pool **out, const mc_pool_opts *opts)
{
	static const mc_pool_opts defaults = MC_POOL_OPTS_INIT;
	pthread_condattr_t ca;
	mc_pool *p;

	if (!out)
		return MC_INVALID;
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->pool_size < 0 || (opts->pool_size == 0 && opts->max_overflow == 0))
		return MC_INVALID;

	p = calloc(1, sizeof(*p));
	if (!p)
		return MC_NOMEM;
	p->opts = *opts;
	p->limit = opts->max_overflow < 0 || opts->max_overflow > INT_MAX - opts->pool_size
			   ? INT_MAX : opts->pool_size + opts->max_overflow;
	p->idle = calloc((size_t)opts->pool_size + 1, sizeof(*p->idle));
	if (opts->conninfo) {
		size_t n = strlen(opts->conninfo) + 1;
		if ((p->conninfo = malloc(n)) != NULL)
			memcpy(p->conninfo, opts->conninfo, n);
	}
	p->opts.conninfo = p->conninfo;
	if (!p->idle || (opts->conninfo && !p->conninfo)) {
		free(p->idle);
		free(p->conninfo);
		free(p);
		return MC_NOMEM;
	}

	/* waits are measured on the monotonic clock: a wall-clock jump must
	 * not stretch or cut pool_timeout */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&p->mu, NULL);
	*out = p;
	return MC_OK;
}

static struct timespec deadline_after(double seconds)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	time_t whole = (time_t)seconds;
	long ns = ts.tv_nsec + (long)((seconds - (double)whole) * 1e9);
	ts.tv_sec += whole + ns / 1000000000L;
	ts.tv_nsec = ns % 1000000000L;
	return ts;
}

/* An idle connection worth handing out, or NULL when it must be replaced. */
static mc_conn *check_idle(mc_pool *p, mc_conn *c)
{
	if (p->opts.pool_recycle > 0 && mc__now() - c->opened_at > p->opts.pool_recycle)
		goto replace;
	if (!mc_conn_ok(c))
		goto replace;
	if (p->opts.pre_ping && mc_conn_ping(c) != MC_OK)
		goto replace;
	return c;
replace:
	mc_conn_close(c);
	return NULL;
}

mc_status mc_pool_acquire(mc_pool *p, mc_conn **out, mc_error *err)
{
	mc_conn *c = NULL;
	/* negative or absurdly long (past time_t arithmetic): wait for good */
	bool timed = p && p->opts.pool_timeout >= 0 && p->opts.pool_timeout < 1e9;
	struct timespec deadline;
	mc_status st;

	if (out)
		*out = NULL;
	if (!p || !out)
		return report(err, MC_INVALID, NULL, "mc_pool_acquire: no pool or no output");
	if (timed)
		deadline = deadline_after(p->opts.pool_timeout);

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->nidle > 0) {
			c = p->idle[--p->nidle];
			break;
		}
		if (p->open < p->limit) {
			p->open++;      /* the slot is ours while we connect */
			break;
		}
		int rc = timed ? pthread_cond_timedwait(&p->cv, &p->mu, &deadline)
			       : pthread_cond_wait(&p->cv, &p->mu);
		if (rc == ETIMEDOUT && p->nidle == 0 && p->open >= p->limit) {
			int open = p->open;
			pthread_mutex_unlock(&p->mu);
			return report(err, MC_POOL_TIMEOUT, NULL,
				      "pool timeout: all %d connections (pool_size %d + max_overflow %d) "
				      "stayed in use for %.3g s",
				      open, p->opts.pool_size, p->opts.max_overflow, p->opts.pool_timeout);
		}
	}
	pthread_mutex_unlock(&p->mu);

	if (c)
		c = check_idle(p, c);
	if (c) {
		*out = c;
		return MC_OK;
	}

	st = mc_conn_open(&c, p->conninfo, &p->opts.conn);
	if (st == MC_OK) {
		*out = c;
		return MC_OK;
	}
	if (c) {
		const mc_error *e = mc_last_error(c);
		report(err, st, e->sqlstate, "could not connect: %s", e->message);
	} else {
		report(err, st, NULL, "could not connect: out of memory");
	}
	mc_conn_close(c);
	pthread_mutex_lock(&p->mu);
	p->open--;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return st;
}

/* Whether c can serve the next caller as it is, after undoing whatever
 * transaction the last one left open. */
static bool reset_for_reuse(mc_conn *c)
{
	if (!mc_conn_ok(c))
		return false;
	switch (PQtransactionStatus(c->pg)) {
	case PQTRANS_IDLE:
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		break;
	default:
		/* a command still running (COPY, an abandoned stream): no
		 * cheap way back */
		return false;
	}
	/* depth > 0 on an idle server (a raw COMMIT) is settled by ROLLBACK
	 * too: at worst a warning */
	if (c->depth > 0 || PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		if (mc__run(c, "ROLLBACK", false, NULL) != MC_OK)
			return false;
		c->depth = 0;
	}
	/* the hook's ctx belonged to the last caller */
	c->hook = NULL;
	c->hook_ctx = NULL;
	return true;
}

void mc_pool_release(mc_pool *p, mc_conn *c)
{
	bool keep;

	if (!c)
		return;
	if (!p) {
		mc_conn_close(c);
		return;
	}
	keep = reset_for_reuse(c);

	pthread_mutex_lock(&p->mu);
	if (keep && p->nidle < p->opts.pool_size) {
		p->idle[p->nidle++] = c;
		c = NULL;
	} else {
		p->open--;      /* overflow or broken: closed below */
	}
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	mc_conn_close(c);
}

void mc_pool_free(mc_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nidle; i++)
		mc_conn_close(p->idle[i]);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->idle);
	free(p->conninfo);
	free(p);
}
