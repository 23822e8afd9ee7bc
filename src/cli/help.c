/* cli/help: what the program says of itself. The one table of the
 * commands' help (their usage lines and what they do) and of the global
 * options, which `wenyuan --help`, `wenyuan COMMAND --help` and the manual
 * wenyuan(1) are all made of; the manuals themselves (roff made from
 * templates under docs/man/ with these tables and the settings table of
 * core/config.c); and `wenyuan routes`. Nothing here opens the store. */
#include "cli/cli.h"
#include "core/config.h"
#include "core/util.h"
#include "web/site.h"
#include "wy_version.h" /* generated: tools/version.cmake */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* synopsis: the usage lines, '\n' between them, each starting with
 * "wenyuan NAME"; text: what the command does, for people, wrapped at 80
 * columns, paragraphs separated by an empty line. */
static const struct help {
	const char *name, *summary, *synopsis, *text;
} helps[] = {
	{"add", "store documents and convert them",
	 "wenyuan add FILE... [--title T] [--category PATH] [--uploader NAME] [--no-wait]",
	 "Stores each file (a byte-identical file added before is not added twice;\n"
	 "an account's upload of it is that account's own document),\n"
	 "queues its conversion and, unless --no-wait, converts it here with a\n"
	 "progress bar, then prints one line per document: ready or failed, and why.\n"
	 "Exit status: 0 when every document is ready, 2 when any failed, 1 on errors.\n"},
	{"import", "store a whole folder tree (a site's archive) and convert it",
	 "wenyuan import DIR [--category-from-folders] [--uploader NAME] [--csv FILE] [--json] [--no-wait]",
	 "Walks DIR and stores every file in it as `wenyuan add` does and, unless\n"
	 "--no-wait, converts here while it stores (else a running worker or serve does).\n"
	 "Hidden files, symbolic links (never followed), special files and files it\n"
	 "cannot read are skipped, each with a line saying why. With\n"
	 "--category-from-folders a file's folders name its category (a/b/c.pdf goes in\n"
	 "a/b, created when missing). --uploader names the uploader shown on the site.\n"
	 "\n"
	 "A file whose bytes are already a document is skipped: each file is hashed once\n"
	 "and looked up, so a run stopped by ^C (SIGINT/SIGTERM stop after the current\n"
	 "file), or killed, resumes when run again, and a second run imports nothing.\n"
	 "Progress (files, bytes, ready, failed, rate, time left) goes to stderr: one line\n"
	 "redrawn on a terminal, else a line every few seconds. It ends with a summary\n"
	 "(--json: as JSON) and writes the files that failed or could not be read, with the\n"
	 "reason, to the CSV file FILE (default: import-failures-DATE.csv in the data\n"
	 "directory).\n"
	 "Exit status: 0 when every file is a ready document (or queued with --no-wait),\n"
	 "2 when any failed or could not be read, 1 on errors, 130 when interrupted.\n"},
	{"info", "show one document", "wenyuan info ID [--json]",
	 "Shows one document: id, title, format, pages, size,\n"
	 "sha256, status (queued|converting|ready|failed) and the reason of a failure.\n"},
	{"list", "list documents", "wenyuan list [--json]", "Lists every document, newest first.\n"},
	{"text", "print the text of a document's pages", "wenyuan text ID [--page N]",
	 "Prints the text of every page of a ready document (or of page N),\n"
	 "each page under a line \"=== page N ===\".\n"},
	{"category", "the category tree",
	 "wenyuan category list [--json]\n"
	 "wenyuan category add PATH\n"
	 "wenyuan category rename PATH NAME\n"
	 "wenyuan category move PATH NEW_PARENT",
	 "The category tree. A new library starts with a default tree for a Chinese\n"
	 "document site; documents keep their category when it is renamed or moved.\n"
	 "A PATH names a category from the top, e.g. 行业资料/计算机/人工智能;\n"
	 "a NEW_PARENT of \"\" or / is the top.\n"},
	{"search", "search the library",
	 "wenyuan search QUERY... [--json] [--limit N] [--offset N] [--category PATH] [--format F]\n"
	 "                      [--sort relevance|newest|downloads]",
	 "Searches the text of every page, titles and keywords. Words in quotes are a phrase,\n"
	 "-word excludes. Prints each document's id, title and the pages that match.\n"},
	{"reindex", "rebuild the search index from the stored text", "wenyuan reindex",
	 "Rebuilds the search index from the stored page text (after an upgrade that changes\n"
	 "the tokenizer, or to repair it).\n"},
	{"backup", "copy the library while in use, or check a copy", "wenyuan backup DEST [--verify]",
	 "Copies the library into the directory DEST while it is in use: one snapshot of the\n"
	 "store (wenyuan.db), the objects it refers to (blobs/, by content address: a second\n"
	 "backup into DEST copies only new ones) and a MANIFEST with the database's SHA-256.\n"
	 "`wenyuan restore DEST --data DIR` makes a library of it again.\n"
	 "With --verify, copies nothing and checks DEST instead: the checksum, the store's\n"
	 "own checks, every object there and whole.\n"
	 "Exit status: 0 done (or sound), 1 problems found, 2 it could not run.\n"},
	{"restore", "make a library of a backup", "wenyuan restore SRC --data DIR",
	 "Makes a library in DIR (which must hold none) from the backup SRC\n"
	 "(`wenyuan backup`): checks SRC first, then copies its database and its objects, and\n"
	 "checks the result as `wenyuan fsck` does.\n"
	 "Exit status: 0 done, 1 SRC or the result has problems, 2 it could not run.\n"},
	{"migrate", "copy the library into another store and blob store (PostgreSQL, S3)",
	 "wenyuan migrate --to-store URL --to-blob URL",
	 "Copies this library (the store and blob store of the settings: by default SQLite and\n"
	 "the blobs of the data directory) into another: --to-store a postgresql:// URI (or a\n"
	 "directory), --to-blob s3://BUCKET[/PREFIX] (or a directory). Stop serve and the\n"
	 "workers first. Objects first, each re-hashed at the destination; then every table,\n"
	 "ids kept, each checked by its row count and a checksum at both ends; then the\n"
	 "destination's search index is rebuilt and checked as `wenyuan fsck` does. Resumable:\n"
	 "after an interruption the same command continues, copying nothing twice. A\n"
	 "destination holding rows of its own (used since an earlier copy, or another\n"
	 "library) is refused before anything is written, and keeps them.\n"
	 "Exit status: 0 done and the same at both ends, 1 problems found, 2 it could not run\n"
	 "(run it again to continue) or it refused the destination.\n"},
	{"fsck", "check that the store and the blob store agree", "wenyuan fsck [--verify] [--grace SECONDS]",
	 "Checks that the store and the blob store agree: the database and the search index are\n"
	 "sound, every document's rows are consistent, every blob the store refers to exists\n"
	 "(with --verify, also that its bytes still hash to its name), and no blob older than\n"
	 "the grace period (default 3600 s) is an orphan. Prints one line per problem.\n"
	 "Exit status: 0 clean, 1 problems found, 2 the checks could not run.\n"},
	{"gc", "purge the recycle bin past recycle_days and free unreferenced blobs", "wenyuan gc [--grace SECONDS]",
	 "Does once, now, what a running site does every maintenance_seconds: purges the\n"
	 "documents deleted more than recycle_days ago (an audit row each), then removes every\n"
	 "blob that nothing refers to and that nobody stored in the last blob_grace seconds\n"
	 "(--grace overrides it): what `wenyuan fsck` reports as orphans; and deletes the\n"
	 "download log's rows older than 31 days. Safe while the site\n"
	 "runs: an upload of the same bytes at the same moment keeps its blob.\n"
	 "Exit status: 0 done, 2 it could not run.\n"},
	{"user", "accounts",
	 "wenyuan user add NAME [--admin] [--password-stdin]\n"
	 "wenyuan user passwd NAME [--password-stdin]\n"
	 "wenyuan user ban|unban|admin|unadmin NAME\n"
	 "wenyuan user list [--json]",
	 "Without --password-stdin a random password is made and printed.\n"
	 "A password is 8-128 bytes; a name 2-32 letters, digits, '_' or '-',\n"
	 "of one script (Chinese with Latin letters is fine), and not one that\n"
	 "looks like a taken name (аlice with a Cyrillic а next to alice).\n"},
	{"retry", "convert a failed document again", "wenyuan retry ID... [--force] [--no-wait]",
	 "Queues a failed document for conversion again (--force: a ready one too)\n"
	 "and converts it here unless --no-wait.\n"},
	{"worker", "convert queued documents until stopped", "wenyuan worker [--until-idle]",
	 "Claims queued conversion jobs and runs them in sandboxed\n"
	 "child processes (settings: workers, convert_timeout, convert_memory_mb)\n"
	 "until stopped with SIGINT/SIGTERM, or, with --until-idle, until the queue is empty.\n"},
	{"serve", "run the web site with an embedded worker",
	 "wenyuan serve [--listen ADDR:PORT] [--port N] [--addr A] [--no-worker]",
	 "Serves the site on http://ADDR:PORT (settings http_addr, http_port) and, unless\n"
	 "--no-worker, converts queued documents in an embedded worker process.\n"},
	{"config", "print the settings in force and check them", "wenyuan config",
	 "Prints every setting: its value, where the value came from (default, the\n"
	 "configuration file and line, the environment variable or the flag), its\n"
	 "environment variable and what it means.\n"},
	{"routes", "the HTTP routes the server answers", "wenyuan routes",
	 "Prints the site's route table, one route a line: GET or POST and the path,\n"
	 "ending in * when it is a prefix, the JSON twins under /api/v1 included.\n"
	 "docs/openapi.json describes those under /api/v1.\n"},
};

