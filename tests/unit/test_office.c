/* Office tests: Word, PowerPoint and Excel documents (made here by
 * LibreOffice from flat ODF text the test writes) go through the worker's
 * office converter; a document that links an image on a web server reaches
 * no network while it converts. */
#include "blob/blob.h"
#include "convert/office.h"
#include "core/config.h"
#include "core/util.h"
#include "jobs/worker.h"
#include "store/store.h"
#include "test.h"
#include "testdoc.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_OFFICE "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" " \
	"xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
#define ODF_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document " NS_OFFICE

static const char *FODT =
	ODF_HEAD "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" "
	"xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" "
	"xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" "
	"office:version=\"1.2\" office:mimetype=\"application/vnd.oasis.opendocument.text\">"
	"<office:meta><dc:title>测试文档标题</dc:title><meta:initial-creator>文渊测试</meta:initial-creator>"
	"<dc:creator>文渊测试</dc:creator></office:meta>"
	"<office:automatic-styles><style:style style:name=\"PB\" style:family=\"paragraph\">"
	"<style:paragraph-properties fo:break-before=\"page\"/></style:style></office:automatic-styles>"
	"<office:body><office:text><text:h text:outline-level=\"1\">第一章 文渊阁</text:h>"
	"<text:p>文渊阁是清代皇家藏书楼，专为收藏四库全书而建。</text:p>"
	"<text:p text:style-name=\"PB\">第二页：四库全书分经史子集四部。</text:p>"
	"</office:text></office:body></office:document>";

#define SLIDE(n, t) "<draw:page draw:name=\"" n "\"><draw:frame svg:x=\"2cm\" svg:y=\"2cm\" svg:width=\"20cm\" " \
	"svg:height=\"3cm\"><draw:text-box><text:p>" t "</text:p></draw:text-box></draw:frame></draw:page>"

static const char *FODP =
	ODF_HEAD "xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" "
	"xmlns:presentation=\"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0\" "
	"xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\" office:version=\"1.2\" "
	"office:mimetype=\"application/vnd.oasis.opendocument.presentation\"><office:body><office:presentation>"
	SLIDE("p1", "第一张幻灯片：春眠不觉晓") SLIDE("p2", "第二张幻灯片：处处闻啼鸟")
	SLIDE("p3", "第三张幻灯片：夜来风雨声") "</office:presentation></office:body></office:document>";

static const char *FODS =
	ODF_HEAD "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" office:version=\"1.2\" "
	"office:mimetype=\"application/vnd.oasis.opendocument.spreadsheet\"><office:body><office:spreadsheet>"
	"<table:table table:name=\"销售统计\"><table:table-row>"
	"<table:table-cell office:value-type=\"string\"><text:p>产品名称</text:p></table:table-cell>"
	"<table:table-cell office:value-type=\"string\"><text:p>年度销售额</text:p></table:table-cell></table:table-row>"
	"<table:table-row><table:table-cell office:value-type=\"string\"><text:p>笔记本电脑</text:p></table:table-cell>"
	"<table:table-cell office:value-type=\"float\" office:value=\"12345\"><text:p>12345</text:p></table:table-cell>"
	"</table:table-row></table:table></office:spreadsheet></office:body></office:document>";

static wy_config cfg;
static char dir[512];

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* Convert files with LibreOffice in a child process (LibreOffice cannot be
 * started twice in one process). Returns the child's exit status. */
static int office_child(const char *const *in, const char *const *out, const char *const *fmt, int n)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(180);
		char *work = wy_xasprintf("%s/lo-%d", dir, (int)getpid());
		if (wy_office_start(cfg.office_path, work, NULL))
			_exit(2);
		for (int i = 0; i < n; i++) {
			wy_errinfo ei = {0};
			if (wy_office_convert(in[i], out[i], fmt[i], &ei)) {
				fprintf(stderr, "  convert %s: %s\n", in[i], ei.msg);
				_exit(3);
			}
		}
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

static void setup(void)
{
	if (wy_config_load(&cfg, NULL))
		abort();
	snprintf(dir, sizeof dir, "%s", wy_test_tmpdir("office"));
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s/data", dir);
	cfg.workers = 1;
}

