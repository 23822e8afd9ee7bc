/* store/rules.h: what the backends share (never included outside
 * src/store/): the rules of store/rules.c that check a backend's input,
 * and the rules said in SQL that every backend's statements paste in (the
 * SQL here is the dialect SQLite and PostgreSQL share: no parameters, no
 * function of one only). A rule is said here once; a backend never
 * restates one. (The SQ_ prefix: "store query", from the days of one
 * backend.) */
#ifndef WY_STORE_RULES_H
#define WY_STORE_RULES_H

#include "core/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

/* Code points of s when it is valid UTF-8 whose controls are all in
 * allowed (NULL: none), else -1; *visible: whether one is not white space
 * (a space or an ideographic space). */
long store_text_length(const char *s, const char *allowed, bool *visible);
/* A title of 1..max code points, no control, not only white space. */
bool store_title_valid(const char *t, long max);
/* A category name (one level of a path): 1-100 bytes of valid UTF-8, no
 * '/' and no controls. */
bool store_category_name_valid(const char *s, size_t n);
/* An article or a site link as the backend is asked to store it: WY_OK,
 * or WY_EINVAL saying what is wrong. */
int store_article_check(const wy_article *a, wy_errinfo *ei);
int store_link_check(const wy_site_link *l, wy_errinfo *ei);
/* A mail to queue: an address, one line of subject, a body of UTF-8 text,
 * within their sizes (WY_EINVAL, WY_ETOOBIG). */
int store_mail_check(const char *to, const char *subject, const char *body, wy_errinfo *ei);
/* The mail table's state names (wy_mail_state_name) read back; and the
 * mail_tokens table's kind of link. */
wy_mail_state store_mail_state_of(const char *s);
const char *store_mail_link_kind_name(wy_mail_link_kind k);

/* Accounts and limits (the backends' users and limits files). A new user
 * name: valid (wy_user_name_valid), of one script, and its confusable
 * skeleton (text/confusable.h, stored with the name so a look-alike is one
 * indexed lookup) into sk; WY_EINVAL saying what is wrong. */
#define STORE_SKELETON_BYTES 512
int store_user_name_check(const char *name, char sk[STORE_SKELETON_BYTES], wy_errinfo *ei);
/* A setting saved as a count: v, when it reads as 0..max, into *out. */
bool store_setting_count(const char *v, long long max, int64_t *out);
/* One saved setting (name, value) applied to the upload points rule: the
 * points_upload* settings that read as counts override the process's. */
void store_upload_rule_set(wy_upload_points *r, const char *name, const char *value);
/* The upload points rule for one document (store.h: wy_upload_points),
 * decided here once; a backend answers its questions and makes its
 * changes, inside its caller's transaction:
 * - doc: the document's owner (0: none, or no such document: nobody
 *   earns), the points it holds, whether it is listed (ready, public, not
 *   a near-duplicate);
 * - rule: the rule in force (the process's, over the saved settings);
 * - copy: whether another document with its bytes, or text at least
 *   similarity alike, holds points already;
 * - chars: its pages' characters, white space aside;
 * - recent: the owner's upload points of the ledger since a moment,
 *   granted less taken back;
 * - set: a ledger row of delta for the owner ("upload" or
 *   "upload_revoked") and the points the document holds now. */
typedef struct store_points_io {
	int (*doc)(void *ctx, int64_t *owner, int64_t *held, bool *listed, wy_errinfo *ei);
	int (*rule)(void *ctx, wy_upload_points *u, wy_errinfo *ei);
	int (*copy)(void *ctx, double similarity, bool *yes, wy_errinfo *ei);
	int (*chars)(void *ctx, int64_t *chars, wy_errinfo *ei);
	int (*recent)(void *ctx, int64_t owner, int64_t since, int64_t *sum, wy_errinfo *ei);
	int (*set)(void *ctx, int64_t owner, int64_t delta, const char *reason, int64_t held, wy_errinfo *ei);
} store_points_io;
int store_upload_points(const store_points_io *io, void *ctx, wy_errinfo *ei);

/* A user's rights from their row and their group's (the columns
 * STORE_PERMS_SQL reads, in its order): admins keep every right. */
/* The group of a user u: its own, else (a store older than groups, or a
 * group gone) the default one. */
#define STORE_USER_GROUP "coalesce(u.group_id, (SELECT id FROM groups WHERE is_default = 1))"
#define STORE_PERMS_SQL \
	"SELECT u.role, g.id, g.can_upload, g.can_comment, g.skip_review, g.free_download, g.upload_mb" \
	" FROM users u LEFT JOIN groups g ON g.id = " STORE_USER_GROUP
void store_perms_of(const int64_t row[7], wy_perms *out);

