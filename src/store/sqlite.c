/* store/sqlite: the default backend, one SQLite database in WAL mode.
 *
 * Every statement is prepared with bound parameters; every change of more
 * than one row is one IMMEDIATE transaction, so a reader in another process
 * sees a document either before or after a conversion, never half-way.
 * Migrations are numbered and applied in order inside one transaction each;
 * PRAGMA user_version records the last one applied. */
#include "store/store.h"
#include "store/legal_pages.h"
#include "store/sqlite_int.h"
#include "core/log.h"
#include "core/util.h"
#include "text/minhash.h"
#include "text/utf8.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* Migrations: append only; never edit one that has shipped. */
static const char *const migrations[] = {
	/* 1: documents, their pages, categories and the job queue */
	"CREATE TABLE categories("
	"  id INTEGER PRIMARY KEY,"
	"  parent_id INTEGER REFERENCES categories(id),"
	"  name TEXT NOT NULL,"
	"  path TEXT NOT NULL UNIQUE);"
	"CREATE TABLE documents("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  title TEXT,"
	"  title_user INTEGER NOT NULL DEFAULT 0,"
	"  filename TEXT NOT NULL,"
	"  format TEXT,"
	"  category_id INTEGER REFERENCES categories(id),"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  size INTEGER NOT NULL,"
	"  pages INTEGER NOT NULL DEFAULT 0,"
	"  status INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT,"
	"  author TEXT,"
	"  thumb_sha256 TEXT,"
	"  progress_done INTEGER NOT NULL DEFAULT 0,"
	"  progress_total INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX documents_status ON documents(status);"
	"CREATE TABLE pages("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  page_no INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  image_sha256 TEXT NOT NULL,"
	"  width INTEGER NOT NULL,"
	"  height INTEGER NOT NULL,"
	"  PRIMARY KEY(doc_id, page_no)) WITHOUT ROWID;"
	"CREATE TABLE jobs("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  state TEXT NOT NULL CHECK(state IN ('queued','running','done','failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  worker TEXT,"
	"  lease_until INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX jobs_state ON jobs(state, id);",

	/* 2: the default category tree of a Chinese document site (a library
	 * that made some of these already keeps its own) */
	"INSERT OR IGNORE INTO categories(parent_id, name, path) VALUES"
	" (NULL,'教育资料','教育资料'),(NULL,'资格与职业考试','资格与职业考试'),(NULL,'论文','论文'),"
	" (NULL,'行业资料','行业资料'),(NULL,'公文与办公','公文与办公'),(NULL,'电子书','电子书'),"
	" (NULL,'生活休闲','生活休闲');"
	"WITH c(parent, name) AS (VALUES"
	" ('教育资料','幼儿教育'),('教育资料','小学'),('教育资料','初中'),('教育资料','高中'),('教育资料','大学'),"
	" ('资格与职业考试','公务员考试'),('资格与职业考试','教师资格'),('资格与职业考试','会计'),"
	" ('资格与职业考试','其它'),('论文','毕业论文'),('论文','学术论文'),('行业资料','计算机'),"
	" ('行业资料','金融'),('行业资料','医疗'),('行业资料','法律'),('行业资料','建筑'),"
	" ('公文与办公','工作总结'),('公文与办公','计划方案'),('公文与办公','合同协议'),('公文与办公','应用文书'),"
	" ('电子书','文学'),('电子书','历史'),('电子书','科普'),('生活休闲','健康'),('生活休闲','美食'),"
	" ('生活休闲','旅游'))"
	" INSERT OR IGNORE INTO categories(parent_id, name, path)"
	" SELECT p.id, c.name, p.path || '/' || c.name FROM c JOIN categories p ON p.path = c.parent;",

	/* 3: how often each document was viewed and downloaded */
	"ALTER TABLE documents ADD COLUMN views INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE documents ADD COLUMN downloads INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX documents_views ON documents(views);",

	/* 4: where each character sits on its page (search hits are marked on
	 * the page images) */
	"ALTER TABLE pages ADD COLUMN boxes BLOB;",

	/* 5: full-text search (sqlite_search.c), keywords, near-duplicates,
	 * and what people searched and read. Filled by 10's hook. */
	"ALTER TABLE documents ADD COLUMN keywords TEXT;"
	"ALTER TABLE documents ADD COLUMN dup_of INTEGER;"
	"ALTER TABLE documents ADD COLUMN minhash BLOB;"
	"ALTER TABLE documents ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE documents ADD COLUMN uploader TEXT;"
	"CREATE VIRTUAL TABLE page_fts USING fts5(body, content='', tokenize='wenyuan');"
	"CREATE VIRTUAL TABLE doc_fts USING fts5(title, keywords, content='', tokenize='wenyuan');"
	"CREATE VIRTUAL TABLE page_vocab USING fts5vocab(page_fts, 'row');"
	"CREATE TABLE minhash_bands("
	"  band INTEGER NOT NULL, hash INTEGER NOT NULL,"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  PRIMARY KEY(band, hash, doc_id)) WITHOUT ROWID;"
	"CREATE TABLE searches(query TEXT PRIMARY KEY, n INTEGER NOT NULL, last_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE search_clicks("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  query TEXT NOT NULL, n INTEGER NOT NULL, last_at INTEGER NOT NULL,"
	"  PRIMARY KEY(doc_id, query)) WITHOUT ROWID;"
	"CREATE TABLE visits("
	"  visitor INTEGER NOT NULL,"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY(visitor, doc_id)) WITHOUT ROWID;"
	"CREATE INDEX visits_doc ON visits(doc_id, at);",

	/* 6: accounts and what they do (sqlite_users.c): sessions, who owns a
	 * document and who may see it, favorites, downloads, the points
	 * ledger, reports, the admins' audit log and site settings */
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  pass TEXT NOT NULL,"
	"  role INTEGER NOT NULL DEFAULT 0,"
	"  banned INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE sessions("
	"  hash BLOB PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  csrf TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"ALTER TABLE documents ADD COLUMN owner_id INTEGER;"
	"ALTER TABLE documents ADD COLUMN private INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE documents ADD COLUMN state INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE documents ADD COLUMN description TEXT;"
	"ALTER TABLE documents ADD COLUMN tags TEXT;"
	"ALTER TABLE documents ADD COLUMN price INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE documents ADD COLUMN upload_points INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX documents_owner ON documents(owner_id, id) WHERE owner_id IS NOT NULL;"
	"CREATE INDEX documents_state ON documents(state, id);"
	"CREATE INDEX documents_unpaid ON documents(id) WHERE owner_id IS NOT NULL AND upload_points = 0;"
	"CREATE INDEX documents_thumb ON documents(thumb_sha256);"
	"CREATE INDEX pages_image ON pages(image_sha256);"
	"CREATE TABLE favorites("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY(user_id, doc_id)) WITHOUT ROWID;"
	"CREATE INDEX favorites_doc ON favorites(doc_id);"
	"CREATE TABLE downloads("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY(user_id, doc_id)) WITHOUT ROWID;"
	"CREATE TABLE ledger("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  delta INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  doc_id INTEGER,"
	"  other_id INTEGER,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX ledger_user ON ledger(user_id, id);"
	"CREATE TABLE signins(user_id INTEGER NOT NULL, day INTEGER NOT NULL, PRIMARY KEY(user_id, day)) WITHOUT ROWID;"
	"CREATE TABLE reports("
	"  id INTEGER PRIMARY KEY,"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  reason TEXT NOT NULL,"
	"  detail TEXT,"
	"  at INTEGER NOT NULL,"
	"  open INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX reports_open ON reports(open, id);"
	"CREATE TABLE audit("
	"  id INTEGER PRIMARY KEY,"
	"  admin_id INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  target TEXT,"
	"  detail TEXT,"
	"  at INTEGER NOT NULL);"
	"CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",

	/* 7: the same bytes may be several documents (each uploader's own
	 * title, owner, visibility and category; one blob): sha256 is no
	 * longer unique. SQLite cannot drop a column's UNIQUE, so the table
	 * is rebuilt (migrate() runs with foreign keys off: dropping the old
	 * table must not cascade to pages, jobs, favorites ...). The ids stay,
	 * and so does the AUTOINCREMENT high-water mark: a number is never
	 * reused. */
	"CREATE TABLE documents_new("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  title TEXT,"
	"  title_user INTEGER NOT NULL DEFAULT 0,"
	"  filename TEXT NOT NULL,"
	"  format TEXT,"
	"  category_id INTEGER REFERENCES categories(id),"
	"  sha256 TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  pages INTEGER NOT NULL DEFAULT 0,"
	"  status INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT,"
	"  author TEXT,"
	"  thumb_sha256 TEXT,"
	"  progress_done INTEGER NOT NULL DEFAULT 0,"
	"  progress_total INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  views INTEGER NOT NULL DEFAULT 0,"
	"  downloads INTEGER NOT NULL DEFAULT 0,"
	"  keywords TEXT,"
	"  dup_of INTEGER,"
	"  minhash BLOB,"
	"  indexed INTEGER NOT NULL DEFAULT 0,"
	"  uploader TEXT,"
	"  owner_id INTEGER,"
	"  private INTEGER NOT NULL DEFAULT 0,"
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  description TEXT,"
	"  tags TEXT,"
	"  price INTEGER NOT NULL DEFAULT 0,"
	"  upload_points INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO documents_new(id, title, title_user, filename, format, category_id, sha256, size, pages, status,"
	"  reason, author, thumb_sha256, progress_done, progress_total, created_at, updated_at, views, downloads,"
	"  keywords, dup_of, minhash, indexed, uploader, owner_id, private, state, description, tags, price,"
	"  upload_points)"
	" SELECT id, title, title_user, filename, format, category_id, sha256, size, pages, status,"
	"  reason, author, thumb_sha256, progress_done, progress_total, created_at, updated_at, views, downloads,"
	"  keywords, dup_of, minhash, indexed, uploader, owner_id, private, state, description, tags, price,"
	"  upload_points FROM documents;"
	"DELETE FROM sqlite_sequence WHERE name = 'documents_new';"
	"INSERT INTO sqlite_sequence(name, seq) SELECT 'documents_new', seq FROM sqlite_sequence WHERE name = 'documents';"
	"DROP TABLE documents;"
	"ALTER TABLE documents_new RENAME TO documents;"
	"CREATE INDEX documents_status ON documents(status);"
	"CREATE INDEX documents_views ON documents(views);"
	"CREATE INDEX documents_owner ON documents(owner_id, id) WHERE owner_id IS NOT NULL;"
	"CREATE INDEX documents_state ON documents(state, id);"
	"CREATE INDEX documents_unpaid ON documents(id) WHERE owner_id IS NOT NULL AND upload_points = 0;"
	"CREATE INDEX documents_thumb ON documents(thumb_sha256);"
	"CREATE INDEX documents_sha256 ON documents(sha256);",

	/* 8: each user name's confusable skeleton (text/confusable.h), so a
	 * new name that looks like a taken one is found by one indexed lookup
	 * (sqlite_users.c says why it is stored); the hook fills it in */
	"ALTER TABLE users ADD COLUMN skeleton TEXT;"
	"CREATE INDEX users_skeleton ON users(skeleton);",

	/* 9: whose turn it is in the queue: the order in which accounts last
	 * had a job claimed (0: imported documents), so that jobs are taken
	 * round-robin between accounts (sqlite_jobs.c) */
	"CREATE TABLE queue_turns(owner_id INTEGER PRIMARY KEY, turn INTEGER NOT NULL);",

	/* 10: titles by their pinyin and its initials (text/pinyin.h); and
	 * the tokenizer bridges CJK runs across punctuation, spaces and line
	 * breaks (text/tokenize.h, WY_TOK_BRIDGE): the hook rebuilds the whole
	 * index, these tables with it */
	"CREATE VIRTUAL TABLE title_py1 USING fts5(title, content='', tokenize='wenyuan_pinyin first');"
	"CREATE VIRTUAL TABLE title_ini1 USING fts5(title, content='', tokenize='wenyuan_pinyin initials first');"
	"CREATE VIRTUAL TABLE title_py USING fts5(title, content='', tokenize='wenyuan_pinyin');"
	"CREATE VIRTUAL TABLE title_ini USING fts5(title, content='', tokenize='wenyuan_pinyin initials');",

	/* 11: a job either converts its document (ocr_from 0) or recognises
	 * the scanned pages ocr_from..ocr_to of a ready one, after every
	 * conversion queued (sqlite_jobs.c) */
	"ALTER TABLE jobs ADD COLUMN ocr_from INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE jobs ADD COLUMN ocr_to INTEGER NOT NULL DEFAULT 0;",

	/* 12: the HTTP request that queued a job (the worker's log lines
	 * about it carry its id); and the counters workers keep for the
	 * server's /metrics (sqlite_counts_each), added to in the
	 * transaction that ends a job */
	"ALTER TABLE jobs ADD COLUMN request_id TEXT;"
	"CREATE TABLE counters(name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL,"
	"  PRIMARY KEY(name, labels)) WITHOUT ROWID;",

	/* 13: a document's outline (bookmarks, table of contents), one row
	 * per entry in reading order (seq from 0), replaced when a conversion
	 * is published (sqlite_outline.c) */
	"CREATE TABLE outlines("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  depth INTEGER NOT NULL,"
	"  page INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  PRIMARY KEY(doc_id, seq)) WITHOUT ROWID;",

	/* 14: readers' ratings (1-5 stars, one per reader and document) and
	 * comments (sqlite_comments.c). A document's sum and count of stars
	 * are kept on its row, changed in the transaction of each rating, so
	 * a listing shows the average without a join. A comment's parent is a
	 * top comment (replies are one level deep); state 0 published, 1
	 * pending (waiting for an admin), 2 hidden. A report may name a
	 * comment of its document (no foreign key: a deleted comment's
	 * reports are closed, and say it is gone); AUTOINCREMENT: a comment's
	 * id is never given to a later one, so such a report, a #cN link or a
	 * log line never names another's comment. */
	"ALTER TABLE documents ADD COLUMN rating_sum INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE documents ADD COLUMN rating_n INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE ratings("
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  stars INTEGER NOT NULL CHECK(stars BETWEEN 1 AND 5),"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY(doc_id, user_id)) WITHOUT ROWID;"
	"CREATE TABLE comments("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  parent_id INTEGER REFERENCES comments(id) ON DELETE CASCADE,"
	"  text TEXT NOT NULL,"
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX comments_doc ON comments(doc_id, parent_id, id);"
	"CREATE INDEX comments_parent ON comments(parent_id) WHERE parent_id IS NOT NULL;"
	"CREATE INDEX comments_user ON comments(user_id, created_at);"
	"CREATE INDEX comments_pending ON comments(id) WHERE state = 1;"
	"ALTER TABLE reports ADD COLUMN comment_id INTEGER;",

	/* 15: collections (专辑, sqlite_collections.c): a user's named,
	 * ordered lists of documents, public or private. An item's position
	 * runs 1..n without gaps: a move shifts the items between in its
	 * transaction, and the trigger closes the gap any deletion leaves (a
	 * removal, or a document purged: its items go by cascade). favorites
	 * is the count of collection_favorites' rows, kept in the transaction
	 * that adds or removes one, so the listing "most favorited" reads a
	 * column. */
	"CREATE TABLE collections("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  owner_id INTEGER NOT NULL REFERENCES users(id),"
	"  name TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  public INTEGER NOT NULL DEFAULT 0,"
	"  favorites INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX collections_owner ON collections(owner_id, id);"
	"CREATE INDEX collections_public ON collections(public, id);"
	"CREATE INDEX collections_popular ON collections(public, favorites, id);"
	"CREATE TABLE collection_items("
	"  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  position INTEGER NOT NULL,"
	"  added_at INTEGER NOT NULL,"
	"  PRIMARY KEY(collection_id, doc_id)) WITHOUT ROWID;"
	"CREATE INDEX collection_items_order ON collection_items(collection_id, position);"
	"CREATE INDEX collection_items_doc ON collection_items(doc_id);"
	"CREATE TRIGGER collection_items_dense AFTER DELETE ON collection_items BEGIN"
	"  UPDATE collection_items SET position = position - 1"
	"   WHERE collection_id = OLD.collection_id AND position > OLD.position;"
	" END;"
	"CREATE TABLE collection_favorites("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY(user_id, collection_id)) WITHOUT ROWID;"
	"CREATE INDEX collection_favorites_coll ON collection_favorites(collection_id);",

	/* 16: a document's new version (its owner replaced the original)
	 * converts as a row of its own, state WY_STATE_VERSION (nobody's to
	 * see but admins'), version_of naming the document it will replace:
	 * at most one per document, gone with it; swapped in by the end of
	 * its conversion (sqlite_edit.c), which sends the document back to
	 * review when version_review says the site reviewed its upload */
	"ALTER TABLE documents ADD COLUMN version_of INTEGER REFERENCES documents(id) ON DELETE CASCADE;"
	"ALTER TABLE documents ADD COLUMN version_review INTEGER NOT NULL DEFAULT 0;"
	"CREATE UNIQUE INDEX documents_version_of ON documents(version_of) WHERE version_of IS NOT NULL;",

	/* 17: the recycle bin (sqlite_recycle.c): when a document was
	 * deleted, by whom (its owner, or an admin) and the state it had
	 * before, which a restore gives back; documents kept there past
	 * recycle_days are purged (their rows go, with everything that
	 * refers to them ON DELETE CASCADE) */
	"ALTER TABLE documents ADD COLUMN deleted_at INTEGER;"
	"ALTER TABLE documents ADD COLUMN deleted_by INTEGER;"
	"ALTER TABLE documents ADD COLUMN state_before INTEGER;"
	"UPDATE documents SET deleted_at = updated_at WHERE state = " SQ_DELETED ";"
	"CREATE INDEX documents_deleted ON documents(deleted_at) WHERE deleted_at IS NOT NULL;",

	/* 18: articles and site links (sqlite_articles.c). An article is
	 * Markdown an admin writes (notices, help, about us, the legal
	 * pages), public when state is 1 and published_at has come
	 * (SQ_ARTICLE_PUBLIC); the user agreement, privacy policy and
	 * disclaimer exist from the start with a default text. site_links:
	 * the header's navigation (kind 0), the home page's banners (1) and
	 * the footer's friend links (2), in position order */
	"CREATE TABLE articles("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  kind TEXT NOT NULL DEFAULT 'notice',"
	"  body_md TEXT NOT NULL DEFAULT '',"
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  published_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  author_id INTEGER REFERENCES users(id) ON DELETE SET NULL);"
	"CREATE INDEX articles_public ON articles(state, published_at);"
	"CREATE TABLE site_links("
	"  id INTEGER PRIMARY KEY,"
	"  kind INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  url TEXT NOT NULL,"
	"  image TEXT NOT NULL DEFAULT '',"
	"  position INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX site_links_kind ON site_links(kind, position);"
	"INSERT INTO articles(slug, title, kind, body_md, state, published_at, created_at, updated_at)"
	" SELECT column1, column2, 'legal', column3, 1, t, t, t FROM (VALUES " WY_LEGAL_PAGES "),"
	" (SELECT CAST(strftime('%s', 'now') AS INTEGER) AS t);",
	/* 19: captchas (sqlite_captcha.c): one drawn for a form (form: its
	 * web_captcha_form number), bound to the visitor's form token (its
	 * SHA-256), answered at most once (used), by expires_at; the answer
	 * is kept only as a hash, the image it was drawn as to be sent */
	"CREATE TABLE captchas("
	"  id TEXT PRIMARY KEY,"
	"  answer_hash BLOB NOT NULL,"
	"  token_hash BLOB NOT NULL,"
	"  form INTEGER NOT NULL,"
	"  image BLOB NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE INDEX captchas_expires ON captchas(expires_at);",
	/* 20: mail (sqlite_mail.c): an account's address (without case;
	 * unique among verified ones only, so an address someone gave and
	 * never verified does not keep its owner out) and when it was
	 * verified; the queue of mail to send
	 * (state queued, sending (claimed until next_at), sent or failed),
	 * and the single-use links mailed (verify an address, reset a
	 * password), kept as the SHA-256 of their token */
	"ALTER TABLE users ADD COLUMN email TEXT COLLATE NOCASE;"
	"ALTER TABLE users ADD COLUMN email_verified_at INTEGER;"
	"CREATE UNIQUE INDEX users_email ON users(email) WHERE email_verified_at IS NOT NULL;"
	"CREATE TABLE mail("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  to_addr TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK(state IN ('queued', 'sending', 'sent', 'failed')),"
	"  tries INTEGER NOT NULL DEFAULT 0,"
	"  next_at INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"CREATE INDEX mail_due ON mail(next_at) WHERE state IN ('queued', 'sending');"
	"CREATE INDEX mail_to ON mail(to_addr COLLATE NOCASE, created_at);"
	"CREATE TABLE mail_tokens("
	"  hash BLOB PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK(kind IN ('verify', 'reset')),"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  email TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  used_at INTEGER) WITHOUT ROWID;"
	"CREATE INDEX mail_tokens_user ON mail_tokens(user_id, kind);"
	"CREATE INDEX mail_tokens_expires ON mail_tokens(expires_at);",


	/* 21: user groups and the download log (sqlite_limits.c). A group
	 * says what its members may do; exactly one is the default, which
	 * new accounts join (the trigger: whoever inserts a user needs not
	 * know of groups) and the members of a deleted group move to.
	 * download_log has a row for every download started (a signed link
	 * given, or a file sent to an API client), which the daily limits
	 * count in the transaction that adds the row; user_id NULL for a
	 * visitor. link_key holds the secret download links are signed
	 * with, made at first use, shared by every serve process. */
	"CREATE TABLE groups("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  can_upload INTEGER NOT NULL DEFAULT 1,"
	"  can_comment INTEGER NOT NULL DEFAULT 1,"
	"  skip_review INTEGER NOT NULL DEFAULT 0,"
	"  free_download INTEGER NOT NULL DEFAULT 0,"
	"  upload_mb INTEGER NOT NULL DEFAULT 0,"
	"  is_default INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX groups_default ON groups(is_default) WHERE is_default = 1;"
	"INSERT INTO groups(name, is_default) VALUES('普通用户', 1);"
	"ALTER TABLE users ADD COLUMN group_id INTEGER REFERENCES groups(id);"
	"UPDATE users SET group_id = (SELECT id FROM groups WHERE is_default = 1);"
	"CREATE INDEX users_group ON users(group_id);"
	"CREATE TRIGGER users_default_group AFTER INSERT ON users WHEN NEW.group_id IS NULL BEGIN"
	"  UPDATE users SET group_id = (SELECT id FROM groups WHERE is_default = 1) WHERE id = NEW.id;"
	" END;"
	"CREATE TABLE download_log("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER REFERENCES users(id),"
	"  ip TEXT NOT NULL,"
	"  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX download_log_user ON download_log(user_id, at) WHERE user_id IS NOT NULL;"
	"CREATE INDEX download_log_ip ON download_log(ip, at);"
	"CREATE INDEX download_log_at ON download_log(at);"
	"CREATE INDEX download_log_doc ON download_log(doc_id);"
	"CREATE TABLE link_key(id INTEGER PRIMARY KEY CHECK(id = 1), key BLOB NOT NULL);",

	/* 22: searches per day (China's day, as sign-ins count it), for the
	 * admin dashboard: the searches table keeps each query's count and
	 * last time only. Counted from this version on. */
	"CREATE TABLE search_days(day INTEGER PRIMARY KEY, n INTEGER NOT NULL);",
	/* 23: the sitemap's parts of documents and collections, kept by
	 * triggers (sqlite_sitemap.c: sq_sitemap_setup, the hook) */
	"",
};

