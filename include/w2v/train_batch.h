/* train_batch.h — the batched kernel (`--kernel batched`): the HogBatch
 * scheme of Ji et al. ("Parallelizing Word2Vec in Shared and Distributed
 * Memory", Intel's pWord2Vec) for all four model x objective pairs.
 *
 * Skip-gram: for each centre word the window's context rows (the inputs)
 * meet one set of output rows at once — the centre word's NS row and ONE
 * set of K negatives shared by the whole window, or the inner nodes of the
 * centre word's Huffman path — as a small matrix-matrix step instead of
 * 2*window*(1+K) separate dot products.
 * CBOW: the mean (or sum) of the context rows is the one input row of the
 * same step; its gradient is added to every context row, as the original.
 *
 * Differences from the reference kernel, all deliberate:
 * - a negative equal to the centre word is skipped (as the reference);
 *   a negative drawn twice for one window is kept once with weight 2, which
 *   is the same update both draws would give against the same scores;
 * - within one block every score uses the rows as they were before the
 *   block (the batched update), so results are not bit-identical with the
 *   reference, only as good (tested on planted and structured corpora);
 * - NS uses the exact logistic function (kernels.h) rather than the
 *   table clamped at ±6; HS keeps the original's rule of skipping a node
 *   whose score lies outside (-6, 6);
 * - negatives are drawn a few centre words ahead so that their rows can be
 *   prefetched; the stream of random numbers differs from the reference's,
 *   but one thread with one seed still gives the same bits every run. */
#ifndef W2V_TRAIN_BATCH_H
#define W2V_TRAIN_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/train.h"

/* Per-thread buffers of the batched kernel. Allocate for tr (its options
 * and Huffman tree must be final). Returns NULL when out of memory. Thread-
 * safe; the buffers belong to one thread. */
struct batch_buf *batch_buf_new(const struct trainer *tr);
void batch_buf_free(struct batch_buf *b); /* NULL is fine */

/* Bytes batch_buf_new would allocate for these options and a longest
 * Huffman code of max_code (0 without --hs). Pure. */
size_t batch_buf_bytes(const struct train_options *o, int32_t max_code);

/* Train one sentence of kept ids with the batched kernel; t->batch must
 * come from batch_buf_new for t->tr. Same contract as the reference. */
void train_sentence_batched(struct train_thread *t, const int32_t *sentence, int32_t len);

#endif