typedef struct lib {
	wy_store *st;
	wy_blob_store *bs;
} lib;

static void lib_open(lib *l)
{
	char *b = wy_xasprintf("%s/blobs", cfg.data_dir);
	if (wy_store_open(cfg.data_dir, &l->st, NULL) || wy_blob_open(b, &l->bs, NULL))
		abort();
	free(b);
}

static int64_t add_file(lib *l, const char *path)
{
	int fd = open(path, O_RDONLY);
	char sha[65];
	uint64_t size;
	if (fd < 0 || wy_blob_put_fd(l->bs, fd, 1u << 30, sha, &size, NULL))
		abort();
	close(fd);
	wy_doc_new dn = {.filename = wy_basename(path), .sha256 = sha, .size = (int64_t)size};
	int64_t id;
	bool existed;
	if (wy_store_doc_add(l->st, &dn, &id, &existed, NULL))
		abort();
	return id;
}

static char *page_text(lib *l, int64_t id, int page)
{
	wy_page p;
	if (wy_store_page_get(l->st, id, page, &p, NULL))
		return wy_xstrdup("");
	char *t = wy_xstrdup(p.text);
	wy_page_clear(&p);
	return t;
}

TEST(chinese_docx_pptx_xlsx)
{
	setup();
	char in[3][600], out[3][600];
	const char *src[3] = {FODT, FODP, FODS}, *ext[3] = {"fodt", "fodp", "fods"};
	const char *fmt[3] = {"docx", "pptx", "xlsx"};
	const char *ins[3], *outs[3];
	for (int i = 0; i < 3; i++) {
		snprintf(in[i], sizeof in[i], "%s/doc.%s", dir, ext[i]);
		/* a name that says nothing, so the title comes from the properties */
		snprintf(out[i], sizeof out[i], "%s/新建文档.%s", dir, fmt[i]);
		write_text(in[i], src[i]);
		ins[i] = in[i];
		outs[i] = out[i];
	}
	ASSERT_EQ(office_child(ins, outs, fmt, 3), 0);
	lib l;
	lib_open(&l);
	int64_t ids[3];
	for (int i = 0; i < 3; i++)
		ids[i] = add_file(&l, out[i]);
	wy_worker_opts o = {.name = "test", .wait_ids = ids, .nwait = 3};
	ASSERT_EQ(wy_worker_run(&cfg, l.st, l.bs, &o, NULL), WY_OK);
	const int pages[3] = {2, 3, 1};
	for (int i = 0; i < 3; i++) {
		wy_doc d;
		ASSERT_EQ(wy_store_doc_get(l.st, ids[i], &d, NULL), WY_OK);
		if (d.status != WY_DOC_READY)
			printf("  %s: %s\n", fmt[i], d.reason ? d.reason : "");
		ASSERT_EQ(d.status, WY_DOC_READY);
		ASSERT_STR_EQ(d.format, fmt[i]);
		ASSERT_EQ(d.pages, pages[i]);
		if (i == 0) {
			/* from the document properties (新建文档 is junk) */
			ASSERT_STR_EQ(d.title, "测试文档标题");
			ASSERT_STR_EQ(d.author, "文渊测试");
		}
		wy_doc_clear(&d);
	}
	char *t = page_text(&l, ids[0], 1);
	ASSERT_CONTAINS(t, "文渊阁是清代皇家藏书楼，专为收藏四库全书而建。");
	free(t);
	t = page_text(&l, ids[0], 2);
	ASSERT_CONTAINS(t, "第二页：四库全书分经史子集四部。");
	free(t);
	t = page_text(&l, ids[1], 3);
	ASSERT_CONTAINS(t, "第三张幻灯片：夜来风雨声");
	free(t);
	t = page_text(&l, ids[2], 1);
	ASSERT_CONTAINS(t, "笔记本电脑");
	ASSERT_CONTAINS(t, "12345");
	free(t);
	wy_store_close(l.st);
	wy_blob_close(l.bs);
}

/* A DOCX whose picture is linked, not embedded: LibreOffice fetches it
 * from the URL when it lays the document out. */
