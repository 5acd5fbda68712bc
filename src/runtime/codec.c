/* codec.c - PostgreSQL text format <-> C values.
 *
 * Decoders read what PostgreSQL 15 prints under the settings every runtime
 * session uses (DateStyle 'ISO, YMD', TimeZone 'UTC', IntervalStyle
 * 'iso_8601', extra_float_digits 3) and reject the rest with MC_DATA; the
 * few extras they take (any UTC offset, bytea_output 'escape', "true") are
 * other things the server prints when a setting or a cast differs.
 * Encoders print ISO forms that PostgreSQL reads under any session settings:
 * four-digit years, explicit " BC" and "+00", ISO 8601 intervals. What they
 * print is what PostgreSQL itself prints for the value, so a value survives
 * the trip to the server and back unchanged.
 *
 * Calendar arithmetic is done here (proleptic Gregorian, Julian day numbers
 * as in PostgreSQL's date2j/j2date): the C library's time zone functions are
 * neither thread-safe nor deterministic. Floats go through strtod under a
 * private "C" locale so that the program's LC_NUMERIC cannot change them. */
#include "modelc/gen.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USEC_PER_SEC  INT64_C(1000000)
#define USEC_PER_MIN  (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MIN)
#define USEC_PER_DAY  (24 * USEC_PER_HOUR)

/* PostgreSQL's limits (datatype/timestamp.h). Julian day 0 is 4714-11-24 BC,
 * the first day any date or timestamp may have. */
#define PG_EPOCH_JD    2451545                       /* date2j(2000, 1, 1) */
#define DATE_MIN_DAYS  (-PG_EPOCH_JD)
#define DATE_END_DAYS  (INT64_C(2147483494) - PG_EPOCH_JD)   /* 5874898-01-01 */
#define TS_MIN         INT64_C(-211813488000000000)  /* 4714-11-24 00:00 BC */
#define TS_END         INT64_C(9223371331200000000)  /* 294277-01-01 00:00 */
#define TZ_MAX_HOUR    15                            /* MAX_TZDISP_HOUR */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* ---- checked int64 arithmetic ---------------------------------------- */

static bool add_i64(int64_t *acc, int64_t v)
{
	if ((v > 0 && *acc > INT64_MAX - v) || (v < 0 && *acc < INT64_MIN - v))
		return false;
	*acc += v;
	return true;
}

static bool add_mul_i64(int64_t *acc, int64_t v, int64_t scale)
{
	if (v > INT64_MAX / scale || v < INT64_MIN / scale)
		return false;
	return add_i64(acc, v * scale);
}

/* [-]digits to the end of s, within [min, max]. Accumulates negatively so
 * that INT64_MIN parses without overflow. */
static bool parse_int(const char *s, const char *end, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	if (s < end && *s == '-') {
		neg = true;
		s++;
	}
	if (s == end || !is_digit(*s))
		return false;
	int64_t v = 0;
	for (; s < end; s++) {
		if (!is_digit(*s))
			return false;
		int d = *s - '0';
		if (v < (INT64_MIN + d) / 10)
			return false;
		v = v * 10 - d;
	}
	if (!neg) {
		if (v < -max)
			return false;
		v = -v;
	} else if (v < min) {
		return false;
	}
	*out = v;
	return true;
}

/* ---- scalars --------------------------------------------------------- */

mc_status mc_decode_bool(const char *s, bool *out)
{
	/* "t"/"f" is bool output; "true"/"false" is what bool::text gives. */
	if (!strcmp(s, "t") || !strcmp(s, "true")) {
		*out = true;
		return MC_OK;
	}
	if (!strcmp(s, "f") || !strcmp(s, "false")) {
		*out = false;
		return MC_OK;
	}
	return MC_DATA;
}

/* [-]digits to the NUL: up to 18 digits in one pass (no overflow is
 * possible), anything else through parse_int. */
static bool parse_int_z(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char *p = s + (*s == '-');
	uint64_t v = 0;
	int n = 0;
	for (; n < 18 && is_digit(p[n]); n++)
		v = v * 10 + (uint64_t)(p[n] - '0');
	if (n == 0 || p[n] != '\0')
		return parse_int(s, s + strlen(s), min, max, out);
	int64_t r = *s == '-' ? -(int64_t)v : (int64_t)v;
	if (r < min || r > max)
		return false;
	*out = r;
	return true;
}

mc_status mc_decode_int16(const char *s, int16_t *out)
{
	int64_t v;
	if (!parse_int_z(s, INT16_MIN, INT16_MAX, &v))
		return MC_DATA;
	*out = (int16_t)v;
	return MC_OK;
}

