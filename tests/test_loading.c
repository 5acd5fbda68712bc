/* test_loading.c - one query loaded with every strategy gives the same
 * object graph, in a constant number of statements.
 *
 * tests/models/graph.model declares each relationship of g_authors four
 * times, once per strategy (suffix _in: selectin, _j: joined, _sq:
 * subquery, _lz: lazy, loaded later with the generated _load_<rel>): a
 * belongs_to through a nullable foreign key, a has_many in an order with
 * ties and NULLs, a has_many with a per-parent limit, a has_one on a key
 * that is not unique, a many_to_many whose targets are shared by many
 * parents, and a many_to_many with a per-parent limit. The selectin graph is
 * checked against what fill() wrote, and every other strategy's graph
 * against it, field by field; the rows are moved on disk first, so ties in
 * an order must be broken by the child's key under every strategy. */
#include "testutil.h"

#include <libpq-fe.h>

#include "graph.h"

static mc_conn *conn;

static int setup(void **state)
{
	(void)state;
	PGconn *admin = PQconnectdb("");
	if (PQstatus(admin) != CONNECTION_OK)
		return -1;
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_loading"));
	PGresult *r = PQexec(admin, "CREATE DATABASE modelc_loading");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	PQfinish(admin);
	char path[4096];
	snprintf(path, sizeof path, "%s/testgen/graph.sql", tu_env("MODELC_BUILD", "build-san"));
	char *sql = tu_read(path, NULL);
	if (!ok || !sql)
		return -1;
	PGconn *db = PQconnectdb("dbname=modelc_loading");
	r = PQexec(db, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "graph.sql: %s", PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);
	free(sql);
	if (!ok)
		return -1;
	return mc_conn_open(&conn, "dbname=modelc_loading", NULL) == MC_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	mc_conn_close(conn);
	PGconn *admin = PQconnectdb("");
	PQclear(PQexec(admin, "DROP DATABASE IF EXISTS modelc_loading"));
	PQfinish(admin);
	return 0;
}

static mc_str S(const char *s)
{
	mc_str r = { s, strlen(s) };
	return r;
}

static void ok(mc_status st)
{
	if (st != MC_OK)
		fail_msg("%s: %s", mc_status_name(st), mc_last_error(conn)->message);
}

static void exec_sql(const char *sql)
{
	PGresult *r = PQexec((PGconn *)mc_conn_pg(conn), sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage((PGconn *)mc_conn_pg(conn)));
	PQclear(r);
}

/* ---- the data --------------------------------------------------------- */

/* author i ("a000123"): rank i % 5; mentor m(i % 7), none when i % 3 == 0;
 * i % 5 books, book k titled beta/alpha alternately (ties in the order),
 * pages NULL when (i + k) % 4 == 1, else (i + 3k) % 3 (ties again); tag k
 * when i % (k + 2) == 0, but tag 3 when i % 5 == 1 (tag 0 for every second
 * author; authors 5, 25, 55, 65, 85 have no book and no tag) */
enum { NMENTORS = 7, NTAGS = 6 };
static const char *const tag_names[NTAGS] = { "kiwi", "apple", "mango", "fig", "banana", "cherry" };
static const int tags_by_name[NTAGS] = { 1, 4, 5, 3, 0, 2 };   /* apple banana cherry fig kiwi mango */
static const char *const titles[2] = { "beta", "alpha" };
static int64_t mentor_ids[NMENTORS];
static int32_t tag_ids[NTAGS];

static bool has_mentor(int i) { return i % 3 != 0; }
static int nbooks(int i) { return i % 5; }
static bool has_tag(int i, int k) { return i % (k + 2) == (k == 3); }
static const char *book_title(int i, int k) { return titles[(i + k) % 2]; }
static bool book_pages_null(int i, int k) { return (i + k) % 4 == 1; }
static int book_pages(int i, int k) { return (i + 3 * k) % 3; }

static int author_no(const graph_g_author *a) { return atoi(a->name.ptr + 1); }

