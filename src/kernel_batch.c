/* kernel_batch.c — the batched kernel (`--kernel batched`, the default):
 * the HogBatch scheme of Ji et al. ("Parallelizing Word2Vec in Shared and Distributed
 * Memory", Intel's pWord2Vec) for all four model x objective pairs.
 *
 * Skip-gram: for each centre word the window's context rows (the inputs)
 * meet one set of output rows at once — the centre word's NS row and ONE
 * set of K negatives shared by the whole window, or the inner nodes of the
 * centre word's Huffman path — as a small matrix-matrix step instead of
 * 2*window*(1+K) separate dot products.
 * CBOW: the mean (or sum) of the context rows is the one input row of the
 * same step; its gradient is added to every context row, as the original.
 *
 * Differences from the reference kernel, all deliberate:
 * - a negative equal to the centre word is skipped (as the reference);
 *   a negative drawn twice for one window is kept once with weight 2, which
 *   is the same update both draws would give against the same scores;
 * - within one block every score uses the rows as they were before the
 *   block (the batched update), so results are not bit-identical with the
 *   reference, only as good (tested on planted and structured corpora);
 * - NS uses the exact logistic function (kernels.h) rather than the
 *   table clamped at ±6; HS keeps the original's rule of skipping a node
 *   whose score lies outside (-6, 6);
 * - negatives are drawn a few centre words ahead so that their rows can be
 *   prefetched; the stream of random numbers differs from the reference's,
 *   but one thread with one seed still gives the same bits every run.
 *
 * This file gathers each window's rows and hands them to the block steps of
 * the kernels module, which hold all its arithmetic. */
#include "train_state.h"

#include <math.h>
#include <string.h>

/* Centre words between drawing (and prefetching) a centre's negatives and
 * using them; the ring holds BATCH_RING >= BATCH_AHEAD + 1 sets. */
#ifndef BATCH_AHEAD /* -DBATCH_AHEAD=0 turns prefetching off (to measure it) */
#define BATCH_AHEAD 3
#endif
#define BATCH_RING 8
_Static_assert(BATCH_AHEAD < BATCH_RING, "the ring must hold every set drawn ahead");

/* ---- per-thread buffers ---------------------------------------------------- */

struct batch_buf {
    float *h;        /* [stride] CBOW hidden layer (context mean/sum) */
    int32_t *negs;   /* [BATCH_RING][K] negatives drawn ahead, by centre index */
    float *scratch;  /* [2 * window][W2V_BATCH_GROUP] + 16: scores, then gradients */
    float **in;      /* [2 * window] the current window's input rows */
    float **out;     /* [max_out] output rows of the current centre word */
    int32_t *out_id; /* [max_out] their ids (to merge repeated negatives) */
    float *label;    /* [max_out] */
    float *mult;     /* [max_out] how many draws each row stands for */
};

/* Output rows per centre word: the word and K negatives, or a Huffman path. */
static size_t max_out(const struct train_options *o, int32_t max_code)
{
    size_t ns = o->negative > 0 ? (size_t)o->negative + 1 : 0;
    size_t hs = o->hs ? (size_t)max_code : 0;
    size_t m = ns > hs ? ns : hs;
    return m > 0 ? m : 1;
}

/* What batch_thread_init allocates for these options, with a longest
 * Huffman code of max_code (0 without --hs). */
static size_t batch_buf_bytes(const struct train_options *o, int32_t max_code)
{
    size_t window2 = 2 * (size_t)(o->window > 0 ? o->window : 1);
    size_t negs = (size_t)BATCH_RING * (size_t)(o->negative > 0 ? o->negative : 1);
    size_t outs = max_out(o, max_code);
    size_t stride = ((size_t)o->dim + W2V_MODEL_ROW_ALIGN - 1) / W2V_MODEL_ROW_ALIGN *
                    W2V_MODEL_ROW_ALIGN;
    return sizeof(struct batch_buf) + stride * sizeof(float) + negs * sizeof(int32_t) +
           (window2 * W2V_BATCH_GROUP + 16) * sizeof(float) + window2 * sizeof(float *) +
           outs * (sizeof(float *) + sizeof(int32_t) + 2 * sizeof(float));
}

