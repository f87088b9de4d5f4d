/* query_toolkit.c — what gensim's KeyedVectors users reach for beyond one
 * top-k: positive and negative words, 3CosMul analogies, the odd one out.
 * Built only on query.h's public functions (unit rows, the dot kernel, the
 * normalisation, the bounded heap), so it follows whatever the search does
 * inside and scores exactly as it does. */
#include "w2v/query.h"

#include <string.h>

int query_vector_mix(const struct query_model *m, const int64_t *pos, size_t n_pos,
                     const int64_t *neg, size_t n_neg, float *out, struct w2v_err *err)
{
    const size_t dim = (size_t)m->dim;
    int rc = 0;
    float *u = w2v_malloc(dim * sizeof *u); /* [dim] one word's unit vector */
    if (!u) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    /* Positives first, in the order query_vector_nearest sums them, so
     * without negatives the two give the same bits. */
    memset(out, 0, dim * sizeof *out);
    for (size_t i = 0; i < n_pos + n_neg; i++) {
        const int is_pos = i < n_pos;
        rc = query_model_unit(m, is_pos ? pos[i] : neg[i - n_pos], u, err);
        if (rc < 0)
            goto fail;
        for (size_t j = 0; j < dim; j++)
            out[j] += is_pos ? u[j] : -u[j];
    }
    query_normalize(out, dim); /* a sum of unit vectors is finite */
fail:
    w2v_free(u);
    return rc;
}

int query_analogy_3cosmul(const struct query_model *m, int64_t a, int64_t b, int64_t c,
                          const struct query_options *opt, struct query_hit *hits,
                          size_t *n_hits, struct w2v_err *err)
{
    const size_t dim = (size_t)m->dim;
    struct query_heap heap = {0};
    float *u = NULL;
    int rc = 0;
    *n_hits = 0;
    if (opt->k == 0)
        return w2v_fail(err, W2V_EINVAL, "the number of results must be at least 1");
    int64_t hi = m->rows;
    if (opt->restrict_rows > 0 && opt->restrict_rows < hi)
        hi = opt->restrict_rows;
    if (hi <= 0)
        return 0;
    /* No more hits than candidates: keeps the heap small for a large k. */
    size_t k = (uint64_t)opt->k > (uint64_t)hi ? (size_t)hi : opt->k;
    u = w2v_malloc(4 * dim * sizeof *u); /* [4, dim]: a, b, c, the candidate */
    if (!u || query_heap_init(&heap, k) != 0) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    float *ua = u, *ub = u + dim, *uc = u + 2 * dim, *ux = u + 3 * dim;
    if ((rc = query_model_unit(m, a, ua, err)) < 0 || (rc = query_model_unit(m, b, ub, err)) < 0 ||
        (rc = query_model_unit(m, c, uc, err)) < 0)
        goto fail;
    for (int64_t r = 0; r < hi; r++) {
        if (r == a || r == b || r == c)
            continue;
        if ((rc = query_model_unit(m, r, ux, err)) < 0)
            goto fail;
        /* b is the word taken away: it plays eval's a (the denominator). */
        float s = query_3cosmul(query_cos_shift(query_dot(ub, ux, dim)),
                                query_cos_shift(query_dot(ua, ux, dim)),
                                query_cos_shift(query_dot(uc, ux, dim)));
        query_heap_push(&heap, r, s);
    }
    *n_hits = query_heap_sort(&heap);
    memcpy(hits, heap.hits, *n_hits * sizeof *hits);
fail:
    query_heap_release(&heap);
    w2v_free(u);
    return rc;
}

int query_doesnt_match(const struct query_model *m, const int64_t *rows, size_t n,
                       float *scores, size_t *odd, struct w2v_err *err)
{
    const size_t dim = (size_t)m->dim;
    int rc = 0;
    if (n < 2)
        return w2v_fail(err, W2V_EINVAL, "the odd one out needs at least 2 words, got %zu", n);
    float *u = w2v_malloc(2 * dim * sizeof *u); /* [2, dim]: the mean, one word */
    if (!u) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    /* gensim's mean of unit vectors, normalised: nearest's query vector. */
    if ((rc = query_vector_nearest(m, rows, n, u, err)) < 0)
        goto fail;
    *odd = 0;
    for (size_t i = 0; i < n; i++) {
        if ((rc = query_model_unit(m, rows[i], u + dim, err)) < 0)
            goto fail;
        scores[i] = query_dot(u, u + dim, dim);
        if (scores[i] < scores[*odd])
            *odd = i;
    }
fail:
    w2v_free(u);
    return rc;
}
