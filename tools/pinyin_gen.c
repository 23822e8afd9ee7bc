/* pinyin_gen: build-time generator of the pinyin table (src/text/pinyin.c).
 *
 *   wy-pinyin-gen BZCAT Unihan_Readings.txt.bz2 OUT.h
 *
 * reads Unicode's Unihan_Readings.txt (Debian's unicode-data) through BZCAT
 * and writes OUT.h: the distinct toneless syllables, sorted, and for every
 * code point with a Mandarin reading up to WY_PINYIN_ALTS of them, most
 * common first. It is run by CMake into the build directory; its output is
 * never committed, and no reading is ever typed by hand.
 *
 * Order of a code point's readings: kMandarin's first value; then the
 * others of kHanyuPinlu by frequency (the most frequent first), kXHC1983,
 * kHanyuPinyin, and kMandarin's further values; tones removed, ü written v,
 * duplicates dropped, at most 4; then, where room is left, each reading with
 * v again with u (绿 lv, lu), as people type it.
 *
 * It must never write a partial table: it writes OUT.h.tmp and renames it
 * only after bzcat exited cleanly and the data passed its checks; any
 * surprise in the data (an unknown letter, a syllable longer than 7 bytes,
 * lines out of order, too few code points) stops it with a message and a
 * non-zero exit, which fails the build. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ALTS 4     /* WY_PINYIN_ALTS */
#define SYL_MAX 7  /* bytes of the longest syllable (with its NUL: 8) */
#define RAW_MAX 48 /* readings one field may list for one code point */
#define SYLS_MAX 1024
#define SETS_MAX 65535
#define CP_LIMIT 0x110000u
/* A whole Unihan has over 40000; far fewer means a truncated input. */
#define CP_MIN_EXPECTED 20000

typedef char syl[SYL_MAX + 1];

/* The fields read, in the order their readings are taken. */
enum { F_MANDARIN, F_PINLU, F_XHC, F_HYPY, F_N };

typedef struct cp_raw {
	uint32_t cp;
	syl r[F_N][RAW_MAX];
	long freq[RAW_MAX]; /* kHanyuPinlu's counts */
	int n[F_N];
} cp_raw;

static const char *in_path;
static long lineno;

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	fprintf(stderr, "wy-pinyin-gen: %s: ", in_path ? in_path : "");
	if (lineno)
		fprintf(stderr, "line %ld: ", lineno);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* The letters of Hanyu Pinyin with tone marks, as Unihan writes them, and
 * the ASCII letter each stands for ('v' for ü). Combining marks (Unihan
 * writes ê̄ as ê and U+0304) are dropped; anything else is an error. */
// clang-format off
static const struct {
	uint32_t cp;
	char base;
} toned[] = {
	{0xE0, 'a'}, {0xE1, 'a'}, {0x101, 'a'}, {0x1CE, 'a'},
	{0xE8, 'e'}, {0xE9, 'e'}, {0x113, 'e'}, {0x11B, 'e'}, {0xEA, 'e'}, {0x1EBF, 'e'}, {0x1EC1, 'e'},
	{0xEC, 'i'}, {0xED, 'i'}, {0x12B, 'i'}, {0x1D0, 'i'},
	{0xF2, 'o'}, {0xF3, 'o'}, {0x14D, 'o'}, {0x1D2, 'o'},
	{0xF9, 'u'}, {0xFA, 'u'}, {0x16B, 'u'}, {0x1D4, 'u'},
	{0xFC, 'v'}, {0x1D6, 'v'}, {0x1D8, 'v'}, {0x1DA, 'v'}, {0x1DC, 'v'},
	{0x1E3F, 'm'}, {0x144, 'n'}, {0x148, 'n'}, {0x1F9, 'n'},
};
// clang-format on

static uint32_t decode(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
	if (!n || s + n > end)
		die("invalid UTF-8 in a reading");
	if (n > 1)
		c &= 0x3Fu >> (n - 1);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			die("invalid UTF-8 in a reading");
		c = (c << 6) | (s[i] & 0x3F);
	}
	*p = s + n;
	return c;
}

