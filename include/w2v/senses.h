/* senses.h — several vectors per word: the sense table of multi-sense
 * skip-gram (Neelakantan et al., EMNLP 2014, "Efficient Non-parametric
 * Estimation of Multiple Embeddings per Word in Vector Space"), its files,
 * and the sense choice for disambiguation.
 *
 * Each of the n_words most frequent words (vocabulary ids 1..n_words; slot
 * = id - 1) owns up to K sense vectors and one context-cluster centre per
 * sense. For an occurrence, the average of its context words' global
 * vectors is compared with the centres: when even the nearest is less
 * similar than λ (the threshold) and fewer than K senses are open, a new
 * sense opens (the non-parametric rule, NP-MSSG). Otherwise training gives
 * the occurrence to the sense whose vector best predicts the context words
 * (the largest cosine with the sum of their output vectors, whose dot
 * product with a sense vector is the very score skip-gram raises), and
 * disambiguation, which has no output vectors, to the sense whose centre
 * is nearest by cosine. The chosen
 * centre moves toward that context: it is the running sum of the unit
 * context averages assigned to it, so its direction is their mean
 * direction (cosine ignores the length).
 *
 * Why the fit and not the nearest centre, as MSSG does. A context average
 * of input vectors says mostly what the text is about, so two unrelated
 * words of one kind of text (a `generator` and a `fault` in manuals) fall
 * into one cluster; the output vectors say which word fits the window.
 * On the pseudo-words of bench-senses.sh (K = 2; four draws of 40 pairs,
 * three runs each) the fit split 79.6% of the pairs where the nearest
 * centre split 75.8% (docs/BENCHMARKS.md). The cosine, not the raw dot
 * product: a sense that wins grows longer, and by length alone would win
 * every context (on a planted corpus of two disjoint topics, one sense
 * took 89% of both).
 *
 * Centring. Skip-gram's word vectors share a large common direction, so
 * the raw averages of any two contexts have a high cosine (0.6 to 0.9 on
 * corpus1m) and λ would have to sit in that narrow band. Every context
 * average is therefore taken relative to the mean context vector (the
 * global vectors weighted by how often each word is a context word, after
 * subsampling): cosines then spread around 0, related contexts high,
 * unrelated ones near 0, and λ reads as a plain cosine.
 *
 * Files. A senses file is a word2vec file (binary or text) whose rows are
 * WORD#1 .. WORD#n for every word with senses, n <= K the senses actually
 * used, most frequent sense first: gensim and `w2v nearest` read it.
 * Beside it, PATH.ctx (W2V_SENSES_CTX_SUFFIX) is a word2vec file in the same
 * format holding what disambiguation needs: first the global vector of
 * every vocabulary word (the rows of the main output, except that the row
 * of </s>, which is never a context word, holds the mean context vector),
 * then the centre of every sense, named and ordered as in the senses file. A centre row's
 * length is the number of occurrences assigned to that sense (its direction
 * is all the choice uses), so the counts, and hence each sense's share,
 * travel inside a valid word2vec file. A vocabulary word whose spelling is
 * also a sense row's name ("trouble#1" in the corpus while trouble has
 * senses) is left out of the global part, so that no name repeats.
 *
 * Threads. senses_assign is called by every training thread: the number of
 * open senses is claimed with a compare-and-swap and the counts are atomic;
 * the centre and sense rows are updated without locks, like the model
 * matrices (Hogwild, see train.h). */
#ifndef W2V_SENSES_H
#define W2V_SENSES_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/query.h"
#include "w2v/vectors.h"

#define W2V_SENSES_MAX 64              /* largest K accepted */
#define W2V_SENSES_CTX_SUFFIX ".ctx"   /* the context file beside a senses file */
#define W2V_SENSES_DEFAULT_VOCAB 30000 /* --senses-vocab default */
#define W2V_SENSES_DEFAULT_THRESHOLD -0.1 /* --senses-threshold (λ) default: README */
/* Senses of one word whose vectors' cosine reaches W2V_SENSES_MERGE and
 * whose centres' reaches W2V_SENSES_MERGE_CENTRE are written as one
 * (senses_slot_merged): chosen on pseudo-words, docs/BENCHMARKS.md. */
#define W2V_SENSES_MERGE 0.5f
#define W2V_SENSES_MERGE_CENTRE 0.4f
/* A sense with less than this share of its word's occurrences is written
 * folded into the sense whose vector is nearest (senses_slot_merged). */
#define W2V_SENSES_MIN_SHARE 0.02

