/* kernels.h — the only row arithmetic of w2v (internal header): dot, axpy,
 * scale and zero over padded rows, the block steps of the batched kernel
 * with their vectorised logistic function and the context mean (training);
 * dot products and normalisation of rows of any length and alignment
 * (queries); the block of cosines of the analogy search (evaluation); and
 * the one clone/dispatch macro.
 *
 * Dispatch. Out-of-line kernels marked W2V_CLONES are compiled three times
 * by GCC's target_clones (portable x86-64, AVX2+FMA, AVX-512); the loader
 * picks one clone per function at start-up, so one binary is correct
 * everywhere and fast where it can be, and every caller in a process gets
 * the same bits. Elsewhere (clang, other CPUs, -DW2V_NO_CLONES for TSan)
 * the portable code is all there is.
 *
 * Rows. The training rows are [n] floats with n a multiple of 16 and zeros
 * past the live dimensions (model.h pads them), so the loops run whole
 * blocks of 16 with no scalar tail; padding stays zero because every update
 * adds a multiple of another zero-padded row.
 *
 * Threads. Every function touches only what it is given and is thread-safe
 * as such. The model rows they update are shared by the training threads
 * without locks (Hogwild, Recht et al. 2011, as the original word2vec): the
 * only intended data race, marked "Hogwild:" where it happens and named in
 * tests/tsan/tsan.supp (kernels_dot, kernels_axpy, row_load16, row_store16). */
#ifndef W2V_KERNELS_H
#define W2V_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) && \
    !defined(W2V_NO_CLONES)
/* GCC resolves these through an ifunc (glibc) at load time. */
#define W2V_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define W2V_CLONES
#endif

/* The original's MAX_EXP: hierarchical softmax skips a node whose score
 * lies outside (-6, 6), and the reference kernel's table spans it. */
#define W2V_SIGMOID_MAX 6.0f

/* Output rows per skip-gram block step: the score pass keeps this many
 * partial sums, and the update pass this many rows plus their updates, in
 * registers. */
#define W2V_BATCH_GROUP 8
/* CBOW's step holds one output chunk at a time: 16 (most HS paths are one
 * group), bounded by the 16-lane score reduction. */
#define W2V_BATCH_GROUP_CBOW 16

/* The reference kernel's loops, inline where they are called. Sixteen
 * independent accumulators let gcc vectorise the dot product without
 * -ffast-math (no reassociation is needed; the final sum has a fixed order,
 * so results do not depend on the vector width). Hogwild: a or b may be a
 * shared model row that another thread updates meanwhile. */
// a, b: [n], n a multiple of 16
static inline float kernels_dot(const float *restrict a, const float *restrict b, size_t n)
{
    float acc[16] = {0};
    for (size_t i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++)
            acc[k] += a[i + k] * b[i + k];
    for (int w = 8; w > 0; w /= 2)
        for (int k = 0; k < w; k++)
            acc[k] += acc[k + w];
    return acc[0];
}

/* Ask for the cache line holding p, to be written soon. On x86 this is
 * PREFETCHW, which fetches the line for ownership, where __builtin_prefetch
 * (without -mprfchw) emits PREFETCHT0, a read: a shared row last written
 * by another core then comes in shared and the write that follows needs a
 * second trip to invalidate the other copy, unhidden. When the two cores
 * sit on different core complexes a trip costs ~360 ns instead of ~55
 * (measured on the 2-vCPU benchmark machine, whose placement moves between
 * the two), and 2-thread skip-gram NS went from 2.7M to 3.5M words/s there
 * (docs/BENCHMARKS.md). Older x86 cores without the instruction run its
 * opcode (0F 0D) as a no-op. */
static inline void kernels_prefetch_write(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
#else
    __builtin_prefetch(p, 1, 3);
#endif
}

/* The same for every cache line of row[0..n) (floats, 16 to a line). */
static inline void kernels_prefetch_row_write(const float *row, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        kernels_prefetch_write(row + i);
}

// y[n] += a * x[n]; blocks of 16 so no scalar tail is generated. Hogwild:
// y may be a shared model row (see kernels_dot).
static inline void kernels_axpy(float a, const float *restrict x, float *restrict y, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++)
            y[i + k] += a * x[i + k];
}

// y[n] = 0
static inline void kernels_zero(float *y, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++)
            y[i + k] = 0.0f;
}

// y[n] *= a
static inline void kernels_scale(float *y, float a, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++)
            y[i + k] *= a;
}

