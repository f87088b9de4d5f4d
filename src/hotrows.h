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
 * matrix and, every so often (hot_rows_sync; the batched kernel syncs every
 * few thousand words), adds what it changed to the shared rows and takes
 * their new values — the other threads' changes included. This is delta
 * accumulation, as model-averaging schemes do between machines: the shared
 * rows move once per sync instead of once per window, and a thread sees
 * the others' changes to these rows a sync late. With weight 1 nothing is
 * lost: every update lands. With weight 1/T on some copies the T threads'
 * changes to those rows are averaged instead, as model averaging does: for
 * rows that every thread moves the same way between syncs (hot_rows_sync).
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
    uint8_t *touched;   /* [count + 1] 1: copy h changed since the last sync; entry
                         * [count] takes the marks of lookups of rows not kept */
    uint8_t sink;       /* touched's one entry when count is 0 */
    float weight;       /* a sync adds weight x the change of copies weighted_from .. */
    int32_t weighted_from; /* .. count - 1, and all of the others' (init: count: none) */
};

/* Keep private copies of rows [lo, lo + count) of shared ([>= lo + count,
 * stride]); count 0 makes every lookup a pass-through. Copies the rows as
 * they are now. Returns 0 or W2V_ENOMEM. */
int hot_rows_init(struct hot_rows *h, float *shared, size_t stride, int32_t lo, int32_t count);

/* Free the copies. Safe on a zeroed or released struct. */
void hot_rows_release(struct hot_rows *h);

/* Add the changes made to the private copies since the last sync to the
 * shared rows (those of copies weighted_from .. count - 1 times h->weight),
 * then refresh every changed copy from the shared row. A weight of 1/T
 * averages the changes of T threads instead of summing them: for rows that
 * every thread moves the same way between two syncs (the Huffman nodes
 * nearest the root), the sum overshoots, since no thread's steps saw the
 * others' (kernel_batch.c). */
void hot_rows_sync(struct hot_rows *h);

/* Both lookups are branch-free: whether a row is hot follows the word
 * stream, which no predictor can guess (a third of the lookups are not
 * hot), and with a branch each miss cost more than the lookup; selecting
 * with a mask made one thread training on copies about 6% faster
 * (skip-gram NS, issue 17).
 * hot_rows_select: for id r, the matrix to use (shared or local) and the
 * row's index in it; *slot the touched[] entry to mark. */
static inline float *hot_rows_select(const struct hot_rows *h, int32_t r, size_t *slot)
{
    const uint32_t k = (uint32_t)(r - h->lo);
    const uintptr_t hot = (uintptr_t)0 - (uintptr_t)(k < (uint32_t)h->count);
    const uintptr_t id = (uint32_t)r, count = (uint32_t)h->count;
    const uintptr_t index = id ^ ((id ^ k) & hot);
    const uintptr_t shared = (uintptr_t)h->shared, local = (uintptr_t)h->local;
    *slot = (size_t)(count ^ ((count ^ k) & hot));
    return (float *)(shared ^ ((shared ^ local) & hot)) + index * h->stride;
}

/* The row to train for id r: its private copy when r is hot (marked
 * changed, since the caller is about to write it), else the shared row. */
static inline float *hot_rows_get(struct hot_rows *h, int32_t r)
{
    size_t slot;
    float *row = hot_rows_select(h, r, &slot);
    h->touched[slot] = 1;
    return row;
}

/* The row that hot_rows_get would return, without marking it (for
 * prefetching). */
static inline const float *hot_rows_peek(const struct hot_rows *h, int32_t r)
{
    size_t slot;
    return hot_rows_select(h, r, &slot);
}

#endif
