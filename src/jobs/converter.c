/* jobs/converter: the converter processes (converter.h says which). Their
 * parameters arrive as bytes the new image checks before it trusts them;
 * they send records to the worker on one pipe and, for an office
 * converter, read requests on another. */
#include "jobs/converter.h"
#include "jobs/worker.h"
#include "convert/ocr.h"
#include "convert/office.h"
#include "core/log.h"
#include "core/util.h"
#include "text/boxes.h"
#include "text/outline.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A record whose payload is p then p2 (n2 bytes; may be 0). */
static int send_rec2(int fd, char type, const void *p, size_t n, const void *p2, size_t n2)
{
	size_t t = n + n2;
	unsigned char h[5] = {(unsigned char)type, (unsigned char)t, (unsigned char)(t >> 8),
			      (unsigned char)(t >> 16), (unsigned char)(t >> 24)};
	if (wy_write_all(fd, h, 5) || (n && wy_write_all(fd, p, n)) || (n2 && wy_write_all(fd, p2, n2)))
		return WY_EIO;
	return WY_OK;
}

int conv_send_rec(int fd, char type, const void *p, size_t n) { return send_rec2(fd, type, p, n, NULL, 0); }

/* The child writes no files: each image goes to the parent, which stores
 * it and checks that its name is the hash of its bytes. */
static int sink_image(void *c, const void *webp, size_t len, char sha[65])
{
	if (len > BLOB_MAX - 64)
		return WY_ETOOBIG;
	wy_sha256_hex(webp, len, sha);
	return send_rec2(((child_ctx *)c)->fd, REC_BLOB, sha, 64, webp, len);
}

static int sink_format(void *c, const char *format)
{
	if (((child_ctx *)c)->drop_format)
		return WY_OK;
	return conv_send_rec(((child_ctx *)c)->fd, REC_FORMAT, format, strlen(format));
}

static int sink_count(void *c, int n)
{
	if (((child_ctx *)c)->count_as)
		n = ((child_ctx *)c)->count_as;
	char b[16];
	int k = snprintf(b, sizeof b, "%d", n);
	int rc = conv_send_rec(((child_ctx *)c)->fd, REC_COUNT, b, (size_t)k);
	if (!rc && ((child_ctx *)c)->fault == 4) {
		/* an entry past the last page: the parent must notice */
		k = snprintf(b, sizeof b, "%d 0 x\n", n + 1);
		rc = conv_send_rec(((child_ctx *)c)->fd, REC_OUTLINE, b, (size_t)k);
	}
	return rc;
}

static int sink_meta(void *c, const char *title, const char *author)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, title ? title : "");
	wy_buf_putc(&b, 0);
	wy_buf_puts(&b, author ? author : "");
	int rc = conv_send_rec(((child_ctx *)c)->fd, REC_META, b.data, b.len);
	wy_buf_free(&b);
	return rc;
}

static int sink_thumb(void *c, const char *sha)
{
	return conv_send_rec(((child_ctx *)c)->fd, REC_THUMB, sha, strlen(sha));
}

/* A page record: "NO WIDTH HEIGHT SHA BOXES_LEN\n", the boxes, the text.
 * Boxes are left out (BOXES_LEN 0) when they would make the record longer
 * than REC_MAX or the document's boxes more than BOXES_MAX, the limits the
 * parent holds the child to: the text is what matters, marks on the page
 * image are a help. */
static int sink_page(void *c, int page_no, const char *sha, int w, int h, const char *text,
		     const unsigned char *boxes, size_t boxes_len)
{
	child_ctx *cc = c;
	size_t tlen = strlen(text);
	if (boxes_len > BOXES_MAX - cc->boxes_sent || boxes_len + tlen + 256 > REC_MAX) {
		wy_warn("convert.boxes_dropped", "page=%d boxes=%zu text=%zu", page_no, boxes_len, tlen);
		boxes_len = 0;
	}
	cc->boxes_sent += boxes_len;
	if (cc->fault == 3 && boxes_len)
		boxes_len -= WY_BOX_SIZE; /* one box short of the text: the parent must notice */
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_printf(&b, "%d %d %d %s %zu\n", page_no, w, h, sha, boxes_len);
	wy_buf_append(&b, boxes, boxes_len);
	wy_buf_append(&b, text, tlen);
	int rc = conv_send_rec(cc->fd, REC_PAGE, b.data, b.len);
	wy_buf_free(&b);
	cc->last_sent = page_no;
	while (!rc && cc->pause_after == page_no)
		pause();
	return rc;
}

