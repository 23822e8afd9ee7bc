/* Sandbox tests: a converted document may only read resources from inside
 * its own container, and a converter process can read nothing of the
 * machine's files at all.
 *
 * The attack (issue 12): an uploaded HTML file with
 * <img src="../../../../PATH/TO/SOME.png"> was laid out by MuPDF, which
 * resolved the path on the server's filesystem and drew the server's image
 * into the page image anyone can fetch. Here files at known paths outside
 * the converter's directory (a red image, an SVG with red text, a red
 * stylesheet, an XHTML and a text file with a marker word) are referenced
 * by relative, absolute, file:// and percent-encoded paths from HTML, XHTML,
 * FB2 and EPUB documents converted by the real worker, and no page image
 * may hold red, no page text the marker. Controls prove the checks can
 * fail: red that the document carries itself (a data: URI, an image inside
 * the EPUB) is seen. */
#include "blob/blob.h"
#include "convert/sandbox.h"
#include "core/config.h"
#include "core/util.h"
#include "jobs/worker.h"
#include "store/store.h"
#include "test.h"
#include "testenv.h"
#include "testdoc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sodium.h>
#include <webp/decode.h>

#define MARK "WYSECRETMARK"

static char secret[600]; /* the directory of the files no document may read */

static void put_file(const char *dir, const char *name, const char *content)
{
	char *p = wy_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f || fputs(content, f) < 0 || fclose(f))
		abort();
	free(p);
}

/* A 64x64 all-red image as ASCII PPM (MuPDF reads PNM): text, so the
 * helpers that write strings can carry it into a ZIP too. */
static char *red_ppm(void)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	wy_buf_puts(&b, "P3\n64 64\n255\n");
	for (int i = 0; i < 64 * 64; i++)
		wy_buf_puts(&b, "255 0 0\n");
	return b.data;
}

/* The same image as PNG, made with MuPDF; *len gets its size. */
static unsigned char *red_png(size_t *len)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	unsigned char *out = NULL;
	fz_try(ctx)
	{
		fz_pixmap *pix = fz_new_pixmap(ctx, fz_device_rgb(ctx), 64, 64, NULL, 0);
		unsigned char *px = fz_pixmap_samples(ctx, pix);
		for (int i = 0; i < 64 * 64; i++)
			px[3 * i] = 255, px[3 * i + 1] = 0, px[3 * i + 2] = 0;
		fz_buffer *b = fz_new_buffer_from_pixmap_as_png(ctx, pix, fz_default_color_params);
		unsigned char *data;
		*len = fz_buffer_storage(ctx, b, &data);
		out = malloc(*len);
		memcpy(out, data, *len);
		fz_drop_buffer(ctx, b);
		fz_drop_pixmap(ctx, pix);
	}
	fz_catch(ctx) abort();
	fz_drop_context(ctx);
	return out;
}

static const char *svg_red = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"200\">"
			     "<rect width=\"200\" height=\"200\" fill=\"#ff0000\"/>"
			     "<text x=\"10\" y=\"100\" fill=\"#ff0000\">" MARK "</text></svg>";

/* A library, and the secret files beside it. */
static void env_secret(env *e)
{
	env_open(e, "sandbox");
	snprintf(secret, sizeof secret, "%s/secret", e->dir);
	if (mkdir(secret, 0755))
		abort();
	char *ppm = red_ppm();
	put_file(secret, "secret.ppm", ppm);
	free(ppm);
	put_file(secret, "secret.svg", svg_red);
	size_t plen;
	unsigned char *png = red_png(&plen);
	char *pp = wy_xasprintf("%s/secret.png", secret);
	FILE *f = fopen(pp, "wb");
	if (!f || fwrite(png, 1, plen, f) != plen || fclose(f))
		abort();
	free(pp);
	free(png);
	put_file(secret, "secret.css", "body, p, div { background-color: #ff0000; color: #ff0000 }\n");
	put_file(secret, "secret.xhtml",
		 "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>" MARK "</p></body></html>");
	put_file(secret, "secret.txt", MARK "\n");
}

/* Every way a document may name a file of the secret directory: relative
 * from wherever the converter runs (enough ../ to reach / from any working
 * directory), absolute, file://, percent-encoded, and percent-encoded dots. */