mc_status mc_decode_int32(const char *s, int32_t *out)
{
	int64_t v;
	if (!parse_int_z(s, INT32_MIN, INT32_MAX, &v))
		return MC_DATA;
	*out = (int32_t)v;
	return MC_OK;
}

mc_status mc_decode_int64(const char *s, int64_t *out)
{
	int64_t v;
	if (!parse_int_z(s, INT64_MIN, INT64_MAX, &v))
		return MC_DATA;
	*out = v;
	return MC_OK;
}

/* The "C" locale, created once; losing the race frees the extra copy. */
static _Atomic(locale_t) c_locale;

static locale_t get_c_locale(void)
{
	locale_t l = atomic_load(&c_locale);
	if (l)
		return l;
	locale_t fresh = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!fresh)
		return (locale_t)0;
	locale_t expected = (locale_t)0;
	if (!atomic_compare_exchange_strong(&c_locale, &expected, fresh)) {
		freelocale(fresh);
		return expected;
	}
	return fresh;
}

/* Checks the number syntax PostgreSQL prints ([-]d[.d][e[+-]d]) so that
 * strtod's extras (hex, "inf", leading space) are not accepted; returns
 * whether any mantissa digit is nonzero, or -1 for bad syntax. */
static int float_syntax(const char *s)
{
	int nonzero = 0, digits = 0;
	if (*s == '-' || *s == '+')
		s++;
	for (; is_digit(*s); s++, digits++)
		nonzero |= *s != '0';
	if (*s == '.')
		for (s++; is_digit(*s); s++, digits++)
			nonzero |= *s != '0';
	if (!digits)
		return -1;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!is_digit(*s))
			return -1;
		while (is_digit(*s))
			s++;
	}
	return *s ? -1 : nonzero;
}

/* Special spellings of float4out/float8out; 0 when s is a plain number. */
static int float_special(const char *s, double *out)
{
	if (!strcmp(s, "NaN"))
		*out = NAN;
	else if (!strcmp(s, "Infinity"))
		*out = INFINITY;
	else if (!strcmp(s, "-Infinity"))
		*out = -INFINITY;
	else
		return 0;
	return 1;
}

static mc_status decode_floating(const char *s, bool single, double *dout, float *fout)
{
	double special;
	if (float_special(s, &special)) {
		if (single)
			*fout = (float)special;
		else
			*dout = special;
		return MC_OK;
	}
	int nonzero = float_syntax(s);
	if (nonzero < 0)
		return MC_DATA;
	locale_t loc = get_c_locale(), old = (locale_t)0;
	if (loc)
		old = uselocale(loc);
	char *end;
	errno = 0;
	double d = 0;
	float f = 0;
	if (single)
		f = strtof(s, &end);
	else
		d = strtod(s, &end);
	int err = errno;
	if (loc)
		uselocale(old);
	if (*end)       /* without the C locale a ',' locale stops at the '.' */
		return MC_DATA;
	double v = single ? f : d;
	/* Like float8in: out of range is an error, a denormal is not. */
	if (err == ERANGE && (isinf(v) || (v == 0 && nonzero)))
		return MC_DATA;
	if (single)
		*fout = f;
	else
		*dout = d;
	return MC_OK;
}

mc_status mc_decode_float(const char *s, float *out)
{
	return decode_floating(s, true, NULL, out);
}

mc_status mc_decode_double(const char *s, double *out)
{
	return decode_floating(s, false, out, NULL);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digit values, 0x10 and above for anything else (NUL included). */
static const uint8_t hex_tab[256] = {
#define X16 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10
	X16, X16, X16,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
	0x10, 10, 11, 12, 13, 14, 15, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
	X16,
	0x10, 10, 11, 12, 13, 14, 15, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
	X16, X16, X16, X16, X16, X16, X16, X16, X16
#undef X16
};

mc_status mc_decode_uuid(const char *s, mc_uuid *out)
{
	/* uuid_out's only form: 8-4-4-4-12 hex digits. The text is read up
	 * to its first non-hex character only, so a short one never reads
	 * past its NUL. */
	static const uint8_t at[16] = { 0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34 };
	mc_uuid u;
	unsigned bad = 0;
	for (int i = 0; i < 16; i++) {
		const unsigned char *p = (const unsigned char *)s + at[i];
		unsigned hi = hex_tab[p[0]], lo = hi < 16 ? hex_tab[p[1]] : 0x10;
		if ((hi | lo) & 0x10)
			return MC_DATA;
		u.bytes[i] = (uint8_t)(hi << 4 | lo);
		if (i == 3 || i == 5 || i == 7 || i == 9)
			bad |= p[2] != '-';
		if (bad)
			return MC_DATA;
	}
	if (s[36])
		return MC_DATA;
	*out = u;
	return MC_OK;
}

size_t mc_encode_uuid(char *buf, const mc_uuid *v)
{
	static const char hex[] = "0123456789abcdef";
	char *p = buf;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[v->bytes[i] >> 4];
		*p++ = hex[v->bytes[i] & 15];
	}
	*p = '\0';
	return 36;
}

