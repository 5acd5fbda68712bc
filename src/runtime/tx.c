/* tx.c - transactions: the outer level is BEGIN/COMMIT, inner levels are
 * savepoints named after their depth (mc_sp_2, mc_sp_3, ...). Committing
 * a savepoint sends nothing: its RELEASE goes with the next savepoint at
 * that depth, or is implied by what ends the level below (COMMIT,
 * ROLLBACK TO), so a transaction with a savepoint costs no extra round
 * trip when it succeeds. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Not a server error, but the SQLSTATE the server uses for the situation. */
#define IN_FAILED_TX "25P02"

int mc_tx_depth(const mc_conn *c)
{
	return c ? c->depth : 0;
}

static bool tx_aborted(const mc_conn *c)
{
	return PQtransactionStatus(c->pg) == PQTRANS_INERROR;
}

static mc_status begin_with(mc_conn *c, const char *begin_sql)
{
	char sql[96];
	mc_status st;

	if (!c)
		return MC_INVALID;
	if (c->batch)
		return mc__busy(c);
	if (c->depth == 0) {
		c->released_sp = 0;
		st = mc__run(c, begin_sql, false, NULL);
	} else if (c->released_sp == c->depth + 1) {
		/* the level committed last at this depth is still open on the
		 * server: released now, with the new one in the same message, so
		 * that a loop of savepoints never piles up subtransactions */
		snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT mc_sp_%d; SAVEPOINT mc_sp_%d", c->depth + 1,
			 c->depth + 1);
		c->released_sp = 0;
		st = mc__run(c, sql, false, NULL);
	} else {
		snprintf(sql, sizeof(sql), "SAVEPOINT mc_sp_%d", c->depth + 1);
		st = mc__run(c, sql, false, NULL);
	}
	if (st == MC_OK)
		c->depth++;
	return st;
}

mc_status mc_begin(mc_conn *c)
{
	return begin_with(c, "BEGIN");
}

/* Undoes the innermost level. keep_error: the caller is cleaning up after
 * a failure the caller's caller must still be able to read. */
static mc_status rollback_level(mc_conn *c, bool keep_error)
{
	char sql[96];
	mc_status st;

	/* either way a savepoint committed above this level goes too */
	c->released_sp = 0;
	if (c->depth <= 1) {
		st = mc__run(c, "ROLLBACK", keep_error, NULL);
		c->depth = 0;   /* over, whatever the server said */
		return st;
	}
	snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT mc_sp_%d; RELEASE SAVEPOINT mc_sp_%d",
		 c->depth, c->depth);
	st = mc__run(c, sql, keep_error, NULL);
	if (st == MC_OK)
		c->depth--;
	return st;
}

mc_status mc_rollback(mc_conn *c)
{
	if (!c)
		return MC_INVALID;
	if (c->batch)
		return mc__busy(c);   /* and the level stays */
	if (c->depth == 0)
		return mc__fail(c, MC_INVALID, NULL, "rollback outside a transaction");
	return rollback_level(c, false);
}

mc_status mc_commit(mc_conn *c)
{
	PGresult *r;
	mc_status st;

	if (!c)
		return MC_INVALID;
	if (c->batch)
		return mc__busy(c);
	if (c->depth == 0)
		return mc__fail(c, MC_INVALID, NULL, "commit outside a transaction");

	/* the server would turn COMMIT into a silent ROLLBACK: say it */
	if (mc_conn_ok(c) && tx_aborted(c)) {
		int depth = c->depth;
		st = rollback_level(c, false);
		if (st != MC_OK)
			return st;
		return mc__fail(c, MC_ERROR, IN_FAILED_TX,
				depth > 1 ? "savepoint not released: an earlier error aborted it; rolled back"
					  : "transaction not committed: an earlier error aborted it; rolled back");
	}

	if (c->depth > 1) {
		/* RELEASE waits: the next COMMIT, RELEASE or ROLLBACK TO of an
		 * outer level ends this savepoint too, and the next savepoint at
		 * this depth releases it first (begin_with). Its work is its
		 * parent's from now on either way: what RELEASE means. A healthy
		 * transaction cannot fail a RELEASE of a savepoint it has (an
		 * aborted one was handled above), so nothing is hidden. */
		if (!mc_conn_ok(c))
			return mc__lost(c);
		mc__err_reset(c);
		c->released_sp = c->depth;
		c->depth--;
		return MC_OK;
	}
	c->released_sp = 0;
	st = mc__run(c, "COMMIT", false, &r);
	c->depth = 0;   /* a failed COMMIT ends the transaction too */
	if (st == MC_OK) {
		bool rolled_back = strcmp(PQcmdStatus(r), "ROLLBACK") == 0;
		PQclear(r);
		if (rolled_back)
			return mc__fail(c, MC_ERROR, IN_FAILED_TX,
					"transaction not committed: the server rolled it back");
	}
	return st;
}

static const char *begin_sql(mc_isolation iso)
{
	switch (iso) {
	case MC_REPEATABLE_READ: return "BEGIN ISOLATION LEVEL REPEATABLE READ";
	case MC_SERIALIZABLE: return "BEGIN ISOLATION LEVEL SERIALIZABLE";
	case MC_READ_COMMITTED: break;
	}
	return "BEGIN ISOLATION LEVEL READ COMMITTED";
}

/* Inside a transaction fn runs in a savepoint: its failure undoes only its
 * own work, and retrying is pointless because a serialization failure dooms
 * the outer transaction as well; the isolation is the outer one's. */
static mc_status nested(mc_conn *c, mc_tx_fn fn, void *ctx)
{
	int depth = c->depth;
	mc_status st = mc_begin(c);

	if (st != MC_OK)
		return st;
	st = fn(c, ctx);
	if (st == MC_OK && c->depth != depth + 1)
		st = mc__fail(c, MC_INVALID, NULL, "transaction function left %d levels open instead of %d",
			      c->depth - depth, 1);
	if (st == MC_OK)
		return mc_commit(c);
	while (c->depth > depth && rollback_level(c, true) == MC_OK)
		;
	return st;
}

mc_status mc_transaction(mc_conn *c, mc_isolation iso, int max_attempts, mc_tx_fn fn, void *ctx)
{
	mc_status st = MC_OK;

	if (!c)
		return MC_INVALID;
	if (!fn)
		return mc__fail(c, MC_INVALID, NULL, "mc_transaction: no function");
	if (c->batch)
		return mc__busy(c);
	if (c->depth > 0)
		return nested(c, fn, ctx);
	if (max_attempts < 1)
		max_attempts = 1;

	for (int attempt = 1; attempt <= max_attempts; attempt++) {
		st = begin_with(c, begin_sql(iso));
		if (st != MC_OK)
			return st;
		st = fn(c, ctx);
		if (st == MC_OK && c->depth != 1)
			st = mc__fail(c, MC_INVALID, NULL,
				      "transaction function left %d levels open instead of 1", c->depth);
		if (st == MC_OK) {
			st = mc_commit(c);      /* a serializable COMMIT may fail too */
		} else if (c->depth > 0) {
			/* one ROLLBACK ends every level; keep fn's error readable
			 * unless the rollback itself fails (a lost connection) */
			mc_status rs;
			c->depth = 1;
			if ((rs = rollback_level(c, true)) != MC_OK)
				return rs;
		}
		if (st != MC_SERIALIZATION_FAILURE)
			return st;
	}
	return st;
}
