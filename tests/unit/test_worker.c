/* Worker tests: the job queue run for real, each conversion in a sandboxed
 * child. A child that crashes or hangs fails only its own document, with a
 * reason, and the worker goes on; the original is kept for a retry. */
#include "blob/blob.h"
#include "convert/sandbox.h"
#include "core/config.h"
#include "core/util.h"
#include "jobs/worker.h"
#include "store/store.h"
#include "test.h"
#include "testenv.h"
#include "testdoc.h"
#include "text/boxes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

/* Code points of UTF-8 text. */
static size_t cps(const char *t)
{
	size_t k = 0;
	for (; *t; t++)
		k += ((unsigned char)*t & 0xC0) != 0x80;
	return k;
}

static int64_t add_text(env *e, const char *text, const char *name)
{
	return add_doc(e, text, strlen(text), name);
}


static wy_doc_status status_of(env *e, int64_t id, char *reason, size_t cap)
{
	wy_doc d;
	if (wy_store_doc_get(e->st, id, &d, NULL))
		abort();
	wy_doc_status s = d.status;
	if (reason)
		snprintf(reason, cap, "%s", d.reason ? d.reason : "");
	wy_doc_clear(&d);
	return s;
}

TEST(converts_and_publishes_pages)
{
	env e;
	env_open(&e, "worker");
	char path[700];
	snprintf(path, sizeof path, "%s/doc.pdf", e.dir);
	ASSERT_EQ(testdoc_pdf("<html><body lang=\"zh-CN\"><h1>第一页</h1><p style=\"page-break-after:always\">甲</p>"
			      "<h1>第二页</h1><p>乙</p></body></html>",
			      path, "两页的文档", NULL, NULL),
		  2);
	wy_buf b;
	ASSERT_EQ(wy_file_read(path, 0, &b), WY_OK);
	int64_t ids[2];
	ids[0] = add_doc(&e, b.data, b.len, "doc.pdf");
	ids[1] = add_text(&e, "纯文本文档\n第二行\n", "新建文本文档.txt"); /* a name that says nothing: the first line */
	wy_buf_free(&b);
	run_until_done(&e, ids, 2);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(e.st, ids[0], &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_EQ(d.pages, 2);
	ASSERT_STR_EQ(d.title, "两页的文档");
	ASSERT_STR_EQ(d.format, "pdf");
	ASSERT(wy_blob_exists(e.bs, d.thumb_sha256));
	wy_doc_clear(&d);
	for (int i = 1; i <= 2; i++) {
		wy_page p;
		ASSERT_EQ(wy_store_page_get(e.st, ids[0], i, &p, NULL), WY_OK);
		ASSERT_CONTAINS(p.text, i == 1 ? "第一页" : "第二页");
		ASSERT(wy_blob_exists(e.bs, p.image_sha256));
		ASSERT_EQ(p.width, 1240);
		/* The boxes came through the child's records into the store:
		 * one per code point, the heading's first at the top left. */
		ASSERT_EQ(p.boxes_len, cps(p.text) * WY_BOX_SIZE);
		wy_rect r = wy_box_get(p.boxes, p.boxes_len, 0);
		ASSERT(r.x0 > 0 && r.x0 < r.x1 && r.x1 < 0.2 * WY_BOX_UNIT);
		ASSERT(r.y0 > 0 && r.y0 < r.y1 && r.y1 < 0.15 * WY_BOX_UNIT);
		for (size_t k = 0; k < cps(p.text); k++) {
			wy_rect c = wy_box_get(p.boxes, p.boxes_len, k);
			ASSERT(c.x0 < c.x1 && c.y0 < c.y1 && c.y0 > r.y0 - 100);
		}
		wy_page_clear(&p);
	}
	ASSERT_EQ(wy_store_doc_get(e.st, ids[1], &d, NULL), WY_OK);
	ASSERT_EQ(d.status, WY_DOC_READY);
	ASSERT_STR_EQ(d.title, "纯文本文档");
	ASSERT_STR_EQ(d.format, "txt");
	wy_doc_clear(&d);
	wy_page p;
	ASSERT_EQ(wy_store_page_get(e.st, ids[1], 1, &p, NULL), WY_OK);
	ASSERT_CONTAINS(p.text, "第二行");
	ASSERT_EQ(p.boxes_len, cps(p.text) * WY_BOX_SIZE);
	wy_page_clear(&p);
	env_close(&e);
}

TEST(boxes_out_of_step_with_the_text_fail_the_job)
{
	/* A child that sends one box fewer than its page has characters is
	 * not following the protocol: its document fails, the next does not. */
	env e;
	env_open(&e, "worker");
	e.cfg.workers = 1;
	int64_t ids[2];
	ids[0] = add_text(&e, "第一份\n", "a.txt");
	ids[1] = add_text(&e, "第二份\n", "b.txt");
	wy_fault_arm("child.bad_boxes", 1);
	run_until_done(&e, ids, 2);
	wy_fault_arm(NULL, 0);
	char reason[256];
	ASSERT_EQ(status_of(&e, ids[0], reason, sizeof reason), WY_DOC_FAILED);
	ASSERT_STR_EQ(reason, "the converter sent malformed results");
	ASSERT_EQ(status_of(&e, ids[1], NULL, 0), WY_DOC_READY);
	env_close(&e);
}

TEST(an_outline_past_the_last_page_fails_the_job)
{
	/* the outline is checked as untrusted, like the pages */
	env e;
	env_open(&e, "worker");
	e.cfg.workers = 1;
	int64_t ids[2];
	ids[0] = add_text(&e, "第一份\n", "a.txt");
	ids[1] = add_text(&e, "第二份\n", "b.txt");
	wy_fault_arm("child.bad_outline", 1);
	run_until_done(&e, ids, 2);
	wy_fault_arm(NULL, 0);
	char reason[256];
	ASSERT_EQ(status_of(&e, ids[0], reason, sizeof reason), WY_DOC_FAILED);
	ASSERT_STR_EQ(reason, "the converter sent malformed results");
	ASSERT_EQ(status_of(&e, ids[1], NULL, 0), WY_DOC_READY);
	env_close(&e);
}

TEST(crashing_child_fails_only_its_document)
{
	env e;
	env_open(&e, "worker");
	e.cfg.workers = 1; /* jobs start in queue order: the first one crashes */
	int64_t ids[3];
	ids[0] = add_text(&e, "第一份\n", "a.txt");
	ids[1] = add_text(&e, "第二份\n", "b.txt");
	ids[2] = add_text(&e, "第三份\n", "c.txt");
	wy_fault_arm("child.crash", 1);
	run_until_done(&e, ids, 3);
	wy_fault_arm(NULL, 0);
	char reason[256];
	ASSERT_EQ(status_of(&e, ids[0], reason, sizeof reason), WY_DOC_FAILED);
	ASSERT_CONTAINS(reason, "crashed");
	ASSERT_CONTAINS(reason, "signal 6");
	ASSERT_EQ(status_of(&e, ids[1], NULL, 0), WY_DOC_READY);
	ASSERT_EQ(status_of(&e, ids[2], NULL, 0), WY_DOC_READY);
	/* The original was kept: a retry converts it. */
	ASSERT_EQ(wy_store_doc_retry(e.st, ids[0], false, NULL), WY_OK);
	run_until_done(&e, ids, 1);
	ASSERT_EQ(status_of(&e, ids[0], NULL, 0), WY_DOC_READY);
	env_close(&e);
}

TEST(hanging_child_is_killed_at_the_limit)
{
	env e;
	env_open(&e, "worker");
	e.cfg.convert_timeout = 1;
	int64_t ids[2];
	ids[0] = add_text(&e, "会卡住的文档\n", "hang.txt");
	ids[1] = add_text(&e, "正常的文档\n", "ok.txt");
	wy_fault_arm("child.hang", 1);
	int64_t t0 = wy_now_ms();
	run_until_done(&e, ids, 2);
	int64_t ms = wy_now_ms() - t0;
	wy_fault_arm(NULL, 0);
	char reason[256];
	ASSERT_EQ(status_of(&e, ids[0], reason, sizeof reason), WY_DOC_FAILED);
	ASSERT_CONTAINS(reason, "longer than the limit of 1 s");
	ASSERT_EQ(status_of(&e, ids[1], NULL, 0), WY_DOC_READY);
	ASSERT(ms < 30000); /* killed, not waited for (a bound, not a benchmark) */
	env_close(&e);
}

TEST(memory_limit_fails_with_a_reason)
{
	if (!wy_sandbox_memory_limited()) {
		printf("  skipped: no memory limit in a sanitizer build\n");
		return;
	}
	env e;
	env_open(&e, "worker");
	/* An 8000 px page image needs about 90 MB: more than 64 MiB allows. */
	e.cfg.convert_memory_mb = 64;
	e.cfg.page_width = 8000;
	int64_t ids[1];
	ids[0] = add_text(&e, "需要内存的文档\n", "mem.txt");
	run_until_done(&e, ids, 1);
	char reason[256];
	ASSERT_EQ(status_of(&e, ids[0], reason, sizeof reason), WY_DOC_FAILED);
	ASSERT_CONTAINS(reason, "more memory than the limit of 64 MiB");
	env_close(&e);
}

TEST(unrecognized_and_missing_original)
{
	env e;
	env_open(&e, "worker");
	int64_t ids[2];
	unsigned char junk[512];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	ids[0] = add_doc(&e, junk, sizeof junk, "report.docx");
	ids[1] = add_text(&e, "原始文件会被删除\n", "gone.txt");
	/* Remove the second original behind the store's back. */
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(e.st, ids[1], &d, NULL), WY_OK);
	ASSERT_EQ(wy_blob_delete(e.bs, d.sha256, NULL), WY_OK);
	wy_doc_clear(&d);
	run_until_done(&e, ids, 2);
	char reason[256];
	ASSERT_EQ(status_of(&e, ids[0], reason, sizeof reason), WY_DOC_FAILED);
	ASSERT_STR_EQ(reason, "unrecognized format");
	ASSERT_EQ(status_of(&e, ids[1], reason, sizeof reason), WY_DOC_FAILED);
	ASSERT_CONTAINS(reason, "missing");
	env_close(&e);
}

