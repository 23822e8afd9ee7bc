/* store/backend: the seam between store.h and its backends (SQLite's VFS,
 * curl's vtls). Every function of store.h that works on an open store is
 * one entry of WY_STORE_OPS; a backend fills a wy_store_ops with its own
 * implementation of each, and every wy_store it opens starts with a pointer
 * to that table. store.c turns each entry into the public function, which
 * calls the table of the store it is given: callers never know which
 * backend answers. The choice is made once, by wy_store_open's location.
 *
 * Adding a store function: declare it in store.h, add its line here, and
 * implement it in every backend (the build fails until each has it).
 * Nothing outside src/store/ includes this. */
#ifndef WY_STORE_BACKEND_H
#define WY_STORE_BACKEND_H

#include "store/store.h"

/* X(return type, public name, short name, (parameters), (arguments));
 * XV for the functions that return nothing. */
#define WY_STORE_OPS(X, XV) \
	XV(void, wy_store_close, close, (wy_store *st), (st)) \
	X(int, wy_store_schema_version, schema_version, (wy_store *st), (st)) \
	X(int, wy_store_ping, ping, (wy_store *st, wy_errinfo *ei), (st, ei)) \
	X(int, wy_store_stats_get, stats_get, (wy_store *st, wy_store_stats *out, wy_errinfo *ei), (st, out, ei)) \
	X(int, wy_store_counts_each, counts_each, (wy_store *st, void (*cb)(void *ctx, const char *name, const char *labels, double value), void *ctx, wy_errinfo *ei), (st, cb, ctx, ei)) \
	X(int, wy_store_doc_formats, doc_formats, (wy_store *st, void (*cb)(void *ctx, wy_doc_status status, const char *format, int64_t n), void *ctx, wy_errinfo *ei), (st, cb, ctx, ei)) \
	X(int, wy_store_backup, backup, (wy_store *st, const char *dir, wy_errinfo *ei), (st, dir, ei)) \
	X(int, wy_store_doc_add, doc_add, (wy_store *st, const wy_doc_new *in, int64_t *id, bool *existed, wy_errinfo *ei), (st, in, id, existed, ei)) \
	X(int, wy_store_doc_get, doc_get, (wy_store *st, int64_t id, wy_doc *out, wy_errinfo *ei), (st, id, out, ei)) \
	X(int, wy_store_doc_list, doc_list, (wy_store *st, int offset, int limit, wy_doc_list *out, wy_errinfo *ei), (st, offset, limit, out, ei)) \
	X(int, wy_store_doc_visible, doc_visible, (wy_store *st, int64_t viewer, bool admin, int offset, int limit, wy_doc_list *out, int *total, wy_errinfo *ei), (st, viewer, admin, offset, limit, out, total, ei)) \
	X(int, wy_store_doc_popular, doc_popular, (wy_store *st, int limit, wy_doc_list *out, wy_errinfo *ei), (st, limit, out, ei)) \
	X(int, wy_store_doc_add_counts, doc_add_counts, (wy_store *st, const int64_t *ids, const int64_t *counts, int n, bool downloads, wy_errinfo *ei), (st, ids, counts, n, downloads, ei)) \
	X(int, wy_store_doc_related, doc_related, (wy_store *st, int64_t doc_id, int limit, wy_doc_list *out, wy_errinfo *ei), (st, doc_id, limit, out, ei)) \
	X(int, wy_store_doc_find, doc_find, (wy_store *st, const wy_doc_filter *f, int offset, int limit, wy_doc_list *out, int *total, wy_errinfo *ei), (st, f, offset, limit, out, total, ei)) \
	X(int, wy_store_outline_get, outline_get, (wy_store *st, int64_t doc_id, wy_outline *out, wy_errinfo *ei), (st, doc_id, out, ei)) \
	X(int, wy_store_outline_set, outline_set, (wy_store *st, int64_t doc_id, const wy_outline *o, wy_errinfo *ei), (st, doc_id, o, ei)) \
	X(int, wy_store_page_get, page_get, (wy_store *st, int64_t doc_id, int page_no, wy_page *out, wy_errinfo *ei), (st, doc_id, page_no, out, ei)) \
	X(int, wy_store_job_claim, job_claim, (wy_store *st, const char *worker, int lease_seconds, int max_attempts, wy_job *out, wy_errinfo *ei), (st, worker, lease_seconds, max_attempts, out, ei)) \
	X(int, wy_store_job_progress, job_progress, (wy_store *st, const wy_job *job, int done, int total, int lease_seconds, wy_errinfo *ei), (st, job, done, total, lease_seconds, ei)) \
	X(int, wy_store_job_pages, job_pages, (wy_store *st, const wy_job *job, const wy_doc_result *res, int n, wy_errinfo *ei), (st, job, res, n, ei)) \
	X(int, wy_store_job_requeue, job_requeue, (wy_store *st, const wy_job *job, wy_errinfo *ei), (st, job, ei)) \
	X(int, wy_store_job_finish, job_finish, (wy_store *st, const wy_job *job, const wy_doc_result *res, wy_errinfo *ei), (st, job, res, ei)) \
	X(int, wy_store_job_fail, job_fail, (wy_store *st, const wy_job *job, const char *format, const char *reason, wy_errinfo *ei), (st, job, format, reason, ei)) \
	X(int, wy_store_job_release, job_release, (wy_store *st, const wy_job *job, wy_errinfo *ei), (st, job, ei)) \
	X(int, wy_store_job_expire_dead, job_expire_dead, (wy_store *st, bool (*dead)(void *ctx, const char *worker), void *ctx, int *expired, wy_errinfo *ei), (st, dead, ctx, expired, ei)) \
	X(int, wy_store_job_wait, job_wait, (wy_store *st, struct pollfd *fds, int nfds, int timeout_ms, int *ready, bool *work, wy_errinfo *ei), (st, fds, nfds, timeout_ms, ready, work, ei)) \
	X(int, wy_store_job_poll_ms, job_poll_ms, (wy_store *st), (st)) \
	X(int, wy_store_doc_retry, doc_retry, (wy_store *st, int64_t doc_id, bool force, wy_errinfo *ei), (st, doc_id, force, ei)) \
	X(int, wy_store_doc_counts, doc_counts, (wy_store *st, int counts[WY_DOC_NSTATUS], wy_errinfo *ei), (st, counts, ei)) \
	X(int, wy_store_category_list, category_list, (wy_store *st, wy_category_list *out, wy_errinfo *ei), (st, out, ei)) \
	X(int, wy_store_category_find, category_find, (wy_store *st, const char *path, int64_t *id, wy_errinfo *ei), (st, path, id, ei)) \
	X(int, wy_store_category_add, category_add, (wy_store *st, const char *path, int64_t *id, wy_errinfo *ei), (st, path, id, ei)) \
	X(int, wy_store_category_rename, category_rename, (wy_store *st, const char *path, const char *new_name, wy_errinfo *ei), (st, path, new_name, ei)) \
	X(int, wy_store_category_move, category_move, (wy_store *st, const char *path, const char *new_parent, wy_errinfo *ei), (st, path, new_parent, ei)) \
	X(int, wy_store_blob_refs, blob_refs, (wy_store *st, int (*cb)(void *ctx, const char *sha256), void *ctx, wy_errinfo *ei), (st, cb, ctx, ei)) \
	X(int, wy_store_blob_used, blob_used, (wy_store *st, const char *sha, bool *used, wy_errinfo *ei), (st, sha, used, ei)) \
	X(int, wy_store_check, check, (wy_store *st, void (*cb)(void *ctx, const char *problem), void *ctx, wy_errinfo *ei), (st, cb, ctx, ei)) \
	X(int, wy_store_search, search, (wy_store *st, const wy_search_req *req, wy_search_result *out, wy_errinfo *ei), (st, req, out, ei)) \
	X(int, wy_store_doc_search, doc_search, (wy_store *st, int64_t doc_id, int last_page, const wy_query *q, bool relaxed, int *pages, int max, int *n, wy_errinfo *ei), (st, doc_id, last_page, q, relaxed, pages, max, n, ei)) \
	X(int, wy_store_reindex, reindex, (wy_store *st, void (*progress)(void *ctx, int done, int total), void *ctx, wy_errinfo *ei), (st, progress, ctx, ei)) \
	X(int, wy_store_term_df_of, term_df_of, (wy_store *st, int64_t doc_id, const char *term, int64_t *df, int64_t *npages, wy_errinfo *ei), (st, doc_id, term, df, npages, ei)) \
	X(int, wy_store_term_df, term_df, (wy_store *st, const char *const *terms, int n, int64_t *df, int64_t *npages, wy_errinfo *ei), (st, terms, n, df, npages, ei)) \
	X(int, wy_store_near_duplicate, near_duplicate, (wy_store *st, const unsigned char *sig, double threshold, int64_t exclude, int64_t *doc_id, double *similarity, wy_errinfo *ei), (st, sig, threshold, exclude, doc_id, similarity, ei)) \
	X(int, wy_store_search_log, search_log, (wy_store *st, const char *query, int64_t doc_id, wy_errinfo *ei), (st, query, doc_id, ei)) \
	X(int, wy_store_popular_queries, popular_queries, (wy_store *st, int min_n, int limit, wy_str_list *out, wy_errinfo *ei), (st, min_n, limit, out, ei)) \
	X(int, wy_store_doc_queries, doc_queries, (wy_store *st, int64_t doc_id, int limit, wy_str_list *out, wy_errinfo *ei), (st, doc_id, limit, out, ei)) \
	X(int, wy_store_visits_add, visits_add, (wy_store *st, const uint64_t *visitors, const int64_t *doc_ids, int n, wy_errinfo *ei), (st, visitors, doc_ids, n, ei)) \
	X(int, wy_store_doc_also_read, doc_also_read, (wy_store *st, int64_t doc_id, const int64_t *exclude, int nexclude, int limit, wy_doc_list *out, wy_errinfo *ei), (st, doc_id, exclude, nexclude, limit, out, ei)) \
	X(int, wy_store_user_add, user_add, (wy_store *st, const char *name, const char *pass_hash, wy_role role, int64_t points, int64_t *id, wy_errinfo *ei), (st, name, pass_hash, role, points, id, ei)) \
	X(int, wy_store_user_name_free, user_name_free, (wy_store *st, const char *name, wy_errinfo *ei), (st, name, ei)) \
	X(int, wy_store_user_get, user_get, (wy_store *st, int64_t id, wy_user *out, wy_errinfo *ei), (st, id, out, ei)) \
	X(int, wy_store_user_by_name, user_by_name, (wy_store *st, const char *name, wy_user *out, char **pass_hash, wy_errinfo *ei), (st, name, out, pass_hash, ei)) \
	X(int, wy_store_user_set_password, user_set_password, (wy_store *st, int64_t id, const char *pass_hash, const unsigned char *keep, wy_errinfo *ei), (st, id, pass_hash, keep, ei)) \
	X(int, wy_store_user_set, user_set, (wy_store *st, int64_t id, int role, int banned, wy_errinfo *ei), (st, id, role, banned, ei)) \
	X(int, wy_store_user_list, user_list, (wy_store *st, const char *name_like, int offset, int limit, wy_user_list *out, int *total, wy_errinfo *ei), (st, name_like, offset, limit, out, total, ei)) \
	X(int, wy_store_session_add, session_add, (wy_store *st, const unsigned char *hash, int64_t user_id, const char *csrf, int64_t expires_at, wy_errinfo *ei), (st, hash, user_id, csrf, expires_at, ei)) \
	X(int, wy_store_session_get, session_get, (wy_store *st, const unsigned char *hash, wy_user *user, char csrf[65], wy_errinfo *ei), (st, hash, user, csrf, ei)) \
	X(int, wy_store_session_delete, session_delete, (wy_store *st, const unsigned char *hash, wy_errinfo *ei), (st, hash, ei)) \
	X(int, wy_store_favorite_set, favorite_set, (wy_store *st, int64_t user_id, int64_t doc_id, bool on, wy_errinfo *ei), (st, user_id, doc_id, on, ei)) \
	X(int, wy_store_favorite_state, favorite_state, (wy_store *st, int64_t user_id, int64_t doc_id, bool *on, int64_t *count, wy_errinfo *ei), (st, user_id, doc_id, on, count, ei)) \
	X(int, wy_store_user_docs, user_docs, (wy_store *st, int64_t user_id, wy_user_docs which, int offset, int limit, wy_doc_list *out, int *total, wy_errinfo *ei), (st, user_id, which, offset, limit, out, total, ei)) \
	X(int, wy_store_points_ledger, points_ledger, (wy_store *st, int64_t user_id, int offset, int limit, wy_ledger *out, int *total, wy_errinfo *ei), (st, user_id, offset, limit, out, total, ei)) \
	X(int, wy_store_points_signin, points_signin, (wy_store *st, int64_t user_id, int64_t day, int64_t points, bool *granted, wy_errinfo *ei), (st, user_id, day, points, granted, ei)) \
	X(int, wy_store_points_reward, points_reward, (wy_store *st, int64_t from, int64_t doc_id, int64_t points, wy_errinfo *ei), (st, from, doc_id, points, ei)) \
	X(int, wy_store_download, download, (wy_store *st, int64_t user_id, int64_t doc_id, bool charge, int64_t *paid, wy_errinfo *ei), (st, user_id, doc_id, charge, paid, ei)) \
	X(int, wy_store_download_paid, download_paid, (wy_store *st, int64_t user_id, int64_t doc_id, bool *yes, wy_errinfo *ei), (st, user_id, doc_id, yes, ei)) \
	XV(void, wy_store_upload_points_set, upload_points_set, (wy_store *st, const wy_upload_points *rule), (st, rule)) \
	X(int, wy_store_points_adjust, points_adjust, (wy_store *st, int64_t user_id, int64_t delta, wy_errinfo *ei), (st, user_id, delta, ei)) \
	X(int, wy_store_report_add, report_add, (wy_store *st, int64_t doc_id, int64_t user_id, const char *reason, const char *detail, int64_t *id, wy_errinfo *ei), (st, doc_id, user_id, reason, detail, id, ei)) \
	X(int, wy_store_report_list, report_list, (wy_store *st, bool open_only, int offset, int limit, wy_report_list *out, int *total, wy_errinfo *ei), (st, open_only, offset, limit, out, total, ei)) \
	X(int, wy_store_report_close, report_close, (wy_store *st, int64_t doc_id, wy_errinfo *ei), (st, doc_id, ei)) \
	X(int, wy_store_doc_set_state, doc_set_state, (wy_store *st, int64_t doc_id, wy_doc_state state, wy_errinfo *ei), (st, doc_id, state, ei)) \
	X(int, wy_store_doc_set_private, doc_set_private, (wy_store *st, int64_t doc_id, bool private_, wy_errinfo *ei), (st, doc_id, private_, ei)) \
	X(int, wy_store_doc_set_category, doc_set_category, (wy_store *st, int64_t doc_id, const char *path, wy_errinfo *ei), (st, doc_id, path, ei)) \
	X(int, wy_store_doc_by_state, doc_by_state, (wy_store *st, int state, int offset, int limit, wy_doc_list *out, int *total, wy_errinfo *ei), (st, state, offset, limit, out, total, ei)) \
	X(int, wy_store_blob_visibility, blob_visibility, (wy_store *st, const char *sha, int64_t viewer, bool admin, int max_page, int *vis, wy_errinfo *ei), (st, sha, viewer, admin, max_page, vis, ei)) \
	X(int, wy_store_audit_add, audit_add, (wy_store *st, int64_t admin_id, const char *action, const char *target, const char *detail, wy_errinfo *ei), (st, admin_id, action, target, detail, ei)) \
	X(int, wy_store_audit_list, audit_list, (wy_store *st, int offset, int limit, wy_audit_list *out, int *total, wy_errinfo *ei), (st, offset, limit, out, total, ei)) \
	X(int, wy_store_setting_set, setting_set, (wy_store *st, const char *name, const char *value, wy_errinfo *ei), (st, name, value, ei)) \
	X(int, wy_store_settings_each, settings_each, (wy_store *st, void (*cb)(void *ctx, const char *name, const char *value), void *ctx, wy_errinfo *ei), (st, cb, ctx, ei)) \
	X(int, wy_store_rating_set, rating_set, (wy_store *st, int64_t user, bool admin, int64_t doc_id, int stars, double *avg, int64_t *n, wy_errinfo *ei), (st, user, admin, doc_id, stars, avg, n, ei)) \
	X(int, wy_store_rating_get, rating_get, (wy_store *st, int64_t user, int64_t doc_id, int *stars, wy_errinfo *ei), (st, user, doc_id, stars, ei)) \
	X(int, wy_store_comment_add, comment_add, (wy_store *st, int64_t user, bool admin, int64_t doc_id, int64_t parent, const char *text, const wy_comment_rule *rule, int64_t *id, int *state, wy_errinfo *ei), (st, user, admin, doc_id, parent, text, rule, id, state, ei)) \
	X(int, wy_store_comment_get, comment_get, (wy_store *st, int64_t viewer, bool admin, int64_t id, wy_comment *out, wy_errinfo *ei), (st, viewer, admin, id, out, ei)) \
	X(int, wy_store_comment_list, comment_list, (wy_store *st, int64_t viewer, bool admin, int64_t doc_id, int offset, int limit, wy_comment_list *out, int *total, int *all, wy_errinfo *ei), (st, viewer, admin, doc_id, offset, limit, out, total, all, ei)) \
	X(int, wy_store_comment_delete, comment_delete, (wy_store *st, int64_t user, bool admin, int64_t id, int64_t *doc_id, wy_errinfo *ei), (st, user, admin, id, doc_id, ei)) \
	X(int, wy_store_comment_set_state, comment_set_state, (wy_store *st, int64_t id, wy_comment_state state, int64_t *doc_id, wy_errinfo *ei), (st, id, state, doc_id, ei)) \
	X(int, wy_store_comment_reports_close, comment_reports_close, (wy_store *st, int64_t id, wy_errinfo *ei), (st, id, ei)) \
	X(int, wy_store_comment_report, comment_report, (wy_store *st, int64_t user, bool admin, int64_t comment_id, const char *reason, const char *detail, int64_t *id, wy_errinfo *ei), (st, user, admin, comment_id, reason, detail, id, ei)) \
	X(int, wy_store_comment_pending, comment_pending, (wy_store *st, int offset, int limit, wy_comment_list *out, int *total, wy_errinfo *ei), (st, offset, limit, out, total, ei)) \
	X(int, wy_store_collection_add, collection_add, (wy_store *st, int64_t owner, const char *name, const char *description, bool public_, int64_t *id, wy_errinfo *ei), (st, owner, name, description, public_, id, ei)) \
	X(int, wy_store_collection_get, collection_get, (wy_store *st, int64_t id, int64_t reader, bool admin, wy_collection *out, wy_errinfo *ei), (st, id, reader, admin, out, ei)) \
	X(int, wy_store_collection_edit, collection_edit, (wy_store *st, int64_t id, const char *name, const char *description, int public_, wy_errinfo *ei), (st, id, name, description, public_, ei)) \
	X(int, wy_store_collection_delete, collection_delete, (wy_store *st, int64_t id, wy_errinfo *ei), (st, id, ei)) \
	X(int, wy_store_collection_docs, collection_docs, (wy_store *st, int64_t id, int64_t reader, bool admin, wy_doc_list *out, int *positions, wy_errinfo *ei), (st, id, reader, admin, out, positions, ei)) \
	X(int, wy_store_collection_item_add, collection_item_add, (wy_store *st, int64_t id, int64_t doc, int *position, wy_errinfo *ei), (st, id, doc, position, ei)) \
	X(int, wy_store_collection_item_remove, collection_item_remove, (wy_store *st, int64_t id, int64_t doc, wy_errinfo *ei), (st, id, doc, ei)) \
	X(int, wy_store_collection_item_move, collection_item_move, (wy_store *st, int64_t id, int64_t doc, int to, wy_errinfo *ei), (st, id, doc, to, ei)) \
	X(int, wy_store_collection_favorite, collection_favorite, (wy_store *st, int64_t user, int64_t id, bool on, int64_t *count, wy_errinfo *ei), (st, user, id, on, count, ei)) \
	X(int, wy_store_collection_list, collection_list, (wy_store *st, const wy_collection_filter *f, int offset, int limit, wy_collection_list *out, int *total, wy_errinfo *ei), (st, f, offset, limit, out, total, ei)) \
	X(int, wy_store_doc_of_sha256, doc_of_sha256, (wy_store *st, const char *sha256, int64_t *id, wy_errinfo *ei), (st, sha256, id, ei)) \
	X(int, wy_store_doc_delete, doc_delete, (wy_store *st, int64_t doc_id, int64_t by, bool admin, wy_errinfo *ei), (st, doc_id, by, admin, ei)) \
	X(int, wy_store_doc_restore, doc_restore, (wy_store *st, int64_t doc_id, int64_t by, bool admin, wy_errinfo *ei), (st, doc_id, by, admin, ei)) \
	X(int, wy_store_recycle_list, recycle_list, (wy_store *st, int64_t owner, int offset, int limit, wy_recycle_list *out, int *total, wy_errinfo *ei), (st, owner, offset, limit, out, total, ei)) \
	X(int, wy_store_recycle_expired, recycle_expired, (wy_store *st, int64_t before, int limit, int64_t **ids, int *n, wy_errinfo *ei), (st, before, limit, ids, n, ei)) \
	X(int, wy_store_doc_purge, doc_purge, (wy_store *st, int64_t doc_id, int64_t admin_id, const char *detail, wy_str_list *blobs, wy_errinfo *ei), (st, doc_id, admin_id, detail, blobs, ei)) \
	X(int, wy_store_blobs_drop, blobs_drop, (wy_store *st, char *const *shas, int n, int64_t older_than, int (*drop)(void *ctx, const char *sha, int64_t older_than), void *ctx, int *dropped, wy_errinfo *ei), (st, shas, n, older_than, drop, ctx, dropped, ei)) \
	X(int, wy_store_doc_edit, doc_edit, (wy_store *st, int64_t doc_id, const wy_doc_edit *e, wy_errinfo *ei), (st, doc_id, e, ei)) \
	X(int, wy_store_doc_replace, doc_replace, (wy_store *st, int64_t doc_id, const wy_doc_new *in, int64_t *version_id, wy_errinfo *ei), (st, doc_id, in, version_id, ei)) \
	X(int, wy_store_doc_version, doc_version, (wy_store *st, int64_t doc_id, wy_doc_version *out, wy_errinfo *ei), (st, doc_id, out, ei)) \
	X(int, wy_store_article_get, article_get, (wy_store *st, const char *slug, bool admin, int64_t now, wy_article *out, wy_errinfo *ei), (st, slug, admin, now, out, ei)) \
	X(int, wy_store_article_list, article_list, (wy_store *st, const char *kind, bool admin, int64_t now, int offset, int limit, wy_article_list *out, int *total, wy_errinfo *ei), (st, kind, admin, now, offset, limit, out, total, ei)) \
	X(int, wy_store_article_put, article_put, (wy_store *st, const wy_article *a, int64_t *id, wy_errinfo *ei), (st, a, id, ei)) \
	X(int, wy_store_article_delete, article_delete, (wy_store *st, int64_t id, wy_errinfo *ei), (st, id, ei)) \
	X(int, wy_store_link_list, link_list, (wy_store *st, int kind, wy_site_link_list *out, wy_errinfo *ei), (st, kind, out, ei)) \
	X(int, wy_store_link_put, link_put, (wy_store *st, const wy_site_link *l, int64_t *id, wy_errinfo *ei), (st, l, id, ei)) \
	X(int, wy_store_link_delete, link_delete, (wy_store *st, int64_t id, wy_errinfo *ei), (st, id, ei)) \
	X(int, wy_store_captcha_add, captcha_add, (wy_store *st, const char *id, const unsigned char answer_hash[WY_CAPTCHA_HASH], const unsigned char token_hash[WY_CAPTCHA_HASH], int form, const void *image, size_t size, int64_t expires_at, int64_t now, wy_errinfo *ei), (st, id, answer_hash, token_hash, form, image, size, expires_at, now, ei)) \
	X(int, wy_store_captcha_image, captcha_image, (wy_store *st, const char *id, int64_t now, void **image, size_t *size, wy_errinfo *ei), (st, id, now, image, size, ei)) \
	X(int, wy_store_captcha_take, captcha_take, (wy_store *st, const char *id, int64_t now, unsigned char answer_hash[WY_CAPTCHA_HASH], unsigned char token_hash[WY_CAPTCHA_HASH], int *form, wy_errinfo *ei), (st, id, now, answer_hash, token_hash, form, ei)) \
	X(int, wy_store_dash_docs, dash_docs, (wy_store *st, wy_dash_docs *out, wy_errinfo *ei), (st, out, ei)) \
	X(int, wy_store_failed_each, failed_each, (wy_store *st, void (*cb)(void *ctx, int64_t id, const char *reason), void *ctx, wy_errinfo *ei), (st, cb, ctx, ei)) \
	X(int, wy_store_dash_daily, dash_daily, (wy_store *st, wy_dash_series what, int64_t from, int n, int64_t *out, wy_errinfo *ei), (st, what, from, n, out, ei)) \
	X(int, wy_store_dash_hourly, dash_hourly, (wy_store *st, int64_t from, int n, int64_t *ready, int64_t *failed, wy_errinfo *ei), (st, from, n, ready, failed, ei)) \
	X(int, wy_store_dash_last_job, dash_last_job, (wy_store *st, const char *const *formats, bool ocr, int64_t *at, bool *ok, int64_t *doc_id, char **reason, wy_errinfo *ei), (st, formats, ocr, at, ok, doc_id, reason, ei)) \
	X(int, wy_store_size, size, (wy_store *st, int64_t *bytes, int64_t *log_bytes, wy_errinfo *ei), (st, bytes, log_bytes, ei)) \
	X(int, wy_store_sitemap_parts, sitemap_parts, (wy_store *st, int width, wy_sitemap_part **out, int *n, int64_t *epoch, wy_errinfo *ei), (st, width, out, n, epoch, ei)) \
	X(int, wy_store_sitemap_gen, sitemap_gen, (wy_store *st, int kind, int64_t part, int width, int64_t *epoch, int64_t *gen, int64_t *listed, wy_errinfo *ei), (st, kind, part, width, epoch, gen, listed, ei)) \
	X(int, wy_store_sitemap_urls, sitemap_urls, (wy_store *st, int kind, int64_t part, int width, wy_sitemap_url **out, int *n, int64_t *epoch, int64_t *gen, wy_errinfo *ei), (st, kind, part, width, out, n, epoch, gen, ei)) \
	X(int, wy_store_sitemap_categories, sitemap_categories, (wy_store *st, wy_str_list *out, wy_errinfo *ei), (st, out, ei)) \
	X(int, wy_user_perms, user_perms, (wy_store *st, int64_t user_id, wy_perms *out, wy_errinfo *ei), (st, user_id, out, ei)) \
	X(int, wy_store_groups, groups, (wy_store *st, wy_group_list *out, wy_errinfo *ei), (st, out, ei)) \
	X(int, wy_store_group_save, group_save, (wy_store *st, const wy_group *g, int64_t *id, wy_errinfo *ei), (st, g, id, ei)) \
	X(int, wy_store_group_delete, group_delete, (wy_store *st, int64_t id, wy_errinfo *ei), (st, id, ei)) \
	X(int, wy_store_group_set_default, group_set_default, (wy_store *st, int64_t id, wy_errinfo *ei), (st, id, ei)) \
	X(int, wy_store_user_set_group, user_set_group, (wy_store *st, int64_t user_id, int64_t group_id, wy_errinfo *ei), (st, user_id, group_id, ei)) \
	X(int, wy_store_download_start, download_start, (wy_store *st, const wy_download_start *q, int64_t *paid, int64_t *retry_after, wy_errinfo *ei), (st, q, paid, retry_after, ei)) \
	X(int, wy_store_download_log_prune, download_log_prune, (wy_store *st, int64_t before, int64_t *removed, wy_errinfo *ei), (st, before, removed, ei)) \
	X(int, wy_store_link_key, link_key, (wy_store *st, const unsigned char fresh[32], unsigned char key[32], wy_errinfo *ei), (st, fresh, key, ei)) \
	X(int, wy_store_attempt_take, attempt_take, (wy_store *st, const wy_attempt_key *keys, int n, int64_t window, int64_t now, bool *ok, int64_t *retry_after, wy_errinfo *ei), (st, keys, n, window, now, ok, retry_after, ei)) \
	X(int, wy_store_attempt_give, attempt_give, (wy_store *st, const char *key, int64_t now, wy_errinfo *ei), (st, key, now, ei)) \
	X(int, wy_store_attempt_clear, attempt_clear, (wy_store *st, const char *key, wy_errinfo *ei), (st, key, ei)) \
	X(int, wy_store_attempt_count, attempt_count, (wy_store *st, const char *key, int64_t now, int64_t *n, wy_errinfo *ei), (st, key, now, n, ei)) \
	X(int, wy_mail_enqueue, mail_enqueue, (wy_store *st, const char *to, const char *subject, const char *body, wy_errinfo *ei), (st, to, subject, body, ei)) \
	X(int, wy_store_mail_claim, mail_claim, (wy_store *st, int64_t now, int lease, wy_mail *out, wy_errinfo *ei), (st, now, lease, out, ei)) \
	X(int, wy_store_mail_sent, mail_sent, (wy_store *st, int64_t id, int64_t now, wy_errinfo *ei), (st, id, now, ei)) \
	X(int, wy_store_mail_retry, mail_retry, (wy_store *st, int64_t id, const char *error, int64_t retry_at, wy_errinfo *ei), (st, id, error, retry_at, ei)) \
	X(int, wy_store_mail_next, mail_next, (wy_store *st, int64_t *at, wy_errinfo *ei), (st, at, ei)) \
	X(int, wy_store_mail_list, mail_list, (wy_store *st, int limit, wy_mail_list *out, wy_errinfo *ei), (st, limit, out, ei)) \
	X(int, wy_store_mail_count_to, mail_count_to, (wy_store *st, const char *to, int64_t since, int64_t *n, wy_errinfo *ei), (st, to, since, n, ei)) \
	X(int, wy_store_mail_prune, mail_prune, (wy_store *st, int64_t now, int64_t keep, int64_t *mails, int64_t *links, wy_errinfo *ei), (st, now, keep, mails, links, ei)) \
	X(int, wy_store_user_email, user_email, (wy_store *st, int64_t user_id, char **email, int64_t *verified_at, wy_errinfo *ei), (st, user_id, email, verified_at, ei)) \
	X(int, wy_store_user_email_set, user_email_set, (wy_store *st, int64_t user_id, const char *email, wy_errinfo *ei), (st, user_id, email, ei)) \
	X(int, wy_store_user_email_free, user_email_free, (wy_store *st, const char *email, wy_errinfo *ei), (st, email, ei)) \
	X(int, wy_store_user_find_login, user_find_login, (wy_store *st, const char *who, int64_t *user_id, char **email, int64_t *verified_at, wy_errinfo *ei), (st, who, user_id, email, verified_at, ei)) \
	X(int, wy_store_mail_link_add, mail_link_add, (wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t user_id, const char *email, int64_t expires_at, wy_errinfo *ei), (st, hash, kind, user_id, email, expires_at, ei)) \
	X(int, wy_store_mail_link_check, mail_link_check, (wy_store *st, const unsigned char *hash, wy_mail_link_kind kind, int64_t now, int64_t *user_id, wy_errinfo *ei), (st, hash, kind, now, user_id, ei)) \
	X(int, wy_store_mail_link_verify, mail_link_verify, (wy_store *st, const unsigned char *hash, int64_t now, int64_t *user_id, wy_errinfo *ei), (st, hash, now, user_id, ei)) \
	X(int, wy_store_mail_link_reset, mail_link_reset, (wy_store *st, const unsigned char *hash, int64_t now, const char *pass_hash, const unsigned char *keep, int64_t *user_id, wy_errinfo *ei), (st, hash, now, pass_hash, keep, user_id, ei)) \
	X(int, wy_store_table_rows, table_rows, (wy_store *st, const char *table, const wy_cell *after, int limit, int (*cb)(void *ctx, int ncols, const char *const *names, const wy_cell *cells), void *ctx, wy_errinfo *ei), (st, table, after, limit, cb, ctx, ei)) \
	X(int, wy_store_table_put, table_put, (wy_store *st, const char *table, int ncols, const char *const *names, const wy_cell *cells, int nrows, wy_errinfo *ei), (st, table, ncols, names, cells, nrows, ei)) \
	X(int, wy_store_table_seq, table_seq, (wy_store *st, const char *table, int64_t *last, wy_errinfo *ei), (st, table, last, ei)) \
	X(int, wy_store_table_seq_set, table_seq_set, (wy_store *st, const char *table, int64_t last, wy_errinfo *ei), (st, table, last, ei)) \
	X(int, wy_store_table_clear, table_clear, (wy_store *st, const char *table, wy_errinfo *ei), (st, table, ei)) \
	X(int, wy_store_table_names, table_names, (wy_store *st, wy_str_list *out, wy_errinfo *ei), (st, out, ei))

