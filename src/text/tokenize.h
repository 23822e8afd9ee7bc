/* tokenize: the one tokenizer of wenyuan, for indexing and for queries, in
 * every store backend.
 *
 * Each character is folded first: NFKC compatibility forms (full-width ＡＢＣ
 * and half-width katakana), case, accents (é → e), and Traditional Chinese to
 * Simplified (創建 → 创建, through OpenCC's character table). Then:
 *
 *  - runs of Han, kana and hangul become overlapping bigrams, and the last
 *    character of a run is also a token of its own ("人工智能" → 人工 工智 智能
 *    能): one token position per character. In the index each character is
 *    also a token at its bigram's position (a synonym, in FTS5's words), so a
 *    one-character query is an ordinary term and finds the character
 *    anywhere;
 *  - a CJK run goes on across up to WY_TOK_GAP_MAX separators (spaces, line
 *    breaks, punctuation; not letters or digits): in the index the run ends
 *    there as ever, and the bigram of its last character and the next run's
 *    first is added at that character's position (a bridge), so that
 *    "败也。是故" is found by 败也是故, a title set as "测 试 文 段" by
 *    测试文段, and a sentence by a query that crosses a line break or a
 *    table cell; a query reads straight through such separators;
 *  - letters and digits of other scripts become words ("iPhone15" → iphone15);
 *  - everything else separates tokens.
 *
 * Every token carries the byte range of the original text it came from, so
 * hits can be marked where they are.
 *
 * It must never fail on any input: invalid UTF-8 is skipped byte by byte.
 * Thread safety: wy_tokenize_init runs once (any thread may call it; later
 * calls return its first result); after that everything is read-only. */
#ifndef WY_TOKENIZE_H
#define WY_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Longest token in bytes; a longer word is cut to this (on a character
 * boundary). */
#define WY_TOKEN_MAX 64

/* Separators a CJK run is bridged across (a table cell's padding, a line
 * break and its indent). */
#define WY_TOK_GAP_MAX 8

typedef enum wy_tok_mode {
	/* what goes into the index: bigrams, each with its first character at
	 * the same position, and each run's last character */
	WY_TOK_INDEX = 0,
	/* what a quoted query string stands for: the bigrams alone (a run of one
	 * character is that character) */
	WY_TOK_QUERY = 1,
} wy_tok_mode;

typedef enum wy_tok_kind {
	WY_TOK_WORD = 0,     /* letters and digits */
	WY_TOK_BIGRAM = 1,   /* two characters of a CJK run */
	WY_TOK_TAIL = 2,     /* the last character of a CJK run of two or more */
	WY_TOK_SINGLE = 3,   /* a CJK run of one character */
	WY_TOK_UNIGRAM = 4,  /* (index only) the first character of the bigram just
			      * given, at the same position */
	WY_TOK_BRIDGE = 5,   /* (index only) the bigram across separators of the
			      * TAIL or SINGLE just given and the next run's first
			      * character, at the same position */
} wy_tok_kind;

typedef struct wy_token {
	const char *text;    /* folded UTF-8, not NUL-terminated */
	int len;             /* bytes of text, 1..WY_TOKEN_MAX */
	size_t start, end;   /* byte range of the original text */
	wy_tok_kind kind;
} wy_token;

/* Load the folding tables (OpenCC's Traditional→Simplified characters).
 * Errors: WY_EIO when OpenCC's data cannot be loaded. wy_tokenize works
 * without it (no Traditional folding), but an index must not be built so:
 * the store calls this and refuses to open when it fails. */
int wy_tokenize_init(wy_errinfo *ei);

/* Call cb for each token of the len bytes at s, in order. A non-zero return
 * from cb stops and is returned. */
typedef int (*wy_token_cb)(void *ctx, const wy_token *t);
int wy_tokenize(const char *s, size_t len, wy_tok_mode mode, wy_token_cb cb, void *ctx);

/* Fold one code point as the tokenizer does; writes up to 4 code points to
 * out and returns how many (0: the character is dropped, e.g. a combining
 * mark or a soft hyphen). */
int wy_fold_cp(uint32_t cp, uint32_t out[4]);

/* Fold a whole string into out (a malloc'd NUL-terminated string the caller
 * frees); separators are kept as they are. For tests and keywords. */
char *wy_fold_str(const char *s, size_t len);

/* True for the code points the tokenizer treats as CJK (Han, kana, hangul). */
int wy_tok_is_cjk(uint32_t cp);

#endif
