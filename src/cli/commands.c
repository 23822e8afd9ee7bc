/* cli/commands: add, info, list, retry, worker, config. */
#include "blob/blob.h"
#include "cli/cli.h"
#include "core/log.h"
#include "core/util.h"
#include "jobs/collect.h"
#include "jobs/worker.h"
#include "store/store.h"
#include "text/query.h"
#include "text/utf8.h"
#include "view/views.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

int wy_cli_open(const wy_config *cfg, wy_store **st, wy_blob_store **bs)
{
	wy_errinfo ei = {0};
	char blobs[1100];
	wy_config_blob_location(cfg, blobs, sizeof blobs);
	int rc = wy_store_open(wy_config_store_location(cfg), st, &ei);
	if (!rc) {
		wy_upload_points rule = wy_upload_points_of(cfg);
		wy_store_upload_points_set(*st, &rule);
	}
	if (!rc && (rc = wy_blob_open(blobs, bs, &ei)))
		wy_store_close(*st);
	if (rc)
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
	return rc;
}

bool wy_cli_uploader_ok(const char *name)
{
	size_t n = strlen(name);
	bool ok = n > 0 && n <= 64 && wy_utf8_valid(name, n);
	for (size_t i = 0; ok && i < n; i++)
		ok = (unsigned char)name[i] >= 0x20 && name[i] != 0x7f;
	if (!ok)
		fprintf(stderr, "wenyuan: --uploader must be 1-64 bytes of UTF-8 without control characters\n");
	return ok;
}

int wy_cli_store_fd(const wy_config *cfg, wy_store *st, wy_blob_store *bs, int fd, wy_doc_new *dn, char sha[65],
		    int64_t *id, bool *existed, wy_errinfo *ei)
{
	uint64_t size = 0;
	int rc = wy_blob_put_fd(bs, fd, (uint64_t)cfg->max_upload_mb << 20, sha, &size, ei);
	if (rc)
		return rc;
	dn->sha256 = sha;
	dn->size = (int64_t)size;
	return wy_store_doc_add(st, dn, id, existed, ei);
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		wy_worker_reload();
	else
		wy_worker_stop();
}

static void route_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool wy_cli_want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* A number of seconds, 0 or more (--grace). */
static bool parse_seconds(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return false;
	*out = v;
	return true;
}

static bool parse_id(const char *s, int64_t *id)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		return false;
	*id = v;
	return true;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2));
	if (s)
		puts(s);
	free(s);
	json_decref(j);
}

static void print_doc(const wy_doc *d)
{
	char size[32], when[32];
	wy_format_size(d->size, size, sizeof size);
	time_t t = (time_t)d->created_at;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	printf("id:       %lld\n", (long long)d->id);
	printf("title:    %s\n", d->title ? d->title : "");
	printf("file:     %s\n", d->filename ? d->filename : "");
	printf("format:   %s\n", d->format ? d->format : "");
	if (d->category)
		printf("category: %s\n", d->category);
	if (d->author)
		printf("author:   %s\n", d->author);
	printf("pages:    %d\n", d->pages);
	printf("size:     %s (%lld bytes)\n", size, (long long)d->size);
	printf("sha256:   %s\n", d->sha256);
	printf("added:    %s\n", when);
	printf("status:   %s\n", wy_doc_status_name(d->status));
	if (d->reason)
		printf("reason:   %s\n", d->reason);
}

/* ---- add ---------------------------------------------------------------- */

typedef struct add_progress {
	int64_t *ids;
	bool *reported;
	int n;
	bool tty;
	int width;
	int failed;
} add_progress;

