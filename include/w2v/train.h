/* train.h — the trainer, as an embedding program uses it: options and their
 * defaults, a check, then init -> run (with a progress callback) -> read the
 * model -> release; a stop request for signal handlers, and the memory a
 * run will need. The shared state, the threads and the kernels are internal
 * (src/train_state.h).
 *
 * Threads. The opt.threads threads take the id stream (see corpus.h) in
 * chunks from one shared counter, epoch after epoch, each with its own
 * random stream (seed, thread id). The model matrices are shared and
 * updated without locks (Hogwild, Recht et al. 2011): that is the only
 * intended data race. With several threads the batched kernel trains
 * private copies of the few thousand hottest rows and adds their changes to
 * the shared rows every few thousand words (src/hotrows.h), so cores do not
 * pass those rows' cache lines back and forth on every window. With one
 * thread and one seed the result is the same bits every run.
 *
 * Kernels. A kernel trains one sentence (at most 1000 ids after
 * subsampling, the original's cap) with per-thread buffers of its own:
 * "reference" updates pair by pair like the original, "batched" (the
 * default) is the HogBatch scheme (src/kernel_batch.c), "senses" is the
 * batched kernel plus the sense vectors of opt.senses (src/kernel_senses.c,
 * senses.h). Each is one file and one entry of the table in src/train.c.
 *
 * Peak memory of `w2v train`, in bytes, with S = D rounded up to 16:
 *     4 S V (1 + [hs] + [negative > 0])   the matrices (model.h)
 *   + 4 (N + L)                           the id stream: N in-vocabulary tokens, L lines
 *   + ~100 U                              the vocabulary's table while counting, U
 *                                         distinct words of the corpus (--max-vocab bounds it)
 *   + ~40 V (+ 5 V log2 V with --hs)      counts, keep-probabilities, alias table, Huffman paths
 *   + T (8 S + 4 KB)                      per-thread buffers
 *   + T 8 S (2048 + 4096 [ns] + 1024 [hs])   hot-row copies, only with T > 1
 *   + (8 S + 12) K Vs                     --senses K over Vs words: sense rows, centres, counts
 *   + 4 S (V + Vs K)                      ... and the .ctx copy while writing (senses.h)
 * e.g. corpus10m (V 44,877, N 9.8M, L 0.42M) with D 100 and NS: about 110 MB.
 * No table grows with the corpus but the id stream; none is fixed-size. */
#ifndef W2V_TRAIN_H
#define W2V_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/model.h"

enum train_arch { TRAIN_CBOW = 0, TRAIN_SKIPGRAM = 1 };

struct train_options {
    enum train_arch arch;     /* default CBOW, as the original */
    const char *kernel;       /* "batched" (default) or "reference"; see train_kernel_name */
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
    int senses;               /* K sense vectors per word (kernel "senses"); 0 off */
    int32_t senses_vocab;     /* the most frequent words that get senses (30000) */
    double senses_threshold;  /* λ: a new sense opens below this cosine (-0.1) */
    int context_line;         /* 0: the window; 1: set contexts (item2vec, batched kernel
                               * only): every other kept token of the line is a context of
                               * each token, window ignored */
    int max_set;              /* context_line: a line of up to max_set kept tokens is one
                               * set; in a longer one each token gets max_set - 1 of the
                               * others (see kernel_batch.c); 2..W2V_MAX_SET, default 100 */
    int batch_rows;           /* batched skip-gram: context rows per block step, 0 (default)
                               * the whole window; 1 moves the output rows after each
                               * context, as pair-by-pair SGD (see kernel_batch.c) */
};

/* The largest --max-set: the trainer's sentence cap (a longer line is cut
 * into sets of this many kept tokens). */
#define W2V_MAX_SET 1000

/* The original's starting rate: 0.05 for CBOW, 0.025 for skip-gram. Pure. */
double train_default_alpha(enum train_arch arch);

/* Fill o with the defaults above. Pure. */
void train_options_default(struct train_options *o);

/* Check o for values training cannot use (no objective, an unknown kernel,
 * dim/window/epochs/threads < 1, alpha <= 0, ...). Returns 0 or W2V_EINVAL
 * with err saying which. Pure. */
int train_options_check(const struct train_options *o, struct w2v_err *err);

/* The name of kernel i (0, 1, ...), or NULL past the last: the names
 * --kernel accepts, in the table's order. The strings are static. Pure. */
const char *train_kernel_name(int i);

