/* Collections, the sitemap's parts, the dashboard's counts and the store's
 * size (sqlite_collections.c, sqlite_sitemap.c, sqlite_dash.c and their
 * PostgreSQL twins): positions 1..n without gaps through moves, removals
 * and a document's purge; what each reader sees of a collection and of
 * its documents; favorites counted with their rows; the sitemap's
 * generation moving with what a visitor may see and not with a view
 * counted; a new width counted anew under a new epoch. */
#include "core/util.h"
#include "store/store.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static wy_store *fresh(void)
{
	char *dir = wy_test_store_location("collections");
	wy_store *st;
	if (wy_store_open(dir, &st, NULL))
		return NULL;
	return st;
}

static int64_t user(wy_store *st, const char *name)
{
	int64_t id = 0;
	ASSERT_EQ(wy_store_user_add(st, name, "$argon2id$fake", WY_ROLE_USER, 0, &id, NULL), WY_OK);
	return id;
}

/* A ready document of owner with one page. */
static int64_t doc(wy_store *st, int64_t owner, bool private_)
{
	static int serial;
	char sha[65];
	snprintf(sha, sizeof sha, "%064d", ++serial + 5000);
	wy_doc_new dn = {.filename = "a.txt", .sha256 = sha, .size = 10, .owner_id = owner, .uploader = "someone",
			 .private_ = private_};
	int64_t id;
	bool existed;
	ASSERT_EQ(wy_store_doc_add(st, &dn, &id, &existed, NULL), WY_OK);
	wy_job j;
	ASSERT_EQ(wy_store_job_claim(st, "t", 60, 3, &j, NULL), WY_OK);
	wy_page p = {.page_no = 1, .text = "正文", .width = 10, .height = 10};
	snprintf(p.image_sha256, 65, "%064d", serial + 15000);
	wy_doc_result r = {.format = "txt", .title = "标题", .npages = 1, .pages = &p};
	ASSERT_EQ(wy_store_job_finish(st, &j, &r, NULL), WY_OK);
	return id;
}

