/* store/sqlite_captcha: the captchas forms ask for (migration 19).
 *
 * Kept in the store so that every serve process of a site shares them: a
 * captcha drawn by one process is answered in another. A row holds the
 * answer's hash (never the answer), the hash of the form token it is
 * bound to, and the image, which is sent as it was drawn. A captcha is
 * taken once: the UPDATE that marks it used is the test of whether it
 * still may be answered, so two requests answering one at once cannot
 * both have it. Rows expired are deleted whenever one is added. */
#include "store/sqlite_int.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

int sqlite_captcha_add(wy_store *st, const char *id, const unsigned char answer_hash[WY_CAPTCHA_HASH],
			 const unsigned char token_hash[WY_CAPTCHA_HASH], int form, const void *image, size_t size,
			 int64_t expires_at, int64_t now, wy_errinfo *ei)
{
	int rc = sq_begin(st, ei);
	if (rc)
		return rc;
	int64_t v[1] = {now};
	rc = sq_exec_ints(st, "DELETE FROM captchas WHERE expires_at < ?1", v, 1, NULL, "sweep captchas", ei);
	sqlite3_stmt *s = NULL;
	if (!rc)
		rc = sq_prep(st, &s,
			     "INSERT OR IGNORE INTO captchas(id, answer_hash, token_hash, form, image, expires_at)"
			     " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
			     ei);
	if (!rc) {
		sq_bind_text(s, 1, id);
		sqlite3_bind_blob(s, 2, answer_hash, WY_CAPTCHA_HASH, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, token_hash, WY_CAPTCHA_HASH, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, form);
		sqlite3_bind_blob64(s, 5, image, size, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, expires_at);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "add a captcha");
		else if (sqlite3_changes(SQ(st)->db) == 0)
			rc = wy_err_set(ei, WY_EEXIST, "captcha id taken");
		sq_done(st, s);
	}
	return sq_end(st, rc, ei);
}

int sqlite_captcha_image(wy_store *st, const char *id, int64_t now, void **image, size_t *size, wy_errinfo *ei)
{
	*image = NULL;
	*size = 0;
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s, "SELECT image FROM captchas WHERE id = ?1 AND used = 0 AND expires_at >= ?2", ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(s, 0);
		*image = malloc(n ? n : 1);
		if (!*image) {
			rc = wy_err_set(ei, WY_ENOMEM, "no memory for a captcha");
		} else {
			if (n)
				memcpy(*image, sqlite3_column_blob(s, 0), n);
			*size = n;
		}
	} else if (step == SQLITE_DONE) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such captcha");
	} else {
		rc = sq_fail(SQ(st)->db, ei, "read a captcha");
	}
	sq_done(st, s);
	return rc;
}

int sqlite_captcha_take(wy_store *st, const char *id, int64_t now, unsigned char answer_hash[WY_CAPTCHA_HASH],
			  unsigned char token_hash[WY_CAPTCHA_HASH], int *form, wy_errinfo *ei)
{
	sqlite3_stmt *s;
	int rc = sq_prep(st, &s,
			 "UPDATE captchas SET used = 1 WHERE id = ?1 AND used = 0 AND expires_at >= ?2"
			 " RETURNING answer_hash, token_hash, form",
			 ei);
	if (rc)
		return rc;
	sq_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	int step = sqlite3_step(s);
	if (step == SQLITE_ROW && sqlite3_column_bytes(s, 0) == WY_CAPTCHA_HASH &&
	    sqlite3_column_bytes(s, 1) == WY_CAPTCHA_HASH) {
		memcpy(answer_hash, sqlite3_column_blob(s, 0), WY_CAPTCHA_HASH);
		memcpy(token_hash, sqlite3_column_blob(s, 1), WY_CAPTCHA_HASH);
		*form = sqlite3_column_int(s, 2);
		/* a RETURNING statement's change is made when it runs to its end */
		while ((step = sqlite3_step(s)) == SQLITE_ROW)
			;
		if (step != SQLITE_DONE)
			rc = sq_fail(SQ(st)->db, ei, "use a captcha");
	} else if (step == SQLITE_ROW) {
		rc = wy_err_set(ei, WY_ECORRUPT, "a captcha's row is damaged");
		while (sqlite3_step(s) == SQLITE_ROW)
			;
	} else if (step == SQLITE_DONE) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such captcha, or used, or expired");
	} else {
		rc = sq_fail(SQ(st)->db, ei, "use a captcha");
	}
	sq_done(st, s);
	return rc;
}