static void batch_thread_release(struct train_thread *t)
{
    struct batch_buf *b = t->buf;
    if (!b)
        return;
    w2v_aligned_free(b->h);
    w2v_free(b->negs);
    w2v_free(b->scratch);
    w2v_free(b->in);
    w2v_free(b->out);
    w2v_free(b->out_id);
    w2v_free(b->label);
    w2v_free(b->mult);
    w2v_free(b);
    t->buf = NULL;
}

static int batch_thread_init(struct train_thread *t)
{
    const struct trainer *tr = t->tr;
    const struct train_options *o = &tr->opt;
    const size_t row_bytes = tr->model.stride * sizeof(float);
    struct batch_buf *b = w2v_calloc(1, sizeof *b);
    t->buf = b;
    if (!b)
        return W2V_ENOMEM;
    b->h = w2v_aligned_alloc(row_bytes);
    size_t window2 = 2 * (size_t)(o->window > 0 ? o->window : 1);
    size_t outs = max_out(o, o->hs ? tr->huffman.max_length : 0);
    b->negs = w2v_calloc((size_t)BATCH_RING * (size_t)(o->negative > 0 ? o->negative : 1),
                         sizeof *b->negs);
    b->scratch = w2v_calloc(window2 * W2V_BATCH_GROUP + 16, sizeof *b->scratch);
    b->in = w2v_calloc(window2, sizeof *b->in);
    b->out = w2v_calloc(outs, sizeof *b->out);
    b->out_id = w2v_calloc(outs, sizeof *b->out_id);
    b->label = w2v_calloc(outs, sizeof *b->label);
    b->mult = w2v_calloc(outs, sizeof *b->mult);
    if (!b->h || !b->negs || !b->scratch || !b->in || !b->out || !b->out_id || !b->label ||
        !b->mult) {
        batch_thread_release(t);
        return W2V_ENOMEM;
    }
    memset(b->h, 0, row_bytes);
    return 0;
}

static size_t batch_thread_bytes(const struct train_options *o, int64_t vocab_size)
{
    /* The longest Huffman code is below 2 log2(V) + 8 for any real counts. */
    return batch_buf_bytes(o, o->hs ? (int32_t)log2((double)vocab_size) * 2 + 8 : 0);
}

/* ---- sentences ----------------------------------------------------------- */

/* Ask for a row's cache lines before they are needed (for writing). */
static inline void prefetch_row(const float *row, size_t n)
{
    if (BATCH_AHEAD == 0)
        return;
    for (size_t i = 0; i < n; i += 16)
        __builtin_prefetch(row + i, 1, 3);
}

/* Draw the K negatives of centre c into its ring slot and prefetch their
 * rows and the centre word's own output row. */
static inline void draw_negatives(struct train_thread *t, struct batch_buf *bb, int32_t c,
                                  int32_t word)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    const int K = tr->opt.negative;
    int32_t *slot = bb->negs + (size_t)(c % BATCH_RING) * (size_t)K;
    prefetch_row(model_row(tr->model.syn1neg, n, word), n);
    for (int k = 0; k < K; k++) {
        slot[k] = alias_sample(&tr->negatives, &t->rng);
        prefetch_row(model_row(tr->model.syn1neg, n, slot[k]), n);
    }
}

/* Fill bb->out/label/mult with the centre word (label 1) and the negatives
 * of centre c (label 0): a negative equal to the word is skipped (the
 * reference's rule), a repeated one counts twice. Returns M. */
