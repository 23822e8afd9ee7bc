/* cli/migrate: `wenyuan migrate --to-store URL --to-blob URL`: copy the
 * library of these settings (the source: a data directory's SQLite and
 * blobs, or any other pair) into another store and blob store, whatever
 * their backends.
 *
 * What it must never do: lose or change a row or an object on the way,
 * copy anything twice, or write over another library. So:
 * - objects first (a destination row never refers to an object not there
 *   yet), each copied only when the destination lacks it, and each one at
 *   the destination re-hashed against its name (wy_blob_verify), whether
 *   copied now or by an earlier run;
 * - then the tables of store/tables.c in their order, by key: what the
 *   destination holds of a table must be the source's first rows (same
 *   count, same checksum), and only the rows after its last key are
 *   copied: a run stopped anywhere continues where it stopped. Otherwise
 *   a table keyed by what its rows are (not by an id it gives) whose rows
 *   there are all among the library's gets the others (the library put
 *   rows among those of an earlier run: a new document's bands); one that
 *   holds only a new store's defaults (store/tables.c: WY_ROWS_DEFAULTS),
 *   or the workers' bookkeeping of jobs that are the library's
 *   (WY_ROWS_JOBS), is emptied and copied whole. A row there that is none
 *   of these is the destination's own (it has been used since an earlier
 *   copy, or it is another library): every table is judged before
 *   anything is written, and such a destination is refused whole;
 * - each table then checked: its row count and a SHA-256 over its rows
 *   (each cell typed, the columns in name order) at both ends, and its
 *   ids moved past the highest the library ever gave;
 * - the destination's search index rebuilt (wy_store_reindex), and fsck's
 *   checks run there.
 * The source should be idle (serve and workers stopped): rows written
 * while a table is copied may or may not be taken. */
#include "blob/blob.h"
#include "cli/cli.h"
#include "core/util.h"
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A batch of rows copied in one transaction: at most this many, or this
 * many bytes of text and bytes (pages carry their text). */
#define BATCH_ROWS 500
#define BATCH_BYTES (8u << 20)

/* ei's message prefixed with what was being done. */
static int say_where(wy_errinfo *ei, int rc, const char *what)
{
	char was[sizeof ei->msg];
	snprintf(was, sizeof was, "%s", wy_err_msg(ei, rc));
	return wy_err_set(ei, rc, "%s: %s", what, was);
}

/* ---- a table's checksum ------------------------------------------------ */

/* The rows of a table reduced to a count and a SHA-256 that mean the same
 * on every backend: each row's cells of the columns in cols (the source's
 * columns: a destination may have more, e.g. a search column of its own),
 * in name order, each as its name, its type and its value. */
typedef struct table_sum {
	char **cols;  /* the columns summed, sorted; NULL: those of the first row */
	int ncols;
	int *at;      /* cols[i] is the row's column at[i] (-1: missing) */
	int64_t rows;
	crypto_hash_sha256_state h;
	int64_t limit; /* stop after this many rows (0: all) */
	wy_cell *last; /* the last row's key cells (owned copies) */
	const wy_table_def *t;
} table_sum;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void sum_init(table_sum *s, const wy_table_def *t, char **cols, int ncols)
{
	memset(s, 0, sizeof *s);
	s->t = t;
	crypto_hash_sha256_init(&s->h);
	if (cols) {
		s->cols = wy_xcalloc((size_t)ncols + 1, sizeof *s->cols);
		for (int i = 0; i < ncols; i++)
			s->cols[i] = wy_xstrdup(cols[i]);
		s->ncols = ncols;
	}
}

static void free_cells(wy_cell *c, int n)
{
	for (int i = 0; c && i < n; i++)
		free((void *)c[i].p);
	free(c);
}

static int key_len(const wy_table_def *t)
{
	int n = 0;
	while (t->key[n])
		n++;
	return n;
}

