/* blog_app.c - the code generated from blog.model at work.
 *
 *   make example                      (a throwaway cluster)
 *   DATABASE_URL=postgresql:///db make example
 *
 * Creates users, roles and posts, updates and soft-deletes, then moves
 * money between accounts: a transfer that would overdraw an account fails
 * on the model's check constraint, inside a savepoint, and leaves every
 * balance as it was. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"

#define CHECK(call)                                                                          \
	do {                                                                                     \
		mc_status st_ = (call);                                                              \
		if (st_ != MC_OK) {                                                                  \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, mc_status_name(st_),      \
			        mc_last_error(c)->message);                                              \
			exit(1);                                                                         \
		}                                                                                    \
	} while (0)

static mc_str S(const char *s)
{
	mc_str r = { s, strlen(s) };
	return r;
}

/* numeric(12,2) travels as text: "12.50" <-> 1250 cents */
static int64_t cents(mc_str v)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.*s", (int)v.len, v.ptr);
	char *dot = strchr(buf, '.');
	int64_t whole = strtoll(buf, NULL, 10), frac = 0;
	if (dot)
		frac = strtoll(dot + 1, NULL, 10) * (dot[2] ? 1 : 10);
	return whole * 100 + (buf[0] == '-' ? -frac : frac);
}

static const char *money(char *buf, int64_t c)
{
	snprintf(buf, 32, "%s%" PRId64 ".%02" PRId64, c < 0 ? "-" : "", (c < 0 ? -c : c) / 100, (c < 0 ? -c : c) % 100);
	return buf;
}

static blog_user *add_user(mc_conn *c, const char *email, const char *name, mc_result **res)
{
	blog_user in;
	memset(&in, 0, sizeof in);
	in.email = S(email);
	in.name = S(name);
	in.deleted_at_null = true;
	blog_user *u;
	CHECK(blog_users_insert(c, &in, 0, res, &u));   /* id, status, timestamps: the model's defaults */
	return u;
}

static blog_account *add_account(mc_conn *c, mc_uuid owner, const char *balance, mc_result **res)
{
	blog_account in;
	memset(&in, 0, sizeof in);
	in.owner_id = owner;
	in.balance = S(balance);
	blog_account *a;
	CHECK(blog_accounts_insert(c, &in, BLOG_ACCOUNTS_BALANCE, res, &a));
	return a;
}

/* Moves amount cents; the debit that would go below zero is refused by
 * ck_accounts_balance, which the program recognises by its enum value. */
static mc_status transfer(mc_conn *c, int64_t from, int64_t to, int64_t amount)
{
	int64_t ids[2] = { from, to }, delta[2] = { -amount, amount };
	for (int i = 0; i < 2; i++) {
		mc_result *res, *res2;
		blog_account *a, *b;
		mc_status st = blog_accounts_get(c, ids[i], 0, &res, &a);
		if (st != MC_OK)
			return st;
		char buf[32];
		blog_account upd = *a;
		upd.balance = S(money(buf, cents(a->balance) + delta[i]));
		st = blog_accounts_update(c, &upd, BLOG_ACCOUNTS_BALANCE, &res2, &b);
		mc_result_free(res);
		if (st != MC_OK)
			return st;
		mc_result_free(res2);
	}
	return MC_OK;
}

static void show_balances(mc_conn *c, const char *when, int64_t a_id, int64_t b_id)
{
	mc_result *r1, *r2;
	blog_account *a, *b;
	CHECK(blog_accounts_get(c, a_id, 0, &r1, &a));
	CHECK(blog_accounts_get(c, b_id, 0, &r2, &b));
	printf("%-28s alice %8.*s   bob %8.*s\n", when, (int)a->balance.len, a->balance.ptr, (int)b->balance.len,
	       b->balance.ptr);
	mc_result_free(r1);
	mc_result_free(r2);
}

