/* test_codec.c - the runtime's text codecs (src/runtime/codec.c).
 *
 * Unit tests of every decoder and encoder on edge values and malformed
 * input, then round trips through the real PostgreSQL server of
 * tests/run.sh (PG* environment), with the session settings the runtime
 * uses: encode -> $1::type -> the server's text equals ours and decodes to
 * the original; values the server computes decode to what its own
 * arithmetic (extract, date subtraction) says they are; encoded text means
 * the same under other DateStyle / IntervalStyle / TimeZone settings. */
#include "testutil.h"

#include <locale.h>
#include <math.h>
#if defined(__has_include)
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif
#else
#include <postgresql/libpq-fe.h>
#endif

#include "modelc/gen.h"

#define USEC_PER_SEC  INT64_C(1000000)
#define USEC_PER_DAY  (INT64_C(86400) * USEC_PER_SEC)
#define PG_EPOCH_JD   2451545
#define DATE_MIN      (-PG_EPOCH_JD)                  /* 4714-11-24 BC */
#define DATE_MAX      (2147483493 - PG_EPOCH_JD)      /* 5874897-12-31 */
#define TS_MIN        INT64_C(-211813488000000000)    /* 4714-11-24 00:00 BC */
#define TS_END        INT64_C(9223371331200000000)    /* 294277-01-01 00:00 */
#define UNIX_EPOCH_USEC (INT64_C(946684800) * USEC_PER_SEC)

/* Deterministic pseudo-random numbers (xorshift64*), so a failure repeats. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Du;
}

/* Uniform in [lo, hi] (inclusive, hi - lo < 2^64 - 1). */
static int64_t rnd_range(int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
	return (int64_t)((uint64_t)lo + (span ? rnd() % span : rnd()));
}

/* The result of the running test, freed by its teardown also when an
 * assertion leaves the test early. */
static mc_result *test_res;

static mc_result *fresh_result(void)
{
	mc_result_free(test_res);
	test_res = mc_result_new();
	assert_non_null(test_res);
	return test_res;
}

static int free_result(void **state)
{
	(void)state;
	mc_result_free(test_res);
	test_res = NULL;
	return 0;
}

/* ---- decoders of elements for mc_decode_array --------------------------- */

static mc_status elem_text(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	assert_int_equal(s[len], '\0');     /* codec.c hands elements NUL-terminated */
	*(mc_str *)out = (mc_str){ s, len };
	return MC_OK;
}

static mc_status elem_int32(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	(void)len;
	return mc_decode_int32(s, out);
}

static mc_status elem_int64(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	(void)len;
	return mc_decode_int64(s, out);
}

static mc_status elem_double(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	(void)len;
	return mc_decode_double(s, out);
}

static mc_status elem_bool(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	(void)len;
	return mc_decode_bool(s, out);
}

static mc_status elem_date(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	(void)len;
	return mc_decode_date(s, out);
}

static mc_status elem_timestamptz(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	(void)len;
	return mc_decode_timestamptz(s, out);
}

static mc_status elem_interval(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	(void)len;
	return mc_decode_interval(s, out);
}

static mc_status elem_bytea(mc_result *r, const char *s, size_t len, void *out)
{
	(void)len;
	return mc_decode_bytea(r, s, out);
}

static mc_status elem_uuid(mc_result *r, const char *s, size_t len, void *out)
{
	(void)r;
	(void)len;
	return mc_decode_uuid(s, out);
}

/* ---- scalars ------------------------------------------------------------- */

