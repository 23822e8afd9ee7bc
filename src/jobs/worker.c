/* worker: job supervision, the parent's side (converter.c is the
 * converters'). One loop, no threads: poll(2) over the pipes of the running
 * children with a timeout that is the nearest deadline. */
#include "jobs/worker.h"
#include "jobs/converter.h"
#include "jobs/analyze.h"
#include "jobs/tally.h"
#include "convert/convert.h"
#include "convert/title.h"
#include "convert/sandbox.h"
#include "core/log.h"
#include "core/notify.h"
#include "core/util.h"
#include "text/boxes.h"
#include "text/outline.h"
#include "text/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEXT_MAX (80u << 20)     /* all pages' text; the child cuts at 64 MiB */
#define READ_MAX (1u << 20)      /* read per child per loop, so deadlines are seen */
/* Pages are published as they come: the first at once (a reader sees the
 * document within a second of its first page), then the pages received
 * since, at most this often (each publication is one transaction). */
#define PUBLISH_MS 500

static volatile sig_atomic_t stop_requested, reload_requested;

void wy_worker_stop(void) { stop_requested = 1; }
void wy_worker_reload(void) { reload_requested = 1; }

/* ---- parent side ------------------------------------------------------- */

/* A slot's office converter, kept between jobs. */
typedef struct office_conv {
	pid_t pid;             /* 0: not running */
	int out_fd, req_fd;
	char *workdir;
	int jobs;
	bool stale;            /* started before a reload: replaced before its next job */
} office_conv;

typedef struct slot {
	bool busy;
	wy_job job;
	pid_t pid;
	int fd;
	bool eof;
	bool office;           /* the job is with the slot's office converter */
	bool over_memory;      /* the office converter passed convert_memory_mb */
	const char *restart;   /* why the office converter was replaced during the job, or NULL */
	char *office_format;   /* the per-job child said: office document */
	office_conv conv;
	int64_t started_ms, deadline_ms, last_progress_ms;
	int ocr_pages;         /* pages the child said it recognises (each adds ocr_page_timeout) */
	int ocr_last;          /* the last of them */
	int ocr_got;           /* recognising only: the last page received */
	int ocr_next;          /* the child left pages from this one for another turn */
	int ocr_page_timeout;
	wy_buf in;
	/* what the child reported */
	char *format, *title, *author;
	char thumb[65];
	int npages;
	wy_page *pages;
	int got;
	/* pages 1..published are in the store (wy_store_job_pages), this
	 * attempt's or an earlier one's (wy_job.resume_from): their text and
	 * boxes are freed here once stored */
	int published;
	int64_t next_publish_ms;
	bool lost;             /* the job was claimed again by another worker */
	size_t text_bytes;     /* all pages' text so far */
	size_t box_bytes;      /* all pages' boxes so far */
	wy_outline outline;    /* checked: within its bounds, its pages within 1..npages */
	bool has_outline;      /* an outline record came (one at most) */
	bool done;
	int err;
	char *errmsg;
	bool protocol_error;
	char *tmp_original;    /* a download of the original (a bucket's blob store), removed at the job's end */
} slot;

/* Free the pages received so far. */
static void free_pages(slot *s)
{
	for (int i = 0; i < s->got && s->pages; i++) {
		free(s->pages[i].text);
		free(s->pages[i].boxes);
	}
	free(s->pages);
	s->pages = NULL;
	s->got = s->npages = 0;
	s->text_bytes = s->box_bytes = 0;
}

/* Forget everything about the current job; the office converter stays. */
static void slot_reset(slot *s)
{
	office_conv conv = s->conv;
	if (s->tmp_original) {
		unlink(s->tmp_original);
		free(s->tmp_original);
		s->tmp_original = NULL;
	}
	wy_job_clear(&s->job);
	wy_buf_free(&s->in);
	free(s->format);
	free(s->title);
	free(s->author);
	free(s->errmsg);
	free(s->office_format);
	free_pages(s);
	wy_outline_free(&s->outline);
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->conv = conv;
}

/* Code points of UTF-8 text: the bytes that are not continuation bytes. */
static size_t count_cps(const char *t)
{
	size_t k = 0;
	for (; *t; t++)
		k += ((unsigned char)*t & 0xC0) != 0x80;
	return k;
}

/* A page record (see sink_page), n bytes at p. Pages must come in order,
 * within the count; the boxes must be whole, one per code point of the
 * text, and within BOXES_MAX for the document; the text within TEXT_MAX.
 * Recognising only (a recognition job), a page must be the one the child
 * said it recognises: its place in pages gets the new text and boxes (the
 * others stay empty: the stored pages are read when the job ends). */
static void parse_page(slot *s, const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);
	char head[160], sha[65], digits[10];
	int no, w, h;
	size_t hlen = nl ? (size_t)(nl - p) : 0;
	if (!nl || hlen >= sizeof head) {
		s->protocol_error = true;
		return;
	}
	memcpy(head, p, hlen);
	head[hlen] = 0;
	/* At most 9 digits: a length cannot overflow while it is read. */
	bool only = s->job.ocr_from > 0;
	if (sscanf(head, "%d %d %d %64s %9[0-9]", &no, &w, &h, sha, digits) != 5 ||
	    (only ? no != s->ocr_last || no <= s->ocr_got || strcmp(sha, "-") != 0
		  : no != s->got + 1 || no > s->npages || !wy_blob_valid_name(sha))) {
		s->protocol_error = true;
		return;
	}
	size_t blen = (size_t)strtoul(digits, NULL, 10), rest = n - hlen - 1;
	if (blen > rest || blen % WY_BOX_SIZE || blen > BOXES_MAX - s->box_bytes) {
		s->protocol_error = true;
		return;
	}
	/* The child caps text per document; one that sends more is not
	 * following the protocol. */
	s->text_bytes += rest - blen;
	if (s->text_bytes > TEXT_MAX) {
		s->protocol_error = true;
		return;
	}
	char *text = wy_xstrndup(nl + 1 + blen, rest - blen);
	if (blen && blen / WY_BOX_SIZE != count_cps(text)) {
		free(text);
		s->protocol_error = true;
		return;
	}
	s->box_bytes += blen;
	wy_page *pg;
	if (only) {
		pg = &s->pages[no - 1];
		pg->page_no = no;
		s->ocr_got = no;
	} else {
		pg = &s->pages[s->got++];
		pg->page_no = no;
		pg->width = w;
		pg->height = h;
		memcpy(pg->image_sha256, sha, 65);
	}
	pg->text = text;
	if (blen) {
		pg->boxes = wy_xmalloc(blen);
		memcpy(pg->boxes, nl + 1, blen);
		pg->boxes_len = blen;
	}
}

/* Whether the child may say page k is recognised now, or left for later:
 * the page to come next when converting; past the last one recognised and
 * within the job's range when recognising only. */
static bool ocr_page_ok(const slot *s, int k)
{
	if (k <= s->ocr_last || k > s->npages)
		return false;
	return s->job.ocr_from ? k >= s->job.ocr_from && k <= s->job.ocr_to : k == s->got + 1;
}

/* Store an image the child made. Its name must be the hash of its bytes:
 * the child is not trusted to name what it stores. A store that refuses
 * (a full disk) fails the job with the reason, and the child is stopped. */