mc_status mc_decode_bytea(mc_result *r, const char *s, mc_bytes *out)
{
	static const uint8_t empty[1];
	size_t n = 0;
	if (s[0] == '\\' && s[1] == 'x') {
		/* bytea_output 'hex', the default */
		size_t len = strlen(s + 2);
		if (len % 2)
			return MC_DATA;
		n = len / 2;
		uint8_t *b = n ? mc_result_alloc(r, n) : NULL;
		if (n && !b)
			return MC_NOMEM;
		for (size_t i = 0; i < n; i++) {
			int hi = hex_value(s[2 + 2 * i]), lo = hex_value(s[3 + 2 * i]);
			if (hi < 0 || lo < 0)
				return MC_DATA;
			b[i] = (uint8_t)(hi << 4 | lo);
		}
		out->ptr = n ? b : empty;
		out->len = n;
		return MC_OK;
	}
	/* bytea_output 'escape': \\ is a backslash, \ooo an octal byte. First
	 * pass validates and counts, the second fills. */
	for (const char *p = s; *p; n++) {
		if (*p != '\\') {
			p++;
		} else if (p[1] == '\\') {
			p += 2;
		} else if (p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		           p[3] >= '0' && p[3] <= '7') {
			p += 4;
		} else {
			return MC_DATA;
		}
	}
	uint8_t *b = n ? mc_result_alloc(r, n) : NULL;
	if (n && !b)
		return MC_NOMEM;
	size_t i = 0;
	for (const char *p = s; *p; i++) {
		if (*p != '\\') {
			b[i] = (uint8_t)*p++;
		} else if (p[1] == '\\') {
			b[i] = '\\';
			p += 2;
		} else {
			b[i] = (uint8_t)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
			p += 4;
		}
	}
	out->ptr = n ? b : empty;
	out->len = n;
	return MC_OK;
}

/* ---- calendar -------------------------------------------------------- */

/* Astronomical years: 1 BC is year 0, 2 BC is -1. */
static bool is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int month_days(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return days[m - 1] + (m == 2 && is_leap(y));
}

/* PostgreSQL's date2j, for years from -4800 on (the decoders allow less). */
static int64_t date2j(int64_t y, int m, int d)
{
	if (m > 2) {
		m += 1;
		y += 4800;
	} else {
		m += 13;
		y += 4799;
	}
	int64_t century = y / 100;
	int64_t jd = y * 365 - 32167;
	jd += y / 4 - century + century / 4;
	jd += 7834 * m / 256 + d;
	return jd;
}

/* PostgreSQL's j2date, for any day: days before Julian day 0 are moved up
 * by whole 400-year cycles (146097 days) first, where its unsigned
 * arithmetic holds, and the years are taken back afterwards. */
