/* subword.c — the n-gram rows of subword training: which buckets the
 * vocabulary reaches, their rows, composing word vectors, saving the model.
 * The kernel is in kernel_subword.c. */
#include "w2v/subword.h"

#include <stdlib.h>
#include <string.h>

#include "w2v/ngram.h"
#include "w2v/sampling.h"
#include "w2v/subword_model.h"
#include "w2v/tokenizer.h"

void subword_release(struct subword_state *s)
{
    if (!s)
        return;
    w2v_free(s->start);
    w2v_free(s->rows);
    w2v_free(s->gram_ids);
    w2v_aligned_free(s->grams);
    memset(s, 0, sizeof *s);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Index of b in the increasing ids[0..n) (b is known to be there). */
static int32_t rank_of(const uint32_t *ids, int32_t n, uint32_t b)
{
    int32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int subword_init(struct subword_state *s, const char *const *words, int32_t n_words, int minn,
                 int maxn, uint32_t bucket, int32_t dim, size_t stride, uint64_t seed,
                 struct w2v_err *err)
{
    struct ngram_table t = {0};
    uint32_t *sorted = NULL;
    int rc;
    memset(s, 0, sizeof *s);
    rc = ngram_table_build(&t, words, n_words, W2V_EOS, minn, maxn, bucket, err);
    if (rc < 0)
        return rc;
    s->minn = minn;
    s->maxn = maxn;
    s->bucket = bucket;
    s->n_words = n_words;
    s->dim = dim;
    s->stride = stride;
    const size_t entries = (size_t)t.start[n_words];
    if (entries > INT32_MAX) {
        rc = w2v_fail(err, W2V_EOVERFLOW, "too many n-grams in the vocabulary (%zu)", entries);
        goto fail;
    }
    /* The distinct buckets: sort a copy, drop repeats. */
    sorted = w2v_malloc((entries ? entries : 1) * sizeof *sorted);
    s->rows = w2v_malloc((entries ? entries : 1) * sizeof *s->rows);
    if (!sorted || !s->rows) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for %zu n-grams", entries);
        goto fail;
    }
    if (entries)
        memcpy(sorted, t.ids, entries * sizeof *sorted);
    qsort(sorted, entries, sizeof *sorted, cmp_u32);
    size_t g = 0;
    for (size_t i = 0; i < entries; i++)
        if (g == 0 || sorted[i] != sorted[g - 1])
            sorted[g++] = sorted[i];
    s->n_grams = (int32_t)g;
    for (size_t i = 0; i < entries; i++)
        s->rows[i] = rank_of(sorted, s->n_grams, t.ids[i]);
    s->gram_ids = w2v_realloc(sorted, (g ? g : 1) * sizeof *sorted);
    if (!s->gram_ids) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for %zu n-grams", g);
        goto fail;
    }
    sorted = NULL;
    s->start = t.start; /* taken over from the table */
    t.start = NULL;
    for (int32_t w = 0; w < n_words; w++)
        if (s->start[w + 1] - s->start[w] > s->max_rows)
            s->max_rows = (int32_t)(s->start[w + 1] - s->start[w]);
    size_t bytes;
    if (w2v_size_mul(g ? g : 1, stride * sizeof(float), &bytes) != 0) {
        rc = w2v_fail(err, W2V_EOVERFLOW, "%zu n-gram rows are too many", g);
        goto fail;
    }
    s->grams = w2v_aligned_alloc(bytes);
    if (!s->grams) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for %zu n-gram rows (%zu MB)", g,
                      bytes >> 20);
        goto fail;
    }
    /* Like syn0 (model.c), from a stream of the seed of its own. */
    struct rng r;
    rng_seed(&r, seed, UINT64_C(0xFFFFFFFE));
    const float scale = 1.0f / (float)dim;
    for (size_t i = 0; i < g; i++) {
        float *row = s->grams + i * stride;
        for (int32_t d = 0; d < dim; d++)
            row[d] = (rng_uniform(&r) - 0.5f) * scale;
        for (size_t d = (size_t)dim; d < stride; d++)
            row[d] = 0.0f;
    }
    ngram_table_release(&t);
    return 0;
fail:
    w2v_free(sorted);
    ngram_table_release(&t);
    subword_release(s);
    return rc;
}

void subword_compose(const struct subword_state *s, float *syn0)
{
    for (int32_t w = 0; w < s->n_words; w++) {
        // syn0: [V, stride]; grams: [G, stride]
        float *x = syn0 + (size_t)w * s->stride;
        const int64_t a = s->start[w], b = s->start[w + 1];
        if (a == b)
            continue;
        for (int64_t k = a; k < b; k++) {
            const float *g = s->grams + (size_t)s->rows[k] * s->stride;
            for (int32_t d = 0; d < s->dim; d++)
                x[d] += g[d];
        }
        const float scale = 1.0f / (float)(b - a + 1);
        for (int32_t d = 0; d < s->dim; d++)
            x[d] *= scale;
    }
}

int subword_save(const struct subword_state *s, const char *path, const char *const *words,
                 const float *syn0, struct w2v_err *err)
{
    struct subword_model_data d = {s->dim, s->minn, s->maxn, s->bucket, s->n_words, words, syn0,
                                   s->stride, s->n_grams, s->gram_ids, s->grams, s->stride};
    return subword_model_write(path, &d, err);
}
