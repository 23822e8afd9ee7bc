/* tokenize: folding and tokens for the index and queries (see tokenize.h).
 *
 * The Traditional→Simplified table is built once from OpenCC: every code
 * point of the Han blocks is converted in one call (one per line) and the
 * answers that are a single different character are kept in a flat array.
 * A per-character table, rather than OpenCC's phrase conversion at each call,
 * keeps the folding of a character independent of its neighbours, which an
 * index needs: the query 創建 and the text 她創建了 must fold the same way. */
#include "text/tokenize.h"

#include "core/log.h"
#include "core/util.h"
#include "text/utf8.h"

#include <opencc/opencc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The Han blocks the table covers: extension A to the compatibility
 * supplement. */
#define T2S_LO 0x3400u
#define T2S_HI 0x2FA20u

static uint32_t *t2s;    /* [cp - T2S_LO] → folded, 0 = itself */
static int init_rc;
static char init_msg[200];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static bool in_t2s_range(uint32_t cp)
{
	return (cp >= 0x3400 && cp < 0xA000) || (cp >= 0xF900 && cp < 0xFB00) || (cp >= 0x20000 && cp < T2S_HI);
}

static void build_t2s(void)
{
	opencc_t cc = opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
	if (cc == (opencc_t)-1) {
		init_rc = WY_EIO;
		snprintf(init_msg, sizeof init_msg, "cannot load OpenCC's %s: %s",
			 OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP, opencc_error());
		return;
	}
	wy_buf in;
	wy_buf_init(&in, 0);
	for (uint32_t cp = T2S_LO; cp < T2S_HI; cp++) {
		if (!in_t2s_range(cp))
			continue;
		char u[4];
		wy_buf_append(&in, u, (size_t)wy_utf8_encode(cp, u));
		wy_buf_append(&in, "\n", 1);
	}
	char *out = opencc_convert_utf8(cc, in.data, in.len);
	wy_buf_free(&in);
	if (!out) {
		init_rc = WY_EIO;
		snprintf(init_msg, sizeof init_msg, "OpenCC failed: %s", opencc_error());
		opencc_close(cc);
		return;
	}
	uint32_t *tab = wy_xcalloc(T2S_HI - T2S_LO, sizeof *tab);
	const char *p = out, *end = out + strlen(out);
	int mapped = 0;
	for (uint32_t cp = T2S_LO; cp < T2S_HI && p < end; cp++) {
		if (!in_t2s_range(cp))
			continue;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		const char *q = p;
		int c = wy_utf8_decode(&q, nl);
		if (c > 0 && q == nl && (uint32_t)c != cp) {
			tab[cp - T2S_LO] = (uint32_t)c;
			mapped++;
		}
		p = nl + 1;
	}
	opencc_convert_utf8_free(out);
	opencc_close(cc);
	/* Folding must be idempotent (queries are folded again when SQLite hands
	 * them back to the tokenizer): follow chains to their end. */
	for (uint32_t i = 0; i < T2S_HI - T2S_LO; i++) {
		uint32_t v = tab[i];
		for (int hops = 0; v && v >= T2S_LO && v < T2S_HI && tab[v - T2S_LO] && hops < 8; hops++)
			v = tab[v - T2S_LO];
		if (v == i + T2S_LO)
			v = 0;
		tab[i] = v;
	}
	t2s = tab;
	wy_debug("tokenize.init", "t2s=%d", mapped);
}

int wy_tokenize_init(wy_errinfo *ei)
{
	pthread_once(&init_once, build_t2s);
	if (init_rc)
		return wy_err_set(ei, init_rc, "%s", init_msg);
	return WY_OK;
}

int wy_tok_is_cjk(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x20000 && cp <= 0x323AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x2F800 && cp <= 0x2FA1F) || (cp >= 0x3040 && cp <= 0x30FF && cp != 0x30FB) || /* kana, not ・ */
	       (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||             /* hangul */
	       (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) || cp == 0x3005 || cp == 0x3007;
}

