/* kernel_senses.c — the sense pass of multi-sense skip-gram: see
 * kernel_senses.h. */
#include "w2v/kernel_senses.h"

#include <string.h>

#include "w2v/senses.h"
#include "w2v/simd.h"

struct senses_buf {
    struct rng rng;  /* the pass's own stream: the global model's is untouched */
    float *ctx;      /* [stride] the context sum, centred */
    float *mean;     /* [stride] the mean context vector (senses.h), refreshed */
    int64_t until_refresh; /* kept words before mean is recomputed */
    float *e;        /* [stride] the sense row's update */
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
           max_out(o) * (sizeof(float *) + 3 * sizeof(float));
}

void senses_buf_free(struct senses_buf *b)
{
    if (!b)
        return;
    w2v_aligned_free(b->ctx);
    w2v_aligned_free(b->mean);
    w2v_aligned_free(b->e);
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
    b->out = w2v_calloc(M, sizeof *b->out);
    b->label = w2v_calloc(M, sizeof *b->label);
    b->mult = w2v_calloc(M, sizeof *b->mult);
    b->score = w2v_calloc(M, sizeof *b->score);
    if (!b->ctx || !b->e || !b->mean || !b->out || !b->label || !b->mult || !b->score) {
        senses_buf_free(b);
        return NULL;
    }
    memset(b->ctx, 0, S * sizeof(float));
    memset(b->e, 0, S * sizeof(float));
    memset(b->mean, 0, S * sizeof(float));
    b->until_refresh = 0;
    return b;
}

/* One negative-sampling step of the sense row v against M output rows,
 * which are only read:
 *   g[m] = alpha * mult[m] * (label[m] - σ(v · out[m]))     v += Σ_m g[m] out[m]
 * with every score taken before v moves (one batched update).
 * v: [n]; out: [M][n]; score: [M]; e: [n] scratch */
static void sense_step(float *v, float *const *out, const float *label, const float *mult, int M,
                       size_t n, float alpha, float *score, float *e)
{
    for (int m = 0; m < M; m++)
        score[m] = simd_dot(v, out[m], n);
    simd_sigmoid(score, (size_t)M);
    memset(e, 0, n * sizeof *e);
    for (int m = 0; m < M; m++)
        simd_axpy(alpha * mult[m] * (label[m] - score[m]), out[m], e, n);
    /* Hogwild: another thread may be stepping the same sense row. */
    simd_axpy(1.0f, e, v, n);
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
    for (int32_t i = 0; i < len; i++) {
        const int32_t word = sen[i];
        if (word > s->n_words)
            continue; /* ids 1..n_words have senses */
        int win = sampling_window(&sb->rng, W);
        int32_t a = i > win ? i - win : 0;
        int32_t b = len - 1 - i > win ? i + win : len - 1;
        int B = 0;
        memset(sb->ctx, 0, n * sizeof *sb->ctx);
        for (int32_t j = a; j <= b; j++) {
            if (j == i)
                continue;
            simd_axpy(1.0f, model_row(syn0, n, sen[j]), sb->ctx, n);
            sb->out[B] = model_row(syn1neg, n, sen[j]);
            sb->label[B] = 1.0f;
            sb->mult[B] = 1.0f;
            B++;
        }
        if (B == 0)
            continue;
        /* B (average - mean) points where the centred average does:
         * cosines need no 1/B. */
        simd_axpy(-(float)B, sb->mean, sb->ctx, n);
        int k = senses_assign(s, word - 1, sb->ctx, model_row(syn0, n, word), 1);
        int M = B;
        for (int q = 0; q < K; q++) {
            int32_t neg = alias_sample(&tr->negatives, &sb->rng);
            if (neg == word)
                continue;
            sb->out[M] = model_row(syn1neg, n, neg);
            sb->label[M] = 0.0f;
            sb->mult[M] = (float)B;
            M++;
        }
        sense_step(senses_vec(s, word - 1, k), sb->out, sb->label, sb->mult, M, n, t->alpha,
                   sb->score, sb->e);
    }
}
