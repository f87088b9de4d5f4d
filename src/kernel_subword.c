/* kernel_subword.c — the subword kernel (`train --subwords`, kernel
 * "subword"); the scheme is described in include/w2v/subword.h.
 *
 * Every step is kernels_block_cbow with the input's mean as the hidden row
 * h and ONE scratch row e as its only "context" row, so e collects the
 * input gradient of all the window's steps; e is then added once to each
 * input row (the word's own row and its n-gram rows) instead of after every
 * step. Skip-gram takes one step per context word, and h moves by each
 * step's gradient before the next (sg_targets). The outputs of one step
 * are distinct rows: the target with its own negatives (a repeated one
 * counts twice, one equal to the target is skipped), or one Huffman path.
 * All row arithmetic is the kernels module's. */
#include "train_state.h"

#include <math.h>
#include <string.h>

#include "w2v/subword.h"

#ifndef SUBWORD_PREFETCH /* -DSUBWORD_PREFETCH=0 turns it off (to measure it) */
#define SUBWORD_PREFETCH 1
#endif

struct subword_buf {
    float *h;        /* [stride] the input: mean of the input rows */
    float *e;        /* [stride] the input's gradient, summed over the window */
    float *et;       /* [stride] skip-gram: the gradient of one target's step */
    float **in;      /* [max_in] the input rows of the current centre word */
    float **out;     /* [max_out] output rows of one step list */
    int32_t *out_id; /* [max_out] their ids (to merge repeated ones) */
    float *label;    /* [max_out] */
    float *mult;     /* [max_out] */
};

/* Output rows of one list: one target (skip-gram's context word, CBOW's
 * centre word) and K negatives, or one Huffman path. */
static size_t max_out(const struct train_options *o, int32_t max_code)
{
    size_t ns = o->negative > 0 ? 1 + (size_t)o->negative : 0;
    size_t hs = o->hs ? (size_t)max_code : 0;
    size_t m = ns > hs ? ns : hs;
    return m > 0 ? m : 1;
}

/* Input rows of one step: a word's row and its n-gram rows, for every
 * context word in CBOW. */
static size_t max_in(const struct train_options *o, int32_t max_rows)
{
    size_t per_word = (size_t)max_rows + 1;
    return o->arch == TRAIN_CBOW ? 2 * (size_t)o->window * per_word : per_word;
}

static void subword_thread_release(struct train_thread *t)
{
    struct subword_buf *b = t->buf;
    if (!b)
        return;
    w2v_aligned_free(b->h);
    w2v_aligned_free(b->e);
    w2v_aligned_free(b->et);
    w2v_free(b->in);
    w2v_free(b->out);
    w2v_free(b->out_id);
    w2v_free(b->label);
    w2v_free(b->mult);
    w2v_free(b);
    t->buf = NULL;
}

static int subword_thread_init(struct train_thread *t)
{
    const struct trainer *tr = t->tr;
    const struct subword_state *s = tr->subwords;
    if (!s)
        return W2V_EINVAL; /* subword_attach was not called */
    const size_t row_bytes = tr->model.stride * sizeof(float);
    const size_t in = max_in(&tr->opt, s->max_rows);
    const size_t outs = max_out(&tr->opt, tr->opt.hs ? tr->huffman.max_length : 0);
    struct subword_buf *b = w2v_calloc(1, sizeof *b);
    t->buf = b;
    if (!b)
        return W2V_ENOMEM;
    b->h = w2v_aligned_alloc(row_bytes);
    b->e = w2v_aligned_alloc(row_bytes);
    b->et = w2v_aligned_alloc(row_bytes);
    b->in = w2v_calloc(in, sizeof *b->in);
    b->out = w2v_calloc(outs, sizeof *b->out);
    b->out_id = w2v_calloc(outs, sizeof *b->out_id);
    b->label = w2v_calloc(outs, sizeof *b->label);
    b->mult = w2v_calloc(outs, sizeof *b->mult);
    if (!b->h || !b->e || !b->et || !b->in || !b->out || !b->out_id || !b->label || !b->mult) {
        subword_thread_release(t);
        return W2V_ENOMEM;
    }
    /* Zero padding past dim is what lets the block steps run whole rows. */
    memset(b->h, 0, row_bytes);
    memset(b->e, 0, row_bytes);
    memset(b->et, 0, row_bytes);
    return 0;
}

