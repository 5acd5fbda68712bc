/* copy.c - COPY ... FROM STDIN for bulk inserts: rows go as text-format
 * COPY lines built from mc_params, no statement per row. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

mc_status mc_copy_begin(mc_conn *c, const char *sql)
{
	if (!c || !sql)
		return MC_INVALID;
	mc__err_reset(c);
	if (c->batch)
		return mc__busy(c);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
		return mc__lost(c);
	c->copy_failed = MC_OK;
	c->round_trips++;
	PGresult *r = PQexec(c->pg, sql);
	if (PQresultStatus(r) == PGRES_COPY_IN) {
		PQclear(r);
		return MC_OK;
	}
	mc_status st = mc__check_result(c, r);
	PQclear(r);
	return st == MC_OK ? mc__fail(c, MC_INVALID, "", "not a COPY FROM STDIN statement") : st;
}

/* COPY text format: backslash escapes for the characters that structure it. */
static void put_value(char **out, size_t *len, size_t *cap, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (*len + 3 > *cap) {
			size_t nc = *cap * 2 + 64;
			char *b = realloc(*out, nc);
			if (!b)
				return;
			*out = b;
			*cap = nc;
		}
		char ch = v[i], esc = 0;
		switch (ch) {
		case '\\': esc = '\\'; break;
		case '\t': esc = 't'; break;
		case '\n': esc = 'n'; break;
		case '\r': esc = 'r'; break;
		default: break;
		}
		if (esc) {
			(*out)[(*len)++] = '\\';
			(*out)[(*len)++] = esc;
		} else {
			(*out)[(*len)++] = ch;
		}
	}
}

mc_status mc_copy_row(mc_conn *c, const mc_params *p)
{
	if (!c || !p)
		return MC_INVALID;
	if (c->batch)
		return mc__busy(c);
	if (p->failed) {
		/* abort, so the rows already sent are not committed */
		PQputCopyEnd(c->pg, "a row could not be built");
		c->copy_failed = mc__fail(c, MC_INVALID, "", "a COPY row could not be built (a value out of range, or out of memory)");
		return c->copy_failed;
	}
	size_t cap = 256, len = 0;
	char *line = malloc(cap);
	if (!line)
		return mc__fail(c, MC_NOMEM, "", "out of memory");
	for (int i = 0; i < p->n; i++) {
		if (len + 4 > cap) {
			char *b = realloc(line, cap *= 2);
			if (!b) {
				free(line);
				return mc__fail(c, MC_NOMEM, "", "out of memory");
			}
			line = b;
		}
		if (i)
			line[len++] = '\t';
		if (!p->values[i]) {
			line[len++] = '\\';
			line[len++] = 'N';
		} else {
			put_value(&line, &len, &cap, p->values[i], (size_t)p->lengths[i]);
		}
	}
	if (len + 1 > cap) {
		char *b = realloc(line, cap + 1);
		if (!b) {
			free(line);
			return mc__fail(c, MC_NOMEM, "", "out of memory");
		}
		line = b;
	}
	line[len++] = '\n';
	int rc = PQputCopyData(c->pg, line, (int)len);
	free(line);
	return rc == 1 ? MC_OK : mc__lost(c);
}

mc_status mc_copy_end(mc_conn *c, int64_t *rows)
{
	if (rows)
		*rows = 0;
	if (!c)
		return MC_INVALID;
	if (c->batch)
		return mc__busy(c);
	double t0 = mc__now();
	mc_status st = c->copy_failed;
	c->round_trips++;
	if (st == MC_OK && PQputCopyEnd(c->pg, NULL) != 1)
		st = mc__lost(c);
	long n = -1;
	PGresult *r;
	bool got = false;
	while ((r = PQgetResult(c->pg)) != NULL) {
		if (!got && c->copy_failed == MC_OK) {
			mc_status s2 = mc__check_result(c, r);
			if (st == MC_OK)
				st = s2;
			if (s2 == MC_OK)
				n = strtol(PQcmdTuples(r), NULL, 10);
			got = true;
		}
		PQclear(r);
	}
	c->copy_failed = MC_OK;
	mc__finish(c, "COPY ... FROM STDIN", 0, t0, st, st == MC_OK ? n : -1);
	if (st == MC_OK && rows)
		*rows = n;
	return st;
}
