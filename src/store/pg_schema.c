/* store/pg_schema: the PostgreSQL schema, version by version (pg.c applies
 * them). Append only; never edit one that has shipped. The tables are the
 * SQLite backend's (sqlite.c), in PostgreSQL's types: bigint for SQLite's
 * INTEGER, bytea for BLOB, text; identity columns for AUTOINCREMENT. */
#include "store/pg_int.h"

const char *const pg_migrations[] = {
	/* 1: every table of the SQLite schema's version 23 but search's */
	"",
	/* 2: search (pg_search.c) */
	"",
	/* 3: the sitemap's parts (pg_sitemap.c) */
	"",
	/* 4: attempt limits shared by every serve process (pg_limits.c; the
	 * SQLite schema's 24): a key's attempts (n) in its window, which ends
	 * at until */
	"CREATE TABLE attempts(key text PRIMARY KEY, n bigint NOT NULL, until bigint NOT NULL);"
	"CREATE INDEX attempts_until ON attempts(until);",
};

const int pg_nmigrations = (int)(sizeof pg_migrations / sizeof pg_migrations[0]);

int (*const pg_migration_hooks[])(wy_store *, wy_errinfo *) = {
	NULL,
	NULL,
	NULL,
	NULL,
};

_Static_assert(sizeof pg_migration_hooks / sizeof pg_migration_hooks[0] ==
		       sizeof pg_migrations / sizeof pg_migrations[0],
	       "a hook slot for every migration");