static uint32_t fold_han(uint32_t cp)
{
	if (t2s && cp >= T2S_LO && cp < T2S_HI && t2s[cp - T2S_LO])
		return t2s[cp - T2S_LO];
	return cp;
}

int wy_fold_cp(uint32_t cp, uint32_t out[4])
{
	if (cp < 0x80) {
		out[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
		return 1;
	}
	/* Unified ideographs and hangul syllables have nothing to decompose
	 * (and hangul must not become jamo). */
	if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2EBEF)) {
		out[0] = fold_han(cp);
		return 1;
	}
	/* Hangul syllables must not become jamo, nor が lose its voicing mark
	 * to the accent stripping meant for Latin letters. */
	if ((cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x3040 && cp <= 0x30FF)) {
		out[0] = cp;
		return 1;
	}
	utf8proc_int32_t buf[4];
	int last = 0;
	utf8proc_ssize_t n = utf8proc_decompose_char((utf8proc_int32_t)cp, buf, 4, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
						     UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE, &last);
	if (n < 0 || n > 4) { /* longer than 4 (rare ligatures): keep as is */
		out[0] = cp;
		return 1;
	}
	for (int i = 0; i < n; i++) {
		uint32_t c = (uint32_t)buf[i];
		if (c >= 0xAC00 && c <= 0xD7A3)
			out[i] = c;
		else
			out[i] = fold_han(c);
	}
	return (int)n;
}

/* What a folded code point does in a token. */
enum cls { SEP, WORD, CJK };

static enum cls classify(uint32_t c)
{
	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))
			return WORD;
		return SEP;
	}
	if (wy_tok_is_cjk(c))
		return CJK;
	switch (utf8proc_category((utf8proc_int32_t)c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
		return WORD;
	default:
		return SEP;
	}
}

typedef struct cjk_char {
	char u[4];
	int n;
	size_t start, end;
} cjk_char;

typedef struct tok_state {
	wy_tok_mode mode;
	wy_token_cb cb;
	void *ctx;
	/* the word being built */
	char word[WY_TOKEN_MAX];
	int wlen;
	bool wfull;
	size_t wstart, wend;
	/* the CJK run: its previous character and length */
	cjk_char prev;
	int run;
	/* separators seen since the run's last character (the run is held
	 * open across them: see WY_TOK_BRIDGE) */
	int gap;
} tok_state;

static int flush_word(tok_state *t)
{
	if (!t->wlen)
		return 0;
	wy_token tk = {t->word, t->wlen, t->wstart, t->wend, WY_TOK_WORD};
	t->wlen = 0;
	t->wfull = false;
	return t->cb(t->ctx, &tk);
}

static int flush_run(tok_state *t)
{
	int rc = 0;
	if (t->run == 1) {
		wy_token tk = {t->prev.u, t->prev.n, t->prev.start, t->prev.end, WY_TOK_SINGLE};
		rc = t->cb(t->ctx, &tk);
	} else if (t->run > 1 && t->mode == WY_TOK_INDEX) {
		wy_token tk = {t->prev.u, t->prev.n, t->prev.start, t->prev.end, WY_TOK_TAIL};
		rc = t->cb(t->ctx, &tk);
	}
	t->run = 0;
	t->gap = 0;
	return rc;
}

static int add_word(tok_state *t, uint32_t c, size_t start, size_t end)
{
	if (!t->wlen)
		t->wstart = start;
	t->wend = end;
	char u[4];
	int n = wy_utf8_encode(c, u);
	if (t->wfull || t->wlen + n > WY_TOKEN_MAX) {
		t->wfull = true; /* the rest of an overlong word is dropped */
		return 0;
	}
	memcpy(t->word + t->wlen, u, (size_t)n);
	t->wlen += n;
	return 0;
}

/* A separator after a CJK character: the run stays open for the next
 * WY_TOK_GAP_MAX of them, to be bridged if a CJK character follows. */
static int add_sep(tok_state *t)
{
	if (t->run && ++t->gap <= WY_TOK_GAP_MAX)
		return 0;
	return flush_run(t);
}

