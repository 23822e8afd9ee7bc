/* store/sqlite_watch: whether anything committed to the store since a
 * moment, for caches of its answers (store.h: wy_store_watch). The stamp is
 * the first copy of the WAL-index header in the -shm file, 48 bytes that
 * SQLite rewrites at every commit (iChange, mxFrame, salts, checksums;
 * https://sqlite.org/walformat.html 2.1). The watch keeps a connection of
 * its own open and reads the header through that connection's own mapping
 * of the WAL index (the VFS's xShmMap, region 0), which stays mapped while
 * the connection is open.
 *
 * It never opens the -shm file itself: closing any descriptor of a file
 * drops every POSIX lock the process holds on it, SQLite's included. An
 * earlier watch that opened, mapped and closed the file dropped this
 * process's DMS lock, so the next process to open the store believed
 * itself alone, truncated the -shm file and rebuilt the index under this
 * process's feet (serve died of SIGBUS in e2e.backup while `wenyuan backup`
 * opened the store; https://sqlite.org/howtocorrupt.html 2.2). */
#include "core/util.h"
#include "store/backend.h"
#include "store/sqlite_int.h"

#include <sqlite3.h>
#include <stdlib.h>

#define SHM_HEADER 48          /* one copy of the WalIndexHdr */
#define SHM_REGION (32 * 1024) /* SQLite maps the WAL index in 32 KB regions */

struct wy_store_watch {
	wy_store *st;        /* held open: its mapping of the index stays valid */
	const uint32_t *hdr; /* region 0's first 48 bytes */
};

int wy_store_watch_open(const char *location, wy_store_watch **out, wy_errinfo *ei)
{
	*out = NULL;
	/* store.h says why there is no PostgreSQL watch */
	if (wy_store_location_is_pg(location))
		return wy_err_set(ei, WY_ENOTSUP, "store: a PostgreSQL store has no commit stamp to watch");
	wy_store_watch *w = wy_xcalloc(1, sizeof *w);
	int rc = wy_store_open(location, &w->st, ei);
	/* a read maps the WAL index's first region (the connection keeps it) */
	if (!rc)
		rc = sqlite_ping(w->st, ei);
	if (!rc) {
		sqlite3_file *f = NULL;
		volatile void *region = NULL;
		if (sqlite3_file_control(SQ(w->st)->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
		    !f || !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap ||
		    f->pMethods->xShmMap(f, 0, SHM_REGION, 0, &region) != SQLITE_OK || !region)
			rc = wy_err_set(ei, WY_EIO, "store: cannot watch %s (no WAL index)", location);
		else
			w->hdr = (const uint32_t *)(const void *)region;
	}
	if (rc) {
		wy_store_watch_close(w);
		return rc;
	}
	*out = w;
	return WY_OK;
}

void wy_store_watch_read(const wy_store_watch *w, wy_store_stamp *out)
{
	/* word by word, as SQLite's readers do; a commit under way may give a
	 * mix of two headers, which equals neither */
	for (int i = 0; i < SHM_HEADER / 4; i++)
		out->w[i] = __atomic_load_n(&w->hdr[i], __ATOMIC_ACQUIRE);
}

void wy_store_watch_close(wy_store_watch *w)
{
	if (!w)
		return;
	sqlite_close(w->st);
	free(w);
}
