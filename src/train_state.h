/* train_state.h — the trainer's shared state, its per-thread state and the
 * kernel interface (internal header). It sits below both the trainer
 * (train.c) and the kernels (kernel_*.c), so neither includes the other:
 * the trainer calls "train this sentence" through a table of struct
 * train_kernel and knows no kernel's buffers.
 *
 * Adding a kernel: one src/kernel_NAME.c defining a const struct
 * train_kernel, and one entry in the table in train.c. */
#ifndef W2V_TRAIN_STATE_H
#define W2V_TRAIN_STATE_H

#include <stdatomic.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>

#include "kernels.h"
#include "w2v/huffman.h"
#include "w2v/model.h"
#include "w2v/sampling.h"
#include "w2v/senses.h"
#include "w2v/train.h"

#define W2V_MAX_SENTENCE 1000      /* longer sentences are split (the original's cap) */
#define W2V_PROGRESS_BATCH 10000   /* words between updates of the shared counters */
#define W2V_SIGMOID_TABLE 1024     /* intervals in the table (linearly interpolated) */
#define W2V_MIN_ALPHA_FRACTION 1e-4 /* alpha decays to alpha0 * this */
/* The training loss is measured on every W2V_LOSS_EVERY-th centre word of a
 * thread (a fixed stride, no random draw: the model's bits do not change),
 * scored against the rows as they are just before its update. Each such
 * centre costs one extra score pass over its outputs, so 1 in 32 keeps the
 * cost near 1% of the block steps' work while an interval still sees
 * thousands of examples. -DW2V_LOSS_EVERY=0 builds without it (to measure
 * its cost: scripts/bench-loss.sh). */
#ifndef W2V_LOSS_EVERY
#define W2V_LOSS_EVERY 32
#endif
/* The shared loss sum is fixed point (units of 1e-6): an atomic add of an
 * integer, exact and order-independent. */
#define W2V_LOSS_SCALE 1e6

struct train_kernel;
struct subword_state;

/* A thread's place in the work and its counters, kept between the runs of
 * its thread within train_run (a checkpoint stops the threads at sentence
 * boundaries and starts them again) and saved in checkpoints. */
struct train_resume {
    struct rng rng;
    float alpha;
    int started;              /* 0: not yet run (the first flush sets alpha) */
    int32_t loss_tick;
    int64_t pending_words, pending_kept, pending_examples;
    double pending_loss;
    int64_t chunk;            /* the chunk it was in when stopped, or -1: none */
    int64_t pos, end;         /* its place in that chunk: [pos, end) left */
};

/* The shared training state. The id stream is borrowed; everything else is
 * owned and freed by train_release. After train_init every field but the
 * matrices' contents and the counters is read-only. */
struct trainer {
    struct train_options opt;
    const struct train_kernel *kernel; /* opt.kernel's table entry */
    int32_t vocab_size;          /* V, </s> included as id 0 */
    const int32_t *ids;          /* [n_ids] borrowed id stream */
    int64_t n_ids;
    int64_t words_per_epoch;     /* ids that are words */
    struct model model;
    struct alias_table negatives; /* over ids, </s> never drawn (ns only) */
    int64_t *counts;             /* [V] the word counts, </s> 0: the negatives' weights, and
                                  * what the batched kernel's per-thread policies go by */
    float *keep;                 /* [V] subsampling keep-probabilities */
    struct huffman huffman;      /* over ids 1..V-1 as codes 0..V-2 (hs only) */
    float sigmoid[W2V_SIGMOID_TABLE + 1]; /* σ at the table's grid points */
    struct subword_state *subwords; /* borrowed: the subword kernel's n-gram rows, or NULL */
    struct senses senses;        /* opt.senses > 0: the sense table (kernel "senses") */

    /* Shared, written by every thread: kept apart from the read-only
     * fields above so their updates do not evict those cache lines. */
    _Alignas(64) _Atomic int64_t words_done;
    _Atomic int64_t words_kept;
    _Atomic int stop;
    _Atomic int running;         /* worker threads not yet finished */
    _Atomic int64_t next_chunk;  /* the next chunk of work to hand out (train_chunks) */
    _Atomic int64_t loss_units;  /* sampled loss, in 1 / W2V_LOSS_SCALE */
    _Atomic int64_t loss_examples; /* examples the loss was measured on */

