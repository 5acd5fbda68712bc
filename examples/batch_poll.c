/* batch_poll.c - a program with its own event loop runs a batch of
 * generated calls without blocking: the calls are queued, then poll() on
 * the connection's socket says when mc_batch_step has work to do; between
 * steps the loop is free for anything else (here it counts its turns).
 *
 *   batch_poll CONNINFO [N]      (a database with examples/blog.sql loaded)
 *
 * Inserts N users in one batch (mc_batch_run, blocking), then queues N gets
 * by id, a get of an e-mail nobody has, and an insert of an e-mail that is
 * taken, and drives that batch with poll(): one round trip for N + 2
 * calls, each with its own result. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"

static mc_str S(const char *s)
{
	mc_str r = { s, strlen(s) };
	return r;
}

static void die(mc_conn *c, const char *what, mc_status st)
{
	fprintf(stderr, "%s: %s: %s\n", what, mc_status_name(st), mc_last_error(c)->message);
	exit(1);
}

/* The event loop: waits for the socket as the batch asks, steps it. */
static int drive(mc_batch *b, long *turns)
{
	bool done = false;
	*turns = 0;
	for (;;) {
		mc_status st = mc_batch_step(b, &done);
		if (st != MC_OK)
			die(mc_batch_conn(b), "batch", st);
		if (done)
			return 0;
		struct pollfd pfd;
		pfd.fd = mc_conn_socket(mc_batch_conn(b));
		pfd.events = (short)(POLLIN | (mc_batch_wants_write(b) ? POLLOUT : 0));
		pfd.revents = 0;
		/* a real program polls its other descriptors and timers here too */
		if (poll(&pfd, 1, 1000) < 0)
			return -1;
		(*turns)++;
	}
}

int main(int argc, char **argv)
{
	mc_conn *c;
	mc_status st;
	int n = argc > 2 ? atoi(argv[2]) : 100;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: %s CONNINFO [N]\n", argv[0]);
		return 2;
	}
	if ((st = mc_conn_open(&c, argv[1], NULL)) != MC_OK)
		die(c, "connect", st);

	/* 1. N users in one batch: each insert returns its row (server ids) */
	mc_batch *b = mc_batch_new(c);
	mc_result **ures = calloc((size_t)n, sizeof *ures);
	blog_user **users = calloc((size_t)n, sizeof *users);
	mc_status *ust = calloc((size_t)n, sizeof *ust);
	char email[64];
	if (!b || !ures || !users || !ust)
		die(c, "setup", MC_NOMEM);
	for (int i = 0; i < n; i++) {
		blog_user in;
		memset(&in, 0, sizeof in);
		snprintf(email, sizeof email, "poll-%04d@example.com", i);
		in.email = S(email);    /* copied when queued: the buffer is reused */
		in.name = S("Poller");
		in.deleted_at_null = true;
		blog_users_insert_batch(b, &in, 0, &ures[i], &users[i], &ust[i]);
	}
	uint64_t trips = mc_conn_round_trips(c);
	if ((st = mc_batch_run(b)) != MC_OK)
		die(c, "insert batch", st);
	for (int i = 0; i < n; i++)
		if (ust[i] != MC_OK)
			die(c, "insert", ust[i]);
	printf("inserted %d users in %" PRIu64 " round trip\n", n, mc_conn_round_trips(c) - trips);
	mc_batch_free(b);

	/* 2. N gets, one miss, one duplicate: queued, then driven by poll() */
	b = mc_batch_new(c);
	int calls = n + 2;
	mc_result **res = calloc((size_t)calls, sizeof *res);
	blog_user **got = calloc((size_t)calls, sizeof *got);
	mc_status *gst = calloc((size_t)calls, sizeof *gst);
	if (!b || !res || !got || !gst)
		die(c, "setup", MC_NOMEM);
	for (int i = 0; i < n; i++)
		blog_users_get_batch(b, users[n - 1 - i]->id, 0, &res[i], &got[i], &gst[i]);
	blog_users_get_by_email_batch(b, S("nobody@example.com"), 0, &res[n], &got[n], &gst[n]);
	blog_user dup;
	memset(&dup, 0, sizeof dup);
	dup.email = S("poll-0000@example.com");
	dup.name = S("Twin");
	dup.deleted_at_null = true;
	blog_users_insert_batch(b, &dup, 0, &res[n + 1], &got[n + 1], &gst[n + 1]);
	printf("queued %zu calls on one connection\n", mc_batch_calls(b));

	uint64_t stmts = mc_conn_statements(c);
	trips = mc_conn_round_trips(c);
	long turns;
	if (drive(b, &turns) != 0)
		die(c, "poll", MC_ERROR);
	printf("batch done: %" PRIu64 " round trip, %" PRIu64 " statements, %ld poll turns\n",
	       mc_conn_round_trips(c) - trips, mc_conn_statements(c) - stmts, turns);

	int found = 0, wrong = 0;
	for (int i = 0; i < n; i++) {
		if (gst[i] != MC_OK || memcmp(got[i]->id.bytes, users[n - 1 - i]->id.bytes, 16) != 0)
			wrong++;
		else
			found++;
		if (i < 3 && gst[i] == MC_OK)
			printf("  get %d: %.*s\n", i, (int)got[i]->email.len, got[i]->email.ptr);
	}
	printf("gets: %d found, %d wrong\n", found, wrong);
	printf("get_by_email nobody@example.com: %s\n", mc_status_name(gst[n]));
	const mc_error *e = mc_batch_error(b, (size_t)n + 1);
	printf("insert poll-0000@example.com again: %s (%s, %s)\n", mc_status_name(gst[n + 1]),
	       e ? e->sqlstate : "-", e && e->constraint_id == BLOG_UQ_USERS_EMAIL ? blog_constraint_name(BLOG_UQ_USERS_EMAIL)
	                                                                          : "-");
	mc_batch_free(b);

	for (int i = 0; i < calls; i++)
		mc_result_free(res[i]);
	for (int i = 0; i < n; i++)
		mc_result_free(ures[i]);
	free(res);
	free(got);
	free(gst);
	free(ures);
	free(users);
	free(ust);
	mc_conn_close(c);
	return wrong ? 1 : 0;
}
