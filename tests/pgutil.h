/* pgutil.h - libpq helpers shared by the tests that talk to the test
 * cluster directly: connections closed even when a test fails (cmocka
 * leaves a test with a longjmp; the teardown closes what is still open),
 * databases remembered for the group teardown, statements that fail the
 * test. */
#ifndef MODELC_TEST_PGUTIL_H
#define MODELC_TEST_PGUTIL_H

#include "testutil.h"

/* The Makefile does not add pg_config --includedir; Debian keeps the header
 * in /usr/include/postgresql. */
#if defined(__has_include)
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif
#else
#include <postgresql/libpq-fe.h>
#endif


/* not every test uses every helper */
static char created_dbs[32][64] __attribute__((unused));
static int ncreated __attribute__((unused));
static PGconn *open_conns[8];

static inline void track(PGconn *c)
{
	for (int i = 0; i < 8; i++)
		if (!open_conns[i]) {
			open_conns[i] = c;
			return;
		}
}

static inline void finish(PGconn *c)
{
	for (int i = 0; i < 8; i++)
		if (open_conns[i] == c)
			open_conns[i] = NULL;
	PQfinish(c);
}

static inline void ignore_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static inline PGconn *connect_db(const char *db)
{
	char ci[256];
	snprintf(ci, sizeof ci, "dbname=%s", db);
	PGconn *c = PQconnectdb(ci);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "cannot connect to %s: %s", db, PQerrorMessage(c));
		PQfinish(c);
		fail_msg("no database connection (run through tests/run.sh, which starts PostgreSQL)");
	}
	PQsetNoticeProcessor(c, ignore_notice, NULL);
	track(c);
	return c;
}

static inline void exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		fprintf(stderr, "statement failed: %s%s\n", PQresultErrorMessage(r), sql);
		PQclear(r);
		fail_msg("statement failed");
	}
	PQclear(r);
}

#endif