static void test_bool(void **state)
{
	(void)state;
	bool b = false;
	assert_int_equal(mc_decode_bool("t", &b), MC_OK);
	assert_true(b);
	assert_int_equal(mc_decode_bool("f", &b), MC_OK);
	assert_false(b);
	assert_int_equal(mc_decode_bool("true", &b), MC_OK);
	assert_true(b);
	assert_int_equal(mc_decode_bool("false", &b), MC_OK);
	assert_false(b);
	const char *bad[] = { "", "T", "F", "1", "0", "yes", "t ", " t", "tr", "falsey" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(mc_decode_bool(bad[i], &b), MC_DATA);
}

static void test_ints(void **state)
{
	(void)state;
	int16_t s16 = 0;
	int32_t s32 = 0;
	int64_t s64 = 0;
	assert_int_equal(mc_decode_int16("32767", &s16), MC_OK);
	assert_int_equal(s16, 32767);
	assert_int_equal(mc_decode_int16("-32768", &s16), MC_OK);
	assert_int_equal(s16, -32768);
	assert_int_equal(mc_decode_int16("0", &s16), MC_OK);
	assert_int_equal(s16, 0);
	assert_int_equal(mc_decode_int16("-0", &s16), MC_OK);
	assert_int_equal(s16, 0);
	assert_int_equal(mc_decode_int16("00042", &s16), MC_OK);
	assert_int_equal(s16, 42);
	assert_int_equal(mc_decode_int16("32768", &s16), MC_DATA);
	assert_int_equal(mc_decode_int16("-32769", &s16), MC_DATA);
	assert_int_equal(mc_decode_int16("99999999999999999999999", &s16), MC_DATA);

	assert_int_equal(mc_decode_int32("2147483647", &s32), MC_OK);
	assert_int_equal(s32, INT32_MAX);
	assert_int_equal(mc_decode_int32("-2147483648", &s32), MC_OK);
	assert_int_equal(s32, INT32_MIN);
	assert_int_equal(mc_decode_int32("2147483648", &s32), MC_DATA);
	assert_int_equal(mc_decode_int32("-2147483649", &s32), MC_DATA);

	assert_int_equal(mc_decode_int64("9223372036854775807", &s64), MC_OK);
	assert_true(s64 == INT64_MAX);
	assert_int_equal(mc_decode_int64("-9223372036854775808", &s64), MC_OK);
	assert_true(s64 == INT64_MIN);
	assert_int_equal(mc_decode_int64("9223372036854775808", &s64), MC_DATA);
	assert_int_equal(mc_decode_int64("-9223372036854775809", &s64), MC_DATA);
	assert_int_equal(mc_decode_int64("18446744073709551616", &s64), MC_DATA);
	assert_int_equal(mc_decode_int64("-92233720368547758080", &s64), MC_DATA);

	const char *bad[] = { "", "-", "+1", " 1", "1 ", "1a", "0x10", "1.0", "1e3", "--1", "- 1", "١" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(mc_decode_int16(bad[i], &s16), MC_DATA);
		assert_int_equal(mc_decode_int32(bad[i], &s32), MC_DATA);
		assert_int_equal(mc_decode_int64(bad[i], &s64), MC_DATA);
	}
	/* a failed decode leaves the output alone */
	s32 = 7;
	assert_int_equal(mc_decode_int32("x", &s32), MC_DATA);
	assert_int_equal(s32, 7);
}

static bool same_double(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void test_floats(void **state)
{
	(void)state;
	double d = 0;
	float f = 0;
	assert_int_equal(mc_decode_double("NaN", &d), MC_OK);
	assert_true(isnan(d));
	assert_int_equal(mc_decode_double("Infinity", &d), MC_OK);
	assert_true(isinf(d) && d > 0);
	assert_int_equal(mc_decode_double("-Infinity", &d), MC_OK);
	assert_true(isinf(d) && d < 0);
	assert_int_equal(mc_decode_double("1.5e+300", &d), MC_OK);
	assert_true(d == 1.5e300);
	assert_int_equal(mc_decode_double("-0", &d), MC_OK);
	assert_true(d == 0 && signbit(d));
	assert_int_equal(mc_decode_double("0.1", &d), MC_OK);
	assert_true(d == 0.1);
	assert_int_equal(mc_decode_double("1.7976931348623157e+308", &d), MC_OK);
	assert_true(d == 1.7976931348623157e308);
	assert_int_equal(mc_decode_double("2.2250738585072014e-308", &d), MC_OK);
	assert_true(d == 2.2250738585072014e-308);
	assert_int_equal(mc_decode_double("5e-324", &d), MC_OK);   /* smallest denormal */
	assert_true(d == 4.9406564584124654e-324);
	assert_int_equal(mc_decode_double("-1.2345678901234567e-05", &d), MC_OK);
	assert_true(same_double(d, -1.2345678901234567e-05));
	assert_int_equal(mc_decode_double("123456789012345680000", &d), MC_OK);
	assert_true(d == 123456789012345680000.0);
	assert_int_equal(mc_decode_double("0", &d), MC_OK);
	assert_true(d == 0 && !signbit(d));

	assert_int_equal(mc_decode_float("NaN", &f), MC_OK);
	assert_true(isnan(f));
	assert_int_equal(mc_decode_float("-Infinity", &f), MC_OK);
	assert_true(isinf(f) && f < 0);
	assert_int_equal(mc_decode_float("0.1", &f), MC_OK);
	assert_true(f == 0.1f);
	assert_int_equal(mc_decode_float("3.4028235e+38", &f), MC_OK);
	assert_true(f == 3.4028235e38f);
	assert_int_equal(mc_decode_float("1e-45", &f), MC_OK);
	assert_true(f == 1e-45f && f > 0);
	assert_int_equal(mc_decode_float("16777217", &f), MC_OK);   /* rounded once, to even */
	assert_true(f == 16777216.0f);
	assert_int_equal(mc_decode_float("1e39", &f), MC_DATA);     /* out of range for real */
	assert_int_equal(mc_decode_float("1e-50", &f), MC_DATA);

	const char *bad[] = { "", "nan", "inf", "infinity", "+Infinity", " 1", "1 ", "1e", "1e+",
	                      ".", "-", "0x1p3", "1,5", "1.5.5", "e5", "1e309", "-1e309", "1e-400",
	                      "NaN ", "Infinity1", "1d", "١" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (mc_decode_double(bad[i], &d) != MC_DATA)
			fail_msg("double accepted \"%s\"", bad[i]);
		if (mc_decode_float(bad[i], &f) != MC_DATA)
			fail_msg("float accepted \"%s\"", bad[i]);
	}
}

/* The decimal point of the program's locale must not matter. Uses an
 * installed locale with a decimal comma, or builds one with localedef into
 * the build folder; skipped when neither works. */
static void test_floats_locale(void **state)
{
	(void)state;
	const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8" };
	bool found = false;
	for (size_t i = 0; i < sizeof names / sizeof *names && !found; i++)
		found = setlocale(LC_NUMERIC, names[i]) != NULL;
	if (!found) {
		char dir[4096], out[4200];
		snprintf(dir, sizeof dir, "%s/tmp/locale", tu_env("MODELC_BUILD", "build-san"));
		snprintf(out, sizeof out, "%s/de_DE.UTF-8", dir);
		tu_run r = tu_exec(NULL, (const char *const[]){ "mkdir", "-p", dir, NULL });
		tu_run_free(&r);
		r = tu_exec(NULL, (const char *const[]){ "localedef", "-i", "de_DE", "-f", "UTF-8", out, NULL });
		tu_run_free(&r);
		setenv("LOCPATH", dir, 1);
		found = setlocale(LC_NUMERIC, "de_DE.UTF-8") != NULL;
		unsetenv("LOCPATH");
	}
	if (!found)
		skip();
	double d = 0;
	float f = 0;
	bool comma = strtod("1,5", NULL) == 1.5;    /* the locale is in effect */
	mc_status st = mc_decode_double("1.5", &d), fst = mc_decode_float("-2.25e+3", &f);
	bool kept = strtod("1,5", NULL) == 1.5;     /* and still is afterwards */
	setlocale(LC_NUMERIC, "C");
	assert_true(comma);
	assert_true(kept);
	assert_int_equal(st, MC_OK);
	assert_true(d == 1.5);
	assert_int_equal(fst, MC_OK);
	assert_true(f == -2250.0f);
}

static void test_uuid(void **state)
{
	(void)state;
	mc_uuid u;
	char buf[64];
	assert_int_equal(mc_decode_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", &u), MC_OK);
	static const uint8_t want[16] = { 0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8,
	                                  0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11 };
	assert_memory_equal(u.bytes, want, 16);
	assert_int_equal(mc_encode_uuid(buf, &u), 36);
	assert_string_equal(buf, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
	assert_int_equal(mc_decode_uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", &u), MC_OK);
	assert_memory_equal(u.bytes, want, 16);

	memset(&u, 0, sizeof u);
	mc_encode_uuid(buf, &u);
	assert_string_equal(buf, "00000000-0000-0000-0000-000000000000");
	memset(&u, 0xff, sizeof u);
	mc_encode_uuid(buf, &u);
	assert_string_equal(buf, "ffffffff-ffff-ffff-ffff-ffffffffffff");
	mc_uuid back;
	assert_int_equal(mc_decode_uuid(buf, &back), MC_OK);
	assert_memory_equal(back.bytes, u.bytes, 16);

	const char *bad[] = {
		"", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
		"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
		"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", "a0eebc99-9c0b4-ef8-bb6d-6bb9bd380a11",
		"a0eebc99 9c0b 4ef8 bb6d 6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(mc_decode_uuid(bad[i], &u), MC_DATA);
}

static void test_bytea(void **state)
{
	(void)state;
	mc_result *r = fresh_result();
	mc_bytes b;
	assert_int_equal(mc_decode_bytea(r, "\\x00ff", &b), MC_OK);
	assert_int_equal(b.len, 2);
	assert_int_equal(b.ptr[0], 0x00);
	assert_int_equal(b.ptr[1], 0xff);
	assert_int_equal(mc_decode_bytea(r, "\\x", &b), MC_OK);
	assert_int_equal(b.len, 0);
	assert_non_null(b.ptr);
	assert_int_equal(mc_decode_bytea(r, "\\xDEADbeef", &b), MC_OK);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.ptr, "\xde\xad\xbe\xef", 4);
	/* bytea_output = 'escape' */
	assert_int_equal(mc_decode_bytea(r, "a\\000\\\\b\\377\\012", &b), MC_OK);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.ptr, "a\0\\b\xff\n", 6);
	assert_int_equal(mc_decode_bytea(r, "", &b), MC_OK);
	assert_int_equal(b.len, 0);

	const char *bad[] = { "\\x0", "\\x0g", "\\x 00", "\\x00 ", "\\xg0", "\\", "a\\", "\\8",
	                      "\\400", "\\01", "\\0a0", "x\\y" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (mc_decode_bytea(r, bad[i], &b) != MC_DATA)
			fail_msg("bytea accepted \"%s\"", bad[i]);
}

/* ---- dates and times ----------------------------------------------------- */

static bool leap(int64_t y)     /* astronomical year numbers */
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int mdays(int64_t y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return d[m - 1] + (m == 2 && leap(y));
}

/* Reads "YYYY-MM-DD[ BC]" independently of codec.c; astronomical year. */
static void split_date(const char *s, int64_t *y, int *m, int *d)
{
	long long yy;
	int n = 0;
	assert_int_equal(sscanf(s, "%lld-%d-%d%n", &yy, m, d, &n), 3);
	if (!strcmp(s + n, " BC"))
		yy = 1 - yy;
	else
		assert_int_equal(s[n], '\0');
	*y = yy;
}

static void date_is(const char *s, int32_t days)
{
	mc_date d = { 12345 };
	char buf[64];
	if (mc_decode_date(s, &d) != MC_OK)
		fail_msg("date \"%s\" rejected", s);
	if (d.days != days)
		fail_msg("date \"%s\": %d days, want %d", s, (int)d.days, (int)days);
	mc_encode_date(buf, sizeof buf, d);
	assert_string_equal(buf, s);
}

static void test_date(void **state)
{
	(void)state;
	date_is("2000-01-01", 0);
	date_is("1999-12-31", -1);
	date_is("2000-03-01", 60);
	date_is("1970-01-01", -10957);
	date_is("2024-02-29", 8825);
	date_is("0001-01-01", -730119);
	date_is("0001-12-31 BC", -730120);
	date_is("0001-02-29 BC", -730120 - 306);  /* 1 BC is a leap year */
	date_is("4714-11-24 BC", DATE_MIN);       /* Julian day 0 */
	date_is("4713-11-24 BC", DATE_MIN + 366);
	date_is("5874897-12-31", DATE_MAX);
	date_is("294276-12-31", 106751982);
	date_is("infinity", INT32_MAX);
	date_is("-infinity", INT32_MIN);
	date_is("9999-12-31", 2921939);
	date_is("10000-01-01", 2921940);

	mc_date d;
	const char *bad[] = {
		"", "2000-01-1", "2000-1-01", "200-01-01", "2000/01/01", "2000-01-01 ", " 2000-01-01",
		"2000-01-01 AD", "2000-01-01 bc", "2000-01-01BC", "2000-01-01 BC ", "2000-00-01",
		"2000-13-01", "2000-01-00", "2000-01-32", "2000-04-31", "1900-02-29", "2023-02-29",
		"0004-02-29 BC", "0000-01-01", "0000-01-01 BC", "4714-11-23 BC", "4715-01-01 BC",
		"5874898-01-01", "99999999-01-01", "Infinity", "+infinity", "infinity ", "-2000-01-01",
		"2000-01-01 00:00:00", "epoch", "9999999-12-31 BC",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (mc_decode_date(bad[i], &d) != MC_DATA)
			fail_msg("date accepted \"%s\"", bad[i]);
}

/* Every day from Julian day 0 to the year 2400 follows the one before in
 * the proleptic Gregorian calendar, and decodes back to its number. */
static void test_date_walk(void **state)
{
	(void)state;
	char buf[64];
	int64_t py = 0;
	int pm = 0, pd = 0;
	for (int32_t days = DATE_MIN; days <= 146097; days++) {
		int64_t y;
		int m, d;
		mc_encode_date(buf, sizeof buf, (mc_date){ days });
		split_date(buf, &y, &m, &d);
		if (days == DATE_MIN) {
			assert_true(y == -4713 && m == 11 && d == 24);
		} else if (d == pd + 1) {
			assert_true(y == py && m == pm && d <= mdays(y, m));
		} else {
			assert_int_equal(d, 1);
			assert_int_equal(pd, mdays(py, pm));
			if (m == pm + 1)
				assert_true(y == py);
			else
				assert_true(m == 1 && pm == 12 && y == py + 1);
		}
		mc_date back;
		assert_int_equal(mc_decode_date(buf, &back), MC_OK);
		assert_int_equal(back.days, days);
		py = y, pm = m, pd = d;
	}
	assert_true(py == 2400 && pm == 1 && pd == 1);
}

/* Any int32 encodes without trouble; the valid ones come back. */
static void test_date_any(void **state)
{
	(void)state;
	char buf[64];
	int32_t edges[] = { INT32_MIN + 1, INT32_MAX - 1, DATE_MIN - 1, DATE_MAX + 1, -1000000000 };
	for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
		size_t n = mc_encode_date(buf, sizeof buf, (mc_date){ edges[i] });
		assert_true(n == strlen(buf) && n < 64);
		int64_t y;
		int m, d;
		split_date(buf, &y, &m, &d);
	}
	/* PostgreSQL would take neither */
	mc_encode_date(buf, sizeof buf, (mc_date){ INT32_MAX - 1 });
	assert_string_equal(buf, "5881610-07-10");
	mc_encode_date(buf, sizeof buf, (mc_date){ INT32_MIN + 1 });
	assert_string_equal(buf, "5877612-06-23 BC");
	mc_encode_date(buf, sizeof buf, (mc_date){ -1000000000 });
	assert_string_equal(buf, "2735909-12-28 BC");
	for (int i = 0; i < 200000; i++) {
		int32_t days = (int32_t)rnd_range(DATE_MIN, DATE_MAX);
		mc_encode_date(buf, sizeof buf, (mc_date){ days });
		mc_date back;
		if (mc_decode_date(buf, &back) != MC_OK || back.days != days)
			fail_msg("date %d -> \"%s\" does not come back", (int)days, buf);
	}
}

static void time_is(const char *s, int64_t usec)
{
	mc_time t = { -5 };
	char buf[64];
	if (mc_decode_time(s, &t) != MC_OK)
		fail_msg("time \"%s\" rejected", s);
	if (t.usec != usec)
		fail_msg("time \"%s\": %lld, want %lld", s, (long long)t.usec, (long long)usec);
	mc_encode_time(buf, sizeof buf, t);
	assert_string_equal(buf, s);
}

static void test_time(void **state)
{
	(void)state;
	time_is("00:00:00", 0);
	time_is("00:00:00.000001", 1);
	time_is("13:45:01.5", (13 * 3600 + 45 * 60 + 1) * USEC_PER_SEC + 500000);
	time_is("13:45:01.123456", (13 * 3600 + 45 * 60 + 1) * USEC_PER_SEC + 123456);
	time_is("13:45:01.12", (13 * 3600 + 45 * 60 + 1) * USEC_PER_SEC + 120000);
	time_is("23:59:59.999999", USEC_PER_DAY - 1);
	time_is("24:00:00", USEC_PER_DAY);

	mc_time t;
	const char *bad[] = {
		"", "24:00:00.000001", "25:00:00", "12:60:00", "12:00:60", "1:00:00", "12:0:00",
		"12:00", "12:00:00.", "12:00:00.1234567", "12:00:00 ", "12:00:00+00", "12:00:00.5a",
		"-01:00:00", "12-00-00", "allballs",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (mc_decode_time(bad[i], &t) != MC_DATA)
			fail_msg("time accepted \"%s\"", bad[i]);

	/* out of range values still encode to something the server refuses */
	char buf[64];
	mc_encode_time(buf, sizeof buf, (mc_time){ -1 });
	assert_string_equal(buf, "-00:00:00.000001");
	assert_true(mc_encode_time(buf, sizeof buf, (mc_time){ INT64_MIN }) < 64);
	assert_string_equal(buf, "-2562047788:00:54.775808");
	mc_encode_time(buf, sizeof buf, (mc_time){ INT64_MAX });
	assert_string_equal(buf, "2562047788:00:54.775807");
}

static void timetz_is(const char *s, int64_t usec, int32_t zone_sec)
{
	mc_timetz t = { -5, 5 };
	char buf[64];
	if (mc_decode_timetz(s, &t) != MC_OK)
		fail_msg("timetz \"%s\" rejected", s);
	if (t.usec != usec || t.zone_sec != zone_sec)
		fail_msg("timetz \"%s\": %lld %d, want %lld %d", s, (long long)t.usec, (int)t.zone_sec,
		         (long long)usec, (int)zone_sec);
	mc_encode_timetz(buf, sizeof buf, t);
	assert_string_equal(buf, s);
}

static void test_timetz(void **state)
{
	(void)state;
	int64_t t1 = (13 * 3600 + 45 * 60 + 1) * USEC_PER_SEC;
	timetz_is("13:45:01+05:30", t1, -19800);
	timetz_is("13:45:01-08", t1, 28800);
	timetz_is("13:45:01.5+00", t1 + 500000, 0);
	timetz_is("00:00:00+15:59:59", 0, -57599);
	timetz_is("24:00:00-15:59:59", USEC_PER_DAY, 57599);
	timetz_is("12:00:00-00:00:01", 12 * 3600 * USEC_PER_SEC, 1);
	timetz_is("12:00:00+05:45", 12 * 3600 * USEC_PER_SEC, -20700);

	mc_timetz t;
	const char *bad[] = {
		"", "13:45:01", "13:45:01+", "13:45:01+5", "13:45:01+05:3", "13:45:01+05:", "13:45:01+16",
		"13:45:01+05:60", "13:45:01+05:30:60", "13:45:01 +05", "13:45:01+05 ", "13:45:01+0530",
		"25:00:00+00", "13:45:01+05:30:00:00", "13:45:01Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (mc_decode_timetz(bad[i], &t) != MC_DATA)
			fail_msg("timetz accepted \"%s\"", bad[i]);
	char buf[64];
	assert_true(mc_encode_timetz(buf, sizeof buf, (mc_timetz){ INT64_MIN, INT32_MIN }) < 64);
	assert_string_equal(buf, "-2562047788:00:54.775808+596523:14:08");
	mc_encode_timetz(buf, sizeof buf, (mc_timetz){ 0, INT32_MAX });
	assert_string_equal(buf, "00:00:00-596523:14:07");
}

static void ts_is(const char *s, int64_t usec)
{
	mc_timestamp t = { 5 };
	char buf[64];
	if (mc_decode_timestamp(s, &t) != MC_OK)
		fail_msg("timestamp \"%s\" rejected", s);
	if (t.usec != usec)
		fail_msg("timestamp \"%s\": %lld, want %lld", s, (long long)t.usec, (long long)usec);
	mc_encode_timestamp(buf, sizeof buf, t);
	assert_string_equal(buf, s);
}

static void tstz_is(const char *s, int64_t usec, const char *canonical)
{
	mc_timestamptz t = { 5 };
	char buf[64];
	if (mc_decode_timestamptz(s, &t) != MC_OK)
		fail_msg("timestamptz \"%s\" rejected", s);
	if (t.usec != usec)
		fail_msg("timestamptz \"%s\": %lld, want %lld", s, (long long)t.usec, (long long)usec);
	mc_encode_timestamptz(buf, sizeof buf, t);
	assert_string_equal(buf, canonical ? canonical : s);
}

static void test_timestamp(void **state)
{
	(void)state;
	int64_t t1 = 8825 * USEC_PER_DAY + (13 * 3600 + 45 * 60 + 1) * USEC_PER_SEC;
	ts_is("2000-01-01 00:00:00", 0);
	ts_is("1999-12-31 23:59:59.999999", -1);
	ts_is("1970-01-01 00:00:00", -UNIX_EPOCH_USEC);
	ts_is("2024-02-29 13:45:01.123456", t1 + 123456);
	ts_is("2024-02-29 13:45:01.5", t1 + 500000);
	ts_is("0001-01-01 00:00:00", -730119 * USEC_PER_DAY);
	ts_is("0001-12-31 23:59:59.999999 BC", -730119 * USEC_PER_DAY - 1);
	ts_is("4714-11-24 00:00:00 BC", TS_MIN);
	ts_is("294276-12-31 23:59:59.999999", TS_END - 1);
	ts_is("infinity", INT64_MAX);
	ts_is("-infinity", INT64_MIN);

	tstz_is("2024-02-29 13:45:01.123456+00", t1 + 123456, NULL);
	tstz_is("2024-02-29 19:15:01.123456+05:30", t1 + 123456, "2024-02-29 13:45:01.123456+00");
	tstz_is("2024-02-29 05:45:01.123456-08", t1 + 123456, "2024-02-29 13:45:01.123456+00");
	tstz_is("1883-11-18 12:03:58-03:56:02", INT64_C(-3664339200) * USEC_PER_SEC,
	        "1883-11-18 16:00:00+00");
	tstz_is("0001-01-01 00:00:00+00 BC", -730485 * USEC_PER_DAY, NULL);
	tstz_is("4714-11-24 00:00:00+00 BC", TS_MIN, NULL);
	tstz_is("4714-11-24 01:00:00+01 BC", TS_MIN, "4714-11-24 00:00:00+00 BC");
	tstz_is("294276-12-31 23:59:59.999999+00", TS_END - 1, NULL);
	tstz_is("294277-01-01 09:59:59.999999+10", TS_END - 1, "294276-12-31 23:59:59.999999+00");
	tstz_is("infinity", INT64_MAX, NULL);
	tstz_is("-infinity", INT64_MIN, NULL);

	mc_timestamp t;
	mc_timestamptz tz;
	const char *bad[] = {
		"", "2000-01-01", "2000-01-01 00:00", "2000-01-01T00:00:00", "2000-01-01  00:00:00",
		"2000-01-01 00:00:00 ", "2000-01-01 00:00:00.", "2000-01-01 24:00:01", "2000-01-32 00:00:00",
		"2000-02-30 00:00:00", "0000-01-01 00:00:00", "4714-11-23 23:59:59.999999 BC",
		"294277-01-01 00:00:00", "999999-01-01 00:00:00", "1000000-01-01 00:00:00",
		"2000-01-01 00:00:00 BC ", "2000-01-01 00:00:00 AD", "Infinity", "now",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (mc_decode_timestamp(bad[i], &t) != MC_DATA)
			fail_msg("timestamp accepted \"%s\"", bad[i]);
		if (mc_decode_timestamptz(bad[i], &tz) != MC_DATA)
			fail_msg("timestamptz accepted \"%s\"", bad[i]);
	}
	const char *badtz[] = {
		"2000-01-01 00:00:00+00 ", "2000-01-01 00:00:00 +00", "2000-01-01 00:00:00+16",
		"2000-01-01 00:00:00 BC+00", "2000-01-01 00:00:00+00:00:00:00", "2000-01-01 00:00:00 UTC",
		"2000-01-01 00:00:00Z", "294276-12-31 23:59:59.999999-01", "4714-11-24 00:00:00+01 BC",
		"4714-11-24 00:59:59+01 BC",
	};
	for (size_t i = 0; i < sizeof badtz / sizeof *badtz; i++) {
		if (mc_decode_timestamptz(badtz[i], &tz) != MC_DATA)
			fail_msg("timestamptz accepted \"%s\"", badtz[i]);
		if (mc_decode_timestamp(badtz[i], &t) != MC_DATA)
			fail_msg("timestamp accepted \"%s\"", badtz[i]);
	}
	/* a zone in a timestamp without one is an error too */
	assert_int_equal(mc_decode_timestamp("2000-01-01 00:00:00+00", &t), MC_DATA);

	/* the time of day is never negative, also before 2000 and before 1 AD */
	char buf[64];
	mc_encode_timestamp(buf, sizeof buf, (mc_timestamp){ -USEC_PER_DAY - 1 });
	assert_string_equal(buf, "1999-12-30 23:59:59.999999");
	/* any int64 encodes into 64 bytes */
	int64_t any[] = { INT64_MIN + 1, INT64_MAX - 1, TS_MIN - 1, TS_END, 0 };
	for (size_t i = 0; i < sizeof any / sizeof *any; i++) {
		assert_true(mc_encode_timestamp(buf, sizeof buf, (mc_timestamp){ any[i] }) < 64);
		assert_true(mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ any[i] }) < 64);
	}
	mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ INT64_MIN + 1 });
	assert_string_equal(buf, "290279-12-22 19:59:05.224193+00 BC");
	mc_encode_timestamp(buf, sizeof buf, (mc_timestamp){ INT64_MAX - 1 });
	assert_string_equal(buf, "294277-01-09 04:00:54.775806");

	for (int i = 0; i < 200000; i++) {
		int64_t v = rnd_range(TS_MIN, TS_END - 1);
		mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ v });
		mc_timestamptz back;
		if (mc_decode_timestamptz(buf, &back) != MC_OK || back.usec != v)
			fail_msg("timestamptz %lld -> \"%s\" does not come back", (long long)v, buf);
	}
}

static void interval_is(const char *s, int32_t months, int32_t days, int64_t usec, const char *canonical)
{
	mc_interval v = { 1, 1, 1 };
	char buf[64];
	if (mc_decode_interval(s, &v) != MC_OK)
		fail_msg("interval \"%s\" rejected", s);
	if (v.months != months || v.days != days || v.usec != usec)
		fail_msg("interval \"%s\": %d %d %lld, want %d %d %lld", s, (int)v.months, (int)v.days,
		         (long long)v.usec, (int)months, (int)days, (long long)usec);
	mc_encode_interval(buf, sizeof buf, v);
	assert_string_equal(buf, canonical ? canonical : s);
}

/* The one-pass paths (integers to 18 digits, uuids by table, timestamps of
 * years 1-9999 AD in UTC, encoders without sprintf) at their edges: what
 * they refuse goes to the general parser, which must give the same
 * answers as before. */
static void test_fast_paths(void **state)
{
	(void)state;
	int64_t v;
	int32_t v32;
	int16_t v16;
	assert_int_equal(mc_decode_int64("123456789012345678", &v), MC_OK);
	assert_true(v == INT64_C(123456789012345678));
	assert_int_equal(mc_decode_int64("-1234567890123456789", &v), MC_OK);
	assert_true(v == INT64_C(-1234567890123456789));
	assert_int_equal(mc_decode_int64("9223372036854775807", &v), MC_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(mc_decode_int64("-9223372036854775808", &v), MC_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(mc_decode_int64("9223372036854775808", &v), MC_DATA);
	assert_int_equal(mc_decode_int64("-0", &v), MC_OK);
	assert_true(v == 0);
	assert_int_equal(mc_decode_int64("007", &v), MC_OK);
	assert_true(v == 7);
	assert_int_equal(mc_decode_int64("", &v), MC_DATA);
	assert_int_equal(mc_decode_int64("-", &v), MC_DATA);
	assert_int_equal(mc_decode_int64("+1", &v), MC_DATA);
	assert_int_equal(mc_decode_int64("1 ", &v), MC_DATA);
	assert_int_equal(mc_decode_int32("2147483648", &v32), MC_DATA);
	assert_int_equal(mc_decode_int32("-2147483648", &v32), MC_OK);
	assert_true(v32 == INT32_MIN);
	assert_int_equal(mc_decode_int16("32768", &v16), MC_DATA);
	assert_int_equal(mc_decode_int16("-32768", &v16), MC_OK);
	assert_true(v16 == INT16_MIN);

	mc_uuid u;
	assert_int_equal(mc_decode_uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", &u), MC_OK);
	assert_int_equal(u.bytes[0], 0xa0);
	assert_int_equal(u.bytes[15], 0x11);
	assert_int_equal(mc_decode_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", &u), MC_DATA);
	assert_int_equal(mc_decode_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", &u), MC_DATA);
	assert_int_equal(mc_decode_uuid("a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11", &u), MC_DATA);
	assert_int_equal(mc_decode_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", &u), MC_DATA);
	assert_int_equal(mc_decode_uuid("a0ee", &u), MC_DATA);
	assert_int_equal(mc_decode_uuid("", &u), MC_DATA);

	mc_timestamptz tz;
	mc_timestamp ts;
	int64_t d2024 = 8766 * USEC_PER_DAY;     /* 2024-01-01 */
	assert_int_equal(mc_decode_timestamptz("2024-01-01 00:00:00.000001+00", &tz), MC_OK);
	assert_true(tz.usec == d2024 + 1);
	assert_int_equal(mc_decode_timestamptz("2024-01-01 00:00:00.12+00", &tz), MC_OK);
	assert_true(tz.usec == d2024 + 120000);
	assert_int_equal(mc_decode_timestamptz("2024-01-01 00:00:00.1234567+00", &tz), MC_DATA);
	assert_int_equal(mc_decode_timestamptz("2024-01-01 00:00:00.+00", &tz), MC_DATA);
	assert_int_equal(mc_decode_timestamptz("2024-01-01 00:00:00+0", &tz), MC_DATA);
	assert_int_equal(mc_decode_timestamptz("2024-01-01 00:00:00", &tz), MC_DATA);
	assert_int_equal(mc_decode_timestamptz("2024-01-01 01:00:00+01:00", &tz), MC_OK);
	assert_true(tz.usec == d2024);
	/* no leap seconds in PostgreSQL: it never prints :60 */
	assert_int_equal(mc_decode_timestamptz("2016-12-31 23:59:60+00", &tz), MC_DATA);
	/* 24:00:00 (time input's limit) still goes through the general parser */
	assert_int_equal(mc_decode_timestamp("2023-12-31 24:00:00", &ts), MC_OK);
	assert_true(ts.usec == d2024);
	assert_int_equal(mc_decode_timestamp("2023-02-29 00:00:00", &ts), MC_DATA);
	assert_int_equal(mc_decode_timestamp("2024-13-01 00:00:00", &ts), MC_DATA);
	assert_int_equal(mc_decode_timestamp("0000-01-01 00:00:00", &ts), MC_DATA);
	assert_int_equal(mc_decode_timestamp("2024-01-01 00:00:00+00", &ts), MC_DATA);
	assert_int_equal(mc_decode_timestamp("9999-12-31 23:59:59.999999", &ts), MC_OK);
	assert_int_equal(mc_decode_timestamp("10000-01-01 00:00:00", &ts), MC_OK);
	assert_true(ts.usec == 2921940 * USEC_PER_DAY);
	assert_int_equal(mc_decode_timestamp("2024-01-01 00:00:00 BC", &ts), MC_OK);
	assert_true(ts.usec < 0);

	/* the encoders print what the server prints */
	char buf[64];
	mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ d2024 + 1 });
	assert_string_equal(buf, "2024-01-01 00:00:00.000001+00");
	mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ d2024 + 100000 });
	assert_string_equal(buf, "2024-01-01 00:00:00.1+00");
	mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ TS_MIN });
	assert_string_equal(buf, "4714-11-24 00:00:00+00 BC");
	mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ TS_END - 1 });
	assert_string_equal(buf, "294276-12-31 23:59:59.999999+00");
	mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ INT64_MAX });
	assert_string_equal(buf, "infinity");
	mc_encode_timestamp(buf, sizeof buf, (mc_timestamp){ -1 });
	assert_string_equal(buf, "1999-12-31 23:59:59.999999");
	mc_encode_date(buf, sizeof buf, (mc_date){ DATE_MAX });
	assert_string_equal(buf, "5874897-12-31");
	mc_encode_date(buf, sizeof buf, (mc_date){ DATE_MIN });
	assert_string_equal(buf, "4714-11-24 BC");
	mc_encode_time(buf, sizeof buf, (mc_time){ 86400 * USEC_PER_SEC });
	assert_string_equal(buf, "24:00:00");
	mc_encode_timetz(buf, sizeof buf, (mc_timetz){ 0, -19800 });
	assert_string_equal(buf, "00:00:00+05:30");
	mc_encode_timetz(buf, sizeof buf, (mc_timetz){ 0, 3600 });
	assert_string_equal(buf, "00:00:00-01");
	mc_encode_timetz(buf, sizeof buf, (mc_timetz){ 0, -3661 });
	assert_string_equal(buf, "00:00:00+01:01:01");

	mc_params p;
	mc_params_init(&p);
	mc_param_int64(&p, INT64_MIN);
	mc_param_int64(&p, 0);
	mc_param_int32(&p, -42);
	int64_t items[3] = { INT64_MIN, 0, INT64_MAX };
	bool nulls[3] = { false, true, false };
	mc_param_array_int64(&p, items, nulls, 3);
	assert_string_equal(p.values[0], "-9223372036854775808");
	assert_string_equal(p.values[1], "0");
	assert_string_equal(p.values[2], "-42");
	assert_string_equal(p.values[3], "{-9223372036854775808,NULL,9223372036854775807}");
	assert_int_equal(p.lengths[3], (int)strlen(p.values[3]));
	mc_params_free(&p);
}

