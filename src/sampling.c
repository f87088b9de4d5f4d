/* sampling.c — alias-table construction and subsampling probabilities. */
#include "w2v/sampling.h"

#include <math.h>

int alias_build(struct alias_table *a, const int64_t *counts, int32_t n, double exponent,
                struct w2v_err *err)
{
    double *scaled = NULL;
    int32_t *small = NULL, *large = NULL;
    int status = 0;
    a->n = 0;
    a->entries = NULL;
    if (n < 1 || !isfinite(exponent))
        return w2v_fail(err, W2V_EINVAL, "negative sampler: no words or a bad exponent");

    scaled = w2v_calloc((size_t)n, sizeof *scaled);
    small = w2v_calloc((size_t)n, sizeof *small);
    large = w2v_calloc((size_t)n, sizeof *large);
    a->entries = w2v_calloc((size_t)n, sizeof *a->entries);
    if (!scaled || !small || !large || !a->entries) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory for the negative sampler (%ld words)",
                          (long)n);
        goto fail;
    }

    /* Weights are normalised by the largest count first so that count^e
     * cannot overflow for large exponents. */
    int64_t max_count = 0;
    for (int32_t i = 0; i < n; i++) {
        if (counts[i] < 0) {
            status = w2v_fail(err, W2V_EINVAL, "negative sampler: negative count");
            goto fail;
        }
        if (counts[i] > max_count)
            max_count = counts[i];
    }
    if (max_count == 0) {
        status = w2v_fail(err, W2V_EINVAL, "negative sampler: every count is zero");
        goto fail;
    }
    double sum = 0.0;
    for (int32_t i = 0; i < n; i++) {
        scaled[i] = counts[i] > 0 ? pow((double)counts[i] / (double)max_count, exponent) : 0.0;
        sum += scaled[i];
    }
    if (!(sum > 0.0) || !isfinite(sum)) {
        status = w2v_fail(err, W2V_EINVAL, "negative sampler: weights do not sum to a finite value");
        goto fail;
    }

    /* Vose's method: scale so the mean bucket holds 1.0, then pair each
     * under-full bucket with an over-full one that tops it up. */
    int32_t n_small = 0, n_large = 0;
    for (int32_t i = 0; i < n; i++) {
        scaled[i] = scaled[i] * (double)n / sum;
        if (scaled[i] < 1.0)
            small[n_small++] = i;
        else
            large[n_large++] = i;
    }
    while (n_small > 0 && n_large > 0) {
        int32_t s = small[--n_small];
        int32_t l = large[n_large - 1];
        a->entries[s].prob = (float)scaled[s];
        a->entries[s].alias = l;
        scaled[l] -= 1.0 - scaled[s];
        if (scaled[l] < 1.0) {
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
        a->entries[s].prob = counts[s] > 0 ? 1.0f : 0.0f;
        a->entries[s].alias = s;
    }
    for (int32_t i = 0; i < n; i++)
        if (counts[a->entries[i].alias] == 0) {
            /* Only reachable through rounding; redirect to the heaviest word. */
            for (int32_t j = 0; j < n; j++)
                if (counts[j] == max_count) {
                    a->entries[i].alias = j;
                    break;
                }
        }
    a->n = n;
    w2v_free(scaled);
    w2v_free(small);
    w2v_free(large);
    return 0;

fail:
    w2v_free(scaled);
    w2v_free(small);
    w2v_free(large);
    w2v_free(a->entries);
    a->entries = NULL;
    a->n = 0;
    return status;
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
