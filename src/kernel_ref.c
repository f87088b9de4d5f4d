/* kernel_ref.c — the reference kernel (`--kernel reference`): the original
 * word2vec's updates, pair by pair. Skip-gram: each context word's input row
 * predicts the centre word (the original's orientation) and takes its
 * gradient at once; CBOW: the context mean (or sum) predicts the centre word
 * and every context row takes the same gradient. NS scores outside ±6 take
 * σ as 0 or 1, HS skips such nodes, σ comes from the trainer's table: all
 * as the original. It is the baseline faster kernels are tested against.
 * Rows are [stride] floats (see kernels.h); all row arithmetic is the
 * kernels module's. */
#include "train_state.h"

#include <string.h>

/* Per-thread buffers. */
struct ref_buf {
    float *neu1;     /* [stride] CBOW hidden layer (context mean/sum) */
    float *neu1e;    /* [stride] gradient for the input rows */
    int32_t *context; /* [2 * window] the current window's context ids */
};


/* Negative sampling for one (input h, word) pair: the word as positive and
 * K draws from the unigram^0.75 table as negatives (a draw equal to the word
 * is skipped, as in the original).
 * h: [n] the input (a syn0 row, or the CBOW hidden layer); e: [n] gradient
 * accumulated for h; syn1neg: [V, n] row-major. */
static inline void ns_pair(struct train_thread *t, const float *restrict h, float *restrict e,
                           int32_t word)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    const float alpha = t->alpha;
    for (int d = 0; d <= tr->opt.negative; d++) {
        int32_t target = word;
        float label = 1.0f;
        if (d > 0) {
            target = alias_sample(&tr->negatives, &t->rng);
            if (target == word)
                continue;
            label = 0.0f;
        }
        float *out = model_row(tr->model.syn1neg, n, target);
        float f = kernels_dot(h, out, n);
        float g;
        /* Outside the table σ is taken as 0 or 1 (the original's rule);
         * written so that a NaN score takes a bounded branch. */
        if (!(f < W2V_SIGMOID_MAX))
            g = (label - 1.0f) * alpha;
        else if (!(f > -W2V_SIGMOID_MAX))
            g = label * alpha;
        else
            g = (label - train_sigmoid(tr->sigmoid, f)) * alpha;
        kernels_axpy(g, out, e, n);
        /* Hogwild: other threads may read or update this output row at the
         * same moment; lost or mixed updates are rare and tolerated. */
        kernels_axpy(g, h, out, n);
    }
}

/* Hierarchical softmax for one (input h, word) pair: walk the word's
 * Huffman path, one logistic regression per inner node. Scores outside the
 * table are skipped, as in the original.
 * h: [n]; e: [n]; syn1: [V-1, n] inner-node rows. */
static inline void hs_pair(struct train_thread *t, const float *restrict h, float *restrict e,
                           int32_t word)
{
    const struct trainer *tr = t->tr;
    const struct huffman *hf = &tr->huffman;
    const size_t n = tr->model.stride;
    const float alpha = t->alpha;
    const int32_t code = word - 1; /* the tree leaves out </s> */
    const int64_t off = hf->offset[code];
    const int32_t len = hf->length[code];
    for (int32_t b = 0; b < len; b++) {
        float *node = model_row(tr->model.syn1, n, hf->points[off + b]);
        float f = kernels_dot(h, node, n);
        if (!(f > -W2V_SIGMOID_MAX && f < W2V_SIGMOID_MAX))
            continue;
        float g = (1.0f - (float)hf->code_bits[off + b] - train_sigmoid(tr->sigmoid, f)) * alpha;
        kernels_axpy(g, node, e, n);
        /* Hogwild: unsynchronised update of a shared row (see ns_pair). */
        kernels_axpy(g, h, node, n);
    }
}

/* Skip-gram, per pair: each context word's input row predicts the centre
 * word (the original's orientation), and gets its gradient at once. */