static void sum_clear(table_sum *s)
{
	for (int i = 0; i < s->ncols; i++)
		free(s->cols[i]);
	free(s->cols);
	free(s->at);
	free_cells(s->last, s->t ? key_len(s->t) : 0);
	memset(s, 0, sizeof *s);
}

static void copy_cell(wy_cell *to, const wy_cell *from)
{
	*to = *from;
	to->p = NULL;
	if (from->type == WY_CELL_TEXT || from->type == WY_CELL_BYTES) {
		char *p = wy_xmalloc(from->len + 1);
		if (from->len)
			memcpy(p, from->p, from->len);
		p[from->len] = 0;
		to->p = p;
	}
}

static int col_of(int ncols, const char *const *names, const char *name)
{
	for (int i = 0; i < ncols; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static void hash_u64(crypto_hash_sha256_state *h, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (56 - 8 * i));
	crypto_hash_sha256_update(h, b, sizeof b);
}

/* s's columns sorted, and found among this walk's (on its first row). */
static void sum_cols(table_sum *s, int ncols, const char *const *names)
{
	if (!s->cols) {
		s->cols = wy_xcalloc((size_t)ncols + 1, sizeof *s->cols);
		for (int i = 0; i < ncols; i++)
			s->cols[i] = wy_xstrdup(names[i]);
		s->ncols = ncols;
	}
	if (!s->at) {
		qsort(s->cols, (size_t)s->ncols, sizeof *s->cols, cmp_str);
		s->at = wy_xcalloc((size_t)s->ncols + 1, sizeof *s->at);
		for (int i = 0; i < s->ncols; i++)
			s->at[i] = col_of(ncols, names, s->cols[i]);
	}
}

/* A row's cells of s's columns into h. */
static void hash_cells(const table_sum *s, crypto_hash_sha256_state *h, const wy_cell *cells)
{
	for (int i = 0; i < s->ncols; i++) {
		crypto_hash_sha256_update(h, (const unsigned char *)s->cols[i], strlen(s->cols[i]) + 1);
		if (s->at[i] < 0) { /* a column this end lacks: never equal to a NULL */
			crypto_hash_sha256_update(h, (const unsigned char *)"?", 1);
			continue;
		}
		const wy_cell *c = &cells[s->at[i]];
		unsigned char type = (unsigned char)c->type;
		crypto_hash_sha256_update(h, &type, 1);
		switch (c->type) {
		case WY_CELL_INT:
			hash_u64(h, (uint64_t)c->i);
			break;
		case WY_CELL_REAL: {
			uint64_t bits;
			memcpy(&bits, &c->r, sizeof bits);
			hash_u64(h, bits);
			break;
		}
		case WY_CELL_TEXT:
		case WY_CELL_BYTES:
			hash_u64(h, c->len);
			crypto_hash_sha256_update(h, (const unsigned char *)c->p, c->len);
			break;
		default:
			break;
		}
	}
}

static int sum_row(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	table_sum *s = ctx;
	sum_cols(s, ncols, names);
	hash_cells(s, &s->h, cells);
	s->rows++;
	int nkey = key_len(s->t);
	free_cells(s->last, nkey);
	s->last = wy_xcalloc((size_t)nkey + 1, sizeof *s->last);
	for (int k = 0; k < nkey; k++) {
		int c = col_of(ncols, names, s->t->key[k]);
		if (c >= 0)
			copy_cell(&s->last[k], &cells[c]);
	}
	return s->limit && s->rows >= s->limit ? 1 : 0;
}

/* Count and checksum the table's first limit rows (0: all) at st. */
static int table_sum_of(wy_store *st, table_sum *s, int64_t limit, unsigned char out[32], wy_errinfo *ei)
{
	s->limit = limit;
	int rc = wy_store_table_rows(st, s->t->name, NULL, limit > INT_MAX ? 0 : (int)limit, sum_row, s, ei);
	if (rc == 1) /* stopped at the limit */
		rc = WY_OK;
	crypto_hash_sha256_final(&s->h, out);
	return rc;
}

/* The source's columns of a table (from its first row): *cols NULL when
 * the table is empty there. */
static int first_cols(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	(void)cells;
	table_sum *s = ctx;
	s->cols = wy_xcalloc((size_t)ncols + 1, sizeof *s->cols);
	for (int i = 0; i < ncols; i++)
		s->cols[i] = wy_xstrdup(names[i]);
	s->ncols = ncols;
	return 0;
}

/* ---- copying a table's rows ---------------------------------------------- */

typedef struct batch {
	wy_store *to;
	const char *table;
	char **names;
	int ncols;
	wy_cell *cells; /* rows * ncols */
	int rows, cap;
	size_t bytes;
	int64_t copied;
	wy_errinfo ei;
	int rc;
} batch;

static void batch_drop(batch *b)
{
	for (int i = 0; i < b->rows * b->ncols; i++)
		free((void *)b->cells[i].p);
	b->rows = 0;
	b->bytes = 0;
}

static int batch_flush(batch *b)
{
	if (!b->rows)
		return 0;
	b->rc = wy_store_table_put(b->to, b->table, b->ncols, (const char *const *)b->names, b->cells, b->rows, &b->ei);
	if (!b->rc)
		b->copied += b->rows;
	batch_drop(b);
	return b->rc ? 1 : 0;
}

static int batch_row(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	batch *b = ctx;
	if (!b->names) {
		b->names = wy_xcalloc((size_t)ncols + 1, sizeof *b->names);
		for (int i = 0; i < ncols; i++)
			b->names[i] = wy_xstrdup(names[i]);
		b->ncols = ncols;
	}
	if (b->rows == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->cells = wy_xrealloc(b->cells, (size_t)b->cap * (size_t)ncols * sizeof *b->cells);
	}
	for (int i = 0; i < ncols; i++) {
		copy_cell(&b->cells[(size_t)b->rows * (size_t)ncols + (size_t)i], &cells[i]);
		b->bytes += cells[i].len;
	}
	b->rows++;
	if (b->rows >= BATCH_ROWS || b->bytes >= BATCH_BYTES)
		return batch_flush(b);
	return 0;
}

static void batch_clear(batch *b)
{
	batch_drop(b);
	for (int i = 0; i < b->ncols; i++)
		free(b->names[i]);
	free(b->names);
	free(b->cells);
}

typedef struct migration {
	wy_store *from, *to;
	wy_blob_store *bfrom, *bto;
	long problems;
	int64_t rows_copied, rows_there;
	/* a new store made for nothing else than to be compared with (its
	 * defaults), in a scratch directory: made when first needed */
	wy_store *fresh;
	char *fresh_dir;
} migration;

/* Whether the destination's rows of t are the source's first rows: *ok,
 * with *there their count and *after the last one's key (NULL: none). */
static int prefix_of(migration *m, const wy_table_def *t, char **cols, int ncols, bool *ok, int64_t *there,
		     wy_cell **after, wy_errinfo *ei)
{
	table_sum d, s;
	unsigned char hd[32], hs[32];
	sum_init(&d, t, cols, ncols);
	sum_init(&s, t, cols, ncols);
	*ok = true;
	*there = 0;
	*after = NULL;
	int rc = table_sum_of(m->to, &d, 0, hd, ei);
	if (!rc && d.rows > 0) {
		if (!cols) /* the source has no row: the destination's are not its */
			*ok = false;
		else if (!(rc = table_sum_of(m->from, &s, d.rows, hs, ei)))
			*ok = s.rows == d.rows && memcmp(hd, hs, sizeof hd) == 0;
	}
	if (!rc && *ok) {
		*there = d.rows;
		*after = d.last;
		d.last = NULL;
	}
	sum_clear(&d);
	sum_clear(&s);
	return rc;
}

/* ---- the rows of a table as a set -------------------------------------- */

/* A row as the first bytes of the SHA-256 of its cells (as a table's
 * checksum takes them): enough that two rows never meet by chance, little
 * enough to hold a destination's table of them. */
#define DIGEST 16

typedef struct row_set {
	table_sum cols;   /* the columns (the source's) and this walk's places of them */
	unsigned char *d; /* n digests, sorted */
	size_t n, cap;
	size_t found;     /* of the rows walked since, those in d */
	batch *missing;   /* NULL, or where the rows walked that d lacks go */
} row_set;

static void row_digest(row_set *rs, int ncols, const char *const *names, const wy_cell *cells,
		       unsigned char out[DIGEST])
{
	crypto_hash_sha256_state h;
	unsigned char full[crypto_hash_sha256_BYTES];
	sum_cols(&rs->cols, ncols, names);
	crypto_hash_sha256_init(&h);
	hash_cells(&rs->cols, &h, cells);
	crypto_hash_sha256_final(&h, full);
	memcpy(out, full, DIGEST);
}

static int cmp_digest(const void *a, const void *b) { return memcmp(a, b, DIGEST); }

static int set_add(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	row_set *rs = ctx;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 256;
		rs->d = wy_xrealloc(rs->d, rs->cap * DIGEST);
	}
	row_digest(rs, ncols, names, cells, rs->d + rs->n * DIGEST);
	rs->n++;
	return 0;
}

