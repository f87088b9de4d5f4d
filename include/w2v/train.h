/* train.h — the trainer: options, the shared (read-mostly) training state,
 * per-thread state, the learning-rate schedule and the thread pool.
 *
 * Threads. Each of T threads trains a contiguous slice of the id stream
 * (see corpus.h), starting at a sentence boundary where one is near, for
 * every epoch. The model matrices are shared and updated without locks
 * (Hogwild, Recht et al. 2011): that is the only intended data race. Word
 * counters are _Atomic int64_t, added to in batches of W2V_PROGRESS_BATCH
 * words; each thread computes its learning rate from the global count.
 *
 * Kernels. A kernel trains one sentence (at most W2V_MAX_SENTENCE ids, after
 * subsampling) with the per-thread state in struct train_thread: its RNG,
 * its scratch rows, its current alpha. The reference kernel updates pair by
 * pair like the original; faster kernels plug in behind the same signature
 * (enum train_kernel) and are tested against it.
 *
 * Peak memory of `w2v train`, in bytes, with S = D rounded up to 16:
 *     4 S V (1 + [hs] + [negative > 0])   the matrices (model.h)
 *   + 4 (N + L)                           the id stream: N in-vocabulary tokens, L lines
 *   + ~100 U                              the vocabulary's table while counting, U
 *                                         distinct words of the corpus (--max-vocab bounds it)
 *   + ~40 V (+ 5 V log2 V with --hs)      counts, keep-probabilities, alias table, Huffman paths
 *   + T (8 S + 4 KB)                      per-thread buffers
 * e.g. corpus10m (V 44,877, N 9.8M, L 0.42M) with D 100 and NS: about 110 MB.
 * No table grows with the corpus but the id stream; none is fixed-size. */
#ifndef W2V_TRAIN_H
#define W2V_TRAIN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/huffman.h"
#include "w2v/model.h"
#include "w2v/sampling.h"
#include "w2v/senses.h"

struct batch_buf;
struct senses_buf;

#define W2V_MAX_SENTENCE 1000      /* longer sentences are split (the original's cap) */
#define W2V_PROGRESS_BATCH 10000   /* words between updates of the shared counters */
#define W2V_SIGMOID_MAX 6.0f       /* the original's MAX_EXP: the table covers [-6, 6] */
#define W2V_SIGMOID_TABLE 1024     /* intervals in the table (linearly interpolated) */
#define W2V_MIN_ALPHA_FRACTION 1e-4 /* alpha decays to alpha0 * this */

enum train_arch { TRAIN_CBOW = 0, TRAIN_SKIPGRAM = 1 };
/* reference: per pair, like the original; batched: train_batch.h */
enum train_kernel { TRAIN_KERNEL_REFERENCE = 0, TRAIN_KERNEL_BATCHED = 1 };

struct train_options {
    enum train_arch arch;     /* default CBOW, as the original */
    enum train_kernel kernel; /* default batched (reference: the per-pair original) */
    int32_t dim;              /* 100 */
    int window;               /* 5: the maximum; each position draws 1..window */
    int negative;             /* 5; 0 disables negative sampling */
    double ns_exponent;       /* 0.75 */
    int hs;                   /* 0: hierarchical softmax off */
    int cbow_sum;             /* 0: CBOW averages the context */
    double sample;            /* 1e-3; 0 disables subsampling */
    double alpha;             /* starting rate; train_default_alpha(arch) */
    int epochs;               /* 5 */
    int threads;              /* 1 here; the CLI defaults to the online CPUs */
    uint64_t seed;            /* 1 */
    int senses;               /* K: sense vectors per word (kernel_senses.h); 0 off */
    int32_t senses_vocab;     /* the most frequent words that get senses */
    double senses_threshold;  /* λ: a new sense opens below this cosine */
};

/* The original's starting rate: 0.05 for CBOW, 0.025 for skip-gram. */
double train_default_alpha(enum train_arch arch);

/* Fill o with the defaults above. */
void train_options_default(struct train_options *o);

/* Check o for values training cannot use (no objective, dim/window/epochs/
 * threads < 1, alpha <= 0, ...). Returns 0 or W2V_EINVAL with err saying
 * which. Pure. */
int train_options_check(const struct train_options *o, struct w2v_err *err);

/* Parse a kernel name ("reference", "batched"); 0 or W2V_EINVAL. */
int train_kernel_parse(const char *name, enum train_kernel *out);

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

