/* kernel_senses.c — the sense pass of multi-sense skip-gram: see
 * kernel_senses.h. */
#include "w2v/kernel_senses.h"

#include <string.h>

#include "w2v/senses.h"
#include "w2v/simd.h"

#if defined(__GNUC__)
/* The 64-byte vector type is only used inside the cloned functions. */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* Occurrences between drawing (and prefetching) an occurrence's negatives,
 * centres and sense rows and using them: without it the pass waits on
 * memory for its random rows (a third of the time, measured with perf). */
#define SENSES_AHEAD 3
#define SENSES_RING 4
_Static_assert(SENSES_AHEAD < SENSES_RING, "the ring must hold every set drawn ahead");

struct senses_buf {
    int32_t *negs;   /* [SENSES_RING][K] negatives drawn ahead, by position */
    struct rng rng;  /* the pass's own stream: the global model's is untouched */
    float *ctx;      /* [stride] the context sum, centred */
    float *mean;     /* [stride] the mean context vector (senses.h), refreshed */
    int64_t until_refresh; /* kept words before mean is recomputed */
    float *e;        /* [stride] the sense row's update */
    float **in;      /* [2 * window] the window's syn0 rows */
    float **out;     /* [2 * window + K] output rows */
    float *label;    /* [2 * window + K] */
    float *mult;     /* [2 * window + K] */
    float *score;    /* [2 * window + K] */
};

static size_t max_out(const struct train_options *o)
{
    return 2 * (size_t)(o->window > 0 ? o->window : 1) + (size_t)(o->negative > 0 ? o->negative : 0);
}

size_t senses_buf_bytes(const struct train_options *o)
{
    size_t stride = simd_padded((size_t)(o->dim > 0 ? o->dim : 1));
    return sizeof(struct senses_buf) + 3 * stride * sizeof(float) + 64 +
           max_out(o) * (2 * sizeof(float *) + 3 * sizeof(float)) +
           SENSES_RING * (size_t)(o->negative > 0 ? o->negative : 1) * sizeof(int32_t);
}

void senses_buf_free(struct senses_buf *b)
{
    if (!b)
        return;
    w2v_aligned_free(b->ctx);
    w2v_aligned_free(b->mean);
    w2v_aligned_free(b->e);
    w2v_free(b->negs);
    w2v_free(b->in);
    w2v_free(b->out);
    w2v_free(b->label);
    w2v_free(b->mult);
    w2v_free(b->score);
    w2v_free(b);
}

