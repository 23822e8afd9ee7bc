/* The attempt limits (wy_store_attempt_*, behind web/auth.c's web_limit_*):
 * an attempt is counted in the same step as the test of the limit, a
 * success gives back what it counted, processes at once never pass a
 * limit between them, and a locked key stays locked however many other
 * keys come after it. */
#include "core/util.h"
#include "store/store.h"
#include "test.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WINDOW 900

static char location[512];

static wy_store *fresh(void)
{
	snprintf(location, sizeof location, "%s", wy_test_store_location("limit"));
	wy_store *st;
	return wy_store_open(location, &st, NULL) ? NULL : st;
}

static bool take(wy_store *st, const wy_attempt_key *k, int n, int64_t now, int64_t *wait)
{
	bool ok = false;
	int64_t w = 0;
	ASSERT_EQ(wy_store_attempt_take(st, k, n, WINDOW, now, &ok, &w, NULL), WY_OK);
	if (wait)
		*wait = w;
	ASSERT(ok ? w == 0 : w > 0);
	return ok;
}

static int64_t count(wy_store *st, const char *key, int64_t now)
{
	int64_t n = -1;
	ASSERT_EQ(wy_store_attempt_count(st, key, now, &n, NULL), WY_OK);
	return n;
}

TEST(a_key_is_refused_at_its_max_and_a_success_gives_back)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t now = 1000000, wait = 0;
	wy_attempt_key k[2] = {{"pair:ip:192.0.2.1|alice", 3}, {"ip:192.0.2.1", 12}};
	for (int i = 0; i < 3; i++)
		ASSERT(take(st, k, 2, now, &wait));
	ASSERT_EQ(count(st, k[0].key, now), 3);
	ASSERT(!take(st, k, 2, now + 10, &wait));
	ASSERT_EQ(wait, 890); /* the rest of the 15 minutes */
	/* refused: nothing counted, so the address has 3, not 4 */
	ASSERT_EQ(count(st, k[1].key, now + 10), 3);
	wy_attempt_key other[2] = {{"pair:ip:192.0.2.1|bob", 3}, {"ip:192.0.2.1", 12}};
	for (int i = 0; i < 9; i++) {
		ASSERT(take(st, other, 2, now, &wait));
		ASSERT_EQ(wy_store_attempt_clear(st, other[0].key, NULL), WY_OK); /* bob's right password */
	}
	ASSERT_EQ(count(st, other[0].key, now), 0);
	ASSERT(!take(st, other, 2, now, &wait)); /* 12 counted for the address */
	ASSERT_EQ(wy_store_attempt_give(st, other[1].key, now, NULL), WY_OK); /* one given back */
	ASSERT(take(st, other, 2, now, &wait));
	/* a key given back to nothing starts a new window at its next attempt */
	wy_attempt_key solo = {"reg:ip:192.0.2.2", 2};
	ASSERT(take(st, &solo, 1, now, NULL));
	ASSERT_EQ(wy_store_attempt_give(st, solo.key, now + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_attempt_give(st, solo.key, now + 100, NULL), WY_OK); /* never below nothing */
	ASSERT_EQ(count(st, solo.key, now + 100), 0);
	ASSERT(take(st, &solo, 1, now + 800, NULL));
	ASSERT(take(st, &solo, 1, now + 800, NULL));
	ASSERT(!take(st, &solo, 1, now + 950, &wait)); /* the window began at 800 */
	ASSERT_EQ(wait, 750);
	/* after the window, all is forgotten */
	ASSERT(take(st, k, 2, now + 900, &wait));
	ASSERT_EQ(count(st, k[0].key, now + 900), 1);
	ASSERT_EQ(count(st, k[0].key, now + 900 + WINDOW), 0);
	wy_store_close(st);
}