static void linked_docx(const char *path, int port)
{
	char rels[512], *doc;
	snprintf(rels, sizeof rels,
		 "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
		 "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		 "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\""
		 " Target=\"http://127.0.0.1:%d/tracker.png\" TargetMode=\"External\"/></Relationships>",
		 port);
	doc = wy_xasprintf(
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
		"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
		" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
		" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\""
		" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\""
		" xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>"
		"<w:p><w:r><w:t>带有外链图片的文档</w:t></w:r></w:p>"
		"<w:p><w:r><w:drawing><wp:inline><wp:extent cx=\"952500\" cy=\"952500\"/><wp:docPr id=\"1\" name=\"p\"/>"
		"<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
		"<pic:pic><pic:nvPicPr><pic:cNvPr id=\"1\" name=\"p\"/><pic:cNvPicPr/></pic:nvPicPr>"
		"<pic:blipFill><a:blip r:link=\"rId9\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
		"<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"952500\" cy=\"952500\"/></a:xfrm>"
		"<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>"
		"</wp:inline></w:drawing></w:r></w:p></w:body></w:document>");
	const char *entries[] = {
		"[Content_Types].xml",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
		"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
		"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
		"<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument."
		"wordprocessingml.document.main+xml\"/></Types>",
		"_rels/.rels",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\""
		" Target=\"word/document.xml\"/></Relationships>",
		"word/document.xml", doc,
		"word/_rels/document.xml.rels", rels,
		NULL};
	if (testdoc_zip(path, entries))
		abort();
	free(doc);
}

/* Connections waiting on a listening socket (accepting them). */
static int pending(int lfd)
{
	int n = 0;
	struct pollfd p = {lfd, POLLIN, 0};
	while (poll(&p, 1, 0) == 1) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			break;
		close(c);
		n++;
	}
	return n;
}

TEST(linked_image_reaches_no_network)
{
	setup();
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	ASSERT(lfd >= 0);
	ASSERT_EQ(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	ASSERT_EQ(listen(lfd, 16), 0);
	ASSERT_EQ(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	int port = ntohs(sa.sin_port);
	char path[600];
	snprintf(path, sizeof path, "%s/linked.docx", dir);
	linked_docx(path, port);

	lib l;
	lib_open(&l);
	int64_t id = add_file(&l, path);
	wy_worker_opts o = {.name = "test", .wait_ids = &id, .nwait = 1};
	ASSERT_EQ(wy_worker_run(&cfg, l.st, l.bs, &o, NULL), WY_OK);
	wy_doc d;
	ASSERT_EQ(wy_store_doc_get(l.st, id, &d, NULL), WY_OK);
	if (d.reason)
		printf("  reason: %s\n", d.reason);
	ASSERT_EQ(d.status, WY_DOC_READY);
	wy_doc_clear(&d);
	char *t = page_text(&l, id, 1);
	ASSERT_CONTAINS(t, "带有外链图片的文档");
	free(t);
	ASSERT_EQ(pending(lfd), 0);

	/* Our profile alone (no namespace here) also keeps LibreOffice from
	 * following the link: two layers. */
	char pdf[600];
	snprintf(pdf, sizeof pdf, "%s/profile-only.pdf", dir);
	const char *in[1] = {path}, *out[1] = {pdf}, *fmt[1] = {"pdf"};
	ASSERT_EQ(office_child(in, out, fmt, 1), 0);
	ASSERT_EQ(pending(lfd), 0);

	/* The control: LibreOffice as people usually run it (soffice
	 * --convert-to, default profile) does call the listener, so the checks
	 * above can fail. */
	pid_t pid = fork();
	if (pid == 0) {
		char *prof = wy_xasprintf("-env:UserInstallation=file://%s/soffice-profile", dir);
		char *outdir = wy_xasprintf("%s/control", dir);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		dup2(devnull, 2);
		alarm(120);
		execlp("soffice", "soffice", prof, "--headless", "--convert-to", "pdf", "--outdir", outdir, path,
		       (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	int seen = pending(lfd);
	printf("  soffice with its default profile connected %d time(s)\n", seen);
	ASSERT(seen > 0);
	close(lfd);
	wy_store_close(l.st);
	wy_blob_close(l.bs);
}

TEST_LIST(T(chinese_docx_pptx_xlsx), T(linked_image_reaches_no_network))