static int set_find(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	row_set *rs = ctx;
	unsigned char d[DIGEST];
	row_digest(rs, ncols, names, cells, d);
	if (rs->n && bsearch(d, rs->d, rs->n, DIGEST, cmp_digest)) {
		rs->found++;
		return 0;
	}
	return rs->missing ? batch_row(rs->missing, ncols, names, cells) : 0;
}

/* The rows of the source (at from) walked against the set: rs->found
 * counts those in it, and those not go to rs->missing when set. */
static int set_walk(wy_store *from, const char *table, row_set *rs, wy_errinfo *ei)
{
	free(rs->cols.at); /* this walk's columns may sit elsewhere */
	rs->cols.at = NULL;
	rs->found = 0;
	return wy_store_table_rows(from, table, NULL, 0, set_find, rs, ei);
}

static void set_free(row_set *rs)
{
	if (!rs)
		return;
	sum_clear(&rs->cols);
	free(rs->d);
	free(rs);
}

/* The destination's rows of t as a set, and whether every one of them is
 * one of the source's (*all): the rows the source has that it lacks are
 * then all the difference. */
static int set_of(migration *m, const wy_table_def *t, char **cols, int ncols, row_set **out, bool *all,
		  wy_errinfo *ei)
{
	row_set *rs = wy_xcalloc(1, sizeof *rs);
	sum_init(&rs->cols, t, cols, ncols);
	int rc = wy_store_table_rows(m->to, t->name, NULL, 0, set_add, rs, ei);
	if (!rc) {
		if (rs->n)
			qsort(rs->d, rs->n, DIGEST, cmp_digest);
		rc = set_walk(m->from, t->name, rs, ei);
	}
	*all = !rc && rs->found == rs->n;
	if (rc || !*all) {
		set_free(rs);
		rs = NULL;
	}
	*out = rs;
	return rc;
}

