/* store/store: the public functions of store.h, each calling the backend
 * of the store it is given (store/backend.h), and the choice of backend. */
#include "store/backend.h"
#include "core/util.h"

#include <stdatomic.h>
#include <string.h>
#include <strings.h>

bool wy_store_location_is_pg(const char *location)
{
	return location && (strncasecmp(location, "postgresql://", 13) == 0 ||
			    strncasecmp(location, "postgres://", 11) == 0);
}

int wy_store_open(const char *location, wy_store **out, wy_errinfo *ei)
{
	*out = NULL;
	if (!location || !*location)
		return wy_err_set(ei, WY_EINVAL, "store: no location (a data directory or a postgresql:// URI)");
	return wy_store_location_is_pg(location) ? wy_pg_open(location, out, ei) : wy_sqlite_open(location, out, ei);
}

/* The backends' failures in this process: each counted where it becomes
 * an error. */
static _Atomic uint64_t failures;

void wy_store_failure_count(void) { atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed); }

uint64_t wy_store_errors(void) { return atomic_load_explicit(&failures, memory_order_relaxed); }

#define WY_STORE_DISPATCH(ret, pub, name, params, args) \
	ret pub params { return st->ops->name args; }
#define WY_STORE_DISPATCH_VOID(ret, pub, name, params, args) \
	ret pub params { if (st) st->ops->name args; }
WY_STORE_OPS(WY_STORE_DISPATCH, WY_STORE_DISPATCH_VOID)