/* Work a migration needs done in C, in its transaction, after its SQL. */
static int index_existing(wy_store *st, wy_errinfo *ei) { return sq_reindex_all(st, NULL, NULL, ei); }

static int (*const migration_hooks[])(wy_store *, wy_errinfo *) = {
	/* 5 made the index; 10 rebuilds it (the index of today needs 10's
	 * tables), so a store from before 5 is indexed once, by 10 */
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, sq_user_skeletons, NULL, index_existing, NULL, NULL,
	NULL, NULL /* 14 */, NULL /* 15 */, NULL /* 16 */, NULL /* 17 */, NULL /* 18 */, NULL /* 19 */,
	NULL /* 20 */, NULL /* 21 */, NULL /* 22 */, sq_sitemap_setup /* 23 */,
};
_Static_assert(sizeof migration_hooks / sizeof migration_hooks[0] == sizeof migrations / sizeof migrations[0],
	       "a hook slot for every migration");

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int sq_fail(sqlite3 *db, wy_errinfo *ei, const char *what)
{
	wy_store_failure_count();
	int ec = sqlite3_errcode(db);
	int code = (ec == SQLITE_BUSY || ec == SQLITE_LOCKED) ? WY_EBUSY
		 : (ec == SQLITE_FULL || ec == SQLITE_IOERR) ? WY_EIO
		 : (ec == SQLITE_CORRUPT || ec == SQLITE_NOTADB) ? WY_ECORRUPT
		 : WY_ESTORE;
	return wy_err_set(ei, code, "store: %s: %s", what, sqlite3_errmsg(db));
}