static void j2date(int64_t jd, int64_t *year, int *month, int *day)
{
	int64_t cycles = 0;
	if (jd < 0) {
		cycles = -jd / 146097 + 1;
		jd += cycles * 146097;
	}
	uint64_t julian = (uint64_t)jd + 32044;
	uint64_t quad = julian / 146097;
	uint64_t extra = (julian - quad * 146097) * 4 + 3;
	julian += 60 + quad * 3 + extra / 146097;
	quad = julian / 1461;
	julian -= quad * 1461;
	uint64_t y = julian * 4 / 1461;
	julian = (y != 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
	y += quad * 4;
	*year = (int64_t)y - 4800 - cycles * 400;
	quad = julian * 2141 / 65536;
	*day = (int)(julian - 7834 * quad / 256);
	*month = (int)((quad + 10) % 12 + 1);
}

/* ---- date/time text -------------------------------------------------- */

/* Exactly n digits. */
static bool fixed_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* YYYY-MM-DD with 4 to maxdigits year digits; the year as printed. */
static bool parse_ymd(const char **p, int maxdigits, int64_t *y, int *m, int *d)
{
	const char *s = *p;
	int64_t year = 0;
	int n = 0;
	for (; is_digit(*s) && n < maxdigits; s++, n++)
		year = year * 10 + (*s - '0');
	if (n < 4 || *s++ != '-' || !fixed_digits(&s, 2, m) || *s++ != '-' || !fixed_digits(&s, 2, d))
		return false;
	*y = year;
	*p = s;
	return true;
}

/* " BC" ends the text for BC years; converts the printed year (which must
 * not be 0) to astronomical numbering and checks the day of the month. */
static bool finish_date(const char **p, int64_t *y, int m, int d)
{
	if (!strcmp(*p, " BC")) {
		*p += 3;
		*y = 1 - *y;
		if (*y > 0)
			return false;
	} else if (*y == 0) {
		return false;
	}
	if (*y < -4713)
		return false;       /* before Julian day 0; date2j needs y > -4800 */
	return m >= 1 && m <= 12 && d >= 1 && d <= month_days(*y, m);
}

/* HH:MM:SS[.ffffff], up to 24:00:00 like PostgreSQL's time input. */
static bool parse_hms(const char **p, int64_t *usec)
{
	const char *s = *p;
	int h, mi, sec, frac = 0;
	if (!fixed_digits(&s, 2, &h) || *s++ != ':' || !fixed_digits(&s, 2, &mi) || *s++ != ':' ||
	    !fixed_digits(&s, 2, &sec))
		return false;
	if (*s == '.') {
		s++;
		int n = 0;
		for (; is_digit(*s) && n < 6; s++, n++)
			frac = frac * 10 + (*s - '0');
		if (n == 0 || is_digit(*s))
			return false;
		for (; n < 6; n++)
			frac *= 10;
	}
	if (mi > 59 || sec > 59)
		return false;
	int64_t v = h * USEC_PER_HOUR + mi * USEC_PER_MIN + sec * USEC_PER_SEC + frac;
	if (v > USEC_PER_DAY)
		return false;
	*usec = v;
	*p = s;
	return true;
}

/* +HH[:MM[:SS]] (EncodeTimezone's forms); seconds east of UTC. */
static bool parse_offset(const char **p, int32_t *east)
{
	const char *s = *p;
	int sign, h, mi = 0, sec = 0;
	if (*s != '+' && *s != '-')
		return false;
	sign = *s++ == '-' ? -1 : 1;
	if (!fixed_digits(&s, 2, &h))
		return false;
	if (*s == ':') {
		s++;
		if (!fixed_digits(&s, 2, &mi))
			return false;
		if (*s == ':') {
			s++;
			if (!fixed_digits(&s, 2, &sec))
				return false;
		}
	}
	if (h > TZ_MAX_HOUR || mi > 59 || sec > 59)
		return false;
	*east = sign * (h * 3600 + mi * 60 + sec);
	*p = s;
	return true;
}

mc_status mc_decode_date(const char *s, mc_date *out)
{
	if (!strcmp(s, "infinity")) {
		out->days = INT32_MAX;
		return MC_OK;
	}
	if (!strcmp(s, "-infinity")) {
		out->days = INT32_MIN;
		return MC_OK;
	}
	int64_t y;
	int m, d;
	if (!parse_ymd(&s, 7, &y, &m, &d) || !finish_date(&s, &y, m, d) || *s)
		return MC_DATA;
	int64_t days = date2j(y, m, d) - PG_EPOCH_JD;
	if (days < DATE_MIN_DAYS || days >= DATE_END_DAYS)
		return MC_DATA;
	out->days = (int32_t)days;
	return MC_OK;
}

mc_status mc_decode_time(const char *s, mc_time *out)
{
	int64_t usec;
	if (!parse_hms(&s, &usec) || *s)
		return MC_DATA;
	out->usec = usec;
	return MC_OK;
}

mc_status mc_decode_timetz(const char *s, mc_timetz *out)
{
	int64_t usec;
	int32_t east;
	if (!parse_hms(&s, &usec) || !parse_offset(&s, &east) || *s)
		return MC_DATA;
	out->usec = usec;
	out->zone_sec = -east;
	return MC_OK;
}

static bool digits2(const char *p, int *v)
{
	if (!is_digit(p[0]) || !is_digit(p[1]))
		return false;
	*v = (p[0] - '0') * 10 + (p[1] - '0');
	return true;
}

/* The form the server prints for years 1 to 9999 AD in a UTC session,
 * "YYYY-MM-DD HH:MM:SS[.ffffff][+00]", read in one pass; false sends
 * anything else (or out of range) to the general parser. */
static bool ts_fast(const char *s, bool with_zone, int64_t *out)
{
	int c1, c2, m, d, h, mi, sec;
	if (!digits2(s, &c1) || !digits2(s + 2, &c2) || s[4] != '-' || !digits2(s + 5, &m) || s[7] != '-' ||
	    !digits2(s + 8, &d) || s[10] != ' ' || !digits2(s + 11, &h) || s[13] != ':' || !digits2(s + 14, &mi) ||
	    s[16] != ':' || !digits2(s + 17, &sec))
		return false;
	int64_t y = c1 * 100 + c2;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m) || h > 23 || mi > 59 || sec > 59)
		return false;
	const char *p = s + 19;
	int64_t frac = 0;
	if (*p == '.') {
		int n = 0;
		for (p++; n < 6 && is_digit(*p); p++, n++)
			frac = frac * 10 + (*p - '0');
		if (n == 0)
			return false;
		static const int64_t scale[7] = { 1, 100000, 10000, 1000, 100, 10, 1 };
		frac *= scale[n];
	}
	if (with_zone) {
		if (p[0] != '+' || p[1] != '0' || p[2] != '0')
			return false;
		p += 3;
	}
	if (*p)
		return false;
	*out = (date2j(y, m, d) - PG_EPOCH_JD) * USEC_PER_DAY + h * USEC_PER_HOUR + mi * USEC_PER_MIN +
	       sec * USEC_PER_SEC + frac;
	return true;
}

