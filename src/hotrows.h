/* hotrows.h — per-thread private copies of a matrix's hottest rows.
 *
 * Why. With several threads, every window writes the same few rows: the
 * output rows of the most frequent words (each window draws them as
 * negatives), the input rows of frequent context words, the inner nodes
 * near the root of the Huffman tree (on nearly every path). Under Hogwild
 * each such write moves the row's cache lines to the writing core, so two
 * cores spend their time passing lines back and forth instead of training:
 * a second thread added little or nothing (issue 17).
 *
 * What. A thread trains private copies of the rows [lo, lo + count) of one
 * matrix and, every so often (hot_rows_sync, once per sentence), adds what
 * it changed to the shared rows and takes their new values — the other
 * threads' changes included. This is delta accumulation, as model-averaging
 * schemes do between machines: the shared rows move once per sentence
 * instead of once per window, and a thread sees the others' changes to
 * these rows a sentence late. Nothing is lost: every update lands.
 *
 * Rows are [stride] floats, stride a multiple of 16, as in model.h.
 * Not thread-safe: one struct per thread. The shared rows are read and
 * written without locks (the Hogwild race, tolerated as for every row). */
#ifndef W2V_HOTROWS_H
#define W2V_HOTROWS_H

#include <stddef.h>
#include <stdint.h>

struct hot_rows {
    float *shared;      /* [rows, stride] the shared matrix, borrowed */
    size_t stride;
    int32_t lo;         /* first row kept privately */
    int32_t count;      /* rows kept: lo .. lo + count - 1; 0: none (pass-through) */
    float *local;       /* [count, stride] this thread's copies, trained */
    float *base;        /* [count, stride] the shared rows when last taken */
    uint64_t *touched;  /* [ceil(count / 64)] bit h: copy h changed since the last sync */
    int any_touched;
};

/* Keep private copies of rows [lo, lo + count) of shared ([>= lo + count,
 * stride]); count 0 makes every lookup a pass-through. Copies the rows as
 * they are now. Returns 0 or W2V_ENOMEM. */
int hot_rows_init(struct hot_rows *h, float *shared, size_t stride, int32_t lo, int32_t count);

/* Free the copies. Safe on a zeroed or released struct. */
void hot_rows_release(struct hot_rows *h);

/* Add the changes made to the private copies since the last sync to the
 * shared rows, then refresh every changed copy from the shared row. */
void hot_rows_sync(struct hot_rows *h);

/* The row to train for id r: its private copy when r is hot (marked
 * changed, since the caller is about to write it), else the shared row. */
static inline float *hot_rows_get(struct hot_rows *h, int32_t r)
{
    uint32_t k = (uint32_t)(r - h->lo);
    if (k < (uint32_t)h->count) {
        h->touched[k / 64] |= UINT64_C(1) << (k % 64);
        h->any_touched = 1;
        return h->local + (size_t)k * h->stride;
    }
    return h->shared + (size_t)r * h->stride;
}

/* The row that hot_rows_get would return, without marking it (for
 * prefetching). */
static inline const float *hot_rows_peek(const struct hot_rows *h, int32_t r)
{
    uint32_t k = (uint32_t)(r - h->lo);
    return k < (uint32_t)h->count ? h->local + (size_t)k * h->stride
                                  : h->shared + (size_t)r * h->stride;
}

#endif
