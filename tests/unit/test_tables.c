/* Every row of a table read and written as typed cells (store.h's
 * wy_store_table_*, wenyuan migrate's ground): every table of a new store
 * is either copied or derived; rows come in their key's order (text as
 * bytes), after a key and up to a limit; cells keep their type and value
 * (text, bytes with a NUL, reals, NULL); ids are kept and the next id
 * comes after them; a batch with a taken key writes nothing. */
#include "store/store.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static wy_store *open_store(const char *tag)
{
	wy_store *st = NULL;
	wy_errinfo ei = {0};
	int rc = wy_store_open(wy_test_store_location(tag), &st, &ei);
	if (rc)
		fprintf(stderr, "open: %s\n", ei.msg);
	ASSERT_EQ(rc, WY_OK);
	return st;
}

/* The rows read: each row's cells as text ("I:5", "R:0.1", "T:abc",
 * "B:<hex>", "N"), the columns in name order, one line a row. */
typedef struct seen {
	char out[8192];
	int rows;
} seen;

static const char *const *sort_names;
static int cmp_idx(const void *a, const void *b)
{
	return strcmp(sort_names[*(const int *)a], sort_names[*(const int *)b]);
}

static int see_row(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	seen *s = ctx;
	int idx[32];
	for (int i = 0; i < ncols && i < 32; i++)
		idx[i] = i;
	sort_names = names;
	qsort(idx, (size_t)ncols, sizeof idx[0], cmp_idx);
	size_t at = strlen(s->out);
	for (int j = 0; j < ncols && at + 200 < sizeof s->out; j++) {
		const wy_cell *c = &cells[idx[j]];
		at += (size_t)snprintf(s->out + at, sizeof s->out - at, "%s%s=", j ? " " : "", names[idx[j]]);
		switch (c->type) {
		case WY_CELL_INT:
			at += (size_t)snprintf(s->out + at, sizeof s->out - at, "I:%lld", (long long)c->i);
			break;
		case WY_CELL_REAL:
			at += (size_t)snprintf(s->out + at, sizeof s->out - at, "R:%.17g", c->r);
			break;
		case WY_CELL_TEXT:
			at += (size_t)snprintf(s->out + at, sizeof s->out - at, "T:%.*s", (int)c->len, c->p);
			break;
		case WY_CELL_BYTES:
			at += (size_t)snprintf(s->out + at, sizeof s->out - at, "B:");
			for (size_t k = 0; k < c->len; k++)
				at += (size_t)snprintf(s->out + at, sizeof s->out - at, "%02x",
						       (unsigned char)c->p[k]);
			break;
		default:
			at += (size_t)snprintf(s->out + at, sizeof s->out - at, "N");
		}
	}
	snprintf(s->out + at, sizeof s->out - at, "\n");
	s->rows++;
	return 0;
}

static const char *rows_of(wy_store *st, const char *table, const wy_cell *after, int limit, seen *s)
{
	memset(s, 0, sizeof *s);
	wy_errinfo ei = {0};
	int rc = wy_store_table_rows(st, table, after, limit, see_row, s, &ei);
	if (rc)
		fprintf(stderr, "rows of %s: %s\n", table, ei.msg);
	ASSERT_EQ(rc, WY_OK);
	return s->out;
}

static wy_cell text(const char *s) { return (wy_cell){.type = WY_CELL_TEXT, .p = s, .len = strlen(s)}; }
static wy_cell num(int64_t v) { return (wy_cell){.type = WY_CELL_INT, .i = v}; }

TEST(every_table_copied_or_derived)
{
	wy_store *st = open_store("tables-list");
	wy_str_list names;
	wy_errinfo ei = {0};
	ASSERT_EQ(wy_store_table_names(st, &names, &ei), WY_OK);
	ASSERT(names.n > 10);
	for (int i = 0; i < names.n; i++) {
		if (!wy_store_table_def(names.items[i]) && !wy_store_table_derived(names.items[i]))
			fprintf(stderr, "  table %s is neither listed nor derived\n", names.items[i]);
		ASSERT(wy_store_table_def(names.items[i]) || wy_store_table_derived(names.items[i]));
	}
	/* and every listed table is there (a name misspelt in the list) */
	int n;
	const wy_table_def *t = wy_store_tables(&n);
	for (int i = 0; i < n; i++) {
		bool found = false;
		for (int j = 0; j < names.n; j++)
			found |= strcmp(names.items[j], t[i].name) == 0;
		if (!found)
			fprintf(stderr, "  listed table %s is not in the store\n", t[i].name);
		ASSERT(found);
		ASSERT(!wy_store_table_derived(t[i].name));
		/* every table answers for its ids (0 for an empty one) */
		int64_t last = -1;
		int rc = wy_store_table_seq(st, t[i].name, &last, &ei);
		if (rc)
			fprintf(stderr, "  %s: %s\n", t[i].name, ei.msg);
		ASSERT_EQ(rc, WY_OK);
		ASSERT(last >= 0);
	}
	wy_str_list_clear(&names);
	/* a name that is not a listed table is refused, never put into SQL */
	seen s;
	ASSERT_EQ(wy_store_table_rows(st, "settings; DROP TABLE users", NULL, 0, see_row, &s, &ei), WY_EINVAL);
	ASSERT_EQ(wy_store_table_clear(st, "sqlite_master", &ei), WY_EINVAL);
	wy_store_close(st);
}

