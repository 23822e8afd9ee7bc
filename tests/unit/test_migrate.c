/* wenyuan migrate's resumption, at the moments an interruption leaves:
 * a destination holding the first rows of a table (the batches a killed
 * run committed) gets only the rest; a table of the destination holding
 * other rows is started over; a destination with another library's
 * accounts is refused before anything is written. The destination is a
 * new store at wy_test_store_location (a directory, or a database of the
 * cluster at WENYUAN_TEST_PG), the source a SQLite library. */
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

TEST(other_rows_started_over_another_library_refused)
{
	char *src = wy_xstrdup(wy_test_tmpdir("migrate-src2"));
	char *dest = wy_xstrdup(wy_test_store_location("migrate-dest2"));
	char *blobs = wy_xasprintf("%s/dest-blobs", src);
	make_source(src);
	wy_store *to;
	ASSERT_EQ(wy_store_open(dest, &to, NULL), WY_OK);
	/* a setting the library does not have: the table is started over */
	const char *const sn[] = {"name", "value"};
	wy_cell sc[] = {text("aaa"), text("other")};
	ASSERT_EQ(wy_store_table_put(to, "settings", 2, sn, sc, 1, NULL), WY_OK);
	wy_store_close(to);
	char *out;
	ASSERT_EQ(migrate(src, dest, blobs, &out), 0);
	ASSERT_CONTAINS(out, "settings: the destination's rows are not the library's first ones: emptied");
	ASSERT_CONTAINS(line_of(out, "settings"), "3 rows, 3 copied now");
	free(out);

	/* another library's account at a new destination: refused, nothing written */
	char *dest3 = wy_xstrdup(wy_test_store_location("migrate-dest3"));
	ASSERT_EQ(wy_store_open(dest3, &to, NULL), WY_OK);
	const char *const un[] = {"id", "name", "pass", "role", "banned", "created_at"};
	wy_cell uc[] = {num(1), text("stranger"), text("x"), num(0), num(0), num(1)};
	int prc = wy_store_table_put(to, "users", 6, un, uc, 1, NULL);
	wy_store_close(to);
	ASSERT_EQ(prc, WY_OK);
	/* the library has an account of its own at id 1 */
	wy_store *st;
	ASSERT_EQ(wy_store_open(src, &st, NULL), WY_OK);
	wy_cell mine[] = {num(1), text("owner"), text("y"), num(0), num(0), num(2)};
	ASSERT_EQ(wy_store_table_put(st, "users", 6, un, mine, 1, NULL), WY_OK);
	wy_store_close(st);
	ASSERT_EQ(migrate(src, dest3, blobs, &out), 2);
	free(out);
	ASSERT_EQ(wy_store_open(dest3, &to, NULL), WY_OK);
	int days = 0;
	ASSERT_EQ(wy_store_table_rows(to, "search_days", NULL, 0, count_row, &days, NULL), WY_OK);
	ASSERT_EQ(days, 0);
	wy_store_close(to);
	free(src);
	free(dest);
	free(dest3);
	free(blobs);
}

TEST_LIST(T(resumes_after_the_rows_a_killed_run_committed), T(other_rows_started_over_another_library_refused))