TEST(job_of_a_dead_worker_is_picked_up)
{
	env e;
	env_open(&e, "worker");
	int64_t ids[1];
	ids[0] = add_text(&e, "被中断的转换\n", "x.txt");
	wy_job j;
	/* A worker claimed it and died: its lease has run out. */
	ASSERT_EQ(wy_store_job_claim(e.st, "dead", -1, 3, &j, NULL), WY_OK);
	wy_job_clear(&j);
	ASSERT_EQ(status_of(&e, ids[0], NULL, 0), WY_DOC_CONVERTING);
	run_until_done(&e, ids, 1);
	ASSERT_EQ(status_of(&e, ids[0], NULL, 0), WY_DOC_READY);
	env_close(&e);
}

/* Keywords are shown to every reader: they come from the preview, never
 * from pages past it (found by an attacker: a word only on pages 9-10
 * of a document previewing 3 was in its keywords and related searches). */
TEST(keywords_come_from_the_preview)
{
	wy_buf t;
	wy_buf_init(&t, 0);
	for (int i = 0; i < 80; i++)
		wy_buf_puts(&t, "文渊阁是清代皇家藏书楼，收藏四库全书。\n");
	for (int i = 0; i < 300; i++)
		wy_buf_puts(&t, "饕餮纹青铜器的纹样。\n");
	char *kw[2] = {NULL, NULL};
	const int preview[2] = {2, 50};
	for (int k = 0; k < 2; k++) { /* each in a library of its own */
		env e;
		env_open(&e, "worker-kw");
		e.cfg.preview_pages = preview[k];
		int64_t id = add_doc(&e, t.data, t.len, "a.txt");
		run_until_done(&e, &id, 1);
		wy_doc d;
		ASSERT_EQ(wy_store_doc_get(e.st, id, &d, NULL), WY_OK);
		ASSERT_EQ(d.status, WY_DOC_READY);
		ASSERT(d.pages > 4);
		kw[k] = wy_xstrdup(d.keywords ? d.keywords : "");
		printf("  preview %d of %d pages: keywords %s\n", preview[k], d.pages, kw[k]);
		wy_doc_clear(&d);
		env_close(&e);
	}
	wy_buf_free(&t);
	ASSERT(*kw[0] && !strstr(kw[0], "饕餮"));
	ASSERT(strstr(kw[1], "饕餮")); /* the word makes a keyword when readable */
	free(kw[0]);
	free(kw[1]);
}