TEST(rows_in_key_order_after_and_limit)
{
	wy_store *st = open_store("tables-order");
	wy_errinfo ei = {0};
	/* bytes' order: upper case before lower case before UTF-8 */
	const char *const names[] = {"name", "value"};
	wy_cell cells[] = {text("a"), text("2"), text("é"), text("4"), text("B"), text("1"), text("Z"), text("3")};
	ASSERT_EQ(wy_store_table_clear(st, "settings", &ei), WY_OK);
	ASSERT_EQ(wy_store_table_put(st, "settings", 2, names, cells, 4, &ei), WY_OK);
	seen s;
	ASSERT_STR_EQ(rows_of(st, "settings", NULL, 0, &s),
		      "name=T:B value=T:1\nname=T:Z value=T:3\nname=T:a value=T:2\nname=T:é value=T:4\n");
	wy_cell after = text("Z");
	ASSERT_STR_EQ(rows_of(st, "settings", &after, 0, &s), "name=T:a value=T:2\nname=T:é value=T:4\n");
	ASSERT_STR_EQ(rows_of(st, "settings", &after, 1, &s), "name=T:a value=T:2\n");
	ASSERT_STR_EQ(rows_of(st, "settings", NULL, 2, &s), "name=T:B value=T:1\nname=T:Z value=T:3\n");
	/* a key of two columns */
	const char *const cn[] = {"name", "labels", "value"};
	wy_cell cc[] = {text("x"), text("b"), {.type = WY_CELL_REAL, .r = 0.1},
			text("x"), text("a"), {.type = WY_CELL_REAL, .r = -2.5},
			text("w"), text("z"), {.type = WY_CELL_REAL, .r = 1e300}};
	ASSERT_EQ(wy_store_table_clear(st, "counters", &ei), WY_OK);
	ASSERT_EQ(wy_store_table_put(st, "counters", 3, cn, cc, 3, &ei), WY_OK);
	ASSERT_STR_EQ(rows_of(st, "counters", NULL, 0, &s),
		      "labels=T:z name=T:w value=R:1.0000000000000001e+300\n"
		      "labels=T:a name=T:x value=R:-2.5\n"
		      "labels=T:b name=T:x value=R:0.10000000000000001\n");
	wy_cell after2[] = {text("x"), text("a")};
	ASSERT_STR_EQ(rows_of(st, "counters", after2, 0, &s), "labels=T:b name=T:x value=R:0.10000000000000001\n");
	wy_store_close(st);
}

TEST(cells_keep_type_ids_kept)
{
	wy_store *st = open_store("tables-cells");
	wy_errinfo ei = {0};
	/* bytes with a NUL among them */
	const char key[4] = {'\x01', '\0', '\xff', 'k'};
	const char *const kn[] = {"id", "key"};
	wy_cell kc[] = {num(1), {.type = WY_CELL_BYTES, .p = key, .len = sizeof key}};
	ASSERT_EQ(wy_store_table_put(st, "link_key", 2, kn, kc, 1, &ei), WY_OK);
	seen s;
	ASSERT_STR_EQ(rows_of(st, "link_key", NULL, 0, &s), "id=I:1 key=B:0100ff6b\n");
	/* NULL; ids kept, in any order; the next id after the largest */
	const char *const cn[] = {"id", "parent_id", "name", "path"};
	wy_cell cc[] = {num(900), num(905), text("子"), text("母/子"), num(905), {.type = WY_CELL_NULL}, text("母"),
			text("母")};
	ASSERT_EQ(wy_store_table_put(st, "categories", 4, cn, cc, 2, &ei), WY_OK);
	wy_cell after = num(899);
	ASSERT_STR_EQ(rows_of(st, "categories", &after, 0, &s),
		      "id=I:900 name=T:子 parent_id=I:905 path=T:母/子\nid=I:905 name=T:母 parent_id=N path=T:母\n");
	const char *const nn[] = {"parent_id", "name", "path"};
	wy_cell nc[] = {num(905), text("孙"), text("母/孙")};
	ASSERT_EQ(wy_store_table_put(st, "categories", 3, nn, nc, 1, &ei), WY_OK);
	after = num(905);
	ASSERT_STR_EQ(rows_of(st, "categories", &after, 0, &s), "id=I:906 name=T:孙 parent_id=I:905 path=T:母/孙\n");
	/* a batch with a taken key: nothing of it written */
	wy_cell dup[] = {num(950), {.type = WY_CELL_NULL}, text("新"), text("新"), num(900), {.type = WY_CELL_NULL},
			 text("重"), text("重")};
	ASSERT(wy_store_table_put(st, "categories", 4, cn, dup, 2, &ei) != WY_OK);
	after = num(906);
	ASSERT_STR_EQ(rows_of(st, "categories", &after, 0, &s), "");
	/* clear */
	ASSERT_EQ(wy_store_table_clear(st, "link_key", &ei), WY_OK);
	ASSERT_STR_EQ(rows_of(st, "link_key", NULL, 0, &s), "");
	wy_store_close(st);
}