static void test_interval(void **state)
{
	(void)state;
	int64_t H = 3600 * USEC_PER_SEC, M = 60 * USEC_PER_SEC;
	interval_is("PT0S", 0, 0, 0, NULL);
	interval_is("P1Y2M3DT4H5M6.5S", 14, 3, 4 * H + 5 * M + 6500000, NULL);
	interval_is("P-1Y-2M3DT-4H", -14, 3, -4 * H, NULL);
	interval_is("P1Y", 12, 0, 0, NULL);
	interval_is("P1M", 1, 0, 0, NULL);
	interval_is("P1D", 0, 1, 0, NULL);
	interval_is("PT1H", 0, 0, H, NULL);
	interval_is("PT1M", 0, 0, M, NULL);
	interval_is("PT1S", 0, 0, USEC_PER_SEC, NULL);
	interval_is("PT0.000001S", 0, 0, 1, NULL);
	interval_is("PT-0.000001S", 0, 0, -1, NULL);
	interval_is("PT-0.5S", 0, 0, -500000, NULL);
	interval_is("PT-1M-0.5S", 0, 0, -M - 500000, NULL);
	interval_is("P1Y-1M", 11, 0, 0, "P11M");
	interval_is("P13M", 13, 0, 0, "P1Y1M");
	interval_is("PT90M", 0, 0, 90 * M, "PT1H30M");
	interval_is("PT1H-1S", 0, 0, H - USEC_PER_SEC, "PT59M59S");
	interval_is("P0D", 0, 0, 0, "PT0S");
	interval_is("P-178956970Y-8M", INT32_MIN, 0, 0, NULL);
	interval_is("P178956970Y7M", INT32_MAX, 0, 0, NULL);
	interval_is("P2147483647D", 0, INT32_MAX, 0, NULL);
	interval_is("P-2147483648D", 0, INT32_MIN, 0, NULL);
	interval_is("PT2562047788H54.775807S", 0, 0, INT64_MAX, NULL);
	interval_is("PT-2562047788H-54.775808S", 0, 0, INT64_MIN, NULL);
	interval_is("PT9223372036854.775807S", 0, 0, INT64_MAX, "PT2562047788H54.775807S");
	interval_is("P-178956970Y-8M-2147483648DT-2562047788H-54.775808S", INT32_MIN, INT32_MIN,
	            INT64_MIN, NULL);
	interval_is("PT1.10S", 0, 0, 1100000, "PT1.1S");

	mc_interval v;
	const char *bad[] = {
		"", "P", "PT", "P1", "P1YT", "PT1", "T1H", "p1Y", "P1y", "P1D1Y", "P1M1Y", "P1Y1Y",
		"PT1S1M", "P1H", "PT1D", "PT1Y", "P1DT1H1H", "P1.5Y", "PT1.5H", "PT1.5M", "P1.5D",
		"PT1.S", "PT.5S", "PT1.1234567S", "P+1Y", "P--1Y", "P1W", "P 1Y", "P1Y ", "P1Y2M3DTT4H",
		"PT4HT", "P1DT", "P178956971Y", "P-178956971Y", "P178956970Y8M", "P-178956970Y-9M",
		"P2147483648D", "P-2147483649D", "PT2562047789H", "PT2562047788H55S", "PT-2562047788H-55S",
		"PT9223372036855S", "P99999999999999999999Y", "1 day", "@ 1 day", "00:00:01", "PT0.5-S",
		"P1Y2M3DT4H5M6.5SX", "PT1M0.0000001S",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (mc_decode_interval(bad[i], &v) != MC_DATA)
			fail_msg("interval accepted \"%s\"", bad[i]);
}

/* Encoders write at most cap bytes with the NUL and return the full
 * length, like snprintf. */
static void test_encode_cap(void **state)
{
	(void)state;
	char buf[64];
	memset(buf, 'x', sizeof buf);
	assert_int_equal(mc_encode_timestamptz(buf, 5, (mc_timestamptz){ 0 }), 22);
	assert_string_equal(buf, "2000");
	assert_int_equal(buf[5], 'x');
	assert_int_equal(mc_encode_date(buf, 1, (mc_date){ 0 }), 10);
	assert_string_equal(buf, "");
	assert_int_equal(mc_encode_interval(NULL, 0, (mc_interval){ 0, 0, 0 }), 4);
	assert_int_equal(mc_encode_time(buf, 9, (mc_time){ 0 }), 8);
	assert_string_equal(buf, "00:00:00");
	assert_int_equal(mc_encode_time(buf, 8, (mc_time){ 0 }), 8);
	assert_string_equal(buf, "00:00:0");
	/* the longest texts fit in 64 */
	mc_interval worst[] = {
		{ INT64_MIN, INT32_MIN, INT32_MIN }, { INT64_MAX, INT32_MAX, INT32_MAX },
		{ -59 * USEC_PER_SEC - 999999 - 59 * 60 * USEC_PER_SEC - INT64_C(2562047787) * 3600 * USEC_PER_SEC,
		  INT32_MIN + 4, INT32_MIN },
	};
	for (size_t i = 0; i < sizeof worst / sizeof *worst; i++) {
		size_t n = mc_encode_interval(buf, sizeof buf, worst[i]);
		assert_true(n < 64 && n == strlen(buf));
		mc_interval back;
		assert_int_equal(mc_decode_interval(buf, &back), MC_OK);
		assert_memory_equal(&back, &worst[i], sizeof back);
	}
	mc_encode_interval(buf, sizeof buf, worst[2]);
	assert_string_equal(buf, "P-178956970Y-8M-2147483644DT-2562047787H-59M-59.999999S");
}

static void test_interval_random(void **state)
{
	(void)state;
	char buf[64];
	for (int i = 0; i < 200000; i++) {
		mc_interval v = { (int64_t)rnd(), (int32_t)rnd(), (int32_t)rnd() };
		if (i % 3 == 1)
			v.usec %= 100 * USEC_PER_SEC;
		mc_encode_interval(buf, sizeof buf, v);
		mc_interval back;
		if (mc_decode_interval(buf, &back) != MC_OK || memcmp(&back, &v, sizeof v))
			fail_msg("interval %lld %d %d -> \"%s\" does not come back", (long long)v.usec,
			         (int)v.days, (int)v.months, buf);
	}
}

/* ---- arrays -------------------------------------------------------------- */

static void str_is(mc_str s, const char *want)
{
	if (s.len != strlen(want) || memcmp(s.ptr, want, s.len))
		fail_msg("array element \"%.*s\", want \"%s\"", (int)s.len, s.ptr, want);
}

static void test_array(void **state)
{
	(void)state;
	mc_result *r = fresh_result();
	void *items;
	bool *nulls;
	size_t n;

	assert_int_equal(mc_decode_array(r, "{}", sizeof(int32_t), elem_int32, &items, &nulls, &n), MC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mc_decode_array(r, " { } ", sizeof(int32_t), elem_int32, &items, &nulls, &n), MC_OK);
	assert_int_equal(n, 0);

	assert_int_equal(mc_decode_array(r, "{1,2,NULL}", sizeof(int32_t), elem_int32, &items, &nulls, &n), MC_OK);
	assert_int_equal(n, 3);
	int32_t *iv = items;
	assert_int_equal(iv[0], 1);
	assert_int_equal(iv[1], 2);
	assert_int_equal(iv[2], 0);
	assert_false(nulls[0]);
	assert_false(nulls[1]);
	assert_true(nulls[2]);
	/* no nulls array: a NULL element has nowhere to go */
	assert_int_equal(mc_decode_array(r, "{1,NULL}", sizeof(int32_t), elem_int32, &items, NULL, &n), MC_DATA);
	assert_int_equal(mc_decode_array(r, "{1,-2147483648}", sizeof(int32_t), elem_int32, &items, NULL, &n), MC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(((int32_t *)items)[1], INT32_MIN);
	/* an element the element decoder refuses */
	assert_int_equal(mc_decode_array(r, "{1,2147483648}", sizeof(int32_t), elem_int32, &items, &nulls, &n), MC_DATA);
	assert_int_equal(mc_decode_array(r, "{1,\"2\"}", sizeof(int32_t), elem_int32, &items, &nulls, &n), MC_OK);
	assert_int_equal(((int32_t *)items)[1], 2);

	/* dimension decoration when the lower bound is not 1 */
	assert_int_equal(mc_decode_array(r, "[0:1]={7,8}", sizeof(int32_t), elem_int32, &items, &nulls, &n), MC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(((int32_t *)items)[0], 7);
	assert_int_equal(mc_decode_array(r, "[-3:-1]={7,8,9}", sizeof(int32_t), elem_int32, &items, &nulls, &n), MC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(mc_decode_array(r, "[1:1] = {5}", sizeof(int32_t), elem_int32, &items, &nulls, &n), MC_OK);
	assert_int_equal(n, 1);

	const char *text = "{\"a,b\",\"x\\\"y\",NULL,\"NULL\",\"\",\" sp \",\"back\\\\slash\",\"{}\",plain,"
	                   "null,NuLl, in side ,\\NULL,N\\ULL,\"\",é,a\\,b,\\ x\\ }";
	assert_int_equal(mc_decode_array(r, text, sizeof(mc_str), elem_text, &items, &nulls, &n), MC_OK);
	assert_int_equal(n, 18);
	mc_str *sv = items;
	str_is(sv[0], "a,b");
	str_is(sv[1], "x\"y");
	assert_true(nulls[2]);
	assert_false(nulls[3]);
	str_is(sv[3], "NULL");
	str_is(sv[4], "");
	str_is(sv[5], " sp ");
	str_is(sv[6], "back\\slash");
	str_is(sv[7], "{}");
	str_is(sv[8], "plain");
	assert_true(nulls[9]);
	assert_true(nulls[10]);
	str_is(sv[11], "in side");
	assert_false(nulls[12]);
	str_is(sv[12], "NULL");
	str_is(sv[13], "NULL");
	assert_false(nulls[13]);
	str_is(sv[14], "");
	str_is(sv[15], "é");
	str_is(sv[16], "a,b");
	str_is(sv[17], " x ");
	for (size_t i = 0; i < n; i++)
		if (i != 2 && i != 9 && i != 10)
			assert_false(nulls[i]);

	assert_int_equal(mc_decode_array(r, "{t,f}", sizeof(bool), elem_bool, &items, &nulls, &n), MC_OK);
	assert_true(((bool *)items)[0]);
	assert_false(((bool *)items)[1]);
	assert_int_equal(mc_decode_array(r, "{NaN,-Infinity,1.5e+300}", sizeof(double), elem_double,
	                                 &items, NULL, &n), MC_OK);
	assert_true(isnan(((double *)items)[0]));
	assert_true(((double *)items)[2] == 1.5e300);
	assert_int_equal(mc_decode_array(r, "{\"\\\\x00ff\",\"\\\\x\"}", sizeof(mc_bytes), elem_bytea,
	                                 &items, NULL, &n), MC_OK);
	mc_bytes *bv = items;
	assert_int_equal(bv[0].len, 2);
	assert_int_equal(bv[0].ptr[1], 0xff);
	assert_int_equal(bv[1].len, 0);

	const char *bad[] = {
		"", "{", "}", "{1", "{1,}", "{,1}", "{1,,2}", "{1}x", "{1} }", "1,2", "{{1,2},{3,4}}",
		"{1,{2}}", "{\"a}", "{\"a\"b}", "{a\"b\"}", "{a\\}", "[0:1]={1}", "[0:2]={1,2}",
		"[1:0]={}", "[1]={1}", "[1:2][1:2]={{1,2},{3,4}}", "[a:b]={1,2}", "[0:1]{1,2}",
		"[0:1]=", "{\"a\" \"b\"}", "{\"unterminated\\\"}", "{a b\"}", "{1} {2}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (mc_decode_array(r, bad[i], sizeof(mc_str), elem_text, &items, &nulls, &n) != MC_DATA)
			fail_msg("array accepted \"%s\"", bad[i]);
}

/* ---- against the server -------------------------------------------------- */

/* ---- binary result columns (mc_get_*), on results made here ---------------- */

/* A one-row result of ncol columns in binary format, of the given types. */
static PGresult *binary_result(int ncol, const Oid *types, const int *lens, const char *const *values)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc att[8];
	assert_non_null(r);
	assert_true(ncol <= 8);
	for (int i = 0; i < ncol; i++) {
		att[i] = (PGresAttDesc){ (char *)"c", 0, 0, 1, types[i], 0, -1 };
	}
	assert_int_equal(PQsetResultAttrs(r, ncol, att), 1);
	for (int i = 0; i < ncol; i++)
		assert_int_equal(PQsetvalue(r, 0, i, (char *)(uintptr_t)values[i], lens[i]), 1);
	return r;
}

static void test_binary(void **state)
{
	(void)state;
	/* big-endian forms: int2 -2, int4 -100000, int8 2^40+1, bool, float4
	 * 1.5, float8 -0.25, uuid, date -1 (1999-12-31), time 1 s, timestamp
	 * -1 us, infinities */
	static const char i2[] = { '\xff', '\xfe' };
	static const char i4[] = { '\xff', '\xfe', '\x79', '\x60' };
	static const char i8[] = { 0, 0, 1, 0, 0, 0, 0, 1 };
	static const char bt[] = { 1 }, bf[] = { 0 };
	static const char f4[] = { '\x3f', '\xc0', 0, 0 };
	static const char f8[] = { '\xbf', '\xd0', 0, 0, 0, 0, 0, 0 };
	static const char uu[] = { '\xa0', '\xee', '\xbc', '\x99', '\x9c', '\x0b', '\x4e', '\xf8',
	                           '\xbb', '\x6d', '\x6b', '\xb9', '\xbd', '\x38', '\x0a', '\x11' };
	static const char dm1[] = { '\xff', '\xff', '\xff', '\xff' };
	static const char dinf[] = { '\x7f', '\xff', '\xff', '\xff' };
	static const char dninf[] = { '\x80', 0, 0, 0 };
	static const char t1[] = { 0, 0, 0, 0, 0, '\x0f', '\x42', '\x40' };
	static const char tsm1[] = { '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff' };
	static const char tsinf[] = { '\x7f', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff' };
	static const char tsninf[] = { '\x80', 0, 0, 0, 0, 0, 0, 0 };

	const Oid ti[] = { 21, 23, 20, 16, 16 };
	const int li[] = { 2, 4, 8, 1, 1 };
	PGresult *r = binary_result(5, ti, li, (const char *const[]){ i2, i4, i8, bt, bf });
	int16_t v16;
	int32_t v32;
	int64_t v64;
	bool b;
	assert_int_equal(mc_get_int16(r, 0, 0, &v16), MC_OK);
	assert_int_equal(v16, -2);
	assert_int_equal(mc_get_int32(r, 0, 1, &v32), MC_OK);
	assert_int_equal(v32, -100000);
	assert_int_equal(mc_get_int64(r, 0, 2, &v64), MC_OK);
	assert_true(v64 == (INT64_C(1) << 40) + 1);
	assert_int_equal(mc_get_int32(r, 0, 0, &v32), MC_OK);      /* narrower widens */
	assert_int_equal(v32, -2);
	assert_int_equal(mc_get_int32(r, 0, 2, &v32), MC_DATA);    /* out of range */
	assert_int_equal(mc_get_int16(r, 0, 1, &v16), MC_DATA);
	assert_int_equal(mc_get_int64(r, 0, 3, &v64), MC_DATA);    /* 1 byte: no integer */
	assert_int_equal(mc_get_bool(r, 0, 3, &b), MC_OK);
	assert_true(b);
	assert_int_equal(mc_get_bool(r, 0, 4, &b), MC_OK);
	assert_false(b);
	assert_int_equal(mc_get_bool(r, 0, 0, &b), MC_DATA);
	PQclear(r);

	const Oid tf[] = { 700, 701, 2950, 2950 };
	const int lf[] = { 4, 8, 16, 15 };
	r = binary_result(4, tf, lf, (const char *const[]){ f4, f8, uu, uu });
	float f;
	double d;
	mc_uuid u, want;
	assert_int_equal(mc_get_float(r, 0, 0, &f), MC_OK);
	assert_true(f == 1.5f);
	assert_int_equal(mc_get_double(r, 0, 0, &d), MC_OK);       /* float4 widens exactly */
	assert_true(d == 1.5);
	assert_int_equal(mc_get_double(r, 0, 1, &d), MC_OK);
	assert_true(d == -0.25);
	assert_int_equal(mc_get_float(r, 0, 1, &f), MC_DATA);
	assert_int_equal(mc_get_uuid(r, 0, 2, &u), MC_OK);
	assert_int_equal(mc_decode_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", &want), MC_OK);
	assert_memory_equal(u.bytes, want.bytes, 16);
	assert_int_equal(mc_get_uuid(r, 0, 3, &u), MC_DATA);
	PQclear(r);

	const Oid tt[] = { 1082, 1082, 1082, 1083, 1114, 1184, 1184, 1184 };
	const int lt[] = { 4, 4, 4, 8, 8, 8, 8, 4 };
	r = binary_result(8, tt, lt, (const char *const[]){ dm1, dinf, dninf, t1, tsm1, tsinf, tsninf, dm1 });
	mc_date dt;
	mc_time tm;
	mc_timestamp ts;
	mc_timestamptz tz, tz_text;
	assert_int_equal(mc_get_date(r, 0, 0, &dt), MC_OK);
	assert_int_equal(dt.days, -1);
	assert_int_equal(mc_get_date(r, 0, 1, &dt), MC_OK);
	assert_int_equal(dt.days, INT32_MAX);
	assert_int_equal(mc_get_date(r, 0, 2, &dt), MC_OK);
	assert_int_equal(dt.days, INT32_MIN);
	assert_int_equal(mc_get_time(r, 0, 3, &tm), MC_OK);
	assert_true(tm.usec == USEC_PER_SEC);
	assert_int_equal(mc_get_timestamp(r, 0, 4, &ts), MC_OK);
	assert_true(ts.usec == -1);
	/* the infinities are what the text decoders give for "infinity" */
	assert_int_equal(mc_get_timestamptz(r, 0, 5, &tz), MC_OK);
	assert_int_equal(mc_decode_timestamptz("infinity", &tz_text), MC_OK);
	assert_true(tz.usec == INT64_MAX && tz.usec == tz_text.usec);
	assert_int_equal(mc_get_timestamptz(r, 0, 6, &tz), MC_OK);
	assert_int_equal(mc_decode_timestamptz("-infinity", &tz_text), MC_OK);
	assert_true(tz.usec == INT64_MIN && tz.usec == tz_text.usec);
	assert_int_equal(mc_get_timestamptz(r, 0, 7, &tz), MC_DATA);  /* 4 bytes */
	assert_int_equal(mc_get_date(r, 0, 3, &dt), MC_DATA);
	PQclear(r);
}

static PGconn *conn;

static int db_setup(void **state)
{
	(void)state;
	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "cannot connect: %s", PQerrorMessage(conn));
		PQfinish(conn);
		conn = NULL;
		return -1;
	}
	return 0;
}

static int db_teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	conn = NULL;
	return 0;
}

static void exec_ok(const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		fprintf(stderr, "statement failed: %s%s\n", PQresultErrorMessage(r), sql);
		PQclear(r);
		fail_msg("statement failed");
	}
	PQclear(r);
}

/* What the runtime sets on every session. */
static int session(void **state)
{
	(void)state;
	exec_ok("SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC';"
	        "SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3; SET bytea_output = 'hex'");
	return 0;
}

/* Results of query() not yet given to done(): a failing assertion leaves
 * the test early, and the teardown clears them. */
static PGresult *open_results[4];

static void done(PGresult *r)
{
	for (int i = 0; i < 4; i++)
		if (open_results[i] == r)
			open_results[i] = NULL;
	PQclear(r);
}

static int pg_teardown(void **state)
{
	for (int i = 0; i < 4; i++)
		done(open_results[i]);
	return free_result(state);
}

/* A query with text parameters; done() clears the result. */
static PGresult *query(const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "query failed: %s%s\n", PQresultErrorMessage(r), sql);
		PQclear(r);
		fail_msg("query failed");
	}
	for (int i = 0; i < 4; i++)
		if (!open_results[i]) {
			open_results[i] = r;
			break;
		}
	return r;
}

