/* status.c - names of the status kinds. */
#include "modelc/modelc.h"

const char *mc_status_name(mc_status s)
{
	switch (s) {
	case MC_OK: return "ok";
	case MC_NOT_FOUND: return "not found";
	case MC_UNIQUE_VIOLATION: return "unique violation";
	case MC_FOREIGN_KEY_VIOLATION: return "foreign key violation";
	case MC_CHECK_VIOLATION: return "check violation";
	case MC_NOT_NULL_VIOLATION: return "not-null violation";
	case MC_SERIALIZATION_FAILURE: return "serialization failure";
	case MC_STALE_VERSION: return "stale version";
	case MC_CONNECTION_LOST: return "connection lost";
	case MC_POOL_TIMEOUT: return "pool timeout";
	case MC_INVALID: return "invalid call";
	case MC_DATA: return "bad data";
	case MC_NOMEM: return "out of memory";
	case MC_ERROR: return "error";
	}
	return "unknown status";
}