static void refs(const char *name, char *out[6])
{
	wy_buf up, enc;
	wy_buf_init(&up, 0);
	wy_buf_init(&enc, 0);
	for (int i = 0; i < 40; i++) {
		wy_buf_puts(&up, "../");
		wy_buf_puts(&enc, "%2e%2e%2f");
	}
	const char *s = secret + 1; /* without its leading / */
	out[0] = wy_xasprintf("%s%s/%s", up.data, s, name);
	out[1] = wy_xasprintf("%s/%s", secret, name);
	out[2] = wy_xasprintf("file://%s/%s", secret, name);
	out[3] = wy_xasprintf("%s%s/%s", enc.data, s, name);
	wy_buf pe;
	wy_buf_init(&pe, 0);
	for (const char *c = secret; *c; c++)
		wy_buf_printf(&pe, *c == '/' ? "%%2F" : "%c", *c);
	out[4] = wy_xasprintf("%s%%2F%s", pe.data, name);
	out[5] = wy_xasprintf("..\\..\\..\\..\\..\\..\\..\\..\\..\\..%s/%s", secret, name);
	wy_buf_free(&pe);
	wy_buf_free(&up);
	wy_buf_free(&enc);
}

static void free_refs(char *r[6])
{
	for (int i = 0; i < 6; i++)
		free(r[i]);
}

/* The markup of every reference to the secret files: images, SVG,
 * stylesheets by <link> and @import. xml: self-closing tags. */
static void attack_markup(wy_buf *b)
{
	char *ppm[6], *png[6], *svg[6], *css[6];
	refs("secret.ppm", ppm);
	refs("secret.png", png);
	refs("secret.svg", svg);
	refs("secret.css", css);
	wy_buf_puts(b, "<style>");
	for (int i = 0; i < 6; i++)
		wy_buf_printf(b, "@import url(\"%s\");\n", css[i]);
	wy_buf_puts(b, "</style>");
	for (int i = 0; i < 6; i++)
		wy_buf_printf(b, "<link rel=\"stylesheet\" href=\"%s\"/>", css[i]);
	wy_buf_puts(b, "</head><body><p>sandbox test</p>");
	for (int i = 0; i < 6; i++)
		wy_buf_printf(b, "<p><img src=\"%s\"/><img src=\"%s\"/><img src=\"%s\"/></p>", ppm[i], png[i], svg[i]);
	free_refs(ppm);
	free_refs(png);
	free_refs(svg);
	free_refs(css);
}

/* Red pixels in a ready document's page images, and whether any page's
 * text holds the marker. */
static long red_pixels(env *e, int64_t id, bool *marked)
{
	wy_doc d;
	if (wy_store_doc_get(e->st, id, &d, NULL))
		abort();
	long red = 0;
	*marked = false;
	int pages = d.pages;
	if (d.status != WY_DOC_READY)
		printf("  doc %lld not ready: %s\n", (long long)id, d.reason ? d.reason : "");
	wy_doc_clear(&d);
	for (int i = 1; i <= pages; i++) {
		wy_page p;
		if (wy_store_page_get(e->st, id, i, &p, NULL))
			abort();
		if (p.text && strstr(p.text, MARK))
			*marked = true;
		int fd;
		uint64_t size;
		if (wy_blob_open_fd(e->bs, p.image_sha256, &fd, &size, NULL))
			abort();
		unsigned char *webp = malloc(size);
		size_t got;
		if (!webp || wy_read_full(fd, webp, size, &got) || got != size)
			abort();
		close(fd);
		int w, h;
		unsigned char *rgb = WebPDecodeRGB(webp, size, &w, &h);
		free(webp);
		if (!rgb)
			abort();
		for (long k = 0; k < (long)w * h; k++) {
			const unsigned char *px = rgb + 3 * k;
			red += px[0] > 200 && px[1] < 80 && px[2] < 80;
		}
		WebPFree(rgb);
		wy_page_clear(&p);
	}
	return red;
}

static int64_t add_str(env *e, const char *s, const char *name) { return add_doc(e, s, strlen(s), name); }

