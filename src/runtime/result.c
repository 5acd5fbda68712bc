/* result.c - the memory of one call's rows: an arena of zeroed blocks and
 * the PGresults whose text the rows point into. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ALIGN alignof(max_align_t)
#define ROUND(n) (((n) + ALIGN - 1) & ~(size_t)(ALIGN - 1))
#define FIRST_BLOCK 1024
#define MAX_BLOCK (64 * 1024)

typedef struct block {
	struct block *next;
	size_t used, cap;
} block;

#define HEADER ROUND(sizeof(block))

struct mc_result {
	block *blocks;          /* newest first: the one allocations come from */
	size_t next_cap;
	PGresult **pg;
	size_t npg, pg_cap;
};

mc_result *mc_result_new(void)
{
	mc_result *r = calloc(1, sizeof(*r));
	if (r)
		r->next_cap = FIRST_BLOCK;
	return r;
}

void *mc_result_alloc(mc_result *r, size_t n)
{
	block *b;
	void *out;

	if (!r)
		return NULL;
	n = n ? ROUND(n) : ALIGN;
	if (n < ALIGN)     /* ROUND wrapped around */
		return NULL;
	b = r->blocks;
	if (!b || b->cap - b->used < n) {
		/* blocks double up to MAX_BLOCK; a big request gets a block of
		 * its own, behind the current one so that its space stays in use */
		size_t cap = r->next_cap;
		bool alone = n > cap / 2;
		if (alone)
			cap = n;
		if (cap > SIZE_MAX - HEADER)
			return NULL;
		b = calloc(1, HEADER + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		if (alone && r->blocks) {
			b->next = r->blocks->next;
			r->blocks->next = b;
		} else {
			b->next = r->blocks;
			r->blocks = b;
			if (r->next_cap < MAX_BLOCK)
				r->next_cap *= 2;
		}
	}
	out = (char *)b + HEADER + b->used;
	b->used += n;
	return out;
}

mc_status mc_result_keep(mc_result *r, void *pgresult)
{
	if (!pgresult)
		return MC_OK;
	if (!r)
		return MC_INVALID;
	if (r->npg == r->pg_cap) {
		size_t ncap = r->pg_cap ? r->pg_cap * 2 : 4;
		PGresult **np = realloc(r->pg, ncap * sizeof(*np));
		/* on failure pgresult stays the caller's, as gen.h says */
		if (!np)
			return MC_NOMEM;
		r->pg = np;
		r->pg_cap = ncap;
	}
	r->pg[r->npg++] = pgresult;
	return MC_OK;
}

void mc_result_reset(mc_result *r)
{
	block *keep = NULL;

	if (!r)
		return;
	for (size_t i = 0; i < r->npg; i++)
		PQclear(r->pg[i]);
	r->npg = 0;
	/* the oldest block is the first one (FIRST_BLOCK bytes, unless a big
	 * request came first): kept and zeroed, the others freed */
	for (block *b = r->blocks, *next; b; b = next) {
		next = b->next;
		if (!next) {
			keep = b;
			break;
		}
		free(b);
	}
	if (keep && keep->cap > MAX_BLOCK) {
		free(keep);     /* a big value's block: not worth keeping */
		keep = NULL;
	}
	if (keep) {
		memset((char *)keep + HEADER, 0, keep->used);
		keep->used = 0;
		keep->next = NULL;
	}
	r->blocks = keep;
	r->next_cap = keep && keep->cap >= FIRST_BLOCK ? FIRST_BLOCK * 2 : FIRST_BLOCK;
}

void mc_result_free(mc_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->npg; i++)
		PQclear(r->pg[i]);
	free(r->pg);
	for (block *b = r->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(r);
}