static void add_tick(void *ctx, wy_store *st)
{
	add_progress *p = ctx;
	int done = 0, pages_done = 0, pages_total = 0;
	for (int i = 0; i < p->n; i++) {
		wy_doc d;
		if (wy_store_doc_get(st, p->ids[i], &d, NULL))
			continue;
		bool fin = d.status == WY_DOC_READY || d.status == WY_DOC_FAILED;
		done += fin;
		/* converting, or a ready scan's later pages being recognised */
		if (d.status == WY_DOC_CONVERTING || d.status == WY_DOC_READABLE ||
		    (d.status == WY_DOC_READY && d.progress_total)) {
			pages_done += d.progress_done;
			pages_total += d.progress_total;
		}
		if (fin && !p->reported[i]) {
			p->reported[i] = true;
			if (p->tty)
				fprintf(stderr, "\r\033[K");
			if (d.status == WY_DOC_READY)
				printf("ready   %-6lld %s (%s, %d page%s)\n", (long long)d.id, d.title ? d.title : "",
				       d.format ? d.format : "?", d.pages, d.pages == 1 ? "" : "s");
			else {
				printf("failed  %-6lld %s: %s\n", (long long)d.id, d.filename ? d.filename : "",
				       d.reason ? d.reason : "");
				p->failed++;
			}
			fflush(stdout);
		}
		wy_doc_clear(&d);
	}
	if (p->tty) {
		int bar = 30, fill = p->n ? done * bar / p->n : bar;
		char b[64];
		memset(b, '#', (size_t)fill);
		memset(b + fill, '.', (size_t)(bar - fill));
		b[bar] = 0;
		fprintf(stderr, "\r\033[K[%s] %d/%d documents", b, done, p->n);
		if (pages_total)
			fprintf(stderr, ", page %d/%d", pages_done, pages_total);
		fflush(stderr);
	}
}

static void add_usage(FILE *out)
{
	wy_cli_usage(out, "add");
}

int wy_cmd_add(wy_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{"title", required_argument, NULL, 't'},
		{"category", required_argument, NULL, 'c'},
		{"uploader", required_argument, NULL, 'u'},
		{"no-wait", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	const char *title = NULL, *category = NULL, *uploader = NULL;
	bool wait = true;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': title = optarg; break;
		case 'c': category = optarg; break;
		case 'u': uploader = optarg; break;
		case 'n': wait = false; break;
		case 'h': add_usage(stdout); return 0;
		default: add_usage(stderr); return 1;
		}
	}
	if (optind >= argc) {
		add_usage(stderr);
		return 1;
	}
	if (uploader && !wy_cli_uploader_ok(uploader))
		return 1;
	wy_store *st;
	wy_blob_store *bs;
	if (wy_cli_open(cfg, &st, &bs))
		return 1;
	int nfiles = argc - optind, status = 0;
	add_progress p = {wy_xcalloc((size_t)nfiles, sizeof(int64_t)), wy_xcalloc((size_t)nfiles, sizeof(bool)), 0,
			  isatty(2) != 0, 0, 0};
	for (int i = optind; i < argc; i++) {
		const char *path = argv[i];
		wy_errinfo ei = {0};
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		struct stat sb;
		if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			fprintf(stderr, "wenyuan: %s: %s\n", path, fd < 0 ? strerror(errno) : "not a regular file");
			if (fd >= 0)
				close(fd);
			status = 1;
			continue;
		}
		char sha[65];
		int64_t id = 0;
		bool existed = false;
		wy_doc_new dn = {.title = title, .filename = wy_basename(path), .category = category,
				 .uploader = uploader};
		int rc = wy_cli_store_fd(cfg, st, bs, fd, &dn, sha, &id, &existed, &ei);
		close(fd);
		if (rc) {
			fprintf(stderr, "wenyuan: %s: %s\n", path, wy_err_msg(&ei, rc));
			status = 1;
			continue;
		}
		printf("%s %-6lld %s\n", existed ? "exists " : "added  ", (long long)id, path);
		p.ids[p.n++] = id;
	}
	fflush(stdout);
	if (wait && p.n) {
		route_signals();
		wy_worker_opts wo = {.name = "add", .wait_ids = p.ids, .nwait = p.n, .tick = add_tick, .tick_ctx = &p};
		wy_errinfo ei = {0};
		int rc = wy_worker_run(cfg, st, bs, &wo, &ei);
		add_tick(&p, st);
		if (p.tty)
			fprintf(stderr, "\r\033[K");
		if (rc) {
			fprintf(stderr, "wenyuan: worker: %s\n", wy_err_msg(&ei, rc));
			status = 1;
		}
		if (!status && p.failed)
			status = 2;
	}
	free(p.ids);
	free(p.reported);
	wy_blob_close(bs);
	wy_store_close(st);
	return status;
}