TEST(keys_are_checked)
{
	wy_store *st = fresh();
	ASSERT(st);
	bool ok = true;
	int64_t wait;
	char longkey[WY_ATTEMPT_KEY_MAX + 2];
	memset(longkey, 'a', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = 0;
	wy_attempt_key k[WY_ATTEMPT_KEYS + 1] = {{longkey, 3}};
	ASSERT_EQ(wy_store_attempt_take(st, k, 1, WINDOW, 1000, &ok, &wait, NULL), WY_EINVAL);
	ASSERT(!ok);
	k[0].key = "";
	ASSERT_EQ(wy_store_attempt_take(st, k, 1, WINDOW, 1000, &ok, &wait, NULL), WY_EINVAL);
	for (int i = 0; i <= WY_ATTEMPT_KEYS; i++)
		k[i] = (wy_attempt_key){"ip:x", 3};
	ASSERT_EQ(wy_store_attempt_take(st, k, WY_ATTEMPT_KEYS + 1, WINDOW, 1000, &ok, &wait, NULL), WY_EINVAL);
	ASSERT_EQ(wy_store_attempt_take(st, k, 0, WINDOW, 1000, &ok, &wait, NULL), WY_EINVAL);
	ASSERT_EQ(count(st, "ip:x", 1000), 0);
	wy_store_close(st);
}

/* Eight processes (as serve processes sharing a store) try one key of
 * max 5 ten times each, at once: exactly 5 pass between them. */
TEST(processes_at_once_never_pass_the_limit)
{
	wy_store *st = fresh();
	ASSERT(st);
	wy_store_close(st);
	pid_t kids[8];
	for (int k = 0; k < 8; k++) {
		if ((kids[k] = fork()) == 0) {
			wy_store *s;
			if (wy_store_open(location, &s, NULL))
				_exit(100);
			wy_attempt_key racer = {"pair:ip:192.0.2.9|carol", 5};
			int passed = 0;
			for (int i = 0; i < 10; i++) {
				bool ok = false;
				int64_t wait;
				if (wy_store_attempt_take(s, &racer, 1, WINDOW, 2000000, &ok, &wait, NULL))
					_exit(101);
				passed += ok;
			}
			wy_store_close(s);
			_exit(passed);
		}
	}
	int passed = 0;
	for (int k = 0; k < 8; k++) {
		int status;
		ASSERT(waitpid(kids[k], &status, 0) == kids[k]);
		ASSERT(WIFEXITED(status) && WEXITSTATUS(status) <= 5);
		passed += WEXITSTATUS(status);
	}
	ASSERT_EQ(passed, 5);
	ASSERT_EQ(wy_store_open(location, &st, NULL), WY_OK);
	ASSERT_EQ(count(st, "pair:ip:192.0.2.9|carol", 2000000), 5);
	wy_store_close(st);
}

TEST(a_lock_is_never_forgotten_for_new_keys)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t now = 3000000, wait;
	wy_attempt_key locked = {"pair:ip:198.51.100.1|admin", 2};
	ASSERT(take(st, &locked, 1, now, &wait));
	ASSERT(take(st, &locked, 1, now, &wait));
	ASSERT(!take(st, &locked, 1, now, &wait));
	/* a crowd of new addresses, whose old windows are swept as they come:
	 * the lock stays */
	char key[64];
	for (int i = 0; i < 3000; i++) {
		snprintf(key, sizeof key, "ip:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		wy_attempt_key k = {key, 5};
		ASSERT(take(st, &k, 1, now + 1 + i / 4, NULL));
	}
	ASSERT(!take(st, &locked, 1, now + 800, &wait));
	ASSERT_EQ(wait, 100);
	ASSERT_EQ(count(st, "ip:10.0.0.0", now + 800), 1);
	/* its window over, the lock ends */
	ASSERT(take(st, &locked, 1, now + WINDOW, &wait));
	ASSERT_EQ(count(st, locked.key, now + WINDOW), 1);
	wy_store_close(st);
}

TEST_LIST(T(a_key_is_refused_at_its_max_and_a_success_gives_back), T(keys_are_checked),
	  T(processes_at_once_never_pass_the_limit), T(a_lock_is_never_forgotten_for_new_keys))