static void fill(int n)
{
	exec_sql("TRUNCATE g_author_tags, g_books, g_authors, g_mentors, g_tags RESTART IDENTITY");
	mc_result *res;
	graph_g_mentor mentors[NMENTORS], *mo;
	char mnames[NMENTORS][16];
	memset(mentors, 0, sizeof mentors);
	for (int k = 0; k < NMENTORS; k++) {
		snprintf(mnames[k], sizeof mnames[k], "m%d", k);
		mentors[k].name = S(mnames[k]);
	}
	ok(graph_g_mentors_insert_many(conn, mentors, NMENTORS, 0, &res, &mo));
	for (int k = 0; k < NMENTORS; k++)
		mentor_ids[k] = mo[k].id;
	mc_result_free(res);
	graph_g_tag tags[NTAGS], *to;
	memset(tags, 0, sizeof tags);
	for (int k = 0; k < NTAGS; k++)
		tags[k].name = S(tag_names[k]);
	ok(graph_g_tags_insert_many(conn, tags, NTAGS, 0, &res, &to));
	for (int k = 0; k < NTAGS; k++)
		tag_ids[k] = to[k].id;
	mc_result_free(res);

	graph_g_author *authors = calloc((size_t)n, sizeof *authors);
	char (*names)[16] = calloc((size_t)n, sizeof *names);
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof names[i], "a%06d", i);
		authors[i].name = S(names[i]);
		authors[i].rank = i % 5;
		authors[i].mentor_id_null = !has_mentor(i);
		authors[i].mentor_id = mentor_ids[i % NMENTORS];
	}
	int64_t count = 0;
	ok(graph_g_authors_copy(conn, authors, (size_t)n, GRAPH_G_AUTHORS_RANK, &count));
	assert_int_equal(count, n);
	/* the ids COPY gave them */
	int64_t *ids = calloc((size_t)n, sizeof *ids);
	graph_g_author *got;
	size_t ngot;
	ok(graph_g_authors_list(conn, NULL, 0, &res, &got, &ngot));
	assert_int_equal(ngot, (size_t)n);
	for (size_t i = 0; i < ngot; i++)
		ids[author_no(&got[i])] = got[i].id;
	mc_result_free(res);

	size_t nb = 0, nt = 0;
	for (int i = 0; i < n; i++) {
		nb += (size_t)nbooks(i);
		for (int k = 0; k < NTAGS; k++)
			nt += has_tag(i, k);
	}
	graph_g_book *books = calloc(nb ? nb : 1, sizeof *books);
	graph_g_author_tag *links = calloc(nt ? nt : 1, sizeof *links);
	nb = nt = 0;
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < nbooks(i); k++) {
			graph_g_book *b = &books[nb++];
			b->author_id = ids[i];
			b->title = S(book_title(i, k));
			b->pages_null = book_pages_null(i, k);
			b->pages = book_pages(i, k);
		}
		for (int k = 0; k < NTAGS; k++)
			if (has_tag(i, k)) {
				links[nt].author_id = ids[i];
				links[nt++].tag_id = tag_ids[k];
			}
	}
	if (nb) {
		ok(graph_g_books_copy(conn, books, nb, 0, &count));
		assert_int_equal(count, (int64_t)nb);
	}
	if (nt) {
		ok(graph_g_author_tags_copy(conn, links, nt, 0, &count));
		assert_int_equal(count, (int64_t)nt);
	}
	/* rows no longer in key order on disk: ties in an order must not be
	 * broken by where a row happens to be */
	exec_sql("UPDATE g_books SET pages = pages WHERE id % 3 = 0");
	exec_sql("UPDATE g_author_tags SET tag_id = tag_id WHERE author_id % 2 = 0");
	exec_sql("ANALYZE g_mentors, g_authors, g_books, g_tags, g_author_tags");
	free(links);
	free(books);
	free(ids);
	free(names);
	free(authors);
}

/* ---- one author's relationships, whatever the strategy ------------------ */

enum { ST_IN, ST_J, ST_SQ, ST_LZ, NSTRAT };

enum { R_MENTOR = 1, R_BOOKS = 2, R_TOP = 4, R_FIRST = 8, R_TAGS = 16, R_TAG1 = 32, R_ALL = 63 };

typedef struct view {
	mc_load ms, fs;
	const graph_g_mentor *m;
	const graph_g_book *f;
	mc_load bs, ts, gs, g1s;
	size_t bn, tn, gn, g1n;
	graph_g_book *const *b, *const *t;
	graph_g_tag *const *g, *const *g1;
} view;