static void store_blob(slot *s, wy_blob_store *bs, const char *p, size_t n)
{
	char claimed[65], sha[65];
	if (n < 64) {
		s->protocol_error = true;
		return;
	}
	memcpy(claimed, p, 64);
	claimed[64] = 0;
	if (!wy_blob_valid_name(claimed)) {
		s->protocol_error = true;
		return;
	}
	if (s->err)
		return; /* the job has failed already */
	wy_errinfo ei = {0};
	int rc = wy_blob_put(bs, p + 64, n - 64, sha, &ei);
	if (!rc && strcmp(sha, claimed) != 0) {
		s->protocol_error = true;
		return;
	}
	if (rc) {
		s->err = rc;
		free(s->errmsg);
		s->errmsg = wy_xasprintf("cannot store a page image: %s", wy_err_msg(&ei, rc));
		if (!s->office)
			wy_sandbox_kill(s->pid);
	}
}

/* Parse complete records from s->in. The child parses hostile input and
 * may be subverted, so every record is checked as untrusted too. */
static void parse_records(slot *s, wy_blob_store *bs, int max_pages)
{
	size_t off = 0;
	while (!s->protocol_error && s->in.len - off >= 5) {
		const unsigned char *h = (const unsigned char *)s->in.data + off;
		uint32_t n = (uint32_t)h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16 | (uint32_t)h[4] << 24;
		if (n > (h[0] == REC_BLOB ? BLOB_MAX : REC_MAX)) {
			s->protocol_error = true;
			break;
		}
		if (s->in.len - off - 5 < n)
			break;
		const char *p = (const char *)h + 5;
		/* Page and image records are binary and large: read in place. */
		char *str = h[0] == REC_PAGE || h[0] == REC_BLOB ? NULL : wy_xstrndup(p, n);
		/* recognising only, the document keeps its format, images and
		 * thumbnail: a child that sends others is not following the
		 * protocol (its format record, sent by every reader, is left) */
		if (s->job.ocr_from && (h[0] == REC_THUMB || h[0] == REC_BLOB))
			s->protocol_error = true;
		else switch (h[0]) {
		case REC_FORMAT:
			if (s->job.ocr_from)
				break;
			free(s->format);
			s->format = str, str = NULL;
			break;
		case REC_COUNT: {
			int k = atoi(str);
			if (s->job.ocr_from) { /* the pages are the stored ones */
				s->protocol_error = k != s->npages;
				break;
			}
			/* The office converter sends its first pages first with
			 * the count as LibreOffice laid the document out, then the
			 * whole PDF's count (before the outline): that one holds,
			 * and covers the pages received. */
			if (s->pages && s->office && !s->has_outline && k >= s->got && k >= 1 && k <= max_pages) {
				s->pages = wy_xrealloc(s->pages, (size_t)k * sizeof *s->pages);
				if (k > s->npages)
					memset(s->pages + s->npages, 0, (size_t)(k - s->npages) * sizeof *s->pages);
				s->npages = k;
				break;
			}
			if (k < 1 || k > max_pages || s->pages) {
				s->protocol_error = true;
				break;
			}
			/* resumed: the pages stored are not sent again */
			if (s->job.resume_from > k) {
				s->protocol_error = true;
				break;
			}
			s->npages = k;
			s->pages = wy_xcalloc((size_t)k, sizeof *s->pages);
			s->got = s->published = s->job.resume_from;
			for (int i = 0; i < s->got; i++)
				s->pages[i].page_no = i + 1;
			break;
		}
		case REC_META:
			free(s->title);
			free(s->author);
			s->title = wy_xstrdup(str);
			s->author = strlen(str) < n ? wy_xstrdup(str + strlen(str) + 1) : NULL;
			/* the title is cleaned where it is picked (wy_title_pick) */
			if (s->author)
				wy_utf8_drop_hidden(s->author, strlen(s->author));
			break;
		case REC_THUMB:
			if (!wy_blob_valid_name(str))
				s->protocol_error = true;
			else
				snprintf(s->thumb, sizeof s->thumb, "%s", str);
			break;
		case REC_PAGE:
			parse_page(s, p, n);
			break;
		case REC_BLOB:
			store_blob(s, bs, p, n);
			break;
		case REC_ERROR: {
			char *sp = strchr(str, ' ');
			s->err = atoi(str);
			if (s->err >= 0)
				s->err = WY_ECORRUPT;
			free(s->errmsg);
			s->errmsg = wy_xstrdup(sp ? sp + 1 : "conversion failed");
			/* A reason quotes the document ("OFD part <its name> is
			 * missing"): what `wenyuan info` prints and the site shows
			 * keeps no control characters and is UTF-8. */
			s->errmsg[wy_utf8_valid_prefix(s->errmsg, wy_utf8_drop_hidden(s->errmsg, strlen(s->errmsg)))] = 0;
			break;
		}
		case REC_DONE:
			s->done = true;
			break;
		case REC_OCR: {
			/* once per page, for the page to come next: a child cannot
			 * buy more time than its pages' worth */
			int k = atoi(str);
			if (!ocr_page_ok(s, k)) {
				s->protocol_error = true;
				break;
			}
			s->ocr_last = k;
			s->ocr_pages++;
			s->deadline_ms += (int64_t)s->ocr_page_timeout * 1000;
			break;
		}
		case REC_OCR_LATER: {
			/* a recognition job's range is all it has to do */
			int k = atoi(str);
			if (s->job.ocr_from || s->ocr_next || !ocr_page_ok(s, k)) {
				s->protocol_error = true;
				break;
			}
			s->ocr_next = k;
			break;
		}
		case REC_OUTLINE:
			/* once, after the page count, never when recognising
			 * only; the entries are checked as untrusted */
			if (s->job.ocr_from || !s->pages || s->has_outline ||
			    wy_outline_decode(p, n, s->npages, &s->outline) != WY_OK)
				s->protocol_error = true;
			s->has_outline = true;
			break;
		case REC_OFFICE:
			free(s->office_format);
			s->office_format = str, str = NULL;
			break;
		default:
			s->protocol_error = true;
		}
		free(str);
		off += 5 + n;
	}
	if (off) {
		memmove(s->in.data, s->in.data + off, s->in.len - off);
		s->in.len -= off;
	}
}

static void read_records(slot *s, wy_blob_store *bs, int max_pages)
{
	char chunk[65536];
	for (size_t total = 0; total < READ_MAX; total += sizeof chunk) {
		ssize_t r = read(s->fd, chunk, sizeof chunk);
		if (r > 0) {
			if (wy_buf_append(&s->in, chunk, (size_t)r)) {
				s->protocol_error = true;
				s->eof = true;
				return;
			}
			parse_records(s, bs, max_pages);
			continue;
		}
		if (r == 0)
			s->eof = true;
		else if (errno == EINTR)
			continue;
		else if (errno != EAGAIN)
			s->eof = true;
		return;
	}
}

/* What the slot's child sent, read: the lines logged meanwhile are the
 * job's (req=, the upload's request). */
static void read_child(slot *s, wy_blob_store *bs, int max_pages)
{
	wy_log_set_req(s->job.request_id);
	read_records(s, bs, max_pages);
	wy_log_set_req(NULL);
}

static void convert_opts(const wy_config *cfg, wy_convert_opts *o)
{
	wy_convert_opts_default(o);
	o->page_width = cfg->page_width;
	o->thumb_width = cfg->thumb_width;
	o->webp_quality = cfg->webp_quality;
	o->max_pages = cfg->max_pages;
	o->ocr = cfg->ocr != 0;
	o->ocr_languages = cfg->ocr_languages;
	o->ocr_batch = cfg->ocr_batch;
}