typedef struct wy_store_ops {
	const char *kind; /* "sqlite", "postgresql" */
#define WY_STORE_OP_FIELD(ret, pub, name, params, args) ret(*name) params;
	WY_STORE_OPS(WY_STORE_OP_FIELD, WY_STORE_OP_FIELD)
#undef WY_STORE_OP_FIELD
} wy_store_ops;

/* What every backend's store starts with. */
struct wy_store {
	const wy_store_ops *ops;
};

/* A backend declares its functions and fills its table with the list:
 *   #define SQ_DECL(ret, pub, name, params, args) ret sqlite_##name params;
 *   WY_STORE_OPS(SQ_DECL, SQ_DECL)
 *   #define SQ_INIT(ret, pub, name, params, args) .name = sqlite_##name,
 *   static const wy_store_ops ops = {.kind = "sqlite", WY_STORE_OPS(SQ_INIT, SQ_INIT)}; */

/* The backends (wy_store_open chooses): SQLite in a directory, PostgreSQL
 * at a libpq connection URI. */
int wy_sqlite_open(const char *dir, wy_store **out, wy_errinfo *ei);
int wy_pg_open(const char *url, wy_store **out, wy_errinfo *ei);

/* Whether location names a PostgreSQL database (a libpq URI). */
bool wy_store_location_is_pg(const char *location);

/* A backend's failure, counted for wy_store_errors (/metrics). */
void wy_store_failure_count(void);

#endif