/* One skip-gram block step (the HogBatch scheme of Ji et al.), in place:
 *
 *   in:  [B] rows of n floats (context rows), updated in place
 *   out: [M] DISTINCT rows of n floats, updated in place, M <= W2V_BATCH_GROUP
 *   G[b][m] = alpha * mult[m] * (label[m] - σ(in_b · out_m))
 *             (0 where clip is set and |in_b · out_m| >= W2V_SIGMOID_MAX)
 *   in_b  += Σ_m G[b][m] out_m      out_m += Σ_b G[b][m] in_b
 *
 * with every product taken from the rows as they were before the step. An
 * input row may repeat: each occurrence's update lands (the later one sees
 * the earlier's input row). σ is the exact logistic function to within
 * 1e-6 (inputs clamped to ±20, a NaN score to +20). n must be a multiple of
 * 16; scratch holds B * W2V_BATCH_GROUP + 16 floats. In and out rows must
 * not overlap. Hogwild: other threads may update the same rows at the same
 * time (tolerated). */
void kernels_block_sg(float *const *in, int B, float *const *out, const float *label,
                      const float *mult, int M, size_t n, float alpha, int clip, float *scratch);

/* One CBOW block step: h [n] is the hidden row (context mean or sum), read
 * only; with G[m] = alpha * mult[m] * (label[m] - σ(h · out_m)) (clip as
 * above), every ctx row gets e = Σ_m G[m] out_m (rows before the step) and
 * out_m += G[m] h. ctx rows may repeat (each occurrence adds e). M <=
 * W2V_BATCH_GROUP_CBOW; n and overlap as for kernels_block_sg. */
void kernels_block_cbow(const float *h, float *const *ctx, int C, float *const *out,
                        const float *label, const float *mult, int M, size_t n, float alpha,
                        int clip);

/* One skip-gram step of a single input row v [n] against M >= 1 output
 * rows that are only read (the sense pass, kernel_senses.c: the senses
 * learn in the global model's output space without moving it):
 *   g[m] = alpha * mult[m] * (label[m] - σ(v · out_m))     v += Σ_m g[m] out_m
 * with every score taken from v as it was before the step (σ as in the
 * block steps, no clipping). Output rows may repeat. n a multiple of 16;
 * scratch holds M + 16 floats. Hogwild: v and the outputs may be updated by
 * other threads meanwhile (tolerated). */
void kernels_step_frozen(float *v, float *const *out, const float *label, const float *mult,
                         int M, size_t n, float alpha, float *scratch);

/* h = (sum of the C >= 1 rows) * scale.   rows: [C][n]; h: [n], n a
 * multiple of 16. Hogwild: the rows are shared model rows. */
void kernels_mean(float *h, float *const *rows, int C, size_t n, float scale);

/* rows[c] += x for each of the C rows (a row listed twice gets x twice):
 * one input gradient added to many input rows (the subword kernel's).
 * rows: [C][n]; x: [n], n a multiple of 16, not one of the rows. Hogwild:
 * the rows are shared model rows. */
void kernels_add_rows(float *const *rows, int C, const float *x, size_t n);

/* ---- query rows: any length, any alignment ----------------------------------
 * Eight lanes of partial sums (lane j takes the elements i = j mod 8),
 * folded pairwise: all four functions add in that one order, so a score is
 * the same bits whichever computes it (batched or single query, mapped or
 * read rows). A second dot product beside kernels_dot on purpose: the
 * training rows are padded to 16 floats and summed in 16 lanes, and either
 * order changed would change results (trained files, query scores). */

/* q . x for any n.   q, x: [n] */
float kernels_dot_any(const float *q, const float *x, size_t n);

/* Two queries against two rows: out = {q0.x0, q0.x1, q1.x0, q1.x1}, each
 * equal to kernels_dot_any's.   q0, q1, x0, x1: [n] */
void kernels_dot_2x2(const float *q0, const float *q1, const float *x0, const float *x1,
                     size_t n, float out[4]);

/* Four queries against two rows: out[2 * k + j] = q[k] . xj, each equal to
 * kernels_dot_any's.   q[0..4): [n] each; x0, x1: [n] */
void kernels_dot_4x2(const float *const q[4], const float *x0, const float *x1, size_t n,
                     float out[8]);

/* x[0..n) = src / |src|, src: [n] host-order floats at any alignment (a
 * mapped row, or x itself); a zero row stays zero. Returns 0, or -1 when
 * src holds a NaN or an infinity (x is then unspecified). */
int kernels_unit_row_from(float *x, const unsigned char *src, size_t n);

/* ---- analogy search blocks (eval) -------------------------------------------- */

/* s[u][j] = sum_k wq[u][k] * t[k][j] for u < n_words, j < nb (nb a
 * multiple of 16), each summed over k in order (the same whichever block
 * or thread computes it).   s: [n_words, ld], t: [dim, ld], wq: [n_words,
 * dim], all row-major. */
void kernels_block_cosines(float *s, const float *t, const float *wq, size_t n_words,
                           int32_t dim, size_t nb, size_t ld);

#endif
