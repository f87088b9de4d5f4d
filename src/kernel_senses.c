/* kernel_senses.c — the senses kernel (`train --senses K`): multi-sense
 * skip-gram (Neelakantan et al. 2014; the table and its rule: senses.h) on
 * top of the batched kernel.
 *
 * The batched kernel trains the global model exactly as plain skip-gram
 * (same buffers, same random stream) and, after each centre word's
 * negative-sampling step, hands that centre to the sense pass
 * (kernel_batch_on_centre), which never writes a model row and draws no
 * random number. So the main output keeps one vector per word and, with
 * one thread and one seed, is byte for byte the file plain skip-gram
 * writes (tested): it cannot get worse. (MSSG keeps a global vector per
 * word beside the senses in the same way.) Riding on the centre step
 * rather than making a pass of its own over the sentence, the sense step
 * finds the window's rows and the negatives' rows still in cache: the own
 * pass, with its own window and negatives, took as long as the skip-gram
 * step itself (mostly waiting for rows), this one about half of it.
 *
 * For each occurrence of a word with senses (after the warm-up below):
 *   ctx = the average of the window's context rows in syn0 (the global
 *         vectors, as MSSG averages its global vectors) minus the mean
 *         context vector (senses.h: centring), which each thread recomputes
 *         every SENSES_MEAN_REFRESH words;
 *   fit = the mean of the window's output rows (syn1neg of each context
 *         word), which the centre step has just read;
 *   k   = senses_assign(ctx, fit): a new sense when the nearest centre is
 *         below λ, else the sense whose vector has the largest cosine
 *         with fit (senses.h: why); the chosen centre moves toward ctx;
 *   the sense vector v_k takes one skip-gram negative-sampling step
 *   (kernels_step_frozen) against the window's output rows (syn1neg of each
 *   context word, label 1) and the K negatives the centre step drew (label
 *   0, weight = the number of context words, so each (sense, context) pair
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
 * kernel is reused unchanged but for the hook. With several threads it
 * trains private copies of the hottest rows (hotrows.h): the rows the
 * sense step reads, the context rows and the context words' output rows,
 * are the thread's own copies for those words. */
#include <string.h>

#include "train_state.h"
#include "w2v/senses.h"

#define SENSES_WARMUP 0.1            /* share of all training words before senses open */
#define SENSES_MEAN_REFRESH 1000000  /* kept words between a thread's mean-context updates */
/* Centre words between prefetching a word's sense centres and choosing
 * among them. */
#define SENSES_AHEAD 2

extern const struct train_kernel kernel_batch;

struct senses_buf {
    void *batch;     /* the batched kernel's buffer */
    int active;      /* the pass runs for this sentence (past the warm-up) */
    float *ctx;      /* [stride] the context average, centred */
    float *fit;      /* [stride] the mean of the context words' output rows */
    float *mean;     /* [stride] the mean context vector, refreshed */
    int64_t until_refresh; /* kept words before mean is recomputed */
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
           3 * stride * sizeof(float) + (max_out(o) + 16) * (sizeof(float *) + 3 * sizeof(float));
}

static void senses_thread_release(struct train_thread *t)
{
    struct senses_buf *b = t->buf;
    if (!b)
        return;
    t->buf = b->batch;
    kernel_batch.thread_release(t);
    w2v_aligned_free(b->ctx);
    w2v_aligned_free(b->fit);
    w2v_aligned_free(b->mean);
    w2v_free(b->out);
    w2v_free(b->label);
    w2v_free(b->mult);
    w2v_free(b->scratch);
    w2v_free(b);
    t->buf = NULL;
}

