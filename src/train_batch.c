/* train_batch.c — the batched (HogBatch) kernel: see train_batch.h.
 *
 * The two block steps below are the hot loops. Each is specialised for a
 * fixed number of output rows M (1..W2V_BATCH_GROUP) so that gcc keeps the
 * M rows, their updates and the score accumulators in vector registers,
 * and each is compiled three times (portable x86-64, AVX2+FMA, AVX-512)
 * with the loader choosing, like simd.c. Rows are [n] floats, n a multiple
 * of 16 (model.h pads them), so every loop runs whole 16-float vectors. */
#include "w2v/train_batch.h"

#include <string.h>

#include "w2v/simd.h"

#if defined(__GNUC__)
/* The 64-byte vector type is only passed between always-inline helpers. */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(W2V_NO_CLONES)
#define W2V_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define W2V_CLONES
#endif

#define INLINE static inline __attribute__((always_inline))

/* Centre words between drawing (and prefetching) a centre's negatives and
 * using them; the ring holds BATCH_RING >= BATCH_AHEAD + 1 sets. */
#define BATCH_AHEAD 3
#define BATCH_RING 4

typedef float f32x16 __attribute__((vector_size(64)));

INLINE f32x16 load16(const float *p)
{
    f32x16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Vectors go by pointer into helpers: passing a 64-byte vector by value
 * draws gcc's ABI note even where the call is inlined. */
INLINE void store16(float *p, const f32x16 *v)
{
    memcpy(p, v, sizeof *v);
}

/* Sum of the 16 lanes by halving: 4 shuffles and 4 adds. */
INLINE float hsum16(const f32x16 *vp)
{
    const f32x16 v = *vp;
    typedef float f32x8 __attribute__((vector_size(32)));
    typedef float f32x4 __attribute__((vector_size(16)));
    f32x8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
              __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    f32x4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
    return (b[0] + b[2]) + (b[1] + b[3]);
}

/* scores[m] = x · out[m] for m < M.   x: [n]; out: [M][n] */
INLINE void scores_fixed(const float *x, float *const *out, const int M, size_t n, float *scores)
{
    f32x16 acc[W2V_BATCH_GROUP];
    for (int m = 0; m < M; m++)
        acc[m] = (f32x16){0};
    for (size_t i = 0; i < n; i += 16) {
        f32x16 v = load16(x + i);
        for (int m = 0; m < M; m++)
            acc[m] += v * load16(out[m] + i);
    }
    for (int m = 0; m < M; m++)
        scores[m] = hsum16(&acc[m]);
}

/* G = alpha * mult * (label - σ(S)) for the [rows][M] scores in s; sig is
 * scratch of the same size. clip: G = 0 where |S| >= W2V_SIGMOID_MAX (the
 * original's HS rule). */
INLINE void gradients(float *s, float *sig, int rows, const int M, const float *label,
                      const float *mult, float alpha, int clip)
{
    const int total = rows * M;
    memcpy(sig, s, (size_t)total * sizeof *s);
    simd_sigmoid(sig, (size_t)total);
    for (int r = 0; r < rows; r++)
        for (int m = 0; m < M; m++) {
            float f = s[r * M + m];
            float g = alpha * mult[m] * (label[m] - sig[r * M + m]);
            if (clip && !(f > -W2V_SIGMOID_MAX && f < W2V_SIGMOID_MAX))
                g = 0.0f;
            s[r * M + m] = g;
        }
}

/* Skip-gram block step for a fixed M (see batch_block_sg).
 * in: [B][n] updated in place; out: [M][n] updated in place; s: [2][B][M] */
INLINE void block_sg_fixed(float *const *in, int B, float *const *out, const float *label,
                           const float *mult, const int M, size_t n, float alpha, int clip,
                           float *s)
{
    for (int b = 0; b < B; b++)
        scores_fixed(in[b], out, M, n, s + b * M);
    gradients(s, s + B * M, B, M, label, mult, alpha, clip);
    /* One pass over each row: per 16 floats, the M output chunks stay in
     * registers while every input chunk takes its gradient from them (old
     * values) and adds its share to their updates. Hogwild: other threads
     * may be updating these rows; lost updates are rare and tolerated. */
    for (size_t i = 0; i < n; i += 16) {
        f32x16 o[W2V_BATCH_GROUP], no[W2V_BATCH_GROUP];
        for (int m = 0; m < M; m++) {
            o[m] = load16(out[m] + i);
            no[m] = o[m];
        }
        for (int b = 0; b < B; b++) {
            const float *g = s + b * M;
            f32x16 x = load16(in[b] + i);
            f32x16 e = g[0] * o[0];
            for (int m = 1; m < M; m++)
                e += g[m] * o[m];
            for (int m = 0; m < M; m++)
                no[m] += g[m] * x;
            x += e;
            store16(in[b] + i, &x);
        }
        for (int m = 0; m < M; m++)
            store16(out[m] + i, &no[m]);
    }
}

/* CBOW block step for a fixed M (see batch_block_cbow).
 * h: [n]; ctx: [C][n] updated in place; out: [M][n] updated in place */
INLINE void block_cbow_fixed(const float *h, float *const *ctx, int C, float *const *out,
                             const float *label, const float *mult, const int M, size_t n,
                             float alpha, int clip)
{
    float s[2 * W2V_BATCH_GROUP];
    scores_fixed(h, out, M, n, s);
    gradients(s, s + M, 1, M, label, mult, alpha, clip);
    for (size_t i = 0; i < n; i += 16) {
        f32x16 x = load16(h + i);
        f32x16 e = (f32x16){0};
        for (int m = 0; m < M; m++) {
            f32x16 o = load16(out[m] + i);
            e += s[m] * o;
            o += s[m] * x;
            /* Hogwild, as above. */
            store16(out[m] + i, &o);
        }
        for (int c = 0; c < C; c++) {
            f32x16 y = load16(ctx[c] + i) + e;
            store16(ctx[c] + i, &y);
        }
    }
}

W2V_CLONES
void batch_block_sg(float *const *in, int B, float *const *out, const float *label,
                    const float *mult, int M, size_t n, float alpha, int clip, float *scratch)
{
    switch (M) {
    case 1: block_sg_fixed(in, B, out, label, mult, 1, n, alpha, clip, scratch); break;
    case 2: block_sg_fixed(in, B, out, label, mult, 2, n, alpha, clip, scratch); break;
    case 3: block_sg_fixed(in, B, out, label, mult, 3, n, alpha, clip, scratch); break;
    case 4: block_sg_fixed(in, B, out, label, mult, 4, n, alpha, clip, scratch); break;
    case 5: block_sg_fixed(in, B, out, label, mult, 5, n, alpha, clip, scratch); break;
    case 6: block_sg_fixed(in, B, out, label, mult, 6, n, alpha, clip, scratch); break;
    case 7: block_sg_fixed(in, B, out, label, mult, 7, n, alpha, clip, scratch); break;
    case 8: block_sg_fixed(in, B, out, label, mult, 8, n, alpha, clip, scratch); break;
    default: break;
    }
}

W2V_CLONES
void batch_block_cbow(const float *h, float *const *ctx, int C, float *const *out,
                      const float *label, const float *mult, int M, size_t n, float alpha,
                      int clip)
{
    switch (M) {
    case 1: block_cbow_fixed(h, ctx, C, out, label, mult, 1, n, alpha, clip); break;
    case 2: block_cbow_fixed(h, ctx, C, out, label, mult, 2, n, alpha, clip); break;
    case 3: block_cbow_fixed(h, ctx, C, out, label, mult, 3, n, alpha, clip); break;
    case 4: block_cbow_fixed(h, ctx, C, out, label, mult, 4, n, alpha, clip); break;
    case 5: block_cbow_fixed(h, ctx, C, out, label, mult, 5, n, alpha, clip); break;
    case 6: block_cbow_fixed(h, ctx, C, out, label, mult, 6, n, alpha, clip); break;
    case 7: block_cbow_fixed(h, ctx, C, out, label, mult, 7, n, alpha, clip); break;
    case 8: block_cbow_fixed(h, ctx, C, out, label, mult, 8, n, alpha, clip); break;
    default: break;
    }
}

/* h = (sum of the C rows) * scale.   rows: [C][n]; h: [n] */
W2V_CLONES
static void context_mean(float *h, float *const *rows, int C, size_t n, float scale)
{
    for (size_t i = 0; i < n; i += 16) {
        f32x16 acc = load16(rows[0] + i);
        for (int c = 1; c < C; c++)
            acc += load16(rows[c] + i);
        acc *= scale;
        store16(h + i, &acc);
    }
}

/* ---- per-thread buffers ---------------------------------------------------- */

struct batch_buf {
    int32_t *negs;   /* [BATCH_RING][K] negatives drawn ahead, by centre index */
    float *scratch;  /* [2][2 * window][W2V_BATCH_GROUP] scores, then gradients */
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

size_t batch_buf_bytes(const struct train_options *o, int32_t max_code)
{
    size_t window2 = 2 * (size_t)(o->window > 0 ? o->window : 1);
    size_t negs = (size_t)BATCH_RING * (size_t)(o->negative > 0 ? o->negative : 1);
    size_t outs = max_out(o, max_code);
    return sizeof(struct batch_buf) + negs * sizeof(int32_t) +
           2 * window2 * W2V_BATCH_GROUP * sizeof(float) + window2 * sizeof(float *) +
           outs * (sizeof(float *) + sizeof(int32_t) + 2 * sizeof(float));
}

void batch_buf_free(struct batch_buf *b)
{
    if (!b)
        return;
    w2v_free(b->negs);
    w2v_free(b->scratch);
    w2v_free(b->in);
    w2v_free(b->out);
    w2v_free(b->out_id);
    w2v_free(b->label);
    w2v_free(b->mult);
    w2v_free(b);
}

struct batch_buf *batch_buf_new(const struct trainer *tr)
{
    const struct train_options *o = &tr->opt;
    struct batch_buf *b = w2v_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    size_t window2 = 2 * (size_t)(o->window > 0 ? o->window : 1);
    size_t outs = max_out(o, o->hs ? tr->huffman.max_length : 0);
    b->negs = w2v_calloc((size_t)BATCH_RING * (size_t)(o->negative > 0 ? o->negative : 1),
                         sizeof *b->negs);
    b->scratch = w2v_calloc(2 * window2 * W2V_BATCH_GROUP, sizeof *b->scratch);
    b->in = w2v_calloc(window2, sizeof *b->in);
    b->out = w2v_calloc(outs, sizeof *b->out);
    b->out_id = w2v_calloc(outs, sizeof *b->out_id);
    b->label = w2v_calloc(outs, sizeof *b->label);
    b->mult = w2v_calloc(outs, sizeof *b->mult);
    if (!b->negs || !b->scratch || !b->in || !b->out || !b->out_id || !b->label || !b->mult) {
        batch_buf_free(b);
        return NULL;
    }
    return b;
}

/* ---- sentences ----------------------------------------------------------- */

/* Ask for a row's cache lines before they are needed (for writing). */
static inline void prefetch_row(const float *row, size_t n)
{
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
    struct batch_buf *bb = t->batch;
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
                batch_block_sg(bb->in, B, bb->out + p, bb->label + p, bb->mult + p,
                               M - p < W2V_BATCH_GROUP ? M - p : W2V_BATCH_GROUP, n, t->alpha, 1,
                               bb->scratch);
        }
        if (ns) {
            int M = ns_outputs(tr, bb, i, word);
            for (int p = 0; p < M; p += W2V_BATCH_GROUP)
                batch_block_sg(bb->in, B, bb->out + p, bb->label + p, bb->mult + p,
                               M - p < W2V_BATCH_GROUP ? M - p : W2V_BATCH_GROUP, n, t->alpha, 0,
                               bb->scratch);
        }
    }
}