/* A failure reason quotes the document: an OFD whose DocRoot names a part
 * "Doc_0/ESC]0;PWNED BEL ESC[2J ... U+202E .xml" failed with that name in
 * its reason byte for byte, which `wenyuan info` wrote to the operator's
 * terminal (set its title, cleared it). */
TEST(failure_reasons_carry_no_control_characters)
{
	env e;
	env_open(&e, "worker");
	char *path = wy_xasprintf("%s/ctl.ofd", e.dir);
	const char *entries[] = {
		"OFD.xml",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\" "
		"DocType=\"OFD\" Version=\"1.1\"><ofd:DocBody><ofd:DocRoot>Doc_0/&#x1b;]0;PWNED&#x7;&#x1b;[2J"
		"&#x1b;[31mRED&#x202e;lmx.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
		NULL};
	ASSERT_EQ(testdoc_zip(path, entries), 0);
	int fd = open(path, O_RDONLY);
	ASSERT(fd >= 0);
	char data[4096];
	size_t len;
	ASSERT_EQ(wy_read_full(fd, data, sizeof data, &len), 0);
	close(fd);
	int64_t id = add_doc(&e, data, len, "ctl.ofd");
	run_until_done(&e, &id, 1);
	char reason[400];
	ASSERT_EQ(status_of(&e, id, reason, sizeof reason), WY_DOC_FAILED);
	ASSERT_CONTAINS(reason, "]0;PWNED[2J[31mREDlmx.xml is missing");
	for (const unsigned char *p = (const unsigned char *)reason; *p; p++)
		ASSERT(*p >= 0x20 && *p != 0x7f);
	ASSERT(!strstr(reason, "\xe2\x80\xae"));
	free(path);
	env_close(&e);
}

