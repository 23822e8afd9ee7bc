/* store/pg: the PostgreSQL backend (issue 16), reached through libpq. */
#include "store/backend.h"

int wy_pg_open(const char *url, wy_store **out, wy_errinfo *ei)
{
	(void)url;
	*out = NULL;
	return wy_err_set(ei, WY_ENOTSUP, "store: this wenyuan has no PostgreSQL backend yet");
}