/* One reading [s, end) of Unihan into toneless ASCII in out. */
static void toneless(const char *s, const char *end, syl out)
{
	const unsigned char *p = (const unsigned char *)s, *e = (const unsigned char *)end;
	int n = 0;
	while (p < e) {
		uint32_t c = decode(&p, e);
		char b = 0;
		if (c >= 'a' && c <= 'z')
			b = (char)c;
		else if (c >= 'A' && c <= 'Z')
			b = (char)(c + 32);
		else if (c >= 0x300 && c <= 0x36F)
			continue; /* a combining tone mark */
		else
			for (size_t i = 0; i < sizeof toned / sizeof toned[0]; i++)
				if (toned[i].cp == c)
					b = toned[i].base;
		if (!b) {
			char what[64];
			snprintf(what, sizeof what, "%.*s", (int)(end - s), s);
			die("a reading with a letter that is not pinyin: %s", what);
		}
		if (n == SYL_MAX) {
			char what[64];
			snprintf(what, sizeof what, "%.*s", (int)(end - s), s);
			die("a syllable longer than 7 letters: %s", what);
		}
		out[n++] = b;
	}
	out[n] = 0;
	if (!n)
		die("an empty reading");
}

static void add_raw(cp_raw *c, int f, const char *s, const char *end, long freq)
{
	if (c->n[f] == RAW_MAX)
		die("more readings in one field than the generator keeps");
	toneless(s, end, c->r[f][c->n[f]]);
	if (f == F_PINLU)
		c->freq[c->n[f]] = freq;
	c->n[f]++;
}

/* The value of one field, as TR #38 defines it:
 *   kMandarin     "zhòng" or "gèng gēng"
 *   kHanyuPinlu   "zhòng(1823) chóng(329)"
 *   kXHC1983      "0149.100:chóng 1502.040:zhòng" (locations may carry '*'
 *                 and be joined by ',' before the one reading)
 *   kHanyuPinyin  "63680.020:zhòng,chóng,tóng" (locations joined by ',') */
static void parse_value(cp_raw *c, int f, const char *v)
{
	const char *p = v;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		const char *we = p;
		if (f == F_MANDARIN) {
			add_raw(c, f, w, we, 0);
		} else if (f == F_PINLU) {
			const char *paren = memchr(w, '(', (size_t)(we - w));
			if (!paren || we[-1] != ')')
				die("kHanyuPinlu without a count: %s", v);
			add_raw(c, f, w, paren, strtol(paren + 1, NULL, 10));
		} else {
			const char *colon = memchr(w, ':', (size_t)(we - w));
			if (!colon)
				die("a reading without its location: %s", v);
			const char *r = colon + 1;
			while (r < we) {
				const char *comma = memchr(r, ',', (size_t)(we - r));
				const char *re = comma ? comma : we;
				add_raw(c, f, r, re, 0);
				r = comma ? comma + 1 : we;
			}
		}
	}
}

/* The distinct syllables, kept sorted only at the end. */
static syl syls[SYLS_MAX];
static int nsyls;

static int syl_id(const char *s)
{
	for (int i = 0; i < nsyls; i++)
		if (!strcmp(syls[i], s))
			return i;
	if (nsyls == SYLS_MAX)
		die("more distinct syllables than the generator keeps");
	strcpy(syls[nsyls], s);
	return nsyls++;
}

/* A code point's readings, as syllable ids (-1: none), and runs of
 * consecutive code points. */
typedef struct entry {
	uint32_t cp;
	int16_t id[ALTS];
} entry;

static entry *entries;
static int nentries, entries_cap, nreal;

/* A hole of up to this many code points inside a run is filled with empty
 * entries: 2 bytes each, where a new run costs 8. */
#define HOLE_FILL 3

static void append(const entry *e)
{
	if (nentries == entries_cap) {
		entries_cap = entries_cap ? entries_cap * 2 : 65536;
		entries = realloc(entries, (size_t)entries_cap * sizeof *entries);
		if (!entries)
			die("out of memory");
	}
	entries[nentries++] = *e;
}

static bool has(const entry *e, int n, int id)
{
	for (int i = 0; i < n; i++)
		if (e->id[i] == id)
			return true;
	return false;
}

static void put(entry *e, int *n, const char *s)
{
	if (*n == ALTS)
		return;
	int id = syl_id(s);
	if (!has(e, *n, id))
		e->id[(*n)++] = (int16_t)id;
}

