/* The login limiter (web/auth.c): an attempt is counted in the same step
 * as the test of the limit, a success gives back what it counted, and a
 * locked key stays locked however many other keys come after it. */
#include "test.h"
#include "web/web_int.h"

#include <pthread.h>
#include <stdio.h>

TEST(a_key_is_refused_at_its_max_and_a_success_gives_back)
{
	int64_t now = 1000000;
	int wait = 0;
	web_limit k[2] = {{"pair:ip:192.0.2.1|alice", 3}, {"ip:192.0.2.1", 12}};
	for (int i = 0; i < 3; i++)
		ASSERT(web_limit_take(k, 2, now, &wait));
	ASSERT(!web_limit_take(k, 2, now + 10, &wait));
	ASSERT_EQ(wait, 890); /* the rest of the 15 minutes */
	/* refused: nothing counted, so the address has 3, not 4 */
	web_limit other[2] = {{"pair:ip:192.0.2.1|bob", 3}, {"ip:192.0.2.1", 12}};
	for (int i = 0; i < 9; i++) {
		ASSERT(web_limit_take(other, 2, now, &wait));
		web_limit_clear(other[0].key, now); /* bob's right password */
	}
	ASSERT(!web_limit_take(other, 2, now, &wait)); /* 12 counted for the address */
	web_limit_give(other[1].key, now);               /* one given back */
	ASSERT(web_limit_take(other, 2, now, &wait));
	/* after the window, all is forgotten */
	ASSERT(web_limit_take(k, 2, now + 900, &wait));
}

static web_limit racer = {"pair:ip:192.0.2.9|carol", 5};
static int racer_ok;
static pthread_mutex_t racer_lock = PTHREAD_MUTEX_INITIALIZER;

static void *race(void *arg)
{
	(void)arg;
	int wait;
	if (web_limit_take(&racer, 1, 2000000, &wait)) {
		pthread_mutex_lock(&racer_lock);
		racer_ok++;
		pthread_mutex_unlock(&racer_lock);
	}
	return NULL;
}

TEST(attempts_at_once_never_pass_the_limit)
{
	pthread_t t[40];
	for (int i = 0; i < 40; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, race, NULL), 0);
	for (int i = 0; i < 40; i++)
		pthread_join(t[i], NULL);
	ASSERT_EQ(racer_ok, 5);
}

TEST(a_lock_is_never_forgotten_for_new_keys)
{
	int64_t now = 3000000;
	int wait;
	web_limit locked = {"pair:ip:198.51.100.1|admin", 2};
	ASSERT(web_limit_take(&locked, 1, now, &wait));
	ASSERT(web_limit_take(&locked, 1, now, &wait));
	ASSERT(!web_limit_take(&locked, 1, now, &wait));
	/* 200,000 new addresses, three times the table: older unlocked entries
	 * give way, the lock does not */
	char key[64];
	for (int i = 0; i < 200000; i++) {
		snprintf(key, sizeof key, "ip:10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
		web_limit k = {key, 5};
		web_limit_take(&k, 1, now + 1, &wait);
	}
	ASSERT(!web_limit_take(&locked, 1, now + 2, &wait));
	/* and when every slot a key could take is locked, it is refused */
	int refused = 0;
	for (int i = 0; i < 70000 && !refused; i++) {
		snprintf(key, sizeof key, "ip:203.0.%d.%d", i >> 8, i & 255);
		web_limit k = {key, 1};
		if (!web_limit_take(&k, 1, now + 3, &wait))
			refused++;
	}
	ASSERT(refused > 0);
	ASSERT(!web_limit_take(&locked, 1, now + 4, &wait));
}

TEST_LIST(T(a_key_is_refused_at_its_max_and_a_success_gives_back), T(attempts_at_once_never_pass_the_limit),
	  T(a_lock_is_never_forgotten_for_new_keys))