/* The n-gram table is not known from the options alone: this counts the
 * buffers for words of up to 30 n-gram rows (the pointer array is the only
 * part that grows with them). The n-gram rows themselves, 4·S·G bytes, are
 * not the trainer's and not in train_memory_bytes. */
static size_t subword_thread_bytes(const struct train_options *o, int64_t vocab_size)
{
    size_t stride = model_stride(o->dim);
    /* The longest Huffman code is below 2 log2(V) + 8 for any real counts. */
    size_t outs = max_out(o, o->hs ? (int32_t)log2((double)vocab_size) * 2 + 8 : 0);
    return sizeof(struct subword_buf) + 3 * stride * sizeof(float) + /* h, e, et */
           max_in(o, 30) * sizeof(float *) +
           outs * (sizeof(float *) + sizeof(int32_t) + 2 * sizeof(float));
}

/* Append word w's input rows (its syn0 row, then its n-gram rows) to in[]
 * from index n; returns the new count. */
static inline int add_word_rows(const struct trainer *tr, const struct subword_state *s,
                                float **in, int n, int32_t w)
{
    const size_t stride = tr->model.stride;
    // syn0: [V, stride]; grams: [G, stride]
    in[n++] = model_row(tr->model.syn0, stride, w);
    for (int64_t k = s->start[w]; k < s->start[w + 1]; k++)
        in[n++] = s->grams + (size_t)s->rows[k] * stride;
    return n;
}

/* Ask for word w's input rows before they are needed. */
static inline void prefetch_word(const struct trainer *tr, const struct subword_state *s,
                                 int32_t w)
{
    const size_t stride = tr->model.stride;
    kernels_prefetch_write(model_row(tr->model.syn0, stride, w));
    for (int64_t k = s->start[w]; k < s->start[w + 1]; k++)
        kernels_prefetch_row_write(s->grams + (size_t)s->rows[k] * stride, stride);
}

/* Add output row `id` of syn1neg with label and weight to the list
 * b->out[0..*M), merging it into an entry with the same id: the same label
 * adds its weight; a negative equal to the target is dropped (as fastText
 * skips it), so the rows of one list are distinct. */
static inline void ns_add(const struct trainer *tr, struct subword_buf *b, int *M, int32_t id,
                          float label, float weight)
{
    int q = 0;
    while (q < *M && b->out_id[q] != id)
        q++;
    if (q < *M) {
        if (b->label[q] == label)
            b->mult[q] += weight;
        return;
    }
    b->out[q] = model_row(tr->model.syn1neg, tr->model.stride, id);
    b->out_id[q] = id;
    b->label[q] = label;
    b->mult[q] = weight;
    (*M)++;
}

/* Steps of outputs b->out[0..M) against h, W2V_BATCH_GROUP_CBOW at a time;
 * grad (b->e, or skip-gram's b->et) collects the input gradient. */
static void steps(struct train_thread *t, struct subword_buf *b, int M, int clip, float *grad)
{
    float *const ctx[1] = {grad};
    for (int p = 0; p < M; p += W2V_BATCH_GROUP_CBOW)
        kernels_block_cbow(b->h, ctx, 1, b->out + p, b->label + p, b->mult + p,
                           M - p < W2V_BATCH_GROUP_CBOW ? M - p : W2V_BATCH_GROUP_CBOW,
                           t->tr->model.stride, t->alpha, clip);
}

/* HS for target `word`: its Huffman path (one list per target: paths
 * share nodes with other labels); the input gradient goes to grad. */
static void hs_target(struct train_thread *t, struct subword_buf *b, int32_t word, float *grad)
{
    const struct trainer *tr = t->tr;
    const struct huffman *hf = &tr->huffman;
    const int64_t off = hf->offset[word - 1]; /* the tree leaves out </s> */
    const int32_t len = hf->length[word - 1];
    for (int32_t k = 0; k < len; k++) {
        b->out[k] = model_row(tr->model.syn1, tr->model.stride, hf->points[off + k]);
        b->label[k] = 1.0f - (float)hf->code_bits[off + k];
        b->mult[k] = 1.0f;
    }
    steps(t, b, len, 1, grad);
}

/* CBOW's NS: the centre word and K negatives against the one input h. */
static void ns_centre(struct train_thread *t, struct subword_buf *b, int32_t word)
{
    const struct trainer *tr = t->tr;
    int M = 0;
    ns_add(tr, b, &M, word, 1.0f, 1.0f);
    for (int k = 0; k < tr->opt.negative; k++)
        ns_add(tr, b, &M, alias_sample(&tr->negatives, &t->rng), 0.0f, 1.0f);
    steps(t, b, M, 0, b->e);
}