/* ---- info, list --------------------------------------------------------- */

int wy_cmd_info(wy_config *cfg, int argc, char **argv)
{
	bool json = false;
	const char *ids = NULL;
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "info");
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else
			ids = argv[i];
	}
	int64_t id;
	if (!ids || !parse_id(ids, &id)) {
		wy_cli_usage(stderr, "info");
		return 1;
	}
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = wy_store_open(wy_config_store_location(cfg), &st, &ei);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		return 1;
	}
	wy_doc d;
	rc = wy_store_doc_get(st, id, &d, &ei);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		wy_store_close(st);
		return 1;
	}
	if (json) {
		json_t *v = wy_view_doc(&d);
		wy_outline o = {0};
		if (wy_store_outline_get(st, id, &o, NULL) == WY_OK)
			json_object_set_new(v, "outline", wy_view_outline(&o));
		wy_outline_free(&o);
		print_json(v);
	} else {
		print_doc(&d);
	}
	wy_doc_clear(&d);
	wy_store_close(st);
	return 0;
}

int wy_cmd_list(wy_config *cfg, int argc, char **argv)
{
	bool json = false;
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "list");
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else {
			wy_cli_usage(stderr, "list");
			return 1;
		}
	}
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = wy_store_open(wy_config_store_location(cfg), &st, &ei);
	wy_doc_list l = {0};
	if (!rc)
		rc = wy_store_doc_list(st, 0, 0, &l, &ei);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		wy_store_close(st);
		return 1;
	}
	if (json) {
		json_t *a = json_array();
		for (int i = 0; i < l.n; i++)
			json_array_append_new(a, wy_view_doc(&l.items[i]));
		print_json(a);
	} else {
		printf("%-6s %-10s %-6s %5s %9s  %s\n", "ID", "STATUS", "FORMAT", "PAGES", "SIZE", "TITLE");
		for (int i = 0; i < l.n; i++) {
			const wy_doc *d = &l.items[i];
			char size[32];
			wy_format_size(d->size, size, sizeof size);
			printf("%-6lld %-10s %-6s %5d %9s  %s%s%s\n", (long long)d->id, wy_doc_status_name(d->status),
			       d->format ? d->format : "-", d->pages, size,
			       d->title ? d->title : (d->filename ? d->filename : ""), d->reason ? "  — " : "",
			       d->reason ? d->reason : "");
		}
	}
	wy_doc_list_clear(&l);
	wy_store_close(st);
	return 0;
}

int wy_cmd_text(wy_config *cfg, int argc, char **argv)
{
	int64_t id = 0;
	int only = 0;
	if (wy_cli_want_help(argc, argv) || argc < 2) {
		wy_cli_usage(stdout, "text");
		return argc < 2;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--page") == 0 && i + 1 < argc) {
			only = atoi(argv[++i]);
			if (only <= 0) {
				fprintf(stderr, "wenyuan: --page takes a page number\n");
				return 1;
			}
		} else if (!parse_id(argv[i], &id)) {
			fprintf(stderr, "wenyuan: '%s' is not a document id\n", argv[i]);
			return 1;
		}
	}
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = wy_store_open(wy_config_store_location(cfg), &st, &ei);
	wy_doc d = {0};
	if (!rc)
		rc = wy_store_doc_get(st, id, &d, &ei);
	if (!rc && d.status != WY_DOC_READY)
		rc = wy_err_set(&ei, WY_EINVAL, "document %lld is %s", (long long)id, wy_doc_status_name(d.status));
	if (!rc && only > d.pages)
		rc = wy_err_set(&ei, WY_ENOTFOUND, "document %lld has %d pages", (long long)id, d.pages);
	for (int p = only ? only : 1; !rc && p <= (only ? only : d.pages); p++) {
		wy_page pg;
		if ((rc = wy_store_page_get(st, id, p, &pg, &ei)))
			break;
		printf("=== page %d ===\n%s\n", p, pg.text ? pg.text : "");
		wy_page_clear(&pg);
	}
	if (rc)
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
	wy_doc_clear(&d);
	wy_store_close(st);
	return rc ? 1 : 0;
}