/* ---- a new store's defaults -------------------------------------------- */

/* Whether the destination's rows of t are those a new store is made with
 * (the columns that hold when it was made aside): a new store of the
 * library's schema, in a scratch directory, says which they are. */
static int new_stores(migration *m, const wy_table_def *t, bool *yes, wy_errinfo *ei)
{
	*yes = false;
	int rc = WY_OK;
	if (!m->fresh) {
		const char *base = getenv("TMPDIR");
		char *dir = wy_xasprintf("%s/wenyuan-migrate-XXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(dir)) {
			rc = wy_err_set(ei, WY_EIO, "cannot make a scratch directory: %s", strerror(errno));
			free(dir);
			return rc;
		}
		m->fresh_dir = dir;
		if ((rc = wy_store_open(dir, &m->fresh, ei)))
			return say_where(ei, rc, "making a new store to compare with");
	}
	table_sum probe, f, d;
	sum_init(&probe, t, NULL, 0);
	rc = wy_store_table_rows(m->fresh, t->name, NULL, 1, first_cols, &probe, ei);
	if (!rc && probe.cols) {
		/* its columns but the stamps */
		int n = 0;
		for (int i = 0; i < probe.ncols; i++) {
			bool stamp = false;
			for (int k = 0; t->stamps && t->stamps[k]; k++)
				stamp |= strcmp(probe.cols[i], t->stamps[k]) == 0;
			if (stamp)
				free(probe.cols[i]);
			else
				probe.cols[n++] = probe.cols[i];
		}
		probe.ncols = n;
		unsigned char hf[32], hd[32];
		sum_init(&f, t, probe.cols, probe.ncols);
		sum_init(&d, t, probe.cols, probe.ncols);
		if (!(rc = table_sum_of(m->fresh, &f, 0, hf, ei)) && !(rc = table_sum_of(m->to, &d, 0, hd, ei)))
			*yes = f.rows == d.rows && memcmp(hf, hd, sizeof hf) == 0;
		sum_clear(&f);
		sum_clear(&d);
	}
	sum_clear(&probe);
	return rc;
}