int sq_exec(wy_store *st, const char *sql, wy_errinfo *ei)
{
	if (sqlite3_exec(SQ(st)->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sq_fail(SQ(st)->db, ei, sql);
	return WY_OK;
}

int sq_prep(wy_store *st, sqlite3_stmt **s, const char *sql, wy_errinfo *ei)
{
	for (int i = 0; i < SQ(st)->ncache; i++)
		if (!SQ(st)->cache[i].busy && strcmp(SQ(st)->cache[i].sql, sql) == 0) {
			SQ(st)->cache[i].busy = true;
			*s = SQ(st)->cache[i].s;
			return WY_OK;
		}
	if (sqlite3_prepare_v3(SQ(st)->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
		return sq_fail(SQ(st)->db, ei, "prepare");
	if (SQ(st)->ncache < STMT_CACHE) {
		SQ(st)->cache[SQ(st)->ncache].sql = wy_xstrdup(sql);
		SQ(st)->cache[SQ(st)->ncache].s = *s;
		SQ(st)->cache[SQ(st)->ncache].busy = true;
		SQ(st)->ncache++;
	}
	return WY_OK;
}

static int bind_ints(wy_store *st, sqlite3_stmt **s, const char *sql, const int64_t *v, int nv, wy_errinfo *ei)
{
	int rc = sq_prep(st, s, sql, ei);
	for (int i = 0; !rc && i < nv; i++)
		sqlite3_bind_int64(*s, i + 1, v[i]);
	return rc;
}

int sq_exec_ints(wy_store *st, const char *sql, const int64_t *v, int nv, int *changed, const char *what,
                 wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = bind_ints(st, &s, sql, v, nv, ei);
	if (rc)
		return rc;
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, what);
	else if (changed)
		*changed = sqlite3_changes(SQ(st)->db);
	sq_done(st, s);
	return rc;
}

int sq_row_ints(wy_store *st, const char *sql, const int64_t *v, int nv, int64_t *out, int n, bool *found,
                const char *what, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = bind_ints(st, &s, sql, v, nv, ei);
	if (rc)
		return rc;
	int step = sqlite3_step(s);
	for (int i = 0; i < n; i++)
		out[i] = step == SQLITE_ROW ? sqlite3_column_int64(s, i) : 0;
	if (found)
		*found = step == SQLITE_ROW;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, what);
	sq_done(st, s);
	return rc;
}

/* Done with a statement from prep: a cached one is reset for the next use,
 * any other finalized. NULL is a no-op. */
void sq_done(wy_store *st, sqlite3_stmt *s)
{
	if (!s)
		return;
	for (int i = 0; i < SQ(st)->ncache; i++)
		if (SQ(st)->cache[i].s == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			SQ(st)->cache[i].busy = false;
			return;
		}
	sqlite3_finalize(s);
}

int sq_begin(wy_store *st, wy_errinfo *ei) { return sq_exec(st, "BEGIN IMMEDIATE", ei); }
void sq_rollback(wy_store *st)
{
	if (!sqlite3_get_autocommit(SQ(st)->db))
		sqlite3_exec(SQ(st)->db, "ROLLBACK", NULL, NULL, NULL);
}

int sq_end(wy_store *st, int rc, wy_errinfo *ei)
{
	if (rc) {
		sq_rollback(st);
		return rc;
	}
	return sq_commit(st, ei);
}

/* A COMMIT that fails (SQLITE_BUSY, a full disk) can leave the transaction
 * open, holding the write lock for good: roll it back. */
int sq_commit(wy_store *st, wy_errinfo *ei)
{
	int rc = sq_exec(st, "COMMIT", ei);
	if (rc)
		sq_rollback(st);
	return rc;
}

char *sq_col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? wy_xstrdup((const char *)t) : NULL;
}

void sq_col_sha(sqlite3_stmt *s, int i, char out[65])
{
	const unsigned char *t = sqlite3_column_text(s, i);
	snprintf(out, 65, "%s", t ? (const char *)t : "");
}

void sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static int user_version(wy_store *st, int *v, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "PRAGMA user_version", ei);
	if (rc)
		return rc;
	*v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sq_done(st, s);
	return WY_OK;
}