/* The server's text for $1::type: must equal what we sent, since the
 * encoders print PostgreSQL's own canonical form. */
static void echo(const char *type, const char *text)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT $1::%s", type);
	PGresult *r = query(sql, 1, (const char *const[]){ text });
	const char *got = PQgetvalue(r, 0, 0);
	if (strcmp(got, text)) {
		fprintf(stderr, "%s: sent \"%s\", server says \"%s\"\n", type, text, got);
		done(r);
		fail_msg("server text differs");
	}
	done(r);
}

/* Numeric text of an integer value ("-12", "340.000000" is not one). */
static int64_t numeric_int(const char *s)
{
	int64_t v;
	if (mc_decode_int64(s, &v) != MC_OK)
		fail_msg("not an integer: \"%s\"", s);
	return v;
}

static void test_pg_dates(void **state)
{
	(void)state;
	char buf[64];
	int32_t edge[] = { 0, -1, 1, DATE_MIN, DATE_MAX, INT32_MIN, INT32_MAX, -730119, -730120,
	                   -730120 - 306, 8825, -10957, 106751982, 2921939, 2921940 };
	for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
		mc_encode_date(buf, sizeof buf, (mc_date){ edge[i] });
		echo("date", buf);
	}
	for (int i = 0; i < 300; i++) {
		mc_encode_date(buf, sizeof buf, (mc_date){ (int32_t)rnd_range(DATE_MIN, DATE_MAX) });
		echo("date", buf);
	}
	/* dates the server computes: its own day count must match ours */
	PGresult *r = query("SELECT d, d - date '2000-01-01' FROM (SELECT date '4714-11-24 BC' + i AS d "
	                    "FROM generate_series(0, 3000000, 7) i UNION ALL SELECT date '5874897-12-31' - i "
	                    "FROM generate_series(0, 1000) i UNION ALL SELECT date '2000-01-01' + "
	                    "(random() * 2140000000)::int FROM generate_series(1, 2000)) s", 0, NULL);
	assert_true(PQntuples(r) > 400000);
	for (int i = 0; i < PQntuples(r); i++) {
		mc_date d;
		if (mc_decode_date(PQgetvalue(r, i, 0), &d) != MC_OK)
			fail_msg("server date \"%s\" rejected", PQgetvalue(r, i, 0));
		if (d.days != numeric_int(PQgetvalue(r, i, 1)))
			fail_msg("date \"%s\": %d, server says %s", PQgetvalue(r, i, 0), (int)d.days,
			         PQgetvalue(r, i, 1));
	}
	done(r);
	r = query("SELECT 'infinity'::date, '-infinity'::date, current_date, current_date - date '2000-01-01'", 0, NULL);
	mc_date d;
	assert_int_equal(mc_decode_date(PQgetvalue(r, 0, 0), &d), MC_OK);
	assert_int_equal(d.days, INT32_MAX);
	assert_int_equal(mc_decode_date(PQgetvalue(r, 0, 1), &d), MC_OK);
	assert_int_equal(d.days, INT32_MIN);
	assert_int_equal(mc_decode_date(PQgetvalue(r, 0, 2), &d), MC_OK);
	assert_int_equal(d.days, numeric_int(PQgetvalue(r, 0, 3)));
	done(r);
}

