/* testenv.h: a library for tests that run the real worker: a store (on
 * either backend: test.h's wy_test_store_location) and a blob store in a
 * fresh directory, originals added as `wenyuan add` adds
 * them, and the worker run until the given documents are done. */
#ifndef WY_TESTENV_H
#define WY_TESTENV_H

#include "blob/blob.h"
#include "core/config.h"
#include "core/util.h"
#include "jobs/worker.h"
#include "store/store.h"
#include "test.h"

typedef struct env {
	wy_config cfg;
	wy_store *st;
	wy_blob_store *bs;
	char dir[512];
} env;

static inline void env_open(env *e, const char *tag)
{
	memset(e, 0, sizeof *e);
	if (wy_config_load(&e->cfg, NULL))
		abort();
	snprintf(e->dir, sizeof e->dir, "%s", wy_test_tmpdir(tag));
	snprintf(e->cfg.data_dir, sizeof e->cfg.data_dir, "%s", e->dir);
	e->cfg.workers = 2;
	char *b = wy_xasprintf("%s/blobs", e->dir);
	/* the store where test.h puts a test's (SQLite: a directory of its
	 * own; PostgreSQL: a new database, WENYUAN_TEST_PG) */
	if (wy_store_open(wy_test_store_location(tag), &e->st, NULL) || wy_blob_open(b, &e->bs, NULL))
		abort();
	free(b);
}

static inline void env_close(env *e)
{
	wy_store_close(e->st);
	wy_blob_close(e->bs);
}

/* Store bytes as an original and queue it, as `wenyuan add` does. */
static inline int64_t add_doc(env *e, const void *data, size_t len, const char *name)
{
	char sha[65];
	if (wy_blob_put(e->bs, data, len, sha, NULL))
		abort();
	wy_doc_new dn = {.filename = name, .sha256 = sha, .size = (int64_t)len};
	int64_t id;
	bool existed;
	if (wy_store_doc_add(e->st, &dn, &id, &existed, NULL))
		abort();
	return id;
}

static inline void run_until_done(env *e, int64_t *ids, int n)
{
	wy_worker_opts o = {.name = "test", .wait_ids = ids, .nwait = n};
	wy_errinfo ei = {0};
	int rc = wy_worker_run(&e->cfg, e->st, e->bs, &o, &ei);
	if (rc)
		printf("  worker: %s\n", wy_err_msg(&ei, rc));
}

#endif