static void flush(cp_raw *c)
{
	if (!c->n[F_MANDARIN] && !c->n[F_PINLU] && !c->n[F_XHC] && !c->n[F_HYPY])
		return;
	entry e;
	e.cp = c->cp;
	for (int i = 0; i < ALTS; i++)
		e.id[i] = -1;
	int n = 0;
	if (c->n[F_MANDARIN])
		put(&e, &n, c->r[F_MANDARIN][0]);
	/* kHanyuPinlu by falling frequency; Unihan lists it so, but the order
	 * is a promise of ours, so sort (stably: insertion). */
	int order[RAW_MAX];
	for (int i = 0; i < c->n[F_PINLU]; i++) {
		int j = i;
		while (j > 0 && c->freq[order[j - 1]] < c->freq[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	for (int i = 0; i < c->n[F_PINLU]; i++)
		put(&e, &n, c->r[F_PINLU][order[i]]);
	for (int i = 0; i < c->n[F_XHC]; i++)
		put(&e, &n, c->r[F_XHC][i]);
	for (int i = 0; i < c->n[F_HYPY]; i++)
		put(&e, &n, c->r[F_HYPY][i]);
	for (int i = 1; i < c->n[F_MANDARIN]; i++)
		put(&e, &n, c->r[F_MANDARIN][i]);
	/* ü typed as u (lv → lu), after the readings proper */
	int proper = n;
	for (int i = 0; i < proper; i++) {
		syl u;
		strcpy(u, syls[e.id[i]]);
		char *v = strchr(u, 'v');
		if (!v)
			continue;
		for (; v; v = strchr(v, 'v'))
			*v = 'u';
		put(&e, &n, u);
	}
	if (nentries && e.cp - entries[nentries - 1].cp - 1 <= HOLE_FILL) {
		entry hole = {.id = {-1, -1, -1, -1}};
		for (hole.cp = entries[nentries - 1].cp + 1; hole.cp < e.cp; hole.cp++)
			append(&hole);
	}
	append(&e);
	nreal++;
}

/* Read the file through bzcat (no shell: the path is an argument). */
static FILE *open_bzcat(const char *bzcat, const char *path, pid_t *pid)
{
	int fd[2];
	if (pipe(fd))
		die("pipe: %s", strerror(errno));
	*pid = fork();
	if (*pid < 0)
		die("fork: %s", strerror(errno));
	if (*pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl(bzcat, bzcat, "--", path, (char *)NULL);
		fprintf(stderr, "wy-pinyin-gen: cannot run %s: %s\n", bzcat, strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	if (!f)
		die("fdopen: %s", strerror(errno));
	return f;
}

static int cmp_syl(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void write_table(FILE *o)
{
	/* Syllables sorted, so the library can search them; ids remapped. */
	syl sorted[SYLS_MAX];
	memcpy(sorted, syls, sizeof(syl) * (size_t)nsyls);
	qsort(sorted, (size_t)nsyls, sizeof(syl), cmp_syl);
	int remap[SYLS_MAX];
	for (int i = 0; i < nsyls; i++)
		for (int j = 0; j < nsyls; j++)
			if (!strcmp(syls[i], sorted[j]))
				remap[i] = j;

	/* Distinct reading sets: most code points share theirs with others. */
	static uint16_t sets[SETS_MAX][ALTS];
	int nsets = 0;
	uint16_t *cpset = malloc((size_t)nentries * sizeof *cpset);
	if (!cpset)
		die("out of memory");
	for (int k = 0; k < nentries; k++) {
		uint16_t s[ALTS];
		for (int i = 0; i < ALTS; i++)
			s[i] = entries[k].id[i] < 0 ? 0 : (uint16_t)(remap[entries[k].id[i]] + 1);
		int found = -1;
		/* linear in the sets so far; the table is built once per build */
		for (int j = 0; j < nsets && found < 0; j++)
			if (!memcmp(sets[j], s, sizeof s))
				found = j;
		if (found < 0) {
			if (nsets == SETS_MAX)
				die("more reading sets than 16 bits hold");
			memcpy(sets[nsets], s, sizeof s);
			found = nsets++;
		}
		cpset[k] = (uint16_t)found;
	}

	fprintf(o,
	        "/* Generated by tools/pinyin_gen.c from %s at build time: do not edit,\n"
	        " * do not commit. Included by src/text/pinyin.c only. */\n\n",
	        in_path);
	fprintf(o, "#define PY_NSYL %d\n#define PY_NREAL %d\n#define PY_NCP %d\n#define PY_NSETS %d\n\n", nsyls, nreal,
	        nentries, nsets);
	fprintf(o, "/* The distinct toneless syllables, sorted (strcmp). */\n");
	fprintf(o, "static const char py_syl[PY_NSYL][8] = {");
	for (int i = 0; i < nsyls; i++)
		fprintf(o, "%s\"%s\",", i % 10 ? " " : "\n\t", sorted[i]);
	fprintf(o, "\n};\n\n");
	fprintf(o, "/* Reading sets: up to 4 syllables as index + 1 into py_syl, most common\n"
	           " * first, 0 after the last. */\n");
	fprintf(o, "static const uint16_t py_sets[PY_NSETS][4] = {");
	for (int j = 0; j < nsets; j++)
		fprintf(o, "%s{%u,%u,%u,%u},", j % 6 ? " " : "\n\t", sets[j][0], sets[j][1], sets[j][2], sets[j][3]);
	fprintf(o, "\n};\n\n");

	/* Runs of consecutive code points: the Unified Ideographs are one run
	 * with a few holes, so a run costs 8 bytes where a code point list
	 * would cost 4 per character. */
	int nruns = 0;
	for (int k = 0; k < nentries; nruns++) {
		int len = 1;
		while (k + len < nentries && entries[k + len].cp == entries[k].cp + (uint32_t)len && len < 2048)
			len++;
		k += len;
	}
	fprintf(o, "#define PY_NRUNS %d\n", nruns);
	fprintf(o, "/* Runs of code points with readings, ascending: {first code point << 11\n"
	           " * | length - 1 (at most 2048 a run), index in py_cpset of its first}. */\n");
	fprintf(o, "static const uint32_t py_runs[PY_NRUNS][2] = {");
	for (int k = 0, r = 0; k < nentries; r++) {
		int len = 1;
		while (k + len < nentries && entries[k + len].cp == entries[k].cp + (uint32_t)len && len < 2048)
			len++;
		fprintf(o, "%s{0x%08xu, %d},", r % 5 ? " " : "\n\t", (entries[k].cp << 11) | (uint32_t)(len - 1), k);
		k += len;
	}
	fprintf(o, "\n};\n\n");
	fprintf(o, "/* The reading set of each code point of the runs, in code point order\n"
	           " * (PY_NREAL of them have readings; the others fill small holes). */\n");
	fprintf(o, "static const uint16_t py_cpset[PY_NCP] = {");
	for (int k = 0; k < nentries; k++)
		fprintf(o, "%s%u,", k % 16 ? " " : "\n\t", cpset[k]);
	fprintf(o, "\n};\n");
	free(cpset);
	fprintf(stderr, "wy-pinyin-gen: %d code points, %d syllables, %d reading sets, %d runs over %d\n", nreal, nsyls,
	        nsets, nruns, nentries);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: wy-pinyin-gen BZCAT Unihan_Readings.txt.bz2 OUT.h\n");
		return 2;
	}
	in_path = argv[2];
	if (access(in_path, R_OK))
		die("cannot read it (%s): install Debian's unicode-data (scripts/deps.sh)", strerror(errno));
	pid_t pid;
	FILE *in = open_bzcat(argv[1], in_path, &pid);

	static cp_raw cur;
	bool have = false;
	char line[8192];
	while (fgets(line, sizeof line, in)) {
		lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = 0;
		else if (n == sizeof line - 1)
			die("line too long");
		if (!n || line[0] == '#')
			continue;
		char *t1 = strchr(line, '\t');
		char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (strncmp(line, "U+", 2) || !t1 || !t2)
			die("not a Unihan line: %s", line);
		*t1 = *t2 = 0;
		const char *field = t1 + 1, *value = t2 + 1;
		int f = !strcmp(field, "kMandarin")      ? F_MANDARIN
		        : !strcmp(field, "kHanyuPinlu")  ? F_PINLU
		        : !strcmp(field, "kXHC1983")     ? F_XHC
		        : !strcmp(field, "kHanyuPinyin") ? F_HYPY
		                                         : -1;
		char *endp;
		unsigned long cp = strtoul(line + 2, &endp, 16);
		if (*endp || cp >= CP_LIMIT)
			die("bad code point: %s", line);
		if (have && cp < cur.cp)
			die("code points out of order at %s", line);
		if (!have || cp != cur.cp) {
			if (have)
				flush(&cur);
			memset(cur.n, 0, sizeof cur.n);
			cur.cp = (uint32_t)cp;
			have = true;
		}
		if (f >= 0)
			parse_value(&cur, f, value);
	}
	if (ferror(in))
		die("read error: %s", strerror(errno));
	if (have)
		flush(&cur);
	fclose(in);
	lineno = 0;
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s failed: the file is damaged or bzip2 is missing (scripts/deps.sh)", argv[1]);
	if (nreal < CP_MIN_EXPECTED)
		die("too few code points with readings: a truncated file?");
	/* 中 must read zhong: the parse went as TR #38 says */
	bool zhong = false;
	for (int k = 0; k < nentries; k++)
		if (entries[k].cp == 0x4E2D)
			zhong = entries[k].id[0] >= 0 && !strcmp(syls[entries[k].id[0]], "zhong");
	if (!zhong)
		die("U+4E2D does not read zhong: the format has changed?");

	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[3]);
	FILE *o = fopen(tmp, "w");
	if (!o)
		die("cannot write the table: %s", strerror(errno));
	write_table(o);
	if (ferror(o) | fclose(o))
		die("cannot write the table: %s", strerror(errno));
	if (rename(tmp, argv[3]))
		die("cannot write the table: %s", strerror(errno));
	return 0;
}