int main(int argc, char **argv)
{
	mc_conn *c;
	if (mc_conn_open(&c, argc > 1 ? argv[1] : "", NULL) != MC_OK) {
		fprintf(stderr, "cannot connect: %s\n", mc_last_error(c)->message);
		mc_conn_close(c);
		return 1;
	}

	mc_result *ra, *rb, *rr, *rl, *rp;
	blog_user *alice = add_user(c, "alice@example.com", "Alice", &ra);
	blog_user *bob = add_user(c, "bob@example.com", "Bob", &rb);

	blog_role role_in;
	memset(&role_in, 0, sizeof role_in);
	role_in.name = S("admin");
	blog_role *admin;
	CHECK(blog_roles_insert(c, &role_in, 0, &rr, &admin));
	blog_user_role link = { .user_id = alice->id, .role_id = admin->id };
	blog_user_role *l;
	CHECK(blog_user_roles_insert(c, &link, 0, &rl, &l));

	for (int i = 1; i <= 3; i++) {
		char title[32];
		snprintf(title, sizeof title, "Post number %d", i);
		blog_post p;
		memset(&p, 0, sizeof p);
		p.author_id = alice->id;
		p.title = S(title);
		p.body = S("Hello from C.");
		blog_post *out;
		mc_result *r;
		CHECK(blog_posts_insert(c, &p, 0, &r, &out));
		printf("post %" PRId64 ": %.*s\n", out->id, (int)out->title.len, out->title.ptr);
		mc_result_free(r);
	}

	/* the same e-mail twice: the program learns which key was violated */
	blog_user dup = *alice;
	blog_user *d;
	mc_result *rd;
	if (blog_users_insert(c, &dup, 0, &rd, &d) == MC_UNIQUE_VIOLATION &&
	    mc_last_error(c)->constraint_id == BLOG_UQ_USERS_EMAIL)
		printf("alice@example.com is taken (%s)\n", blog_constraint_name(BLOG_UQ_USERS_EMAIL));

	/* update one column; updated_at follows its 'on update now()' */
	blog_user b2 = *bob;
	b2.name = S("Robert");
	blog_user *bob2;
	CHECK(blog_users_update(c, &b2, BLOG_USERS_NAME, &rp, &bob2));
	printf("bob is now %.*s\n", (int)bob2->name.len, bob2->name.ptr);
	mc_result_free(rp);

	/* soft delete: reads skip him until he is restored */
	blog_user *g;
	CHECK(blog_users_soft_delete(c, bob->id));
	printf("after soft delete, get bob: %s\n", mc_status_name(blog_users_get(c, bob->id, 0, &rp, &g)));
	CHECK(blog_users_restore(c, bob->id));
	CHECK(blog_users_get(c, bob->id, 0, &rp, &g));
	printf("after restore, get bob: %s\n", mc_status_name(MC_OK));
	mc_result_free(rp);

	/* users with their posts and roles: one statement per relationship,
	 * however many users; each post reaches its author without a query */
	uint64_t before = mc_conn_statements(c);
	blog_users_query *q = blog_users_query_new();
	blog_users_order_by_email(q, false);
	mc_result *lr;
	blog_user *list;
	size_t nl;
	CHECK(blog_users_list(c, q, BLOG_USERS_LOAD_POSTS | BLOG_USERS_LOAD_ROLES, &lr, &list, &nl));
	for (size_t i = 0; i < nl; i++) {
		printf("%.*s: %zu posts, %zu roles", (int)list[i].email.len, list[i].email.ptr, list[i].posts.n,
		       list[i].roles.n);
		if (list[i].posts.n)
			printf(" (newest: \"%.*s\" by %.*s)", (int)list[i].posts.items[0]->title.len,
			       list[i].posts.items[0]->title.ptr, (int)list[i].posts.items[0]->author.item->name.len,
			       list[i].posts.items[0]->author.item->name.ptr);
		printf("\n");
	}
	printf("listing took %" PRIu64 " statements\n", mc_conn_statements(c) - before);
	mc_result_free(lr);
	blog_users_query_free(q);

	mc_result *r1, *r2;
	blog_account *acc_a = add_account(c, alice->id, "100.00", &r1);
	blog_account *acc_b = add_account(c, bob->id, "20.00", &r2);
	show_balances(c, "opening balances", acc_a->id, acc_b->id);

	/* one transaction; each transfer in its own savepoint */
	CHECK(mc_begin(c));
	const struct { int64_t from, to, amount; const char *what; } moves[] = {
		{ acc_a->id, acc_b->id, 3000, "alice pays bob 30.00" },
		{ acc_b->id, acc_a->id, 50000, "bob pays alice 500.00" },
	};
	for (size_t i = 0; i < 2; i++) {
		CHECK(mc_begin(c));                                   /* savepoint */
		mc_status st = transfer(c, moves[i].from, moves[i].to, moves[i].amount);
		if (st == MC_OK) {
			CHECK(mc_commit(c));                              /* release */
			printf("%s: done\n", moves[i].what);
		} else if (st == MC_CHECK_VIOLATION && mc_last_error(c)->constraint_id == BLOG_CK_ACCOUNTS_BALANCE) {
			CHECK(mc_rollback(c));                            /* back to the savepoint */
			printf("%s: insufficient funds, nothing moved\n", moves[i].what);
		} else {
			fprintf(stderr, "transfer: %s: %s\n", mc_status_name(st), mc_last_error(c)->message);
			return 1;
		}
	}
	CHECK(mc_commit(c));
	show_balances(c, "closing balances", acc_a->id, acc_b->id);
	printf("%" PRIu64 " statements\n", mc_conn_statements(c));

	mc_result_free(r2);
	mc_result_free(r1);
	mc_result_free(rl);
	mc_result_free(rr);
	mc_result_free(rb);
	mc_result_free(ra);
	mc_conn_close(c);
	return 0;
}
