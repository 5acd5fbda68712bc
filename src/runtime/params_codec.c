/* params_codec.c - parameters that go through the text codecs (codec.c).
 * Kept apart from params.c so that a program using only the plain setters
 * does not pull the codecs in. */
#include "internal.h"

void mc_param_uuid(mc_params *p, const mc_uuid *v)
{
	char buf[64];
	size_t n = mc_encode_uuid(buf, v);
	mc_param_text(p, buf, n);
}

/* The encoders fit in 64 bytes (gen.h); a longer answer would be a codec
 * bug, which must not become an overread here. */
#define ENCODE_PARAM(fn, type, encoder)                         \
	void fn(mc_params *p, type v)                           \
	{                                                       \
		char buf[64];                                   \
		size_t n = encoder(buf, sizeof(buf), v);        \
		if (n >= sizeof(buf)) {                         \
			p->failed = true;                       \
			return;                                 \
		}                                               \
		mc_param_text(p, buf, n);                       \
	}

ENCODE_PARAM(mc_param_date, mc_date, mc_encode_date)
ENCODE_PARAM(mc_param_time, mc_time, mc_encode_time)
ENCODE_PARAM(mc_param_timetz, mc_timetz, mc_encode_timetz)
ENCODE_PARAM(mc_param_timestamp, mc_timestamp, mc_encode_timestamp)
ENCODE_PARAM(mc_param_timestamptz, mc_timestamptz, mc_encode_timestamptz)
ENCODE_PARAM(mc_param_interval, mc_interval, mc_encode_interval)