/* timestamp and timestamptz: edges and random values echo; values the
 * server computes decode to what its own interval arithmetic says. */
static void test_pg_timestamps(void **state)
{
	(void)state;
	char buf[64];
	int64_t edge[] = { 0, -1, 1, TS_MIN, TS_END - 1, INT64_MIN, INT64_MAX, -UNIX_EPOCH_USEC,
	                   -730119 * USEC_PER_DAY, -730119 * USEC_PER_DAY - 1, -730485 * USEC_PER_DAY,
	                   8825 * USEC_PER_DAY + 123456, 500000, 120000 };
	for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
		mc_encode_timestamp(buf, sizeof buf, (mc_timestamp){ edge[i] });
		echo("timestamp", buf);
		mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ edge[i] });
		echo("timestamptz", buf);
	}
	for (int i = 0; i < 300; i++) {
		int64_t v = rnd_range(TS_MIN, TS_END - 1);
		if (i % 2)
			v -= v % USEC_PER_SEC;              /* whole seconds print no fraction */
		mc_encode_timestamp(buf, sizeof buf, (mc_timestamp){ v });
		echo("timestamp", buf);
		mc_encode_timestamptz(buf, sizeof buf, (mc_timestamptz){ v });
		echo("timestamptz", buf);
	}

	PGresult *r = query(
		"SELECT t, t::timestamptz, (extract(epoch FROM t - timestamp '2000-01-01') * 1000000)::text FROM ("
		"SELECT timestamp '4714-11-24 00:00:00 BC' + (random() * 9.2e18)::bigint "
		"* interval '1 microsecond' AS t FROM generate_series(1, 20000) "
		"UNION ALL SELECT timestamp '2000-01-01' + i * interval '1 microsecond' "
		"FROM generate_series(-2000, 2000) i "
		"UNION ALL SELECT timestamp '0001-01-01' + i * interval '1 hour 1 microsecond' "
		"FROM generate_series(-2000, 2000) i "
		"UNION ALL SELECT timestamp '294276-12-31 23:59:59.999999' - i * interval '1 day 0.1 second' "
		"FROM generate_series(0, 2000) i "
		"UNION ALL SELECT date '2000-01-01' + i FROM generate_series(-800000, 800000, 13) i) s", 0, NULL);
	assert_true(PQntuples(r) > 100000);
	for (int i = 0; i < PQntuples(r); i++) {
		const char *epoch = PQgetvalue(r, i, 2);
		char *dot = strchr(epoch, '.');
		if (dot)
			*dot = '\0';            /* numeric extract: ".000000" after the digits */
		int64_t want = numeric_int(epoch);
		mc_timestamp t;
		mc_timestamptz tz;
		if (mc_decode_timestamp(PQgetvalue(r, i, 0), &t) != MC_OK || t.usec != want)
			fail_msg("timestamp \"%s\": %lld, want %lld", PQgetvalue(r, i, 0), (long long)t.usec,
			         (long long)want);
		if (mc_decode_timestamptz(PQgetvalue(r, i, 1), &tz) != MC_OK || tz.usec != want)
			fail_msg("timestamptz \"%s\": %lld, want %lld", PQgetvalue(r, i, 1), (long long)tz.usec,
			         (long long)want);
		mc_encode_timestamptz(buf, sizeof buf, tz);
		assert_string_equal(buf, PQgetvalue(r, i, 1));
	}
	done(r);

	r = query("SELECT now(), (extract(epoch FROM now()) * 1000000)::bigint, localtimestamp, "
	          "'infinity'::timestamptz, '-infinity'::timestamp", 0, NULL);
	mc_timestamptz now;
	mc_timestamp local;
	assert_int_equal(mc_decode_timestamptz(PQgetvalue(r, 0, 0), &now), MC_OK);
	assert_true(now.usec == numeric_int(PQgetvalue(r, 0, 1)) - UNIX_EPOCH_USEC);
	assert_int_equal(mc_decode_timestamp(PQgetvalue(r, 0, 2), &local), MC_OK);
	assert_true(local.usec == now.usec);      /* TimeZone UTC */
	assert_int_equal(mc_decode_timestamptz(PQgetvalue(r, 0, 3), &now), MC_OK);
	assert_true(now.usec == INT64_MAX);
	assert_int_equal(mc_decode_timestamp(PQgetvalue(r, 0, 4), &local), MC_OK);
	assert_true(local.usec == INT64_MIN);
	done(r);

	/* timestamptz printed in other time zones (historic offsets in seconds
	 * included) decode to the same instant */
	const char *zones[] = { "Asia/Kathmandu", "America/St_Johns", "Europe/Amsterdam",
	                        "Pacific/Kiritimati", "America/Los_Angeles", "Africa/Monrovia" };
	for (size_t z = 0; z < sizeof zones / sizeof *zones; z++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SET TimeZone = '%s'", zones[z]);
		exec_ok(sql);
		r = query("SELECT t, (extract(epoch FROM t - timestamptz '2000-01-01 00:00:00+00') * 1000000)::bigint "
		          "FROM (SELECT timestamptz "
		          "'1800-01-01 00:00:00+00' + i * interval '7 days 1 hour 0.5 second' AS t "
		          "FROM generate_series(0, 12000) i UNION ALL SELECT now() "
		          "UNION ALL SELECT timestamptz '4714-11-24 00:00:00+00 BC' "
		          "UNION ALL SELECT timestamptz '294276-12-31 23:59:59.999999+00') s", 0, NULL);
		for (int i = 0; i < PQntuples(r); i++) {
			mc_timestamptz tz;
			int64_t want = numeric_int(PQgetvalue(r, i, 1));
			if (mc_decode_timestamptz(PQgetvalue(r, i, 0), &tz) != MC_OK || tz.usec != want)
				fail_msg("%s: timestamptz \"%s\": %lld, want %lld", zones[z], PQgetvalue(r, i, 0),
				         (long long)tz.usec, (long long)want);
		}
		done(r);
	}
	exec_ok("SET TimeZone = 'UTC'");
}