/* Skip-gram: the centre word's input h predicts each context word in turn,
 * as fastText does: target j with K negatives of its own (NS) and/or its
 * Huffman path (HS), one step each. After each step h moves by that step's
 * gradient, exactly as the input rows will (each gets the sum in e, and h
 * is their mean), so the next target sees the input as pair-by-pair SGD
 * would, while the ~20 input rows are still written once per centre.
 * Why not one step for the whole window: its shared negatives stood for
 * every target's draws at once (weight T) and every target's gradient
 * came from the same h, a step T times too long on the same rows; on
 * corpus10m (2 epochs) that cost 6 points of analogy and 0.10 of WS353
 * against fastText's per-target steps (docs/BENCHMARKS.md). */
static void sg_targets(struct train_thread *t, struct subword_buf *b, const int32_t *sen,
                       int32_t lo, int32_t hi, int32_t centre)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    for (int32_t j = lo; j <= hi; j++) {
        if (j == centre)
            continue;
        kernels_zero(b->et, n);
        if (tr->opt.hs)
            hs_target(t, b, sen[j], b->et);
        if (tr->opt.negative > 0) {
            int M = 0;
            ns_add(tr, b, &M, sen[j], 1.0f, 1.0f);
            for (int k = 0; k < tr->opt.negative; k++)
                ns_add(tr, b, &M, alias_sample(&tr->negatives, &t->rng), 0.0f, 1.0f);
            steps(t, b, M, 0, b->et);
        }
        kernels_axpy(1.0f, b->et, b->h, n);
        kernels_axpy(1.0f, b->et, b->e, n);
    }
}

static void subword_sentence(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    const struct subword_state *s = tr->subwords;
    struct subword_buf *b = t->buf;
    const size_t n = tr->model.stride;
    const int W = tr->opt.window;
    const int cbow = tr->opt.arch == TRAIN_CBOW;
    if (!cbow && len > 0 && SUBWORD_PREFETCH)
        prefetch_word(tr, s, sen[0]);
    for (int32_t i = 0; i < len; i++) {
        /* Skip-gram's next input rows are a few random n-gram rows: ask
         * for them a centre word ahead. */
        if (!cbow && i + 1 < len && SUBWORD_PREFETCH)
            prefetch_word(tr, s, sen[i + 1]);
        int win = sampling_window(&t->rng, W);
        int32_t lo = i > win ? i - win : 0;
        int32_t hi = len - 1 - i > win ? i + win : len - 1;
        if (lo == hi)
            continue; /* no context */
        int C = 0;
        if (cbow) {
            for (int32_t j = lo; j <= hi; j++)
                if (j != i)
                    C = add_word_rows(tr, s, b->in, C, sen[j]);
        } else {
            C = add_word_rows(tr, s, b->in, 0, sen[i]);
        }
        kernels_mean(b->h, b->in, C, n, cbow && tr->opt.cbow_sum ? 1.0f : 1.0f / (float)C);
        kernels_zero(b->e, n);
        if (!cbow) {
            sg_targets(t, b, sen, lo, hi, i);
        } else {
            if (tr->opt.hs)
                hs_target(t, b, sen[i], b->e);
            if (tr->opt.negative > 0)
                ns_centre(t, b, sen[i]);
        }
        /* Hogwild: the input rows are shared model rows, the gradient is
         * the thread's own; a row listed twice gets it twice, as fastText
         * adds it once per occurrence. */
        kernels_add_rows(b->in, C, b->e, n);
    }
}

const struct train_kernel kernel_subword = {
    "subword", subword_thread_init, subword_sentence, subword_thread_release,
    subword_thread_bytes, NULL,
};

/* ---- attaching the n-gram rows (subword.h) --------------------------------- */

int subword_attach(struct trainer *tr, struct subword_state *s, struct w2v_err *err)
{
    if (tr->kernel != &kernel_subword)
        return w2v_fail(err, W2V_EINVAL, "n-gram rows need the subword kernel");
    if (s->dim != tr->model.dim || s->stride != tr->model.stride || s->n_words != tr->vocab_size)
        return w2v_fail(err, W2V_EINVAL, "the n-gram rows do not match the model");
    tr->subwords = s;
    return 0;
}