static inline int ns_outputs(const struct trainer *tr, struct batch_buf *bb, int32_t c,
                             int32_t word)
{
    const size_t n = tr->model.stride;
    const int K = tr->opt.negative;
    const int32_t *slot = bb->negs + (size_t)(c % BATCH_RING) * (size_t)K;
    int M = 1;
    bb->out[0] = model_row(tr->model.syn1neg, n, word);
    bb->out_id[0] = word;
    bb->label[0] = 1.0f;
    bb->mult[0] = 1.0f;
    for (int k = 0; k < K; k++) {
        int32_t w = slot[k];
        if (w == word)
            continue;
        int q = 1;
        while (q < M && bb->out_id[q] != w)
            q++;
        if (q < M) {
            bb->mult[q] += 1.0f;
            continue;
        }
        bb->out[M] = model_row(tr->model.syn1neg, n, w);
        bb->out_id[M] = w;
        bb->label[M] = 0.0f;
        bb->mult[M] = 1.0f;
        M++;
    }
    return M;
}

/* Fill bb->out/label/mult with the inner nodes of word's Huffman path,
 * labels 1 - code bit. Returns the path length. */
static inline int hs_outputs(const struct trainer *tr, struct batch_buf *bb, int32_t word)
{
    const struct huffman *hf = &tr->huffman;
    const size_t n = tr->model.stride;
    const int32_t code = word - 1; /* the tree leaves out </s> */
    const int64_t off = hf->offset[code];
    const int32_t len = hf->length[code];
    for (int32_t b = 0; b < len; b++) {
        bb->out[b] = model_row(tr->model.syn1, n, hf->points[off + b]);
        bb->label[b] = 1.0f - (float)hf->code_bits[off + b];
        bb->mult[b] = 1.0f;
    }
    return len;
}

static inline void prefetch_path(const struct trainer *tr, int32_t word)
{
    const struct huffman *hf = &tr->huffman;
    const size_t n = tr->model.stride;
    const int64_t off = hf->offset[word - 1];
    const int32_t len = hf->length[word - 1];
    for (int32_t b = 0; b < len; b++)
        prefetch_row(model_row(tr->model.syn1, n, hf->points[off + b]), n);
}

/* Skip-gram: inputs = the window's context rows, outputs = the centre
 * word's path (HS) and/or the centre word with shared negatives (NS). */
static void sentence_sg(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    struct batch_buf *bb = t->buf;
    const size_t n = tr->model.stride;
    const int W = tr->opt.window;
    const int ns = tr->opt.negative > 0, hs = tr->opt.hs;
    float *const syn0 = tr->model.syn0;

    for (int32_t c = 0; c < len && c < BATCH_AHEAD; c++) {
        if (ns)
            draw_negatives(t, bb, c, sen[c]);
        if (hs)
            prefetch_path(tr, sen[c]);
    }
    for (int32_t j = 0; j < len && j < BATCH_AHEAD + W; j++)
        prefetch_row(model_row(syn0, n, sen[j]), n);

    for (int32_t i = 0; i < len; i++) {
        const int32_t word = sen[i];
        if (i + BATCH_AHEAD < len) {
            if (ns)
                draw_negatives(t, bb, i + BATCH_AHEAD, sen[i + BATCH_AHEAD]);
            if (hs)
                prefetch_path(tr, sen[i + BATCH_AHEAD]);
            if (i + BATCH_AHEAD + W < len)
                prefetch_row(model_row(syn0, n, sen[i + BATCH_AHEAD + W]), n);
        }
        int win = sampling_window(&t->rng, W);
        int32_t a = i > win ? i - win : 0;
        int32_t b = len - 1 - i > win ? i + win : len - 1;
        int B = 0;
        for (int32_t j = a; j <= b; j++)
            if (j != i)
                bb->in[B++] = model_row(syn0, n, sen[j]);
        if (B == 0)
            continue;
        if (hs) {
            int M = hs_outputs(tr, bb, word);
            for (int p = 0; p < M; p += W2V_BATCH_GROUP)
                kernels_block_sg(bb->in, B, bb->out + p, bb->label + p, bb->mult + p,
                               M - p < W2V_BATCH_GROUP ? M - p : W2V_BATCH_GROUP, n, t->alpha, 1,
                               bb->scratch);
        }
        if (ns) {
            int M = ns_outputs(tr, bb, i, word);
            for (int p = 0; p < M; p += W2V_BATCH_GROUP)
                kernels_block_sg(bb->in, B, bb->out + p, bb->label + p, bb->mult + p,
                               M - p < W2V_BATCH_GROUP ? M - p : W2V_BATCH_GROUP, n, t->alpha, 0,
                               bb->scratch);
        }
    }
}