/* A group as the backend is asked to save it; attempt keys as
 * wy_store_attempt_take takes them (WY_EINVAL). */
int store_group_check(const wy_group *g, wy_errinfo *ei);
int store_attempt_check(const wy_attempt_key *keys, int n, int64_t window, wy_errinfo *ei);
/* Reports one account may make in any hour, of documents and comments
 * together (docs/api.md). */
#define STORE_REPORTS_PER_HOUR 20

/* The columns a document is read from (sq_read_doc; the other backends'
 * likewise), with the FROM clause that joins them.
 * The near-duplicate's original (dup_of) is read only while it is public
 * (SQ_PUBLIC): one hidden, made private, deleted or failed since is no
 * one's to name (its id and its likeness would show in the copy's page,
 * its JSON and every listing). */
#define DOC_COLUMNS_NOFROM                                                                                 \
	"d.id, d.title, d.filename, d.format, c.path, d.sha256, d.size, d.pages, d.status, d.reason, d.author," \
	" d.thumb_sha256, d.created_at, d.updated_at, d.progress_done, d.progress_total, d.views, d.downloads," \
	" d.keywords, (SELECT dd.id FROM documents dd WHERE dd.id = d.dup_of AND " SQ_PUBLIC_OF("dd") "),"      \
	" d.uploader, d.owner_id, d.private, d.state, d.description, d.tags, d.price, d.rating_sum, d.rating_n"
#define DOC_NCOLUMNS 29
#define DOC_COLUMNS DOC_COLUMNS_NOFROM " FROM documents d LEFT JOIN categories c ON c.id = d.category_id"

/* The values of store.h's enums the SQL names, as text
 * (an enum cannot be pasted into a string literal): checked at compile
 * time, so a renumbered enum fails the build, not a query. */
#define SQ_READY "2"     /* WY_DOC_READY */
#define SQ_READABLE "4"  /* WY_DOC_READABLE */
#define SQ_PUBLISHED "0" /* WY_STATE_PUBLISHED */
#define SQ_DELETED "3"   /* WY_STATE_DELETED */
#define SQ_VERSION "4"   /* WY_STATE_VERSION: a new version converting, part of its document (the backends' edit) */
_Static_assert(WY_DOC_READY == 2 && WY_DOC_READABLE == 4 && WY_STATE_PUBLISHED == 0 && WY_STATE_DELETED == 3 &&
		       WY_STATE_VERSION == 4,
	       "SQ_READY, SQ_READABLE, SQ_PUBLISHED and SQ_DELETED follow store.h");

/* Who may see a document, in SQL: the one rule of the web layer
 * (web_doc_open, web_user_can_see in web/account.c), for listings,
 * searches, related documents, blobs and paid downloads. Keep the two in
 * step.
 *
 * Open: its conversion has made it readable by others: ready, or
 * readable (its first pages stored while the rest converts: the pages
 * table holds only what may be read). Here and in web_doc_open, nowhere
 * else. A queued, converting or failed document is never open.
 * Public: open, published and not private: anyone may see it.
 * Own (account of parameter p): its owner's, not deleted, whatever its
 * status (the owner follows a conversion and sees a failure).
 * Seen by p: public, or p's own (admins see more where a statement adds
 * it: they pass a flag). */
#define SQ_OPEN_OF(a) "(" a ".status IN (" SQ_READY ", " SQ_READABLE "))"
#define SQ_PUBLIC_OF(a) "(" SQ_OPEN_OF(a) " AND " a ".state = " SQ_PUBLISHED " AND " a ".private = 0)"
#define SQ_OPEN SQ_OPEN_OF("d") /* of the statement's documents d */
#define SQ_PUBLIC SQ_PUBLIC_OF("d")
#define SQ_OWN(p) "(d.owner_id = " p " AND d.state < " SQ_DELETED ")"
#define SQ_SEEN_BY(p) "(" SQ_PUBLIC " OR " SQ_OWN(p) ")"
/* An article a (table articles) visitors may read at the time now (a
 * parameter or an expression): published (state 1) and its publishing
 * time come; a draft or a later date is the admins' alone
 * (the backends' articles; a sitemap lists the same). */
#define SQ_ARTICLE_PUBLIC(a, now) "(" a ".state = 1 AND " a ".published_at <= " now ")"
/* What an admin's lists hold when flag is set: every document, but the
 * rows of new versions (each is shown as part of its document). */
#define SQ_ADMIN_LISTS(flag) "(" flag " AND d.state != " SQ_VERSION ")"

/* What everyone may see in a listing (home, popular, related, you may
 * like, suggestions): the public documents. */
#define LISTED " " SQ_PUBLIC

#endif