    /* Between the threads' runs: each thread's place ([opt.threads]), and
     * the checkpoints (train_set_checkpoint). Only the calling thread of
     * train_run and the thread itself, never at once, touch resume[i]. */
    struct train_resume *resume;
    double save_every;           /* seconds between saves; 0: on stop only */
    int (*save)(void *ctx, const struct trainer *tr, struct w2v_err *err); /* NULL: none */
    void *save_ctx;
};

/* Per-thread state: everything a kernel touches besides the shared matrix
 * rows. 64-byte aligned so threads never share a cache line. */
struct train_thread {
    _Alignas(64) struct trainer *tr;
    int id;
    struct rng rng;            /* seeded from opt.seed + id */
    float alpha;               /* current learning rate */
    int64_t pending_words;     /* not yet added to tr->words_done */
    int64_t pending_kept;
    double pending_loss;       /* sampled loss not yet added to tr->loss_units */
    int64_t pending_examples;
    int32_t loss_tick;         /* centre words until the next loss sample */
    int32_t *sentence;         /* [W2V_MAX_SENTENCE] kept ids of the sentence */
    void *buf;                 /* the kernel's own per-thread buffers */
    const int32_t *next_ids;   /* [next_n] the raw ids after the sentence being trained (0
                                * ends a line; before subsampling): a kernel may prefetch
                                * their rows; NULL when unknown */
    int32_t next_n;
    int status;                /* 0, or why the thread stopped */
};

/* One kernel. thread_init allocates t->buf for t->tr (options, model and
 * Huffman tree final) and returns 0 or W2V_ENOMEM; thread_release frees it
 * and sets it to NULL (safe on a NULL t->buf); both run before the thread
 * starts or after it has ended. train_sentence trains one sentence of
 * len >= 2 kept ids at t->alpha, drawing from t->rng, in the thread that
 * owns t; thread_finish (NULL if the kernel needs none) runs in that thread
 * after its last sentence, to write back what the kernel kept aside (e.g.
 * private copies of rows). thread_bytes is what thread_init allocates for these options and
 * vocabulary size (an estimate for train_memory_bytes). */
struct train_kernel {
    const char *name;
    int (*thread_init)(struct train_thread *t);
    void (*train_sentence)(struct train_thread *t, const int32_t *sentence, int32_t len);
    void (*thread_release)(struct train_thread *t);
    size_t (*thread_bytes)(const struct train_options *o, int64_t vocab_size);
    void (*thread_finish)(struct train_thread *t); /* last, so it may be left out */
};

/* One centre word of the batched kernel's skip-gram, just trained with
 * negative sampling, as a pass that rides on that kernel sees it (the
 * senses kernel): its rows are still in cache, which is the point. The
 * sentence and the centre's place in it (the word is sen[i]); its B
 * context words' ids and input rows (as just updated;
 * a thread's private copy for a hot row); its negatives' output rows, each
 * standing for neg_mult[k] draws, the centre word left out; and the
 * context words' output rows (the thread's private copies of the hot
 * ones: the shared rows of those are what the threads' syncs write, so
 * reading them bounces cache lines between cores). Read-only, and valid
 * only during the call. */
struct batch_centre {
    const int32_t *sen;
    int32_t len, i;
    const int32_t *ctx_id;
    float *const *ctx_out;
    float *const *in;
    int B;
    float *const *neg;
    const float *neg_mult;
    int n_neg;
};
typedef void (*batch_centre_fn)(struct train_thread *t, void *arg, const struct batch_centre *c);

/* Have the batched kernel call fn(t, arg, centre) after each skip-gram
 * centre step with negative sampling, for the thread whose buffer is buf
 * (t->buf just after kernel_batch.thread_init); fn NULL stops it. It must
 * not draw from t->rng: the model trains as without it, bit for bit. */
void kernel_batch_on_centre(void *buf, batch_centre_fn fn, void *arg);

/* Kept words one thread of the batched kernel trains between two syncs of
 * its private row copies (with T > 1 threads): BATCH_SYNC_WORDS / (T - 1),
 * so that the other threads train about as many words between two of its
 * syncs whatever T, and at most an epoch's words / T / 256; at least 1. */