struct senses_buf *senses_buf_new(const struct trainer *tr, int thread_id)
{
    const size_t S = tr->model.stride, M = max_out(&tr->opt);
    struct senses_buf *b = w2v_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    /* Streams 2^32 + id: never one of the threads' own (0 .. threads-1). */
    rng_seed(&b->rng, tr->opt.seed, ((uint64_t)1 << 32) + (uint64_t)thread_id);
    b->ctx = w2v_aligned_alloc(S * sizeof(float));
    b->e = w2v_aligned_alloc(S * sizeof(float));
    b->mean = w2v_aligned_alloc(S * sizeof(float));
    b->negs = w2v_calloc((size_t)SENSES_RING * (size_t)(tr->opt.negative > 0 ? tr->opt.negative : 1),
                         sizeof *b->negs);
    b->in = w2v_calloc(M, sizeof *b->in);
    b->out = w2v_calloc(M, sizeof *b->out);
    b->label = w2v_calloc(M, sizeof *b->label);
    b->mult = w2v_calloc(M, sizeof *b->mult);
    b->score = w2v_calloc(M, sizeof *b->score);
    if (!b->negs || !b->ctx || !b->e || !b->mean || !b->in || !b->out || !b->label || !b->mult || !b->score) {
        senses_buf_free(b);
        return NULL;
    }
    memset(b->ctx, 0, S * sizeof(float));
    memset(b->e, 0, S * sizeof(float));
    memset(b->mean, 0, S * sizeof(float));
    b->until_refresh = 0;
    return b;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(W2V_NO_CLONES)
#define W2V_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define W2V_CLONES
#endif

/* Row loops, inlined into the cloned functions below so that each clone
 * vectorises them for its instruction set without a call per row.
 * Hogwild: the rows they read (syn0, syn1neg) and write (a sense row) may
 * be written by other threads at the same time (train.h). */
static inline float row_dot(const float *a, const float *b, size_t n)
{
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (size_t i = 0; i < n; i++)
        sum += a[i] * b[i];
    return sum;
}

static inline void row_axpy(float alpha, const float *x, float *y, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

/* ctx = Σ_b rows[b] - B * mean.   rows: [B][n]; mean, ctx: [n] */
W2V_CLONES
static void context_sum(float *ctx, float *const *rows, int B, const float *mean, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ctx[i] = -(float)B * mean[i];
    for (int b = 0; b < B; b++)
        row_axpy(1.0f, rows[b], ctx, n);
}

/* 16 floats of a row, as one vector (rows are 64-byte aligned and padded to
 * a multiple of 16; the type may alias floats). */
typedef float f32x16 __attribute__((vector_size(64)));
typedef float f32x16_row __attribute__((vector_size(64), aligned(4), may_alias));

/* Sum of the 16 lanes: halves folded four times. */
static inline __attribute__((always_inline)) float lane_sum(const f32x16 *a)
{
    f32x16 x = *a;
    x += __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    x += __builtin_shufflevector(x, x, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3);
    x += __builtin_shufflevector(x, x, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1);
    x += __builtin_shufflevector(x, x, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0);
    return x[0];
}

/* One negative-sampling step of the sense row v against M output rows,
 * which are only read:
 *   g[m] = alpha * mult[m] * (label[m] - σ(v · out[m]))     v += Σ_m g[m] out[m]
 * with every score taken before v moves (one batched update).
 * v: [n]; out: [M][n], n a multiple of 16; g: [M] scratch */
W2V_CLONES
static void sense_step(float *v, float *const *out, const float *label, const float *mult, int M,
                       size_t n, float alpha, float *g)
{
    for (int m = 0; m < M; m++) {
        f32x16 acc = {0};
        for (size_t i = 0; i < n; i += 16)
            acc += *(const f32x16_row *)(v + i) * *(const f32x16_row *)(out[m] + i);
        g[m] = lane_sum(&acc);
    }
    simd_sigmoid(g, (size_t)M);
    for (int m = 0; m < M; m++)
        g[m] = alpha * mult[m] * (label[m] - g[m]);
    /* Per 16 floats: the update from every output row, then one store. */
    for (size_t i = 0; i < n; i += 16) {
        f32x16 e = {0};
        for (int m = 0; m < M; m++)
            e += g[m] * *(const f32x16_row *)(out[m] + i);
        *(f32x16_row *)(v + i) += e;
    }
}

static inline void prefetch_row(const float *row, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        __builtin_prefetch(row + i, 0, 3);
}

/* Draw the negatives of the occurrence at position c (a word with senses)
 * into its ring slot and prefetch their rows. (Prefetching the word's
 * centres and sense rows as well was slower: too many lines in flight.) */
static void prepare(const struct trainer *tr, struct senses_buf *sb, int32_t c)
{
    const size_t n = tr->model.stride;
    const int K = tr->opt.negative;
    int32_t *slot = sb->negs + (size_t)(c % SENSES_RING) * (size_t)K;
    for (int q = 0; q < K; q++) {
        slot[q] = alias_sample(&tr->negatives, &sb->rng);
        prefetch_row(model_row(tr->model.syn1neg, n, slot[q]), n);
    }
}

void train_sentence_senses(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    struct senses *s = (struct senses *)&tr->senses;
    struct senses_buf *sb = t->senses;
    const size_t n = tr->model.stride;
    const int W = tr->opt.window, K = tr->opt.negative;
    float *const syn0 = tr->model.syn0, *const syn1neg = tr->model.syn1neg;

    int64_t done = atomic_load_explicit(&((struct trainer *)tr)->words_done, memory_order_relaxed);
    double total = (double)tr->words_per_epoch * (double)tr->opt.epochs;
    if ((double)done < W2V_SENSES_WARMUP * total)
        return;
    /* Each thread keeps its own copy of the mean context: recomputing it
     * costs one pass over syn0, so it is done every so many words (it
     * drifts slowly), with no shared row to contend for. */
    if (sb->until_refresh <= 0) {
        senses_context_mean(s, syn0, n, sb->mean);
        sb->until_refresh = W2V_SENSES_MEAN_REFRESH;
    }
    sb->until_refresh -= len;
    for (int32_t c = 0; c < len && c < SENSES_AHEAD; c++)
        if (sen[c] <= s->n_words)
            prepare(tr, sb, c);
    for (int32_t i = 0; i < len; i++) {
        const int32_t word = sen[i];
        if (i + SENSES_AHEAD < len && sen[i + SENSES_AHEAD] <= s->n_words)
            prepare(tr, sb, i + SENSES_AHEAD);
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
        /* B (average - mean) points where the centred average does:
         * cosines need no 1/B. */
        context_sum(sb->ctx, sb->in, B, sb->mean, n);
        int k = senses_assign(s, word - 1, sb->ctx, model_row(syn0, n, word), 1);
        int M = B;
        const int32_t *slot = sb->negs + (size_t)(i % SENSES_RING) * (size_t)K;
        for (int q = 0; q < K; q++) {
            int32_t neg = slot[q];
            if (neg == word)
                continue;
            sb->out[M] = model_row(syn1neg, n, neg);
            sb->label[M] = 0.0f;
            sb->mult[M] = (float)B;
            M++;
        }
        sense_step(senses_vec(s, word - 1, k), sb->out, sb->label, sb->mult, M, n, t->alpha,
                   sb->score);
    }
}