/* Both timestamp types; with_zone reads the offset and returns UTC. */
static mc_status decode_ts(const char *s, bool with_zone, int64_t *out)
{
	if (ts_fast(s, with_zone, out))
		return MC_OK;
	if (!strcmp(s, "infinity")) {
		*out = INT64_MAX;
		return MC_OK;
	}
	if (!strcmp(s, "-infinity")) {
		*out = INT64_MIN;
		return MC_OK;
	}
	int64_t y, tod;
	int m, d;
	int32_t east = 0;
	if (!parse_ymd(&s, 6, &y, &m, &d) || *s++ != ' ' || !parse_hms(&s, &tod) ||
	    (with_zone && !parse_offset(&s, &east)) || !finish_date(&s, &y, m, d) || *s)
		return MC_DATA;
	int64_t days = date2j(y, m, d) - PG_EPOCH_JD;
	/* Bounded by a day either side before multiplying, so no overflow:
	 * TS_END + 2 days is still below INT64_MAX. */
	if (days < DATE_MIN_DAYS - 1 || days > TS_END / USEC_PER_DAY + 1)
		return MC_DATA;
	int64_t usec = days * USEC_PER_DAY + tod - east * USEC_PER_SEC;
	if (usec < TS_MIN || usec >= TS_END)
		return MC_DATA;
	*out = usec;
	return MC_OK;
}

mc_status mc_decode_timestamp(const char *s, mc_timestamp *out)
{
	return decode_ts(s, false, &out->usec);
}

mc_status mc_decode_timestamptz(const char *s, mc_timestamptz *out)
{
	return decode_ts(s, true, &out->usec);
}

/* One ISO 8601 interval field: [-]digits. */
static bool interval_number(const char **p, int64_t *v)
{
	const char *s = *p, *start = s;
	if (*s == '-')
		s++;
	if (!is_digit(*s))
		return false;
	while (is_digit(*s))
		s++;
	if (!parse_int(start, s, INT64_MIN, INT64_MAX, v))
		return false;
	*p = s;
	return true;
}

mc_status mc_decode_interval(const char *s, mc_interval *out)
{
	/* P[nY][nM][nD][T[nH][nM][n[.f]S]] in this order, as EncodeInterval
	 * prints it; a seconds field's sign covers its fraction ("-0.5S"). */
	if (*s++ != 'P')
		return MC_DATA;
	static const char units[] = "YMDHMS";
	int64_t months = 0, days = 0, usec = 0;
	int next = 0, fields = 0;
	bool time_part = false;
	while (*s) {
		if (*s == 'T') {
			if (time_part)
				return MC_DATA;
			time_part = true;
			if (next > 3)
				return MC_DATA;
			next = 3;
			s++;
			if (!*s)
				return MC_DATA;     /* "T" needs a field after it */
			continue;
		}
		bool neg = *s == '-';
		int64_t v;
		if (!interval_number(&s, &v))
			return MC_DATA;
		int64_t frac = 0;
		if (*s == '.') {
			s++;
			int n = 0;
			for (; is_digit(*s) && n < 6; s++, n++)
				frac = frac * 10 + (*s - '0');
			if (n == 0 || is_digit(*s) || *s != 'S')
				return MC_DATA;
			for (; n < 6; n++)
				frac *= 10;
			if (neg)
				frac = -frac;
		}
		/* the unit must come later than the previous one, and on the
		 * right side of the T */
		int u = next;
		while (u < 6 && units[u] != *s)
			u++;
		if (u == 6 || (u >= 3) != time_part)
			return MC_DATA;
		s++;
		next = u + 1;
		fields++;
		bool ok = true;
		switch (u) {
		case 0: ok = v >= INT32_MIN / 12 - 1 && v <= INT32_MAX / 12 + 1 && add_i64(&months, v * 12); break;
		case 1: ok = v >= INT32_MIN && v <= INT32_MAX && add_i64(&months, v); break;
		case 2: ok = v >= INT32_MIN && v <= INT32_MAX && add_i64(&days, v); break;
		case 3: ok = add_mul_i64(&usec, v, USEC_PER_HOUR); break;
		case 4: ok = add_mul_i64(&usec, v, USEC_PER_MIN); break;
		case 5: ok = add_mul_i64(&usec, v, USEC_PER_SEC) && add_i64(&usec, frac); break;
		}
		if (!ok)
			return MC_DATA;
	}
	if (!fields || months < INT32_MIN || months > INT32_MAX)
		return MC_DATA;
	out->usec = usec;
	out->days = (int32_t)days;
	out->months = (int32_t)months;
	return MC_OK;
}