/* Each step reads the version inside its own write transaction, so two
 * processes opening a new store at once never apply a step twice. Foreign
 * keys are off until every step is applied (wy_sqlite_open): a step that
 * rebuilds a table drops the old one, which with them on would delete,
 * by cascade, every row that refers to it. */
static int migrate(wy_store *st, wy_errinfo *ei)
{
	for (;;) {
		int v, rc;
		if ((rc = sq_begin(st, ei)))
			return rc;
		if ((rc = user_version(st, &v, ei)))
			goto fail;
		if (v > NMIGRATIONS) {
			rc = wy_err_set(ei, WY_ESTORE, "store: schema version %d is newer than this wenyuan (%d)", v,
					NMIGRATIONS);
			goto fail;
		}
		if (v == NMIGRATIONS) {
			sq_rollback(st);
			break;
		}
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
		if ((rc = sq_exec(st, migrations[v], ei)) ||
		    (migration_hooks[v] && (rc = migration_hooks[v](st, ei))) || (rc = sq_exec(st, pragma, ei)) ||
		    (rc = sq_commit(st, ei)))
			goto fail;
		wy_log("store.migrate", "version=%d", v + 1);
		continue;
	fail:
		sq_rollback(st);
		return rc;
	}
	SQ(st)->version = NMIGRATIONS;
	return WY_OK;
}

