/* store/tables: the tables that hold a library's data, for copying it
 * from one store to another whatever the backends (wenyuan migrate,
 * store.h's wy_store_table_*). Said once here, for both backends: a table
 * added to either schema is either listed here (in an order where every
 * table comes after the tables it refers to, so that a copy in this order
 * never refers to a row not copied yet) or derived (rebuilt at the
 * destination); tests/unit/test_tables.c fails for a table that is
 * neither. Each says whose rows a destination may hold there that are not
 * the library's (wy_table_rows): nearly every table's are the
 * destination's own, which migrate never replaces. */
#include "store/store.h"

#include <string.h>

#define KEY(...) ((const char *const[]){__VA_ARGS__, NULL})

static const wy_table_def tables[] = {
	/* referred to by nearly everything */
	{"groups", KEY("id"), true, WY_ROWS_DEFAULTS, NULL},
	{"users", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"categories", KEY("id"), true, WY_ROWS_DEFAULTS, NULL},
	{"documents", KEY("id"), true, WY_ROWS_OWN, NULL},
	/* a document's parts */
	{"pages", KEY("doc_id", "page_no"), false, WY_ROWS_OWN, NULL},
	{"outlines", KEY("doc_id", "seq"), false, WY_ROWS_OWN, NULL},
	{"minhash_bands", KEY("band", "hash", "doc_id"), false, WY_ROWS_OWN, NULL},
	{"jobs", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"queue_turns", KEY("owner_id"), false, WY_ROWS_JOBS, NULL},
	/* readers' traces */
	{"searches", KEY("query"), false, WY_ROWS_OWN, NULL},
	{"search_days", KEY("day"), false, WY_ROWS_OWN, NULL},
	{"search_clicks", KEY("doc_id", "query"), false, WY_ROWS_OWN, NULL},
	{"visits", KEY("visitor", "doc_id"), false, WY_ROWS_OWN, NULL},
	{"sessions", KEY("hash"), false, WY_ROWS_OWN, NULL},
	{"favorites", KEY("user_id", "doc_id"), false, WY_ROWS_OWN, NULL},
	{"downloads", KEY("user_id", "doc_id"), false, WY_ROWS_OWN, NULL},
	{"download_log", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"ledger", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"signins", KEY("user_id", "day"), false, WY_ROWS_OWN, NULL},
	{"reports", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"ratings", KEY("doc_id", "user_id"), false, WY_ROWS_OWN, NULL},
	{"comments", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"collections", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"collection_items", KEY("collection_id", "doc_id"), false, WY_ROWS_OWN, NULL},
	{"collection_favorites", KEY("user_id", "collection_id"), false, WY_ROWS_OWN, NULL},
	/* the site and its administration */
	{"audit", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"settings", KEY("name"), false, WY_ROWS_OWN, NULL},
	{"counters", KEY("name", "labels"), false, WY_ROWS_JOBS, NULL},
	{"attempts", KEY("key"), false, WY_ROWS_OWN, NULL}, /* the attempt limits: a lock holds across the move */
	{"articles", KEY("id"), true, WY_ROWS_DEFAULTS, KEY("published_at", "created_at", "updated_at")},
	{"site_links", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"captchas", KEY("id"), false, WY_ROWS_OWN, NULL}, /* a text id */
	{"mail", KEY("id"), true, WY_ROWS_OWN, NULL},
	{"mail_tokens", KEY("hash"), false, WY_ROWS_OWN, NULL},
	{"link_key", KEY("id"), true, WY_ROWS_OWN, NULL},
};

const wy_table_def *wy_store_tables(int *count)
{
	*count = (int)(sizeof tables / sizeof tables[0]);
	return tables;
}

const wy_table_def *wy_store_table_def(const char *name)
{
	for (size_t i = 0; name && i < sizeof tables / sizeof tables[0]; i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

bool wy_store_table_derived(const char *name)
{
	/* the search index (SQLite's FTS5 tables and their shadow tables:
	 * page_fts*, doc_fts*, page_vocab, title_py*, title_ini*; PostgreSQL's
	 * page_fts, doc_fts, title_fts, fts_totals), the sitemap's counts (kept
	 * by triggers), the backends' own bookkeeping (sqlite_sequence, the
	 * PostgreSQL schema's version) */
	static const char *const prefixes[] = {"page_fts", "doc_fts", "page_vocab", "title_", "fts_",
					       "sitemap_", "sqlite_", "wy_schema"};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}
