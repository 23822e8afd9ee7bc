/* minhash: a fixed-size fingerprint of a text, to find near-duplicates.
 *
 * The text is folded as the tokenizer folds it and stripped of everything
 * but letters, digits and CJK characters (so re-saving, re-flowing or
 * re-punctuating changes nothing); its shingles are the overlapping runs of
 * WY_MINHASH_SHINGLE characters. The fingerprint keeps, for each of
 * WY_MINHASH_N hash functions, the smallest hash of any shingle; the share of
 * equal entries between two fingerprints estimates the resemblance (Jaccard
 * index) of their shingle sets. Bands of WY_MINHASH_ROWS entries, hashed,
 * find candidates without comparing every pair.
 *
 * Pure functions; safe from any thread. */
#ifndef WY_MINHASH_H
#define WY_MINHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WY_MINHASH_N 64
#define WY_MINHASH_BYTES (WY_MINHASH_N * 4)
#define WY_MINHASH_ROWS 4
#define WY_MINHASH_BANDS (WY_MINHASH_N / WY_MINHASH_ROWS)
#define WY_MINHASH_SHINGLE 5
/* Texts with fewer shingles get no fingerprint: too little to compare. */
#define WY_MINHASH_MIN_SHINGLES 40

/* A fingerprint being made; the caller owns it (on the stack is fine). */
typedef struct wy_minhash {
	uint32_t v[WY_MINHASH_N];
	uint32_t ring[WY_MINHASH_SHINGLE]; /* the last characters: shingles run across pieces */
	uint64_t chars, shingles;
} wy_minhash;

/* Start, feed text in pieces (a page at a time), finish. wy_minhash_finish
 * returns false (and no fingerprint) when the text was too short. */
void wy_minhash_init(wy_minhash *m);
void wy_minhash_add(wy_minhash *m, const char *text, size_t len);
bool wy_minhash_finish(wy_minhash *m, unsigned char out[WY_MINHASH_BYTES]);

/* Estimated resemblance of two fingerprints, 0..1. */
double wy_minhash_similarity(const unsigned char *a, const unsigned char *b);

/* The hash of band b (0..WY_MINHASH_BANDS-1) of a fingerprint, as a signed
 * 64-bit value for the store. */
int64_t wy_minhash_band(const unsigned char *sig, int b);

#endif
