/* store/pg_todo: the store functions the PostgreSQL backend does not
 * implement yet answer WY_ENOTSUP (and say so in the log), so that the
 * table of store/backend.h is whole while they are ported. The list is
 * made at build time by tools/pg_todo.sh: every entry without a pg_NAME
 * definition in src/store/pg*.c; the build warns while it is not empty. */
#include "store/pg_int.h"
#include "core/log.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"

#define PG_TODO(ret, pub, name, params, args)                                                \
	ret pg_##name params                                                                     \
	{                                                                                        \
		wy_warn("store.not_on_postgresql", "function=%s", #pub);                           \
		return WY_ENOTSUP;                                                               \
	}
#include "pg_todo.h"

int pg_todo_count(void) { return PG_TODO_COUNT; }