static void sentence_skipgram(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    float *e = ((struct ref_buf *)t->buf)->neu1e;
    for (int32_t i = 0; i < len; i++) {
        int32_t word = sen[i];
        int win = sampling_window(&t->rng, tr->opt.window);
        int32_t a = i > win ? i - win : 0;
        int32_t b = len - 1 - i > win ? i + win : len - 1;
        for (int32_t j = a; j <= b; j++) {
            if (j == i)
                continue;
            // syn0: [V, n] row-major; l1 is the context word's row
            float *l1 = model_row(tr->model.syn0, n, sen[j]);
            kernels_zero(e, n);
            if (tr->opt.hs)
                hs_pair(t, l1, e, word);
            if (tr->opt.negative > 0)
                ns_pair(t, l1, e, word);
            /* Hogwild: unsynchronised update of a shared input row. */
            kernels_axpy(1.0f, e, l1, n);
        }
    }
}

/* CBOW: the context rows are gathered (ids in rb->context) and averaged (or
 * summed) into neu1, which predicts the centre word; every context row then
 * receives the same gradient, as in the original. */
static void sentence_cbow(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    struct ref_buf *rb = t->buf;
    float *h = rb->neu1, *e = rb->neu1e;
    for (int32_t i = 0; i < len; i++) {
        int32_t word = sen[i];
        int win = sampling_window(&t->rng, tr->opt.window);
        int32_t a = i > win ? i - win : 0;
        int32_t b = len - 1 - i > win ? i + win : len - 1;
        int32_t cw = 0;
        kernels_zero(h, n);
        for (int32_t j = a; j <= b; j++) {
            if (j == i)
                continue;
            rb->context[cw++] = sen[j];
            // syn0: [V, n]; h: [n] += row
            kernels_axpy(1.0f, model_row(tr->model.syn0, n, sen[j]), h, n);
        }
        if (cw == 0)
            continue;
        if (!tr->opt.cbow_sum)
            kernels_scale(h, 1.0f / (float)cw, n);
        kernels_zero(e, n);
        if (tr->opt.hs)
            hs_pair(t, h, e, word);
        if (tr->opt.negative > 0)
            ns_pair(t, h, e, word);
        for (int32_t k = 0; k < cw; k++)
            /* Hogwild: unsynchronised update of a shared input row. */
            kernels_axpy(1.0f, e, model_row(tr->model.syn0, n, rb->context[k]), n);
    }
}

static void ref_sentence(struct train_thread *t, const int32_t *sentence, int32_t len)
{
    if (t->tr->opt.arch == TRAIN_CBOW)
        sentence_cbow(t, sentence, len);
    else
        sentence_skipgram(t, sentence, len);
}

static void ref_thread_release(struct train_thread *t)
{
    struct ref_buf *rb = t->buf;
    if (!rb)
        return;
    w2v_aligned_free(rb->neu1);
    w2v_aligned_free(rb->neu1e);
    w2v_free(rb->context);
    w2v_free(rb);
    t->buf = NULL;
}

static int ref_thread_init(struct train_thread *t)
{
    const size_t row_bytes = t->tr->model.stride * sizeof(float);
    struct ref_buf *rb = w2v_calloc(1, sizeof *rb);
    t->buf = rb;
    if (!rb)
        return W2V_ENOMEM;
    rb->neu1 = w2v_aligned_alloc(row_bytes);
    rb->neu1e = w2v_aligned_alloc(row_bytes);
    rb->context = w2v_calloc(2 * (size_t)t->tr->opt.window, sizeof *rb->context);
    if (!rb->neu1 || !rb->neu1e || !rb->context) {
        ref_thread_release(t);
        return W2V_ENOMEM;
    }
    /* Zero padding past dim is what lets the loops run whole blocks. */
    memset(rb->neu1, 0, row_bytes);
    memset(rb->neu1e, 0, row_bytes);
    return 0;
}

static size_t ref_thread_bytes(const struct train_options *o, int64_t vocab_size)
{
    (void)vocab_size;
    size_t stride = model_stride(o->dim);
    return sizeof(struct ref_buf) + 2 * stride * sizeof(float) +
           2 * (size_t)o->window * sizeof(int32_t);
}

const struct train_kernel kernel_ref = {
    "reference", ref_thread_init, ref_sentence, ref_thread_release, ref_thread_bytes, NULL,
};
