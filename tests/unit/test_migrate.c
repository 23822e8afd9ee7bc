/* wenyuan migrate's resumption, at the moments an interruption leaves:
 * a destination holding the first rows of a table (the batches a killed
 * run committed) gets only the rest; one holding some of the library's
 * rows among others (rows the library put among an earlier run's) gets
 * the others; a new store's defaults, and the workers' counters of jobs
 * that are the library's, are replaced; a destination with rows of its
 * own (another library's accounts, a setting changed there since a copy)
 * is refused before anything is written, and keeps them. The destination
 * is a new store at wy_test_store_location (a directory, or a database of
 * the cluster at WENYUAN_TEST_PG), the source a SQLite library. */
#include "blob/blob.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/util.h"
#include "store/store.h"
#include "test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static wy_cell num(int64_t v) { return (wy_cell){.type = WY_CELL_INT, .i = v}; }
static wy_cell text(const char *s) { return (wy_cell){.type = WY_CELL_TEXT, .p = s, .len = strlen(s)}; }

/* A source library: 2500 days of searches, three settings. */
static void make_source(const char *dir)
{
	wy_store *st;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_open(dir, &st, &ei), WY_OK);
	enum { N = 2500 };
	const char *const dn[] = {"day", "n"};
	wy_cell *c = calloc(2 * N, sizeof *c);
	for (int i = 0; i < N; i++) {
		c[2 * i] = num(20000 + i);
		c[2 * i + 1] = num(i % 7);
	}
	ASSERT_EQ(wy_store_table_put(st, "search_days", 2, dn, c, N, &ei), WY_OK);
	free(c);
	const char *const sn[] = {"name", "value"};
	wy_cell sc[] = {text("site_name"), text("文渊"), text("points_signin"), text("5"), text("zz"), text("1")};
	ASSERT_EQ(wy_store_table_put(st, "settings", 2, sn, sc, 3, &ei), WY_OK);
	/* documents up to 70 were made (and purged): none of those ids again */
	ASSERT_EQ(wy_store_table_seq_set(st, "documents", 70, &ei), WY_OK);
	wy_store_close(st);
}

/* Copy the source's first n rows of table into the destination (what a
 * run killed after those batches leaves). */
typedef struct copier {
	wy_store *to;
	const char *table;
	int rc;
} copier;

static int copy_row(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	copier *c = ctx;
	c->rc = wy_store_table_put(c->to, c->table, ncols, names, cells, 1, NULL);
	return c->rc ? 1 : 0;
}

static void copy_first(const char *src, const char *dest, const char *table, int n)
{
	wy_store *from, *to;
	ASSERT_EQ(wy_store_open(src, &from, NULL), WY_OK);
	ASSERT_EQ(wy_store_open(dest, &to, NULL), WY_OK);
	copier c = {to, table, 0};
	ASSERT_EQ(wy_store_table_rows(from, table, NULL, n, copy_row, &c, NULL), WY_OK);
	ASSERT_EQ(c.rc, WY_OK);
	wy_store_close(from);
	wy_store_close(to);
}

/* Run `wenyuan --data src migrate --to-store dest --to-blob blobs`; its
 * output in out (the caller frees), its exit status returned. */
