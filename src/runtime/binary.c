/* binary.c - result columns in PostgreSQL's binary format, and their text.
 *
 * Generated decoders call mc_get_*, which read a column in whichever
 * format its result has: binary for statements whose every column has an
 * exact binary form (mc_stmt.binary), text for everything else. Binary
 * forms are big-endian; dates are int32 days and timestamps int64
 * microseconds from 2000-01-01, which is modelc's own representation, and
 * PostgreSQL's infinities (INT32/INT64 min and max) are what the text
 * decoders give for "infinity" too. */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* PostgreSQL type OIDs (catalog/pg_type.h) of the binary forms read here. */
enum {
	OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_FLOAT4 = 700, OID_FLOAT8 = 701,
	OID_DATE = 1082, OID_TIME = 1083, OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184, OID_UUID = 2950
};

static uint64_t be_read(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* A binary integer column of 2, 4 or 8 bytes, sign-extended. */
static bool bin_int(const PGresult *r, int row, int col, int64_t *out)
{
	int n = PQgetlength(r, row, col);
	const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
	if (n == 2)
		*out = (int16_t)(uint16_t)be_read(p, 2);
	else if (n == 4)
		*out = (int32_t)(uint32_t)be_read(p, 4);
	else if (n == 8)
		*out = (int64_t)be_read(p, 8);
	else
		return false;
	return true;
}

mc_status mc_get_bool(const void *pg, int row, int col, bool *out)
{
	const PGresult *r = pg;
	if (PQfformat(r, col) == 0)
		return mc_decode_bool(PQgetvalue(r, row, col), out);
	if (PQgetlength(r, row, col) != 1)
		return MC_DATA;
	*out = PQgetvalue(r, row, col)[0] != 0;
	return MC_OK;
}

mc_status mc_get_int16(const void *pg, int row, int col, int16_t *out)
{
	const PGresult *r = pg;
	int64_t v;
	if (PQfformat(r, col) == 0)
		return mc_decode_int16(PQgetvalue(r, row, col), out);
	if (!bin_int(r, row, col, &v) || v < INT16_MIN || v > INT16_MAX)
		return MC_DATA;
	*out = (int16_t)v;
	return MC_OK;
}

mc_status mc_get_int32(const void *pg, int row, int col, int32_t *out)
{
	const PGresult *r = pg;
	int64_t v;
	if (PQfformat(r, col) == 0)
		return mc_decode_int32(PQgetvalue(r, row, col), out);
	if (!bin_int(r, row, col, &v) || v < INT32_MIN || v > INT32_MAX)
		return MC_DATA;
	*out = (int32_t)v;
	return MC_OK;
}

mc_status mc_get_int64(const void *pg, int row, int col, int64_t *out)
{
	const PGresult *r = pg;
	if (PQfformat(r, col) == 0)
		return mc_decode_int64(PQgetvalue(r, row, col), out);
	return bin_int(r, row, col, out) ? MC_OK : MC_DATA;
}

/* float4 or float8 in binary, as a double (float4 widens exactly). */
static bool bin_floating(const PGresult *r, int row, int col, double *out)
{
	int n = PQgetlength(r, row, col);
	const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
	if (n == 4) {
		uint32_t u = (uint32_t)be_read(p, 4);
		float f;
		memcpy(&f, &u, sizeof f);
		*out = f;
	} else if (n == 8) {
		uint64_t u = be_read(p, 8);
		memcpy(out, &u, sizeof *out);
	} else {
		return false;
	}
	return true;
}

mc_status mc_get_float(const void *pg, int row, int col, float *out)
{
	const PGresult *r = pg;
	double d;
	if (PQfformat(r, col) == 0)
		return mc_decode_float(PQgetvalue(r, row, col), out);
	if (PQgetlength(r, row, col) != 4 || !bin_floating(r, row, col, &d))
		return MC_DATA;
	*out = (float)d;
	return MC_OK;
}

mc_status mc_get_double(const void *pg, int row, int col, double *out)
{
	const PGresult *r = pg;
	if (PQfformat(r, col) == 0)
		return mc_decode_double(PQgetvalue(r, row, col), out);
	return bin_floating(r, row, col, out) ? MC_OK : MC_DATA;
}

mc_status mc_get_uuid(const void *pg, int row, int col, mc_uuid *out)
{
	const PGresult *r = pg;
	if (PQfformat(r, col) == 0)
		return mc_decode_uuid(PQgetvalue(r, row, col), out);
	if (PQgetlength(r, row, col) != 16)
		return MC_DATA;
	memcpy(out->bytes, PQgetvalue(r, row, col), 16);
	return MC_OK;
}

mc_status mc_get_date(const void *pg, int row, int col, mc_date *out)
{
	const PGresult *r = pg;
	if (PQfformat(r, col) == 0)
		return mc_decode_date(PQgetvalue(r, row, col), out);
	if (PQgetlength(r, row, col) != 4)
		return MC_DATA;
	out->days = (int32_t)(uint32_t)be_read((const unsigned char *)PQgetvalue(r, row, col), 4);
	return MC_OK;
}

static bool bin_i64(const PGresult *r, int row, int col, int64_t *out)
{
	if (PQgetlength(r, row, col) != 8)
		return false;
	*out = (int64_t)be_read((const unsigned char *)PQgetvalue(r, row, col), 8);
	return true;
}

mc_status mc_get_time(const void *pg, int row, int col, mc_time *out)
{
	const PGresult *r = pg;
	if (PQfformat(r, col) == 0)
		return mc_decode_time(PQgetvalue(r, row, col), out);
	return bin_i64(r, row, col, &out->usec) ? MC_OK : MC_DATA;
}

mc_status mc_get_timestamp(const void *pg, int row, int col, mc_timestamp *out)
{
	const PGresult *r = pg;
	if (PQfformat(r, col) == 0)
		return mc_decode_timestamp(PQgetvalue(r, row, col), out);
	return bin_i64(r, row, col, &out->usec) ? MC_OK : MC_DATA;
}

mc_status mc_get_timestamptz(const void *pg, int row, int col, mc_timestamptz *out)
{
	const PGresult *r = pg;
	if (PQfformat(r, col) == 0)
		return mc_decode_timestamptz(PQgetvalue(r, row, col), out);
	return bin_i64(r, row, col, &out->usec) ? MC_OK : MC_DATA;
}

const char *mc__key_text(const PGresult *r, int row, int col, char buf[MC__KEY_TEXT])
{
	if (PQfformat(r, col) == 0)
		return PQgetvalue(r, row, col);
	int64_t v;
	switch (PQftype(r, col)) {
	case OID_BOOL:
		return PQgetlength(r, row, col) == 1 && PQgetvalue(r, row, col)[0] ? "t" : "f";
	case OID_INT2: case OID_INT4: case OID_INT8:
		if (!bin_int(r, row, col, &v))
			return "";
		snprintf(buf, MC__KEY_TEXT, "%" PRId64, v);
		return buf;
	case OID_UUID: {
		mc_uuid u;
		if (mc_get_uuid(r, row, col, &u) != MC_OK)
			return "";
		mc_encode_uuid(buf, &u);
		return buf;
	}
	case OID_DATE: {
		mc_date d;
		if (mc_get_date(r, row, col, &d) != MC_OK)
			return "";
		mc_encode_date(buf, MC__KEY_TEXT, d);
		return buf;
	}
	case OID_TIME: {
		mc_time t;
		if (mc_get_time(r, row, col, &t) != MC_OK)
			return "";
		mc_encode_time(buf, MC__KEY_TEXT, t);
		return buf;
	}
	case OID_TIMESTAMP: {
		mc_timestamp t;
		if (mc_get_timestamp(r, row, col, &t) != MC_OK)
			return "";
		mc_encode_timestamp(buf, MC__KEY_TEXT, t);
		return buf;
	}
	case OID_TIMESTAMPTZ: {
		mc_timestamptz t;
		if (mc_get_timestamptz(r, row, col, &t) != MC_OK)
			return "";
		mc_encode_timestamptz(buf, MC__KEY_TEXT, t);
		return buf;
	}
	default:
		/* text, varchar, bpchar, enums: the binary form is the text */
		return PQgetvalue(r, row, col);
	}
}
