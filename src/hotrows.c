/* hotrows.c — per-thread private copies of hot rows (see hotrows.h). */
#include "hotrows.h"

#include <string.h>

#include "w2v/common.h"

int hot_rows_init(struct hot_rows *h, float *shared, size_t stride, int32_t lo, int32_t count)
{
    memset(h, 0, sizeof *h);
    h->shared = shared;
    h->stride = stride;
    h->lo = lo;
    h->touched = &h->sink;
    h->weight = 1.0f;
    if (count <= 0)
        return 0;
    size_t floats;
    if (w2v_size_mul((size_t)count, stride, &floats) != 0 ||
        w2v_size_mul(floats, sizeof(float), &floats) != 0)
        return W2V_EOVERFLOW;
    h->local = w2v_aligned_alloc(floats);
    h->base = w2v_aligned_alloc(floats);
    /* Written on every lookup: lines of its own (no false sharing). */
    uint8_t *touched = w2v_aligned_alloc((size_t)count + 1);
    if (!h->local || !h->base || !touched) {
        w2v_aligned_free(touched);
        hot_rows_release(h);
        return W2V_ENOMEM;
    }
    memset(touched, 0, (size_t)count + 1);
    h->touched = touched;
    h->count = count;
    h->weighted_from = count;
    /* Hogwild: other threads may be writing these rows already; any value
     * they hold is a fine starting point, and a change made between this
     * copy and the first sync is overwritten in the copy only, not lost in
     * the shared row (the sync adds differences). */
    const float *src = shared + (size_t)lo * stride;
    memcpy(h->local, src, floats);
    memcpy(h->base, h->local, floats);
    return 0;
}

void hot_rows_release(struct hot_rows *h)
{
    if (!h)
        return;
    w2v_aligned_free(h->local);
    w2v_aligned_free(h->base);
    if (h->touched != &h->sink)
        w2v_aligned_free(h->touched);
    memset(h, 0, sizeof *h);
}

/* shared[n] += weight (local[n] - base[n]); then local = base = shared.
 * The shared row is read and written once (Hogwild: another thread may add
 * to it at the same moment; as with every row update, such a race can lose
 * one of the two additions, which SGD tolerates). */
static void sync_row(float *shared, float *restrict local, float *restrict base, size_t n,
                     float weight)
{
    for (size_t i = 0; i < n; i++) {
        float v = shared[i] + weight * (local[i] - base[i]);
        shared[i] = v;
        local[i] = v;
        base[i] = v;
    }
}

void hot_rows_sync(struct hot_rows *h)
{
    const size_t n = h->stride;
    for (size_t k = 0; k < (size_t)h->count; k++) {
        if (!h->touched[k])
            continue;
        h->touched[k] = 0;
        sync_row(h->shared + ((size_t)h->lo + k) * n, h->local + k * n, h->base + k * n, n,
                 k >= (size_t)h->weighted_from ? h->weight : 1.0f);
    }
}