int64_t kernel_batch_sync_words(int64_t words_per_epoch, int threads);

/* Rows of each matrix one thread of the batched kernel keeps private
 * copies of (ids 1 .. in of syn0, 1 .. out of syn1neg, the hs inner nodes
 * nearest the root of syn1), when it syncs them every sync_words kept
 * words (the Huffman copies 2 or 4 times as often, kernel_batch.c): none
 * with one thread; else the rows it is expected to touch at least
 * BATCH_HOT_TOUCHES times between two syncs, from the word counts, the
 * subsampling and the options, at most BATCH_HOT_IN / _OUT / _HS and an
 * eighth of the V rows. */
struct batch_hot_rows {
    int32_t in, out, hs;
    int32_t hs_averaged; /* of the hs nodes, those nearest the root whose
                          * changes the threads average (CBOW; kernel_batch.c) */
};
struct batch_hot_rows kernel_batch_hot_rows(const struct trainer *tr, int64_t sync_words);

/* Of the Huffman inner nodes nearest the root (ids V - 3 down, at most
 * cap), those whose changes concurrent copies of them average instead of
 * adding up: with CBOW + HS, the nodes on the paths of at least
 * BATCH_HS_AVERAGE_SHARE of the kept words; 0 otherwise (kernel_batch.c). */
int32_t kernel_batch_hs_averaged(const struct trainer *tr, int32_t cap);

/* The kernel named name, or NULL. Pure. */
const struct train_kernel *train_kernel_find(const char *name);

/* The linear schedule: alpha0 * (1 - done / (total + 1)), never below
 * alpha0 * W2V_MIN_ALPHA_FRACTION. done/total are corpus words over all
 * epochs (64-bit: any corpus size). Pure. */
double train_alpha(double alpha0, int64_t done, int64_t total);

/* Raw split of n ids into `threads` slices: slice t is [lo, hi) with
 * lo = floor(n * t / threads), computed without overflow for any n < 2^62
 * and threads < 2^31. Pure. */
void train_slice_raw(int64_t n, int threads, int t, int64_t *lo, int64_t *hi);

/* Move a slice start forward to the next sentence start (just after a 0 in
 * ids) when one lies within W2V_MAX_SENTENCE * 64 ids; otherwise keep it
 * (sentences are split at the cap anyway). Monotone in pos. Pure. */
int64_t train_align_start(const int32_t *ids, int64_t n, int64_t pos);

/* Chunks per epoch that the threads take work in, in order, from one shared
 * counter: 1 for one thread (an epoch in order, as ever), else
 * W2V_CHUNKS_PER_THREAD per thread, but none below W2V_MIN_CHUNK ids unless
 * that leaves fewer chunks than threads. Pure. */
#define W2V_CHUNKS_PER_THREAD 32
#define W2V_MIN_CHUNK 65536
int64_t train_chunks(int threads, int64_t n_ids);

/* Set thread id's identity for tr: its RNG stream (seed, id), distinct per
 * thread. Allocates nothing. */
void train_thread_setup(struct train_thread *t, struct trainer *tr, int id);

/* σ(x) from the trainer's table, linearly interpolated; x must be within
 * (-W2V_SIGMOID_MAX, W2V_SIGMOID_MAX). Max error ~2e-6 (tested). */
static inline float train_sigmoid(const float *table, float x)
{
    float p = (x + W2V_SIGMOID_MAX) * ((float)W2V_SIGMOID_TABLE / (2.0f * W2V_SIGMOID_MAX));
    int i = (int)p;
    if (i >= W2V_SIGMOID_TABLE) /* rounding at the top end */
        i = W2V_SIGMOID_TABLE - 1;
    float frac = p - (float)i;
    return table[i] + frac * (table[i + 1] - table[i]);
}

/* softplus(x) = log(1 + e^x), without overflow: the loss of one logistic
 * term is softplus(-score) for label 1 and softplus(score) for label 0. */
static inline double train_softplus(double x)
{
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* Whether the thread's next centre word is a loss sample (counts down). */
static inline int train_loss_due(struct train_thread *t)
{
    if (W2V_LOSS_EVERY == 0 || --t->loss_tick > 0)
        return 0;
    t->loss_tick = W2V_LOSS_EVERY;
    return 1;
}

#endif