/* ---- encoders -------------------------------------------------------- */

/* Encoders format into a local buffer and copy out snprintf-style: the
 * full length is returned even when cap cut the text short. */
static size_t copy_out(char *buf, size_t cap, const char *text, size_t len)
{
	if (cap) {
		size_t n = len < cap - 1 ? len : cap - 1;
		memcpy(buf, text, n);
		buf[n] = '\0';
	}
	return len;
}

/* v in decimal, at least min digits (zero-padded); NUL-terminated; the
 * length. (No sprintf: the encoders run once per parameter.) */
static int put_uint(char *p, uint64_t v, int min)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < min)
		t[n++] = '0';
	for (int i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	p[n] = '\0';
	return n;
}

static int put_2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	p[2] = '\0';
	return 2;
}

/* Appends ".ffffff" without trailing zeros; nothing for 0. */
static int put_fraction(char *p, int64_t usec)
{
	if (usec == 0)
		return 0;
	p[0] = '.';
	int n = 1 + put_uint(p + 1, (uint64_t)usec, 6);
	while (p[n - 1] == '0')
		n--;
	p[n] = '\0';
	return n;
}

/* YYYY-MM-DD[ BC] goes last in PostgreSQL's output, after the time; the
 * date is written here and the era returned for the caller to append. */
static int put_date(char *p, int64_t days, bool *bc)
{
	int64_t y;
	int m, d;
	j2date(days + PG_EPOCH_JD, &y, &m, &d);
	*bc = y <= 0;
	int n = put_uint(p, (uint64_t)(y > 0 ? y : 1 - y), 4);
	p[n++] = '-';
	n += put_2(p + n, (unsigned)m);
	p[n++] = '-';
	return n + put_2(p + n, (unsigned)d);
}

/* HH:MM:SS[.f] of a time of day; outside 0..24h (never valid for
 * PostgreSQL) the sign and hours show whatever the value is. */
static int put_hms(char *p, int64_t usec)
{
	uint64_t mag = usec < 0 ? 0 - (uint64_t)usec : (uint64_t)usec;
	uint64_t h = mag / (uint64_t)USEC_PER_HOUR, rest = mag % (uint64_t)USEC_PER_HOUR;
	int n = 0;
	if (usec < 0)
		p[n++] = '-';
	n += put_uint(p + n, h, 2);
	p[n++] = ':';
	n += put_2(p + n, (unsigned)(rest / USEC_PER_MIN));
	p[n++] = ':';
	n += put_2(p + n, (unsigned)(rest % USEC_PER_MIN / USEC_PER_SEC));
	return n + put_fraction(p + n, (int64_t)(rest % USEC_PER_SEC));
}

/* EncodeTimezone: seconds west of UTC shown as +HH[:MM[:SS]] east. */
static int put_offset(char *p, int32_t west)
{
	uint32_t mag = west < 0 ? 0 - (uint32_t)west : (uint32_t)west;
	unsigned h = mag / 3600, mi = mag / 60 % 60, sec = mag % 60;
	int n = 0;
	p[n++] = west <= 0 ? '+' : '-';
	n += put_uint(p + n, h, 2);
	if (mi || sec) {
		p[n++] = ':';
		n += put_2(p + n, mi);
	}
	if (sec) {
		p[n++] = ':';
		n += put_2(p + n, sec);
	}
	return n;
}