/* OCR takes seconds a page: the parent gives the job more time for each
 * page recognised (ocr_page_timeout). */
static int sink_ocr(void *c, int page_no)
{
	char b[16];
	int k = snprintf(b, sizeof b, "%d", page_no);
	return conv_send_rec(((child_ctx *)c)->fd, REC_OCR, b, (size_t)k);
}

/* The batch of pages to recognise is full (ocr_batch): the rest, from
 * page_no on, is recognised by the next job of the document. */
static int sink_ocr_later(void *c, int page_no)
{
	char b[16];
	int k = snprintf(b, sizeof b, "%d", page_no);
	return conv_send_rec(((child_ctx *)c)->fd, REC_OCR_LATER, b, (size_t)k);
}

/* The outline: one record (at most WY_OUTLINE_MAX lines of a title of at
 * most WY_OUTLINE_TITLE_MAX bytes: far below REC_MAX). */
static int sink_outline(void *c, const wy_outline *outline)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_outline_encode(outline, &b);
	int rc = conv_send_rec(((child_ctx *)c)->fd, REC_OUTLINE, b.data, b.len);
	wy_buf_free(&b);
	return rc;
}

static void send_error(int fd, int rc, const wy_errinfo *ei)
{
	char msg[300];
	int n = snprintf(msg, sizeof msg, "%d %s", rc, wy_err_msg(ei, rc));
	conv_send_rec(fd, REC_ERROR, msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
}

/* What a converter may open once confined: the per-job child nothing but
 * glibc's charset modules (iconv loads them when a text file needs one)
 * and Tesseract's language models (loaded at the first page to recognise);
 * the office converter what LibreOffice reads of the system, and its own
 * directory, where the parent copies each original. Neither may read the
 * data directory, other documents, /home, /root or /tmp. */
#ifndef WY_GCONV_DIR
#define WY_GCONV_DIR "/usr/lib/gconv"
#endif

static void confine(child_ctx *c, const wy_sandbox_fs *fs)
{
	wy_errinfo ei = {0};
	int rc = wy_sandbox_confine(fs, &ei);
	c->opts.confined = rc == WY_OK;
	if (rc)
		wy_warn("sandbox.unconfined", "msg=\"%s\"", wy_err_msg(&ei, rc));
}

/* The per-job child: open the original, give up root, then confine.
 * Returns non-zero (the job fails with the reason) when the original
 * cannot be opened or root cannot be given up; a kernel without Landlock
 * leaves opts.confined false instead (render.c then refuses the formats
 * that read the filesystem). */
static int confine_converter(child_ctx *c, wy_errinfo *ei)
{
	c->in_fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (c->in_fd < 0)
		return wy_err_set(ei, WY_EIO, "cannot open the original: %s", strerror(errno));
	/* What this format needs from the filesystem (libmobi) is opened now. */
	wy_convert_preload_fd(c->in_fd);
	/* So is Tesseract's library, which a confined process could not open:
	 * a fresh image has no copy of the worker's (wy_worker_run). */
	if (c->opts.ocr)
		wy_ocr_preload();
	/* Nothing else to open: the child need not be root either. */
	int rc = wy_sandbox_drop_root(ei);
	if (rc)
		return rc;
	const char *gconv = getenv("GCONV_PATH");
#ifdef WY_TESSDATA_DIR
	const char *read[] = {WY_GCONV_DIR, WY_TESSDATA_DIR, gconv && *gconv == '/' ? gconv : NULL, NULL};
#else
	const char *read[] = {WY_GCONV_DIR, gconv && *gconv == '/' ? gconv : NULL, NULL};
#endif
	wy_sandbox_fs fs = {.read = read};
	confine(c, &fs);
	return WY_OK;
}

static void confine_office(child_ctx *c)
{
	/* LibreOffice stays the worker's user (see docs/reliability.md), but
	 * keeps no capability: root's are what would open raw disks. */
	wy_errinfo ei = {0};
	int rc = wy_sandbox_drop_caps(&ei);
	if (rc)
		wy_warn("sandbox.caps", "msg=\"%s\"", wy_err_msg(&ei, rc));
	const char *read[] = {"/usr", "/etc/fonts", "/etc/ld.so.cache", "/etc/passwd", "/etc/group",
			      "/etc/nsswitch.conf", "/etc/localtime", "/etc/libreoffice", "/etc/ssl/certs",
			      "/var/cache/fontconfig", "/var/lib/libreoffice", "/var/spool/libreoffice", "/proc/self",
			      "/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/sys/devices/system/cpu",
			      c->office_path, NULL};
	const char *write[] = {c->workdir, NULL};
	const char *devices[] = {"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", NULL};
	wy_sandbox_fs fs = {.read = read, .write = write, .devices = devices};
	confine(c, &fs);
}

/* The per-job converter: MuPDF formats and text. An office document is
 * handed back (REC_OFFICE) for the slot's office converter. */
static int child_main(void *arg, int fd, int in_fd)
{
	child_ctx *c = arg;
	(void)in_fd;
	c->fd = fd;
	if (c->fault == 1)
		abort();
	while (c->fault == 2)
		pause();
	wy_convert_sink sink = {c, sink_image, sink_format, sink_count, sink_page, sink_thumb, sink_meta, sink_ocr,
				 sink_ocr_later, sink_outline};
	wy_errinfo ei = {0};
	int rc = confine_converter(c, &ei);
	if (!rc)
		rc = wy_convert_fd(c->in_fd, &c->opts, &sink, &ei);
	if (rc == WY_EOFFICE)
		conv_send_rec(fd, REC_OFFICE, ei.msg, strlen(ei.msg));
	else if (rc)
		send_error(fd, rc, &ei);
	else
		conv_send_rec(fd, REC_DONE, NULL, 0);
	return 0;
}

/* Read one request record (blocking). Returns false at EOF or on a bad one.
 * *first_page: where a resumed conversion starts (0: at the start). */
static bool read_request(int fd, char **format, char **path, int *first_page)
{
	unsigned char h[5];
	size_t got;
	if (wy_read_full(fd, h, 5, &got) || got != 5 || h[0] != REC_REQUEST)
		return false;
	uint32_t n = (uint32_t)h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16 | (uint32_t)h[4] << 24;
	if (n > 8192)
		return false;
	char *b = wy_xmalloc(n + 1);
	if (wy_read_full(fd, b, n, &got) || got != n) {
		free(b);
		return false;
	}
	b[n] = 0;
	size_t k = strlen(b);
	if (k >= n) {
		free(b);
		return false;
	}
	*format = wy_xstrdup(b);
	*path = wy_xstrdup(b + k + 1);
	size_t k2 = k + 1 + strlen(b + k + 1);
	*first_page = k2 < n ? atoi(b + k2 + 1) : 0;
	free(b);
	return true;
}

/* The first pages first (wy_office_first): LibreOffice has exported them
 * to c->first_pdf; they go through the page pipeline now, sent as pages of
 * a document of `laid_out` pages, with the thumbnail and no outline (the
 * whole export's comes with its count, which is the one that holds). */
static int office_first_ready(void *arg, int laid_out, wy_errinfo *ei)
{
	child_ctx *c = arg;
	wy_convert_sink sink = {c, sink_image, sink_format, sink_count, sink_page, sink_thumb, sink_meta, sink_ocr,
				 NULL, NULL};
	c->count_as = laid_out < c->opts.max_pages ? laid_out : c->opts.max_pages;
	int pfd = open(c->first_pdf, O_RDONLY | O_CLOEXEC);
	int rc = pfd < 0 ? wy_err_set(ei, WY_EIO, "the office converter made no PDF of the first pages")
			 : wy_convert_fd(pfd, &c->opts, &sink, ei);
	if (pfd >= 0)
		close(pfd);
	unlink(c->first_pdf);
	c->count_as = 0;
	return rc;
}

/* The office converter: a long-lived process that loads LibreOffice once and
 * then, per request, exports the document to PDF in its private directory
 * and runs that PDF through the page pipeline, answering with the same
 * records as a per-job child. It refuses to work with network access unless
 * allow_network says so: LibreOffice fetches what documents link to. */
static int office_main(void *arg, int fd, int in_fd)
{
	child_ctx *c = arg;
	c->fd = fd;
	char *format, *path;
	bool started = false;
	char *pdf = wy_xasprintf("%s/out.pdf", c->workdir), *first_pdf = wy_xasprintf("%s/first.pdf", c->workdir);
	c->first_pdf = first_pdf;
	confine_office(c);
	/* Started ahead of any document (office_prestart): LibreOffice loads
	 * now, and a one-line document goes through Writer and the PDF export,
	 * so the first upload finds it ready. A request sent meanwhile waits
	 * in the pipe. Without a network namespace it waits for a request,
	 * which is then refused as below. */
	if (c->prestart && (wy_sandbox_network_isolated() || c->allow_network)) {
		wy_errinfo ei = {0};
		int64_t t0 = wy_now_ms();
		int rc = wy_office_start(c->office_path, c->workdir, &ei);
		started = rc == WY_OK;
		/* a document already waiting warms it up itself */
		struct pollfd waiting = {.fd = in_fd, .events = POLLIN};
		if (!rc && poll(&waiting, 1, 0) == 0)
			rc = wy_office_warm(c->workdir, &ei);
		if (rc)
			wy_warn("office.prestart", "code=%s msg=\"%s\"", wy_err_name(rc), wy_err_msg(&ei, rc));
		else
			wy_log("office.ready", "ms=%lld", (long long)(wy_now_ms() - t0));
	}
	while (read_request(in_fd, &format, &path, &c->opts.first_page)) {
		wy_errinfo ei = {0};
		int rc = WY_OK;
		conv_send_rec(fd, REC_FORMAT, format, strlen(format));
		if (c->fault == 1)
			abort();
		if (!wy_sandbox_network_isolated() && !c->allow_network)
			rc = wy_err_set(&ei, WY_EIO, "the office converter cannot be cut off from the network here "
						     "(no network namespace); set allow_network=1 to convert anyway");
		if (!rc && !started) {
			rc = wy_office_start(c->office_path, c->workdir, &ei);
			started = rc == WY_OK;
		}
		c->drop_format = true;
		c->boxes_sent = 0;
		c->last_sent = 0;
		/* a long text document's first pages first, unless resumed */
		wy_office_first first = {10, c->office_first_pages, first_pdf, office_first_ready, c};
		bool firsts = c->office_first_pages > 0 && c->opts.first_page <= 1;
		if (!rc)
			rc = wy_office_to_pdf2(path, pdf, firsts ? &first : NULL, &ei);
		c->drop_format = false;
		if (!rc) {
			/* no ocr_later: an office document's PDF lives only
			 * here, so its scanned pages are all recognised now */
			wy_convert_sink sink = {c, sink_image, sink_format, sink_count, sink_page, sink_thumb, sink_meta, sink_ocr,
				 NULL, sink_outline};
			c->drop_format = true;
			/* from the page after those sent first (if any) */
			int first_page = c->opts.first_page;
			if (c->last_sent)
				c->opts.first_page = c->last_sent + 1;
			/* the page pipeline's share of the job (LibreOffice's is
			 * office.pdf's): wall and CPU milliseconds */
			int64_t t0 = wy_now_ms();
			struct timespec c0, c1;
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
			int pfd = open(pdf, O_RDONLY | O_CLOEXEC);
			rc = pfd < 0 ? wy_err_set(&ei, WY_EIO, "the office converter made no PDF")
				     : wy_convert_fd(pfd, &c->opts, &sink, &ei);
			if (pfd >= 0)
				close(pfd);
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
			wy_log("office.pages", "ms=%lld cpu_ms=%lld", (long long)(wy_now_ms() - t0),
			       (long long)((c1.tv_sec - c0.tv_sec) * 1000 + (c1.tv_nsec - c0.tv_nsec) / 1000000));
			c->drop_format = false;
			c->opts.first_page = first_page;
		}
		unlink(pdf);
		unlink(first_pdf);
		unlink(path); /* the parent's copy of the original */
		if (rc)
			send_error(fd, rc, &ei);
		else
			conv_send_rec(fd, REC_DONE, NULL, 0);
		free(format);
		free(path);
	}
	free(pdf);
	free(first_pdf);
	/* LibreOffice's own teardown is slow and may hang on a damaged
	 * document's leftovers: the process simply ends. */
	_exit(0);
}

/* ---- handing a converter its parameters ----------------------------------
 * A converter is a fresh image of the program (wy_sandbox_spawn_exec): what
 * child_ctx carries travels to it as bytes, written here and read back in
 * the new image by wy_worker_child_entry. The layout: a version byte, the
 * kind ('C' a per-job converter, 'O' an office converter), then the fields
 * in the order of child_params_put, each integer 8 bytes little-endian
 * (signed), each string a 4-byte little-endian length (0xffffffff for
 * NULL) and its bytes, without a NUL. The reader takes nothing on trust:
 * a length past the end, a NUL inside a string, an integer out of its
 * range, a byte left over all reject the whole. */
#define PARAMS_VERSION 1
#define PARAMS_NULL 0xffffffffu

static void put_int(wy_buf *b, int64_t v)
{
	unsigned char x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (unsigned char)((uint64_t)v >> (8 * i));
	wy_buf_append(b, x, 8);
}

static void put_str(wy_buf *b, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : PARAMS_NULL;
	unsigned char x[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
			      (unsigned char)(n >> 24)};
	wy_buf_append(b, x, 4);
	if (s)
		wy_buf_append(b, s, n);
}

typedef struct params_in {
	const unsigned char *p;
	size_t left;
	bool bad;
} params_in;

static int64_t get_int(params_in *in, int64_t lo, int64_t hi)
{
	if (in->bad || in->left < 8) {
		in->bad = true;
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)in->p[i] << (8 * i);
	in->p += 8;
	in->left -= 8;
	int64_t s = (int64_t)v;
	if (s < lo || s > hi) {
		in->bad = true;
		return 0;
	}
	return s;
}

/* A new string (NULL for a NULL one, or on bad input). */
static char *get_str(params_in *in)
{
	if (in->bad || in->left < 4) {
		in->bad = true;
		return NULL;
	}
	uint32_t n = (uint32_t)in->p[0] | (uint32_t)in->p[1] << 8 | (uint32_t)in->p[2] << 16 | (uint32_t)in->p[3] << 24;
	in->p += 4;
	in->left -= 4;
	if (n == PARAMS_NULL)
		return NULL;
	if (n > in->left || memchr(in->p, 0, n)) {
		in->bad = true;
		return NULL;
	}
	char *s = wy_xmalloc((size_t)n + 1);
	memcpy(s, in->p, n);
	s[n] = 0;
	in->p += n;
	in->left -= n;
	return s;
}

/* What a converter is told: the child_ctx fields set before the spawn,
 * the conversion options, and the log's level, format and request. */
static void child_params_put(wy_buf *b, char kind, const child_ctx *c)
{
	const wy_convert_opts *o = &c->opts;
	wy_buf_putc(b, PARAMS_VERSION);
	wy_buf_putc(b, kind);
	put_int(b, c->fault);
	put_int(b, c->pause_after);
	put_int(b, c->prestart);
	put_int(b, c->allow_network);
	put_int(b, c->office_first_pages);
	put_str(b, c->path);
	put_str(b, c->office_path);
	put_str(b, c->workdir);
	put_int(b, o->page_width);
	put_int(b, o->thumb_width);
	put_int(b, o->webp_quality);
	put_int(b, o->max_pages);
	put_int(b, (int64_t)o->max_text);
	put_int(b, (int64_t)o->max_page_text);
	put_int(b, (int64_t)o->max_doc_text);
	put_int(b, (int64_t)o->max_page_boxes);
	put_int(b, o->ocr);
	put_str(b, o->ocr_languages);
	put_int(b, o->ocr_batch);
	put_int(b, o->ocr_from);
	put_int(b, o->ocr_to);
	put_int(b, o->first_page);
	put_str(b, o->name_hint);
	put_int(b, wy_log_level());
	put_int(b, wy_log_format());
	put_str(b, wy_log_req());
}

/* The reverse, into a zeroed c (its strings allocated, for the process's
 * life); false on any malformed input. */
static bool child_params_get(const void *data, size_t len, char *kind, child_ctx *c)
{
	params_in in = {data, len, false};
	const int64_t imax = 0x7fffffff;
	if (len < 2 || in.p[0] != PARAMS_VERSION || (in.p[1] != 'C' && in.p[1] != 'O'))
		return false;
	*kind = (char)in.p[1];
	in.p += 2;
	in.left -= 2;
	wy_convert_opts *o = &c->opts;
	c->fault = (int)get_int(&in, 0, 4);
	c->pause_after = (int)get_int(&in, 0, imax);
	c->prestart = get_int(&in, 0, 1);
	c->allow_network = get_int(&in, 0, 1);
	c->office_first_pages = (int)get_int(&in, 0, imax);
	c->path = get_str(&in);
	c->office_path = get_str(&in);
	c->workdir = get_str(&in);
	o->page_width = (int)get_int(&in, 0, imax);
	o->thumb_width = (int)get_int(&in, 0, imax);
	o->webp_quality = (int)get_int(&in, 0, 100);
	o->max_pages = (int)get_int(&in, 0, imax);
	o->max_text = (size_t)get_int(&in, 0, INT64_MAX);
	o->max_page_text = (size_t)get_int(&in, 0, INT64_MAX);
	o->max_doc_text = (size_t)get_int(&in, 0, INT64_MAX);
	o->max_page_boxes = (size_t)get_int(&in, 0, INT64_MAX);
	o->ocr = get_int(&in, 0, 1);
	o->ocr_languages = get_str(&in);
	o->ocr_batch = (int)get_int(&in, 0, imax);
	o->ocr_from = (int)get_int(&in, 0, imax);
	o->ocr_to = (int)get_int(&in, 0, imax);
	o->first_page = (int)get_int(&in, 0, imax);
	o->name_hint = get_str(&in);
	int level = (int)get_int(&in, WY_LOG_DEBUG, WY_LOG_QUIET);
	int format = (int)get_int(&in, WY_LOG_KV, WY_LOG_JSON);
	char *req = get_str(&in);
	bool ok = !in.bad && in.left == 0 && (*kind != 'C' || c->path) && (*kind != 'O' || (c->office_path && c->workdir));
	if (ok) {
		wy_log_set_level(level);
		wy_log_set_format(format);
		wy_log_set_req(req && *req ? req : NULL);
	}
	free(req);
	return ok;
}

/* Start a converter of this kind ('C' child_main, 'O' office_main) as a
 * fresh image of the program. */
int conv_spawn(const wy_sandbox_limits *lim, char kind, const child_ctx *c, pid_t *pid, int *out_fd, int *req_fd,
	       wy_errinfo *ei)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	child_params_put(&b, kind, c);
	int rc = wy_sandbox_spawn_exec(lim, kind == 'O' ? "wy-office" : "wy-convert", b.data, b.len, pid, out_fd,
				       req_fd, ei);
	wy_buf_free(&b);
	return rc;
}

void wy_worker_child_entry(int argc, char **argv)
{
	const char *name;
	void *params;
	size_t len;
	int out_fd, in_fd;
	if (!wy_sandbox_exec_child(argc, argv, &name, &params, &len, &out_fd, &in_fd))
		return;
	child_ctx c;
	memset(&c, 0, sizeof c);
	c.in_fd = -1;
	char kind = 0;
	bool ok = child_params_get(params, len, &kind, &c);
	free(params);
	if (!ok) {
		send_error(out_fd, WY_EIO, &(wy_errinfo){.msg = "the converter's parameters are malformed"});
		_exit(WY_SANDBOX_EXIT_PARAMS);
	}
	(void)name;
	int rc = kind == 'O' ? office_main(&c, out_fd, in_fd) : child_main(&c, out_fd, in_fd);
	_exit(rc & 0xff);
}
