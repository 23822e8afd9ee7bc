/* store/pg_pending: while issue 16's areas land one by one, the helpers
 * the job queue's files call in files other areas write (pg_int.h lists
 * them) answer WY_ENOTSUP here, as pg_todo.c's functions do, so that each
 * branch links alone. Each is weak: the real definition (pg_docs.c,
 * pg_search.c, pg_users.c) takes its place when its branch is merged.
 * Delete this file once every one of them is defined elsewhere. */
#include "store/pg_int.h"
#include "core/log.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"

#define PENDING(name, params)                                                                \
	__attribute__((weak)) int name params                                                    \
	{                                                                                        \
		wy_warn("store.not_on_postgresql", "function=%s", #name);                          \
		return wy_err_set(ei, WY_ENOTSUP, "store: %s is not on PostgreSQL yet", #name);    \
	}

PENDING(pg_index_doc, (wy_store * st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei))
PENDING(pg_unindex_doc, (wy_store * st, int64_t doc_id, wy_errinfo *ei))
PENDING(pg_index_pages, (wy_store * st, int64_t doc_id, int from_page, wy_errinfo *ei))
PENDING(pg_index_words, (wy_store * st, int64_t doc_id, bool del, wy_errinfo *ei))
PENDING(pg_index_title, (wy_store * st, int64_t doc_id, bool del, wy_errinfo *ei))
PENDING(pg_index_bands, (wy_store * st, int64_t doc_id, const unsigned char *minhash, wy_errinfo *ei))
PENDING(pg_upload_points, (wy_store * st, int64_t doc_id, wy_errinfo *ei))
PENDING(pg_upload_points_anew, (wy_store * st, int64_t doc_id, wy_errinfo *ei))