static void drop_fresh(migration *m)
{
	wy_store_close(m->fresh);
	m->fresh = NULL;
	if (!m->fresh_dir)
		return;
	static const char *const files[] = {"wenyuan.db", "wenyuan.db-wal", "wenyuan.db-shm"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *p = wy_xasprintf("%s/%s", m->fresh_dir, files[i]);
		unlink(p);
		free(p);
	}
	rmdir(m->fresh_dir);
	free(m->fresh_dir);
	m->fresh_dir = NULL;
}

/* ---- what is done with each table -------------------------------------- */

typedef enum how {
	RESUME,  /* the destination holds the library's first rows: the rest copied */
	FILL,    /* it holds some of the library's rows: the others copied */
	REPLACE, /* it holds rows that are no one's to lose: emptied, copied whole */
} how;

typedef struct plan {
	how how;
	wy_cell *after;   /* RESUME: the key of the last row there (NULL: none) */
	row_set *set;     /* FILL: the rows there */
	const char *what; /* REPLACE: what they are */
} plan;

static void plan_clear(plan *p, const wy_table_def *t)
{
	free_cells(p->after, key_len(t));
	set_free(p->set);
	memset(p, 0, sizeof *p);
}

/* How t is copied into the destination, *own when not at all: the
 * destination holds rows of its own there. Nothing is written. */
static int judge(migration *m, const wy_table_def *t, plan *p, bool *own, wy_errinfo *ei)
{
	memset(p, 0, sizeof *p);
	*own = false;
	table_sum probe;
	sum_init(&probe, t, NULL, 0);
	bool ok = false, done = false;
	int64_t there;
	int rc = wy_store_table_rows(m->from, t->name, NULL, 1, first_cols, &probe, ei);
	if (!rc)
		rc = prefix_of(m, t, probe.cols, probe.ncols, &ok, &there, &p->after, ei);
	if (!rc && ok) {
		p->how = RESUME;
		done = true;
	}
	if (!rc && !done && !t->ids && probe.cols) {
		/* rows keyed by what they are may come among those of an
		 * earlier run (a new document's bands); an id table's come
		 * after its last (one missing before was deleted there) */
		if (!(rc = set_of(m, t, probe.cols, probe.ncols, &p->set, &done, ei)) && done)
			p->how = FILL;
	}
	if (!rc && !done && t->rows == WY_ROWS_DEFAULTS && !(rc = new_stores(m, t, &done, ei)) && done) {
		p->how = REPLACE;
		p->what = "a new store's defaults";
	}
	if (!rc && !done && t->rows == WY_ROWS_JOBS) {
		/* written only with a change of a row of jobs, which comes
		 * before in the list: judged the library's first rows, or the
		 * destination refused */
		p->how = REPLACE;
		p->what = "the workers' bookkeeping of the library's jobs";
		done = true;
	}
	if (!rc && !done)
		*own = true;
	if (rc || *own)
		plan_clear(p, t);
	sum_clear(&probe);
	return rc;
}