/* The documents of collection c as reader sees them, as "id@position ..." */
static char *items(wy_store *st, int64_t c, int64_t reader, bool admin)
{
	static char out[512];
	wy_doc_list l;
	int pos[WY_COLLECTION_ITEMS_MAX];
	ASSERT_EQ(wy_store_collection_docs(st, c, reader, admin, &l, pos, NULL), WY_OK);
	size_t n = 0;
	out[0] = 0;
	for (int i = 0; i < l.n; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%lld@%d", i ? " " : "", (long long)l.items[i].id, pos[i]);
	wy_doc_list_clear(&l);
	return out;
}

TEST(positions_stay_dense_and_readers_see_their_share)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice"), b = user(st, "bob");
	int64_t d1 = doc(st, a, false), d2 = doc(st, a, false), d3 = doc(st, a, false), dp = doc(st, a, true);
	int64_t bp = doc(st, b, true);
	int64_t c, other;
	ASSERT_EQ(wy_store_collection_add(st, a, "", NULL, true, &c, NULL), WY_EINVAL);
	ASSERT_EQ(wy_store_collection_add(st, a, "合集", "说明", true, &c, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_add(st, a, "私藏", NULL, false, &other, NULL), WY_OK);
	int pos;
	ASSERT_EQ(wy_store_collection_item_add(st, c, d1, &pos, NULL), WY_OK);
	ASSERT_EQ(pos, 1);
	ASSERT_EQ(wy_store_collection_item_add(st, c, d2, &pos, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_item_add(st, c, dp, &pos, NULL), WY_OK); /* her own private one */
	ASSERT_EQ(wy_store_collection_item_add(st, c, d3, &pos, NULL), WY_OK);
	ASSERT_EQ(pos, 4);
	ASSERT_EQ(wy_store_collection_item_add(st, c, d1, &pos, NULL), WY_EEXIST);
	ASSERT_EQ(wy_store_collection_item_add(st, c, bp, &pos, NULL), WY_ENOTFOUND); /* bob's private one */
	ASSERT_EQ(wy_store_collection_item_add(st, 9999, d1, &pos, NULL), WY_ENOTFOUND);
	char want[128];
	snprintf(want, sizeof want, "%lld@1 %lld@2 %lld@3 %lld@4", (long long)d1, (long long)d2, (long long)dp,
		 (long long)d3);
	ASSERT_STR_EQ(items(st, c, a, false), want);
	/* a visitor does not see the private one: its position stays */
	snprintf(want, sizeof want, "%lld@1 %lld@2 %lld@4", (long long)d1, (long long)d2, (long long)d3);
	ASSERT_STR_EQ(items(st, c, 0, false), want);
	ASSERT_EQ(wy_store_collection_item_move(st, c, d3, 1, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_item_move(st, c, d3, 5, NULL), WY_EINVAL);
	snprintf(want, sizeof want, "%lld@1 %lld@2 %lld@3 %lld@4", (long long)d3, (long long)d1, (long long)d2,
		 (long long)dp);
	ASSERT_STR_EQ(items(st, c, a, false), want);
	ASSERT_EQ(wy_store_collection_item_move(st, c, d3, 3, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_item_remove(st, c, d1, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_item_remove(st, c, d1, NULL), WY_ENOTFOUND);
	snprintf(want, sizeof want, "%lld@1 %lld@2 %lld@3", (long long)d2, (long long)d3, (long long)dp);
	ASSERT_STR_EQ(items(st, c, a, false), want);
	/* the collection as each reader sees it */
	wy_collection got;
	ASSERT_EQ(wy_store_collection_get(st, c, 0, false, &got, NULL), WY_OK);
	ASSERT_EQ(got.items, 2);
	ASSERT_STR_EQ(got.owner, "alice");
	ASSERT_STR_EQ(got.description, "说明");
	wy_collection_clear(&got);
	ASSERT_EQ(wy_store_collection_get(st, other, b, false, &got, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_collection_get(st, other, b, true, &got, NULL), WY_OK);
	ASSERT(!got.public_);
	wy_collection_clear(&got);
	ASSERT_EQ(wy_store_collection_edit(st, other, NULL, NULL, 1, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_get(st, other, b, false, &got, NULL), WY_OK);
	ASSERT_STR_EQ(got.name, "私藏");
	wy_collection_clear(&got);
	ASSERT_EQ(wy_store_collection_edit(st, 9999, "x", NULL, -1, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

TEST(favorites_count_with_their_rows_and_lists_filter)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice"), b = user(st, "bob"), c = user(st, "carol");
	int64_t d = doc(st, a, false);
	int64_t x, y, z;
	ASSERT_EQ(wy_store_collection_add(st, a, "一", NULL, true, &x, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_add(st, a, "二", NULL, true, &y, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_add(st, b, "三", NULL, false, &z, NULL), WY_OK);
	int pos;
	ASSERT_EQ(wy_store_collection_item_add(st, y, d, &pos, NULL), WY_OK);
	int64_t n;
	ASSERT_EQ(wy_store_collection_favorite(st, b, y, true, &n, NULL), WY_OK);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(wy_store_collection_favorite(st, b, y, true, &n, NULL), WY_OK); /* twice: one row */
	ASSERT_EQ(n, 1);
	ASSERT_EQ(wy_store_collection_favorite(st, c, y, true, &n, NULL), WY_OK);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(wy_store_collection_favorite(st, c, y, false, &n, NULL), WY_OK);
	ASSERT_EQ(n, 1);
	ASSERT_EQ(wy_store_collection_favorite(st, c, 9999, true, &n, NULL), WY_ENOTFOUND);
	wy_collection_list l;
	int total;
	/* a visitor: the public ones, newest first; most favorited first */
	wy_collection_filter f = {.contains = d};
	ASSERT_EQ(wy_store_collection_list(st, &f, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	ASSERT_EQ(l.n, 2);
	ASSERT_EQ(l.items[0].id, y);
	ASSERT(l.items[0].has_doc && !l.items[1].has_doc);
	wy_collection_list_clear(&l);
	f.sort = WY_COLL_FAVORITES;
	ASSERT_EQ(wy_store_collection_list(st, &f, 1, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 2);
	ASSERT_EQ(l.n, 1);
	ASSERT_EQ(l.items[0].id, x);
	wy_collection_list_clear(&l);
	/* bob's own, private one too; his favorites */
	wy_collection_filter mine = {.reader = b, .owner = b};
	ASSERT_EQ(wy_store_collection_list(st, &mine, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT_EQ(l.items[0].id, z);
	wy_collection_list_clear(&l);
	wy_collection_filter favs = {.reader = b, .favorited_by = b};
	ASSERT_EQ(wy_store_collection_list(st, &favs, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 1);
	ASSERT(l.items[0].id == y && l.items[0].faved && l.items[0].favorites == 1 && l.items[0].items == 1);
	wy_collection_list_clear(&l);
	ASSERT_EQ(wy_store_collection_delete(st, y, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_delete(st, y, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_collection_list(st, &favs, 0, 10, &l, &total, NULL), WY_OK);
	ASSERT_EQ(total, 0);
	wy_collection_list_clear(&l);
	wy_store_close(st);
}

/* The part of kind holding id at width, from the parts listed. */
static int part_of(wy_store *st, int kind, int64_t part, int width, int64_t *gen, int64_t *listed, int64_t *epoch)
{
	return wy_store_sitemap_gen(st, kind, part, width, epoch, gen, listed, NULL);
}

TEST(sitemap_generations_follow_what_visitors_see)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice");
	int64_t d1 = doc(st, a, false), d2 = doc(st, a, false), d3 = doc(st, a, true);
	const int W = 1000;
	int64_t epoch, epoch2, gen, gen2, listed;
	wy_sitemap_part *parts;
	int n;
	/* a width other than the last: counted anew, under a new epoch */
	ASSERT_EQ(wy_store_sitemap_parts(st, W, &parts, &n, &epoch, NULL), WY_OK);
	ASSERT_EQ(n, 1);
	ASSERT(parts[0].kind == WY_SITEMAP_DOCS && parts[0].part == d1 / W && parts[0].listed == 2);
	free(parts);
	ASSERT_EQ(part_of(st, WY_SITEMAP_DOCS, d1 / W, W, &gen, &listed, &epoch2), WY_OK);
	ASSERT_EQ(epoch2, epoch);
	ASSERT_EQ(listed, 2);
	/* a view counted moves nothing */
	int64_t ids[1] = {d1}, counts[1] = {3};
	ASSERT_EQ(wy_store_doc_add_counts(st, ids, counts, 1, false, NULL), WY_OK);
	ASSERT_EQ(part_of(st, WY_SITEMAP_DOCS, d1 / W, W, &gen2, &listed, &epoch2), WY_OK);
	ASSERT_EQ(gen2, gen);
	/* made private: one fewer listed, a new generation */
	ASSERT_EQ(wy_store_doc_set_private(st, d2, true, NULL), WY_OK);
	ASSERT_EQ(part_of(st, WY_SITEMAP_DOCS, d2 / W, W, &gen2, &listed, &epoch2), WY_OK);
	ASSERT(gen2 > gen);
	ASSERT_EQ(listed, 1);
	wy_sitemap_url *u;
	int nu;
	ASSERT_EQ(wy_store_sitemap_urls(st, WY_SITEMAP_DOCS, d1 / W, W, &u, &nu, &epoch2, &gen, NULL), WY_OK);
	ASSERT_EQ(nu, 1);
	ASSERT_EQ(u[0].id, d1);
	ASSERT_EQ(gen, gen2);
	free(u);
	ASSERT_EQ(wy_store_doc_set_private(st, d3, false, NULL), WY_OK);
	/* a public collection is listed; a private one is not */
	int64_t c, c2;
	ASSERT_EQ(wy_store_collection_add(st, a, "公开", NULL, true, &c, NULL), WY_OK);
	ASSERT_EQ(wy_store_collection_add(st, a, "私", NULL, false, &c2, NULL), WY_OK);
	ASSERT_EQ(wy_store_sitemap_parts(st, W, &parts, &n, &epoch2, NULL), WY_OK);
	ASSERT_EQ(epoch2, epoch);
	ASSERT_EQ(n, 2);
	ASSERT(parts[0].listed == 2 && parts[1].kind == WY_SITEMAP_COLLECTIONS && parts[1].listed == 1);
	free(parts);
	ASSERT_EQ(wy_store_sitemap_urls(st, WY_SITEMAP_COLLECTIONS, c / W, W, &u, &nu, &epoch2, &gen, NULL), WY_OK);
	ASSERT_EQ(nu, 1);
	ASSERT_EQ(u[0].id, c);
	free(u);
	/* another width: a new epoch, the same rows */
	ASSERT_EQ(wy_store_sitemap_parts(st, 1, &parts, &n, &epoch2, NULL), WY_OK);
	ASSERT(epoch2 > epoch);
	ASSERT_EQ(n, 3);
	free(parts);
	ASSERT_EQ(wy_store_sitemap_parts(st, 0, &parts, &n, &epoch2, NULL), WY_EINVAL);
	wy_str_list cats;
	ASSERT_EQ(wy_store_sitemap_categories(st, &cats, NULL), WY_OK);
	for (int i = 1; i < cats.n; i++)
		ASSERT(strcmp(cats.items[i - 1], cats.items[i]) < 0);
	wy_str_list_clear(&cats);
	wy_store_close(st);
}

TEST(dashboard_counts_and_store_size)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t a = user(st, "alice");
	doc(st, a, false);
	doc(st, a, true);
	wy_dash_docs dd;
	ASSERT_EQ(wy_store_dash_docs(st, &dd, NULL), WY_OK);
	ASSERT_EQ(dd.status[WY_DOC_READY], 2);
	ASSERT_EQ(dd.state[WY_STATE_PUBLISHED], 2);
	int64_t today = (wy_now() + 28800) / 86400, series[3];
	ASSERT_EQ(wy_store_dash_daily(st, WY_DASH_UPLOADS, today - 1, 3, series, NULL), WY_OK);
	ASSERT(series[0] == 0 && series[1] == 2 && series[2] == 0);
	ASSERT_EQ(wy_store_dash_daily(st, WY_DASH_USERS, today, 1, series, NULL), WY_OK);
	ASSERT_EQ(series[0], 1);
	int64_t hour = wy_now() / 3600, ready[2], failed[2];
	ASSERT_EQ(wy_store_dash_hourly(st, hour - 1, 2, ready, failed, NULL), WY_OK);
	ASSERT_EQ(ready[0] + ready[1], 2);
	ASSERT_EQ(failed[0] + failed[1], 0);
	const char *txt[] = {"txt", NULL};
	int64_t at, id;
	bool ok;
	char *reason;
	ASSERT_EQ(wy_store_dash_last_job(st, txt, false, &at, &ok, &id, &reason, NULL), WY_OK);
	ASSERT(at > 0 && ok && id > 0 && !reason);
	int64_t bytes, log_bytes;
	ASSERT_EQ(wy_store_size(st, &bytes, &log_bytes, NULL), WY_OK);
	ASSERT(bytes > 0 && log_bytes >= 0);
	wy_store_close(st);
}

TEST_LIST(T(positions_stay_dense_and_readers_see_their_share), T(favorites_count_with_their_rows_and_lists_filter),
	  T(sitemap_generations_follow_what_visitors_see), T(dashboard_counts_and_store_size))