/* The converter's CPU limit: convert_timeout, and with OCR on the time
 * each page of a batch may add (the wall-clock deadline, which grows only
 * by the pages actually recognised, is the real bound; this is the
 * backstop). No per-job child recognises more than ocr_batch pages. */
static int cpu_limit(const wy_config *cfg)
{
	long long s = cfg->convert_timeout;
	if (cfg->ocr)
		s += (long long)(cfg->ocr_batch < cfg->max_pages ? cfg->ocr_batch : cfg->max_pages) *
		     cfg->ocr_page_timeout;
	return s > 86400 ? 86400 : (int)s;
}

/* Before a recognition job starts: its document must be ready and its
 * range within the pages; the slot gets a place for each page (those
 * recognised fill theirs: merged_pages reads the rest when it ends) and
 * the document's format. */
static int prepare_recognition(wy_store *st, slot *s, wy_errinfo *ei)
{
	wy_doc d;
	int rc = wy_store_doc_get(st, s->job.doc_id, &d, ei);
	if (rc)
		return rc;
	if (d.status != WY_DOC_READY || s->job.ocr_from < 1 || s->job.ocr_to < s->job.ocr_from ||
	    s->job.ocr_to > d.pages) {
		rc = wy_err_set(ei, WY_ENOTFOUND, "the document is not ready, or has no pages %d-%d", s->job.ocr_from,
				s->job.ocr_to);
		wy_doc_clear(&d);
		return rc;
	}
	s->pages = wy_xcalloc((size_t)d.pages, sizeof *s->pages);
	s->npages = s->got = d.pages;
	s->format = d.format ? wy_xstrdup(d.format) : NULL;
	wy_doc_clear(&d);
	return WY_OK;
}

/* The whole text of a recognition job's document for its analysis: the
 * pages it recognised, the others as stored now (another batch may have
 * ended since it started). The stored ones are freed with free_stored. */
static int merged_pages(wy_store *st, const slot *s, wy_page **out, wy_errinfo *ei)
{
	wy_page *all = wy_xcalloc((size_t)s->npages, sizeof *all);
	int rc = WY_OK;
	for (int i = 0; i < s->npages && rc == WY_OK; i++)
		if (s->pages[i].page_no)
			all[i] = s->pages[i];
		else
			rc = wy_store_page_get(st, s->job.doc_id, i + 1, &all[i], ei);
	*out = all;
	return rc;
}

static void free_stored(const slot *s, wy_page *all)
{
	for (int i = 0; i < s->npages; i++)
		if (!s->pages[i].page_no)
			wy_page_clear(&all[i]);
	free(all);
}

static int start_job(const wy_config *cfg, wy_blob_store *bs, slot *s, wy_errinfo *ei)
{
	char *path = NULL;
	bool tmp = false;
	int rc = wy_blob_local_path(bs, s->job.sha256, &path, &tmp, ei);
	if (rc)
		return rc;
	child_ctx c = {.path = path, .in_fd = -1};
	/* Fault points for the tests of supervision: checked here in the parent
	 * so that exactly the n-th job's child crashes or hangs. */
	c.fault = wy_fault("child.crash")         ? 1
		  : wy_fault("child.hang")        ? 2
		  : wy_fault("child.bad_boxes")   ? 3
		  : wy_fault("child.bad_outline") ? 4
						  : 0;
	convert_opts(cfg, &c.opts);
	c.opts.name_hint = s->job.filename; /* .md: Markdown (sent with the parameters) */
	c.opts.ocr_from = s->job.ocr_from;
	c.opts.ocr_to = s->job.ocr_to;
	/* resumed: from the first page not stored */
	c.opts.first_page = s->job.ocr_from ? 0 : s->job.resume_from + 1;
	/* Tests only (tests/e2e/progressive.sh): WY_TEST_PAUSE_AFTER=K1,K2...
	 * stops the converter of a conversion's attempt n after it sends page
	 * Kn, until killed, so that a test sees the readable state (and the
	 * resumed one) and crashes it there. Not a setting: the environment
	 * of the process, passed on to an embedded worker. */
	const char *pause_after = s->job.ocr_from ? NULL : getenv("WY_TEST_PAUSE_AFTER");
	for (int n = 1; pause_after && *pause_after; n++) {
		if (n == s->job.attempt)
			c.pause_after = atoi(pause_after);
		pause_after = strchr(pause_after, ',');
		pause_after = pause_after ? pause_after + 1 : NULL;
	}
	if (s->job.ocr_from)
		c.opts.ocr_batch = 0; /* its range is its batch */
	wy_sandbox_limits lim = {
		.memory_bytes = (uint64_t)cfg->convert_memory_mb << 20,
		.cpu_seconds = cpu_limit(cfg),
		.no_network = true,
	};
	rc = conv_spawn(&lim, 'C', &c, &s->pid, &s->fd, NULL, ei);
	/* a download (a bucket's original): the child opens it by name, at
	 * a moment of its own, so it stays until the job ends (slot_reset) */
	if (tmp && !rc) {
		s->tmp_original = path;
		path = NULL;
	} else if (tmp) {
		unlink(path);
	}
	free(path);
	if (rc)
		return rc;
	wy_buf_init(&s->in, BLOB_MAX + 64);
	s->started_ms = s->last_progress_ms = wy_now_ms();
	s->deadline_ms = s->started_ms + (int64_t)cfg->convert_timeout * 1000;
	s->ocr_page_timeout = cfg->ocr_page_timeout;
	return WY_OK;
}

/* ---- office converters ------------------------------------------------- */