static void test_pg_times(void **state)
{
	(void)state;
	char buf[64];
	int64_t edge[] = { 0, 1, USEC_PER_DAY, USEC_PER_DAY - 1, 500000, 120000, 43200 * USEC_PER_SEC };
	int32_t zones[] = { 0, 1, -1, 57599, -57599, -19800, 28800, 20700, -3600, 3723 };
	for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
		mc_encode_time(buf, sizeof buf, (mc_time){ edge[i] });
		echo("time", buf);
		for (size_t z = 0; z < sizeof zones / sizeof *zones; z++) {
			mc_encode_timetz(buf, sizeof buf, (mc_timetz){ edge[i], zones[z] });
			echo("timetz", buf);
		}
	}
	for (int i = 0; i < 300; i++) {
		int64_t t = rnd_range(0, USEC_PER_DAY);
		mc_encode_time(buf, sizeof buf, (mc_time){ t });
		echo("time", buf);
		mc_encode_timetz(buf, sizeof buf, (mc_timetz){ t, (int32_t)rnd_range(-57599, 57599) });
		echo("timetz", buf);
	}
	PGresult *r = query(
		"SELECT t, (extract(epoch FROM t) * 1000000)::bigint, tz, "
		"(extract(epoch FROM tz::time) * 1000000)::bigint, extract(timezone FROM tz) FROM ("
		"SELECT t, (t::text || CASE WHEN z < 0 THEN '-' ELSE '+' END || to_char(abs(z) / 3600, 'FM00') "
		"|| ':' || to_char(abs(z) / 60 % 60, 'FM00') || ':' || to_char(abs(z) % 60, 'FM00'))::timetz AS tz FROM (SELECT time '00:00' + "
		"(random() * 86400000000)::bigint * interval '1 microsecond' AS t, "
		"(random() * 115198)::int - 57599 AS z FROM generate_series(1, 20000)) a "
		"UNION ALL SELECT '24:00:00'::time, '24:00:00-15:59:59'::timetz "
		"UNION ALL SELECT localtime, current_time) s", 0, NULL);
	for (int i = 0; i < PQntuples(r); i++) {
		mc_time t;
		mc_timetz tz;
		int64_t want = numeric_int(PQgetvalue(r, i, 1));
		if (mc_decode_time(PQgetvalue(r, i, 0), &t) != MC_OK || t.usec != want)
			fail_msg("time \"%s\": %lld, want %lld", PQgetvalue(r, i, 0), (long long)t.usec,
			         (long long)want);
		want = numeric_int(PQgetvalue(r, i, 3));
		int64_t east = numeric_int(PQgetvalue(r, i, 4));
		if (mc_decode_timetz(PQgetvalue(r, i, 2), &tz) != MC_OK || tz.usec != want ||
		    tz.zone_sec != -east)
			fail_msg("timetz \"%s\": %lld %d, want %lld %lld", PQgetvalue(r, i, 2),
			         (long long)tz.usec, (int)tz.zone_sec, (long long)want, (long long)-east);
		mc_encode_timetz(buf, sizeof buf, tz);
		assert_string_equal(buf, PQgetvalue(r, i, 2));
	}
	done(r);
}

static void test_pg_intervals(void **state)
{
	(void)state;
	char buf[64];
	mc_interval edge[] = {
		{ 0, 0, 0 }, { 1, 0, 0 }, { -1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 0, -1, -1 },
		{ INT64_MIN, INT32_MIN, INT32_MIN }, { INT64_MAX, INT32_MAX, INT32_MAX },
		{ -500000, 3, -14 }, { 4 * 3600 * USEC_PER_SEC, 3, -14 }, { 90 * 60 * USEC_PER_SEC, 0, 13 },
		{ INT64_C(-9223372036854000000), -7, 12 },
	};
	for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
		mc_encode_interval(buf, sizeof buf, edge[i]);
		echo("interval", buf);
	}
	for (int i = 0; i < 1000; i++) {
		mc_interval v = { (int64_t)rnd(), (int32_t)rnd(), (int32_t)rnd() };
		if (i % 2)
			v.usec %= 48 * 3600 * USEC_PER_SEC;
		if (i % 4 == 1)
			v.usec -= v.usec % USEC_PER_SEC;
		mc_encode_interval(buf, sizeof buf, v);
		echo("interval", buf);
	}
	/* intervals the server computes, against its own extract() of them */
	PGresult *r = query(
		"SELECT v, extract(year FROM v) * 12 + extract(month FROM v), extract(day FROM v), "
		"(extract(hour FROM v) * 3600000000 + extract(minute FROM v) * 60000000 "
		"+ extract(microseconds FROM v))::text FROM ("
		"SELECT (random() * 4000 - 2000)::int * interval '1 month' + (random() * 40000 - 20000)::int "
		"* interval '1 day' + (random() * 2e14 - 1e14)::bigint * interval '1 microsecond' AS v "
		"FROM generate_series(1, 20000) "
		"UNION ALL SELECT age(timestamp '2024-02-29 13:45:01.5', timestamp '1900-01-01') "
		"UNION ALL SELECT now() - timestamptz '1999-12-31 23:59:59.999999+00' "
		"UNION ALL SELECT justify_interval(interval '-1000000 hours 1 second') "
		"UNION ALL SELECT interval '-178956970 years -8 months -2147483648 days "
		"-2562047788 hours -54.775808 seconds' "
		"UNION ALL SELECT interval '178956970 years 7 months 2147483647 days "
		"2562047788 hours 54.775807 seconds' "
		"UNION ALL SELECT interval '0') s", 0, NULL);
	for (int i = 0; i < PQntuples(r); i++) {
		mc_interval v;
		const char *t = PQgetvalue(r, i, 0);
		if (mc_decode_interval(t, &v) != MC_OK)
			fail_msg("server interval \"%s\" rejected", t);
		if (v.months != numeric_int(PQgetvalue(r, i, 1)) || v.days != numeric_int(PQgetvalue(r, i, 2)))
			fail_msg("interval \"%s\": %d months %d days, server says %s %s", t, (int)v.months,
			         (int)v.days, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
		char *usec = PQgetvalue(r, i, 3), *dot = strchr(usec, '.');
		if (dot)
			*dot = '\0';
		if (v.usec != numeric_int(usec))
			fail_msg("interval \"%s\": %lld usec, server says %s", t, (long long)v.usec, usec);
		mc_encode_interval(buf, sizeof buf, v);
		assert_string_equal(buf, t);
	}
	done(r);
}

