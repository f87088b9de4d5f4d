/* kernel_senses.c — the senses kernel (`train --senses K`): multi-sense
 * skip-gram (Neelakantan et al. 2014; the table and its rule: senses.h) on
 * top of the batched kernel.
 *
 * For each sentence the batched kernel first trains the global model
 * exactly as plain skip-gram (same buffers, same random stream); then the
 * sense pass runs over the same sentence with a random stream of its own
 * and never writes a model row. So the main output keeps one vector per
 * word and, with one thread and one seed, is byte for byte the file plain
 * skip-gram writes (tested): it cannot get worse. (MSSG keeps a global
 * vector per word beside the senses in the same way.)
 *
 * For each occurrence of a word with senses (after the warm-up below):
 *   ctx = the average of the window's context rows in syn0 (the global
 *         vectors, as MSSG averages its global vectors) minus the mean
 *         context vector (senses.h: centring), which each thread recomputes
 *         every SENSES_MEAN_REFRESH words;
 *   k   = senses_assign(ctx): the nearest centre, or a new sense below λ;
 *         the chosen centre moves toward ctx;
 *   the sense vector v_k takes one skip-gram negative-sampling step
 *   (kernels_step_frozen) against the window's output rows (syn1neg of each
 *   context word, label 1) and K negatives shared by the window (label 0,
 *   weight = the number of context words, so each (sense, context) pair
 *   sees K negatives as in the batched kernel). The output rows are only
 *   read: the senses are fit to the global model's output space, which is
 *   why their nearest words can be looked up among the global vectors.
 *
 * Warm-up: for the first SENSES_WARMUP of the training words the global
 * vectors are still near their random start, so context averages say
 * nothing and the pass is skipped; a new sense starts as a copy of the
 * word's global vector at the moment it opens.
 *
 * Composition: the per-thread buffer holds the batched kernel's own buffer
 * and swaps it into t->buf for the batched step and its thread_finish (the
 * kernel interface gives a kernel one buffer pointer), so the batched
 * kernel is reused unchanged. With several threads it trains private
 * copies of the hottest rows (hotrows.h); the sense pass reads the shared
 * rows, a few thousand words behind for those words, which is harmless for
 * a context average and an output row. */
#include <string.h>

#include "train_state.h"
#include "w2v/senses.h"

#define SENSES_WARMUP 0.1            /* share of all training words before senses open */
#define SENSES_MEAN_REFRESH 1000000  /* kept words between a thread's mean-context updates */
/* Occurrences between drawing (and prefetching) an occurrence's negatives
 * and using them: without it the pass waits on memory for its random rows
 * (a third of its time, measured with perf). */
#define SENSES_AHEAD 3
#define SENSES_RING 4
_Static_assert(SENSES_AHEAD < SENSES_RING, "the ring must hold every set drawn ahead");

extern const struct train_kernel kernel_batch;

struct senses_buf {
    void *batch;     /* the batched kernel's buffer */
    struct rng rng;  /* the pass's own stream: the global model's is untouched */
    int32_t *negs;   /* [SENSES_RING][K] negatives drawn ahead, by position */
    float *ctx;      /* [stride] the context sum, centred */
    float *mean;     /* [stride] the mean context vector, refreshed */
    int64_t until_refresh; /* kept words before mean is recomputed */
    float **in;      /* [2 * window] the window's syn0 rows */
    float **out;     /* [2 * window + K] output rows */
    float *label;    /* [2 * window + K] */
    float *mult;     /* [2 * window + K] */
    float *scratch;  /* [2 * window + K + 16] gradients */
};

static size_t max_out(const struct train_options *o)
{
    return 2 * (size_t)(o->window > 0 ? o->window : 1) + (size_t)(o->negative > 0 ? o->negative : 0);
}

static size_t senses_thread_bytes(const struct train_options *o, int64_t vocab_size)
{
    size_t stride = model_stride(o->dim);
    return kernel_batch.thread_bytes(o, vocab_size) + sizeof(struct senses_buf) +
           2 * stride * sizeof(float) + (max_out(o) + 16) * (2 * sizeof(float *) + 3 * sizeof(float)) +
           SENSES_RING * (size_t)(o->negative > 0 ? o->negative : 1) * sizeof(int32_t);
}

static void senses_thread_release(struct train_thread *t)
{
    struct senses_buf *b = t->buf;
    if (!b)
        return;
    t->buf = b->batch;
    kernel_batch.thread_release(t);
    w2v_free(b->negs);
    w2v_aligned_free(b->ctx);
    w2v_aligned_free(b->mean);
    w2v_free(b->in);
    w2v_free(b->out);
    w2v_free(b->label);
    w2v_free(b->mult);
    w2v_free(b->scratch);
    w2v_free(b);
    t->buf = NULL;
}