/* waitpid that a signal cannot interrupt into a lost child. */
static pid_t reap(pid_t pid, int *status, int flags)
{
	pid_t r;
	do
		r = waitpid(pid, status, flags);
	while (r < 0 && errno == EINTR);
	return r;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

/* Stop a slot's office converter (if running) and remove its directory. */
static void office_stop(office_conv *cv)
{
	if (cv->pid > 0) {
		wy_sandbox_kill(cv->pid);
		reap(cv->pid, NULL, 0);
		close(cv->out_fd);
		close(cv->req_fd);
	}
	if (cv->workdir) {
		nftw(cv->workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(cv->workdir);
	}
	memset(cv, 0, sizeof *cv);
}

/* Start the slot's office converter unless it runs (a stale one is
 * replaced). prestart: no job is waiting; it loads LibreOffice at once. */
static int office_ensure(const wy_config *cfg, office_conv *cv, bool prestart, wy_errinfo *ei)
{
	if (cv->pid > 0 && !cv->stale)
		return WY_OK;
	if (cv->pid > 0) {
		wy_log("office.recycle", "pid=%d jobs=%d cause=reload", (int)cv->pid, cv->jobs);
		office_stop(cv);
	}
	const char *tmp = getenv("TMPDIR");
	char *dir = wy_xasprintf("%s/wy-office-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		int rc = wy_err_set(ei, WY_EIO, "cannot create a directory for the office converter: %s", strerror(errno));
		free(dir);
		return rc;
	}
	child_ctx c = {.office_path = cfg->office_path, .allow_network = cfg->allow_network != 0,
		       .office_first_pages = cfg->office_first_pages, .workdir = dir, .in_fd = -1, .prestart = prestart};
	c.fault = wy_fault("office.crash") ? 1 : 0;
	/* tests only (see start_job): a conversion from its first page stops
	 * after page K1 (a resumed one starts past it) */
	const char *pause_after = getenv("WY_TEST_PAUSE_AFTER");
	c.pause_after = pause_after ? atoi(pause_after) : 0;
	convert_opts(cfg, &c.opts);
	c.opts.ocr_batch = 0; /* see office_main */
	/* The supervisor watches resident memory against convert_memory_mb; the
	 * address-space limit is only a backstop, since LibreOffice reserves far
	 * more address space than it touches. No CPU limit: it adds up over a
	 * long-lived process; the wall-clock deadline is per job. */
	wy_sandbox_limits lim = {
		.memory_bytes = ((uint64_t)cfg->convert_memory_mb << 20) * 2 + (1ull << 30),
		.cpu_seconds = 0,
		.no_network = true,
	};
	/* it outlives the job that started it: its lines are no request's */
	char req[WY_LOG_REQ_MAX + 1];
	snprintf(req, sizeof req, "%s", wy_log_req());
	wy_log_set_req(NULL);
	int rc = conv_spawn(&lim, 'O', &c, &cv->pid, &cv->out_fd, &cv->req_fd, ei);
	wy_log_set_req(req);
	if (rc) {
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(dir);
		cv->pid = 0;
		return rc;
	}
	if (!wy_sandbox_network_isolated())
		wy_error("office.network", "pid=%d isolated=0 allow_network=%d msg=\"no network namespace: LibreOffice "
					   "could fetch what documents link to\"",
			 (int)cv->pid, cfg->allow_network);
	cv->workdir = dir;
	cv->jobs = 0;
	wy_log("office.spawn", "pid=%d dir=%s prestart=%d", (int)cv->pid, dir, prestart);
	return WY_OK;
}

/* Resident memory of a process in bytes (0 when unknown). */
static uint64_t rss_of(pid_t pid)
{
	char path[64], buf[128];
	snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	unsigned long size = 0, resident = 0;
	bool ok = fgets(buf, sizeof buf, f) && sscanf(buf, "%lu %lu", &size, &resident) == 2;
	fclose(f);
	return ok ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

/* ---- whose lease is it --------------------------------------------------
 *
 * A worker's claims carry where it runs: "NAME@HOST/SPACE/PID/START", SPACE
 * being this boot and PID namespace (the first 8 hex digits of the kernel's
 * boot_id and the namespace's inode) and START the process's start time in
 * clock ticks since boot, so that a recycled pid is not taken for the
 * worker. A worker killed outright (kill -9, the OOM killer) cannot release
 * its jobs; any worker in the same HOST/SPACE that finds the pid gone, a
 * zombie, or another process ends those leases at once instead of waiting
 * convert_timeout + 60 s. Workers elsewhere cannot be asked, and for them
 * the lease still decides. */

/* State letter and start time of a process; false when there is none. */
static bool proc_start(pid_t pid, char *state, unsigned long long *start)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	wy_buf b;
	wy_buf_init(&b, 4096);
	bool ok = wy_file_read(path, 4096, &b) == WY_OK && b.len > 0;
	/* "pid (comm) state ppid ...": comm may hold anything, so from its
	 * last ')'; starttime is the 20th field after it. */
	const char *p = ok ? strrchr(b.data, ')') : NULL;
	ok = p && sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
			 state, start) == 2;
	wy_buf_free(&b);
	return ok;
}

/* "HOST/SPACE" of this process, "" when it cannot be told (then no worker
 * judges another, and leases alone decide). */
static const char *lease_space(void)
{
	static char space[160];
	static bool done;
	if (done)
		return space;
	done = true;
	char host[65] = "", boot[64] = "", ns[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	bool ok = f && fgets(boot, sizeof boot, f) && strlen(boot) >= 8;
	if (f)
		fclose(f);
	ssize_t nl = readlink("/proc/self/ns/pid", ns, sizeof ns - 1); /* "pid:[4026531836]" */
	unsigned long long ino = 0;
	ok = ok && nl > 0 && gethostname(host, sizeof host - 1) == 0 && host[0] &&
	     (ns[nl] = 0, sscanf(ns, "pid:[%llu]", &ino) == 1);
	if (ok)
		snprintf(space, sizeof space, "%s/%.8s.%llu", host, boot, ino);
	return space;
}

/* The name this worker's claims carry (see above). */
static void lease_holder(const char *name, char *out, size_t cap)
{
	char state;
	unsigned long long start;
	const char *space = lease_space();
	if (space[0] && proc_start(getpid(), &state, &start))
		snprintf(out, cap, "%s@%s/%d/%llu", name, space, (int)getpid(), start);
	else
		snprintf(out, cap, "%s", name);
}

/* wy_store_job_expire_dead's question: is the worker that holds this lease
 * known for sure to be gone? Only for one in our HOST/SPACE. */
static bool lease_holder_dead(void *ctx, const char *holder)
{
	(void)ctx;
	const char *space = lease_space(), *at = strrchr(holder, '@');
	size_t sl = strlen(space);
	if (!sl || !at || strncmp(at + 1, space, sl) != 0 || at[1 + sl] != '/')
		return false;
	int pid;
	unsigned long long start, now_start;
	char state, end;
	if (sscanf(at + 2 + sl, "%d/%llu%c", &pid, &start, &end) != 2 || pid <= 0 || pid == (int)getpid())
		return false;
	if (!proc_start(pid, &state, &now_start))
		return true; /* no such process */
	return state == 'Z' || state == 'X' || now_start != start;
}

/* End the leases of jobs whose workers died here. Best effort: on an error
 * the leases run out as before. */
static void recover_dead_leases(wy_store *st)
{
	int n = 0;
	wy_errinfo ei = {0};
	int rc = wy_store_job_expire_dead(st, lease_holder_dead, NULL, &n, &ei);
	if (rc)
		wy_warn("worker.recover", "code=%s msg=\"%s\"", wy_err_name(rc), wy_err_msg(&ei, rc));
	else if (n)
		wy_log("worker.recover", "jobs=%d msg=\"their worker is gone: taken up again at once\"", n);
}

/* Hand the slot's job to its office converter (started if needed). */

static int office_dispatch(const wy_config *cfg, wy_blob_store *bs, slot *s, wy_errinfo *ei)
{
	char *path = NULL;
	bool tmp = false;
	int rc = wy_blob_local_path(bs, s->job.sha256, &path, &tmp, ei);
	if (rc)
		return rc;
	/* A converter that died while idle shows as a failed write: start a
	 * fresh one and try once more. */
	for (int attempt = 0; attempt < 2; attempt++) {
		if (s->conv.pid > 0 && s->conv.stale)
			s->restart = "reload"; /* office_ensure replaces it */
		if ((rc = office_ensure(cfg, &s->conv, false, ei)))
			break;
		char *in = wy_xasprintf("%s/in", s->conv.workdir);
		/* the one place the converter can read from; it can write there
		 * too: wy_file_copy never follows or reuses what it left */
		rc = wy_file_copy(path, in, ei);
		if (!rc) {
			wy_buf req;
			wy_buf_init(&req, 0);
			wy_buf_puts(&req, s->office_format);
			wy_buf_putc(&req, 0);
			wy_buf_puts(&req, in);
			/* resumed: from the first page not stored */
			if (s->job.resume_from) {
				wy_buf_putc(&req, 0);
				wy_buf_printf(&req, "%d", s->job.resume_from + 1);
			}
			if (conv_send_rec(s->conv.req_fd, REC_REQUEST, req.data, req.len)) {
				office_stop(&s->conv);
				s->restart = "crash";
				rc = wy_err_set(ei, WY_ECRASH, "the office converter stopped");
			}
			wy_buf_free(&req);
		}
		free(in);
		if (rc != WY_ECRASH)
			break;
	}
	if (tmp)
		unlink(path); /* copied into the converter's directory above */
	free(path);
	if (rc)
		return rc;
	/* Start the job's results afresh: only the converter's records count. */
	wy_buf_free(&s->in);
	wy_buf_init(&s->in, BLOB_MAX + 64);
	free_pages(s);
	wy_outline_free(&s->outline);
	s->has_outline = false;
	s->done = s->eof = false;
	s->office = true;
	s->pid = s->conv.pid;
	s->fd = s->conv.out_fd;
	s->conv.jobs++;
	s->deadline_ms = wy_now_ms() + (int64_t)cfg->convert_timeout * 1000;
	s->ocr_pages = 0;
	s->ocr_page_timeout = cfg->ocr_page_timeout;
	return WY_OK;
}

/* Set on s->job what its end counts (outcome "ready" or "failed"), in t,
 * which must outlive the store's call that records the end. */
static void tally_job(slot *s, wy_tally *t, const char *outcome)
{
	double secs = s->started_ms ? (double)(wy_now_ms() - s->started_ms) / 1000 : 0;
	wy_tally_job(t, &s->job, s->format, outcome, secs, s->restart);
}

static const char *reason_for(int code, const char *msg, const wy_config *cfg, char *buf, size_t cap)
{
	if (code == WY_EPASSWORD)
		return "password-protected";
	/* MuPDF reports a failed allocation as "malloc (N bytes) failed". */
	if (code == WY_ENOMEM || (msg && (strstr(msg, "malloc") || strstr(msg, "out of memory")))) {
		snprintf(buf, cap, "the document needs more memory than the limit of %d MiB (%s)",
			 cfg->convert_memory_mb, msg);
		return buf;
	}
	return msg ? msg : wy_err_text(code);
}

/* Outcomes the store would not take (a full or read-only disk, a store
 * that went away): the job is failed with the reason as soon as the store
 * takes writes again. Without this the document would sit "converting",
 * refusing `retry`, until its lease ran out. A worker that stops with some
 * left leaves them to the next worker here, which sees its pid gone. */
#define UNRECORDED_MAX 64
static struct {
	wy_job job;               /* id, doc_id, attempt and the OCR range only */
	char format[32];
	char reason[400];
} unrecorded[UNRECORDED_MAX];
static int nunrecorded;

/* Try to record each outcome still owed; keep those the store refuses. */
static void record_unrecorded(wy_store *st)
{
	int kept = 0;
	for (int i = 0; i < nunrecorded; i++) {
		wy_errinfo ei = {0};
		int rc = wy_store_job_fail(st, &unrecorded[i].job, unrecorded[i].format[0] ? unrecorded[i].format : NULL,
					   unrecorded[i].reason, &ei);
		if (rc == WY_OK || rc == WY_ENOTFOUND) { /* recorded, or another worker has it now */
			wy_log("job.failed_late", "job=%lld doc=%lld recorded=%d", (long long)unrecorded[i].job.id,
			       (long long)unrecorded[i].job.doc_id, rc == WY_OK);
			continue;
		}
		if (kept != i)
			unrecorded[kept] = unrecorded[i];
		kept++;
	}
	nunrecorded = kept;
}

/* The store refused a job's outcome (rc, ei): fail the job with that as its
 * reason, now or once the store takes writes. */
static void owe_failure(wy_store *st, const slot *s, int rc, const wy_errinfo *ei)
{
	if (nunrecorded == UNRECORDED_MAX) {
		wy_error("job.unrecorded", "job=%lld msg=\"too many outcomes unrecorded: left to its lease\"",
			 (long long)s->job.id);
		return;
	}
	unrecorded[nunrecorded].job =
		(wy_job){.id = s->job.id,
			 .doc_id = s->job.doc_id,
			 .attempt = s->job.attempt,
			 .ocr_from = s->job.ocr_from,
			 .ocr_to = s->job.ocr_to};
	snprintf(unrecorded[nunrecorded].format, sizeof unrecorded[nunrecorded].format, "%s",
		 s->format ? s->format : "");
	snprintf(unrecorded[nunrecorded].reason, sizeof unrecorded[nunrecorded].reason,
		 "the result could not be stored: %s", wy_err_msg(ei, rc));
	nunrecorded++;
	record_unrecorded(st);
}

/* Child finished (or was killed): publish or fail its job. */
static void preview_setting(void *ctx, const char *name, const char *value)
{
	if (strcmp(name, "preview_pages") == 0 && atoi(value) > 0)
		*(int *)ctx = atoi(value);
}

/* The pages every reader may read: the site's preview_pages as an admin
 * last set it, else this process's setting. */
static int preview_pages(const wy_config *cfg, wy_store *st)
{
	int n = cfg->preview_pages;
	wy_store_settings_each(st, preview_setting, &n, NULL);
	return n;
}

/* A recognition job's pages published. The analysis is of the whole text
 * (its pages, the others as stored now); a near-duplicate is flagged, not
 * refused: the document is out already. */
static int publish_recognition(const wy_config *cfg, wy_store *st, slot *s, int64_t ms, wy_errinfo *ei)
{
	wy_page *all = NULL, *mine = wy_xcalloc((size_t)s->npages, sizeof *mine);
	int n = 0;
	for (int i = 0; i < s->npages; i++)
		if (s->pages[i].page_no)
			mine[n++] = s->pages[i];
	wy_analysis an = {0};
	double thr = cfg->near_duplicates ? cfg->near_duplicate_percent / 100.0 : 0;
	int rc = merged_pages(st, s, &all, ei);
	if (!rc)
		rc = wy_analyze(st, s->job.doc_id, all, s->npages, preview_pages(cfg, st), thr, &an, ei);
	if (!rc) {
		wy_doc_result res = {.npages = n, .pages = mine};
		wy_analysis_apply(&an, &res);
		rc = wy_store_job_finish(st, &s->job, &res, ei);
	}
	if (!rc)
		wy_log("job.recognised", "job=%lld doc=%lld pages=%d-%d recognised=%d ms=%lld", (long long)s->job.id,
		       (long long)s->job.doc_id, s->job.ocr_from, s->job.ocr_to, n, (long long)ms);
	wy_analysis_clear(&an);
	free_stored(s, all);
	free(mine);
	return rc;
}

/* What a conversion publishes of the pages it has not published yet. The
 * title is picked once, with the first of them (page 1's text): *title,
 * the caller's to free, is NULL after that. */
static wy_doc_result unpublished(const slot *s, char **title)
{
	*title = s->published ? NULL : wy_title_pick(s->job.title, s->job.filename, s->title, s->pages[0].text);
	return (wy_doc_result){
		.format = s->format,
		.title = *title,
		.author = s->author && *s->author ? s->author : NULL,
		.thumb_sha256 = s->thumb[0] ? s->thumb : NULL,
		.npages = s->npages,
		.stored = s->published,
		.pages = &s->pages[s->published],
	};
}

/* Publish the pages received since the last publication (wy_store_job_pages),
 * and free their text and boxes: the end's analysis reads them back
 * (stored_text). The first publication names the document (its title
 * picked with page 1's text, as at the end before) and makes it readable.
 * A store that refuses is asked again later; a job claimed again by
 * another worker is lost: its converter stops. */
static void publish_pages(const wy_config *cfg, wy_store *st, slot *s, int64_t now)
{
	(void)cfg;
	int n = s->got - s->published;
	if (n <= 0 || s->job.ocr_from || s->lost || s->protocol_error || s->err)
		return;
	if (s->published > 0 && now < s->next_publish_ms)
		return;
	char *title;
	wy_doc_result res = unpublished(s, &title);
	wy_errinfo ei = {0};
	int64_t t0 = wy_now_ms();
	int rc = wy_store_job_pages(st, &s->job, &res, n, &ei);
	free(title);
	s->next_publish_ms = now + PUBLISH_MS;
	if (rc == WY_ENOTFOUND) {
		s->lost = true;
		if (!s->office)
			wy_sandbox_kill(s->pid);
	}
	if (rc) {
		wy_warn("job.publish_pages", "job=%lld pages=%d-%d code=%s msg=\"%s\"", (long long)s->job.id,
			s->published + 1, s->got, wy_err_name(rc), wy_err_msg(&ei, rc));
		return;
	}
	if (s->published == s->job.resume_from)
		wy_log("job.readable", "job=%lld doc=%lld pages=%d ms=%lld", (long long)s->job.id,
		       (long long)s->job.doc_id, s->got, (long long)(now - s->started_ms));
	wy_debug("job.pages", "job=%lld pages=%d-%d ms=%lld", (long long)s->job.id, s->published + 1, s->got,
		 (long long)(wy_now_ms() - t0));
	for (int i = s->published; i < s->got; i++) {
		free(s->pages[i].text);
		free(s->pages[i].boxes);
		s->pages[i].text = NULL;
		s->pages[i].boxes = NULL;
		s->pages[i].boxes_len = 0;
	}
	s->published = s->got;
}

/* The whole text of a conversion for its analysis: the pages published
 * while it ran as stored (their text was freed here), the rest as
 * received. The stored ones are freed with free_published. */
static int stored_text(wy_store *st, const slot *s, wy_page **out, wy_errinfo *ei)
{
	wy_page *all = wy_xcalloc((size_t)s->npages, sizeof *all);
	int rc = WY_OK;
	for (int i = 0; i < s->npages && rc == WY_OK; i++)
		if (i < s->published)
			rc = wy_store_page_get(st, s->job.doc_id, i + 1, &all[i], ei);
		else
			all[i] = s->pages[i];
	*out = all;
	return rc;
}

static void free_published(const slot *s, wy_page *all)
{
	for (int i = 0; i < s->published && i < s->npages; i++)
		wy_page_clear(&all[i]);
	free(all);
}

/* A conversion whose converter stopped (crashed, killed) after publishing
 * pages in this attempt is taken up again where it got, its document
 * readable meanwhile; the attempts still count (wy_store_job_claim fails
 * it past `retries`). One that stopped before publishing any fails as
 * before: there is nothing to resume from. */
static bool resumable(const slot *s, bool clean, bool timed_out)
{
	return !s->job.ocr_from && s->published > s->job.resume_from && !timed_out && !s->over_memory &&
	       !s->protocol_error && !s->err && (!clean || !s->done);
}

static void finish_job(const wy_config *cfg, wy_store *st, slot *s, int status, bool timed_out)
{
	wy_errinfo ei = {0};
	wy_sandbox_limits lim = {.cpu_seconds = cpu_limit(cfg)};
	char why[512], buf[600];
	bool clean = wy_sandbox_describe(status, &lim, why, sizeof why);
	int64_t ms = wy_now_ms() - s->started_ms;
	int rc;
	const char *reason = NULL;
	wy_tally t;
	if (s->lost) {
		wy_warn("job.lost", "job=%lld doc=%lld msg=\"claimed again by another worker\"", (long long)s->job.id,
			(long long)s->job.doc_id);
		return;
	}
	if (resumable(s, clean, timed_out)) {
		rc = wy_store_job_requeue(st, &s->job, &ei);
		wy_log("job.requeued", "job=%lld doc=%lld pages=%d of=%d ms=%lld why=\"%s\" rc=%s", (long long)s->job.id,
		       (long long)s->job.doc_id, s->published, s->npages, (long long)ms, clean ? "stopped" : why,
		       wy_err_name(rc));
		if (!rc)
			return;
	}
	if (timed_out) {
		if (s->ocr_pages)
			snprintf(buf, sizeof buf, "conversion took longer than the limit of %d s (%d s, and %d s for each of "
						  "the %d pages recognised)",
				 cfg->convert_timeout + s->ocr_pages * cfg->ocr_page_timeout, cfg->convert_timeout,
				 cfg->ocr_page_timeout, s->ocr_pages);
		else
			snprintf(buf, sizeof buf, "conversion took longer than the limit of %d s", cfg->convert_timeout);
		reason = buf;
	} else if (s->over_memory) {
		snprintf(buf, sizeof buf, "the document needs more memory than the limit of %d MiB",
			 cfg->convert_memory_mb);
		reason = buf;
	} else if (s->protocol_error) {
		reason = "the converter sent malformed results";
	} else if (s->err) {
		reason = reason_for(s->err, s->errmsg, cfg, buf, sizeof buf);
	} else if (!clean || !s->done) {
		reason = clean ? "the converter stopped without a result" : why;
	} else if (s->got != s->npages || s->npages == 0) {
		reason = "the converter returned an incomplete document";
	}
	if (reason) {
		tally_job(s, &t, "failed");
		rc = wy_store_job_fail(st, &s->job, s->format, reason, &ei);
		char q[300];
		wy_log("job.failed", "job=%lld doc=%lld format=%s ms=%lld reason=%s", (long long)s->job.id,
		       (long long)s->job.doc_id, s->format ? s->format : "-", (long long)ms,
		       wy_log_q(q, sizeof q, reason));
	} else if (s->job.ocr_from) {
		tally_job(s, &t, "ready");
		rc = publish_recognition(cfg, st, s, ms, &ei);
	} else {
		/* the last pages, unless all were published as they came */
		char *title;
		wy_doc_result res = unpublished(s, &title);
		res.ocr_next = s->ocr_next;
		res.ocr_batch = cfg->ocr_batch;
		res.outline = &s->outline;
		/* keywords and fingerprint; a near-duplicate is flagged or refused */
		wy_analysis an = {0};
		double thr = cfg->near_duplicates ? cfg->near_duplicate_percent / 100.0 : 0;
		wy_page *all = NULL;
		rc = stored_text(st, s, &all, &ei);
		if (!rc)
			rc = wy_analyze(st, s->job.doc_id, all, s->npages, preview_pages(cfg, st), thr, &an, &ei);
		free_published(s, all);
		if (!rc && an.dup_of && cfg->near_duplicates == 2) {
			snprintf(buf, sizeof buf, "nearly the same text as document %lld (%.0f%% alike): refused",
				 (long long)an.dup_of, an.similarity * 100);
			tally_job(s, &t, "failed");
			rc = wy_store_job_fail(st, &s->job, s->format, buf, &ei);
			wy_log("job.duplicate", "job=%lld doc=%lld of=%lld", (long long)s->job.id,
			       (long long)s->job.doc_id, (long long)an.dup_of);
		} else if (!rc) {
			wy_analysis_apply(&an, &res);
			tally_job(s, &t, "ready");
			rc = wy_store_job_finish(st, &s->job, &res, &ei);
			if (!rc)
				wy_log("job.ready", "job=%lld doc=%lld format=%s pages=%d ms=%lld dup_of=%lld ocr_pages=%d "
						    "ocr_next=%d",
				       (long long)s->job.id, (long long)s->job.doc_id, s->format, s->npages, (long long)ms,
				       (long long)an.dup_of, s->ocr_pages, s->ocr_next);
		}
		wy_analysis_clear(&an);
		free(title);
	}
	if (rc)
		wy_error("job.publish", "job=%lld code=%s msg=\"%s\"", (long long)s->job.id, wy_err_name(rc),
			 wy_err_msg(&ei, rc));
	if (rc && rc != WY_ENOTFOUND) /* ENOTFOUND: claimed again, not ours */
		owe_failure(st, s, rc, &ei);
}

static bool all_waited_done(wy_store *st, const wy_worker_opts *o)
{
	for (int i = 0; i < o->nwait; i++) {
		wy_doc d;
		if (wy_store_doc_get(st, o->wait_ids[i], &d, NULL))
			continue;
		/* a ready scan with pages still to recognise is not done */
		bool pending = d.status == WY_DOC_QUEUED || d.status == WY_DOC_CONVERTING || d.status == WY_DOC_READABLE ||
			       (d.status == WY_DOC_READY && d.progress_total > 0);
		wy_doc_clear(&d);
		if (pending)
			return false;
	}
	return true;
}

/* After reading: is the slot's job over? Publish or fail it, hand an office
 * document on to the office converter, enforce deadlines and memory. */
static void check_job(const wy_config *cfg, wy_store *st, wy_blob_store *bs, slot *s, int lease, int64_t now)
{
	bool timed_out = now >= s->deadline_ms;
	publish_pages(cfg, st, s, now);
	/* a page being recognised is progress too: its lease must outlast
	 * the page's ocr_page_timeout */
	if ((s->got || s->ocr_pages) && now - s->last_progress_ms >= 500) {
		/* (a recognition job's only renews its lease: see the store) */
		wy_store_job_progress(st, &s->job, s->got, s->npages, lease, NULL);
		s->last_progress_ms = now;
	}
	if (s->office) {
		bool answered = (s->done || s->err) && !s->protocol_error;
		if (answered) {
			/* The converter lives on for the next job, unless it is due
			 * for replacement (a long-lived LibreOffice grows): known
			 * before the job's end is recorded, which counts it. */
			uint64_t rss = rss_of(s->conv.pid);
			bool big = rss > (uint64_t)cfg->convert_memory_mb << 20;
			if (big || s->conv.jobs >= cfg->office_recycle)
				s->restart = big ? "memory" : "recycle";
			finish_job(cfg, st, s, 0, false);
			if (big || s->conv.jobs >= cfg->office_recycle) {
				wy_log("office.recycle", "pid=%d jobs=%d rss_mb=%llu", (int)s->conv.pid, s->conv.jobs,
				       (unsigned long long)(rss >> 20));
				office_stop(&s->conv);
			}
			slot_reset(s);
			return;
		}
		uint64_t rss = rss_of(s->conv.pid);
		if (rss > (uint64_t)cfg->convert_memory_mb << 20) {
			s->over_memory = true;
			wy_warn("office.memory", "pid=%d rss_mb=%llu", (int)s->conv.pid, (unsigned long long)(rss >> 20));
		}
		if (!s->eof && !timed_out && !s->protocol_error && !s->over_memory)
			return;
		/* Dead, hung, bloated or babbling: the converter goes. */
		s->restart = s->over_memory ? "memory" : timed_out ? "timeout" : s->protocol_error ? "protocol" : "crash";
		int status = 0;
		wy_sandbox_kill(s->conv.pid);
		reap(s->conv.pid, &status, 0);
		close(s->conv.out_fd);
		close(s->conv.req_fd);
		s->conv.pid = 0;
		office_stop(&s->conv);
		finish_job(cfg, st, s, status, timed_out && !s->done);
		slot_reset(s);
		return;
	}
	if (s->protocol_error || timed_out)
		wy_sandbox_kill(s->pid);
	if (!s->eof && !timed_out && !s->protocol_error)
		return;
	int status = 0;
	pid_t w = reap(s->pid, &status, (timed_out || s->protocol_error) ? 0 : WNOHANG);
	if (w == 0)
		return; /* pipe closed, process not reaped yet */
	if (!s->eof)
		read_child(s, bs, cfg->max_pages);
	close(s->fd);
	s->fd = -1;
	if (s->office_format && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !s->protocol_error && !timed_out) {
		wy_errinfo ei = {0};
		int rc = office_dispatch(cfg, bs, s, &ei);
		if (rc == WY_OK)
			return;
		wy_tally t;
		tally_job(s, &t, "failed");
		wy_store_job_fail(st, &s->job, s->office_format, wy_err_msg(&ei, rc), NULL);
		wy_error("office.dispatch", "job=%lld msg=\"%s\"", (long long)s->job.id, wy_err_msg(&ei, rc));
		slot_reset(s);
		return;
	}
	finish_job(cfg, st, s, status, timed_out && !s->done);
	slot_reset(s);
}

/* check_job, with the job's request id on the lines it logs. */
static void check_slot(const wy_config *cfg, wy_store *st, wy_blob_store *bs, slot *s, int lease, int64_t now)
{
	wy_log_set_req(s->job.request_id);
	check_job(cfg, st, bs, s, lease, now);
	wy_log_set_req(NULL);
}

/* Claim a job into s; the lines logged about it from here carry its
 * request's id (a converter it starts keeps it) until it has started. */
static int claim_job(wy_store *st, const char *name, int lease, const wy_config *cfg, slot *s, wy_errinfo *ei)
{
	wy_log_set_req(NULL);
	int rc = wy_store_job_claim(st, name, lease, cfg->retries, &s->job, ei);
	if (!rc)
		wy_log_set_req(s->job.request_id);
	return rc;
}

/* A claimed job whose conversion could not start (the original is
 * missing, no process could start): failed, so that it can be retried. */
static void fail_unstarted(wy_store *st, slot *s, int rc, const wy_errinfo *ei)
{
	wy_tally t;
	tally_job(s, &t, "failed");
	wy_store_job_fail(st, &s->job, NULL, wy_err_msg(ei, rc), NULL);
	wy_error("job.start_failed", "job=%lld msg=\"%s\"", (long long)s->job.id, wy_err_msg(ei, rc));
	wy_log_set_req(NULL);
}

/* SIGHUP: the settings as the file and the environment give them now
 * (wy_config_update says which a reload cannot change); office converters
 * started with the old ones are replaced before their next job. */
static void reload_settings(wy_config *live, slot *slots, int nslots)
{
	wy_notify_reloading();
	wy_config *fresh = wy_xmalloc(sizeof *fresh);
	wy_errinfo ei = {0};
	int rc = wy_config_reread(live, fresh, &ei), changed = 0;
	if (rc)
		wy_error("worker.reload_failed", "msg=\"%s\" settings=unchanged", wy_err_msg(&ei, rc));
	else
		changed = wy_config_update(live, fresh);
	for (int i = 0; changed && i < nslots; i++)
		slots[i].conv.stale = slots[i].conv.pid > 0;
	if (!rc)
		wy_log("worker.reload", "file=%s changed=%d", fresh->file[0] ? fresh->file : "none", changed);
	free(fresh);
	wy_notify_ready("converting");
}

int wy_worker_run(const wy_config *cfg_in, wy_store *st, wy_blob_store *bs, const wy_worker_opts *o, wy_errinfo *ei)
{
	/* the settings in force: a reload changes this copy only */
	wy_config *live = wy_xmalloc(sizeof *live);
	*live = *cfg_in;
	const wy_config *cfg = live;
	int nslots = cfg->workers > 0 ? cfg->workers : wy_ncpu();
	slot *slots = wy_xcalloc((size_t)nslots, sizeof *slots);
	for (int i = 0; i < nslots; i++)
		slots[i].fd = -1;
	/* office_prestart: a worker that runs until stopped keeps a loaded
	 * converter in every idle slot, started now and again after one is
	 * replaced (a failed start is tried again a minute later); one that
	 * converts a few documents and returns starts them on demand. */
	bool long_running = !(o && (o->nwait || o->until_idle));
	int64_t *prestart_at = wy_xcalloc((size_t)nslots, sizeof *prestart_at);
	int lease = cfg->convert_timeout + 60, rc = WY_OK;
	int64_t next_claim_ms = 0, next_tick_ms = 0, next_recover_ms = 0, next_record_ms = 0;
	char name[320];
	lease_holder(o && o->name ? o->name : "worker", name, sizeof name);
	stop_requested = 0;
	reload_requested = 0;
	signal(SIGPIPE, SIG_IGN); /* a dead converter must not take the worker along */
	/* No Tesseract here: a converter is a fresh image that loads its own
	 * (confine_converter; an office converter may read /usr). */
	wy_log("worker.start", "name=%s slots=%d timeout=%d memory_mb=%d", name, nslots, cfg->convert_timeout,
	       cfg->convert_memory_mb);
	wy_notify_ready("converting");
	bool feeding = o && o->feed;
	for (;;) {
		/* the loop that claims, reads and reaps is going round */
		wy_notify_alive();
		if (feeding)
			next_claim_ms = 0; /* what the feed queued last turn */
		if (reload_requested) {
			reload_requested = 0;
			reload_settings(live, slots, nslots);
			lease = cfg->convert_timeout + 60;
		}
		int64_t now = wy_now_ms();
		int busy = 0;
		for (int i = 0; i < nslots; i++)
			busy += slots[i].busy;
		/* Fill free slots. When idle, look at the queue when the store
		 * wakes us (wy_store_job_wait: PostgreSQL's notifications) or
		 * every wy_store_job_poll_ms (SQLite: 4 times a second). */
		if (!stop_requested && busy < nslots && now >= next_claim_ms) {
			/* At start and every few seconds: jobs of workers that died
			 * here are taken up now, not when their leases run out. */
			if (now >= next_recover_ms) {
				recover_dead_leases(st);
				next_recover_ms = now + 5000;
			}
			if (nunrecorded && now >= next_record_ms) {
				record_unrecorded(st);
				next_record_ms = now + 1000;
			}
			for (int i = 0; i < nslots && busy < nslots; i++) {
				if (slots[i].busy)
					continue;
				wy_errinfo cei = {0};
				int crc = claim_job(st, name, lease, cfg, &slots[i], &cei);
				if (crc == WY_EEMPTY) {
					next_claim_ms = now + wy_store_job_poll_ms(st);
					break;
				}
				if (crc) {
					wy_warn("worker.claim", "code=%s msg=\"%s\"", wy_err_name(crc), wy_err_msg(&cei, crc));
					next_claim_ms = now + 1000;
					break;
				}
				wy_log("job.start", "job=%lld doc=%lld attempt=%d ocr_from=%d resume_from=%d",
				       (long long)slots[i].job.id, (long long)slots[i].job.doc_id, slots[i].job.attempt,
				       slots[i].job.ocr_from, slots[i].job.resume_from);
				if ((slots[i].job.ocr_from && (crc = prepare_recognition(st, &slots[i], &cei))) ||
				    (crc = start_job(cfg, bs, &slots[i], &cei))) {
					/* The original is missing or no process could start:
					 * fail this job (it can be retried) and go on. */
					fail_unstarted(st, &slots[i], crc, &cei);
					slot_reset(&slots[i]);
					continue;
				}
				slots[i].busy = true;
				busy++;
				wy_log_set_req(NULL);
			}
		}
		if (feeding && !stop_requested && !o->feed(o->tick_ctx, st)) {
			feeding = false;
			next_claim_ms = 0; /* looked for once more: the last turn may have queued some */
		}
		if (o && o->tick && now >= next_tick_ms) {
			o->tick(o->tick_ctx, st);
			next_tick_ms = now + 200;
		}
		if (busy == 0) {
			if (stop_requested)
				break;
			if (o && o->nwait && all_waited_done(st, o))
				break;
			if (o && o->until_idle && !o->nwait && !feeding && now < next_claim_ms)
				break;
		}
		if (stop_requested) {
			for (int i = 0; i < nslots; i++) {
				if (!slots[i].busy)
					continue;
				if (slots[i].office) {
					office_stop(&slots[i].conv);
				} else {
					wy_sandbox_kill(slots[i].pid);
					reap(slots[i].pid, NULL, 0);
					close(slots[i].fd);
				}
				wy_store_job_release(st, &slots[i].job, NULL);
				wy_log("job.released", "job=%lld", (long long)slots[i].job.id);
				slot_reset(&slots[i]);
			}
			break;
		}
		/* Idle slots without an office converter start one (above). */
		for (int i = 0; long_running && cfg->office_prestart && i < nslots; i++) {
			if (slots[i].busy || slots[i].conv.pid > 0 || now < prestart_at[i])
				continue;
			wy_errinfo pei = {0};
			int prc = access(cfg->office_path, X_OK) ? WY_EIO : office_ensure(cfg, &slots[i].conv, true, &pei);
			if (prc) {
				if (!prestart_at[i]) /* said once */
					wy_warn("office.prestart", "slot=%d code=%s msg=\"%s\"", i, wy_err_name(prc),
						pei.msg[0] ? wy_err_msg(&pei, prc) : "no LibreOffice at office_path");
				prestart_at[i] = now + 60000;
			}
		}
		/* Wait for output from any child, a deadline, or the next claim. */
		struct pollfd pfd[256];
		int map[256], n = 0;
		int64_t wake = feeding ? now : now + 200;
		for (int i = 0; i < nslots && n < 256; i++) {
			if (!slots[i].busy)
				continue;
			if (!slots[i].eof) {
				pfd[n].fd = slots[i].fd;
				pfd[n].events = POLLIN;
				map[n++] = i;
			}
			if (slots[i].deadline_ms < wake)
				wake = slots[i].deadline_ms;
			/* a child that closed its pipe is exiting: reap it (and hand
			 * an office document on) within milliseconds, not at the
			 * next 200 ms tick */
			if (slots[i].eof && !slots[i].office && now + 2 < wake)
				wake = now + 2;
		}
		int timeout = (int)(wake - now);
		if (timeout < 0)
			timeout = 0;
		/* ... or for the store to say a job was queued (any process) */
		int pr = 0;
		bool work = false;
		wy_errinfo wei = {0};
		int wrc = wy_store_job_wait(st, pfd, n, timeout, &pr, &work, &wei);
		if (wrc && !rc) {
			/* Stop as on a signal: children killed, jobs released. */
			rc = wy_err_set(ei, wrc, "%s", wy_err_msg(&wei, wrc));
			stop_requested = 1;
			continue;
		}
		if (work)
			next_claim_ms = 0;
		for (int k = 0; pr > 0 && k < n; k++)
			if (pfd[k].revents)
				read_child(&slots[map[k]], bs, cfg->max_pages);
		now = wy_now_ms();
		for (int i = 0; i < nslots; i++)
			if (slots[i].busy)
				check_slot(cfg, st, bs, &slots[i], lease, now);
	}
	wy_notify_stopping("stopped: jobs handed back");
	for (int i = 0; i < nslots; i++)
		office_stop(&slots[i].conv);
	if (nunrecorded)
		record_unrecorded(st);
	free(slots);
	free(prestart_at);
	free(live);
	wy_log("worker.stop", "name=%s", name);
	return rc;
}