/* The run continues past separators: the index ends it (its last
 * character, as ever) and gives the bridge at the same position; a query
 * reads straight through, as if the separators were not there. */
static int bridge(tok_state *t, const cjk_char *cur)
{
	t->gap = 0;
	if (t->mode != WY_TOK_INDEX)
		return 0;
	int rc = flush_run(t);
	if (rc)
		return rc;
	char pair[8];
	memcpy(pair, t->prev.u, (size_t)t->prev.n);
	memcpy(pair + t->prev.n, cur->u, (size_t)cur->n);
	wy_token tk = {pair, t->prev.n + cur->n, t->prev.start, cur->end, WY_TOK_BRIDGE};
	return t->cb(t->ctx, &tk);
}

static int add_cjk(tok_state *t, uint32_t c, size_t start, size_t end)
{
	cjk_char cur;
	cur.n = wy_utf8_encode(c, cur.u);
	cur.start = start;
	cur.end = end;
	int rc = 0;
	if (t->run && t->gap) {
		if ((rc = bridge(t, &cur)))
			return rc;
		if (!t->run) { /* the index: a new run starts here */
			t->prev = cur;
			t->run = 1;
			return 0;
		}
	}
	if (t->run) {
		wy_token tk;
		char pair[8];
		memcpy(pair, t->prev.u, (size_t)t->prev.n);
		memcpy(pair + t->prev.n, cur.u, (size_t)cur.n);
		tk.text = pair;
		tk.len = t->prev.n + cur.n;
		tk.start = t->prev.start;
		tk.end = end;
		tk.kind = WY_TOK_BIGRAM;
		rc = t->cb(t->ctx, &tk);
		if (!rc && t->mode == WY_TOK_INDEX) {
			tk.text = t->prev.u;
			tk.len = t->prev.n;
			tk.end = t->prev.end;
			tk.kind = WY_TOK_UNIGRAM;
			rc = t->cb(t->ctx, &tk);
		}
	}
	t->prev = cur;
	t->run++;
	return rc;
}

int wy_tokenize(const char *s, size_t len, wy_tok_mode mode, wy_token_cb cb, void *ctx)
{
	tok_state t;
	memset(&t, 0, sizeof t);
	t.mode = mode;
	t.cb = cb;
	t.ctx = ctx;
	const char *p = s, *end = s + len;
	int rc = 0;
	while (p < end && !rc) {
		size_t start = (size_t)(p - s);
		int cp = wy_utf8_decode(&p, end);
		size_t stop = (size_t)(p - s);
		uint32_t f[4];
		int nf = cp < 0 ? 0 : wy_fold_cp((uint32_t)cp, f);
		if (cp < 0) { /* invalid byte: a separator */
			if (!(rc = flush_word(&t)))
				rc = flush_run(&t);
			continue;
		}
		for (int i = 0; i < nf && !rc; i++) {
			switch (classify(f[i])) {
			case WORD:
				if (!(rc = flush_run(&t)))
					rc = add_word(&t, f[i], start, stop);
				break;
			case CJK:
				if (!(rc = flush_word(&t)))
					rc = add_cjk(&t, f[i], start, stop);
				break;
			case SEP:
				if (!(rc = flush_word(&t)))
					rc = add_sep(&t);
				break;
			}
		}
	}
	if (!rc)
		rc = flush_word(&t);
	if (!rc)
		rc = flush_run(&t);
	return rc;
}

char *wy_fold_str(const char *s, size_t len)
{
	wy_buf b;
	wy_buf_init(&b, 0);
	const char *p = s, *end = s + len;
	while (p < end) {
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0)
			continue;
		uint32_t f[4];
		int nf = wy_fold_cp((uint32_t)cp, f);
		for (int i = 0; i < nf; i++) {
			char u[4];
			wy_buf_append(&b, u, (size_t)wy_utf8_encode(f[i], u));
		}
	}
	return wy_buf_steal(&b);
}
