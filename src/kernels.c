/* kernels.c — the out-of-line row kernels (see kernels.h): for training,
 * the vectorised logistic function, the block steps of the batched
 * (HogBatch) kernel and the context mean; for queries, dot products and
 * normalisation of rows of any length; for evaluation, the block of
 * cosines of the analogy search.
 *
 * The two block steps are the hot loops of training. Each is specialised
 * for a fixed number of output rows M (1..W2V_BATCH_GROUP) so that gcc keeps
 * the M rows, their updates and the score accumulators in vector registers,
 * and each is compiled three times (W2V_CLONES) with the loader choosing.
 * Rows are [n] floats, n a multiple of 16 (model.h pads them), so every
 * loop runs whole 16-float vectors. */
#include "kernels.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__)
/* The 64-byte vector type is only passed between always-inline helpers. */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#define INLINE static inline __attribute__((always_inline))

typedef float f32x16 __attribute__((vector_size(64)));
typedef int32_t i32x16 __attribute__((vector_size(64)));
typedef uint32_t u32x16 __attribute__((vector_size(64)));

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

/* Every access to a row of the shared matrices goes through these two:
 * Hogwild, other threads read and write the same rows without locks (the
 * original word2vec's scheme; see kernels.h). tests/tsan/tsan.supp names them, so
 * they access memory themselves (a memcpy call would be the innermost frame
 * in an unoptimised build): through a vector type that may alias floats. */
typedef float f32x16_row __attribute__((vector_size(64), aligned(4), may_alias));

/* ThreadSanitizer does not instrument 64-byte accesses: under it, the rows
 * are read and written float by float so that it sees the Hogwild races
 * (tests/tsan/run.sh insists on seeing them). */
#if defined(__SANITIZE_THREAD__)
#define W2V_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define W2V_TSAN 1
#endif
#endif

INLINE f32x16 row_load16(const float *p)
{
#ifdef W2V_TSAN
    f32x16 v;
    for (int i = 0; i < 16; i++)
        v[i] = p[i];
    return v;
#else
    return *(const f32x16_row *)p;
#endif
}

INLINE void row_store16(float *p, const f32x16 *v)
{
#ifdef W2V_TSAN
    for (int i = 0; i < 16; i++)
        p[i] = (*v)[i];
#else
    *(f32x16_row *)p = *v;
#endif
}

/* Lanes where mask is set take a, the others b (masks are 0 or -1). */
INLINE f32x16 select16(const i32x16 *mask, const f32x16 *a, const f32x16 *b)
{
    return (f32x16)((*mask & (i32x16)*a) | (~*mask & (i32x16)*b));
}

/* Lanes 0-7 of the result: 8 partial sums of *a; lanes 8-15: of *b. */
INLINE void fold8(const f32x16 *a, const f32x16 *b, f32x16 *out)
{
    *out = __builtin_shufflevector(*a, *b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22,
                                   23) +
           __builtin_shufflevector(*a, *b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29,
                                   30, 31);
}

/* From two fold8 results (a holds x0,x1; b holds x2,x3, 8 partials each):
 * 4 partials each of x0, x1, x2, x3. */
INLINE void fold4(const f32x16 *a, const f32x16 *b, f32x16 *out)
{
    *out = __builtin_shufflevector(*a, *b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26,
                                   27) +
           __builtin_shufflevector(*a, *b, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30,
                                   31);
}

/* From two fold4 results: 2 partials each of 8 values. */
INLINE void fold2(const f32x16 *a, const f32x16 *b, f32x16 *out)
{
    *out = __builtin_shufflevector(*a, *b, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28,
                                   29) +
           __builtin_shufflevector(*a, *b, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30,
                                   31);
}

/* From two fold2 results: the 16 sums. */
INLINE void fold1(const f32x16 *a, const f32x16 *b, f32x16 *out)
{
    *out = __builtin_shufflevector(*a, *b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28,
                                   30) +
           __builtin_shufflevector(*a, *b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29,
                                   31);
}