/* The highest id a table gave, beyond its rows, and never moved back. */
TEST(ids_never_given_again)
{
	wy_store *st = open_store("tables-seq");
	wy_errinfo ei = {0};
	int64_t last = -1;
	ASSERT_EQ(wy_store_table_seq(st, "users", &last, &ei), WY_OK);
	ASSERT_EQ(last, 0);
	const char *const un[] = {"id", "name", "pass", "role", "banned", "created_at"};
	wy_cell uc[] = {num(5), text("five"), text("x"), num(0), num(0), num(1)};
	ASSERT_EQ(wy_store_table_put(st, "users", 6, un, uc, 1, &ei), WY_OK);
	ASSERT_EQ(wy_store_table_seq(st, "users", &last, &ei), WY_OK);
	ASSERT_EQ(last, 5);
	ASSERT_EQ(wy_store_table_seq_set(st, "users", 50, &ei), WY_OK);
	ASSERT_EQ(wy_store_table_seq_set(st, "users", 10, &ei), WY_OK); /* not back */
	ASSERT_EQ(wy_store_table_seq(st, "users", &last, &ei), WY_OK);
	ASSERT_EQ(last, 50);
	/* a row put with explicit ids below it does not move it back either */
	wy_cell uc2[] = {num(7), text("seven"), text("x"), num(0), num(0), num(1)};
	ASSERT_EQ(wy_store_table_put(st, "users", 6, un, uc2, 1, &ei), WY_OK);
	/* the next id the table makes itself comes after 50 */
	const char *const nn[] = {"name", "pass", "role", "banned", "created_at"};
	wy_cell nc[] = {text("next"), text("x"), num(0), num(0), num(1)};
	ASSERT_EQ(wy_store_table_put(st, "users", 5, nn, nc, 1, &ei), WY_OK);
	wy_cell after = num(7);
	seen s;
	ASSERT_CONTAINS(rows_of(st, "users", &after, 0, &s), "id=I:51 ");
	ASSERT_CONTAINS(s.out, "name=T:next");
	/* a table not keyed by id has none */
	ASSERT_EQ(wy_store_table_seq(st, "settings", &last, &ei), WY_OK);
	ASSERT_EQ(last, 0);
	wy_store_close(st);
}

/* A walk over search_days: every day once, one more than the last. */
typedef struct walk {
	int64_t last;
	int n;
	bool ordered;
} walk;

static int walk_row(void *ctx, int ncols, const char *const *names, const wy_cell *cells)
{
	walk *w = ctx;
	for (int i = 0; i < ncols; i++)
		if (strcmp(names[i], "day") == 0) {
			w->ordered &= cells[i].type == WY_CELL_INT && cells[i].i == w->last + 1;
			w->last = cells[i].i;
		}
	w->n++;
	return 0;
}

/* Many rows: read in pages by the backend, every one once, in order. */
TEST(many_rows_each_once)
{
	wy_store *st = open_store("tables-many");
	wy_errinfo ei = {0};
	enum { N = 2500 };
	const char *const cn[] = {"day", "n"};
	wy_cell *c = calloc(2 * N, sizeof *c);
	for (int i = 0; i < N; i++) {
		c[2 * i] = num(N - i); /* put in the reverse order */
		c[2 * i + 1] = num(i);
	}
	ASSERT_EQ(wy_store_table_put(st, "search_days", 2, cn, c, N, &ei), WY_OK);
	free(c);
	walk w = {0, 0, true};
	ASSERT_EQ(wy_store_table_rows(st, "search_days", NULL, 0, walk_row, &w, &ei), WY_OK);
	ASSERT_EQ(w.n, N);
	ASSERT(w.ordered);
	wy_cell after = num(1200);
	w = (walk){1200, 0, true};
	ASSERT_EQ(wy_store_table_rows(st, "search_days", &after, 1500, walk_row, &w, &ei), WY_OK);
	ASSERT_EQ(w.n, N - 1200);
	ASSERT(w.ordered);
	w = (walk){1200, 0, true};
	ASSERT_EQ(wy_store_table_rows(st, "search_days", &after, 1100, walk_row, &w, &ei), WY_OK);
	ASSERT_EQ(w.n, 1100);
	ASSERT(w.ordered);
	wy_store_close(st);
}

TEST_LIST(T(every_table_copied_or_derived), T(rows_in_key_order_after_and_limit), T(cells_keep_type_ids_kept), T(ids_never_given_again),
	  T(many_rows_each_once))