static int copy_table(migration *m, const wy_table_def *t, plan *p, wy_errinfo *ei)
{
	table_sum probe;
	sum_init(&probe, t, NULL, 0);
	int rc = wy_store_table_rows(m->from, t->name, NULL, 1, first_cols, &probe, ei);
	batch b = {.to = m->to, .table = t->name};
	if (!rc) {
		switch (p->how) {
		case RESUME:
			rc = wy_store_table_rows(m->from, t->name, p->after, 0, batch_row, &b, ei);
			break;
		case FILL:
			printf("%s: the destination holds %zu of the library's rows, not its first ones: the others "
			       "copied\n",
			       t->name, p->set->n);
			p->set->missing = &b;
			rc = set_walk(m->from, t->name, p->set, ei);
			break;
		case REPLACE:
			printf("%s: the destination's rows are not the library's first ones but %s: emptied, copied "
			       "whole\n",
			       t->name, p->what);
			if (!(rc = wy_store_table_clear(m->to, t->name, ei)))
				rc = wy_store_table_rows(m->from, t->name, NULL, 0, batch_row, &b, ei);
			break;
		}
		if (!rc)
			batch_flush(&b);
		if (b.rc) {
			rc = b.rc;
			*ei = b.ei;
		}
	}
	/* the table at both ends: same count, same checksum */
	table_sum s, d;
	unsigned char hs[32], hd[32];
	sum_init(&s, t, probe.cols, probe.ncols);
	sum_init(&d, t, probe.cols, probe.ncols);
	if (!rc && !(rc = table_sum_of(m->from, &s, 0, hs, ei)) && !(rc = table_sum_of(m->to, &d, 0, hd, ei))) {
		char hex[65];
		sodium_bin2hex(hex, sizeof hex, hs, sizeof hs);
		if (s.rows != d.rows || memcmp(hs, hd, sizeof hs) != 0) {
			printf("%s: NOT THE SAME: %lld rows here, %lld there, checksums differ\n", t->name,
			       (long long)s.rows, (long long)d.rows);
			m->problems++;
		} else {
			printf("%-22s %8lld rows, %lld copied now, sha256 %.16s…\n", t->name, (long long)s.rows,
			       (long long)b.copied, hex);
		}
		fflush(stdout); /* a line a table, as it happens (a log, a pipe) */
	}
	/* an id never given again: past the library's highest ever, not only
	 * its largest row's (a purged document's id stays its own) */
	int64_t seq = 0, there_seq = 0;
	if (!rc && !(rc = wy_store_table_seq(m->from, t->name, &seq, ei)) &&
	    !(rc = wy_store_table_seq_set(m->to, t->name, seq, ei)) &&
	    !(rc = wy_store_table_seq(m->to, t->name, &there_seq, ei)) && there_seq < seq) {
		printf("%s: NOT THE SAME: the library has given ids up to %lld, the destination only up to %lld\n",
		       t->name, (long long)seq, (long long)there_seq);
		m->problems++;
	}
	m->rows_copied += b.copied;
	batch_clear(&b);
	sum_clear(&s);
	sum_clear(&d);
	sum_clear(&probe);
	return rc;
}

/* ---- objects ------------------------------------------------------------- */

typedef struct objects {
	migration *m;
	long refs, copied, there, missing, bad;
	uint64_t bytes;
	int rc;
	wy_errinfo ei;
	int64_t last_print;
} objects;