/* Snapshot handed to the monitor. */
struct train_progress {
    int64_t words_done;   /* corpus words processed so far, all threads and epochs */
    int64_t words_total;  /* words per epoch * epochs */
    int64_t words_kept;   /* of words_done, those kept by subsampling (trained) */
    int epoch;            /* 1-based epoch of the slowest-estimated position */
    int epochs;
    double alpha;         /* the rate at words_done */
    double elapsed;       /* seconds since train_run started */
    /* The training loss so far, summed over the examples it was measured on
     * (every 32nd centre word of each thread, scored just before its
     * update; an example is one input row predicting the centre word): NS
     * -log σ(score) of the word plus -log σ(-score) of each negative, HS the
     * path's terms. The mean over an interval is the difference of two
     * snapshots' sums over the difference of their counts. */
    double loss_sum;
    int64_t loss_examples;
    int finished;         /* 1 on the last call */
};

/* The trainer: opaque, created by train_init, freed by train_release. */
struct trainer;

/* Build a trainer over ids[0..n_ids) with a vocabulary of vocab_size words
 * whose counts are counts[0..vocab_size) (id 0 is </s>; ids 1.. must be in
 * non-increasing count order for the Huffman tree). counts is only read
 * here; ids is borrowed and must outlive the trainer. On success *out owns
 * the trainer; returns 0, or W2V_EINVAL (bad options or sizes), W2V_EEMPTY
 * (no words), W2V_ENOMEM or W2V_EOVERFLOW with err filled and *out NULL.
 * Not thread-safe. */
int train_init(struct trainer **out, const struct train_options *opt, const int64_t *counts,
               int32_t vocab_size, const int32_t *ids, int64_t n_ids, struct w2v_err *err);

/* Train with opt.threads threads, calling monitor (may be NULL) about a
 * hundred times a second (every 10 ms) from the calling thread, and once
 * more at the end with p->finished = 1 (the final counts); a non-zero
 * return from monitor asks the threads to stop. Worker threads start with
 * all signals blocked, so signal handlers run in the calling thread.
 * Returns 0, W2V_EINTR (the monitor asked to stop; the model is partly
 * trained), W2V_EDIVERGED (the weights became non-finite: the rate is too
 * high; checked after every sentence, so within moments), W2V_ENOMEM or
 * W2V_EIO (a thread could not start), with err filled. Call once per
 * train_init; a further call on a finished run trains nothing (the threads
 * start, find every chunk handed out, and end, as after a checkpoint's
 * pause). */
int train_run(struct trainer *tr, int (*monitor)(void *ctx, const struct train_progress *p),
              void *ctx, struct w2v_err *err);

/* Checkpoints: during train_run, every every_seconds (0: never on a timer)
 * and when the monitor asks to stop, the threads stop at their next
 * sentence (all of them at a boundary, their places and random streams
 * kept), save(ctx, tr, err) runs in the calling thread, and the threads go
 * on (or, after a stop, train_run returns W2V_EINTR). A save that fails
 * ends the run with its status. With one thread the result is the same
 * bits as a run without checkpoints. Call before train_run. Returns 0 or
 * W2V_EINVAL (every_seconds negative or not finite). Not thread-safe. */
int train_set_checkpoint(struct trainer *tr, double every_seconds,
                         int (*save)(void *ctx, const struct trainer *tr, struct w2v_err *err),
                         void *ctx);

/* Ask a running train_run to stop soon. Async-signal-safe (a lock-free
 * atomic store) and thread-safe. */
void train_request_stop(struct trainer *tr);

/* Start word id from a saved vector (continued training): copy vec[0..dim)
 * into its input row, in place of the random start. Call between
 * train_init and train_run. Returns 0 or W2V_EINVAL (id out of range).
 * Not thread-safe. */
int train_set_input(struct trainer *tr, int32_t id, const float *vec);

/* The matrices (syn0 is the word vectors), owned by tr: valid until
 * train_release; read them after train_run has returned. */
const struct model *train_model(const struct trainer *tr);

/* How many of the Huffman inner nodes nearest the root (rows V - 3 down of
 * syn1) copies of the model trained side by side (MPI ranks; the threads'
 * private copies do the same) should merge by averaging their changes
 * rather than adding them: with CBOW + HS the nodes on the paths of at
 * least 1/128 of the kept words (113 on corpus10m), 0 otherwise. */
int32_t train_hs_averaged(const struct trainer *tr);

struct senses;

/* The sense table of a run with opt.senses > 0 (senses.h), owned by tr:
 * valid until train_release; NULL when senses are off. */
const struct senses *train_senses(const struct trainer *tr);

/* Free the trainer and everything it owns, and set *tr to NULL. Safe on a
 * NULL *tr (an already-released trainer). */
void train_release(struct trainer **tr);

/* Bytes train_init and train_run would allocate for V words, the options'
 * dim/hs/negative/threads/kernel: the model plus per-word tables and thread
 * buffers (the id stream is the caller's). Returns 0 or W2V_EOVERFLOW
 * (also for an unknown kernel). Pure. */
int train_memory_bytes(const struct train_options *opt, int64_t vocab_size, size_t *out);

#endif