/* Switch to WAL and check that it took: SQLite answers with the mode in
 * force rather than failing (a file system without shared memory keeps the
 * rollback journal). */
static int wal_mode(wy_store *st, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "PRAGMA journal_mode=WAL", ei);
	if (rc)
		return rc;
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(s, 0);
		if (!mode || sqlite3_stricmp(mode, "wal") != 0)
			rc = wy_err_set(ei, WY_ESTORE, "store: the database cannot use WAL mode here (journal mode %s)",
					mode ? mode : "?");
	} else {
		rc = sq_fail(SQ(st)->db, ei, "PRAGMA journal_mode=WAL");
	}
	sq_done(st, s);
	return rc;
}

/* SQLite keeps memory statistics behind one global mutex, taken on every
 * allocation: the web server's threads would queue on it. We do not read
 * those statistics, so they go, once, before SQLite initialises. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

#define SQ_INIT(ret, pub, name, params, args) .name = sqlite_##name,
static const wy_store_ops sqlite_ops = {.kind = "sqlite", WY_STORE_OPS(SQ_INIT, SQ_INIT)};
#undef SQ_INIT

int wy_sqlite_open(const char *location, wy_store **out, wy_errinfo *ei)
{
	pthread_once(&sqlite_once, sqlite_setup);
	*out = NULL;
	if (wy_mkdir_p(location, 0755))
		return wy_err_set(ei, WY_EIO, "store: cannot create directory %s", location);
	char *path = wy_xasprintf("%s/wenyuan.db", location);
	sq_store *sst = wy_xcalloc(1, sizeof *sst);
	sst->base.ops = &sqlite_ops;
	wy_store *st = &sst->base;
	int rc;
	if (sqlite3_open_v2(path, &SQ(st)->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = wy_err_set(ei, WY_EIO, "store: cannot open %s: %s", path,
				SQ(st)->db ? sqlite3_errmsg(SQ(st)->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(SQ(st)->db, 30000);
	sqlite3_extended_result_codes(SQ(st)->db, 0);
	/* WAL lets the web server read while a worker publishes. Switching a
	 * new database to WAL needs it to itself, and SQLite does not wait for
	 * that: when two processes open a new store at once, try again. */
	for (int tries = 0;; tries++) {
		rc = wal_mode(st, ei);
		if (rc != WY_EBUSY || tries >= 200)
			break;
		usleep(50 * 1000);
	}
	if (rc || (rc = sq_exec(st, "PRAGMA synchronous=NORMAL", ei)) ||
	    (rc = sq_exec(st, "PRAGMA foreign_keys=OFF", ei)) || (rc = sq_register_fts(st, ei)))
		goto fail;
	if ((rc = migrate(st, ei)) || (rc = sq_exec(st, "PRAGMA foreign_keys=ON", ei)))
		goto fail;
	free(path);
	*out = st;
	return WY_OK;
fail:
	free(path);
	sqlite_close(st);
	return rc;
}

void sqlite_close(wy_store *st)
{
	if (!st)
		return;
	for (int i = 0; i < SQ(st)->ncache; i++) {
		sqlite3_finalize(SQ(st)->cache[i].s);
		free(SQ(st)->cache[i].sql);
	}
	sqlite3_close_v2(SQ(st)->db);
	free(SQ(st));
}

int sqlite_schema_version(wy_store *st) { return SQ(st)->version; }

int sqlite_ping(wy_store *st, wy_errinfo *ei) { return sq_exec(st, "SELECT 1 FROM documents LIMIT 1", ei); }

int sqlite_stats_get(wy_store *st, wy_store_stats *out, wy_errinfo *ei)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "SELECT (SELECT count(*) FROM users),"
			 " (SELECT count(*) FROM jobs WHERE state='queued' AND ocr_from=0),"
			 " (SELECT count(*) FROM jobs WHERE state='queued' AND ocr_from>0),"
			 " (SELECT count(*) FROM jobs WHERE state='running'),"
			 " (SELECT coalesce(?1 - min(created_at), 0) FROM jobs WHERE state='queued')",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, wy_now());
	if (sqlite3_step(s) == SQLITE_ROW) {
		out->users = sqlite3_column_int64(s, 0);
		out->jobs_queued = sqlite3_column_int64(s, 1);
		out->batches_queued = sqlite3_column_int64(s, 2);
		out->jobs_running = sqlite3_column_int64(s, 3);
		out->oldest_wait = sqlite3_column_int64(s, 4);
	} else {
		rc = sq_fail(SQ(st)->db, ei, "stats");
	}
	sq_done(st, s);
	return rc;
}

int sqlite_doc_formats(wy_store *st, void (*cb)(void *ctx, wy_doc_status status, const char *format, int64_t n),
			void *ctx, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT status, format, count(*) FROM documents GROUP BY status, format", ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		cb(ctx, (wy_doc_status)sqlite3_column_int(s, 0), (const char *)sqlite3_column_text(s, 1),
		   sqlite3_column_int64(s, 2));
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "count documents");
	sq_done(st, s);
	return rc;
}

int sqlite_backup(wy_store *st, const char *dir, wy_errinfo *ei)
{
	char *tmp = wy_xasprintf("%s/wenyuan.db.part", dir), *dst = wy_xasprintf("%s/wenyuan.db", dir);
	sqlite3 *db = NULL;
	int rc = WY_OK;
	unlink(tmp);
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = wy_err_set(ei, WY_EIO, "backup: cannot create %s: %s", tmp, db ? sqlite3_errmsg(db) : "no memory");
		goto out;
	}
	/* all pages in one step: one read transaction, one snapshot (WAL lets
	 * writers go on meanwhile); stepping in parts would restart on every
	 * write another connection makes */
	sqlite3_backup *b = sqlite3_backup_init(db, "main", SQ(st)->db, "main");
	if (!b) {
		rc = wy_err_set(ei, WY_EIO, "backup: %s", sqlite3_errmsg(db));
		goto out;
	}
	int step = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE || sqlite3_errcode(db) != SQLITE_OK) {
		rc = wy_err_set(ei, WY_EIO, "backup: %s", sqlite3_errstr(step == SQLITE_DONE ? sqlite3_errcode(db) : step));
		goto out;
	}
	/* a copy that stands alone: no WAL beside it */
	if (sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = wy_err_set(ei, WY_EIO, "backup: %s", sqlite3_errmsg(db));
		goto out;
	}
out:
	if (db && sqlite3_close(db) != SQLITE_OK && !rc)
		rc = wy_err_set(ei, WY_EIO, "backup: cannot close the copy");
	if (!rc && rename(tmp, dst) != 0)
		rc = wy_err_set(ei, WY_EIO, "backup: cannot rename %s: %s", tmp, strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	free(dst);
	return rc;
}