static int each_object(void *ctx, const char *sha)
{
	objects *o = ctx;
	migration *m = o->m;
	o->refs++;
	if (isatty(2) && wy_now_ms() - o->last_print > 500) {
		o->last_print = wy_now_ms();
		fprintf(stderr, "\robjects: %ld (%ld copied)", o->refs, o->copied);
	}
	if (wy_blob_exists(m->bto, sha)) {
		/* there already (an earlier run): not copied again, but its
		 * bytes there are checked all the same */
		if (wy_blob_verify(m->bto, sha, NULL) != WY_OK) {
			printf("blob %s at the destination does not hash to its name\n", sha);
			o->bad++;
		}
		o->there++;
		return 0;
	}
	int fd;
	uint64_t size, n;
	if (wy_blob_open_fd(m->bfrom, sha, &fd, &size, NULL) != WY_OK) {
		printf("blob %s is missing from the library: not copied\n", sha);
		o->missing++;
		return 0;
	}
	char got[65];
	int rc = wy_blob_put_fd(m->bto, fd, UINT64_MAX, got, &n, &o->ei);
	close(fd);
	if (rc) {
		o->rc = rc;
		return 1;
	}
	if (strcmp(got, sha) != 0) { /* damaged here: not passed on */
		printf("blob %s does not hash to its name in the library: not copied\n", sha);
		wy_blob_delete(m->bto, got, NULL);
		o->bad++;
		return 0;
	}
	/* read back where it went: what the destination holds is what was sent */
	if (wy_blob_verify(m->bto, sha, NULL) != WY_OK) {
		printf("blob %s does not hash to its name at the destination after the copy\n", sha);
		o->bad++;
		return 0;
	}
	o->copied++;
	o->bytes += n;
	return 0;
}

/* ---- the command ------------------------------------------------------ */

static void reindex_progress(void *ctx, int done, int total)
{
	(void)ctx;
	fprintf(stderr, "\rsearch index: %d/%d documents", done, total);
	if (done == total)
		fputc('\n', stderr);
}

/* Tables of the source that are neither copied nor rebuilt would be lost:
 * refuse (a table added to the schema but not to store/tables.c). */
static int unknown_tables(wy_store *st, wy_errinfo *ei)
{
	wy_str_list names;
	int rc = wy_store_table_names(st, &names, ei);
	if (rc)
		return rc;
	for (int i = 0; !rc && i < names.n; i++)
		if (!wy_store_table_def(names.items[i]) && !wy_store_table_derived(names.items[i]))
			rc = wy_err_set(ei, WY_EINVAL,
					"the library's table %s is neither copied nor rebuilt by migrate "
					"(store/tables.c does not list it)",
					names.items[i]);
	wy_str_list_clear(&names);
	return rc;
}

