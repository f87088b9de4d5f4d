/* sampling.c — alias-table construction and subsampling probabilities. */
#include "w2v/sampling.h"

#include <math.h>
#include <string.h>

/* Vose's alias table over weights w[0..n) (each >= 0, finite, sum > 0);
 * w is overwritten. Returns 0 or W2V_ENOMEM. */
static int alias_from_weights(struct alias_table *a, double *w, int32_t n, struct w2v_err *err)
{
    int32_t *small = w2v_calloc((size_t)n, sizeof *small);
    int32_t *large = w2v_calloc((size_t)n, sizeof *large);
    uint8_t *drawable = w2v_calloc((size_t)n, sizeof *drawable);
    a->entries = w2v_calloc((size_t)n, sizeof *a->entries);
    if (!small || !large || !drawable || !a->entries) {
        w2v_free(small);
        w2v_free(large);
        w2v_free(drawable);
        w2v_free(a->entries);
        a->entries = NULL;
        return w2v_fail(err, W2V_ENOMEM, "out of memory for the negative sampler (%ld words)",
                        (long)n);
    }
    double sum = 0.0;
    int32_t heaviest = 0;
    for (int32_t i = 0; i < n; i++) {
        sum += w[i];
        drawable[i] = w[i] > 0.0;
        if (w[i] > w[heaviest])
            heaviest = i;
    }
    /* Scale so the mean bucket holds 1.0, then pair each under-full bucket
     * with an over-full one that tops it up. */
    int32_t n_small = 0, n_large = 0;
    for (int32_t i = 0; i < n; i++) {
        w[i] = w[i] * (double)n / sum;
        if (w[i] < 1.0)
            small[n_small++] = i;
        else
            large[n_large++] = i;
    }
    while (n_small > 0 && n_large > 0) {
        int32_t s = small[--n_small];
        int32_t l = large[n_large - 1];
        a->entries[s].prob = (float)w[s];
        a->entries[s].alias = l;
        w[l] -= 1.0 - w[s];
        if (w[l] < 1.0) {
            n_large--;
            small[n_small++] = l;
        }
    }
    /* What is left is full up to rounding error. A zero-weight word can
     * only be left here through rounding; point it at a real word. */
    while (n_large > 0) {
        int32_t l = large[--n_large];
        a->entries[l].prob = 1.0f;
        a->entries[l].alias = l;
    }
    while (n_small > 0) {
        int32_t s = small[--n_small];
        a->entries[s].prob = drawable[s] ? 1.0f : 0.0f;
        a->entries[s].alias = s;
    }
    for (int32_t i = 0; i < n; i++)
        if (!drawable[a->entries[i].alias])
            a->entries[i].alias = heaviest; /* only reachable through rounding */
    a->n = n;
    w2v_free(small);
    w2v_free(large);
    w2v_free(drawable);
    return 0;
}

/* count^exponent for counts[ids[k]] (ids NULL: counts[k]), k < n, into
 * w[k], normalised by the largest count first so that a large exponent
 * cannot overflow; 0 for a zero count. Returns 0 or W2V_EINVAL. */
static int count_weights(double *w, const int64_t *counts, const int32_t *ids, int32_t n,
                         double exponent, struct w2v_err *err)
{
    int64_t max_count = 0;
    for (int32_t k = 0; k < n; k++) {
        int64_t c = counts[ids ? ids[k] : k];
        if (c < 0)
            return w2v_fail(err, W2V_EINVAL, "negative sampler: negative count");
        if (c > max_count)
            max_count = c;
    }
    if (max_count == 0)
        return w2v_fail(err, W2V_EINVAL, "negative sampler: every count is zero");
    double sum = 0.0;
    for (int32_t k = 0; k < n; k++) {
        int64_t c = counts[ids ? ids[k] : k];
        w[k] = c > 0 ? pow((double)c / (double)max_count, exponent) : 0.0;
        sum += w[k];
    }
    if (!(sum > 0.0) || !isfinite(sum))
        return w2v_fail(err, W2V_EINVAL, "negative sampler: weights do not sum to a finite value");
    return 0;
}

