/* ngram.h — character n-grams of a word and their hash buckets, as
 * fastText computes them (Bojanowski et al. 2017), so that a bucket id here
 * is the bucket id fastText gives the same n-gram.
 *
 * The word is wrapped in '<' and '>'. A character is a byte that is not a
 * UTF-8 continuation byte (10xxxxxx) followed by all the continuation bytes
 * after it: a UTF-8 code point for valid text, and a well-defined unit for
 * any bytes at all (a stray continuation byte joins the character before
 * it; one after '<' joins '<'). The n-grams are, for each character start i
 * in order and then for n = 1..maxn, the n characters from i, kept when
 * n >= minn; the lone '<' and the lone '>' are never n-grams. The whole
 * wrapped word is one of them when it has minn..maxn characters.
 *
 * An n-gram's bucket is hash(bytes) % bucket with fastText's 32-bit FNV-1a
 * variant: offset basis 2166136261, prime 16777619, and each byte
 * sign-extended before the xor (a byte >= 0x80 is xored as 0xffffff00 | b,
 * as fastText's int8_t cast does). */
#ifndef W2V_NGRAM_H
#define W2V_NGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"

#define NGRAM_MAX_N 64               /* largest maxn accepted */
#define NGRAM_MAX_BUCKET 1000000000u /* largest bucket count accepted */

/* fastText's hash of s[0..len) (see above). Thread-safe. */
uint32_t ngram_hash(const char *s, size_t len);

/* Are (minn, maxn, bucket) usable: 1 <= minn <= maxn <= NGRAM_MAX_N and
 * 1 <= bucket <= NGRAM_MAX_BUCKET? Returns 0 or W2V_EINVAL. */
int ngram_check_params(int minn, int maxn, uint32_t bucket);

/* Most n-grams a word of len bytes can have (an upper bound, never
 * exceeded; 0 when minn > maxn). Saturates at SIZE_MAX. */
size_t ngram_max_count(size_t len, int minn, int maxn);

/* The buckets of word[0..len)'s n-grams, in the order above (duplicates
 * kept, as fastText keeps them), written to out[0..cap). Returns how many
 * n-grams the word has; when that is more than cap only the first cap were
 * written (ngram_max_count(len, ...) is always enough). Parameters as
 * ngram_check_params accepts (others give 0). Any bytes are accepted.
 * Thread-safe. */
size_t ngram_buckets(const char *word, size_t len, int minn, int maxn, uint32_t bucket,
                     uint32_t *out, size_t cap);

/* Call fn(ctx, gram, gram_len, hash) for each n-gram of word[0..len) in
 * the order above; gram is NOT NUL-terminated and valid only during the
 * call; hash is ngram_hash of its bytes. Returns 0, W2V_ENOMEM (a scratch
 * copy of the wrapped word), or W2V_EINVAL (bad parameters). For tests and
 * tools that want the n-gram strings; ngram_buckets needs no memory. */
int ngram_each(const char *word, size_t len, int minn, int maxn,
               void (*fn)(void *ctx, const char *gram, size_t gram_len, uint32_t hash),
               void *ctx);

/* The n-gram buckets of every word of a vocabulary, computed once before
 * training: word w's buckets are ids[start[w] .. start[w + 1]). */
struct ngram_table {
    int64_t n_words;
    int64_t *start; /* [n_words + 1], owned */
    uint32_t *ids;  /* [start[n_words]], owned */
    int minn, maxn;
    uint32_t bucket;
};

/* Build t for words[0..n_words) (NUL-terminated). A word equal to skip
 * (e.g. "</s>", which fastText gives no n-grams) gets none; skip may be
 * NULL. Returns 0, W2V_EINVAL (parameters), W2V_ENOMEM or W2V_EOVERFLOW;
 * on failure t is released. Not thread-safe on one t. */
int ngram_table_build(struct ngram_table *t, const char *const *words, int64_t n_words,
                      const char *skip, int minn, int maxn, uint32_t bucket, struct w2v_err *err);

void ngram_table_release(struct ngram_table *t); /* safe on zeroed/released */

#endif
