/* subword.h — training with subword information (`train --subwords`, the
 * "subword" kernel), fastText's scheme (Bojanowski et al. 2017) on w2v's
 * trainer.
 *
 * A word's input vector is the mean of its own syn0 row and the rows of
 * its character n-grams (ngram.h); the gradient of that mean goes, whole,
 * to each of those rows, as fastText does. N-gram rows are kept only for
 * the buckets some vocabulary word reaches (G of them, usually well under
 * `bucket`), so memory is 4·S·G bytes, not 4·S·bucket; the same rows are
 * what the subword model file stores.
 *
 * The kernel (src/kernel_subword.c), for each centre word:
 * - skip-gram: the input is the centre word's mean; each context word in
 *   the window is a target in turn, with K negatives of its own (one equal
 *   to the target is skipped) and/or its Huffman path, as fastText; the
 *   mean moves by each target's gradient before the next target, and the
 *   input rows get the summed gradient once, after the window;
 * - CBOW: the input is the mean of every row of every context word (their
 *   word rows and all their n-gram rows, as fastText's CBOW), the target
 *   the centre word with K negatives, or its Huffman path; every one of
 *   those rows gets the gradient (--cbow-sum: the sum instead of the mean).
 * Each step is the kernels module's CBOW block step against a single
 * scratch row that collects the input gradient. Hogwild as the other
 * kernels: the n-gram rows are shared and updated without locks too.
 *
 * Use: train_init with kernel "subword", subword_init over the vocabulary
 * with the model's dim and stride (train_model), subword_attach, train_run,
 * then subword_compose on the model's syn0 and subword_save. */
#ifndef W2V_SUBWORD_H
#define W2V_SUBWORD_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/train.h"

#define SUBWORD_DEFAULT_MINN 3
#define SUBWORD_DEFAULT_MAXN 6
#define SUBWORD_DEFAULT_BUCKET 2000000

/* The n-gram side of a subword model, shared by all training threads
 * (read-only but for the rows' contents). */
struct subword_state {
    int minn, maxn;
    uint32_t bucket;
    int32_t n_words;        /* V, the trainer's vocabulary */
    int32_t n_grams;        /* G: distinct buckets the vocabulary reaches */
    int64_t *start;         /* [V + 1]: word w's n-gram rows are rows[start[w] .. start[w+1]) */
    int32_t *rows;          /* [start[V]] indices into grams (0..G-1), fastText's order */
    int32_t max_rows;       /* most n-gram rows of one word */
    uint32_t *gram_ids;     /* [G] the bucket of each n-gram row, increasing */
    float *grams;           /* [G, stride] row-major, 64-byte aligned: the n-gram input rows */
    size_t stride;          /* the model's row stride */
    int32_t dim;
};

/* Build the n-gram rows for words[0..n_words) (id order, "</s>" gets no
 * n-grams) with dim/stride as the model's: rows initialised like syn0
 * (uniform in [-0.5/D, 0.5/D) from seed), padding zero. Returns 0,
 * W2V_EINVAL (settings), W2V_ENOMEM, W2V_EOVERFLOW (err filled); on
 * failure s is released. Not thread-safe. */
int subword_init(struct subword_state *s, const char *const *words, int32_t n_words, int minn,
                 int maxn, uint32_t bucket, int32_t dim, size_t stride, uint64_t seed,
                 struct w2v_err *err);

void subword_release(struct subword_state *s); /* safe on zeroed/released */

/* After training: replace each syn0 row w ([V, stride]) by word w's
 * composed vector, the mean of its row and its n-gram rows (what the
 * vectors file and the model file hold). Not thread-safe. */
void subword_compose(const struct subword_state *s, float *syn0);

/* Write the subword model file (subword_model.h) from composed syn0 rows
 * and the n-gram rows. words: [V]. Returns as subword_model_write. */
int subword_save(const struct subword_state *s, const char *path, const char *const *words,
                 const float *syn0, struct w2v_err *err);

/* Hand s to tr's subword kernel (train_options.kernel "subword"): s is
 * borrowed and must outlive tr; its n-gram rows are trained in place by
 * train_run. Call between train_init and train_run. Returns 0, or
 * W2V_EINVAL when tr does not use the subword kernel or s's rows do not
 * match tr's model (dim, stride, words). Not thread-safe. */
int subword_attach(struct trainer *tr, struct subword_state *s, struct w2v_err *err);

#endif