size_t mc_encode_date(char *buf, size_t cap, mc_date v)
{
	char t[64];
	int n;
	if (v.days == INT32_MAX) {
		n = sprintf(t, "infinity");
	} else if (v.days == INT32_MIN) {
		n = sprintf(t, "-infinity");
	} else {
		bool bc;
		n = put_date(t, v.days, &bc);
		if (bc)
			n += sprintf(t + n, " BC");
	}
	return copy_out(buf, cap, t, (size_t)n);
}

size_t mc_encode_time(char *buf, size_t cap, mc_time v)
{
	char t[64];
	int n = put_hms(t, v.usec);
	return copy_out(buf, cap, t, (size_t)n);
}

size_t mc_encode_timetz(char *buf, size_t cap, mc_timetz v)
{
	char t[64];
	int n = put_hms(t, v.usec);
	n += put_offset(t + n, v.zone_sec);
	return copy_out(buf, cap, t, (size_t)n);
}

static size_t encode_ts(char *buf, size_t cap, int64_t usec, bool with_zone)
{
	char t[64];
	int n;
	if (usec == INT64_MAX) {
		n = sprintf(t, "infinity");
	} else if (usec == INT64_MIN) {
		n = sprintf(t, "-infinity");
	} else {
		/* floor division: the time of day is never negative */
		int64_t days = usec / USEC_PER_DAY, tod = usec % USEC_PER_DAY;
		if (tod < 0) {
			days--;
			tod += USEC_PER_DAY;
		}
		bool bc;
		n = put_date(t, days, &bc);
		t[n++] = ' ';
		n += put_hms(t + n, tod);
		if (with_zone) {
			memcpy(t + n, "+00", 4);
			n += 3;
		}
		if (bc) {
			memcpy(t + n, " BC", 4);
			n += 3;
		}
	}
	return copy_out(buf, cap, t, (size_t)n);
}

size_t mc_encode_timestamp(char *buf, size_t cap, mc_timestamp v)
{
	return encode_ts(buf, cap, v.usec, false);
}

size_t mc_encode_timestamptz(char *buf, size_t cap, mc_timestamptz v)
{
	return encode_ts(buf, cap, v.usec, true);
}

size_t mc_encode_interval(char *buf, size_t cap, mc_interval v)
{
	/* EncodeInterval's ISO 8601 branch: every part truncated toward zero,
	 * so each has the sign of its field. PostgreSQL reads this form under
	 * every IntervalStyle, and hours/minutes/seconds stay separate because
	 * it parses each field as a double. */
	char t[64];
	int n = 0;
	int32_t years = v.months / 12, mons = v.months % 12;
	int64_t hours = v.usec / USEC_PER_HOUR, rest = v.usec % USEC_PER_HOUR;
	int64_t mins = rest / USEC_PER_MIN, secs = rest % USEC_PER_MIN / USEC_PER_SEC;
	int64_t frac = rest % USEC_PER_SEC;
	if (!v.months && !v.days && !v.usec)
		return copy_out(buf, cap, "PT0S", 4);
	t[n++] = 'P';
	if (years)
		n += sprintf(t + n, "%dY", (int)years);
	if (mons)
		n += sprintf(t + n, "%dM", (int)mons);
	if (v.days)
		n += sprintf(t + n, "%dD", (int)v.days);
	if (v.usec)
		t[n++] = 'T';
	if (hours)
		n += sprintf(t + n, "%lldH", (long long)hours);
	if (mins)
		n += sprintf(t + n, "%lldM", (long long)mins);
	if (secs || frac) {
		n += sprintf(t + n, "%s%lld", secs < 0 || frac < 0 ? "-" : "",
		             (long long)(secs < 0 ? -secs : secs));
		n += put_fraction(t + n, frac < 0 ? -frac : frac);
		t[n++] = 'S';
	}
	t[n] = '\0';
	return copy_out(buf, cap, t, (size_t)n);
}

/* ---- arrays ---------------------------------------------------------- */

static bool array_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* One element at *p (after leading space). Writes its de-quoted,
 * de-escaped text to out (when not NULL) and its length to *len; *null is
 * set for an unquoted, unescaped NULL (any case, as array_in reads it).
 * Stops before the ',' or '}' that follows. */