#define VIEW(v, a, sfx)                                                   \
	do {                                                                  \
		(v)->ms = (a)->mentor_##sfx.state;                                \
		(v)->m = (a)->mentor_##sfx.item;                                  \
		(v)->bs = (a)->books_##sfx.state;                                 \
		(v)->bn = (a)->books_##sfx.n;                                     \
		(v)->b = (a)->books_##sfx.items;                                  \
		(v)->ts = (a)->top_##sfx.state;                                   \
		(v)->tn = (a)->top_##sfx.n;                                       \
		(v)->t = (a)->top_##sfx.items;                                    \
		(v)->fs = (a)->first_##sfx.state;                                 \
		(v)->f = (a)->first_##sfx.item;                                   \
		(v)->gs = (a)->tags_##sfx.state;                                  \
		(v)->gn = (a)->tags_##sfx.n;                                      \
		(v)->g = (a)->tags_##sfx.items;                                   \
		(v)->g1s = (a)->tag1_##sfx.state;                                 \
		(v)->g1n = (a)->tag1_##sfx.n;                                     \
		(v)->g1 = (a)->tag1_##sfx.items;                                  \
	} while (0)

static view view_of(const graph_g_author *a, int strat)
{
	view v;
	switch (strat) {
	case ST_IN: VIEW(&v, a, in); break;
	case ST_J: VIEW(&v, a, j); break;
	case ST_SQ: VIEW(&v, a, sq); break;
	default: VIEW(&v, a, lz); break;
	}
	return v;
}

/* the relationships of strategy strat that are loaded (a mask of R_*) */
static unsigned loaded(const graph_g_author *a, int strat)
{
	view v = view_of(a, strat);
	return (v.ms ? R_MENTOR : 0) | (v.bs ? R_BOOKS : 0) | (v.ts ? R_TOP : 0) | (v.fs ? R_FIRST : 0) |
	       (v.gs ? R_TAGS : 0) | (v.g1s ? R_TAG1 : 0);
}

static void str_eq(mc_str a, mc_str b)
{
	assert_int_equal(a.len, b.len);
	if (a.len)
		assert_memory_equal(a.ptr, b.ptr, a.len);
}

static int str_cmp(mc_str a, mc_str b)
{
	int c = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);
	return c ? c : (a.len > b.len) - (a.len < b.len);
}

static void author_eq(const graph_g_author *a, const graph_g_author *b)
{
	assert_int_equal(a->id, b->id);
	str_eq(a->name, b->name);
	assert_int_equal(a->rank, b->rank);
	assert_int_equal(a->mentor_id_null, b->mentor_id_null);
	if (!a->mentor_id_null)
		assert_int_equal(a->mentor_id, b->mentor_id);
}

static void book_eq(const graph_g_book *a, const graph_g_book *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->author_id, b->author_id);
	str_eq(a->title, b->title);
	assert_int_equal(a->pages_null, b->pages_null);
	if (!a->pages_null)
		assert_int_equal(a->pages, b->pages);
}

static void tag_eq(const graph_g_tag *a, const graph_g_tag *b)
{
	assert_int_equal(a->id, b->id);
	str_eq(a->name, b->name);
}

static void books_eq(size_t an, graph_g_book *const *a, size_t bn, graph_g_book *const *b)
{
	assert_int_equal(an, bn);
	for (size_t k = 0; k < an; k++)
		book_eq(a[k], b[k]);
}

static void tags_eq(size_t an, graph_g_tag *const *a, size_t bn, graph_g_tag *const *b)
{
	assert_int_equal(an, bn);
	for (size_t k = 0; k < an; k++)
		tag_eq(a[k], b[k]);
}

/* the relationships in mask of two views: loaded in both, equal */
static void view_eq(const view *a, const view *b, unsigned mask)
{
	if (mask & R_MENTOR) {
		assert_int_equal(a->ms, MC_LOADED);
		assert_int_equal(b->ms, MC_LOADED);
		assert_int_equal(a->m == NULL, b->m == NULL);
		if (a->m) {
			assert_int_equal(a->m->id, b->m->id);
			str_eq(a->m->name, b->m->name);
		}
	}
	if (mask & R_BOOKS) {
		assert_int_equal(a->bs, MC_LOADED);
		assert_int_equal(b->bs, MC_LOADED);
		books_eq(a->bn, a->b, b->bn, b->b);
	}
	if (mask & R_TOP) {
		assert_int_equal(a->ts, MC_LOADED);
		assert_int_equal(b->ts, MC_LOADED);
		books_eq(a->tn, a->t, b->tn, b->t);
	}
	if (mask & R_FIRST) {
		assert_int_equal(a->fs, MC_LOADED);
		assert_int_equal(b->fs, MC_LOADED);
		assert_int_equal(a->f == NULL, b->f == NULL);
		if (a->f)
			book_eq(a->f, b->f);
	}
	if (mask & R_TAGS) {
		assert_int_equal(a->gs, MC_LOADED);
		assert_int_equal(b->gs, MC_LOADED);
		tags_eq(a->gn, a->g, b->gn, b->g);
	}
	if (mask & R_TAG1) {
		assert_int_equal(a->g1s, MC_LOADED);
		assert_int_equal(b->g1s, MC_LOADED);
		tags_eq(a->g1n, a->g1, b->g1n, b->g1);
	}
}