struct senses {
    int32_t n_words;         /* words with senses: vocabulary ids 1..n_words */
    int max_senses;          /* K */
    int32_t dim;             /* D */
    size_t stride;           /* floats per row, D rounded up to 16 */
    float threshold;         /* λ: below this best cosine a new sense opens */
    float *vec;              /* [n_words * K, stride] sense vectors */
    float *centre;           /* [n_words * K, stride] context-cluster centres */
    _Atomic int64_t *count;  /* [n_words * K] occurrences assigned to each sense */
    _Atomic int32_t *n_open; /* [n_words] senses opened so far, 0..K */
    float *weight;           /* [vocab_size] share of each word among the context
                              * words (kept tokens), or NULL: see senses_set_weights */
    int32_t vocab_size;
};

/* Allocate a table for n_words words (>= 1), K senses (1..W2V_SENSES_MAX)
 * of dim (1..W2V_MAX_DIM) floats, all zero, no sense open. Returns 0,
 * W2V_EINVAL (a size out of range), W2V_EOVERFLOW or W2V_ENOMEM with err
 * filled; on failure s is left released. */
int senses_init(struct senses *s, int32_t n_words, int max_senses, int32_t dim, double threshold,
                struct w2v_err *err);

/* Free the table. Safe on a zeroed or released struct. */
void senses_release(struct senses *s);

/* Bytes senses_init would allocate, in *out. Returns 0 or W2V_EOVERFLOW. */
int senses_bytes(int64_t n_words, int max_senses, int32_t dim, size_t *out);

/* Record each word's share among context words: counts[w] * keep[w]
 * normalised (keep: the subsampling keep-probabilities, NULL for all 1),
 * for w in 1..vocab_size-1 (</s> never is a context word). Returns 0 or
 * W2V_ENOMEM/W2V_EINVAL with err filled. */
int senses_set_weights(struct senses *s, const int64_t *counts, const float *keep,
                       int32_t vocab_size, struct w2v_err *err);

/* The mean context vector: out[0..stride) = Σ_w weight[w] global[w] over
 * the rows of global ([vocab_size, stride], s->stride), zeros when no
 * weights are set.
 * Thread-safe (reads rows that training threads may be writing). */
void senses_context_mean(const struct senses *s, const float *global, size_t stride, float *out);

/* Row of sense k of the word in slot: [stride] floats. */
static inline float *senses_vec(const struct senses *s, int32_t slot, int k)
{
    return s->vec + ((size_t)slot * (size_t)s->max_senses + (size_t)k) * s->stride;
}

static inline float *senses_centre(const struct senses *s, int32_t slot, int k)
{
    return s->centre + ((size_t)slot * (size_t)s->max_senses + (size_t)k) * s->stride;
}

/* The open sense of slot whose centre is nearest to ctx ([stride] floats,
 * zero past dim, like every row the table holds) by
 * cosine, with that cosine in *sim (a zero centre or ctx counts as 0).
 * Returns -1 (and *sim = -2) when no sense is open. Thread-safe (reads). */
int senses_nearest(const struct senses *s, int32_t slot, const float *ctx, float *sim);

/* The open sense of slot whose vector best predicts a context: the
 * largest dot product of the unit sense vector with fit ([stride] floats:
 * the sum or mean of the context words' output vectors; the dot product of
 * a sense vector with it is the score skip-gram trains the sense to raise).
 * A zero vector scores 0. Returns -1 when no sense is open. Thread-safe
 * (reads). */
int senses_best_fit(const struct senses *s, int32_t slot, const float *fit);

/* Assign one occurrence of the word in slot, whose centred context average
 * is ctx ([stride] floats, zero past dim), to a sense and return its index.
 * A new sense opens when none is open, or when may_open is set, fewer than
 * K are open and the nearest centre's cosine is below the threshold.
 * Otherwise the occurrence goes to senses_best_fit(fit) when fit is given,
 * to the nearest centre when fit is NULL. A new sense's centre starts at
 * the context, its vector as a copy of init ([dim] floats: the word's
 * global vector) or zero when init is NULL. The sense's count grows by one
 * and its centre by unit(ctx). Thread-safe (see the file comment); never
 * fails. */
int senses_assign(struct senses *s, int32_t slot, const float *ctx, const float *fit,
                  const float *init, int may_open);

/* The used senses (count > 0) of slot, most frequent first (ties: lower
 * index first), into order[0..n) (room for K); returns n. Thread-safe. */
int senses_order(const struct senses *s, int32_t slot, int *order);