/* CBOW: the context mean (or sum) in bb->h is the one input; the centre
 * word's outputs as for skip-gram; every context row gets the gradient. */
static void sentence_cbow(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    struct batch_buf *bb = t->buf;
    const size_t n = tr->model.stride;
    const int W = tr->opt.window;
    const int ns = tr->opt.negative > 0, hs = tr->opt.hs;
    float *const syn0 = tr->model.syn0;
    float *h = bb->h;

    for (int32_t c = 0; c < len && c < BATCH_AHEAD; c++) {
        if (ns)
            draw_negatives(t, bb, c, sen[c]);
        if (hs)
            prefetch_path(tr, sen[c]);
    }
    for (int32_t j = 0; j < len && j < BATCH_AHEAD + W; j++)
        prefetch_row(model_row(syn0, n, sen[j]), n);

    for (int32_t i = 0; i < len; i++) {
        const int32_t word = sen[i];
        if (i + BATCH_AHEAD < len) {
            if (ns)
                draw_negatives(t, bb, i + BATCH_AHEAD, sen[i + BATCH_AHEAD]);
            if (hs)
                prefetch_path(tr, sen[i + BATCH_AHEAD]);
            if (i + BATCH_AHEAD + W < len)
                prefetch_row(model_row(syn0, n, sen[i + BATCH_AHEAD + W]), n);
        }
        int win = sampling_window(&t->rng, W);
        int32_t a = i > win ? i - win : 0;
        int32_t b = len - 1 - i > win ? i + win : len - 1;
        int C = 0;
        for (int32_t j = a; j <= b; j++)
            if (j != i)
                bb->in[C++] = model_row(syn0, n, sen[j]);
        if (C == 0)
            continue;
        kernels_mean(h, bb->in, C, n, tr->opt.cbow_sum ? 1.0f : 1.0f / (float)C);
        if (hs) {
            int M = hs_outputs(tr, bb, word);
            for (int p = 0; p < M; p += W2V_BATCH_GROUP_CBOW)
                kernels_block_cbow(h, bb->in, C, bb->out + p, bb->label + p, bb->mult + p,
                                 M - p < W2V_BATCH_GROUP_CBOW ? M - p : W2V_BATCH_GROUP_CBOW, n,
                                 t->alpha, 1);
        }
        if (ns) {
            int M = ns_outputs(tr, bb, i, word);
            for (int p = 0; p < M; p += W2V_BATCH_GROUP_CBOW)
                kernels_block_cbow(h, bb->in, C, bb->out + p, bb->label + p, bb->mult + p,
                                 M - p < W2V_BATCH_GROUP_CBOW ? M - p : W2V_BATCH_GROUP_CBOW, n,
                                 t->alpha, 0);
        }
    }
}

static void batch_sentence(struct train_thread *t, const int32_t *sentence, int32_t len)
{
    if (t->tr->opt.arch == TRAIN_CBOW)
        sentence_cbow(t, sentence, len);
    else
        sentence_sg(t, sentence, len);
}

const struct train_kernel kernel_batch = {
    "batched", batch_thread_init, batch_sentence, batch_thread_release, batch_thread_bytes,
};