/* Find or create the category at path "a/b/c", one row per level. */
static int category_ensure(wy_store *st, const char *path, int64_t *id, wy_errinfo *ei)
{
	int64_t parent = 0;
	const char *p = path;
	char prefix[1024] = "";
	size_t plen = 0;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > 0) {
			if (!store_category_name_valid(p, n))
				return wy_err_set(ei, WY_EINVAL, "'%.*s' is not a category name", (int)(n > 100 ? 100 : n), p);
			if (plen + n + 2 > sizeof prefix)
				return wy_err_set(ei, WY_ETOOBIG, "category path is too long");
			if (plen)
				prefix[plen++] = '/';
			memcpy(prefix + plen, p, n);
			plen += n;
			prefix[plen] = 0;
			sqlite3_stmt *s;
			int rc = sq_prep(st, &s,
				      "INSERT INTO categories(parent_id, name, path) VALUES(?1, ?2, ?3) "
				      "ON CONFLICT(path) DO UPDATE SET path=excluded.path RETURNING id",
				      ei);
			if (rc)
				return rc;
			if (parent)
				sqlite3_bind_int64(s, 1, parent);
			else
				sqlite3_bind_null(s, 1);
			sqlite3_bind_text(s, 2, p, (int)n, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 3, prefix, (int)plen, SQLITE_TRANSIENT);
			if (sqlite3_step(s) != SQLITE_ROW) {
				rc = sq_fail(SQ(st)->db, ei, "category");
				sq_done(st, s);
				return rc;
			}
			parent = sqlite3_column_int64(s, 0);
			sq_done(st, s);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	*id = parent;
	return WY_OK;
}

int sq_queue_job(wy_store *st, int64_t doc_id, int ocr_from, int ocr_to, const char *request_id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "INSERT INTO jobs(doc_id, state, created_at, updated_at, ocr_from, ocr_to, request_id)"
			 " VALUES(?1, 'queued', ?2, ?2, ?3, ?4, ?5)",
			 ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int64(s, 2, wy_now());
	sqlite3_bind_int(s, 3, ocr_from);
	sqlite3_bind_int(s, 4, ocr_to);
	sq_bind_text(s, 5, request_id && *request_id ? request_id : NULL);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "queue job");
	sq_done(st, s);
	return rc;
}

int sqlite_doc_add(wy_store *st, const wy_doc_new *in, int64_t *id, bool *existed, wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int rc;
	int64_t now = wy_now(), cat = 0;
	*existed = false;
	if ((rc = sq_begin(st, ei)))
		return rc;
	/* Only the uploader's own document counts as the same: another
	 * account's (private, say) must neither be revealed nor stop this one
	 * being published. A deleted one is gone for its owner too. */
	if ((rc = sq_prep(st, &s,
		       "SELECT id FROM documents WHERE sha256=?1 AND owner_id IS ?2 AND state < 3 ORDER BY id LIMIT 1",
		       ei)))
		goto fail;
	sq_bind_text(s, 1, in->sha256);
	if (in->owner_id)
		sqlite3_bind_int64(s, 2, in->owner_id);
	else
		sqlite3_bind_null(s, 2);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*existed = true;
		sq_done(st, s);
		return sq_commit(st, ei);
	}
	sq_done(st, s);
	s = NULL;
	if (in->category && *in->category && (rc = category_ensure(st, in->category, &cat, ei)))
		goto fail;
	if ((rc = sq_prep(st, &s,
		       "INSERT INTO documents(title, title_user, filename, category_id, sha256, size, status,"
		       " created_at, updated_at, uploader, owner_id, private, state, description, tags, price)"
		       " VALUES(?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
		       ei)))
		goto fail;
	sq_bind_text(s, 1, in->title);
	sqlite3_bind_int(s, 2, in->title != NULL);
	sq_bind_text(s, 3, in->filename);
	if (cat)
		sqlite3_bind_int64(s, 4, cat);
	sq_bind_text(s, 5, in->sha256);
	sqlite3_bind_int64(s, 6, in->size);
	sqlite3_bind_int64(s, 7, now);
	sq_bind_text(s, 8, in->uploader && *in->uploader ? in->uploader : NULL);
	if (in->owner_id)
		sqlite3_bind_int64(s, 9, in->owner_id);
	sqlite3_bind_int(s, 10, in->private_);
	sqlite3_bind_int(s, 11, in->state == WY_STATE_PENDING ? WY_STATE_PENDING : WY_STATE_PUBLISHED);
	sq_bind_text(s, 12, in->description && *in->description ? in->description : NULL);
	sq_bind_text(s, 13, in->tags && *in->tags ? in->tags : NULL);
	sqlite3_bind_int64(s, 14, in->price > 0 ? in->price : 0);
	if (sqlite3_step(s) != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "insert document");
		goto fail;
	}
	sq_done(st, s);
	s = NULL;
	*id = sqlite3_last_insert_rowid(SQ(st)->db);
	if ((rc = sq_queue_job(st, *id, 0, 0, in->request_id, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

void sq_read_doc(sqlite3_stmt *s, wy_doc *d)
{
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(s, 0);
	d->title = sq_col_str(s, 1);
	d->filename = sq_col_str(s, 2);
	d->format = sq_col_str(s, 3);
	d->category = sq_col_str(s, 4);
	sq_col_sha(s, 5, d->sha256);
	d->size = sqlite3_column_int64(s, 6);
	d->pages = sqlite3_column_int(s, 7);
	d->status = (wy_doc_status)sqlite3_column_int(s, 8);
	d->reason = sq_col_str(s, 9);
	d->author = sq_col_str(s, 10);
	sq_col_sha(s, 11, d->thumb_sha256);
	d->created_at = sqlite3_column_int64(s, 12);
	d->updated_at = sqlite3_column_int64(s, 13);
	d->progress_done = sqlite3_column_int(s, 14);
	d->progress_total = sqlite3_column_int(s, 15);
	d->views = sqlite3_column_int64(s, 16);
	d->downloads = sqlite3_column_int64(s, 17);
	d->keywords = sq_col_str(s, 18);
	d->dup_of = sqlite3_column_int64(s, 19);
	d->uploader = sq_col_str(s, 20);
	d->owner_id = sqlite3_column_int64(s, 21);
	d->private_ = sqlite3_column_int(s, 22) != 0;
	d->state = sqlite3_column_int(s, 23);
	d->description = sq_col_str(s, 24);
	d->tags = sq_col_str(s, 25);
	d->price = sqlite3_column_int64(s, 26);
	d->ratings = sqlite3_column_int64(s, 28);
	d->rating = d->ratings > 0 ? (double)sqlite3_column_int64(s, 27) / (double)d->ratings : 0;
}

int sqlite_doc_get(wy_store *st, int64_t id, wy_doc *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT " DOC_COLUMNS " WHERE d.id=?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		sq_read_doc(s, out);
	else if (step == SQLITE_DONE)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)id);
	else
		rc = sq_fail(SQ(st)->db, ei, "get document");
	sq_done(st, s);
	return rc;
}


int sqlite_doc_list(wy_store *st, int offset, int limit, wy_doc_list *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	memset(out, 0, sizeof *out);
	int rc = sq_prep(st, &s, "SELECT " DOC_COLUMNS " ORDER BY d.id DESC LIMIT ?1 OFFSET ?2", ei);
	if (rc)
		return rc;
	sqlite3_bind_int(s, 1, limit > 0 ? limit : -1);
	sqlite3_bind_int(s, 2, offset > 0 ? offset : 0);
	return sq_read_docs(st, s, out, ei);
}

#define VISIBLE_WHERE " WHERE " SQ_SEEN_BY("?4") " OR " SQ_ADMIN_LISTS("?3")

int sqlite_doc_visible(wy_store *st, int64_t viewer, bool admin, int offset, int limit, wy_doc_list *out,
			 int *total, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	memset(out, 0, sizeof *out);
	int rc = sq_prep(st, &s, "SELECT count(*) FROM documents d" VISIBLE_WHERE, ei);
	if (rc)
		return rc;
	sqlite3_bind_int(s, 3, admin);
	sqlite3_bind_int64(s, 4, viewer ? viewer : -1);
	int step = sqlite3_step(s);
	*total = step == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sq_done(st, s);
	if (step != SQLITE_ROW)
		return sq_fail(SQ(st)->db, ei, "count documents");
	if ((rc = sq_prep(st, &s, "SELECT " DOC_COLUMNS VISIBLE_WHERE " ORDER BY d.id DESC LIMIT ?1 OFFSET ?2", ei)))
		return rc;
	sqlite3_bind_int(s, 1, limit > 0 ? limit : -1);
	sqlite3_bind_int(s, 2, offset > 0 ? offset : 0);
	sqlite3_bind_int(s, 3, admin);
	sqlite3_bind_int64(s, 4, viewer ? viewer : -1);
	return sq_read_docs(st, s, out, ei);
}

int sqlite_doc_popular(wy_store *st, int limit, wy_doc_list *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	memset(out, 0, sizeof *out);
	int rc = sq_prep(st, &s, "SELECT " DOC_COLUMNS " WHERE" LISTED " ORDER BY d.views DESC, d.id DESC LIMIT ?1", ei);
	if (rc)
		return rc;
	sqlite3_bind_int(s, 1, limit > 0 ? limit : 10);
	return sq_read_docs(st, s, out, ei);
}

int sqlite_doc_add_counts(wy_store *st, const int64_t *ids, const int64_t *counts, int n, bool downloads,
			    wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if (n <= 0)
		return WY_OK;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = sq_prep(st, &s,
		       downloads ? "UPDATE documents SET downloads = downloads + ?2 WHERE id = ?1"
				 : "UPDATE documents SET views = views + ?2 WHERE id = ?1",
		       ei)))
		goto fail;
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, ids[i]);
		sqlite3_bind_int64(s, 2, counts[i]);
		if (sqlite3_step(s) != SQLITE_DONE) {
			rc = sq_fail(SQ(st)->db, ei, "count views");
			goto fail;
		}
		sqlite3_reset(s);
	}
	sq_done(st, s);
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

