/* store/pg_captcha: the captchas forms ask for, in PostgreSQL
 * (sqlite_captcha.c, function for function: its header says why they are
 * in the store). A captcha is taken once: the UPDATE that marks it used is
 * the test of whether it still may be answered, so two requests answering
 * one at once, in any processes, cannot both have it (the second's UPDATE
 * waits for the first's row lock, then finds it used). */
#include "store/pg_int.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

int pg_captcha_add(wy_store *st, const char *id, const unsigned char answer_hash[WY_CAPTCHA_HASH],
		   const unsigned char token_hash[WY_CAPTCHA_HASH], int form, const void *image, size_t size,
		   int64_t expires_at, int64_t now, wy_errinfo *ei)
{
	int rc = pg_begin(st, ei);
	if (rc)
		return rc;
	rc = pg_exec_ints(st, "DELETE FROM captchas WHERE expires_at < $1", &now, 1, NULL, "sweep captchas", ei);
	if (!rc) {
		pg_args a = {0};
		pg_arg_text(&a, id);
		pg_arg_bytes(&a, answer_hash, WY_CAPTCHA_HASH);
		pg_arg_bytes(&a, token_hash, WY_CAPTCHA_HASH);
		pg_arg_int(&a, form);
		pg_arg_bytes(&a, image ? image : "", image ? size : 0);
		pg_arg_int(&a, expires_at);
		int changed = 0;
		rc = pg_run(st,
			    "INSERT INTO captchas(id, answer_hash, token_hash, form, image, expires_at)"
			    " VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
			    &a, NULL, &changed, "add a captcha", ei);
		if (!rc && changed == 0)
			rc = wy_err_set(ei, WY_EEXIST, "captcha id taken");
	}
	return pg_end(st, rc, ei);
}

int pg_captcha_image(wy_store *st, const char *id, int64_t now, void **image, size_t *size, wy_errinfo *ei)
{
	*image = NULL;
	*size = 0;
	pg_args a = {0};
	pg_arg_text(&a, id);
	pg_arg_int(&a, now);
	PGresult *r;
	int rc = pg_run(st, "SELECT image FROM captchas WHERE id = $1 AND used = 0 AND expires_at >= $2", &a, &r, NULL,
			"read a captcha", ei);
	if (rc)
		return rc;
	if (PQntuples(r) > 0)
		*image = pg_bytes(r, 0, 0, size);
	else
		rc = wy_err_set(ei, WY_ENOTFOUND, "no such captcha");
	PQclear(r);
	return rc;
}

int pg_captcha_take(wy_store *st, const char *id, int64_t now, unsigned char answer_hash[WY_CAPTCHA_HASH],
		    unsigned char token_hash[WY_CAPTCHA_HASH], int *form, wy_errinfo *ei)
{
	pg_args a = {0};
	pg_arg_text(&a, id);
	pg_arg_int(&a, now);
	PGresult *r;
	int rc = pg_run(st,
			"UPDATE captchas SET used = 1 WHERE id = $1 AND used = 0 AND expires_at >= $2"
			" RETURNING answer_hash, token_hash, form",
			&a, &r, NULL, "use a captcha", ei);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return wy_err_set(ei, WY_ENOTFOUND, "no such captcha, or used, or expired");
	}
	size_t na, nt;
	unsigned char *ah = pg_bytes(r, 0, 0, &na), *th = pg_bytes(r, 0, 1, &nt);
	if (ah && th && na == WY_CAPTCHA_HASH && nt == WY_CAPTCHA_HASH) {
		memcpy(answer_hash, ah, WY_CAPTCHA_HASH);
		memcpy(token_hash, th, WY_CAPTCHA_HASH);
		*form = (int)pg_int(r, 0, 2);
	} else {
		rc = wy_err_set(ei, WY_ECORRUPT, "a captcha's row is damaged");
	}
	free(ah);
	free(th);
	PQclear(r);
	return rc;
}