/* What the encoders send means the same under any session settings: the
 * values are stored under odd settings and read back under ours. */
static void test_pg_other_settings(void **state)
{
	(void)state;
	char bufs[8][64];
	mc_date d = { -730120 - 306 };
	mc_time t = { USEC_PER_DAY - 1 };
	mc_timetz tz = { 500000, -19800 };
	mc_timestamp ts = { -730119 * USEC_PER_DAY - 1 };
	mc_timestamptz tstz = { 8825 * USEC_PER_DAY + 123456 };
	mc_interval iv = { -500000 - 4 * 3600 * USEC_PER_SEC, 3, -14 };
	mc_timestamptz tsbc = { TS_MIN };
	mc_date dbig = { DATE_MAX };
	mc_encode_date(bufs[0], 64, d);
	mc_encode_time(bufs[1], 64, t);
	mc_encode_timetz(bufs[2], 64, tz);
	mc_encode_timestamp(bufs[3], 64, ts);
	mc_encode_timestamptz(bufs[4], 64, tstz);
	mc_encode_interval(bufs[5], 64, iv);
	mc_encode_timestamptz(bufs[6], 64, tsbc);
	mc_encode_date(bufs[7], 64, dbig);
	const char *params[8];
	for (int i = 0; i < 8; i++)
		params[i] = bufs[i];

	exec_ok("CREATE TEMP TABLE codec_settings (n int, d date, t time, tz timetz, ts timestamp, "
	        "tstz timestamptz, iv interval, tsbc timestamptz, dbig date)");
	const char *settings[] = {
		"SET DateStyle = 'SQL, DMY'; SET IntervalStyle = 'sql_standard'; SET TimeZone = 'Asia/Kathmandu'",
		"SET DateStyle = 'German'; SET IntervalStyle = 'postgres_verbose'; SET TimeZone = 'America/St_Johns'",
		"SET DateStyle = 'Postgres, MDY'; SET IntervalStyle = 'postgres'; SET TimeZone = 'Pacific/Chatham'",
		"SET DateStyle = 'ISO, DMY'; SET IntervalStyle = 'sql_standard'; SET TimeZone = 'EST5EDT'",
		"SET DateStyle = 'SQL, MDY'; SET IntervalStyle = 'iso_8601'; SET TimeZone = '+03:30'",
	};
	size_t ns = sizeof settings / sizeof *settings;
	for (size_t i = 0; i < ns; i++) {
		exec_ok(settings[i]);
		char n[8];
		snprintf(n, sizeof n, "%d", (int)i);
		const char *all[9] = { n, params[0], params[1], params[2], params[3], params[4],
		                       params[5], params[6], params[7] };
		PGresult *r = PQexecParams(conn, "INSERT INTO codec_settings VALUES ($1, $2, $3, $4, $5, $6, "
		                           "$7, $8, $9)", 9, NULL, all, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			fprintf(stderr, "insert under \"%s\": %s", settings[i], PQresultErrorMessage(r));
			PQclear(r);
			fail_msg("insert failed");
		}
		PQclear(r);
	}
	session(NULL);
	PGresult *r = query("SELECT d, t, tz, ts, tstz, iv, tsbc, dbig FROM codec_settings ORDER BY n", 0, NULL);
	assert_int_equal(PQntuples(r), (int)ns);
	for (int i = 0; i < (int)ns; i++)
		for (int c = 0; c < 8; c++)
			if (strcmp(PQgetvalue(r, i, c), bufs[c]))
				fail_msg("\"%s\" came back as \"%s\" under \"%s\"", bufs[c], PQgetvalue(r, i, c),
				         settings[i]);
	done(r);
	exec_ok("DROP TABLE codec_settings");
}

static void test_pg_scalars(void **state)
{
	(void)state;
	PGresult *r = query("SELECT true, false, (-32768)::int2, 32767::int2, (-2147483648)::int4, "
	                    "2147483647::int4, (-9223372036854775808)::int8, 9223372036854775807::int8, "
	                    "'NaN'::float8, 'Infinity'::float8, '-Infinity'::float4, 1.5e300::float8, "
	                    "'-0'::float8, '5e-324'::float8, '1e-45'::float4, '3.4028235e38'::float4", 0, NULL);
	bool b;
	int16_t i16;
	int32_t i32;
	int64_t i64;
	double d;
	float f;
	assert_int_equal(mc_decode_bool(PQgetvalue(r, 0, 0), &b), MC_OK);
	assert_true(b);
	assert_int_equal(mc_decode_bool(PQgetvalue(r, 0, 1), &b), MC_OK);
	assert_false(b);
	assert_int_equal(mc_decode_int16(PQgetvalue(r, 0, 2), &i16), MC_OK);
	assert_int_equal(i16, INT16_MIN);
	assert_int_equal(mc_decode_int16(PQgetvalue(r, 0, 3), &i16), MC_OK);
	assert_int_equal(i16, INT16_MAX);
	assert_int_equal(mc_decode_int32(PQgetvalue(r, 0, 4), &i32), MC_OK);
	assert_int_equal(i32, INT32_MIN);
	assert_int_equal(mc_decode_int32(PQgetvalue(r, 0, 5), &i32), MC_OK);
	assert_int_equal(i32, INT32_MAX);
	assert_int_equal(mc_decode_int64(PQgetvalue(r, 0, 6), &i64), MC_OK);
	assert_true(i64 == INT64_MIN);
	assert_int_equal(mc_decode_int64(PQgetvalue(r, 0, 7), &i64), MC_OK);
	assert_true(i64 == INT64_MAX);
	assert_int_equal(mc_decode_double(PQgetvalue(r, 0, 8), &d), MC_OK);
	assert_true(isnan(d));
	assert_int_equal(mc_decode_double(PQgetvalue(r, 0, 9), &d), MC_OK);
	assert_true(isinf(d) && d > 0);
	assert_int_equal(mc_decode_float(PQgetvalue(r, 0, 10), &f), MC_OK);
	assert_true(isinf(f) && f < 0);
	assert_int_equal(mc_decode_double(PQgetvalue(r, 0, 11), &d), MC_OK);
	assert_true(d == 1.5e300);
	assert_int_equal(mc_decode_double(PQgetvalue(r, 0, 12), &d), MC_OK);
	assert_true(d == 0 && signbit(d));
	assert_int_equal(mc_decode_double(PQgetvalue(r, 0, 13), &d), MC_OK);
	assert_true(d == 4.9406564584124654e-324);
	assert_int_equal(mc_decode_float(PQgetvalue(r, 0, 14), &f), MC_OK);
	assert_true(f == 1e-45f);
	assert_int_equal(mc_decode_float(PQgetvalue(r, 0, 15), &f), MC_OK);
	assert_true(f == 3.4028235e38f);
	done(r);

	/* integers of every size the server prints */
	r = query("SELECT i::int2, (i * 65535)::int4, i::int8 * 281474976710655 FROM "
	          "generate_series(-32768, 32767) i", 0, NULL);
	for (int row = 0; row < PQntuples(r); row++) {
		int64_t want = row - 32768;
		assert_int_equal(mc_decode_int16(PQgetvalue(r, row, 0), &i16), MC_OK);
		assert_int_equal(i16, want);
		assert_int_equal(mc_decode_int32(PQgetvalue(r, row, 1), &i32), MC_OK);
		assert_int_equal(i32, want * 65535);
		assert_int_equal(mc_decode_int64(PQgetvalue(r, row, 2), &i64), MC_OK);
		assert_true(i64 == want * INT64_C(281474976710655));
	}
	done(r);

	/* doubles and floats of random bit patterns: the server's shortest
	 * text decodes to the same bits */
	for (int i = 0; i < 3000; i++) {
		uint64_t bits = rnd();
		double v;
		memcpy(&v, &bits, sizeof v);
		if (isnan(v))
			continue;
		char in[64];
		snprintf(in, sizeof in, "%.17g", v);
		r = query("SELECT $1::float8", 1, (const char *const[]){ in });
		double back;
		assert_int_equal(mc_decode_double(PQgetvalue(r, 0, 0), &back), MC_OK);
		if (!same_double(back, v))
			fail_msg("double %s: server \"%s\" decodes to %.17g", in, PQgetvalue(r, 0, 0), back);
		done(r);

		uint32_t fbits = (uint32_t)rnd();
		float fv;
		memcpy(&fv, &fbits, sizeof fv);
		if (isnan(fv))
			continue;
		snprintf(in, sizeof in, "%.9g", (double)fv);
		r = query("SELECT $1::float4", 1, (const char *const[]){ in });
		float fback;
		assert_int_equal(mc_decode_float(PQgetvalue(r, 0, 0), &fback), MC_OK);
		if (memcmp(&fback, &fv, sizeof fv))
			fail_msg("float %s: server \"%s\" decodes to %.9g", in, PQgetvalue(r, 0, 0), (double)fback);
		done(r);
	}

	/* uuids: the server's and ours agree byte for byte */
	r = query("SELECT u, replace(u::text, '-', '') FROM (SELECT gen_random_uuid() AS u "
	          "FROM generate_series(1, 2000) UNION ALL SELECT 'ffffffff-ffff-ffff-ffff-ffffffffffff' "
	          "UNION ALL SELECT '00000000-0000-0000-0000-000000000000') s", 0, NULL);
	for (int row = 0; row < PQntuples(r); row++) {
		mc_uuid u;
		char buf[64];
		assert_int_equal(mc_decode_uuid(PQgetvalue(r, row, 0), &u), MC_OK);
		const char *hex = PQgetvalue(r, row, 1);
		for (int k = 0; k < 16; k++) {
			unsigned byte;
			assert_int_equal(sscanf(hex + 2 * k, "%2x", &byte), 1);
			assert_int_equal(u.bytes[k], byte);
		}
		mc_encode_uuid(buf, &u);
		assert_string_equal(buf, PQgetvalue(r, row, 0));
		echo("uuid", buf);
	}
	done(r);
}

static void test_pg_bytea(void **state)
{
	(void)state;
	const char *sql = "SELECT decode(string_agg(lpad(to_hex(i % 256), 2, '0'), '' ORDER BY i), 'hex'), "
	                  "''::bytea, '\\x'::bytea, 'a\\\\b'::bytea FROM generate_series(0, 1023) i";
	for (int pass = 0; pass < 2; pass++) {
		exec_ok(pass ? "SET bytea_output = 'escape'" : "SET bytea_output = 'hex'");
		mc_result *res = fresh_result();
		PGresult *r = query(sql, 0, NULL);
		mc_bytes b;
		assert_int_equal(mc_decode_bytea(res, PQgetvalue(r, 0, 0), &b), MC_OK);
		assert_int_equal(b.len, 1024);
		for (int i = 0; i < 1024; i++)
			assert_int_equal(b.ptr[i], i % 256);
		assert_int_equal(mc_decode_bytea(res, PQgetvalue(r, 0, 1), &b), MC_OK);
		assert_int_equal(b.len, 0);
		assert_int_equal(mc_decode_bytea(res, PQgetvalue(r, 0, 2), &b), MC_OK);
		assert_int_equal(b.len, 0);
		assert_int_equal(mc_decode_bytea(res, PQgetvalue(r, 0, 3), &b), MC_OK);
		assert_int_equal(b.len, 3);
		assert_memory_equal(b.ptr, "a\\b", 3);
		done(r);
	}
	exec_ok("SET bytea_output = 'hex'");
}

