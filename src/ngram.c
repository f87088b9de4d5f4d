/* ngram.c — fastText's character n-grams and their buckets (see ngram.h).
 *
 * The wrapped word "<word>" is never built for the buckets: byte k of it is
 * read through wrapped_byte, and each n-gram's hash is folded one character
 * at a time as the n-gram grows, so every n-gram starting at a character
 * costs one pass over its bytes and no memory. */
#include "w2v/ngram.h"

#include <string.h>

#define FNV32_BASIS 2166136261u
#define FNV32_PRIME 16777619u

static inline uint32_t fold_byte(uint32_t h, unsigned char b)
{
    /* fastText xors int8_t(byte) widened to 32 bits: sign extension. */
    uint32_t x = b < 0x80 ? (uint32_t)b : (0xffffff00u | (uint32_t)b);
    return (h ^ x) * FNV32_PRIME;
}

uint32_t ngram_hash(const char *s, size_t len)
{
    uint32_t h = FNV32_BASIS;
    for (size_t i = 0; i < len; i++)
        h = fold_byte(h, (unsigned char)s[i]);
    return h;
}

int ngram_check_params(int minn, int maxn, uint32_t bucket)
{
    if (minn < 1 || maxn < minn || maxn > NGRAM_MAX_N || bucket < 1 || bucket > NGRAM_MAX_BUCKET)
        return W2V_EINVAL;
    return 0;
}

size_t ngram_max_count(size_t len, int minn, int maxn)
{
    if (minn < 1 || maxn < minn)
        return 0;
    /* At most len + 2 characters start an n-gram, each with at most
     * maxn - minn + 1 lengths. */
    size_t chars, total;
    if (w2v_size_add(len, 2, &chars) != 0 ||
        w2v_size_mul(chars, (size_t)(maxn - minn + 1), &total) != 0)
        return SIZE_MAX;
    return total;
}

static inline unsigned char wrapped_byte(const char *word, size_t len, size_t k)
{
    return k == 0 ? '<' : k == len + 1 ? '>' : (unsigned char)word[k - 1];
}

static inline int is_continuation(unsigned char b) { return (b & 0xc0) == 0x80; }

/* The one walk over the n-grams of "<word>" (wrapped length len + 2):
 * emit(ctx, start, end, hash) with byte offsets into the wrapped word. */
static inline size_t walk(const char *word, size_t len, int minn, int maxn,
                          void (*emit)(void *ctx, size_t start, size_t end, uint32_t hash),
                          void *ctx)
{
    const size_t wlen = len + 2;
    size_t count = 0;
    for (size_t i = 0; i < wlen; i++) {
        if (is_continuation(wrapped_byte(word, len, i)))
            continue;
        uint32_t h = FNV32_BASIS;
        size_t j = i;
        for (int n = 1; n <= maxn && j < wlen; n++) {
            h = fold_byte(h, wrapped_byte(word, len, j++));
            while (j < wlen && is_continuation(wrapped_byte(word, len, j)))
                h = fold_byte(h, wrapped_byte(word, len, j++));
            /* A lone '<' or '>' says nothing about the word. */
            if (n >= minn && !(n == 1 && (i == 0 || j == wlen))) {
                emit(ctx, i, j, h);
                count++;
            }
        }
    }
    return count;
}

struct bucket_sink {
    uint32_t *out;
    size_t cap, n;
    uint32_t bucket;
};

static void emit_bucket(void *ctx, size_t start, size_t end, uint32_t hash)
{
    struct bucket_sink *s = ctx;
    (void)start;
    (void)end;
    if (s->n < s->cap)
        s->out[s->n] = hash % s->bucket;
    s->n++;
}

size_t ngram_buckets(const char *word, size_t len, int minn, int maxn, uint32_t bucket,
                     uint32_t *out, size_t cap)
{
    if (ngram_check_params(minn, maxn, bucket) != 0 || len > SIZE_MAX - 2)
        return 0;
    struct bucket_sink s = {out, cap, 0, bucket};
    return walk(word, len, minn, maxn, emit_bucket, &s);
}

struct string_sink {
    const char *wrapped;
    void (*fn)(void *ctx, const char *gram, size_t gram_len, uint32_t hash);
    void *ctx;
};

static void emit_string(void *ctx, size_t start, size_t end, uint32_t hash)
{
    struct string_sink *s = ctx;
    s->fn(s->ctx, s->wrapped + start, end - start, hash);
}

int ngram_each(const char *word, size_t len, int minn, int maxn,
               void (*fn)(void *ctx, const char *gram, size_t gram_len, uint32_t hash),
               void *ctx)
{
    if (minn < 1 || maxn < minn || maxn > NGRAM_MAX_N || len > SIZE_MAX - 2)
        return W2V_EINVAL;
    char *wrapped = w2v_malloc(len + 2);
    if (!wrapped)
        return W2V_ENOMEM;
    wrapped[0] = '<';
    if (len)
        memcpy(wrapped + 1, word, len);
    wrapped[len + 1] = '>';
    struct string_sink s = {wrapped, fn, ctx};
    walk(word, len, minn, maxn, emit_string, &s);
    w2v_free(wrapped);
    return 0;
}

void ngram_table_release(struct ngram_table *t)
{
    if (!t)
        return;
    w2v_free(t->start);
    w2v_free(t->ids);
    memset(t, 0, sizeof *t);
}

int ngram_table_build(struct ngram_table *t, const char *const *words, int64_t n_words,
                      const char *skip, int minn, int maxn, uint32_t bucket, struct w2v_err *err)
{
    int rc;
    size_t total = 0;
    memset(t, 0, sizeof *t);
    if (ngram_check_params(minn, maxn, bucket) != 0 || n_words < 0)
        return w2v_fail(err, W2V_EINVAL,
                        "bad n-gram settings: need 1 <= minn <= maxn <= %d and 1 <= bucket <= %u",
                        NGRAM_MAX_N, NGRAM_MAX_BUCKET);
    t->n_words = n_words;
    t->minn = minn;
    t->maxn = maxn;
    t->bucket = bucket;
    /* First pass counts, so ids is allocated once at its exact size. */
    t->start = w2v_calloc((size_t)n_words + 1, sizeof *t->start);
    if (!t->start) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for the n-grams of %lld words",
                      (long long)n_words);
        goto fail;
    }
    for (int64_t w = 0; w < n_words; w++) {
        t->start[w] = (int64_t)total;
        size_t len = strlen(words[w]);
        size_t n = skip && strcmp(words[w], skip) == 0
                       ? 0
                       : ngram_buckets(words[w], len, minn, maxn, bucket, NULL, 0);
        if (w2v_size_add(total, n, &total) != 0 || total > (size_t)INT64_MAX / sizeof(uint32_t)) {
            rc = w2v_fail(err, W2V_EOVERFLOW, "too many n-grams in the vocabulary");
            goto fail;
        }
    }
    t->start[n_words] = (int64_t)total;
    t->ids = w2v_malloc(total * sizeof *t->ids);
    if (!t->ids) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for %zu n-grams", total);
        goto fail;
    }
    for (int64_t w = 0; w < n_words; w++) {
        size_t n = (size_t)(t->start[w + 1] - t->start[w]);
        if (n)
            ngram_buckets(words[w], strlen(words[w]), minn, maxn, bucket, t->ids + t->start[w], n);
    }
    return 0;
fail:
    ngram_table_release(t);
    return rc;
}
