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
    if (count <= 0)
        return 0;
    size_t floats;
    if (w2v_size_mul((size_t)count, stride, &floats) != 0 ||
        w2v_size_mul(floats, sizeof(float), &floats) != 0)
        return W2V_EOVERFLOW;
    h->local = w2v_aligned_alloc(floats);
    h->base = w2v_aligned_alloc(floats);
    /* Written on every lookup: a line of its own (no false sharing). */
    const size_t words = ((size_t)count + 63) / 64;
    h->touched = w2v_aligned_alloc(words * sizeof *h->touched);
    if (!h->local || !h->base || !h->touched) {
        hot_rows_release(h);
        return W2V_ENOMEM;
    }
    memset(h->touched, 0, words * sizeof *h->touched);
    h->count = count;
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
    w2v_aligned_free(h->touched);
    memset(h, 0, sizeof *h);
}

/* shared[n] += local[n] - base[n]; then local = base = shared. The shared
 * row is read and written once (Hogwild: another thread may add to it at
 * the same moment; as with every row update, such a race can lose one of
 * the two additions, which SGD tolerates). */
static void sync_row(float *shared, float *restrict local, float *restrict base, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float v = shared[i] + (local[i] - base[i]);
        shared[i] = v;
        local[i] = v;
        base[i] = v;
    }
}

void hot_rows_sync(struct hot_rows *h)
{
    if (!h->any_touched)
        return;
    h->any_touched = 0;
    const size_t n = h->stride;
    const size_t words = ((size_t)h->count + 63) / 64;
    for (size_t w = 0; w < words; w++) {
        uint64_t bits = h->touched[w];
        h->touched[w] = 0;
        for (; bits; bits &= bits - 1) {
            size_t k = w * 64 + (size_t)__builtin_ctzll(bits);
            sync_row(h->shared + ((size_t)h->lo + k) * n, h->local + k * n, h->base + k * n, n);
        }
    }
}