static int migrate(const char *src, const char *dest, const char *blobs, char **out)
{
	wy_config cfg;
	ASSERT_EQ(wy_config_load(&cfg, NULL), WY_OK);
	ASSERT_EQ(wy_config_set(&cfg, "data", src, NULL), WY_OK);
	char *path = wy_xasprintf("%s.out", src);
	fflush(stdout);
	int saved = dup(1), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	char *argv[] = {"migrate", "--to-store", (char *)dest, "--to-blob", (char *)blobs, NULL};
	int rc = wy_cmd_migrate(&cfg, 5, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	wy_buf b;
	ASSERT_EQ(wy_file_read(path, 1 << 20, &b), WY_OK);
	*out = wy_buf_steal(&b);
	printf("%s", *out);
	unlink(path);
	free(path);
	return rc;
}

/* The line of table in migrate's output (a static copy). */
static const char *line_of(const char *out, const char *table)
{
	static char line[256];
	line[0] = 0;
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		size_t n = strlen(table);
		if (strncmp(p, table, n) == 0 && p[n] == ' ') {
			const char *e = strchr(p, '\n');
			snprintf(line, sizeof line, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
			break;
		}
	}
	return line;
}

static int count_row(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	(void)ncols;
	(void)names;
	(void)cells;
	(*(int *)ctx)++;
	return 0;
}

TEST(resumes_after_the_rows_a_killed_run_committed)
{
	char *src = wy_xstrdup(wy_test_tmpdir("migrate-src"));
	char *dest = wy_xstrdup(wy_test_store_location("migrate-dest"));
	char *blobs = wy_xasprintf("%s/dest-blobs", src);
	make_source(src);
	/* a killed run committed the first 1000 days and the first setting */
	copy_first(src, dest, "search_days", 1000);
	copy_first(src, dest, "settings", 1);
	char *out;
	int rc = migrate(src, dest, blobs, &out);
	ASSERT_EQ(rc, 0);
	ASSERT_CONTAINS(line_of(out, "search_days"), "2500 rows, 1500 copied now");
	ASSERT_CONTAINS(line_of(out, "settings"), "3 rows, 2 copied now");
	ASSERT(!strstr(out, "NOT THE SAME"));
	ASSERT(!strstr(out, "search_days: the destination"));
	free(out);
	wy_store *to;
	int64_t last = 0;
	ASSERT_EQ(wy_store_open(dest, &to, NULL), WY_OK);
	ASSERT_EQ(wy_store_table_seq(to, "documents", &last, NULL), WY_OK);
	wy_store_close(to);
	ASSERT_EQ(last, 70);
	/* again: nothing */
	rc = migrate(src, dest, blobs, &out);
	ASSERT_EQ(rc, 0);
	ASSERT_CONTAINS(out, "migrate: 0 rows and 0 objects copied");
	free(out);
	free(src);
	free(dest);
	free(blobs);
}

/* The value of setting name at st ("" when none; a static copy). */
typedef struct setting {
	const char *name;
	char value[64];
} setting;

static int setting_row(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	setting *s = ctx;
	int n = -1, v = -1;
	for (int i = 0; i < ncols; i++) {
		if (strcmp(names[i], "name") == 0)
			n = i;
		else if (strcmp(names[i], "value") == 0)
			v = i;
	}
	ASSERT(n >= 0 && v >= 0);
	if (cells[n].len == strlen(s->name) && memcmp(cells[n].p, s->name, cells[n].len) == 0)
		snprintf(s->value, sizeof s->value, "%.*s", (int)cells[v].len, cells[v].p);
	return 0;
}

static const char *setting_of(const char *loc, const char *name)
{
	static setting s;
	memset(&s, 0, sizeof s);
	s.name = name;
	wy_store *st;
	ASSERT_EQ(wy_store_open(loc, &st, NULL), WY_OK);
	ASSERT_EQ(wy_store_table_rows(st, "settings", NULL, 0, setting_row, &s, NULL), WY_OK);
	wy_store_close(st);
	return s.value;
}

static int rows_of(const char *loc, const char *table)
{
	wy_store *st;
	int n = 0;
	ASSERT_EQ(wy_store_open(loc, &st, NULL), WY_OK);
	ASSERT_EQ(wy_store_table_rows(st, table, NULL, 0, count_row, &n, NULL), WY_OK);
	wy_store_close(st);
	return n;
}

/* Replace table's rows at loc with nrows rows of names' columns. */
static void put_only(const char *loc, const char *table, int ncols, const char *const *names, const wy_cell *cells,
		     int nrows)
{
	wy_store *st;
	ASSERT_EQ(wy_store_open(loc, &st, NULL), WY_OK);
	ASSERT_EQ(wy_store_table_clear(st, table, NULL), WY_OK);
	if (nrows)
		ASSERT_EQ(wy_store_table_put(st, table, ncols, names, cells, nrows, NULL), WY_OK);
	wy_store_close(st);
}

TEST(some_of_the_librarys_rows_get_the_others)
{
	char *src = wy_xstrdup(wy_test_tmpdir("migrate-src4"));
	char *dest = wy_xstrdup(wy_test_store_location("migrate-dest4"));
	char *blobs = wy_xasprintf("%s/dest-blobs", src);
	make_source(src);
	/* the destination holds every other day of the library's: none
	 * first, all of them its (the library put the others among them) */
	enum { N = 1250 };
	const char *const dn[] = {"day", "n"};
	wy_cell *c = calloc(2 * N, sizeof *c);
	for (int i = 0; i < N; i++) {
		c[2 * i] = num(20000 + 2 * i + 1);
		c[2 * i + 1] = num((2 * i + 1) % 7);
	}
	put_only(dest, "search_days", 2, dn, c, N);
	free(c);
	char *out;
	ASSERT_EQ(migrate(src, dest, blobs, &out), 0);
	ASSERT_CONTAINS(out, "search_days: the destination holds 1250 of the library's rows, not its first ones");
	ASSERT_CONTAINS(line_of(out, "search_days"), "2500 rows, 1250 copied now");
	ASSERT(!strstr(out, "NOT THE SAME"));
	ASSERT(!strstr(out, "search_days: the destination's rows"));
	free(out);
	free(src);
	free(dest);
	free(blobs);
}

TEST(a_new_stores_defaults_and_the_jobs_counters_replaced)
{
	char *src = wy_xstrdup(wy_test_tmpdir("migrate-src5"));
	char *dest = wy_xstrdup(wy_test_store_location("migrate-dest5"));
	char *blobs = wy_xasprintf("%s/dest-blobs", src);
	make_source(src);
	/* the library's own articles and categories, not a new store's:
	 * the destination's (a new store's) are replaced */
	const char *const an[] = {"id", "slug", "title", "kind", "body_md", "state", "published_at", "created_at",
				  "updated_at"};
	wy_cell ac[] = {num(1), text("about"), text("关于本站"), text("page"), text("本站。"),
			num(1), num(5),        num(5),           num(5)};
	put_only(src, "articles", 9, an, ac, 1);
	const char *const cn[] = {"id", "parent_id", "name", "path"};
	wy_cell cc[] = {num(1), (wy_cell){.type = WY_CELL_NULL}, text("古籍"), text("古籍")};
	put_only(src, "categories", 4, cn, cc, 1);
	const char *const kn[] = {"name", "labels", "value"};
	wy_cell kc[] = {text("wenyuan_conversions_total"), text("format=\"pdf\""),
			(wy_cell){.type = WY_CELL_REAL, .r = 2}};
	put_only(src, "counters", 3, kn, kc, 1);
	char *out;
	ASSERT_EQ(migrate(src, dest, blobs, &out), 0);
	ASSERT_CONTAINS(out, "articles: the destination's rows are not the library's first ones but a new store's defaults");
	ASSERT_CONTAINS(line_of(out, "articles"), "1 rows, 1 copied now");
	ASSERT_CONTAINS(out, "categories: the destination's rows are not the library's first ones but a new store's");
	ASSERT_CONTAINS(line_of(out, "categories"), "1 rows, 1 copied now");
	ASSERT(!strstr(out, "NOT THE SAME"));
	free(out);
	/* the library's jobs counted again since (its jobs the destination's
	 * first rows): the counters replaced */
	kc[2].r = 3;
	put_only(src, "counters", 3, kn, kc, 1);
	ASSERT_EQ(migrate(src, dest, blobs, &out), 0);
	ASSERT_CONTAINS(out, "counters: the destination's rows are not the library's first ones but the workers'");
	ASSERT_CONTAINS(line_of(out, "counters"), "1 rows, 1 copied now");
	ASSERT(!strstr(out, "NOT THE SAME"));
	free(out);
	/* an article changed at the destination since: its own, kept */
	wy_cell mine[] = {num(1), text("about"), text("关于我们"), text("page"), text("改过。"),
			  num(1), num(9),        num(5),           num(9)};
	put_only(dest, "articles", 9, an, mine, 1);
	ASSERT_EQ(migrate(src, dest, blobs, &out), 2);
	ASSERT_CONTAINS(out, "articles: the destination holds rows that are not the library's first ones: its own");
	free(out);
	ASSERT_EQ(rows_of(dest, "articles"), 1);
	free(src);
	free(dest);
	free(blobs);
}

TEST(rows_of_its_own_refused_nothing_written)
{
	char *src = wy_xstrdup(wy_test_tmpdir("migrate-src2"));
	char *dest = wy_xstrdup(wy_test_store_location("migrate-dest2"));
	char *blobs = wy_xasprintf("%s/dest-blobs", src);
	make_source(src);
	char *out;
	ASSERT_EQ(migrate(src, dest, blobs, &out), 0);
	free(out);
	/* the site ran at the destination since: a setting changed, one
	 * added; then the library gained days. The same command refuses,
	 * names the table, and copies nothing: the settings stay */
	wy_store *to;
	ASSERT_EQ(wy_store_open(dest, &to, NULL), WY_OK);
	const char *const sn[] = {"name", "value"};
	wy_cell sc[] = {text("site_name"), text("别处"), text("aaa"), text("other")};
	ASSERT_EQ(wy_store_table_clear(to, "settings", NULL), WY_OK);
	ASSERT_EQ(wy_store_table_put(to, "settings", 2, sn, sc, 2, NULL), WY_OK);
	wy_store_close(to);
	const char *const dn[] = {"day", "n"};
	wy_cell dc[] = {num(30000), num(1)};
	wy_store *st;
	ASSERT_EQ(wy_store_open(src, &st, NULL), WY_OK);
	ASSERT_EQ(wy_store_table_put(st, "search_days", 2, dn, dc, 1, NULL), WY_OK);
	wy_store_close(st);
	ASSERT_EQ(migrate(src, dest, blobs, &out), 2);
	ASSERT_CONTAINS(out, "settings: the destination holds rows that are not the library's first ones: its own");
	ASSERT(!strstr(out, "emptied"));
	ASSERT(!strstr(out, "objects:"));
	free(out);
	ASSERT_STR_EQ(setting_of(dest, "site_name"), "别处");
	ASSERT_STR_EQ(setting_of(dest, "aaa"), "other");
	ASSERT_EQ(rows_of(dest, "settings"), 2);
	ASSERT_EQ(rows_of(dest, "search_days"), 2500);

	/* another library's account at a new destination: refused, nothing written */
	char *dest3 = wy_xstrdup(wy_test_store_location("migrate-dest3"));
	ASSERT_EQ(wy_store_open(dest3, &to, NULL), WY_OK);
	const char *const un[] = {"id", "name", "pass", "role", "banned", "created_at"};
	wy_cell uc[] = {num(1), text("stranger"), text("x"), num(0), num(0), num(1)};
	int prc = wy_store_table_put(to, "users", 6, un, uc, 1, NULL);
	wy_store_close(to);
	ASSERT_EQ(prc, WY_OK);
	/* the library has an account of its own at id 1 */
	ASSERT_EQ(wy_store_open(src, &st, NULL), WY_OK);
	wy_cell owner[] = {num(1), text("owner"), text("y"), num(0), num(0), num(2)};
	ASSERT_EQ(wy_store_table_put(st, "users", 6, un, owner, 1, NULL), WY_OK);
	wy_store_close(st);
	ASSERT_EQ(migrate(src, dest3, blobs, &out), 2);
	ASSERT_CONTAINS(out, "users: the destination holds rows that are not the library's first ones: its own");
	free(out);
	ASSERT_EQ(rows_of(dest3, "search_days"), 0);
	ASSERT_EQ(rows_of(dest3, "users"), 1);
	free(src);
	free(dest);
	free(dest3);
	free(blobs);
}

TEST_LIST(T(resumes_after_the_rows_a_killed_run_committed), T(some_of_the_librarys_rows_get_the_others),
	  T(a_new_stores_defaults_and_the_jobs_counters_replaced), T(rows_of_its_own_refused_nothing_written))