/* ---- category ------------------------------------------------------------ */

static void category_usage(FILE *out)
{
	wy_cli_usage(out, "category");
}

int wy_cmd_category(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv) || argc < 2) {
		category_usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	const char *sub = argv[1];
	wy_store *st;
	wy_errinfo ei = {0};
	int rc = wy_store_open(wy_config_store_location(cfg), &st, &ei);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		return 1;
	}
	int64_t id;
	if (strcmp(sub, "list") == 0 && argc <= 3) {
		wy_category_list l;
		if (!(rc = wy_store_category_list(st, &l, &ei))) {
			if (argc == 3 && strcmp(argv[2], "--json") == 0) {
				json_t *a = json_array();
				for (int i = 0; i < l.n; i++)
					json_array_append_new(a, wy_view_category(&l.items[i]));
				print_json(a);
			} else {
				for (int i = 0; i < l.n; i++)
					printf("%*s%s  (%d)\n", 2 * l.items[i].depth, "", l.items[i].name, l.items[i].docs);
			}
			wy_category_list_clear(&l);
		}
	} else if (strcmp(sub, "add") == 0 && argc == 3) {
		if (!(rc = wy_store_category_add(st, argv[2], &id, &ei)))
			printf("added   %s\n", argv[2]);
	} else if (strcmp(sub, "rename") == 0 && argc == 4) {
		if (!(rc = wy_store_category_rename(st, argv[2], argv[3], &ei)))
			printf("renamed %s -> %s\n", argv[2], argv[3]);
	} else if (strcmp(sub, "move") == 0 && argc == 4) {
		const char *to = strcmp(argv[3], "/") == 0 ? "" : argv[3];
		if (!(rc = wy_store_category_move(st, argv[2], to, &ei)))
			printf("moved   %s -> %s\n", argv[2], *to ? to : "/");
	} else {
		category_usage(stderr);
		wy_store_close(st);
		return 1;
	}
	if (rc)
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
	wy_store_close(st);
	return rc ? 1 : 0;
}

/* ---- retry, worker, config --------------------------------------------- */

int wy_cmd_retry(wy_config *cfg, int argc, char **argv)
{
	bool force = false, wait = true;
	if (wy_cli_want_help(argc, argv) || argc < 2) {
		wy_cli_usage(stdout, "retry");
		return argc < 2;
	}
	wy_store *st;
	wy_blob_store *bs;
	if (wy_cli_open(cfg, &st, &bs))
		return 1;
	int64_t *ids = wy_xcalloc((size_t)argc, sizeof *ids);
	int n = 0, status = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0) {
			force = true;
			continue;
		}
		if (strcmp(argv[i], "--no-wait") == 0) {
			wait = false;
			continue;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		int64_t id;
		wy_errinfo ei = {0};
		if (!parse_id(argv[i], &id)) {
			fprintf(stderr, "wenyuan: '%s' is not a document id\n", argv[i]);
			status = 1;
			continue;
		}
		int rc = wy_store_doc_retry(st, id, force, &ei);
		if (rc) {
			fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
			status = 1;
			continue;
		}
		printf("queued  %lld\n", (long long)id);
		ids[n++] = id;
	}
	if (wait && n) {
		route_signals();
		add_progress p = {ids, wy_xcalloc((size_t)n, sizeof(bool)), n, isatty(2) != 0, 0, 0};
		wy_worker_opts wo = {.name = "retry", .wait_ids = ids, .nwait = n, .tick = add_tick, .tick_ctx = &p};
		wy_worker_run(cfg, st, bs, &wo, NULL);
		add_tick(&p, st);
		if (p.tty)
			fprintf(stderr, "\r\033[K");
		if (!status && p.failed)
			status = 2;
		free(p.reported);
	}
	free(ids);
	wy_blob_close(bs);
	wy_store_close(st);
	return status;
}