/* The lane sums of acc[0..M), M <= 16, into lanes 0..M-1 of *sums, by a
 * transposed tree: each level adds pairs of vectors while halving the
 * lanes each keeps, so 8 sums take 16 shuffles and 8 adds instead of 8
 * separate reductions (~64 operations). Written out level by level with
 * named vectors: gcc then keeps them all in registers. */
INLINE void hsum_tree(const f32x16 *acc, const int M, f32x16 *sums)
{
    const f32x16 z = {0};
#define ACC(m) (M > (m) ? &acc[m] : &z)
    f32x16 t0, t1, t2, t3, u0, u1, v0, v1;
    fold8(ACC(0), ACC(1), &t0);
    fold8(ACC(2), ACC(3), &t1);
    fold8(ACC(4), ACC(5), &t2);
    fold8(ACC(6), ACC(7), &t3);
    fold4(&t0, &t1, &u0);
    fold4(&t2, &t3, &u1);
    fold2(&u0, &u1, &v0);
    if (M > 8) {
        f32x16 t4, t5, t6, t7, u2, u3;
        fold8(ACC(8), ACC(9), &t4);
        fold8(ACC(10), ACC(11), &t5);
        fold8(ACC(12), ACC(13), &t6);
        fold8(ACC(14), ACC(15), &t7);
        fold4(&t4, &t5, &u2);
        fold4(&t6, &t7, &u3);
        fold2(&u2, &u3, &v1);
    } else {
        v1 = z;
    }
#undef ACC
    fold1(&v0, &v1, sums);
}

/* The logistic function on 16 lanes, inline so that its latency overlaps
 * the next row's dot products (a call per block cost a quarter of the
 * block's time). e^-x = 2^t with t = -x log2(e) = k + f, k = round(t) by
 * the 1.5*2^23 trick (its low bits are k), f in [-1/2, 1/2]; 2^f by a
 * degree-5 fit (relative error 8e-8) in Estrin's form; 2^k by writing k
 * into the exponent bits. Absolute error below 1e-6 (tested). x is
 * clamped to [-20, 20] first (σ(20) rounds to 1), a NaN to 20. */
INLINE void sigmoid16(f32x16 *xp)
{
    const f32x16 hi = (f32x16){0} + 20.0f, lo = (f32x16){0} - 20.0f;
    f32x16 x = *xp;
    i32x16 below = x < hi; /* NaN compares false: 20 */
    x = select16(&below, &x, &hi);
    i32x16 above = x > lo;
    x = select16(&above, &x, &lo);
    const float magic = 12582912.0f; /* 1.5 * 2^23 */
    f32x16 t = x * -1.44269504088896341f;
    f32x16 r = t + magic;
    f32x16 k = r - magic;
    f32x16 f = t - k;
    f32x16 f2 = f * f;
    f32x16 p01 = 1.0000000714f + 6.9314696746e-1f * f;
    f32x16 p23 = 2.4022120953e-1f + 5.5507133155e-2f * f;
    f32x16 p45 = 9.6754782790e-3f + 1.3276267715e-3f * f;
    f32x16 p = p01 + f2 * (p23 + f2 * p45);
    /* r's low bits hold k (two's complement); k + 127 lies in [98, 156]. */
    u32x16 bits = ((u32x16)r << 23) + (u32x16){0} + (127u << 23);
    f32x16 e = p * (f32x16)bits;
    *xp = 1.0f / (1.0f + e);
}

/* One row of gradients from its scores (lanes 0..M-1 of *w, in place):
 * am * (label - σ(S)), where am = alpha * mult; with clip, 0 where
 * |S| >= W2V_SIGMOID_MAX (the original's HS rule; a NaN score too). */
INLINE void grad_lanes(f32x16 *w, const f32x16 *label, const f32x16 *am, int clip)
{
    const f32x16 S = *w;
    f32x16 sig = S;
    sigmoid16(&sig);
    f32x16 g = *am * (*label - sig);
    if (clip) {
        const f32x16 zero = {0};
        i32x16 inside = (S > -W2V_SIGMOID_MAX) & (S < W2V_SIGMOID_MAX);
        g = select16(&inside, &g, &zero);
    }
    *w = g;
}

