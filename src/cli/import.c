/* cli/import: `wenyuan import DIR`, a site's archive into the library.
 *
 * Walks the tree twice, streaming (what it holds is one open folder per
 * level, never a list of the files): first to count the files and bytes
 * (the progress line's totals), then to store each file as `wenyuan add`
 * does (wy_cli_store_fd), with folders as categories when asked. Unless
 * --no-wait, the second walk goes a file at a time between the turns of a
 * worker run here (wy_worker_opts.feed), which converts each file's job in
 * its child processes while the next files are stored, then what is left
 * queued, as `wenyuan worker --until-idle` would. Each file's document is
 * reported from a record kept in an unnamed temporary file (id and path),
 * read back once at the end.
 *
 * Resuming is by content, with no record of its own: each file is hashed
 * once (wy_sha256_fd, no copy made) and a file whose bytes are in the
 * library already (public, or imported: wy_store_doc_of_sha256, one index
 * probe) is skipped, counted once as such, so a run
 * stopped anywhere (SIGINT, SIGTERM, even SIGKILL) and started again imports
 * each file once. It must never follow a symbolic link (nothing outside DIR
 * is read) nor stop at one bad file. */
#include "blob/blob.h"
#include "cli/cli.h"
#include "core/util.h"
#include "jobs/worker.h"
#include "store/store.h"
#include "text/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 64        /* folders deeper than this are skipped (one fd per level) */
#define PLAIN_EVERY_MS 3000 /* a progress line this often when stderr is no terminal */
#define TTY_EVERY_MS 200

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
	wy_worker_stop();
}

typedef struct imp {
	wy_config *cfg;
	wy_store *st;
	wy_blob_store *bs;
	const char *root;        /* DIR as given */
	const char *uploader;
	bool folders, counting, tty;
	FILE *ev;                /* per-file lines: stdout, or stderr with --json */
	FILE *csv;               /* failures: path, reason */
	FILE *rec;               /* id and path of each file's document */
	char rel[4096];          /* the current path below root */
	int width;               /* of the terminal */
	/* totals of the counting walk */
	int64_t total_files, total_bytes;
	/* the storing walk */
	int64_t files, bytes, imported, skipped, store_failed, unreadable, ignored, categories;
	int64_t ready, failed, queued; /* the documents of the files, at the end */
	int64_t t0, t_walk, last_line;
	/* converting: the library's counts when it began */
	int64_t conv_ready0, conv_failed0, conv_t0; /* conv_t0 0: not converting here */
} imp;

/* A folder level of the walk: its category path ("" at the top; NULL
 * when a folder on the way cannot name a category: why in bad) and
 * whether it is known to exist. */
typedef struct frame {
	char *cat;
	const char *bad;
	bool ensured;
} frame;

/* ---- output ------------------------------------------------------------- */

/* A path from the disk as text for a terminal or a log: its control
 * characters (a name may hold an escape sequence or a newline) as '?'. */
static void put_path(FILE *out, const char *p)
{
	for (; *p; p++)
		fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, out);
}

