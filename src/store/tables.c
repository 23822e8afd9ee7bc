/* store/tables: the tables that hold a library's data, for copying it
 * from one store to another whatever the backends (wenyuan migrate,
 * store.h's wy_store_table_*). Said once here, for both backends: a table
 * added to either schema is either listed here (in an order where every
 * table comes after the tables it refers to, so that a copy in this order
 * never refers to a row not copied yet) or derived (rebuilt at the
 * destination); tests/unit/test_tables.c fails for a table that is
 * neither. */
#include "store/store.h"

#include <string.h>

#define KEY(...) ((const char *const[]){__VA_ARGS__, NULL})

static const wy_table_def tables[] = {
	/* referred to by nearly everything */
	{"groups", KEY("id"), true},
	{"users", KEY("id"), true},
	{"categories", KEY("id"), true},
	{"documents", KEY("id"), true},
	/* a document's parts */
	{"pages", KEY("doc_id", "page_no"), false},
	{"outlines", KEY("doc_id", "seq"), false},
	{"minhash_bands", KEY("band", "hash", "doc_id"), false},
	{"jobs", KEY("id"), true},
	{"queue_turns", KEY("owner_id"), false},
	/* readers' traces */
	{"searches", KEY("query"), false},
	{"search_days", KEY("day"), false},
	{"search_clicks", KEY("doc_id", "query"), false},
	{"visits", KEY("visitor", "doc_id"), false},
	{"sessions", KEY("hash"), false},
	{"favorites", KEY("user_id", "doc_id"), false},
	{"downloads", KEY("user_id", "doc_id"), false},
	{"download_log", KEY("id"), true},
	{"ledger", KEY("id"), true},
	{"signins", KEY("user_id", "day"), false},
	{"reports", KEY("id"), true},
	{"ratings", KEY("doc_id", "user_id"), false},
	{"comments", KEY("id"), true},
	{"collections", KEY("id"), true},
	{"collection_items", KEY("collection_id", "doc_id"), false},
	{"collection_favorites", KEY("user_id", "collection_id"), false},
	/* the site and its administration */
	{"audit", KEY("id"), true},
	{"settings", KEY("name"), false},
	{"counters", KEY("name", "labels"), false},
	{"attempts", KEY("key"), false}, /* the attempt limits: a lock holds across the move */
	{"articles", KEY("id"), true},
	{"site_links", KEY("id"), true},
	{"captchas", KEY("id"), false}, /* a text id */
	{"mail", KEY("id"), true},
	{"mail_tokens", KEY("hash"), false},
	{"link_key", KEY("id"), true},
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
