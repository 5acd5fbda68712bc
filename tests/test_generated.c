/* test_generated.c - the code generated for the examples, compiled with
 * -Werror (see the Makefile), linked and exercised. */
#include "testutil.h"

#include "blog.h"

static void test_enum_round_trip(void **state)
{
	(void)state;
	const char *labels[] = { "active", "suspended", "banned" };
	assert_int_equal(BLOG_USER_STATUS_COUNT, 3);
	for (int i = 0; i < BLOG_USER_STATUS_COUNT; i++) {
		const char *s = blog_user_status_to_string((blog_user_status)i);
		assert_non_null(s);
		assert_string_equal(s, labels[i]);
		blog_user_status v;
		assert_int_equal(blog_user_status_from_string(s, strlen(s), &v), 0);
		assert_int_equal((int)v, i);
	}
	assert_int_equal(BLOG_USER_STATUS_ACTIVE, 0);
	assert_int_equal(BLOG_USER_STATUS_BANNED, 2);
}

static void test_enum_rejects(void **state)
{
	(void)state;
	blog_user_status v = BLOG_USER_STATUS_BANNED;
	assert_int_equal(blog_user_status_from_string("Active", 6, &v), -1);
	assert_int_equal(blog_user_status_from_string("activ", 5, &v), -1);
	assert_int_equal(blog_user_status_from_string("active!", 7, &v), -1);
	assert_int_equal(blog_user_status_from_string("", 0, &v), -1);
	/* a prefix of the buffer is what counts */
	assert_int_equal(blog_user_status_from_string("bannedXYZ", 6, &v), 0);
	assert_int_equal(v, BLOG_USER_STATUS_BANNED);
	assert_null(blog_user_status_to_string((blog_user_status)3));
	assert_null(blog_user_status_to_string((blog_user_status)-1));
}

static void test_struct_members(void **state)
{
	(void)state;
	blog_user u;
	memset(&u, 0, sizeof u);
	/* nullable column: value plus flag; not null columns have no flag */
	u.deleted_at_null = true;
	u.deleted_at.usec = 0;
	assert_true(u.deleted_at_null);
	/* relationships start not loaded */
	assert_int_equal(u.posts.state, MC_NOT_LOADED);
	assert_int_equal(u.roles.n, 0);
	blog_post p;
	memset(&p, 0, sizeof p);
	p.author.item = &u;
	p.author.state = MC_LOADED;
	assert_ptr_equal(p.author.item, &u);
	/* C types fit the SQL types */
	assert_int_equal(sizeof p.id, 8);
	assert_int_equal(sizeof p.views, 4);
	assert_int_equal(sizeof u.id.bytes, 16);
	blog_role r;
	assert_int_equal(sizeof r.id, 4);
	blog_account acc;
	acc.balance.ptr = "12.50";
	acc.balance.len = 5;
	assert_int_equal(acc.balance.len, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_round_trip),
		cmocka_unit_test(test_enum_rejects),
		cmocka_unit_test(test_struct_members),
	};
	return cmocka_run_group_tests_name("generated code", tests, NULL, NULL);
}