int wy_cmd_worker(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "worker");
		return 0;
	}
	bool until_idle = argc > 1 && strcmp(argv[1], "--until-idle") == 0;
	wy_store *st;
	wy_blob_store *bs;
	if (wy_cli_open(cfg, &st, &bs))
		return 1;
	route_signals();
	char name[64];
	snprintf(name, sizeof name, "worker-%d", (int)getpid());
	wy_worker_opts wo = {.name = name, .until_idle = until_idle};
	wy_errinfo ei = {0};
	int rc = wy_worker_run(cfg, st, bs, &wo, &ei);
	if (rc)
		fprintf(stderr, "wenyuan: worker: %s\n", wy_err_msg(&ei, rc));
	wy_blob_close(bs);
	wy_store_close(st);
	return rc ? 1 : 0;
}

int wy_cmd_config(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "config");
		return 0;
	}
	printf("%-18s %-12s %-20s %-26s %s\n", "SETTING", "VALUE", "FROM", "ENVIRONMENT", "MEANING");
	wy_config_print(cfg, stdout);
	return 0;
}

/* `wenyuan search QUERY...`: the site's search from the command line. */
int wy_cmd_search(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "search");
		return 0;
	}
	bool json = false;
	wy_search_req req = {.limit = 10};
	wy_buf qtext;
	wy_buf_init(&qtext, 4096);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (strcmp(a, "--json") == 0)
			json = true;
		else if (strcmp(a, "--limit") == 0 && more)
			req.limit = atoi(argv[++i]);
		else if (strcmp(a, "--offset") == 0 && more)
			req.offset = atoi(argv[++i]);
		else if (strcmp(a, "--category") == 0 && more)
			req.filter.category = argv[++i];
		else if (strcmp(a, "--format") == 0 && more)
			req.filter.format = argv[++i];
		else if (strcmp(a, "--sort") == 0 && more) {
			const char *s = argv[++i];
			req.sort = strcmp(s, "newest") == 0 ? WY_SEARCH_NEWEST
				 : strcmp(s, "downloads") == 0 ? WY_SEARCH_DOWNLOADS : WY_SEARCH_RELEVANCE;
		} else if (strncmp(a, "--", 2) == 0 && a[2]) {
			wy_cli_usage(stderr, "search");
			wy_buf_free(&qtext);
			return 1;
		} else {
			if (qtext.len)
				wy_buf_putc(&qtext, ' ');
			wy_buf_puts(&qtext, a);
		}
	}
	if (req.limit < 1 || req.limit > 1000)
		req.limit = 10;
	if (req.offset < 0)
		req.offset = 0;
	wy_query *q = wy_query_parse(qtext.data ? qtext.data : "", qtext.len);
	wy_buf_free(&qtext);
	req.query = q;
	wy_store *st = NULL;
	wy_errinfo ei = {0};
	json_t *res = NULL;
	int rc = wy_store_open(wy_config_store_location(cfg), &st, &ei);
	if (!rc)
		rc = wy_view_search(st, &req, json ? 3 : 1, &res, &ei);
	wy_store_close(st);
	wy_query_free(q);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		return 1;
	}
	if (json) {
		print_json(res);
		return 0;
	}
	int total = (int)json_integer_value(json_object_get(res, "total"));
	int strict = (int)json_integer_value(json_object_get(res, "strict_total"));
	printf("%d document%s%s", total, total == 1 ? "" : "s", json_is_true(json_object_get(res, "more")) ? " or more" : "");
	if (strict < total)
		printf(" (%d with every word, %d with part of the query)", strict, total - strict);
	printf("\n");
	json_t *sug = json_object_get(res, "suggest");
	if (json_is_object(sug))
		printf("did you mean: %s (%lld)\n", json_string_value(json_object_get(sug, "query")),
		       (long long)json_integer_value(json_object_get(sug, "total")));
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(res, "results"), i, r) {
		printf("%-6lld %s  [", (long long)json_integer_value(json_object_get(r, "id")),
		       json_string_value(json_object_get(r, "title")) ? json_string_value(json_object_get(r, "title"))
								     : json_string_value(json_object_get(r, "filename")));
		size_t k;
		json_t *pg;
		json_array_foreach(json_object_get(r, "hit_pages"), k, pg)
			printf("%sp.%lld", k ? " " : "", (long long)json_integer_value(json_object_get(pg, "page")));
		if (json_is_true(json_object_get(r, "title_only")))
			printf("matched in the title");
		printf("]");
		if (json_is_real(json_object_get(r, "coverage")))
			printf("  part of the query: %.0f%%", 100 * json_real_value(json_object_get(r, "coverage")));
		printf("\n");
		json_t *sn = json_object_get(json_array_get(json_object_get(r, "hit_pages"), 0), "snippet");
		if (sn) {
			printf("       %s", json_is_true(json_object_get(sn, "cut_before")) ? "…" : "");
			size_t s;
			json_t *seg;
			bool tty = isatty(1);
			json_array_foreach(json_object_get(sn, "segments"), s, seg) {
				bool hit = json_is_true(json_object_get(seg, "hit"));
				printf("%s%s%s", hit ? (tty ? "\033[1;31m" : "[") : "", json_string_value(json_object_get(seg, "text")),
				       hit ? (tty ? "\033[0m" : "]") : "");
			}
			printf("%s\n", json_is_true(json_object_get(sn, "cut_after")) ? "…" : "");
		}
	}
	json_decref(res);
	return 0;
}