int alias_build(struct alias_table *a, const int64_t *counts, int32_t n, double exponent,
                struct w2v_err *err)
{
    a->n = 0;
    a->entries = NULL;
    if (n < 1 || !isfinite(exponent))
        return w2v_fail(err, W2V_EINVAL, "negative sampler: no words or a bad exponent");
    double *w = w2v_calloc((size_t)n, sizeof *w);
    if (!w)
        return w2v_fail(err, W2V_ENOMEM, "out of memory for the negative sampler (%ld words)",
                        (long)n);
    int status = count_weights(w, counts, NULL, n, exponent, err);
    if (status == 0)
        status = alias_from_weights(a, w, n, err);
    w2v_free(w);
    return status;
}

int32_t alias_share_size(int32_t n, int32_t from, int32_t block, int part, int parts)
{
    if (from < 0)
        from = 0;
    if (from > n)
        from = n;
    /* Whole rounds of parts * block ids past from, then what part gets of
     * the last, partial round. */
    int64_t tail = (int64_t)n - from, round = (int64_t)block * parts;
    int64_t own = tail / round * block, rest = tail % round - (int64_t)part * block;
    own += rest <= 0 ? 0 : rest < block ? rest : block;
    return (int32_t)(from + own);
}

int alias_share_build(struct alias_share *s, const int64_t *counts, int32_t n, double exponent,
                      int32_t from, int32_t block, int part, int parts, struct w2v_err *err)
{
    memset(s, 0, sizeof *s);
    int shift = 0;
    while (shift < 30 && ((int32_t)1 << shift) < block)
        shift++;
    if (n < 1 || !isfinite(exponent) || block < 1 || block != ((int32_t)1 << shift) ||
        parts < 1 || part < 0 || part >= parts)
        return w2v_fail(err, W2V_EINVAL, "negative sampler: bad share");
    from = from < 0 ? 0 : from > n ? n : from; /* as alias_share_size takes it */
    const int32_t m = alias_share_size(n, from, block, part, parts);
    if (m < 1)
        return w2v_fail(err, W2V_EINVAL, "negative sampler: share %d of %d holds no words", part,
                        parts);
    s->from = from;
    s->part = part;
    s->parts = parts;
    s->block_shift = shift;
    double *w = w2v_calloc((size_t)m, sizeof *w);
    int32_t *ids = w2v_calloc((size_t)m, sizeof *ids);
    if (!w || !ids) {
        w2v_free(w);
        w2v_free(ids);
        alias_share_release(s);
        return w2v_fail(err, W2V_ENOMEM, "out of memory for the negative sampler (%ld words)",
                        (long)m);
    }
    for (int32_t k = 0; k < m; k++)
        ids[k] = alias_share_id(s, k);
    int status = count_weights(w, counts, ids, m, exponent, err);
    if (status == 0) {
        for (int32_t j = 0; j < m; j++)
            if (ids[j] >= from)
                w[j] *= parts;
        status = alias_from_weights(&s->table, w, m, err);
    }
    if (status == 0) /* a draw then reads one entry, not an entry and an id */
        for (int32_t j = 0; j < m; j++)
            s->table.entries[j].alias = ids[s->table.entries[j].alias];
    w2v_free(w);
    w2v_free(ids);
    if (status != 0)
        alias_share_release(s);
    return status;
}

void alias_share_release(struct alias_share *s)
{
    alias_release(&s->table);
}

void alias_release(struct alias_table *a)
{
    w2v_free(a->entries);
    a->entries = NULL;
    a->n = 0;
}

int sampling_keep_probs(float *keep, const int64_t *counts, int32_t n, int64_t total,
                        double sample, struct w2v_err *err)
{
    if (n < 0 || total <= 0 || !isfinite(sample))
        return w2v_fail(err, W2V_EINVAL, "subsampling: bad total or sample");
    double threshold = sample * (double)total;
    for (int32_t i = 0; i < n; i++) {
        double p = 1.0;
        if (sample > 0.0 && counts[i] > 0) {
            double c = (double)counts[i];
            /* (sqrt(f/t) + 1) * t/f with f = c/total, t = sample. */
            p = (sqrt(c / threshold) + 1.0) * threshold / c;
        }
        keep[i] = p >= 1.0 ? 1.0f : (float)p;
    }
    return 0;
}