static const struct {
	const char *flag, *text;
} options[] = {
	{"--config FILE", "the configuration file (default $WENYUAN_CONFIG, else\n" WY_CONFIG_FILE
			  " when it exists): name = value lines"},
	{"--data DIR", "data directory (default ./var, env WENYUAN_DATA)"},
	{"--SETTING=VALUE", "any setting of `wenyuan config`, e.g. --convert_timeout=60"},
	{"--check-config", "validate the settings and exit"},
	{"-h, --help", "this help; `wenyuan COMMAND --help` for a command"},
	{"--version", "the version and the git commit it was built from"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct help *find_help(const char *name)
{
	for (size_t i = 0; i < COUNT(helps); i++)
		if (strcmp(helps[i].name, name) == 0)
			return &helps[i];
	return NULL;
}

const char *wy_cli_summary(const char *name)
{
	const struct help *h = find_help(name);
	return h ? h->summary : "";
}

void wy_cli_usage(FILE *out, const char *name)
{
	const struct help *h = find_help(name);
	if (!h)
		return;
	fputs("usage: ", out);
	for (const char *p = h->synopsis; *p; p++) {
		fputc(*p, out);
		if (*p == '\n')
			fputs("       ", out);
	}
	fprintf(out, "\n\n%s", h->text);
}

void wy_cli_options_print(FILE *out)
{
	for (size_t i = 0; i < COUNT(options); i++) {
		fprintf(out, "  %-19s ", options[i].flag);
		for (const char *p = options[i].text; *p; p++)
			if (*p == '\n')
				fprintf(out, "\n  %-19s ", "");
			else
				fputc(*p, out);
		fputc('\n', out);
	}
}

/* ---- the manuals ---------------------------------------------------------- */

/* The character past ASCII at s[i] as \[uXXXX] (groff and mandoc alike,
 * whatever the locale); returns the index of its last byte. The tables
 * and templates are ours and UTF-8: decoded without checks. */
static size_t roff_char(FILE *out, const char *s, size_t i, size_t n)
{
	unsigned char c = (unsigned char)s[i];
	int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
	unsigned cp = c & (0x3fu >> more);
	for (int k = 0; k < more && i + 1 < n; k++)
		cp = cp << 6 | ((unsigned char)s[++i] & 0x3fu);
	fprintf(out, "\\[u%04X]", cp);
	return i;
}

/* Text as roff: backslashes and hyphens escaped, characters past ASCII
 * as roff_char writes them, a line that would start with a control
 * character guarded. */
static void roff(FILE *out, const char *s, size_t n)
{
	bool bol = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (bol && (c == '.' || c == '\''))
			fputs("\\&", out);
		bol = c == '\n';
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-')
			fputs("\\-", out);
		else if (c < 0x80)
			fputc(c, out);
		else
			i = roff_char(out, s, i, n);
	}
}

static void roffs(FILE *out, const char *s) { roff(out, s, strlen(s)); }

/* Paragraphs: an empty line starts a new one. */
static void roff_text(FILE *out, const char *s)
{
	for (const char *p = s; *p;) {
		const char *para = strstr(p, "\n\n"), *end = para ? para + 1 : p + strlen(p);
		roff(out, p, (size_t)(end - p));
		if (end[-1] != '\n')
			fputc('\n', out);
		p = para ? para + 2 : end;
		if (*p)
			fputs(".PP\n", out);
	}
}

static void man_commands(FILE *out)
{
	for (size_t i = 0; i < COUNT(helps); i++) {
		const struct help *h = &helps[i];
		fprintf(out, ".SS %s\n.nf\n", h->name);
		size_t cmd = strlen("wenyuan ") + strlen(h->name);
		for (const char *p = h->synopsis; *p;) {
			const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
			if (strncmp(p, "wenyuan ", 8) == 0 && (size_t)(end - p) >= cmd) {
				fputs("\\fB", out);
				roff(out, p, cmd);
				fputs("\\fR", out);
				roff(out, p + cmd, (size_t)(end - p) - cmd);
			} else {
				roff(out, p, (size_t)(end - p));
			}
			fputc('\n', out);
			p = nl ? nl + 1 : end;
		}
		fputs(".fi\n.PP\n", out);
		roff_text(out, h->text);
	}
}

static void man_options(FILE *out)
{
	for (size_t i = 0; i < COUNT(options); i++) {
		fputs(".TP\n.B ", out);
		roffs(out, options[i].flag);
		fputc('\n', out);
		for (const char *p = options[i].text; *p; p++) /* one line, filled by roff */
			if (*p == '\n')
				fputc(' ', out);
			else
				roff(out, p, 1);
		fputc('\n', out);
	}
}

static void man_settings(FILE *out)
{
	wy_config_setting s;
	for (size_t i = 0; wy_config_describe(i, &s); i++) {
		fputs(".TP\n.B ", out);
		roffs(out, s.name);
		fputc('\n', out);
		roffs(out, s.help);
		fputs(".\n.br\n", out);
		if (s.installed) {
			fprintf(out, "Default: \\fIPREFIX\\fR/share/wenyuan/");
			roffs(out, s.installed);
			fputs(" when the binary is installed in \\fIPREFIX\\fR/bin, else the build's own.", out);
		} else if (!*s.def) {
			fputs("Default: empty.", out);
		} else {
			fputs("Default: \\fB", out);
			roffs(out, s.def);
			fputs("\\fR.", out);
		}
		if (s.number)
			fprintf(out, " A number from %lld to %lld.", s.min, s.max);
		else if (s.may_be_empty)
			fputs(" Text, may be empty.", out);
		fputs("\n.br\nEnvironment: \\fB\\%", out);
		roffs(out, s.env);
		fputs("\\fR; flag: \\fB\\%\\-\\-", out);
		roffs(out, s.name);
		fputs("=\\fR\\fIVALUE\\fR.", out);
		if (s.site)
			fputs(" A site setting: an admin may change it on the site, which then\n"
			      "overrides the file.",
			      out);
		if (s.restart)
			fputs(" Read at start only: a reload (SIGHUP) leaves it.", out);
		fputc('\n', out);
	}
}

/* The template with its @NAME@ lines replaced: @COMMANDS@, @OPTIONS@,
 * @SETTINGS@ stand alone on a line; @VERSION@, @DATE@ and @CONFIG_FILE@
 * may be anywhere. The template's own characters past ASCII are escaped as the
 * tables' are. */
int wy_cli_man(const char *template_path, const char *out_path, const char *date)
{
	wy_buf t;
	if (wy_file_read(template_path, 1 << 20, &t)) {
		fprintf(stderr, "wenyuan: %s: %s\n", template_path, strerror(errno));
		return 1;
	}
	FILE *out = fopen(out_path, "w");
	if (!out) {
		fprintf(stderr, "wenyuan: %s: %s\n", out_path, strerror(errno));
		wy_buf_free(&t);
		return 1;
	}
	static const struct {
		const char *line;
		void (*fn)(FILE *);
	} blocks[] = {{"@COMMANDS@", man_commands}, {"@OPTIONS@", man_options}, {"@SETTINGS@", man_settings}};
	const char *p = t.data ? t.data : "", *end = p + t.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		size_t n = (size_t)(le - p);
		bool done = false;
		for (size_t i = 0; i < COUNT(blocks) && !done; i++)
			if (n == strlen(blocks[i].line) && memcmp(p, blocks[i].line, n) == 0) {
				blocks[i].fn(out);
				done = true;
			}
		for (const char *q = p; !done && q < le; q++) {
			if (*q == '@' && (size_t)(le - q) >= 9 && memcmp(q, "@VERSION@", 9) == 0) {
				fputs(WY_VERSION, out);
				q += 8;
			} else if (*q == '@' && (size_t)(le - q) >= 6 && memcmp(q, "@DATE@", 6) == 0) {
				fputs(date, out);
				q += 5;
			} else if (*q == '@' && (size_t)(le - q) >= 13 && memcmp(q, "@CONFIG_FILE@", 13) == 0) {
				fputs(WY_CONFIG_FILE, out);
				q += 12;
			} else if ((unsigned char)*q >= 0x80) {
				q = t.data + roff_char(out, t.data, (size_t)(q - t.data), t.len);
			} else {
				fputc(*q, out);
			}
		}
		if (!done)
			fputc('\n', out);
		p = nl ? nl + 1 : end;
	}
	wy_buf_free(&t);
	if (fclose(out) != 0) {
		fprintf(stderr, "wenyuan: %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	return 0;
}

/* ---- routes --------------------------------------------------------------- */

int wy_cmd_routes(wy_config *cfg, int argc, char **argv)
{
	(void)cfg;
	if (wy_cli_want_help(argc, argv) || argc > 1) {
		wy_cli_usage(argc > 1 && !wy_cli_want_help(argc, argv) ? stderr : stdout, "routes");
		return argc > 1 && !wy_cli_want_help(argc, argv);
	}
	wy_site_routes_print(stdout);
	return 0;
}