static void reindex_progress(void *ctx, int done, int total)
{
	(void)ctx;
	fprintf(stderr, "\rreindexing: %d/%d documents", done, total);
	if (done == total)
		fputc('\n', stderr);
}

/* `wenyuan reindex`: rebuild the search index from the stored text. */
int wy_cmd_reindex(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv) || argc > 1) {
		wy_cli_usage(stdout, "reindex");
		return argc > 1 && !wy_cli_want_help(argc, argv);
	}
	wy_store *st = NULL;
	wy_errinfo ei = {0};
	int64_t t0 = wy_now_ms();
	int rc = wy_store_open(wy_config_store_location(cfg), &st, &ei);
	if (!rc)
		rc = wy_store_reindex(st, isatty(2) ? reindex_progress : NULL, NULL, &ei);
	wy_store_close(st);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		return 1;
	}
	printf("search index rebuilt in %.1f s\n", (double)(wy_now_ms() - t0) / 1000.0);
	return 0;
}

/* `wenyuan fsck`: the store and the blob store agree. The walk is the
 * collector's (jobs/collect.h): what fsck reports as an orphan is what
 * `wenyuan gc` frees. */
typedef struct fsck_state {
	int problems;
	int64_t grace, now;
} fsck_state;

static void fsck_problem(void *ctx, const char *msg)
{
	fsck_state *f = ctx;
	f->problems++;
	printf("%s\n", msg);
}

static int fsck_blob(void *ctx, const char *sha, const char *stray, int64_t mtime, bool referenced)
{
	fsck_state *f = ctx;
	if (!sha) {
		printf("blob store: a stray file %s (not an object)\n", stray);
		f->problems++;
		return 0;
	}
	if (referenced)
		return 0;
	/* an upload or a conversion writes its blobs before the store refers
	 * to them: a young unreferenced blob may be one in flight */
	if (f->now - mtime >= f->grace) {
		printf("blob %s is an orphan: nothing refers to it (%lld s old)\n", sha, (long long)(f->now - mtime));
		f->problems++;
	}
	return 0;
}

