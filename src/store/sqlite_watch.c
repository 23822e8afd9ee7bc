/* store/sqlite_watch: whether anything committed to the store since a
 * moment, for caches of its answers (store.h: wy_store_watch). The stamp is
 * the first copy of the WAL-index header in the -shm file, 48 bytes that
 * SQLite rewrites at every commit (iChange, mxFrame, salts, checksums;
 * https://sqlite.org/walformat.html 2.1). The watch maps the file read-only
 * and keeps a connection of its own open: while any connection is open,
 * no one truncates or reinitialises the file (SQLite does that only when it
 * takes the file's DMS lock exclusively, with no connection left), so the
 * mapping stays valid. */
#include "core/util.h"
#include "store/backend.h"
#include "store/sqlite_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHM_HEADER 48 /* one copy of the WalIndexHdr */

struct wy_store_watch {
	wy_store *st;        /* held open: the -shm file stays valid */
	const uint32_t *hdr; /* the mapping's first 48 bytes */
	size_t maplen;
};

int wy_store_watch_open(const char *location, wy_store_watch **out, wy_errinfo *ei)
{
	*out = NULL;
	/* store.h says why there is no PostgreSQL watch */
	if (wy_store_location_is_pg(location))
		return wy_err_set(ei, WY_ENOTSUP, "store: a PostgreSQL store has no commit stamp to watch");
	wy_store_watch *w = wy_xcalloc(1, sizeof *w);
	int rc = wy_store_open(location, &w->st, ei);
	/* a read maps the WAL index (the connection keeps it mapped) */
	if (!rc)
		rc = sqlite_ping(w->st, ei);
	if (rc) {
		wy_store_watch_close(w);
		return rc;
	}
	char *path = wy_xasprintf("%s/wenyuan.db-shm", location);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size < 2 * SHM_HEADER) {
		rc = wy_err_set(ei, WY_EIO, "store: cannot watch %s (no WAL index)", path);
	} else {
		w->maplen = (size_t)sysconf(_SC_PAGESIZE);
		void *m = mmap(NULL, w->maplen, PROT_READ, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			rc = wy_err_set(ei, WY_EIO, "store: cannot map %s", path);
		else
			w->hdr = m;
	}
	if (fd >= 0)
		close(fd);
	free(path);
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
	if (w->hdr)
		munmap((void *)w->hdr, w->maplen);
	sqlite_close(w->st);
	free(w);
}