static void sense_step(struct train_thread *t, void *arg, const struct batch_centre *c);

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
    kernel_batch_on_centre(b->batch, sense_step, b);
    b->ctx = w2v_aligned_alloc(S * sizeof(float));
    b->fit = w2v_aligned_alloc(S * sizeof(float));
    b->mean = w2v_aligned_alloc(S * sizeof(float));
    b->out = w2v_calloc(M, sizeof *b->out);
    b->label = w2v_calloc(M, sizeof *b->label);
    b->mult = w2v_calloc(M, sizeof *b->mult);
    b->scratch = w2v_calloc(M + 16, sizeof *b->scratch);
    if (!b->ctx || !b->fit || !b->mean || !b->out || !b->label || !b->mult || !b->scratch) {
        senses_thread_release(t);
        return W2V_ENOMEM;
    }
    memset(b->ctx, 0, S * sizeof(float));
    memset(b->fit, 0, S * sizeof(float));
    memset(b->mean, 0, S * sizeof(float));
    b->until_refresh = 0;
    return 0;
}

/* Ask for the cache lines of the centres of a word a few centres ahead:
 * choosing among them is the one read the centre step has not made. */
static void prefetch_centres(const struct senses *s, int32_t word)
{
    if (word > s->n_words)
        return;
    int open = atomic_load_explicit(&s->n_open[word - 1], memory_order_relaxed);
    for (int k = 0; k < open && k < s->max_senses; k++) {
        kernels_prefetch_row_write(senses_centre(s, word - 1, k), (size_t)s->dim);
        kernels_prefetch_row_write(senses_vec(s, word - 1, k), (size_t)s->dim);
    }
}

/* The sense step of one centre (see the file comment). */
static void sense_step(struct train_thread *t, void *arg, const struct batch_centre *c)
{
    struct senses_buf *sb = arg;
    struct trainer *tr = t->tr;
    struct senses *s = &tr->senses;
    if (!sb->active)
        return;
    if (c->i + SENSES_AHEAD < c->len)
        prefetch_centres(s, c->sen[c->i + SENSES_AHEAD]);
    const int32_t word = c->sen[c->i];
    if (word > s->n_words)
        return; /* ids 1..n_words have senses */
    const size_t n = tr->model.stride;
    const int B = c->B;
    kernels_mean(sb->ctx, c->in, B, n, 1.0f / (float)B);
    kernels_axpy(-1.0f, sb->mean, sb->ctx, n);
    kernels_mean(sb->fit, c->ctx_out, B, n, 1.0f / (float)B);
    int k = senses_assign(s, word - 1, sb->ctx, sb->fit, model_row(tr->model.syn0, n, word), 1);
    for (int j = 0; j < B; j++) {
        sb->out[j] = c->ctx_out[j];
        sb->label[j] = 1.0f;
        sb->mult[j] = 1.0f;
    }
    int M = B;
    for (int q = 0; q < c->n_neg; q++, M++) {
        sb->out[M] = c->neg[q];
        sb->label[M] = 0.0f;
        sb->mult[M] = (float)B * c->neg_mult[q];
    }
    kernels_step_frozen(senses_vec(s, word - 1, k), sb->out, sb->label, sb->mult, M, n,
                        t->alpha, sb->scratch);
}

/* The batched kernel trains the sentence and calls sense_step for each
 * centre; before it, the warm-up check and the thread's mean context. */
static void senses_sentence(struct train_thread *t, const int32_t *sen, int32_t len)
{
    struct senses_buf *sb = t->buf;
    struct trainer *tr = t->tr;
    int64_t done = atomic_load_explicit(&tr->words_done, memory_order_relaxed);
    sb->active =
        (double)done >= SENSES_WARMUP * (double)tr->words_per_epoch * (double)tr->opt.epochs;
    /* Each thread keeps its own copy of the mean context: recomputing it
     * costs one pass over syn0, so it is done every so many words (it
     * drifts slowly), with no shared row to contend for. */
    if (sb->active) {
        if (sb->until_refresh <= 0) {
            senses_context_mean(&tr->senses, tr->model.syn0, tr->model.stride, sb->mean);
            sb->until_refresh = SENSES_MEAN_REFRESH;
        }
        sb->until_refresh -= len;
    }
    t->buf = sb->batch;
    kernel_batch.train_sentence(t, sen, len);
    t->buf = sb;
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