/* CBOW: the context mean (or sum) in t->neu1 is the one input; the centre
 * word's outputs as for skip-gram; every context row gets the gradient. */
static void sentence_cbow(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    struct batch_buf *bb = t->batch;
    const size_t n = tr->model.stride;
    const int W = tr->opt.window;
    const int ns = tr->opt.negative > 0, hs = tr->opt.hs;
    float *const syn0 = tr->model.syn0;
    float *h = t->neu1;

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
        context_mean(h, bb->in, C, n, tr->opt.cbow_sum ? 1.0f : 1.0f / (float)C);
        if (hs) {
            int M = hs_outputs(tr, bb, word);
            for (int p = 0; p < M; p += W2V_BATCH_GROUP)
                batch_block_cbow(h, bb->in, C, bb->out + p, bb->label + p, bb->mult + p,
                                 M - p < W2V_BATCH_GROUP ? M - p : W2V_BATCH_GROUP, n, t->alpha,
                                 1);
        }
        if (ns) {
            int M = ns_outputs(tr, bb, i, word);
            for (int p = 0; p < M; p += W2V_BATCH_GROUP)
                batch_block_cbow(h, bb->in, C, bb->out + p, bb->label + p, bb->mult + p,
                                 M - p < W2V_BATCH_GROUP ? M - p : W2V_BATCH_GROUP, n, t->alpha,
                                 0);
        }
    }
}

void train_sentence_batched(struct train_thread *t, const int32_t *sentence, int32_t len)
{
    if (t->tr->opt.arch == TRAIN_CBOW)
        sentence_cbow(t, sentence, len);
    else
        sentence_sg(t, sentence, len);
}
