/* stmtcache.c - statements whose SQL is made at run time, prepared on the
 * connection like the generated static ones:
 *
 *  - variants of a generated insert or update, one per set of columns
 *    written (mc_exec_write): the SQL names those columns only, so the
 *    server neither parses the values left out nor evaluates a CASE per
 *    column; each variant is built once per connection and prepared;
 *  - the text of composed queries (query.c): prepared from its third use
 *    on, so a query run in a loop is parsed and planned once, while one
 *    run once or twice costs no extra round trip.
 *
 * Each entry owns an mc_stmt at a fixed address: the prepared-statement
 * cache of conn.c knows statements by address. Entries live as long as the
 * connection; past DYN_MAX of them, the ones not prepared yet are dropped
 * (they were never prepared), and when every entry is prepared, new
 * statements run unnamed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DYN_MAX 512
/* Composed text is prepared on its third use: the first two run unnamed
 * (parsed and planned each time, one round trip each), so a query run
 * once or twice never pays the extra round trip of a PREPARE, and a loop
 * pays it once. */
#define PREPARE_AT 3

typedef struct dyn_entry {
	uint64_t key;               /* text: hash of the SQL; variant: (desc, mask) mixed */
	const mc_write_desc *desc;  /* variants only */
	uint64_t mask;
	bool returning;             /* variants: with RETURNING */
	unsigned uses;
	mc_stmt st;                 /* name and sql owned */
} dyn_entry;

struct mc_dyn {
	dyn_entry **slots;          /* open addressing on key; cap a power of two */
	size_t cap, n;
	unsigned seq;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

static uint64_t text_key(const char *s, size_t *len)
{
	uint64_t h = UINT64_C(1469598103934665603);
	const char *p = s;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
	*len = (size_t)(p - s);
	return mix(h);
}

static void entry_free(dyn_entry *e)
{
	free((char *)e->st.name);
	free((char *)e->st.sql);
	free(e);
}

void mc__dyn_free(mc_conn *c)
{
	mc_dyn *d = c->dyn;
	if (!d)
		return;
	for (size_t i = 0; i < d->cap; i++)
		if (d->slots[i])
			entry_free(d->slots[i]);
	free(d->slots);
	free(d);
	c->dyn = NULL;
}

static void place(dyn_entry **slots, size_t cap, dyn_entry *e)
{
	size_t i = (size_t)e->key & (cap - 1);
	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = e;
}

/* Rebuilds the table with room for one more entry; with purge, the
 * entries used once only (never prepared) are dropped. */
static bool rebuild(mc_dyn *d, size_t cap, bool purge)
{
	dyn_entry **ns = calloc(cap, sizeof(*ns));
	if (!ns)
		return false;
	d->n = 0;
	for (size_t i = 0; i < d->cap; i++) {
		dyn_entry *e = d->slots[i];
		if (!e)
			continue;
		if (purge && e->uses < PREPARE_AT && !e->desc) {
			entry_free(e);
			continue;
		}
		place(ns, cap, e);
		d->n++;
	}
	free(d->slots);
	d->slots = ns;
	d->cap = cap;
	return true;
}

/* Room for one more entry, or false. */
static bool room(mc_conn *c)
{
	mc_dyn *d = c->dyn;
	if (!d) {
		d = c->dyn = calloc(1, sizeof(*d));
		if (!d)
			return false;
	}
	if (d->n >= DYN_MAX && !rebuild(d, d->cap, true))
		return false;
	if (d->n >= DYN_MAX)
		return false;
	if ((d->n + 1) * 2 > d->cap)
		return rebuild(d, d->cap ? d->cap * 2 : 16, false);
	return true;
}

static dyn_entry *add(mc_conn *c, uint64_t key, const char *sql, size_t len, int nparams, int binary)
{
	dyn_entry *e = calloc(1, sizeof(*e));
	char *copy = malloc(len + 1), *name = malloc(24);
	if (!e || !copy || !name) {
		free(e);
		free(copy);
		free(name);
		return NULL;
	}
	memcpy(copy, sql, len + 1);
	snprintf(name, 24, "mc_d%u", ++c->dyn->seq);
	e->key = key;
	e->st.name = name;
	e->st.sql = copy;
	e->st.nparams = nparams;
	e->st.binary = binary;
	place(c->dyn->slots, c->dyn->cap, e);
	c->dyn->n++;
	return e;
}

const mc_stmt *mc__dyn_text(mc_conn *c, const char *sql, int nparams, int binary)
{
	size_t len;
	uint64_t key;
	mc_dyn *d = c->dyn;

	if (c->opts.unnamed_statements)
		return NULL;
	key = text_key(sql, &len);
	if (d && d->cap) {
		for (size_t i = (size_t)key & (d->cap - 1); d->slots[i]; i = (i + 1) & (d->cap - 1)) {
			dyn_entry *e = d->slots[i];
			if (e->key == key && !e->desc && e->st.nparams == nparams && e->st.binary == binary &&
			    strcmp(e->st.sql, sql) == 0) {
				if (e->uses < PREPARE_AT)
					e->uses++;
				return e->uses >= PREPARE_AT ? &e->st : NULL;
			}
		}
	}
	/* the first time: remembered, run unnamed */
	if (room(c)) {
		dyn_entry *e = add(c, key, sql, len, nparams, binary);
		if (e)
			e->uses = 1;
	}
	return NULL;
}

/* ---- insert and update variants ---------------------------------------------- */

typedef struct sql_out {
	char *p;
	size_t len, cap;
	bool oom;
} sql_out;

static void put(sql_out *o, const char *s)
{
	size_t n = strlen(s);
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t nc = o->cap ? o->cap : 256;
		while (o->len + n + 1 > nc)
			nc *= 2;
		char *np = realloc(o->p, nc);
		if (!np) {
			o->oom = true;
			return;
		}
		o->p = np;
		o->cap = nc;
	}
	memcpy(o->p + o->len, s, n + 1);
	o->len += n;
}