static bool array_elem(const char **p, char *out, size_t *len, bool *null)
{
	const char *s = *p;
	size_t n = 0;
	bool quoted_any = false;
	if (*s == '"') {
		quoted_any = true;
		for (s++; *s != '"'; s++) {
			if (!*s)
				return false;
			if (*s == '\\' && !*++s)
				return false;
			if (out)
				out[n] = *s;
			n++;
		}
		s++;
		while (array_space(*s))
			s++;
	} else {
		/* unquoted: interior space is kept, trailing space is not, an
		 * escaped character is kept even when it is a space */
		size_t keep = 0;
		for (; *s && *s != ',' && *s != '}'; s++) {
			if (*s == '"' || *s == '{')
				return false;
			if (*s == '\\') {
				if (!*++s)
					return false;
				quoted_any = true;
				if (out)
					out[n] = *s;
				keep = ++n;
				continue;
			}
			if (out)
				out[n] = *s;
			n++;
			if (!array_space(*s))
				keep = n;
		}
		n = keep;
		if (n == 0 && !quoted_any)
			return false;   /* "{a,,b}" */
	}
	if (*s != ',' && *s != '}')
		return false;
	*null = !quoted_any && n == 4 && (*p)[0] != '"' &&
	        (((*p)[0] | 0x20) == 'n' && ((*p)[1] | 0x20) == 'u' && ((*p)[2] | 0x20) == 'l' &&
	         ((*p)[3] | 0x20) == 'l');
	*len = n;
	*p = s;
	return true;
}

/* "[lb:ub]=" before the braces, when the lower bound is not 1. */
static bool array_dims(const char **p, int64_t *count)
{
	const char *s = *p;
	*count = -1;
	if (*s != '[')
		return true;
	const char *a = ++s;
	while (*s == '-' || is_digit(*s))
		s++;
	int64_t lb, ub;
	if (*s != ':' || !parse_int(a, s, INT32_MIN, INT32_MAX, &lb))
		return false;
	const char *b = ++s;
	while (*s == '-' || is_digit(*s))
		s++;
	if (*s != ']' || !parse_int(b, s, INT32_MIN, INT32_MAX, &ub) || ub < lb)
		return false;
	s++;
	while (array_space(*s))
		s++;
	if (*s++ != '=')
		return false;
	while (array_space(*s))
		s++;
	*count = ub - lb + 1;
	*p = s;
	return true;
}

/* Walks the elements; with out set, copies each NUL-terminated into out
 * and decodes it. */
static mc_status array_walk(mc_result *r, const char *s, size_t elem_size, mc_elem_decoder elem,
                            char *out, char *items, bool *nulls, size_t *count)
{
	size_t n = 0, used = 0;
	s++;                                    /* '{' */
	while (array_space(*s))
		s++;
	if (*s == '}') {
		s++;
	} else {
		for (;;) {
			while (array_space(*s))
				s++;
			size_t len;
			bool null;
			if (!array_elem(&s, out ? out + used : NULL, &len, &null))
				return MC_DATA;
			if (out) {
				char *text = out + used;
				text[len] = '\0';
				used += len + 1;
				if (null) {
					if (!nulls)
						return MC_DATA;     /* nowhere to say so */
					nulls[n] = true;
				} else {
					mc_status st = elem(r, text, len, items + n * elem_size);
					if (st != MC_OK)
						return st;
				}
			}
			n++;
			if (*s++ == '}')
				break;
		}
	}
	while (array_space(*s))
		s++;
	if (*s)
		return MC_DATA;
	*count = n;
	return MC_OK;
}

/* Elements reach elem NUL-terminated at s[len], in memory of r, so a text
 * decoder may keep the pointer and a scalar one may call mc_decode_*. */
mc_status mc_decode_array(mc_result *r, const char *s, size_t elem_size, mc_elem_decoder elem,
                          void **items, bool **nulls, size_t *n)
{
	int64_t dims;
	size_t count;
	while (array_space(*s))
		s++;
	if (!array_dims(&s, &dims) || *s != '{')
		return MC_DATA;
	mc_status st = array_walk(r, s, elem_size, elem, NULL, NULL, NULL, &count);
	if (st != MC_OK)
		return st;
	if ((dims >= 0 && (uint64_t)dims != count) || (count && elem_size > SIZE_MAX / count))
		return MC_DATA;
	if (count == 0) {
		*items = NULL;
		if (nulls)
			*nulls = NULL;
		*n = 0;
		return MC_OK;
	}
	/* the elements' text is never longer than the array's */
	char *text = mc_result_alloc(r, strlen(s) + 1);
	char *it = mc_result_alloc(r, count * elem_size);
	bool *nl = nulls ? mc_result_alloc(r, count * sizeof(bool)) : NULL;
	if (!text || !it || (nulls && !nl))
		return MC_NOMEM;
	st = array_walk(r, s, elem_size, elem, text, it, nl, &count);
	if (st != MC_OK)
		return st;
	*items = it;
	if (nulls)
		*nulls = nl;
	*n = count;
	return MC_OK;
}