TEST(documents_read_nothing_outside_their_container)
{
	env e;
	env_secret(&e);
	/* The converter's working directory is that of the process that runs
	 * the worker: in the real site the data directory's parent or the
	 * user's home. Run it from the secret directory itself, the easiest
	 * case for an attacker: even bare names must not resolve. */
	char cwd[1024];
	ASSERT(getcwd(cwd, sizeof cwd));
	ASSERT_EQ(chdir(secret), 0);

	wy_buf html, xhtml, fb2;
	wy_buf_init(&html, 0);
	wy_buf_puts(&html, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/>");
	attack_markup(&html);
	wy_buf_puts(&html, "<p><img src=\"secret.ppm\"/><img src=\"secret.png\"/><img src=\"secret.svg\"/></p>"
			   "<link rel=\"stylesheet\" href=\"secret.css\"/></body></html>");

	wy_buf_init(&xhtml, 0);
	wy_buf_puts(&xhtml, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head>");
	attack_markup(&xhtml);
	wy_buf_puts(&xhtml, "</body></html>");

	char *ppm[6];
	refs("secret.ppm", ppm);
	wy_buf_init(&fb2, 0);
	wy_buf_puts(&fb2, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			  "<FictionBook xmlns=\"http://www.gribuser.ru/xml/fictionbook/2.0\" "
			  "xmlns:l=\"http://www.w3.org/1999/xlink\"><description><title-info><book-title>FB2"
			  "</book-title></title-info></description><body><section><p>sandbox test</p>");
	for (int i = 0; i < 6; i++)
		wy_buf_printf(&fb2, "<image l:href=\"%s\"/>", ppm[i]);
	wy_buf_puts(&fb2, "<image l:href=\"secret.ppm\"/></section></body></FictionBook>");

	/* EPUB: the inner chapter's images and stylesheets point outside, an
	 * inner SVG image points outside too; a second EPUB's spine names
	 * chapters outside the container (the secret XHTML, with its marker). */
	char *xh[6];
	refs("secret.xhtml", xh);
	wy_buf opf, ch;
	wy_buf_init(&opf, 0);
	wy_buf_puts(&opf, "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
			  "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>E</dc:title></metadata><manifest>"
			  "<item id=\"c\" href=\"ch.xhtml\" media-type=\"application/xhtml+xml\"/>");
	for (int i = 0; i < 6; i++)
		wy_buf_printf(&opf, "<item id=\"x%d\" href=\"%s\" media-type=\"application/xhtml+xml\"/>", i, xh[i]);
	wy_buf_puts(&opf, "</manifest><spine><itemref idref=\"c\"/>");
	for (int i = 0; i < 6; i++)
		wy_buf_printf(&opf, "<itemref idref=\"x%d\"/>", i);
	wy_buf_puts(&opf, "</spine></package>");
	const char *opf_inside = "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
				 "<metadata/><manifest><item id=\"c\" href=\"ch.xhtml\" media-type=\"application/xhtml+xml\"/>"
				 "<item id=\"s\" href=\"inner.svg\" media-type=\"image/svg+xml\"/>"
				 "</manifest><spine><itemref idref=\"c\"/></spine></package>";
	wy_buf_init(&ch, 0);
	wy_buf_puts(&ch, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head>");
	attack_markup(&ch);
	wy_buf_printf(&ch, "<p><img src=\"inner.svg\"/></p></body></html>");
	char *inner = wy_xasprintf("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
				   "width=\"100\" height=\"100\"><image width=\"100\" height=\"100\" xlink:href=\"%s\"/></svg>",
				   ppm[0]);
	const char *container = "<?xml version=\"1.0\"?><container version=\"1.0\" "
				"xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles><rootfile "
				"full-path=\"content.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>";
	char *epub_path = wy_xasprintf("%s/attack.epub", e.dir);
	const char *entries[] = {"mimetype", "application/epub+zip", "META-INF/container.xml", container,
				 "content.opf", opf_inside, "ch.xhtml", ch.data, "inner.svg", inner, NULL};
	ASSERT_EQ(testdoc_zip(epub_path, entries), 0);
	wy_buf epub;
	ASSERT_EQ(wy_file_read(epub_path, 0, &epub), WY_OK);
	char *spine_path = wy_xasprintf("%s/spine.epub", e.dir);
	const char *spine_entries[] = {"mimetype", "application/epub+zip", "META-INF/container.xml", container,
				       "content.opf", opf.data, "ch.xhtml", "<html xmlns=\"http://www.w3.org/1999/xhtml\">"
				       "<body><p>inside</p></body></html>", NULL};
	ASSERT_EQ(testdoc_zip(spine_path, spine_entries), 0);
	wy_buf spine;
	ASSERT_EQ(wy_file_read(spine_path, 0, &spine), WY_OK);

	/* Controls: red the document carries itself is drawn. */
	char *ppm_data = red_ppm();
	size_t plen;
	unsigned char *png = red_png(&plen);
	size_t b64cap = sodium_base64_ENCODED_LEN(plen, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64cap);
	sodium_bin2base64(b64, b64cap, png, plen, sodium_base64_VARIANT_ORIGINAL);
	char *ctl_html = wy_xasprintf("<!DOCTYPE html><html><body><p>control</p><p><img "
				      "src=\"data:image/png;base64,%s\"/></p></body></html>",
				      b64);
	free(b64);
	free(png);
	const char *ctl_entries[] = {"mimetype", "application/epub+zip", "META-INF/container.xml", container,
				     "content.opf",
				     "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
				     "<metadata/><manifest><item id=\"c\" href=\"ch.xhtml\" media-type=\"application/xhtml+xml\"/>"
				     "</manifest><spine><itemref idref=\"c\"/></spine></package>",
				     "ch.xhtml",
				     "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><p>control " MARK
				     "</p><p><img src=\"img/red.ppm\"/></p></body></html>",
				     "img/red.ppm", ppm_data, NULL};
	char *ctl_epub_path = wy_xasprintf("%s/control.epub", e.dir);
	ASSERT_EQ(testdoc_zip(ctl_epub_path, ctl_entries), 0);
	wy_buf ctl_epub;
	ASSERT_EQ(wy_file_read(ctl_epub_path, 0, &ctl_epub), WY_OK);

	int64_t ids[7];
	ids[0] = add_str(&e, html.data, "attack.html");
	ids[1] = add_str(&e, xhtml.data, "attack.xhtml");
	ids[2] = add_str(&e, fb2.data, "attack.fb2");
	ids[3] = add_doc(&e, epub.data, epub.len, "attack.epub");
	ids[4] = add_doc(&e, spine.data, spine.len, "spine.epub");
	ids[5] = add_str(&e, ctl_html, "control.html");
	ids[6] = add_doc(&e, ctl_epub.data, ctl_epub.len, "control.epub");
	run_until_done(&e, ids, 7);
	ASSERT_EQ(chdir(cwd), 0);

	/* Each attack converts (the spine that points outside may fail, as a
	 * damaged EPUB), with none of the secret files in it. */
	const char *names[] = {"HTML", "XHTML", "FB2", "EPUB", "EPUB spine"};
	const char *formats[] = {"html", "xhtml", "fb2", "epub", "epub"};
	for (int i = 0; i < 5; i++) {
		wy_doc d;
		ASSERT_EQ(wy_store_doc_get(e.st, ids[i], &d, NULL), WY_OK);
		bool ready = d.status == WY_DOC_READY;
		ASSERT_STR_EQ(d.format, formats[i]);
		wy_doc_clear(&d);
		bool marked;
		long red = red_pixels(&e, ids[i], &marked);
		printf("  %s: %s, %ld red pixels, marker %s\n", names[i], ready ? "ready" : "failed", red,
		       marked ? "found" : "absent");
		ASSERT(ready || i == 4);
		ASSERT_EQ(red, 0);
		ASSERT(!marked);
	}
	bool marked;
	long red5 = red_pixels(&e, ids[5], &marked), red6 = red_pixels(&e, ids[6], &marked);
	printf("  controls: HTML %ld, EPUB %ld red pixels, marker %s\n", red5, red6, marked ? "found" : "absent");
	ASSERT(red5 > 1000); /* the control's own image */
	ASSERT(red6 > 1000);
	ASSERT(marked); /* and its own text */

	free_refs(ppm);
	free_refs(xh);
	free(inner);
	free(ppm_data);
	free(ctl_html);
	free(epub_path);
	free(spine_path);
	wy_buf_free(&spine);
	free(ctl_epub_path);
	wy_buf_free(&html);
	wy_buf_free(&xhtml);
	wy_buf_free(&fb2);
	wy_buf_free(&opf);
	wy_buf_free(&ch);
	wy_buf_free(&epub);
	wy_buf_free(&ctl_epub);
	env_close(&e);
}

/* ---- the converter process itself ---------------------------------------- */

typedef struct probe {
	const char *path;  /* a file that exists outside the sandbox */
	const char *dir;   /* where the child may write */
} probe;

/* In a confined child: 0 when every read outside is refused and writing
 * works where allowed; otherwise a code saying which check failed. */
static int confined_probe(void *arg, int out_fd, int in_fd)
{
	(void)out_fd;
	(void)in_fd;
	probe *p = arg;
	const char *write[] = {p->dir, NULL};
	wy_sandbox_fs fs = {.write = write};
	if (wy_sandbox_confine(&fs, NULL))
		return 10;
	if (open(p->path, O_RDONLY) >= 0)
		return 1;
	if (open("/etc/hostname", O_RDONLY) >= 0 || open("/etc/passwd", O_RDONLY) >= 0)
		return 2;
	if (open("secret.txt", O_RDONLY) >= 0 || open(".", O_RDONLY | O_DIRECTORY) >= 0)
		return 3; /* the working directory is outside too */
	char *w = wy_xasprintf("%s/written", p->dir);
	int fd = open(w, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return 4;
	close(fd);
	free(w);
	return 0;
}

TEST(a_confined_converter_reads_no_files)
{
	env e;
	env_secret(&e);
	if (!wy_sandbox_fs_supported()) {
		printf("  SKIP: this kernel has no Landlock\n");
		env_close(&e);
		return;
	}
	char cwd[1024];
	ASSERT(getcwd(cwd, sizeof cwd));
	ASSERT_EQ(chdir(secret), 0);
	char *path = wy_xasprintf("%s/secret.txt", secret);
	char *wdir = wy_xasprintf("%s/out", e.dir);
	ASSERT_EQ(mkdir(wdir, 0755), 0);
	probe p = {path, wdir};
	wy_sandbox_limits lim = {0};
	pid_t pid;
	int fd;
	ASSERT_EQ(wy_sandbox_spawn(&lim, "wy-probe", confined_probe, &p, &pid, &fd, NULL, NULL), WY_OK);
	int status;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	close(fd);
	ASSERT_EQ(chdir(cwd), 0);
	ASSERT(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	free(path);
	free(wdir);
	env_close(&e);
}

/* In a child: 0 when it holds no capability at all afterwards. */
static int caps_probe(void *arg, int out_fd, int in_fd)
{
	(void)arg;
	(void)out_fd;
	(void)in_fd;
	if (wy_sandbox_drop_caps(NULL))
		return 10;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return 11;
	char line[256];
	int zero = 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "CapEff:", 7) || !strncmp(line, "CapPrm:", 7) || !strncmp(line, "CapBnd:", 7))
			zero += strtoull(line + 7, NULL, 16) == 0;
	fclose(f);
	return zero == 3 ? 0 : 1;
}

/* The office converter keeps its user but no capability (root's would
 * open raw disks and override file permissions). */
TEST(a_converter_drops_every_capability)
{
	wy_sandbox_limits lim = {0};
	pid_t pid;
	int fd;
	ASSERT_EQ(wy_sandbox_spawn(&lim, "wy-probe", caps_probe, NULL, &pid, &fd, NULL, NULL), WY_OK);
	int status;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	close(fd);
	ASSERT(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
}

/* The probe of a converter's environment: neither its variables nor
 * /proc/self/environ (the bytes the process started with) hold the
 * secret's value. */
#define PROBE_SECRET "wy-sandbox-probe-secret"

static int env_probe(void *arg, int out_fd, int in_fd)
{
	(void)arg;
	(void)out_fd;
	(void)in_fd;
	const char *v = getenv("AWS_SECRET_ACCESS_KEY");
	if (v && strstr(v, PROBE_SECRET))
		return 1;
	int fd = open("/proc/self/environ", O_RDONLY);
	if (fd < 0)
		return 2;
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof buf), got = n > 0 ? n : 0;
	close(fd);
	for (ssize_t i = 0; i + (ssize_t)strlen(PROBE_SECRET) <= got; i++)
		if (memcmp(buf + i, PROBE_SECRET, strlen(PROBE_SECRET)) == 0)
			return 3;
	return 0;
}

/* A converter holds none of the worker's credentials (an S3 key, a
 * database URL with its password): a document that gets a file read out
 * of it finds nothing. ctest starts this test with the secret in its
 * environment (CMakeLists.txt); by hand it is set here, and only the
 * variables are checked. The worker itself keeps it. */
TEST(a_converter_holds_no_credentials)
{
	const char *had = getenv("AWS_SECRET_ACCESS_KEY");
	if (!had || !strstr(had, PROBE_SECRET))
		setenv("AWS_SECRET_ACCESS_KEY", PROBE_SECRET, 1);
	wy_sandbox_limits lim = {0};
	pid_t pid;
	int fd;
	ASSERT_EQ(wy_sandbox_spawn(&lim, "wy-probe", env_probe, NULL, &pid, &fd, NULL, NULL), WY_OK);
	int status;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	close(fd);
	ASSERT(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	ASSERT(strstr(getenv("AWS_SECRET_ACCESS_KEY"), PROBE_SECRET) != NULL);
}

/* In a child: recursion without end, as MuPDF's HTML layout does on a
 * document of 10000 nested <div> (or a Markdown list 20000 deep). */
static volatile long dive_limit = 1L << 40;
static int *volatile nowhere;

static int __attribute__((noinline)) dive(long depth, volatile unsigned char *prev)
{
	volatile unsigned char frame[1024];
	frame[0] = prev ? prev[0] : 1;
	if (depth >= dive_limit)
		return frame[0];
	return dive(depth + 1, frame) + frame[1];
}

static int deep_probe(void *arg, int out_fd, int in_fd)
{
	(void)out_fd;
	(void)in_fd;
	return arg ? dive(0, NULL) : *nowhere;
}

/* A converter that runs off its stack fails with a reason people can read,
 * not "converter crashed (signal 11)"; any other fault is still a crash. */
TEST(a_converter_out_of_stack_says_so)
{
	wy_sandbox_limits lim = {0};
	pid_t pid;
	int fd, status;
	char why[200];
	ASSERT_EQ(wy_sandbox_spawn(&lim, "wy-probe", deep_probe, "deep", &pid, &fd, NULL, NULL), WY_OK);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	close(fd);
	ASSERT(!wy_sandbox_describe(status, &lim, why, sizeof why));
	ASSERT_CONTAINS(why, "nested too deeply");

	ASSERT_EQ(wy_sandbox_spawn(&lim, "wy-probe", deep_probe, NULL, &pid, &fd, NULL, NULL), WY_OK);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	close(fd);
	ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	ASSERT(!wy_sandbox_describe(status, &lim, why, sizeof why));
	ASSERT_CONTAINS(why, "signal 11");
}

/* Through the real worker: a Markdown upload of 20000 nested quotes (40 KB)
 * and an HTML file of 10000 nested <div> fail with that reason, and the
 * document queued beside them still converts. */
TEST(deep_nesting_fails_with_a_reason)
{
	env e;
	env_open(&e, "deep");
	wy_buf md, html;
	wy_buf_init(&md, 0);
	for (int i = 0; i < 20000; i++)
		wy_buf_puts(&md, "> ");
	wy_buf_puts(&md, "deep\n");
	wy_buf_init(&html, 0);
	wy_buf_puts(&html, "<!DOCTYPE html><html><body>");
	for (int i = 0; i < 10000; i++)
		wy_buf_puts(&html, "<div>");
	wy_buf_puts(&html, "deep</body></html>");
	int64_t ids[3];
	ids[0] = add_doc(&e, md.data, md.len, "deep.md");
	ids[1] = add_doc(&e, html.data, html.len, "deep.html");
	ids[2] = add_str(&e, "# 正常\n\n一个普通的文档。\n", "fine.md");
	run_until_done(&e, ids, 3);
	bool html_converts = wy_sandbox_fs_supported(); /* else HTML is refused before it is read */
	for (int i = 0; i < 3; i++) {
		wy_doc d;
		ASSERT_EQ(wy_store_doc_get(e.st, ids[i], &d, NULL), WY_OK);
		if (i == 2)
			ASSERT_EQ(d.status, WY_DOC_READY);
		else if (i == 0 || html_converts) {
			ASSERT_EQ(d.status, WY_DOC_FAILED);
			ASSERT_CONTAINS(d.reason, "nested too deeply");
		}
		wy_doc_clear(&d);
	}
	wy_buf_free(&md);
	wy_buf_free(&html);
	env_close(&e);
}

TEST_LIST(T(documents_read_nothing_outside_their_container), T(a_confined_converter_reads_no_files),
	  T(a_converter_drops_every_capability), T(a_converter_holds_no_credentials),
	  T(a_converter_out_of_stack_says_so), T(deep_nesting_fails_with_a_reason))