/* Snapshot handed to the monitor. */
struct train_progress {
    int64_t words_done;   /* corpus words processed so far, all threads and epochs */
    int64_t words_total;  /* words per epoch * epochs */
    int64_t words_kept;   /* of words_done, those kept by subsampling (trained) */
    int epoch;            /* 1-based epoch of the slowest-estimated position */
    int epochs;
    double alpha;         /* the rate at words_done */
    double elapsed;       /* seconds since train_run started */
    int finished;         /* 1 on the last call */
};

/* The shared training state. The id stream is borrowed; everything else is
 * owned and freed by train_release. After train_init every field but the
 * matrices' contents and the counters is read-only. */
struct trainer {
    struct train_options opt;
    int32_t vocab_size;          /* V, </s> included as id 0 */
    const int32_t *ids;          /* [n_ids] borrowed id stream */
    int64_t n_ids;
    int64_t words_per_epoch;     /* ids that are words */
    struct model model;
    struct alias_table negatives; /* over ids, </s> never drawn (ns only) */
    float *keep;                 /* [V] subsampling keep-probabilities */
    struct huffman huffman;      /* over ids 1..V-1 as codes 0..V-2 (hs only) */
    float sigmoid[W2V_SIGMOID_TABLE + 1]; /* σ at the table's grid points */
    struct senses senses;        /* opt.senses > 0: the sense table (senses.h) */

    /* Shared, written by every thread: kept apart from the read-only
     * fields above so their updates do not evict those cache lines. */
    _Alignas(64) _Atomic int64_t words_done;
    _Atomic int64_t words_kept;
    _Atomic int stop;
    _Atomic int running;         /* worker threads not yet finished */
};

/* Per-thread state; everything a kernel touches besides the shared matrix
 * rows. 64-byte aligned so threads never share a cache line. */
struct train_thread {
    _Alignas(64) struct trainer *tr;
    int id;
    struct rng rng;            /* seeded from opt.seed + id */
    float alpha;               /* current learning rate */
    int64_t lo, hi;            /* the slice of the id stream */
    int64_t pending_words;     /* not yet added to tr->words_done */
    int64_t pending_kept;
    float *neu1;               /* [stride] CBOW hidden layer (context mean/sum) */
    float *neu1e;              /* [stride] gradient for the input rows */
    int32_t *sentence;         /* [W2V_MAX_SENTENCE] kept ids of the sentence */
    int32_t *context;          /* [2 * window] the current window's context ids */
    struct batch_buf *batch;   /* the batched kernel's buffers (train_batch.h), or NULL */
    struct senses_buf *senses; /* the sense pass's buffers (kernel_senses.h), or NULL */
    int status;                /* 0, or why the thread stopped */
};

/* Build the shared state for training over ids[0..n_ids) with a vocabulary
 * of vocab_size words whose counts are counts[0..vocab_size) (id 0 is </s>;
 * ids 1.. must be in non-increasing count order for the Huffman tree).
 * counts is only read here; ids must outlive tr. Returns 0, W2V_EINVAL (bad
 * options or sizes), W2V_EEMPTY (no words), W2V_ENOMEM or W2V_EOVERFLOW with
 * err filled; on failure tr is left released. Not thread-safe. */
int train_init(struct trainer *tr, const struct train_options *opt, const int64_t *counts,
               int32_t vocab_size, const int32_t *ids, int64_t n_ids, struct w2v_err *err);

/* Train with opt.threads threads, calling monitor (may be NULL) about ten
 * times a second from the calling thread, and once more at the end with
 * p->finished = 1; a non-zero return from monitor asks the threads to stop.
 * Worker threads start with all
 * signals blocked, so signal handlers run in the calling thread. Returns 0,
 * W2V_EINTR (the monitor asked to stop; the model is partly trained),
 * W2V_ENOMEM or W2V_EIO (a thread could not start), with err filled. Call
 * once per train_init. */
int train_run(struct trainer *tr, int (*monitor)(void *ctx, const struct train_progress *p),
              void *ctx, struct w2v_err *err);

/* Ask a running train_run to stop soon. Async-signal-safe (a lock-free
 * atomic store) and thread-safe. */
void train_request_stop(struct trainer *tr);

/* Free everything train_init allocated. Safe on a zeroed/released struct. */
void train_release(struct trainer *tr);

/* Bytes train_init and train_run would allocate for V words, the options'
 * dim/hs/negative/threads: the model plus per-word tables and thread
 * buffers (the id stream is the caller's). Returns 0 or W2V_EOVERFLOW. */
int train_memory_bytes(const struct train_options *opt, int64_t vocab_size, size_t *out);

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

/* Train one sentence of kept ids with the reference (per-pair) kernel.
 * Exposed for tests and as the baseline for faster kernels. */
void train_sentence_reference(struct train_thread *t, const int32_t *sentence, int32_t len);

#endif
