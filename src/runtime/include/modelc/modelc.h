/* modelc.h - the libmodelc runtime: value types shared by generated code.
 *
 * Generated headers include this file and check MODELC_ABI_VERSION, so code
 * generated for one runtime cannot be compiled against another. */
#ifndef MODELC_MODELC_H
#define MODELC_MODELC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODELC_ABI_VERSION 1

#ifdef __cplusplus
extern "C" {
#endif

/* Text, not NUL-terminated: ptr points into the result that holds the row. */
typedef struct mc_str { const char *ptr; size_t len; } mc_str;
typedef struct mc_bytes { const uint8_t *ptr; size_t len; } mc_bytes;
typedef struct mc_uuid { uint8_t bytes[16]; } mc_uuid;

/* numeric stays exact: its decimal text form, e.g. "1234.50". */
typedef mc_str mc_numeric;
typedef mc_str mc_json;     /* json and jsonb, as text */
typedef mc_str mc_inet;     /* inet, as text */

/* Dates and times use PostgreSQL's own epoch (2000-01-01) and units. */
typedef struct mc_date { int32_t days; } mc_date;                    /* days since 2000-01-01 */
typedef struct mc_time { int64_t usec; } mc_time;                    /* microseconds since midnight */
typedef struct mc_timetz { int64_t usec; int32_t zone_sec; } mc_timetz; /* zone: seconds west of UTC */
typedef struct mc_timestamp { int64_t usec; } mc_timestamp;          /* since 2000-01-01 00:00:00 */
typedef struct mc_timestamptz { int64_t usec; } mc_timestamptz;      /* since 2000-01-01 00:00:00 UTC */
typedef struct mc_interval { int64_t usec; int32_t days; int32_t months; } mc_interval;

/* One-dimensional arrays. */
#define MC_ARRAY_TYPE(name, T) typedef struct name { T *items; size_t n; } name
MC_ARRAY_TYPE(mc_int16_array, int16_t);
MC_ARRAY_TYPE(mc_int32_array, int32_t);
MC_ARRAY_TYPE(mc_int64_array, int64_t);
MC_ARRAY_TYPE(mc_bool_array, bool);
MC_ARRAY_TYPE(mc_float_array, float);
MC_ARRAY_TYPE(mc_double_array, double);
MC_ARRAY_TYPE(mc_str_array, mc_str);
MC_ARRAY_TYPE(mc_bytes_array, mc_bytes);
MC_ARRAY_TYPE(mc_uuid_array, mc_uuid);
MC_ARRAY_TYPE(mc_date_array, mc_date);
MC_ARRAY_TYPE(mc_time_array, mc_time);
MC_ARRAY_TYPE(mc_timetz_array, mc_timetz);
MC_ARRAY_TYPE(mc_timestamp_array, mc_timestamp);
MC_ARRAY_TYPE(mc_timestamptz_array, mc_timestamptz);
MC_ARRAY_TYPE(mc_interval_array, mc_interval);

/* Whether a relationship member of a row was loaded by the call that
 * produced it. Reading one that was not is a program error, never an
 * implicit query. */
typedef enum mc_load { MC_NOT_LOADED = 0, MC_LOADED = 1 } mc_load;

/* Index of s[0..len) in labels[0..n), or -1: what generated
 * <enum>_from_string functions call. */
static inline int mc_enum_index(const char *const *labels, unsigned n, const char *s, size_t len)
{
    for (unsigned i = 0; i < n; i++) {
        const char *l = labels[i];
        size_t k = 0;
        while (k < len && l[k] && l[k] == s[k])
            k++;
        if (k == len && l[k] == '\0')
            return (int)i;
    }
    return -1;
}

#ifdef __cplusplus
}
#endif

#endif