/* books: title desc, pages asc nulls first, then the key */
static int books_order(const graph_g_book *a, const graph_g_book *b)
{
	int c = str_cmp(b->title, a->title);
	if (c)
		return c;
	if (a->pages_null != b->pages_null)
		return a->pages_null ? -1 : 1;
	if (!a->pages_null && a->pages != b->pages)
		return a->pages < b->pages ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* top: title, then the key */
static int top_order(const graph_g_book *a, const graph_g_book *b)
{
	int c = str_cmp(a->title, b->title);
	return c ? c : (a->id > b->id) - (a->id < b->id);
}

/* first: pages desc nulls last, then the key */
static int first_order(const graph_g_book *a, const graph_g_book *b)
{
	if (a->pages_null != b->pages_null)
		return a->pages_null ? 1 : -1;
	if (!a->pages_null && a->pages != b->pages)
		return a->pages > b->pages ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* The graph of one author, loaded with strategy strat (every relationship
 * in mask), against what fill() wrote. */
static void check_truth(const graph_g_author *a, int strat, unsigned mask)
{
	int i = author_no(a);
	view v = view_of(a, strat);
	assert_int_equal(a->rank, i % 5);
	assert_int_equal(a->mentor_id_null, !has_mentor(i));
	if (mask & R_MENTOR) {
		assert_int_equal(v.ms, MC_LOADED);
		if (!has_mentor(i)) {
			assert_null(v.m);
		} else {
			assert_non_null(v.m);
			assert_int_equal(v.m->id, a->mentor_id);
			assert_int_equal(v.m->id, mentor_ids[i % NMENTORS]);
			assert_int_equal(atoi(v.m->name.ptr + 1), i % NMENTORS);
		}
	}
	if (mask & R_BOOKS) {
		assert_int_equal(v.bs, MC_LOADED);
		assert_int_equal(v.bn, (size_t)nbooks(i));
		/* the model's order, ties in the key's */
		for (size_t k = 0; k < v.bn; k++) {
			assert_int_equal(v.b[k]->author_id, a->id);
			if (k)
				assert_true(books_order(v.b[k - 1], v.b[k]) < 0);
		}
		/* the books written: as many of each title, NULL pages and pages */
		int want[2][4] = { { 0 } }, seen[2][4] = { { 0 } };
		for (int k = 0; k < nbooks(i); k++)
			want[(i + k) % 2][book_pages_null(i, k) ? 3 : book_pages(i, k)]++;
		for (size_t k = 0; k < v.bn; k++)
			seen[v.b[k]->title.ptr[0] == 'a'][v.b[k]->pages_null ? 3 : v.b[k]->pages]++;
		assert_memory_equal(want, seen, sizeof want);
	}
	if (mask & R_TOP) {
		assert_int_equal(v.ts, MC_LOADED);
		size_t nb = (size_t)nbooks(i);
		assert_int_equal(v.tn, nb < 2 ? nb : 2);
		for (size_t k = 0; k < v.tn; k++) {
			assert_int_equal(v.t[k]->author_id, a->id);
			if (k)
				assert_true(top_order(v.t[k - 1], v.t[k]) < 0);
		}
		/* the first two of every book in (title, key) order */
		if (mask & R_BOOKS)
			for (size_t k = 0; k < v.bn; k++) {
				bool in_top = false;
				for (size_t q = 0; q < v.tn; q++)
					in_top = in_top || v.t[q]->id == v.b[k]->id;
				if (!in_top)
					assert_true(top_order(v.t[v.tn - 1], v.b[k]) < 0);
			}
	}
	if (mask & R_FIRST) {
		assert_int_equal(v.fs, MC_LOADED);
		assert_int_equal(v.f == NULL, nbooks(i) == 0);
		if (v.f)
			assert_int_equal(v.f->author_id, a->id);
		/* the first of every book in (pages desc nulls last, key) order */
		if (v.f && (mask & R_BOOKS))
			for (size_t k = 0; k < v.bn; k++)
				if (v.b[k]->id != v.f->id)
					assert_true(first_order(v.f, v.b[k]) < 0);
	}
	int want_tags[NTAGS], nwant = 0;
	for (int q = 0; q < NTAGS; q++)
		if (has_tag(i, tags_by_name[q]))
			want_tags[nwant++] = tags_by_name[q];
	if (mask & R_TAGS) {
		assert_int_equal(v.gs, MC_LOADED);
		assert_int_equal(v.gn, (size_t)nwant);
		for (int q = 0; q < nwant; q++) {
			assert_int_equal(v.g[q]->id, tag_ids[want_tags[q]]);
			str_eq(v.g[q]->name, S(tag_names[want_tags[q]]));
		}
	}
	if (mask & R_TAG1) {
		assert_int_equal(v.g1s, MC_LOADED);
		assert_int_equal(v.g1n, nwant ? 1 : 0);
		if (nwant)
			assert_int_equal(v.g1[0]->id, tag_ids[want_tags[nwant - 1]]);
	}
}

/* ---- loading every way ------------------------------------------------ */

#define REL_ALL(sfx)                                                                                 \
	(GRAPH_G_AUTHORS_LOAD_MENTOR_##sfx | GRAPH_G_AUTHORS_LOAD_BOOKS_##sfx | GRAPH_G_AUTHORS_LOAD_TOP_##sfx | \
	 GRAPH_G_AUTHORS_LOAD_FIRST_##sfx | GRAPH_G_AUTHORS_LOAD_TAGS_##sfx | GRAPH_G_AUTHORS_LOAD_TAG1_##sfx)
#define IN_ALL REL_ALL(IN)
#define J_ALL REL_ALL(J)
#define SQ_ALL REL_ALL(SQ)
#define LZ_ALL REL_ALL(LZ)

typedef struct graph {
	mc_result *res;
	graph_g_author *rows;
	size_t n;
} graph;

/* list(q, flags) in exactly want statements */
static graph list(const graph_g_authors_query *q, unsigned flags, uint64_t want)
{
	graph g;
	uint64_t before = mc_conn_statements(conn);
	ok(graph_g_authors_list(conn, q, flags, &g.res, &g.rows, &g.n));
	uint64_t used = mc_conn_statements(conn) - before;
	if (used != want)
		fail_msg("list with flags %#x: %llu statements, want %llu", flags, (unsigned long long)used,
		         (unsigned long long)want);
	return g;
}

static void lazy_step(mc_status (*load)(mc_conn *, graph_g_author *, size_t, mc_result *), graph *g,
                      uint64_t want)
{
	uint64_t before = mc_conn_statements(conn);
	ok(load(conn, g->rows, g->n, g->res));
	assert_int_equal(mc_conn_statements(conn) - before, want);
}

/* The parent rows of two graphs are the same rows in the same order. */
static void parents_eq(const graph *a, const graph *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		author_eq(&a->rows[i], &b->rows[i]);
}

static void compare(const graph *base, const graph *g, int strat, unsigned mask)
{
	parents_eq(base, g);
	for (size_t i = 0; i < g->n; i++) {
		view a = view_of(&base->rows[i], ST_IN), b = view_of(&g->rows[i], strat);
		view_eq(&a, &b, mask);
		/* nothing else was loaded */
		for (int s = 0; s < NSTRAT; s++)
			assert_int_equal(loaded(&g->rows[i], s), s == strat ? mask : 0u);
	}
}

typedef struct stats {
	size_t no_mentor, no_books, no_tags, shared_tags, tied_books;
} stats;

/* Loads q with every strategy, asserts the statement counts and that the
 * graphs are equal; want_n parents (or any number when want_n is -1). */
static stats load_every_way(const graph_g_authors_query *q, long want_n)
{
	stats st = { 0, 0, 0, 0, 0 };
	/* no parents: no statement for their children */
	uint64_t per = want_n == 0 ? 0 : 1;
	/* selectin: 1 + 1 per relationship, checked against the data */
	graph in = list(q, IN_ALL, 1 + 6 * per);
	if (want_n >= 0)
		assert_int_equal(in.n, (size_t)want_n);
	for (size_t i = 0; i < in.n; i++) {
		check_truth(&in.rows[i], ST_IN, R_ALL);
		for (int s = 0; s < NSTRAT; s++)
			assert_int_equal(loaded(&in.rows[i], s), s == ST_IN ? (unsigned)R_ALL : 0u);
		st.no_mentor += in.rows[i].mentor_in.item == NULL;
		st.no_books += in.rows[i].books_in.n == 0;
		st.no_tags += in.rows[i].tags_in.n == 0;
		for (size_t k = 1; k < in.rows[i].books_in.n; k++)
			st.tied_books += str_cmp(in.rows[i].books_in.items[k]->title, in.rows[i].books_in.items[k - 1]->title) == 0;
	}
	/* tags shared by several parents: tag 0 is every second author's */
	for (size_t i = 0; i < in.n; i++)
		for (size_t k = 0; k < in.rows[i].tags_in.n; k++)
			st.shared_tags += in.rows[i].tags_in.items[k]->id == tag_ids[0];

	/* subquery: 1 + 1 per relationship, sent together in one round trip
	 * (before the parents are known: with none they run all the same) */
	uint64_t trips = mc_conn_round_trips(conn);
	graph sq = list(q, SQ_ALL, 1 + 6);
	assert_int_equal(mc_conn_round_trips(conn) - trips, 1);
	compare(&in, &sq, ST_SQ, R_ALL);
	mc_result_free(sq.res);

	/* lazy: the list, then _load_<rel>, 1 statement each */
	graph lz = list(q, 0, 1);
	for (size_t i = 0; i < lz.n; i++)
		for (int s = 0; s < NSTRAT; s++)
			assert_int_equal(loaded(&lz.rows[i], s), 0u);
	lazy_step(graph_g_authors_load_mentor_lz, &lz, per);
	lazy_step(graph_g_authors_load_books_lz, &lz, per);
	lazy_step(graph_g_authors_load_top_lz, &lz, per);
	lazy_step(graph_g_authors_load_first_lz, &lz, per);
	lazy_step(graph_g_authors_load_tags_lz, &lz, per);
	lazy_step(graph_g_authors_load_tag1_lz, &lz, per);
	compare(&in, &lz, ST_LZ, R_ALL);
	mc_result_free(lz.res);

	/* joined: the to-ones (belongs_to, has_one) and a collection in the
	 * same one statement, then each other collection in its own one */
	graph j = list(q, GRAPH_G_AUTHORS_LOAD_MENTOR_J | GRAPH_G_AUTHORS_LOAD_FIRST_J | GRAPH_G_AUTHORS_LOAD_BOOKS_J, 1);
	compare(&in, &j, ST_J, R_MENTOR | R_FIRST | R_BOOKS);
	mc_result_free(j.res);
	j = list(q, GRAPH_G_AUTHORS_LOAD_TOP_J, 1);
	compare(&in, &j, ST_J, R_TOP);
	mc_result_free(j.res);
	j = list(q, GRAPH_G_AUTHORS_LOAD_TAGS_J, 1);
	compare(&in, &j, ST_J, R_TAGS);
	/* a shared target is each parent's own copy */
	const graph_g_tag *first = NULL;
	for (size_t i = 0; i < j.n; i++)
		for (size_t k = 0; k < j.rows[i].tags_j.n; k++)
			if (j.rows[i].tags_j.items[k]->id == tag_ids[0]) {
				assert_true(j.rows[i].tags_j.items[k] != first);
				first = j.rows[i].tags_j.items[k];
			}
	mc_result_free(j.res);
	j = list(q, GRAPH_G_AUTHORS_LOAD_TAG1_J, 1);
	compare(&in, &j, ST_J, R_TAG1);
	mc_result_free(j.res);
	/* the to-one with the limited collection, and with the limited many-to-many */
	j = list(q, GRAPH_G_AUTHORS_LOAD_MENTOR_J | GRAPH_G_AUTHORS_LOAD_TOP_J, 1);
	compare(&in, &j, ST_J, R_MENTOR | R_TOP);
	mc_result_free(j.res);
	j = list(q, GRAPH_G_AUTHORS_LOAD_MENTOR_J | GRAPH_G_AUTHORS_LOAD_TAG1_J, 1);
	compare(&in, &j, ST_J, R_MENTOR | R_TAG1);
	mc_result_free(j.res);
	/* all of them: the to-ones and one collection joined (the first in the
	 * model), the other three collections one statement each */
	j = list(q, J_ALL, 1 + 3 * per);
	compare(&in, &j, ST_J, R_ALL);
	mc_result_free(j.res);
	mc_result_free(in.res);
	return st;
}

static graph_g_authors_query *by_id(void)
{
	graph_g_authors_query *q = graph_g_authors_query_new();
	graph_g_authors_order_by_id(q, false);
	return q;
}

/* 1, 10, 1,000 and 70,000 parents: the same statement counts, the same graphs */
static void test_every_strategy_every_size(void **state)
{
	(void)state;
	static const int sizes[] = { 1, 10, 1000, 70000 };
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		int n = sizes[z];
		fill(n);
		graph_g_authors_query *q = by_id();
		stats st = load_every_way(q, n);
		graph_g_authors_query_free(q);
		/* author 0: no mentor, no books, five tags */
		assert_true(st.no_mentor > 0);
		assert_true(st.no_books > 0);
		if (n >= 10) {
			assert_true(st.no_tags > 0);
			assert_true(st.shared_tags >= (size_t)n / 2);
			assert_true(st.tied_books > 0);
		}
	}
}

/* limit and offset count parents under every strategy: each parent once,
 * in the query's order, with all its children */
static void test_limit_offset(void **state)
{
	(void)state;
	fill(1000);
	graph_g_authors_query *q = graph_g_authors_query_new();
	graph_g_authors_order_by_rank(q, true);
	graph_g_authors_order_by_id(q, true);
	graph_g_authors_limit(q, 7);
	graph_g_authors_offset(q, 5);
	load_every_way(q, 7);
	graph_g_authors_query_free(q);

	/* a filter, a larger page */
	q = graph_g_authors_query_new();
	graph_g_authors_where_rank(q, MC_OP_NE, 1);
	graph_g_authors_order_by_name(q, true);
	graph_g_authors_limit(q, 40);
	graph_g_authors_offset(q, 3);
	stats st = load_every_way(q, 40);
	assert_true(st.no_mentor > 0 && st.no_books > 0 && st.no_tags > 0);
	graph_g_authors_query_free(q);

	/* parents without books (i % 5 == 0) */
	q = graph_g_authors_query_new();
	graph_g_authors_where_rank(q, MC_OP_EQ, 0);
	graph_g_authors_order_by_id(q, false);
	graph_g_authors_limit(q, 30);
	st = load_every_way(q, 30);
	assert_int_equal(st.no_books, 30);
	graph_g_authors_query_free(q);

	/* parents none of which has a child of any kind */
	mc_str childless[] = { S("a000005"), S("a000025"), S("a000055"), S("a000065"), S("a000085") };
	q = by_id();
	graph_g_authors_where_name_in(q, childless, 5, false);
	st = load_every_way(q, 5);
	assert_int_equal(st.no_books, 5);
	assert_int_equal(st.no_tags, 5);
	graph_g_authors_query_free(q);

	/* past the end: no parents, no statement but the parents' */
	q = by_id();
	graph_g_authors_offset(q, 5000);
	load_every_way(q, 0);
	graph_g_authors_query_free(q);

	/* the joined collections de-duplicate: every parent once */
	q = by_id();
	graph_g_authors_limit(q, 100);
	graph_g_authors_offset(q, 450);
	graph g = list(q, GRAPH_G_AUTHORS_LOAD_TAGS_J, 1);
	assert_int_equal(g.n, 100);
	for (size_t i = 0; i < g.n; i++) {
		assert_int_equal(author_no(&g.rows[i]), 450 + (int)i);
		check_truth(&g.rows[i], ST_J, R_TAGS);
	}
	mc_result_free(g.res);
	g = list(q, GRAPH_G_AUTHORS_LOAD_BOOKS_J | GRAPH_G_AUTHORS_LOAD_MENTOR_J, 1);
	assert_int_equal(g.n, 100);
	for (size_t i = 0; i < g.n; i++) {
		assert_int_equal(author_no(&g.rows[i]), 450 + (int)i);
		check_truth(&g.rows[i], ST_J, R_BOOKS | R_MENTOR);
	}
	mc_result_free(g.res);
	graph_g_authors_query_free(q);
}

static int by_row_id(const void *a, const void *b)
{
	const graph_g_author *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

/* no query at all (no order): each strategy still gives every parent
 * once, with the same children */
static void test_no_query(void **state)
{
	(void)state;
	fill(500);
	graph in = list(NULL, IN_ALL, 7);
	graph sq = list(NULL, SQ_ALL, 7);
	graph j1 = list(NULL, GRAPH_G_AUTHORS_LOAD_MENTOR_J | GRAPH_G_AUTHORS_LOAD_TAGS_J, 1);
	graph j2 = list(NULL, J_ALL, 4);
	graph *all[] = { &in, &sq, &j1, &j2 };
	for (size_t k = 0; k < 4; k++) {
		assert_int_equal(all[k]->n, 500);
		qsort(all[k]->rows, all[k]->n, sizeof *all[k]->rows, by_row_id);
	}
	for (size_t i = 0; i < in.n; i++) {
		check_truth(&in.rows[i], ST_IN, R_ALL);
		if (i)
			assert_true(in.rows[i].id > in.rows[i - 1].id);
	}
	compare(&in, &sq, ST_SQ, R_ALL);
	compare(&in, &j1, ST_J, R_MENTOR | R_TAGS);
	compare(&in, &j2, ST_J, R_ALL);
	for (size_t k = 0; k < 4; k++)
		mc_result_free(all[k]->res);
}

/* get: joined relationships in its one statement, the others after it */
static void test_get(void **state)
{
	(void)state;
	fill(60);
	graph_g_authors_query *q = by_id();
	graph in = list(q, IN_ALL, 7);
	graph_g_authors_query_free(q);
	/* 0: no mentor, no books, five tags; 1: 1 book, tag 3; 4: 4 books
	 * (ties); 5: no book, no tag; 13: 3 books, no tag */
	static const int which[] = { 0, 1, 4, 5, 13, 59 };
	for (size_t w = 0; w < sizeof which / sizeof *which; w++) {
		const graph_g_author *want = &in.rows[which[w]];
		assert_int_equal(author_no(want), which[w]);
		view base = view_of(want, ST_IN);
		static const struct {
			unsigned flags, mask;
			int strat;
			uint64_t statements;
		} calls[] = {
			{ GRAPH_G_AUTHORS_LOAD_MENTOR_J | GRAPH_G_AUTHORS_LOAD_BOOKS_J, R_MENTOR | R_BOOKS, ST_J, 1 },
			{ GRAPH_G_AUTHORS_LOAD_MENTOR_J | GRAPH_G_AUTHORS_LOAD_TOP_J, R_MENTOR | R_TOP, ST_J, 1 },
			{ GRAPH_G_AUTHORS_LOAD_TAGS_J, R_TAGS, ST_J, 1 },
			{ GRAPH_G_AUTHORS_LOAD_TAG1_J, R_TAG1, ST_J, 1 },
			{ J_ALL, R_ALL, ST_J, 4 },
			{ GRAPH_G_AUTHORS_LOAD_FIRST_J, R_FIRST, ST_J, 1 },
			{ IN_ALL, R_ALL, ST_IN, 7 },
			{ SQ_ALL, R_ALL, ST_SQ, 7 },
			{ LZ_ALL, R_ALL, ST_LZ, 7 },
		};
		for (size_t c = 0; c < sizeof calls / sizeof *calls; c++) {
			mc_result *res;
			graph_g_author *g;
			uint64_t before = mc_conn_statements(conn);
			ok(graph_g_authors_get(conn, want->id, calls[c].flags, &res, &g));
			uint64_t used = mc_conn_statements(conn) - before;
			if (used != calls[c].statements)
				fail_msg("get with flags %#x: %llu statements, want %llu", calls[c].flags,
				         (unsigned long long)used, (unsigned long long)calls[c].statements);
			author_eq(g, want);
			view v = view_of(g, calls[c].strat);
			view_eq(&base, &v, calls[c].mask);
			for (int s = 0; s < NSTRAT; s++)
				assert_int_equal(loaded(g, s), s == calls[c].strat ? calls[c].mask : 0u);
			mc_result_free(res);
		}
	}
	mc_result_free(in.res);
}

/* MC_LOAD_DEFAULTS: every relationship not 'lazy', each in its own way, in
 * one call: 1 statement (the to-ones and the first collection joined) + 6
 * selectin + 6 subquery + 3 joined collections loaded selectin; within
 * each parent the three strategies' graphs are equal */
static void test_defaults(void **state)
{
	(void)state;
	fill(1000);
	graph_g_authors_query *q = by_id();
	graph_g_authors_limit(q, 300);
	graph_g_authors_offset(q, 200);
	graph g = list(q, MC_LOAD_DEFAULTS, 16);
	assert_int_equal(g.n, 300);
	for (size_t i = 0; i < g.n; i++) {
		check_truth(&g.rows[i], ST_IN, R_ALL);
		view a = view_of(&g.rows[i], ST_IN), b = view_of(&g.rows[i], ST_J), c = view_of(&g.rows[i], ST_SQ);
		view_eq(&a, &b, R_ALL);
		view_eq(&a, &c, R_ALL);
		assert_int_equal(loaded(&g.rows[i], ST_LZ), 0u);
	}
	mc_result_free(g.res);
	graph_g_authors_query_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_strategy_every_size),
		cmocka_unit_test(test_limit_offset),
		cmocka_unit_test(test_no_query),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_defaults),
	};
	return cmocka_run_group_tests_name("loading strategies", tests, setup, teardown);
}