int wy_cmd_migrate(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "migrate");
		return 0;
	}
	const char *to_store = NULL, *to_blob = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--to-store") == 0 && i + 1 < argc)
			to_store = argv[++i];
		else if (strncmp(argv[i], "--to-store=", 11) == 0)
			to_store = argv[i] + 11;
		else if (strcmp(argv[i], "--to-blob") == 0 && i + 1 < argc)
			to_blob = argv[++i];
		else if (strncmp(argv[i], "--to-blob=", 10) == 0)
			to_blob = argv[i] + 10;
		else {
			wy_cli_usage(stderr, "migrate");
			return 2;
		}
	}
	if (!to_store || !*to_store || !to_blob || !*to_blob) {
		wy_cli_usage(stderr, "migrate");
		return 2;
	}
	char blobs[1100];
	wy_config_blob_location(cfg, blobs, sizeof blobs);
	const char *store = wy_config_store_location(cfg);
	char ra[PATH_MAX], rb[PATH_MAX];
	if (strcmp(store, to_store) == 0 || strcmp(blobs, to_blob) == 0 ||
	    (realpath(store, ra) && realpath(to_store, rb) && strcmp(ra, rb) == 0) ||
	    (realpath(blobs, ra) && realpath(to_blob, rb) && strcmp(ra, rb) == 0)) {
		fprintf(stderr, "wenyuan: migrate: the destination is the library itself\n");
		return 2;
	}
	migration m = {0};
	wy_errinfo ei = {0};
	int64_t t0 = wy_now_ms();
	if (wy_cli_open(cfg, &m.from, &m.bfrom))
		return 2;
	int rc = unknown_tables(m.from, &ei);
	if (!rc)
		rc = wy_store_open(to_store, &m.to, &ei);
	if (!rc)
		rc = wy_blob_open(to_blob, &m.bto, &ei);
	/* every table judged before anything is written: a destination with
	 * rows of its own (used since an earlier copy, or another library)
	 * is refused whole, not emptied */
	int ntables;
	const wy_table_def *tables = wy_store_tables(&ntables);
	plan *plans = wy_xcalloc((size_t)ntables + 1, sizeof *plans);
	wy_buf own;
	wy_buf_init(&own, 0);
	for (int i = 0; !rc && i < ntables; i++) {
		bool mine;
		if (!(rc = judge(&m, &tables[i], &plans[i], &mine, &ei)) && mine) {
			printf("%s: the destination holds rows that are not the library's first ones: its own\n",
			       tables[i].name);
			wy_buf_printf(&own, "%s%s", own.len ? ", " : "", tables[i].name);
		}
	}
	drop_fresh(&m);
	if (!rc && own.len)
		rc = wy_err_set(&ei, WY_EEXIST,
				"the destination holds rows that are not this library's first ones (written there since "
				"an earlier copy, or another library's): migrate copies into a new store only, and wrote "
				"nothing; in %s",
				own.data);
	wy_buf_free(&own);
	objects o = {.m = &m};
	if (!rc) {
		rc = wy_store_blob_refs(m.from, each_object, &o, &ei);
		if (o.rc) {
			rc = o.rc;
			ei = o.ei;
		}
		if (isatty(2))
			fputc('\n', stderr);
		if (!rc)
			printf("objects: %ld referred to, %ld copied (%llu bytes), %ld already there, %ld missing, "
			       "%ld damaged; every one at the destination re-hashed\n",
			       o.refs, o.copied, (unsigned long long)o.bytes, o.there, o.missing, o.bad);
		fflush(stdout);
	}
	for (int i = 0; !rc && i < ntables; i++)
		rc = copy_table(&m, &tables[i], &plans[i], &ei);
	for (int i = 0; i < ntables; i++)
		plan_clear(&plans[i], &tables[i]);
	free(plans);
	if (!rc) {
		int64_t t1 = wy_now_ms();
		rc = wy_store_reindex(m.to, isatty(2) ? reindex_progress : NULL, NULL, &ei);
		if (rc)
			rc = say_where(&ei, rc, "rebuilding the search index at the destination");
		else
			printf("search index rebuilt at the destination in %.1f s\n", (double)(wy_now_ms() - t1) / 1000.0);
	}
	int problems = 0;
	if (!rc && (rc = wy_cli_fsck(m.to, m.bto, 3600, false, &problems, &ei)))
		rc = say_where(&ei, rc, "checking the destination (fsck)");
	wy_store_close(m.from);
	wy_blob_close(m.bfrom);
	wy_store_close(m.to);
	wy_blob_close(m.bto);
	if (rc) {
		fprintf(stderr, "wenyuan: migrate: %s\n", wy_err_msg(&ei, rc));
		if (rc != WY_EEXIST) /* not a refusal: an interruption */
			fprintf(stderr, "wenyuan: migrate: run the same command again to continue\n");
		return 2;
	}
	long all = m.problems + o.missing + o.bad + problems;
	printf("migrate: %lld rows and %ld objects copied in %.1f s; %ld problem%s\n", (long long)m.rows_copied, o.copied,
	       (double)(wy_now_ms() - t0) / 1000.0, all, all == 1 ? "" : "s");
	return all ? 1 : 0;
}