static void put_param(sql_out *o, int n, const char *cast)
{
	char num[24];
	snprintf(num, sizeof(num), "$%d::", n);
	put(o, num);
	put(o, cast);
}

/* INSERT INTO t AS mc_row (c..) VALUES ($1::T, ..) [RETURNING ...]
 * UPDATE t SET c = $k::T, .., on_update.., set_tail WHERE keys [RETURNING ...]
 * (an update's key parameters come first, $1..$nkeys) */
static char *build(const mc_write_desc *w, uint64_t mask, bool returning, int *nparams)
{
	sql_out o = { NULL, 0, 0, false };
	int n = 0;

	if (w->kind == MC_WRITE_INSERT) {
		put(&o, "INSERT INTO ");
		put(&o, w->table);
		put(&o, " AS mc_row");
		if (!mask) {
			put(&o, " DEFAULT VALUES");
		} else {
			put(&o, " (");
			for (int i = 0; i < w->ncols; i++)
				if (mask & ((uint64_t)1 << i)) {
					put(&o, n++ ? ", " : "");
					put(&o, w->columns[i]);
				}
			put(&o, ") VALUES (");
			n = 0;
			for (int i = 0; i < w->ncols; i++)
				if (mask & ((uint64_t)1 << i)) {
					put(&o, n ? ", " : "");
					put_param(&o, ++n, w->casts[i]);
				}
			put(&o, ")");
		}
	} else {
		bool any = false;
		n = w->nkeys;
		put(&o, "UPDATE ");
		put(&o, w->table);
		put(&o, " SET ");
		for (int i = 0; i < w->ncols; i++) {
			uint64_t bit = (uint64_t)1 << i;
			if (mask & bit) {
				put(&o, any ? ", " : "");
				put(&o, w->columns[i]);
				put(&o, " = ");
				put_param(&o, ++n, w->casts[i]);
				any = true;
			} else if (w->on_update && w->on_update[i]) {
				put(&o, any ? ", " : "");
				put(&o, w->columns[i]);
				put(&o, " = ");
				put(&o, w->on_update[i]);
				any = true;
			}
		}
		if (w->set_tail) {
			put(&o, any ? ", " : "");
			put(&o, w->set_tail);
			any = true;
		}
		if (!any) {
			/* nothing written: the row is still updated (and returned) */
			put(&o, w->touch);
		}
		put(&o, w->where);
	}
	if (returning && w->returning) {
		put(&o, " RETURNING ");
		put(&o, w->returning);
	}
	if (o.oom) {
		free(o.p);
		return NULL;
	}
	*nparams = n;
	return o.p;
}

mc_status mc_exec_write(mc_conn *c, const mc_write_desc *w, uint64_t mask, bool returning, const mc_params *p,
                        void **res)
{
	uint64_t key;
	mc_dyn *d;
	dyn_entry *e = NULL;
	char *sql;
	int np = 0;

	if (res)
		*res = NULL;
	if (!c)
		return MC_INVALID;
	if (!w || !w->table || w->ncols > 64)
		return mc__fail(c, MC_INVALID, NULL, "mc_exec_write: bad descriptor");
	mask &= w->ncols == 64 ? ~(uint64_t)0 : (((uint64_t)1 << w->ncols) - 1);
	key = mix((uint64_t)(uintptr_t)w ^ mix(mask) ^ (returning ? UINT64_C(0x9e3779b97f4a7c15) : 0));
	d = c->dyn;
	if (d && d->cap) {
		for (size_t i = (size_t)key & (d->cap - 1); d->slots[i]; i = (i + 1) & (d->cap - 1)) {
			dyn_entry *x = d->slots[i];
			if (x->key == key && x->desc == w && x->mask == mask && x->returning == returning) {
				e = x;
				break;
			}
		}
	}
	if (e)
		return mc_exec(c, &e->st, p, res);

	sql = build(w, mask, returning, &np);
	if (!sql)
		return mc__fail(c, MC_NOMEM, NULL, "out of memory");
	if (!c->opts.unnamed_statements && room(c) && (e = add(c, key, sql, strlen(sql), np, 0)) != NULL) {
		e->desc = w;
		e->mask = mask;
		e->returning = returning;
		e->uses = PREPARE_AT;           /* variants are prepared at once */
		free(sql);
		return mc_exec(c, &e->st, p, res);
	}
	/* no room: unnamed */
	mc_stmt st = { NULL, sql, np, 0 };
	mc_status s = mc_exec(c, &st, p, res);
	free(sql);
	return s;
}