/* Lanes 0..M-1 from a[0..M), the rest 0. */
INLINE f32x16 lanes_from(const float *a, const int M)
{
    f32x16 v = {0};
    memcpy(&v, a, (size_t)M * sizeof *a);
    return v;
}

/* Scores x · out[m] for m < M <= 16 in lanes 0..M-1 of *w.
 * x: [n]; out: [M][n] */
INLINE void scores_fixed(const float *x, float *const *out, const int M, size_t n, f32x16 *w)
{
    f32x16 acc[16];
    for (int m = 0; m < M; m++)
        acc[m] = (f32x16){0};
    for (size_t i = 0; i < n; i += 16) {
        f32x16 v = row_load16(x + i);
        for (int m = 0; m < M; m++)
            acc[m] += v * row_load16(out[m] + i);
    }
    hsum_tree(acc, M, w);
}

/* Skip-gram block step for a fixed M <= W2V_BATCH_GROUP (see
 * kernels_block_sg). in: [B][n] updated in place; out: [M][n] updated in
 * place; s: [B][M] gradients (+16 floats of room) */
INLINE void block_sg_fixed(float *const *in, int B, float *const *out, const float *label,
                           const float *mult, const int M, size_t n, float alpha, int clip,
                           float *s)
{
    const f32x16 lab = lanes_from(label, M), am = lanes_from(mult, M) * alpha;
    for (int b = 0; b < B; b++) {
        f32x16 w;
        scores_fixed(in[b], out, M, n, &w);
        grad_lanes(&w, &lab, &am, clip);
        store16(s + b * M, &w); /* the next row overwrites lanes M.. */
    }
    /* One pass over each row: per 16 floats, the M output chunks stay in
     * registers while every input chunk takes its gradient from them (old
     * values) and adds its share to their updates. Hogwild: other threads
     * may be updating these rows; lost updates are rare and tolerated. */
    for (size_t i = 0; i < n; i += 16) {
        f32x16 o[W2V_BATCH_GROUP], no[W2V_BATCH_GROUP];
        for (int m = 0; m < M; m++) {
            o[m] = row_load16(out[m] + i);
            no[m] = o[m];
        }
        for (int b = 0; b < B; b++) {
            const float *g = s + b * M;
            f32x16 x = row_load16(in[b] + i);
            f32x16 e = g[0] * o[0];
            for (int m = 1; m < M; m++)
                e += g[m] * o[m];
            for (int m = 0; m < M; m++)
                no[m] += g[m] * x;
            x += e;
            row_store16(in[b] + i, &x);
        }
        for (int m = 0; m < M; m++)
            row_store16(out[m] + i, &no[m]);
    }
}

/* CBOW block step for a fixed M <= W2V_BATCH_GROUP_CBOW (see
 * kernels_block_cbow). h: [n]; ctx: [C][n] updated in place; out: [M][n]
 * updated in place */
INLINE void block_cbow_fixed(const float *h, float *const *ctx, int C, float *const *out,
                             const float *label, const float *mult, const int M, size_t n,
                             float alpha, int clip)
{
    const f32x16 lab = lanes_from(label, M), am = lanes_from(mult, M) * alpha;
    f32x16 w;
    scores_fixed(h, out, M, n, &w);
    grad_lanes(&w, &lab, &am, clip);
    float g[16];
    store16(g, &w);
    for (size_t i = 0; i < n; i += 16) {
        f32x16 x = load16(h + i);
        f32x16 e = {0};
        for (int m = 0; m < M; m++) {
            f32x16 o = row_load16(out[m] + i);
            e += g[m] * o;
            o += g[m] * x;
            /* Hogwild, as above. */
            row_store16(out[m] + i, &o);
        }
        for (int c = 0; c < C; c++) {
            f32x16 y = row_load16(ctx[c] + i) + e;
            row_store16(ctx[c] + i, &y);
        }
    }
}