/* The senses of slot as they are written: the used senses (count > 0),
 * with every two whose vectors' cosine is at least mu_vec and whose
 * centres' cosine is at least mu_centre folded into one (most alike
 * vectors first; vector: count-weighted mean, centre: sum, count: sum),
 * most frequent first. Online clustering can open two senses for one
 * meaning: such duplicates would push the word's real second meaning down
 * the list. Both must be alike. Two meanings used in one kind of text have
 * near centres but different vectors (on corpus10m pseudo-words, the
 * senses of the two merged words have vector cosines of 0.17-0.42, 10th to
 * 90th percentile, a word's other pairs of senses 0.35-0.71); and after
 * little training two senses of disjoint contexts still have near vectors,
 * both close to the global vector they started as, but far centres.
 * Then every sense with less than W2V_SENSES_MIN_SHARE of the occurrences
 * is folded into the sense with the nearest vector. Fills vec and centre ([K, stride] floats each) and count ([K]); returns
 * n <= K. Not thread-safe with training (reads a settled table). */
int senses_slot_merged(const struct senses *s, int32_t slot, float mu_vec, float mu_centre,
                       float *vec, float *centre, int64_t *count);

/* Write the senses file at path and its context file at path + ".ctx"
 * (see the file comment), both in format, each whole or not at all.
 * words: [vocab_size] the vocabulary (id order; words[0] is </s>);
 * global: [vocab_size, global_stride] the global vectors. Only slots
 * < vocab_size - 1 are written. Returns 0, W2V_EEMPTY (no sense was ever
 * used), W2V_EIO, W2V_ENOMEM, W2V_EOVERFLOW or W2V_EINVAL (as
 * vectors_write), with err filled; on failure neither file is left behind
 * (the context file is written first and removed if the senses file
 * fails). Not thread-safe with training. */
int senses_write(const struct senses *s, const char *path, enum vectors_format format,
                 const char *const *words, int32_t vocab_size, const float *global,
                 size_t global_stride, struct w2v_err *err);

/* ---- reading: a senses file and its context file ----------------------- */

/* A senses file read back with its context file. */
struct senses_file {
    struct vectors vec;   /* the senses file: WORD#k rows */
    struct vectors ctx;   /* the context file: n_global global rows, then centres */
    int64_t n_global;     /* global rows in ctx (rows [0, n_global)) */
};

void senses_file_init(struct senses_file *f);
void senses_file_release(struct senses_file *f); /* safe on zeroed/released */

/* Read path and path + ".ctx". Returns 0, a status of vectors_read (err
 * filled), or W2V_EFORMAT when the files do not belong together: a row of
 * path not named WORD#k (plain vectors given where senses are needed), a
 * context file whose last rows are not the centres of path's rows, or
 * different dimensions. Not thread-safe on one struct. */
int senses_file_read(struct senses_file *f, const char *path, struct w2v_err *err);

/* The senses of word: rows of f->vec (and, at the same index, the centre
 * rows f->ctx.rows - f->vec.rows + row) for WORD#1, WORD#2, ... in order,
 * into rows[0..n) (room for cap); returns n, 0 when the word has no senses.
 * Thread-safe. */
int senses_file_lookup(const struct senses_file *f, const char *word, int64_t *rows, int cap);

/* Occurrences assigned to the sense in row (of f->vec) during training:
 * the length of its centre row, rounded. Thread-safe. */
int64_t senses_file_count(const struct senses_file *f, int64_t row);

/* The centred context of the global rows ctx_rows[0..n) of f->ctx (their
 * average minus the mean context, the </s> row) into out[0..dim); all zero
 * when n is 0. Thread-safe. */
void senses_file_context(const struct senses_file *f, const int64_t *ctx_rows, int n, float *out);

/* Which of the n senses in rows (from senses_file_lookup) the centred
 * context ctx (senses_file_context) picks: the index in rows of the nearest
 * centre by cosine; 0 (the most frequent sense) when ctx is zero.
 * Thread-safe. */
int senses_file_pick(const struct senses_file *f, const int64_t *rows, int n, const float *ctx);

/* For commands that need one vector per word: W2V_EFORMAT (err says to
 * give the main vectors) when every row of m is named WORD#N, i.e. m is a
 * senses file; 0 otherwise (at once for a plain file, whose first row is
 * not such a name). Thread-safe. */
int senses_check_plain(const struct query_model *m, const char *path, struct w2v_err *err);

/* Whether a word names a sense row: ends in '#' and a number >= 1 without
 * leading zeros. Pure. */
int senses_is_sense_name(const char *word);

#endif
