/* web/captcha_test_hook: the test build's way to read a captcha's answer.
 *
 * Compiled only into build/wenyuan-test (CMakeLists.txt: main.c and this
 * file with -DWY_TEST_HOOKS, linked with wycore), never into wycore or
 * the `wenyuan` binary, which therefore has no way to tell an answer.
 * At the start of the process it sets captcha.c's hooks: each answer
 * drawn is kept in memory (the last HOOK_KEEP of them), and the image of
 * a captcha carries its answer in the header X-Wenyuan-Test-Captcha. A
 * line on stderr at start says the process is a test build. */
#ifdef WY_TEST_HOOKS
#include "web/captcha.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define HOOK_KEEP 4096

static struct {
	pthread_mutex_t lock;
	char id[HOOK_KEEP][WY_CAPTCHA_ID + 1];
	char answer[HOOK_KEEP][WEB_CAPTCHA_CHARS + 1];
	unsigned next;
} kept = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void drawn(const char *id, const char *answer)
{
	pthread_mutex_lock(&kept.lock);
	unsigned i = kept.next++ % HOOK_KEEP;
	snprintf(kept.id[i], sizeof kept.id[i], "%s", id);
	snprintf(kept.answer[i], sizeof kept.answer[i], "%s", answer);
	pthread_mutex_unlock(&kept.lock);
}

static void serve(const char *id, struct MHD_Response *resp)
{
	char answer[WEB_CAPTCHA_CHARS + 1] = "";
	pthread_mutex_lock(&kept.lock);
	for (unsigned i = 0; i < HOOK_KEEP; i++)
		if (strcmp(kept.id[i], id) == 0)
			memcpy(answer, kept.answer[i], sizeof answer);
	pthread_mutex_unlock(&kept.lock);
	if (*answer)
		MHD_add_response_header(resp, "X-Wenyuan-Test-Captcha", answer);
}

__attribute__((constructor)) static void install(void)
{
	web_captcha_hook_drawn = drawn;
	web_captcha_hook_serve = serve;
	fputs("wenyuan-test: a test build: captcha answers are sent with their images (X-Wenyuan-Test-Captcha)\n",
	      stderr);
}
#else
typedef int wy_captcha_test_hook_off; /* ISO C wants something in a file */
#endif