static int senses_thread_init(struct train_thread *t)
{
    const struct trainer *tr = t->tr;
    const size_t S = tr->model.stride, M = max_out(&tr->opt);
    struct senses_buf *b = w2v_calloc(1, sizeof *b);
    if (!b)
        return W2V_ENOMEM;
    t->buf = NULL;
    int status = kernel_batch.thread_init(t);
    b->batch = t->buf;
    t->buf = b;
    if (status != 0) {
        senses_thread_release(t);
        return status;
    }
    /* Streams 2^32 + id: never one of the threads' own (0 .. threads-1). */
    rng_seed(&b->rng, tr->opt.seed, ((uint64_t)1 << 32) + (uint64_t)t->id);
    b->negs = w2v_calloc((size_t)SENSES_RING * (size_t)(tr->opt.negative > 0 ? tr->opt.negative : 1),
                         sizeof *b->negs);
    b->ctx = w2v_aligned_alloc(S * sizeof(float));
    b->mean = w2v_aligned_alloc(S * sizeof(float));
    b->in = w2v_calloc(M, sizeof *b->in);
    b->out = w2v_calloc(M, sizeof *b->out);
    b->label = w2v_calloc(M, sizeof *b->label);
    b->mult = w2v_calloc(M, sizeof *b->mult);
    b->scratch = w2v_calloc(M + 16, sizeof *b->scratch);
    if (!b->negs || !b->ctx || !b->mean || !b->in || !b->out || !b->label || !b->mult ||
        !b->scratch) {
        senses_thread_release(t);
        return W2V_ENOMEM;
    }
    memset(b->ctx, 0, S * sizeof(float));
    memset(b->mean, 0, S * sizeof(float));
    b->until_refresh = 0;
    return 0;
}

static inline void prefetch_row(const float *row, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        __builtin_prefetch(row + i, 0, 3);
}

/* Draw the negatives of the occurrence at position c into its ring slot
 * and prefetch their rows. (Prefetching the word's centres and sense rows
 * as well was slower: too many lines in flight.) */
static void draw_ahead(const struct trainer *tr, struct senses_buf *sb, int32_t c)
{
    const size_t n = tr->model.stride;
    const int K = tr->opt.negative;
    int32_t *slot = sb->negs + (size_t)(c % SENSES_RING) * (size_t)K;
    for (int q = 0; q < K; q++) {
        slot[q] = alias_sample(&tr->negatives, &sb->rng);
        prefetch_row(model_row(tr->model.syn1neg, n, slot[q]), n);
    }
}

/* The sense pass over one sentence (see the file comment). */
static void sense_pass(struct train_thread *t, struct senses_buf *sb, const int32_t *sen,
                       int32_t len)
{
    struct trainer *tr = t->tr;
    struct senses *s = &tr->senses;
    const size_t n = tr->model.stride;
    const int W = tr->opt.window, K = tr->opt.negative;
    float *const syn0 = tr->model.syn0, *const syn1neg = tr->model.syn1neg;

    int64_t done = atomic_load_explicit(&tr->words_done, memory_order_relaxed);
    if ((double)done < SENSES_WARMUP * (double)tr->words_per_epoch * (double)tr->opt.epochs)
        return;
    /* Each thread keeps its own copy of the mean context: recomputing it
     * costs one pass over syn0, so it is done every so many words (it
     * drifts slowly), with no shared row to contend for. */
    if (sb->until_refresh <= 0) {
        senses_context_mean(s, syn0, n, sb->mean);
        sb->until_refresh = SENSES_MEAN_REFRESH;
    }
    sb->until_refresh -= len;
    for (int32_t c = 0; c < len && c < SENSES_AHEAD; c++)
        if (sen[c] <= s->n_words)
            draw_ahead(tr, sb, c);
    for (int32_t i = 0; i < len; i++) {
        const int32_t word = sen[i];
        if (i + SENSES_AHEAD < len && sen[i + SENSES_AHEAD] <= s->n_words)
            draw_ahead(tr, sb, i + SENSES_AHEAD);
        if (word > s->n_words)
            continue; /* ids 1..n_words have senses */
        int win = sampling_window(&sb->rng, W);
        int32_t a = i > win ? i - win : 0;
        int32_t b = len - 1 - i > win ? i + win : len - 1;
        int B = 0;
        for (int32_t j = a; j <= b; j++) {
            if (j == i)
                continue;
            sb->in[B] = model_row(syn0, n, sen[j]);
            sb->out[B] = model_row(syn1neg, n, sen[j]);
            sb->label[B] = 1.0f;
            sb->mult[B] = 1.0f;
            B++;
        }
        if (B == 0)
            continue;
        kernels_mean(sb->ctx, sb->in, B, n, 1.0f / (float)B);
        kernels_axpy(-1.0f, sb->mean, sb->ctx, n);
        int k = senses_assign(s, word - 1, sb->ctx, model_row(syn0, n, word), 1);
        int M = B;
        const int32_t *slot = sb->negs + (size_t)(i % SENSES_RING) * (size_t)K;
        for (int q = 0; q < K; q++) {
            if (slot[q] == word)
                continue;
            sb->out[M] = model_row(syn1neg, n, slot[q]);
            sb->label[M] = 0.0f;
            sb->mult[M] = (float)B;
            M++;
        }
        kernels_step_frozen(senses_vec(s, word - 1, k), sb->out, sb->label, sb->mult, M, n,
                            t->alpha, sb->scratch);
    }
}

static void senses_sentence(struct train_thread *t, const int32_t *sen, int32_t len)
{
    struct senses_buf *sb = t->buf;
    t->buf = sb->batch;
    kernel_batch.train_sentence(t, sen, len);
    t->buf = sb;
    sense_pass(t, sb, sen, len);
}

/* The batched kernel writes back what it kept aside (its private copies of
 * the hottest rows, with several threads). */
static void senses_thread_finish(struct train_thread *t)
{
    struct senses_buf *sb = t->buf;
    if (!kernel_batch.thread_finish)
        return;
    t->buf = sb->batch;
    kernel_batch.thread_finish(t);
    t->buf = sb;
}

const struct train_kernel kernel_senses = {
    "senses", senses_thread_init, senses_sentence, senses_thread_release, senses_thread_bytes,
    senses_thread_finish,
};
