/* elems.c - element decoders for mc_decode_array: one per scalar kind.
 *
 * mc_decode_array hands each element unquoted, unescaped and NUL-terminated
 * at s[len], in memory of r, so the scalar decoders apply as they are and
 * text may keep pointing at s. */
#include <string.h>

#include "internal.h"

/* The scalar decoders read up to the NUL: a NUL before s[len] would mean
 * the element was cut short somewhere, never a valid value. */
static bool whole(const char *s, size_t len)
{
	return memchr(s, '\0', len) == NULL;
}

#define ELEM(fn, type, decoder)                                          \
	mc_status fn(mc_result *r, const char *s, size_t len, void *out) \
	{                                                                \
		(void)r;                                                 \
		if (!whole(s, len))                                      \
			return MC_DATA;                                  \
		return decoder(s, (type *)out);                          \
	}

ELEM(mc_elem_bool, bool, mc_decode_bool)
ELEM(mc_elem_int16, int16_t, mc_decode_int16)
ELEM(mc_elem_int32, int32_t, mc_decode_int32)
ELEM(mc_elem_int64, int64_t, mc_decode_int64)
ELEM(mc_elem_float, float, mc_decode_float)
ELEM(mc_elem_double, double, mc_decode_double)
ELEM(mc_elem_uuid, mc_uuid, mc_decode_uuid)
ELEM(mc_elem_date, mc_date, mc_decode_date)
ELEM(mc_elem_time, mc_time, mc_decode_time)
ELEM(mc_elem_timetz, mc_timetz, mc_decode_timetz)
ELEM(mc_elem_timestamp, mc_timestamp, mc_decode_timestamp)
ELEM(mc_elem_timestamptz, mc_timestamptz, mc_decode_timestamptz)
ELEM(mc_elem_interval, mc_interval, mc_decode_interval)

mc_status mc_elem_str(mc_result *r, const char *s, size_t len, void *out)
{
	mc_str *o = out;

	(void)r;
	o->ptr = s;
	o->len = len;
	return MC_OK;
}

mc_status mc_elem_bytes(mc_result *r, const char *s, size_t len, void *out)
{
	if (!whole(s, len))
		return MC_DATA;
	return mc_decode_bytea(r, s, out);
}