static void test_pg_arrays(void **state)
{
	(void)state;
	mc_result *res = fresh_result();
	void *items;
	bool *nulls;
	size_t n;

	/* random strings full of the characters array_out quotes, against the
	 * same strings as rows */
	PGresult *r = query(
		"WITH s AS (SELECT i, CASE WHEN i % 50 = 0 THEN NULL WHEN i % 50 = 1 THEN 'NULL' "
		"WHEN i % 50 = 2 THEN 'null' WHEN i % 50 = 3 THEN '' ELSE (SELECT string_agg(substr("
		"E'ab ,{}\"\\\\\\t\\nNUé''x', (random() * 15)::int + 1, 1), '') FROM generate_series(0, "
		"(i % 9))) END AS t FROM generate_series(1, 400) i) "
		"SELECT (SELECT array_agg(t ORDER BY i) FROM s), t FROM s ORDER BY i", 0, NULL);
	assert_int_equal(PQntuples(r), 400);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 0), sizeof(mc_str), elem_text, &items,
	                                 &nulls, &n), MC_OK);
	assert_int_equal(n, 400);
	mc_str *sv = items;
	for (int i = 0; i < 400; i++) {
		if (PQgetisnull(r, i, 1)) {
			if (!nulls[i])
				fail_msg("element %d is not NULL in %s", i, PQgetvalue(r, 0, 0));
			continue;
		}
		assert_false(nulls[i]);
		str_is(sv[i], PQgetvalue(r, i, 1));
	}
	done(r);

	r = query("SELECT '{1,2,NULL}'::int[], '[0:2]={7,8,9}'::int[], '{}'::int[], "
	          "ARRAY[-9223372036854775808, 9223372036854775807]::int8[], "
	          "ARRAY['NaN', '-Infinity', '1.5e300', '0.1']::float8[], ARRAY[true, false, NULL], "
	          "ARRAY[date '4714-11-24 BC', date '2000-01-01', 'infinity'], "
	          "ARRAY[timestamptz '2024-02-29 13:45:01.123456+00', '0001-01-01 00:00:00+00 BC', now()], "
	          "ARRAY[interval 'P1Y2M3DT4H5M6.5S', interval 'P-1Y-2M3DT-4H', interval '0'], "
	          "ARRAY['\\x00ff'::bytea, '\\x', NULL], "
	          "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid], "
	          "(extract(epoch FROM now()) * 1000000)::bigint", 0, NULL);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 0), sizeof(int32_t), elem_int32, &items,
	                                 &nulls, &n), MC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(((int32_t *)items)[1], 2);
	assert_true(nulls[2]);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 1), sizeof(int32_t), elem_int32, &items,
	                                 &nulls, &n), MC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(((int32_t *)items)[2], 9);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 2), sizeof(int32_t), elem_int32, &items,
	                                 &nulls, &n), MC_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 3), sizeof(int64_t), elem_int64, &items,
	                                 NULL, &n), MC_OK);
	assert_true(((int64_t *)items)[0] == INT64_MIN && ((int64_t *)items)[1] == INT64_MAX);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 4), sizeof(double), elem_double, &items,
	                                 NULL, &n), MC_OK);
	assert_int_equal(n, 4);
	assert_true(isnan(((double *)items)[0]) && ((double *)items)[3] == 0.1);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 5), sizeof(bool), elem_bool, &items,
	                                 &nulls, &n), MC_OK);
	assert_true(((bool *)items)[0] && !((bool *)items)[1] && nulls[2]);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 6), sizeof(mc_date), elem_date, &items,
	                                 NULL, &n), MC_OK);
	mc_date *dv = items;
	assert_true(dv[0].days == DATE_MIN && dv[1].days == 0 && dv[2].days == INT32_MAX);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 7), sizeof(mc_timestamptz), elem_timestamptz,
	                                 &items, NULL, &n), MC_OK);
	mc_timestamptz *tv = items;
	assert_true(tv[0].usec == 8825 * USEC_PER_DAY + (13 * 3600 + 45 * 60 + 1) * USEC_PER_SEC + 123456);
	assert_true(tv[1].usec == -730485 * USEC_PER_DAY);
	assert_true(tv[2].usec == numeric_int(PQgetvalue(r, 0, 11)) - UNIX_EPOCH_USEC);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 8), sizeof(mc_interval), elem_interval,
	                                 &items, NULL, &n), MC_OK);
	mc_interval *iv = items;
	assert_true(iv[0].months == 14 && iv[0].days == 3 && iv[0].usec == INT64_C(14706500000));
	assert_true(iv[1].months == -14 && iv[1].days == 3 && iv[1].usec == INT64_C(-14400000000));
	assert_true(iv[2].months == 0 && iv[2].days == 0 && iv[2].usec == 0);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 9), sizeof(mc_bytes), elem_bytea, &items,
	                                 &nulls, &n), MC_OK);
	mc_bytes *bv = items;
	assert_true(n == 3 && bv[0].len == 2 && bv[0].ptr[1] == 0xff && bv[1].len == 0 && nulls[2]);
	assert_int_equal(mc_decode_array(res, PQgetvalue(r, 0, 10), sizeof(mc_uuid), elem_uuid, &items,
	                                 NULL, &n), MC_OK);
	assert_int_equal(((mc_uuid *)items)[0].bytes[0], 0xa0);
	done(r);
}

/* The same values in both formats from the server: mc_get_* agree, NULLs
 * are NULL in both, and a keymap over binary keys matches their text. */
static void test_pg_binary(void **state)
{
	(void)state;
	static const char *const sql =
		"SELECT i2, i4, i8, b, f4, f8, u, d, t, ts, tz, s FROM (VALUES "
		"('-32768'::int2, '-2147483648'::int4, '-9223372036854775808'::int8, true, 1.5::float4, -1e-300::float8, "
		" 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, '1999-12-31'::date, '23:59:59.999999'::time, "
		" '1999-12-31 23:59:59.999999'::timestamp, '1600-03-01 12:00:00.5+00'::timestamptz, 'x y'::text), "
		"(32767::int2, 2147483647::int4, 9223372036854775807::int8, false, '-Infinity'::float4, 'NaN'::float8, "
		" '00000000-0000-0000-0000-000000000000'::uuid, 'infinity'::date, '00:00'::time, "
		" '4713-01-01 00:00 BC'::timestamp, 'infinity'::timestamptz, ''::text), "
		"(0::int2, 0::int4, 0::int8, NULL, 3.4028235e38::float4, 1.7976931348623157e308::float8, "
		" NULL, '-infinity'::date, NULL, '-infinity'::timestamp, '-infinity'::timestamptz, NULL), "
		"(NULL, NULL, NULL, NULL, NULL, NULL, NULL, '4714-11-24 BC'::date, NULL, '294276-12-31 23:59:59.999999'::timestamp, "
		" '2000-01-01 00:00:00+00'::timestamptz, 'é'::text)) v(i2, i4, i8, b, f4, f8, u, d, t, ts, tz, s)";
	PGresult *tx = query(sql, 0, NULL);
	PGresult *bin = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 1);
	assert_int_equal(PQresultStatus(bin), PGRES_TUPLES_OK);
	for (int i = 0; i < 4; i++)
		if (!open_results[i]) {
			open_results[i] = bin;
			break;
		}
	assert_int_equal(PQntuples(bin), 4);
	for (int c = 0; c < 12; c++) {
		assert_int_equal(PQfformat(bin, c), 1);
		assert_int_equal(PQfformat(tx, c), 0);
	}
	for (int row = 0; row < 4; row++) {
		for (int c = 0; c < 12; c++)
			assert_int_equal(PQgetisnull(bin, row, c), PQgetisnull(tx, row, c));
#define SAME(fn, col, T)                                                                       \
	if (!PQgetisnull(tx, row, col)) {                                                      \
		T a_, b_;                                                                      \
		memset(&a_, 0, sizeof a_);                                                     \
		memset(&b_, 0, sizeof b_);                                                     \
		assert_int_equal(fn(tx, row, col, &a_), MC_OK);                               \
		assert_int_equal(fn(bin, row, col, &b_), MC_OK);                              \
		assert_memory_equal(&a_, &b_, sizeof a_);                                      \
	}
		SAME(mc_get_int16, 0, int16_t)
		SAME(mc_get_int32, 1, int32_t)
		SAME(mc_get_int64, 2, int64_t)
		SAME(mc_get_bool, 3, bool)
		SAME(mc_get_float, 4, float)
		SAME(mc_get_double, 5, double)
		SAME(mc_get_uuid, 6, mc_uuid)
		SAME(mc_get_date, 7, mc_date)
		SAME(mc_get_time, 8, mc_time)
		SAME(mc_get_timestamp, 9, mc_timestamp)
		SAME(mc_get_timestamptz, 10, mc_timestamptz)
#undef SAME
		if (!PQgetisnull(tx, row, 11)) {
			assert_int_equal(PQgetlength(bin, row, 11), PQgetlength(tx, row, 11));
			assert_string_equal(PQgetvalue(bin, row, 11), PQgetvalue(tx, row, 11));
		}
	}
	mc_timestamptz tz;
	assert_int_equal(mc_get_timestamptz(bin, 1, 10, &tz), MC_OK);
	assert_true(tz.usec == INT64_MAX);
	assert_int_equal(mc_get_timestamptz(bin, 2, 10, &tz), MC_OK);
	assert_true(tz.usec == INT64_MIN);
	assert_int_equal(mc_get_timestamptz(bin, 3, 10, &tz), MC_OK);
	assert_true(tz.usec == 0);
	mc_date dt;
	assert_int_equal(mc_get_date(bin, 0, 7, &dt), MC_OK);
	assert_int_equal(dt.days, -1);

	/* keys in binary found by their text (what load parameters carry),
	 * and across formats */
	for (int c = 0; c < 12; c++) {
		if (c == 4 || c == 5)
			continue;               /* floats are never keys */
		int cols[1] = { c };
		mc_keymap *m = mc_keymap_new(bin, 1, cols, 4);
		assert_non_null(m);
		for (int row = 0; row < 4; row++) {
			const char *key[1] = { PQgetvalue(tx, row, c) };
			long hit = mc_keymap_first_text(m, key);
			long across = mc_keymap_first(m, tx, row, cols);
			if (PQgetisnull(tx, row, c)) {
				assert_int_equal(across, -1);
				continue;
			}
			assert_true(hit >= 0 && hit <= row);
			assert_string_equal(PQgetvalue(tx, (int)hit, c), key[0]);
			assert_int_equal(across, hit);
		}
		mc_keymap_free(m);
	}
	done(bin);
	done(tx);
}

int main(void)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_floats_locale),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test_teardown(test_bytea, free_result),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_date_walk),
		cmocka_unit_test(test_date_any),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_timetz),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_fast_paths),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_interval_random),
		cmocka_unit_test(test_encode_cap),
		cmocka_unit_test_teardown(test_array, free_result),
		cmocka_unit_test(test_binary),
	};
	const struct CMUnitTest pg[] = {
		cmocka_unit_test_setup_teardown(test_pg_scalars, session, pg_teardown),
		cmocka_unit_test_setup_teardown(test_pg_bytea, session, pg_teardown),
		cmocka_unit_test_setup_teardown(test_pg_dates, session, pg_teardown),
		cmocka_unit_test_setup_teardown(test_pg_timestamps, session, pg_teardown),
		cmocka_unit_test_setup_teardown(test_pg_times, session, pg_teardown),
		cmocka_unit_test_setup_teardown(test_pg_intervals, session, pg_teardown),
		cmocka_unit_test_setup_teardown(test_pg_other_settings, session, pg_teardown),
		cmocka_unit_test_setup_teardown(test_pg_arrays, session, pg_teardown),
		cmocka_unit_test_setup_teardown(test_pg_binary, session, pg_teardown),
	};
	int failed = cmocka_run_group_tests_name("codec", unit, NULL, NULL);
	failed += cmocka_run_group_tests_name("codec against PostgreSQL", pg, db_setup, db_teardown);
	return failed ? 1 : 0;
}