void sq_bind_filter(sqlite3_stmt *s, const wy_doc_filter *f)
{
	sqlite3_bind_int64(s, VIEWER_PARAM, f->viewer);
	sq_bind_text(s, 1, f->category && *f->category ? f->category : NULL);
	sq_bind_text(s, 2, f->format && *f->format ? f->format : NULL);
	sqlite3_bind_int(s, 3, f->min_pages);
	sqlite3_bind_int(s, 4, f->max_pages);
}

int sqlite_doc_find(wy_store *st, const wy_doc_filter *f, int offset, int limit, wy_doc_list *out, int *total,
		      wy_errinfo *ei)
{
	/* The order is one of these fixed clauses, never text from a request. */
	static const char *const order[] = {
		" ORDER BY d.id DESC",
		" ORDER BY d.views DESC, d.id DESC",
		" ORDER BY d.downloads DESC, d.id DESC",
	};
	sqlite3_stmt *s;
	memset(out, 0, sizeof *out);
	int rc = sq_prep(st, &s,
		      "SELECT count(*) FROM documents d LEFT JOIN categories c ON c.id = d.category_id" FIND_WHERE, ei);
	if (rc)
		return rc;
	sq_bind_filter(s, f);
	*total = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sq_done(st, s);
	char sql[1024];
	snprintf(sql, sizeof sql, "SELECT " DOC_COLUMNS FIND_WHERE "%s LIMIT ?5 OFFSET ?6",
		 order[(unsigned)f->sort < 3 ? f->sort : 0]);
	if ((rc = sq_prep(st, &s, sql, ei)))
		return rc;
	sq_bind_filter(s, f);
	sqlite3_bind_int(s, 5, limit > 0 ? limit : 20);
	sqlite3_bind_int(s, 6, offset > 0 ? offset : 0);
	return sq_read_docs(st, s, out, ei);
}

/* Step s to the end, collecting documents; finalizes s. */
void *sq_grow(void *items, int n, int *cap, size_t size)
{
	if (n < *cap)
		return items;
	*cap = *cap ? *cap * 2 : 16;
	return wy_xrealloc(items, (size_t)*cap * size);
}

int sq_read_docs(wy_store *st, sqlite3_stmt *s, wy_doc_list *out, wy_errinfo *ei)
{
	int rc = WY_OK;
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		sq_read_doc(s, &out->items[out->n++]);
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list documents");
		wy_doc_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_page_get(wy_store *st, int64_t doc_id, int page_no, wy_page *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
		      "SELECT text, image_sha256, width, height, boxes FROM pages WHERE doc_id=?1 AND page_no=?2", ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, page_no);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->doc_id = doc_id;
		out->page_no = page_no;
		out->text = sq_col_str(s, 0);
		sq_col_sha(s, 1, out->image_sha256);
		out->width = sqlite3_column_int(s, 2);
		out->height = sqlite3_column_int(s, 3);
		int nb = sqlite3_column_bytes(s, 4);
		if (nb > 0) {
			out->boxes = wy_xmalloc((size_t)nb);
			memcpy(out->boxes, sqlite3_column_blob(s, 4), (size_t)nb);
			out->boxes_len = (size_t)nb;
		}
	} else if (step == SQLITE_DONE) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no page %d in document %lld", page_no, (long long)doc_id);
	} else {
		rc = sq_fail(SQ(st)->db, ei, "get page");
	}
	sq_done(st, s);
	return rc;
}

/* A document's conversion status, inside the caller's transaction; a
 * document that is no longer ready (failed, or converting again) gives back
 * its upload points here. */
int sq_set_doc_status(wy_store *st, int64_t doc_id, wy_doc_status status, const char *format,
			  const char *reason, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
		      "UPDATE documents SET status=?2, reason=?3, format=COALESCE(?4, format), updated_at=?5,"
		      " progress_done=0, progress_total=0 WHERE id=?1",
		      ei);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, doc_id);
	sqlite3_bind_int(s, 2, (int)status);
	sq_bind_text(s, 3, reason);
	sq_bind_text(s, 4, format);
	sqlite3_bind_int64(s, 5, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "update document");
	sq_done(st, s);
	return rc ? rc : sq_upload_points(st, doc_id, ei);
}


int sqlite_doc_retry(wy_store *st, int64_t doc_id, bool force, wy_errinfo *ei)
{
	sqlite3_stmt *s = NULL;
	int rc;
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = sq_prep(st, &s, "SELECT status FROM documents WHERE id=?1", ei)))
		goto fail;
	sqlite3_bind_int64(s, 1, doc_id);
	int step = sqlite3_step(s);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id)
					 : sq_fail(SQ(st)->db, ei, "retry");
		goto fail;
	}
	wy_doc_status status = (wy_doc_status)sqlite3_column_int(s, 0);
	sq_done(st, s);
	s = NULL;
	if (status == WY_DOC_QUEUED || status == WY_DOC_CONVERTING || status == WY_DOC_READABLE) {
		rc = wy_err_set(ei, WY_EINVAL, "document %lld is %s already", (long long)doc_id,
				wy_doc_status_name(status));
		goto fail;
	}
	if (status == WY_DOC_READY && !force) {
		rc = wy_err_set(ei, WY_EINVAL, "document %lld is ready (use --force to convert it again)",
				(long long)doc_id);
		goto fail;
	}
	if ((rc = sq_queue_job(st, doc_id, 0, 0, NULL, ei)))
		goto fail;
	/* A ready document stays readable until the new conversion publishes. */
	if (status == WY_DOC_FAILED && (rc = sq_set_doc_status(st, doc_id, WY_DOC_QUEUED, NULL, NULL, ei)))
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_done(st, s);
	sq_rollback(st);
	return rc;
}