static void clear_line(imp *m)
{
	if (m->tty && !m->counting) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* One line about the current file (m->rel): what happened and why. */
static void event(imp *m, const char *what, const char *why)
{
	clear_line(m);
	fprintf(m->ev, "%-9s ", what);
	put_path(m->ev, m->rel);
	if (why)
		fprintf(m->ev, ": %s", why);
	fputc('\n', m->ev);
	fflush(m->ev);
	if (m->tty)
		m->last_line = 0; /* redraw the progress line */
}

static void csv_field(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_row(imp *m, const char *rel, const char *reason)
{
	char *path = wy_xasprintf("%s/%s", m->root, rel);
	csv_field(m->csv, path);
	fputc(',', m->csv);
	csv_field(m->csv, reason);
	fputs("\r\n", m->csv);
	fflush(m->csv);
	free(path);
}

static void fmt_time(int64_t s, char *out, size_t cap)
{
	if (s >= 3600)
		snprintf(out, cap, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
			 (long long)(s % 60));
	else
		snprintf(out, cap, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
}

/* The progress line: in place on a terminal, else a plain line every few
 * seconds; force draws it now (the end of a phase). */
static void progress_print(imp *m, const char *line, bool force)
{
	int64_t now = wy_now_ms();
	if (!force && m->last_line && now - m->last_line < (m->tty ? TTY_EVERY_MS : PLAIN_EVERY_MS))
		return;
	m->last_line = now;
	if (m->tty)
		fprintf(stderr, "\r\033[K%.*s", m->width > 1 ? m->width - 1 : 79, line);
	else
		fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

static void walk_progress(imp *m, bool force)
{
	char done[32], all[32], rate[32], left[32] = "?";
	double secs = (double)(wy_now_ms() - m->t0) / 1000.0;
	double bps = secs > 0.05 ? (double)m->bytes / secs : 0;
	wy_format_size(m->bytes, done, sizeof done);
	wy_format_size(m->total_bytes, all, sizeof all);
	wy_format_size((int64_t)bps, rate, sizeof rate);
	if (bps > 0 && m->total_bytes >= m->bytes)
		fmt_time((int64_t)((double)(m->total_bytes - m->bytes) / bps), left, sizeof left);
	/* ready and failed: the conversions done here meanwhile, and the
	 * files that could not be stored */
	int64_t ready = 0, failed = m->store_failed + m->unreadable;
	int c[WY_DOC_NSTATUS];
	if (m->conv_t0 && wy_store_doc_counts(m->st, c, NULL) == WY_OK) {
		ready += c[WY_DOC_READY] - m->conv_ready0;
		failed += c[WY_DOC_FAILED] - m->conv_failed0;
	}
	char line[256];
	snprintf(line, sizeof line,
		 "import: %lld/%lld files, %s/%s, ready %lld, failed %lld, %s/s, %s left", (long long)m->files,
		 (long long)m->total_files, done, all, (long long)ready, (long long)failed, rate, left);
	progress_print(m, line, force);
}

static void convert_tick(void *ctx, wy_store *st)
{
	imp *m = ctx;
	int c[WY_DOC_NSTATUS];
	if (wy_store_doc_counts(st, c, NULL))
		return;
	int64_t ready = c[WY_DOC_READY] - m->conv_ready0, failed = c[WY_DOC_FAILED] - m->conv_failed0;
	int64_t done = ready + failed;
	int64_t pending = c[WY_DOC_QUEUED] + c[WY_DOC_CONVERTING] + c[WY_DOC_READABLE];
	int64_t all = done + pending;
	double secs = (double)(wy_now_ms() - m->conv_t0) / 1000.0;
	double rate = secs > 0.05 ? (double)done / secs : 0;
	char left[32] = "?";
	if (rate > 0)
		fmt_time((int64_t)((double)pending / rate), left, sizeof left);
	char line[256];
	snprintf(line, sizeof line, "convert: %lld/%lld documents, ready %lld, failed %lld, %.2f documents/s, %s left",
		 (long long)done, (long long)all, (long long)ready, (long long)failed, rate, left);
	progress_print(m, line, false);
}

/* ---- the walk ----------------------------------------------------------- */

/* A folder's name as a category name: spaces (ASCII and U+3000) trimmed
 * at both ends; the store checks the rest (wy_store_category_add). */
static char *clean_name(const char *name)
{
	const char *b = name, *e = name + strlen(name);
	for (;;) {
		if (b < e && (*b == ' ' || *b == '\t'))
			b++;
		else if (e - b >= 3 && memcmp(b, "\xe3\x80\x80", 3) == 0)
			b += 3;
		else
			break;
	}
	for (;;) {
		if (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		else if (e - b >= 3 && memcmp(e - 3, "\xe3\x80\x80", 3) == 0)
			e -= 3;
		else
			break;
	}
	return wy_xstrndup(b, (size_t)(e - b));
}

/* The category of the folder's files: found, or created (said once). */
static int ensure_category(imp *m, frame *f, wy_errinfo *ei)
{
	if (f->ensured || !f->cat || !*f->cat)
		return f->cat ? WY_OK : wy_err_set(ei, WY_EINVAL, "%s", f->bad);
	int64_t id;
	int rc = wy_store_category_find(m->st, f->cat, &id, ei);
	if (rc == WY_ENOTFOUND) {
		if ((rc = wy_store_category_add(m->st, f->cat, &id, ei)))
			return rc;
		m->categories++;
		clear_line(m);
		fputs("category  ", m->ev);
		put_path(m->ev, f->cat);
		fputs(" (new)\n", m->ev);
		fflush(m->ev);
		if (m->tty)
			m->last_line = 0;
	} else if (rc) {
		return rc;
	}
	f->ensured = true;
	return WY_OK;
}

static void record(imp *m, int64_t id)
{
	uint32_t n = (uint32_t)strlen(m->rel);
	fwrite(&id, sizeof id, 1, m->rec);
	fwrite(&n, sizeof n, 1, m->rec);
	fwrite(m->rel, 1, n, m->rec);
}

static void unreadable(imp *m, const char *why)
{
	m->unreadable++;
	event(m, "unreadable", why);
	csv_row(m, m->rel, why);
}

static void store_failed(imp *m, const char *why)
{
	m->store_failed++;
	event(m, "failed", why);
	csv_row(m, m->rel, why);
}

static void import_file(imp *m, int dfd, const char *name, const struct stat *sb, frame *f)
{
	wy_errinfo ei = {0};
	/* O_NONBLOCK: a FIFO put in the file's place since the lstat is
	 * opened at once (never waiting for a writer) and refused below */
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	struct stat fs;
	char *clean = NULL;
	char sha[65], sha2[65];
	uint64_t size = 0;
	int64_t id = 0;
	int rc;
	if (fd < 0) {
		unreadable(m, strerror(errno));
		goto out;
	}
	if (fstat(fd, &fs) != 0 || !S_ISREG(fs.st_mode) || fs.st_ino != sb->st_ino) {
		unreadable(m, "it changed while being imported");
		goto out;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		unreadable(m, strerror(errno));
		goto out;
	}
	rc = wy_sha256_fd(fd, (uint64_t)m->cfg->max_upload_mb << 20, sha, &size, &ei);
	if (rc == WY_ETOOBIG) {
		store_failed(m, wy_err_msg(&ei, rc));
		goto out;
	} else if (rc) {
		unreadable(m, wy_err_msg(&ei, rc));
		goto out;
	}
	rc = wy_store_doc_of_sha256(m->st, sha, &id, &ei);
	if (rc == WY_OK) {
		/* counted once, as skipped: never in this run's ready, failed
		 * nor failures CSV (the record holds only what it imported) */
		m->skipped++;
		goto out;
	} else if (rc != WY_ENOTFOUND) {
		store_failed(m, wy_err_msg(&ei, rc));
		goto out;
	}
	if (m->folders && (rc = ensure_category(m, f, &ei))) {
		store_failed(m, wy_err_msg(&ei, rc));
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		unreadable(m, strerror(errno));
		goto out;
	}
	bool existed = false;
	/* the name an upload of this file would get (no control characters
	 * nor bidi marks, valid UTF-8): the title is made from it */
	clean = wy_clean_file_name(name);
	wy_doc_new dn = {.filename = clean, .category = m->folders && f->cat && *f->cat ? f->cat : NULL,
			 .uploader = m->uploader};
	if ((rc = wy_cli_store_fd(m->cfg, m->st, m->bs, fd, &dn, sha2, &id, &existed, &ei))) {
		store_failed(m, wy_err_msg(&ei, rc));
		goto out;
	}
	if (existed) {
		m->skipped++;
	} else {
		record(m, id);
		m->imported++;
		char what[32];
		snprintf(what, sizeof what, "new %lld", (long long)id);
		event(m, what, NULL);
	}
out:
	free(clean);
	if (fd >= 0)
		close(fd);
	m->files++;
	m->bytes += sb->st_size;
	walk_progress(m, false);
}

/* The walk, one entry a step, so that it can go on a file at a time
 * between a worker's turns (wy_worker_opts.feed): the open folders from
 * the top down, each with its frame. */
typedef struct level {
	DIR *d;
	size_t rlen; /* its path's length in m->rel */
	frame f;
} level;

typedef struct walker {
	level lv[MAX_DEPTH];
	int depth;
} walker;

/* Start walking the folder open at fd (taken: closed by the walk). */
static void walk_start(imp *m, walker *w, int fd)
{
	w->depth = 0;
	m->rel[0] = 0;
	DIR *d = fdopendir(fd);
	if (!d) {
		if (!m->counting)
			unreadable(m, strerror(errno));
		close(fd);
		return;
	}
	w->lv[0] = (level){.d = d, .f = {.cat = wy_xstrdup("")}};
	w->depth = 1;
}

static void walk_pop(walker *w)
{
	level *l = &w->lv[--w->depth];
	closedir(l->d);
	free(l->f.cat);
}

/* The stopped walk's folders closed. */
static void walk_end(walker *w)
{
	while (w->depth)
		walk_pop(w);
}

/* The next entry of the walk: a file counted or imported, a folder
 * entered, or something skipped; false when the walk is over. */
static bool walk_step(imp *m, walker *w)
{
	while (w->depth) {
		level *l = &w->lv[w->depth - 1];
		size_t rlen = l->rlen;
		errno = 0;
		struct dirent *e = readdir(l->d);
		if (!e) {
			if (errno && !m->counting) {
				m->rel[rlen] = 0;
				unreadable(m, strerror(errno));
			}
			walk_pop(w);
			continue;
		}
		const char *name = e->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		size_t nl = strlen(name), at = rlen ? rlen + 1 : 0;
		if (at + nl + 1 > sizeof m->rel) {
			if (!m->counting) {
				m->rel[rlen] = 0;
				m->ignored++;
				event(m, "skipped", "a name below this folder makes too long a path");
			}
			return true;
		}
		if (rlen)
			m->rel[rlen] = '/';
		memcpy(m->rel + at, name, nl + 1);
		int dfd = dirfd(l->d);
		struct stat sb;
		if (name[0] == '.') {
			if (!m->counting) {
				m->ignored++;
				event(m, "skipped", "hidden");
			}
		} else if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
			if (!m->counting)
				unreadable(m, strerror(errno));
		} else if (S_ISLNK(sb.st_mode)) {
			if (!m->counting) {
				m->ignored++;
				event(m, "skipped", "a symbolic link (not followed)");
			}
		} else if (S_ISDIR(sb.st_mode)) {
			if (w->depth >= MAX_DEPTH) {
				if (!m->counting) {
					m->ignored++;
					event(m, "skipped", "a folder nested too deep (64 levels and more)");
				}
				return true;
			}
			int cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			DIR *cd = cfd >= 0 ? fdopendir(cfd) : NULL;
			if (!cd) {
				if (!m->counting)
					unreadable(m, strerror(errno));
				if (cfd >= 0)
					close(cfd);
				return true;
			}
			frame cf = {0};
			if (!m->counting && m->folders && l->f.cat) {
				char *c = clean_name(name);
				if (!*c)
					cf.bad = "a folder on its path has no name but spaces: no category";
				else
					cf.cat = *l->f.cat ? wy_xasprintf("%s/%s", l->f.cat, c) : wy_xstrdup(c);
				free(c);
			} else if (!m->counting && m->folders) {
				cf.bad = l->f.bad;
			}
			w->lv[w->depth++] = (level){.d = cd, .rlen = at + nl, .f = cf};
		} else if (S_ISREG(sb.st_mode)) {
			if (m->counting) {
				m->total_files++;
				m->total_bytes += sb.st_size;
			} else {
				import_file(m, dfd, name, &sb, &l->f);
			}
		} else if (!m->counting) {
			m->ignored++;
			event(m, "skipped", "not a regular file (a device, pipe or socket)");
		}
		return true;
	}
	return false;
}

/* The worker's feed (converting while storing): the next file. */
typedef struct feeder {
	imp *m;
	walker *w;
	bool done;
} feeder;

static bool feed(void *ctx, wy_store *st)
{
	(void)st; /* the import's own connection stores */
	feeder *f = ctx;
	if (!f->done && (stop_asked || !walk_step(f->m, f->w))) {
		f->done = true;
		f->m->t_walk = wy_now_ms();
		walk_progress(f->m, true);
		if (f->m->tty)
			fputc('\n', stderr);
	}
	return !f->done;
}

static void feed_tick(void *ctx, wy_store *st)
{
	feeder *f = ctx;
	if (f->done)
		convert_tick(f->m, st);
}

/* ---- the end ------------------------------------------------------------ */

/* Each file's document as it stands now, from the record; failed ones to
 * the CSV when report. */
static void tally(imp *m, bool report)
{
	m->ready = m->failed = m->queued = 0;
	rewind(m->rec);
	int64_t id;
	uint32_t n;
	char rel[sizeof m->rel];
	while (fread(&id, sizeof id, 1, m->rec) == 1 && fread(&n, sizeof n, 1, m->rec) == 1 && n < sizeof rel &&
	       fread(rel, 1, n, m->rec) == n) {
		rel[n] = 0;
		wy_doc d;
		if (wy_store_doc_get(m->st, id, &d, NULL))
			continue;
		if (d.status == WY_DOC_READY) {
			m->ready++;
		} else if (d.status == WY_DOC_FAILED) {
			m->failed++;
			if (report) {
				char *why = wy_xasprintf("conversion failed: %s", d.reason ? d.reason : "no reason given");
				csv_row(m, rel, why);
				free(why);
			}
		} else {
			m->queued++;
		}
		wy_doc_clear(&d);
	}
}

static void summary(imp *m, bool json, bool interrupted, const char *csv_path)
{
	int64_t ms = wy_now_ms() - m->t0;
	double secs = (double)ms / 1000.0, walk_secs = (double)(m->t_walk - m->t0) / 1000.0;
	double bps = walk_secs > 0.001 ? (double)m->bytes / walk_secs : 0;
	if (json) {
		json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:b, s:s}",
				      "dir", m->root, "found", (json_int_t)m->total_files, "imported",
				      (json_int_t)m->imported, "skipped", (json_int_t)m->skipped, "ready",
				      (json_int_t)m->ready, "failed", (json_int_t)(m->failed + m->store_failed),
				      "unreadable", (json_int_t)m->unreadable, "queued", (json_int_t)m->queued,
				      "ignored", (json_int_t)m->ignored, "categories_created", (json_int_t)m->categories,
				      "bytes", (json_int_t)m->bytes, "seconds", secs, "bytes_per_second", bps,
				      "interrupted", interrupted, "failures_csv", csv_path);
		char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
		if (s)
			puts(s);
		free(s);
		json_decref(j);
		return;
	}
	char size[32], rate[32], took[32];
	wy_format_size(m->bytes, size, sizeof size);
	wy_format_size((int64_t)bps, rate, sizeof rate);
	fmt_time((int64_t)(secs + 0.5), took, sizeof took);
	printf("\n%-26s %lld\n", "files found", (long long)m->total_files);
	printf("%-26s %lld\n", "imported", (long long)m->imported);
	printf("%-26s %lld\n", "skipped (already there)", (long long)m->skipped);
	printf("%-26s %lld\n", "ready", (long long)m->ready);
	printf("%-26s %lld\n", "failed", (long long)(m->failed + m->store_failed));
	printf("%-26s %lld\n", "unreadable", (long long)m->unreadable);
	if (m->queued)
		printf("%-26s %lld\n", "queued (not yet converted)", (long long)m->queued);
	if (m->ignored)
		printf("%-26s %lld\n", "ignored (hidden, links...)", (long long)m->ignored);
	printf("%-26s %lld\n", "categories created", (long long)m->categories);
	printf("%-26s %s (%lld bytes)\n", "bytes", size, (long long)m->bytes);
	printf("%-26s %s\n", "time", took);
	printf("%-26s %s/s, %.1f files/s\n", "rate (storing)", rate, walk_secs > 0.001 ? (double)m->files / walk_secs : 0.0);
	printf("%-26s %s\n", "failures (CSV)", csv_path);
}

static void usage(FILE *out) { wy_cli_usage(out, "import"); }

int wy_cmd_import(wy_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		{"category-from-folders", no_argument, NULL, 'f'},
		{"uploader", required_argument, NULL, 'u'},
		{"csv", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"no-wait", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	imp m = {.cfg = cfg, .ev = stdout};
	const char *csv_opt = NULL;
	bool json = false, wait = true;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': m.folders = true; break;
		case 'u': m.uploader = optarg; break;
		case 'c': csv_opt = optarg; break;
		case 'j': json = true; break;
		case 'n': wait = false; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 1;
	}
	if (m.uploader && !wy_cli_uploader_ok(m.uploader))
		return 1;
	m.root = argv[optind];
	if (json)
		m.ev = stderr;
	m.tty = isatty(2) != 0;
	struct winsize ws;
	m.width = m.tty && ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;

	int rootfd = open(m.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		fprintf(stderr, "wenyuan: %s: %s\n", m.root, strerror(errno));
		return 1;
	}
	char *csv_path;
	if (csv_opt) {
		csv_path = wy_xstrdup(csv_opt);
	} else {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		csv_path = wy_xasprintf("%s/import-failures-%s.csv", cfg->data_dir, stamp);
	}
	int status = 1;
	if (wy_cli_open(cfg, &m.st, &m.bs)) {
		close(rootfd);
		free(csv_path);
		return 1;
	}
	if (!(m.csv = fopen(csv_path, "w")) || !(m.rec = tmpfile())) {
		fprintf(stderr, "wenyuan: %s: %s\n", m.csv ? "a temporary file" : csv_path, strerror(errno));
		goto out;
	}
	fputs("path,reason\r\n", m.csv);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sa.sa_flags = (int)SA_RESETHAND; /* a second ^C stops at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	m.t0 = wy_now_ms();
	/* first the totals; a dup of rootfd would share its read offset */
	walker w;
	int count_fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (count_fd >= 0) {
		m.counting = true;
		walk_start(&m, &w, count_fd);
		while (!stop_asked && walk_step(&m, &w))
			;
		walk_end(&w);
		m.counting = false;
	}
	if (!json) {
		char all[32];
		wy_format_size(m.total_bytes, all, sizeof all);
		fprintf(stderr, "%lld files (%s) under ", (long long)m.total_files, all);
		put_path(stderr, m.root);
		fputs("\n", stderr);
	}
	walk_start(&m, &w, rootfd);
	rootfd = -1;
	if (wait) {
		/* store and convert side by side: the worker takes each file's
		 * job while the next ones are stored (feed), then converts what
		 * is left queued */
		int cnt[WY_DOC_NSTATUS];
		if (wy_store_doc_counts(m.st, cnt, NULL) == WY_OK) {
			m.conv_ready0 = cnt[WY_DOC_READY];
			m.conv_failed0 = cnt[WY_DOC_FAILED];
		}
		m.conv_t0 = wy_now_ms();
		feeder fd = {.m = &m, .w = &w};
		wy_worker_opts wo = {.name = "import", .until_idle = true, .tick = feed_tick, .tick_ctx = &fd, .feed = feed};
		wy_errinfo ei = {0};
		int rc = wy_worker_run(cfg, m.st, m.bs, &wo, &ei);
		while (feed(&fd, m.st)) /* the rest stored, if the worker quit early */
			;
		m.last_line = 0;
		/* idle is an empty queue: a job of ours another worker holds (a
		 * serve process's, on the same store) is waited for, as long as
		 * its conversion and retries may take */
		int64_t until = wy_now_ms() + (int64_t)cfg->convert_timeout * 1000 * (cfg->retries + 1);
		for (tally(&m, false); !rc && !stop_asked && m.queued && wy_now_ms() < until; tally(&m, false))
			usleep(100 * 1000);
		convert_tick(&m, m.st);
		if (m.tty)
			fputc('\n', stderr);
		if (rc)
			fprintf(stderr, "wenyuan: worker: %s\n", wy_err_msg(&ei, rc));
	} else {
		while (!stop_asked && walk_step(&m, &w))
			;
		m.t_walk = wy_now_ms();
		walk_progress(&m, true);
		if (m.tty)
			fputc('\n', stderr);
	}
	walk_end(&w);
	bool interrupted = stop_asked != 0;
	tally(&m, true);
	summary(&m, json, interrupted, csv_path);
	if (interrupted) {
		fprintf(stderr,
			"wenyuan: interrupted after %lld of %lld files; run the same command again to resume:\n"
			"files already imported are skipped, what is queued is converted\n",
			(long long)m.files, (long long)m.total_files);
		status = 130;
	} else {
		status = m.failed || m.store_failed || m.unreadable ? 2 : 0;
	}
out:
	if (rootfd >= 0)
		close(rootfd);
	if (m.csv && fclose(m.csv) != 0 && status != 1) {
		fprintf(stderr, "wenyuan: %s: %s\n", csv_path, strerror(errno));
		status = 1;
	}
	if (m.rec)
		fclose(m.rec);
	free(csv_path);
	wy_blob_close(m.bs);
	wy_store_close(m.st);
	return status;
}
