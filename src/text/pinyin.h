/* pinyin: Mandarin readings of Han characters, so that a title can be found
 * by its full pinyin ("shuangyonggongzuo") and by its initials ("sygz").
 *
 * The readings come from Unicode's Unihan database (Debian's unicode-data),
 * turned into a C table at build time by tools/pinyin_gen.c: every code
 * point with a reading in kMandarin, kHanyuPinlu, kXHC1983 or kHanyuPinyin,
 * Traditional characters and the extension blocks included (41421 in
 * Unicode 15), with up to WY_PINYIN_ALTS toneless readings,
 * most common first (kMandarin's first value, then kHanyuPinlu by
 * frequency, kXHC1983, kHanyuPinyin, kMandarin's other values; ü is written
 * "v", and where room is left the same reading with "u" follows: 绿 lv lu).
 *
 * A title is indexed twice (WY_PY_FULL and WY_PY_INITIALS tokens); a query
 * in Latin letters is read by wy_pinyin_parse into syllable sequences and
 * initial pairs, which the store looks up as phrases of those tokens.
 *
 * Nothing here allocates, fails on any input, or keeps state: the table is
 * constant data (no start-up parse), every function is thread-safe. */
#ifndef WY_TEXT_PINYIN_H
#define WY_TEXT_PINYIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WY_PINYIN_ALTS 4

/* Toneless readings of cp (lowercase ASCII, 1..7 letters), most common
 * first; returns how many (0: none). The pointers are to static strings. */
int wy_pinyin_readings(uint32_t cp, const char *out[WY_PINYIN_ALTS]);

typedef enum wy_pinyin_mode { WY_PY_FULL = 0, WY_PY_INITIALS = 1, WY_PY_QUERY = 2 } wy_pinyin_mode;

/* One token: text (ASCII, not NUL-terminated, valid only during the call),
 * len, and colocated = true when it is an alternative at the same position
 * as the token before it (a synonym: FTS5_TOKEN_COLOCATED). */
typedef int (*wy_pinyin_cb)(void *ctx, const char *text, int len, bool colocated);

/* Tokens of a title (UTF-8; invalid bytes are skipped, it never fails):
 *  WY_PY_FULL: only the characters that have readings count, in order,
 *    everything else is skipped ("2023年双拥工作" is nian shuang yong gong
 *    zuo); each such character is one position: its first reading, then
 *    its other readings colocated.
 *  WY_PY_INITIALS: over the same characters, at each position the
 *    two-letter tokens of this character's initial and the next one's (the
 *    combinations of the two characters' distinct first letters, most
 *    common first, at most 4; the first not colocated, the others
 *    colocated), and for the last character its initials alone (the
 *    others colocated after the first). The initial is the first letter
 *    of a reading ("zhuang" → "z").
 *  WY_PY_QUERY: the text is what the store built for a query: words of
 *    ASCII letters and digits separated by anything else, each passed
 *    through lowercased (cut at WY_PINYIN_WORD_MAX bytes), one position
 *    each.
 * A non-zero return of cb stops and is returned; otherwise 0. */
#define WY_PINYIN_WORD_MAX 64
int wy_pinyin_tokenize(const char *s, size_t len, wy_pinyin_mode mode, wy_pinyin_cb cb, void *ctx);

/* A query typed in Latin letters, read as pinyin.
 *
 * s qualifies when, with ASCII spaces, tabs and apostrophes (' and ’)
 * ignored and case folded, it is only ASCII letters, 2 to 63 of them. Then:
 *  - full: up to WY_PINYIN_SEGS segmentations of the letters into
 *    syllables of the table, best first: fewest syllables first; among
 *    equal counts, longest-first greedy order (the first syllable as long
 *    as it can be, then the second ...). The LAST syllable may be a proper
 *    prefix of a syllable (someone still typing: "chongq"); then
 *    last_prefix is set for that segmentation. A space or apostrophe the
 *    user typed is a hard boundary ("xi'an" is xi an only). Only syllables
 *    with a vowel take part: the interjections m, n, ng, hm, hng, r would
 *    otherwise split any word ending in n or ng. At most WY_PINYIN_SYLS
 *    syllables; nfull is 0 when no segmentation fits.
 *  - initials: for 2..16 letters, the letters themselves as the pair
 *    tokens of WY_PY_INITIALS ("sygz" → sy yg gz; "sy" is one pair), NUL-
 *    terminated; ninitials is 0 for longer queries.
 * Returns false, with nfull and ninitials 0, when s does not qualify
 * (digits, CJK, one letter, more than 63) or when it qualifies but neither
 * reading exists (more than 16 letters that no segmentation fits). */
#define WY_PINYIN_SEGS 3
#define WY_PINYIN_SYLS 32
typedef struct wy_pinyin_seg {
	int n;
	char syl[WY_PINYIN_SYLS][8];
	bool last_prefix;
} wy_pinyin_seg;
typedef struct wy_pinyin_q {
	wy_pinyin_seg full[WY_PINYIN_SEGS];
	int nfull;
	char initials[16][3];
	int ninitials;
} wy_pinyin_q;
bool wy_pinyin_parse(const char *s, size_t len, wy_pinyin_q *out);

/* The table itself, for tests and diagnostics: how many distinct syllables
 * and code points it has, and syllable i (0 <= i < count, sorted; NULL
 * past the end). */
int wy_pinyin_syllable_count(void);
const char *wy_pinyin_syllable(int i);
int wy_pinyin_codepoint_count(void);

/* True when s[0..len) is a syllable of the table (lowercase). */
bool wy_pinyin_is_syllable(const char *s, size_t len);

#endif