W2V_CLONES
void kernels_block_sg(float *const *in, int B, float *const *out, const float *label,
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

/* The CBOW step for M outputs: whole groups of 8 or 16 (every HS path is
 * a few of them) or a small remainder. */
#define CBOW_CASE(K)                                                                   \
    case K:                                                                            \
        block_cbow_fixed(h, ctx, C, out, label, mult, K, n, alpha, clip);              \
        break

W2V_CLONES
void kernels_block_cbow(const float *h, float *const *ctx, int C, float *const *out,
                      const float *label, const float *mult, int M, size_t n, float alpha,
                      int clip)
{
    switch (M) {
    CBOW_CASE(1); CBOW_CASE(2); CBOW_CASE(3); CBOW_CASE(4);
    CBOW_CASE(5); CBOW_CASE(6); CBOW_CASE(7); CBOW_CASE(8);
    CBOW_CASE(9); CBOW_CASE(10); CBOW_CASE(11); CBOW_CASE(12);
    CBOW_CASE(13); CBOW_CASE(14); CBOW_CASE(15); CBOW_CASE(16);
    default: break;
    }
}

W2V_CLONES
void kernels_mean(float *h, float *const *rows, int C, size_t n, float scale)
{
    for (size_t i = 0; i < n; i += 16) {
        f32x16 acc = row_load16(rows[0] + i);
        for (int c = 1; c < C; c++)
            acc += row_load16(rows[c] + i);
        acc *= scale;
        store16(h + i, &acc);
    }
}

/* rows[c] += x.   rows: [C][n]; x: [n] */
W2V_CLONES
void kernels_add_rows(float *const *rows, int C, const float *x, size_t n)
{
    for (int c = 0; c < C; c++)
        for (size_t i = 0; i < n; i += 16) {
            f32x16 y = row_load16(rows[c] + i) + load16(x + i);
            row_store16(rows[c] + i, &y);
        }
}

/* Scores of one group of M <= W2V_BATCH_GROUP read-only outputs against v,
 * turned into gradients in g[0..M) (+16 floats of room). */
INLINE void frozen_group(const float *v, float *const *out, const float *label,
                         const float *mult, const int M, size_t n, float alpha, float *g)
{
    const f32x16 lab = lanes_from(label, M), am = lanes_from(mult, M) * alpha;
    f32x16 w;
    scores_fixed(v, out, M, n, &w);
    grad_lanes(&w, &lab, &am, 0);
    store16(g, &w);
}

#define FROZEN_CASE(K)                                                                 \
    case K:                                                                            \
        frozen_group(v, out + p, label + p, mult + p, K, n, alpha, scratch + p);       \
        break

W2V_CLONES
void kernels_step_frozen(float *v, float *const *out, const float *label, const float *mult,
                         int M, size_t n, float alpha, float *scratch)
{
    for (int p = 0; p < M; p += W2V_BATCH_GROUP) {
        switch (M - p < W2V_BATCH_GROUP ? M - p : W2V_BATCH_GROUP) {
        FROZEN_CASE(1); FROZEN_CASE(2); FROZEN_CASE(3); FROZEN_CASE(4);
        FROZEN_CASE(5); FROZEN_CASE(6); FROZEN_CASE(7); FROZEN_CASE(8);
        default: break;
        }
    }
    /* Per 16 floats: every output's share, then one store. Hogwild: v may
     * be stepped by another thread meanwhile, the outputs updated by the
     * other kernels' steps. */
    for (size_t i = 0; i < n; i += 16) {
        f32x16 e = {0};
        for (int m = 0; m < M; m++)
            e += scratch[m] * row_load16(out[m] + i);
        f32x16 x = row_load16(v + i) + e;
        row_store16(v + i, &x);
    }
}

/* ---- query rows: any length, any alignment ----------------------------------
 *
 * Every dot product and sum of squares here has LANES independent partial
 * sums (lane j takes the elements i = j mod LANES), folded pairwise at the
 * end. That fixed order needs no -ffast-math to use SIMD and makes the
 * kernels agree bit for bit: kernels_dot_2x2 with kernels_dot_any (identical expressions,
 * so whatever FMA contraction the compiler applies, it applies to both),
 * mapped rows with rows in memory, batches with single queries. With GNU C
 * the lanes are one 8-float vector (gcc's own vectoriser interleaves the
 * 2x2 kernel badly); elsewhere plain loops compute the same values.
 *
 * The three kernels are out of line and, on x86-64 with gcc, cloned for
 * x86-64-v3 (AVX2+FMA) and -v4; the loader picks one clone for the whole
 * process, so every caller (normalisation, query vectors, scans,
 * similarity) gets the same bits on one machine.
 * A call per row costs nothing next to a 300-float row. */
#define LANES 8

static inline float fold_lanes(float *acc)
{
    for (size_t w = LANES / 2; w > 0; w /= 2)
        for (size_t j = 0; j < w; j++)
            acc[j] += acc[j + w];
    return acc[0];
}

#if defined(__GNUC__)
typedef float v8f __attribute__((vector_size(32)));
#endif

static inline float load_f32(const unsigned char *p)
{
    float f;
    memcpy(&f, p, sizeof f);
    return f;
}

/* q: [n], x: [n] -> q . x */
W2V_CLONES
float kernels_dot_any(const float *restrict q, const float *restrict x, size_t n)
{
    float acc[LANES] = {0};
    size_t i = 0;
#if defined(__GNUC__)
    v8f s = {0};
    for (; i + LANES <= n; i += LANES) {
        v8f a, b;
        memcpy(&a, q + i, sizeof a);
        memcpy(&b, x + i, sizeof b);
        s += a * b;
    }
    memcpy(acc, &s, sizeof s);
#else
    for (; i + LANES <= n; i += LANES)
        for (size_t j = 0; j < LANES; j++)
            acc[j] += q[i + j] * x[i + j];
#endif
    for (size_t j = 0; i < n; i++, j++)
        acc[j] += q[i] * x[i];
    return fold_lanes(acc);
}

/* Two queries against two rows: q0, q1, x0, x1: [n]; out = {q0.x0, q0.x1,
 * q1.x0, q1.x1}, each equal to kernels_dot_any's. Each load serves two products,
 * which is what limits a batch of queries once the rows are in cache. */
W2V_CLONES
void kernels_dot_2x2(const float *restrict q0, const float *restrict q1,
                    const float *restrict x0, const float *restrict x1, size_t n, float out[4])
{
    float a00[LANES] = {0}, a01[LANES] = {0}, a10[LANES] = {0}, a11[LANES] = {0};
    size_t i = 0;
#if defined(__GNUC__)
    v8f s00 = {0}, s01 = {0}, s10 = {0}, s11 = {0};
    for (; i + LANES <= n; i += LANES) {
        v8f u0, u1, y0, y1;
        memcpy(&u0, q0 + i, sizeof u0);
        memcpy(&u1, q1 + i, sizeof u1);
        memcpy(&y0, x0 + i, sizeof y0);
        memcpy(&y1, x1 + i, sizeof y1);
        s00 += u0 * y0;
        s01 += u0 * y1;
        s10 += u1 * y0;
        s11 += u1 * y1;
    }
    memcpy(a00, &s00, sizeof s00);
    memcpy(a01, &s01, sizeof s01);
    memcpy(a10, &s10, sizeof s10);
    memcpy(a11, &s11, sizeof s11);
#else
    for (; i + LANES <= n; i += LANES)
        for (size_t j = 0; j < LANES; j++) {
            a00[j] += q0[i + j] * x0[i + j];
            a01[j] += q0[i + j] * x1[i + j];
            a10[j] += q1[i + j] * x0[i + j];
            a11[j] += q1[i + j] * x1[i + j];
        }
#endif
    for (size_t j = 0; i < n; i++, j++) {
        a00[j] += q0[i] * x0[i];
        a01[j] += q0[i] * x1[i];
        a10[j] += q1[i] * x0[i];
        a11[j] += q1[i] * x1[i];
    }
    out[0] = fold_lanes(a00);
    out[1] = fold_lanes(a01);
    out[2] = fold_lanes(a10);
    out[3] = fold_lanes(a11);
}

/* Four queries against two rows: q[0..4): [n] each, x0, x1: [n];
 * out[2 * k + j] = q[k] . xj, each equal to kernels_dot_any's. Eight independent
 * accumulators keep two FMA units busy despite their latency. */
W2V_CLONES
void kernels_dot_4x2(const float *const q[4], const float *restrict x0,
                    const float *restrict x1, size_t n, float out[8])
{
    float acc[8][LANES] = {{0}};
    const float *restrict q0 = q[0], *restrict q1 = q[1], *restrict q2 = q[2],
                          *restrict q3 = q[3];
    size_t i = 0;
#if defined(__GNUC__)
    v8f s[8] = {{0}};
    for (; i + LANES <= n; i += LANES) {
        v8f u0, u1, u2, u3, y0, y1;
        memcpy(&y0, x0 + i, sizeof y0);
        memcpy(&y1, x1 + i, sizeof y1);
        memcpy(&u0, q0 + i, sizeof u0);
        memcpy(&u1, q1 + i, sizeof u1);
        memcpy(&u2, q2 + i, sizeof u2);
        memcpy(&u3, q3 + i, sizeof u3);
        s[0] += u0 * y0;
        s[1] += u0 * y1;
        s[2] += u1 * y0;
        s[3] += u1 * y1;
        s[4] += u2 * y0;
        s[5] += u2 * y1;
        s[6] += u3 * y0;
        s[7] += u3 * y1;
    }
    for (int k = 0; k < 8; k++)
        memcpy(acc[k], &s[k], sizeof s[k]);
#else
    for (; i + LANES <= n; i += LANES)
        for (size_t j = 0; j < LANES; j++) {
            acc[0][j] += q0[i + j] * x0[i + j];
            acc[1][j] += q0[i + j] * x1[i + j];
            acc[2][j] += q1[i + j] * x0[i + j];
            acc[3][j] += q1[i + j] * x1[i + j];
            acc[4][j] += q2[i + j] * x0[i + j];
            acc[5][j] += q2[i + j] * x1[i + j];
            acc[6][j] += q3[i + j] * x0[i + j];
            acc[7][j] += q3[i + j] * x1[i + j];
        }
#endif
    for (size_t j = 0; i < n; i++, j++) {
        acc[0][j] += q0[i] * x0[i];
        acc[1][j] += q0[i] * x1[i];
        acc[2][j] += q1[i] * x0[i];
        acc[3][j] += q1[i] * x1[i];
        acc[4][j] += q2[i] * x0[i];
        acc[5][j] += q2[i] * x1[i];
        acc[6][j] += q3[i] * x0[i];
        acc[7][j] += q3[i] * x1[i];
    }
    for (int k = 0; k < 8; k++)
        out[k] = fold_lanes(acc[k]);
}

/* src: [n] host-order floats at any alignment (a mapped row, or a float
 * array seen as bytes) -> sum of squares, in kernels_dot_any's lane order. */
static inline float sumsq_bytes(const unsigned char *src, size_t n)
{
    float acc[LANES] = {0};
    size_t i = 0;
#if defined(__GNUC__)
    v8f s = {0};
    for (; i + LANES <= n; i += LANES) {
        v8f a;
        memcpy(&a, src + 4 * i, sizeof a);
        s += a * a;
    }
    memcpy(acc, &s, sizeof s);
#else
    for (; i + LANES <= n; i += LANES)
        for (size_t j = 0; j < LANES; j++) {
            float v = load_f32(src + 4 * (i + j));
            acc[j] += v * v;
        }
#endif
    for (size_t j = 0; i < n; i++, j++) {
        float v = load_f32(src + 4 * i);
        acc[j] += v * v;
    }
    return fold_lanes(acc);
}

/* x[0..n) = src / |src|, src: [n] host-order floats at any alignment (may
 * be x itself); a zero row stays zero. Every path (rows read into memory,
 * mapped rows during a scan, query vectors) goes through here, so a model
 * gives the same scores mapped or read. The float sum is exact enough in
 * [1e-30, 1e30]; outside it (denormals, huge values, zeros) the norm is
 * taken in double, which cannot overflow for float input. Returns 0, or -1
 * when src holds a NaN or an infinity (x is then unspecified). */
W2V_CLONES
int kernels_unit_row_from(float *x, const unsigned char *src, size_t n)
{
    float ss = sumsq_bytes(src, n);
    if (ss >= 1e-30f && ss <= 1e30f) {
        float inv = 1.0f / sqrtf(ss);
        for (size_t i = 0; i < n; i++)
            x[i] = load_f32(src + 4 * i) * inv;
        return 0;
    }
    memmove(x, src, n * sizeof *x);
    double dss = 0;
    for (size_t i = 0; i < n; i++)
        dss += (double)x[i] * (double)x[i];
    if (!isfinite(dss))
        return -1;
    if (dss == 0)
        return 0;
    double inv = 1.0 / sqrt(dss);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(x[i] * inv);
    return 0;
}

/* ---- analogy search blocks (eval) ------------------------------------------
 *
 * All threads use the same clone, so results are deterministic on a machine
 * and independent of the thread count; under the build's -ffp-contract=fast
 * the FMA clones may differ from the portable one in the last bits of a
 * cosine, which can only matter for a near-tie. */

/* s[u][j] = sum_k wq[u][k] * t[k][j] for u < U, j < nb (nb a multiple of
 * 16).  s: [U, ld], t: [dim, ld], wq: [U, dim], all row-major.
 * A 4 x 16 tile of s is accumulated over k as rank-1 updates, so no loop is
 * a reduction and gcc vectorises the l loop without reassociating anything:
 * each s[u][j] is summed over k in order, the same whichever block or
 * thread computes it. The tile shape matters to gcc 12: 4 x 16 and 2 x 32
 * vectorise well, 4 x 8 or 2 x 16 are turned into slow shuffles. */
W2V_CLONES
void kernels_block_cosines(float *restrict s, const float *restrict t, const float *restrict wq,
                           size_t n_words, int32_t dim, size_t nb, size_t ld)
{
    const size_t d = (size_t)dim;
    size_t u = 0;
    for (; u + 4 <= n_words; u += 4) {
        const float *restrict q0 = wq + u * d;
        const float *restrict q1 = q0 + d;
        const float *restrict q2 = q1 + d;
        const float *restrict q3 = q2 + d;
        for (size_t j0 = 0; j0 < nb; j0 += 16) {
            float c0[16] = {0}, c1[16] = {0}, c2[16] = {0}, c3[16] = {0};
            for (size_t k = 0; k < d; k++) {
                const float *restrict tk = t + k * ld + j0;
                const float a0 = q0[k], a1 = q1[k], a2 = q2[k], a3 = q3[k];
                for (int l = 0; l < 16; l++) {
                    c0[l] += a0 * tk[l];
                    c1[l] += a1 * tk[l];
                    c2[l] += a2 * tk[l];
                    c3[l] += a3 * tk[l];
                }
            }
            float *restrict o = s + u * ld + j0;
            for (int l = 0; l < 16; l++) {
                o[l] = c0[l];
                o[ld + (size_t)l] = c1[l];
                o[2 * ld + (size_t)l] = c2[l];
                o[3 * ld + (size_t)l] = c3[l];
            }
        }
    }
    for (; u < n_words; u++) {
        const float *restrict q = wq + u * d;
        float *restrict su = s + u * ld;
        for (size_t j = 0; j < nb; j++)
            su[j] = 0.0f;
        for (size_t k = 0; k < d; k++) {
            const float a = q[k];
            const float *restrict tk = t + k * ld;
            for (size_t j = 0; j < nb; j++)
                su[j] += a * tk[j];
        }
    }
}