int wy_cli_fsck(wy_store *st, wy_blob_store *bs, int64_t grace, bool verify, int *problems, wy_errinfo *ei)
{
	fsck_state f = {.grace = grace, .now = wy_now()};
	wy_refs refs = {0};
	int rc = wy_store_check(st, fsck_problem, &f, ei);
	if (!rc)
		rc = wy_collect_walk(st, bs, &refs, fsck_blob, &f, ei);
	for (size_t i = 0; !rc && i < refs.n; i++) {
		if (!wy_blob_exists(bs, refs.items[i])) {
			printf("blob %s is missing (the store refers to it)\n", refs.items[i]);
			f.problems++;
		} else if (verify && wy_blob_verify(bs, refs.items[i], NULL) != WY_OK) {
			printf("blob %s is damaged: its bytes no longer hash to its name\n", refs.items[i]);
			f.problems++;
		}
	}
	if (!rc)
		printf("fsck: %zu blobs referenced, %d problem%s\n", refs.n, f.problems, f.problems == 1 ? "" : "s");
	wy_refs_clear(&refs);
	*problems = f.problems;
	return rc;
}

int wy_cmd_fsck(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "fsck");
		return 0;
	}
	bool verify = false;
	int64_t grace = 3600;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--verify") == 0) {
			verify = true;
		} else if (!(strcmp(argv[i], "--grace") == 0 && i + 1 < argc && parse_seconds(argv[++i], &grace))) {
			wy_cli_usage(stderr, "fsck");
			return 2;
		}
	}
	wy_store *st;
	wy_blob_store *bs;
	if (wy_cli_open(cfg, &st, &bs))
		return 2;
	wy_errinfo ei = {0};
	int problems = 0;
	int rc = wy_cli_fsck(st, bs, grace, verify, &problems, &ei);
	if (rc)
		fprintf(stderr, "wenyuan: fsck: %s\n", wy_err_msg(&ei, rc));
	wy_store_close(st);
	wy_blob_close(bs);
	return rc ? 2 : problems ? 1 : 0;
}

/* A site setting an admin saved on the site overrides the process's. */
static void site_setting(void *ctx, const char *name, const char *value)
{
	if (name && value && wy_config_is_site(name))
		wy_config_set(ctx, name, value, NULL);
}

/* `wenyuan gc`: what the server's periodic work does, once, now: purge
 * the recycle bin's documents past recycle_days, then free every blob
 * nothing refers to (jobs/collect.h). */
int wy_cmd_gc(wy_config *cfg, int argc, char **argv)
{
	if (wy_cli_want_help(argc, argv)) {
		wy_cli_usage(stdout, "gc");
		return 0;
	}
	int64_t grace = cfg->blob_grace;
	for (int i = 1; i < argc; i++) {
		if (!(strcmp(argv[i], "--grace") == 0 && i + 1 < argc && parse_seconds(argv[++i], &grace))) {
			wy_cli_usage(stderr, "gc");
			return 2;
		}
	}
	wy_store *st;
	wy_blob_store *bs;
	if (wy_cli_open(cfg, &st, &bs))
		return 2;
	wy_errinfo ei = {0};
	wy_config site = *cfg;
	int rc = wy_store_settings_each(st, site_setting, &site, &ei);
	int purged = 0;
	wy_collect_stats cs = {0};
	if (!rc)
		rc = wy_recycle_maintain(st, bs, site.recycle_days, grace, &purged, &cs, &ei);
	if (rc)
		fprintf(stderr, "wenyuan: gc: %s\n", wy_err_msg(&ei, rc));
	else
		printf("gc: %d document%s purged (recycle_days %g), %lld of %lld blobs unreferenced for %lld s or more,"
		       " %lld removed\n",
		       purged, purged == 1 ? "" : "s", site.recycle_days, (long long)cs.orphans, (long long)cs.objects,
		       (long long)grace, (long long)cs.removed);
	wy_store_close(st);
	wy_blob_close(bs);
	return rc ? 2 : 0;
}