/* The pid of a process whose parent is `parent` and whose name is `name`,
 * or 0. */
static pid_t child_named(pid_t parent, const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;
	while (!found && d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = 0;
		char *l = strchr(buf, '('), *r = strrchr(buf, ')'), state;
		int ppid;
		if (!l || !r || sscanf(r + 1, " %c %d", &state, &ppid) != 2)
			continue;
		if (ppid == parent && (size_t)(r - l - 1) == strlen(name) && memcmp(l + 1, name, strlen(name)) == 0)
			found = atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* Whether any of the readable memory of process pid holds needle: 1, 0,
 * or -1 when its memory cannot be read (not allowed to trace it). *bytes
 * gets how much was read. Regions the kernel will not show (vvar) are
 * skipped; so are regions over 1 GiB, which only a sanitizer's shadow
 * memory is (a converter's address space is limited far below). */
static int memory_holds(pid_t pid, const char *needle, uint64_t *bytes)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	FILE *maps = fopen(path, "r");
	snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
	int mem = open(path, O_RDONLY);
	if (!maps || mem < 0) {
		if (maps)
			fclose(maps);
		if (mem >= 0)
			close(mem);
		return -1;
	}
	size_t nl = strlen(needle), cap = 1u << 20;
	char *buf = malloc(cap + nl);
	char line[1024];
	int found = 0;
	*bytes = 0;
	while (!found && fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' || hi - lo > (1ul << 30))
			continue;
		size_t keep = 0; /* the end of the last chunk: a needle across two */
		for (unsigned long a = lo; !found && a < hi;) {
			size_t want = hi - a < cap ? hi - a : cap;
			ssize_t r = pread(mem, buf + keep, want, (off_t)a);
			if (r <= 0)
				break; /* a region it cannot show (EIO) */
			*bytes += (uint64_t)r;
			size_t have = keep + (size_t)r;
			if (memmem(buf, have, needle, nl))
				found = 1;
			keep = have < nl - 1 ? have : nl - 1;
			memmove(buf, buf + have - keep, keep);
			a += (unsigned long)r;
		}
	}
	free(buf);
	fclose(maps);
	close(mem);
	return found;
}

static char *volatile held_secret; /* as a connection keeps its URL */

/* A converter holds none of the worker's credentials, in its environment
 * or anywhere in its memory: the worker runs (in a process of its own)
 * with a database URL and an S3 key in its environment and the URL in its
 * heap, its converter is stopped at its start (the child.hang fault), and
 * every readable byte of the converter's memory is searched for both. A
 * converter that is a plain fork of the worker holds them; one that is a
 * fresh image of the program does not. The worker's memory, searched the
 * same way, must hold them (the search can find what is there). */
TEST(a_converter_holds_no_credentials_in_memory)
{
	if (geteuid() != 0) {
		printf("  skipped: reading another process's memory needs root\n");
		return;
	}
	unsigned char rnd[16];
	ASSERT_EQ(getrandom(rnd, sizeof rnd, 0), (ssize_t)sizeof rnd);
	char url[128], key[64];
	int n = snprintf(url, sizeof url, "postgresql://u:SECRET-");
	for (int i = 0; i < 8; i++)
		n += snprintf(url + n, sizeof url - (size_t)n, "%02x", rnd[i]);
	snprintf(url + n, sizeof url - (size_t)n, "@h/db");
	n = snprintf(key, sizeof key, "AWSKEY");
	for (int i = 8; i < 16; i++)
		n += snprintf(key + n, sizeof key - (size_t)n, "%02x", rnd[i]);
	/* and one under a name that looks like a locale's or LibreOffice's: the
	 * allow-list is of exact names (an attack round found prefixes) */
	char tok[64];
	n = snprintf(tok, sizeof tok, "TOKEN");
	for (int i = 15; i >= 8; i--)
		n += snprintf(tok + n, sizeof tok - (size_t)n, "%02x", rnd[i]);
	char pass[64]; /* the password alone, as it would sit in a parsed URL */
	snprintf(pass, sizeof pass, "%.*s", (int)(strchr(url, '@') - strstr(url, "SECRET-")), strstr(url, "SECRET-"));
	pid_t worker = fork();
	ASSERT(worker >= 0);
	if (worker == 0) {
		env e;
		env_open(&e, "creds");
		setenv("WENYUAN_STORE_URL", url, 1);
		setenv("AWS_SECRET_ACCESS_KEY", key, 1);
		setenv("LC_WY_TOKEN", tok, 1);
		setenv("SAL_WY_TOKEN", tok, 1);
		held_secret = wy_xstrdup(url);
		e.cfg.convert_timeout = 300; /* stopped by the test, not the limit */
		int64_t id = add_text(&e, "等着被读的文档\n", "wait.txt");
		wy_fault_arm("child.hang", 1);
		run_until_done(&e, &id, 1);
		free(held_secret);
		env_close(&e);
		_exit(0);
	}
	pid_t conv = 0;
	for (int64_t t0 = wy_now_ms(); !conv && wy_now_ms() - t0 < 60000;) {
		conv = child_named(worker, "wy-convert");
		if (!conv)
			usleep(20000);
	}
	int in_conv_pass = -2, in_conv_key = -2, in_conv_tok = -2, in_worker = -2;
	uint64_t conv_bytes = 0, worker_bytes = 0;
	if (conv) {
		in_conv_pass = memory_holds(conv, pass, &conv_bytes);
		in_conv_key = memory_holds(conv, key, &conv_bytes);
		in_conv_tok = memory_holds(conv, tok, &conv_bytes);
		in_worker = memory_holds(worker, pass, &worker_bytes);
		kill(conv, SIGKILL);
	}
	int status = 0;
	pid_t w = 0;
	for (int64_t t0 = wy_now_ms(); (w = waitpid(worker, &status, WNOHANG)) == 0 && wy_now_ms() - t0 < 60000;)
		usleep(20000);
	if (w == 0) {
		kill(worker, SIGKILL);
		waitpid(worker, &status, 0);
	}
	ASSERT(conv > 0); /* the converter was found */
	if (in_conv_pass == -1 || in_worker == -1) {
		printf("  skipped: this kernel refuses to show the processes' memory (%s)\n", strerror(errno));
		return;
	}
	printf("  converter: %llu bytes read; secret there: %d, key there: %d, token there: %d; worker: %d\n",
	       (unsigned long long)conv_bytes, in_conv_pass, in_conv_key, in_conv_tok, in_worker);
	ASSERT_EQ(in_worker, 1);
	ASSERT(conv_bytes > 0);
	ASSERT_EQ(in_conv_pass, 0);
	ASSERT_EQ(in_conv_key, 0);
	ASSERT_EQ(in_conv_tok, 0);
	ASSERT(w == worker && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A converter started with parameters that are not the worker's (cut
 * short, a string past the end, bytes left over, nothing) refuses them:
 * it exits with a status the worker explains, having sent an error. */
TEST(a_converter_refuses_malformed_parameters)
{
	static const unsigned char bad[][12] = {
		{1, 'C', 0, 0},                                  /* cut short */
		{1, 'X'},                                        /* no such kind */
		{9, 'C'},                                        /* another version */
		{1, 'C', 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff},     /* cut inside an integer */
	};
	static const size_t lens[] = {4, 2, 2, 12};
	for (size_t i = 0; i <= sizeof lens / sizeof lens[0]; i++) {
		wy_sandbox_limits lim = {0};
		pid_t pid;
		int fd, status;
		const void *p = i < sizeof lens / sizeof lens[0] ? (const void *)bad[i] : (const void *)"";
		size_t n = i < sizeof lens / sizeof lens[0] ? lens[i] : 0;
		ASSERT_EQ(wy_sandbox_spawn_exec(&lim, "wy-convert", p, n, &pid, &fd, NULL, NULL), WY_OK);
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		char got[512];
		int flags = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
		size_t len = 0;
		ASSERT_EQ(wy_read_full(fd, got, sizeof got - 1, &len), 0);
		close(fd);
		got[len] = 0;
		char why[200];
		ASSERT(!wy_sandbox_describe(status, &lim, why, sizeof why));
		ASSERT_CONTAINS(why, "could not start");
		ASSERT(len > 5 && got[0] == 'E');
		ASSERT(memmem(got, len, "malformed", 9) != NULL);
	}
}

TEST_LIST(T(converts_and_publishes_pages), T(crashing_child_fails_only_its_document),
	  T(hanging_child_is_killed_at_the_limit), T(memory_limit_fails_with_a_reason),
	  T(unrecognized_and_missing_original), T(job_of_a_dead_worker_is_picked_up),
	  T(boxes_out_of_step_with_the_text_fail_the_job), T(an_outline_past_the_last_page_fails_the_job),
	  T(keywords_come_from_the_preview), T(failure_reasons_carry_no_control_characters),
	  T(a_converter_holds_no_credentials_in_memory), T(a_converter_refuses_malformed_parameters))