int sqlite_doc_counts(wy_store *st, int counts[WY_DOC_NSTATUS], wy_errinfo *ei)
{
	sqlite3_stmt *s;
	memset(counts, 0, WY_DOC_NSTATUS * sizeof counts[0]);
	int rc = sq_prep(st, &s, "SELECT status, count(*) FROM documents GROUP BY status", ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int k = sqlite3_column_int(s, 0);
		if (k >= 0 && k < WY_DOC_NSTATUS)
			counts[k] = sqlite3_column_int(s, 1);
	}
	if (step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "count");
	sq_done(st, s);
	return rc;
}

int sqlite_category_list(wy_store *st, wy_category_list *out, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	memset(out, 0, sizeof *out);
	int rc = sq_prep(st, &s,
		      "SELECT c.id, c.parent_id, c.name, c.path,"
		      " (SELECT count(*) FROM documents d WHERE d.category_id = c.id AND" LISTED ")"
		      " FROM categories c ORDER BY c.path",
		      ei);
	if (rc)
		return rc;
	int cap = 0, step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		out->items = sq_grow(out->items, out->n, &cap, sizeof *out->items);
		wy_category *k = &out->items[out->n++];
		k->id = sqlite3_column_int64(s, 0);
		k->parent_id = sqlite3_column_int64(s, 1);
		k->name = sq_col_str(s, 2);
		k->path = sq_col_str(s, 3);
		k->docs = sqlite3_column_int(s, 4);
		k->depth = 0;
		for (const char *p = k->path; *p; p++)
			k->depth += *p == '/';
	}
	if (step != SQLITE_DONE) {
		rc = sq_fail(SQ(st)->db, ei, "list categories");
		wy_category_list_clear(out);
	}
	sq_done(st, s);
	return rc;
}

int sqlite_category_add(wy_store *st, const char *path, int64_t *id, wy_errinfo *ei)
{
	int rc;
	if (!path || !*path)
		return wy_err_set(ei, WY_EINVAL, "a category needs a name");
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = category_ensure(st, path, id, ei))) {
		sq_rollback(st);
		return rc;
	}
	return sq_commit(st, ei);
}

int sqlite_category_find(wy_store *st, const char *path, int64_t *id, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT id FROM categories WHERE path=?1", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, path);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else
		rc = step == SQLITE_DONE ? wy_err_set(ei, WY_ENOTFOUND, "no category '%s'", path)
					 : sq_fail(SQ(st)->db, ei, "find category");
	sq_done(st, s);
	return rc;
}

/* Give the category `id` at old_path a new name, parent and path; its
 * subtree's paths follow. Inside the caller's transaction. */
static int category_repath(wy_store *st, int64_t id, const char *old_path, const char *new_path, const char *name,
			   int64_t parent, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int64_t other;
	int rc = sqlite_category_find(st, new_path, &other, NULL);
	if (rc == WY_OK)
		return wy_err_set(ei, WY_EINVAL, "category '%s' exists already", new_path);
	if ((rc = sq_prep(st, &s,
		       "UPDATE categories SET path = ?2 || substr(path, length(?1) + 1)"
		       " WHERE path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/'",
		       ei)))
		return rc;
	sq_bind_text(s, 1, old_path);
	sq_bind_text(s, 2, new_path);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "rename category");
	sq_done(st, s);
	if (rc || (rc = sq_prep(st, &s, "UPDATE categories SET name=?2, parent_id=?3 WHERE id=?1", ei)))
		return rc;
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, name);
	if (parent)
		sqlite3_bind_int64(s, 3, parent);
	else
		sqlite3_bind_null(s, 3);
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "rename category");
	sq_done(st, s);
	return rc;
}

int sqlite_category_rename(wy_store *st, const char *path, const char *new_name, wy_errinfo *ei)
{
	int64_t id, parent = 0;
	int rc;
	if (!new_name || !store_category_name_valid(new_name, strlen(new_name)))
		return wy_err_set(ei, WY_EINVAL, "'%s' is not a category name", new_name ? new_name : "");
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = sqlite_category_find(st, path, &id, ei)))
		goto fail;
	const char *slash = strrchr(path, '/');
	char *parent_path = slash ? wy_xstrndup(path, (size_t)(slash - path)) : NULL;
	char *new_path = parent_path ? wy_xasprintf("%s/%s", parent_path, new_name) : wy_xstrdup(new_name);
	if (parent_path)
		rc = sqlite_category_find(st, parent_path, &parent, ei);
	if (!rc)
		rc = category_repath(st, id, path, new_path, new_name, parent, ei);
	free(parent_path);
	free(new_path);
	if (rc)
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_category_move(wy_store *st, const char *path, const char *new_parent, wy_errinfo *ei)
{
	int64_t id, parent = 0;
	int rc;
	size_t n = strlen(path);
	if (new_parent && *new_parent &&
	    (strcmp(new_parent, path) == 0 || (strncmp(new_parent, path, n) == 0 && new_parent[n] == '/')))
		return wy_err_set(ei, WY_EINVAL, "cannot move '%s' inside itself", path);
	if ((rc = sq_begin(st, ei)))
		return rc;
	if ((rc = sqlite_category_find(st, path, &id, ei)))
		goto fail;
	if (new_parent && *new_parent && (rc = sqlite_category_find(st, new_parent, &parent, ei)))
		goto fail;
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	char *new_path = parent ? wy_xasprintf("%s/%s", new_parent, name) : wy_xstrdup(name);
	rc = category_repath(st, id, path, new_path, name, parent, ei);
	free(new_path);
	if (rc)
		goto fail;
	return sq_commit(st, ei);
fail:
	sq_rollback(st);
	return rc;
}

int sqlite_blob_refs(wy_store *st, int (*cb)(void *ctx, const char *sha256), void *ctx, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
		      "SELECT sha256 FROM documents UNION SELECT thumb_sha256 FROM documents"
		      " WHERE thumb_sha256 IS NOT NULL UNION SELECT image_sha256 FROM pages",
		      ei);
	if (rc)
		return rc;
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		if ((rc = cb(ctx, (const char *)sqlite3_column_text(s, 0))))
			break;
	if (!rc && step != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "blob refs");
	sq_done(st, s);
	return rc;
}

int sqlite_doc_set_category(wy_store *st, int64_t doc_id, const char *path, wy_errinfo *ei)
{
	int64_t cat = 0;
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	if (path && *path && (rc = category_ensure(st, path, &cat, ei))) {
		sq_rollback(st);
		return rc;
	}
	sqlite3_stmt *s;
	if ((rc = sq_prep(st, &s, "UPDATE documents SET category_id = ?2, updated_at = ?3 WHERE id = ?1", ei))) {
		sq_rollback(st);
		return rc;
	}
	sqlite3_bind_int64(s, 1, doc_id);
	if (cat)
		sqlite3_bind_int64(s, 2, cat);
	sqlite3_bind_int64(s, 3, wy_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = sq_fail(SQ(st)->db, ei, "set a category");
	else if (sqlite3_changes(SQ(st)->db) == 0)
		rc = wy_err_set(ei, WY_ENOTFOUND, "no document %lld", (long long)doc_id);
	sq_done(st, s);
	if (rc) {
		sq_rollback(st);
		return rc;
	}
	return sq_commit(st, ei);
}
