/* store/sql_rules: the store's rules written as SQL that both backends'
 * dialects read alike (SQLite and PostgreSQL): who may see a document,
 * which article is public, what an admin's lists hold, and the values of
 * store.h's enums the SQL names. One place, so the two backends cannot
 * drift apart (web/account.c holds the same rule in C). Nothing outside
 * src/store/ includes this. */
#ifndef WY_SQL_RULES_H
#define WY_SQL_RULES_H

#include "store/store.h"

/* The values of store.h's enums the SQL of both backends names, as text
 * (an enum cannot be pasted into a string literal): checked at compile
 * time, so a renumbered enum fails the build, not a query. */
#define SQ_READY "2"     /* WY_DOC_READY */
#define SQ_READABLE "4"  /* WY_DOC_READABLE */
#define SQ_PUBLISHED "0" /* WY_STATE_PUBLISHED */
#define SQ_DELETED "3"   /* WY_STATE_DELETED */
#define SQ_VERSION "4"   /* WY_STATE_VERSION: a new version converting, part of its document (sqlite_edit.c) */
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
 * (sqlite_articles.c; a sitemap lists the same). */
#define SQ_ARTICLE_PUBLIC(a, now) "(" a ".state = 1 AND " a ".published_at <= " now ")"
/* What an admin's lists hold when flag is set: every document, but the
 * rows of new versions (each is shown as part of its document). */
#define SQ_ADMIN_LISTS(flag) "(" flag " AND d.state != " SQ_VERSION ")"

/* The columns of a document each backend reads (sq_read_doc ...), with
 * the FROM clause that joins them.
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

#endif
