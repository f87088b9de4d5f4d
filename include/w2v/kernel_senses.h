/* kernel_senses.h — the sense pass of `train --senses K` (multi-sense
 * skip-gram, Neelakantan et al. 2014; the table and its rule: senses.h).
 *
 * The global model is trained exactly as plain skip-gram by the ordinary
 * kernel; the sense pass runs after it over the same sentence, with a
 * random stream of its own, and never writes a model row. So vec.bin keeps
 * one vector per word and, with one thread and one seed, is the same file
 * plain skip-gram writes (tested): the main output cannot get worse.
 *
 * For each occurrence of a word with senses (after a warm-up, see below):
 *   ctx = the average of the window's context rows in syn0 (the global
 *         vectors, as MSSG averages its global vectors), minus the mean
 *         context vector (senses.h: centring), which each thread
 *         recomputes every W2V_SENSES_MEAN_REFRESH words;
 *   k   = senses_assign(ctx): the nearest centre, or a new sense below λ;
 *   the sense vector v_k takes one skip-gram negative-sampling step against
 *   the window's output rows (syn1neg of each context word, label 1) and K
 *   negatives shared by the window (label 0, weight = the number of
 *   context words, so each (sense, context) pair sees K negatives as in
 *   the batched kernel). The output rows are only read: the senses are fit
 *   to the global model's output space, which is why their nearest words
 *   can be looked up among the global vectors.
 *
 * Warm-up: for the first W2V_SENSES_WARMUP of the training words the
 * global vectors are still close to their random start, so context averages
 * say nothing and the pass is skipped; a new sense starts as a copy of the
 * word's global vector at the moment it opens. */
#ifndef W2V_KERNEL_SENSES_H
#define W2V_KERNEL_SENSES_H

#include <stddef.h>

#include "w2v/train.h"

#define W2V_SENSES_WARMUP 0.1 /* share of all training words before senses open */
#define W2V_SENSES_MEAN_REFRESH 1000000 /* kept words between a thread's mean-context updates */

struct senses_buf;

/* Per-thread buffers of the sense pass for tr (its options final), with a
 * random stream seeded from (opt.seed, thread id) apart from the thread's
 * own. NULL when out of memory. Thread-safe. */
struct senses_buf *senses_buf_new(const struct trainer *tr, int thread_id);
void senses_buf_free(struct senses_buf *b); /* NULL is fine */

/* Bytes senses_buf_new allocates for these options. Pure. */
size_t senses_buf_bytes(const struct train_options *o);

/* The sense pass over one sentence of kept ids; t->senses from
 * senses_buf_new, tr->senses initialised. Hogwild on the sense and centre
 * rows (senses.h); reads model rows others write. */
void train_sentence_senses(struct train_thread *t, const int32_t *sentence, int32_t len);

#endif
