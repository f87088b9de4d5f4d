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
 * - NS uses the exact logistic function (simd_sigmoid) rather than the
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

/* Output rows per block step: the score pass keeps this many partial sums,
 * and the update pass this many rows plus their updates, in registers. */
#define W2V_BATCH_GROUP 8
/* CBOW's step holds one output chunk at a time: 16 (most HS paths are one
 * group), bounded by the 16-lane score reduction. */
#define W2V_BATCH_GROUP_CBOW 16

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

/* One skip-gram block step, in place (exposed for tests):
 *
 *   in:  [B] rows of n floats (context rows), updated in place
 *   out: [M] DISTINCT rows of n floats, updated in place, M <= W2V_BATCH_GROUP
 *   G[b][m] = alpha * mult[m] * (label[m] - σ(in_b · out_m))
 *             (0 where clip is set and |in_b · out_m| >= W2V_SIGMOID_MAX)
 *   in_b  += Σ_m G[b][m] out_m      out_m += Σ_b G[b][m] in_b
 *
 * with every product taken from the rows as they were before the step. An
 * input row may repeat: each occurrence's update lands (the later one sees
 * the earlier's input row). n must be a multiple of 16; scratch holds
 * B * W2V_BATCH_GROUP + 16 floats. In and out rows must not overlap. Hogwild:
 * other threads may update the same rows at the same time (tolerated, see
 * train.h). */
void batch_block_sg(float *const *in, int B, float *const *out, const float *label,
                    const float *mult, int M, size_t n, float alpha, int clip, float *scratch);

/* One CBOW block step: h [n] is the hidden row (context mean or sum), read
 * only; with G[m] = alpha * mult[m] * (label[m] - σ(h · out_m)) (clip as
 * above), every ctx row gets e = Σ_m G[m] out_m (rows before the step) and
 * out_m += G[m] h. ctx rows may repeat (each occurrence adds e). M <=
 * W2V_BATCH_GROUP_CBOW; n and overlap as for batch_block_sg. */
void batch_block_cbow(const float *h, float *const *ctx, int C, float *const *out,
                      const float *label, const float *mult, int M, size_t n, float alpha,
                      int clip);

#endif
