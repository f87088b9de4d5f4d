/* simd.h — the float-row kernels that the trainer and the queries spend
 * their time in.
 *
 * Each kernel is plain C compiled several times by GCC's target_clones
 * (portable x86-64, AVX2+FMA, AVX-512); the dynamic loader picks the best
 * clone for the CPU once at start-up, so one binary is correct everywhere
 * and fast where it can be. On other architectures the portable code is
 * all there is. Reductions use `omp simd` (enabled by -fopenmp-simd, no
 * runtime) so their order is fixed per clone: results are deterministic on
 * one machine, though they may differ in the last bits between CPUs.
 *
 * Row lengths: any n works; rows padded with zeros to a multiple of
 * W2V_SIMD_FLOATS (model.h does this) run without scalar tails.
 * All functions are thread-safe (they touch only what they are given). */
#ifndef W2V_SIMD_H
#define W2V_SIMD_H

#include <stddef.h>
#include <stdint.h>

#define W2V_SIMD_FLOATS 16 /* one 64-byte cache line of floats */

/* Round d up to a multiple of W2V_SIMD_FLOATS. */
static inline size_t simd_padded(size_t d)
{
    return (d + W2V_SIMD_FLOATS - 1) / W2V_SIMD_FLOATS * W2V_SIMD_FLOATS;
}

/* sum a[i]*b[i] */
float simd_dot(const float *a, const float *b, size_t n);

/* y += alpha * x */
void simd_axpy(float alpha, const float *x, float *y, size_t n);

/* The logistic function 1/(1+e^-x) for n values, in place, vectorised; max
 * absolute error below 1e-6 (tested). Inputs are clamped to [-30, 30]. */
void simd_sigmoid(float *x, size_t n);

/* One shared-output block step (the HogBatch scheme of Ji et al.):
 *
 *   in:    [B] rows of n floats (the inputs: a window's context rows for
 *          skip-gram, or the one averaged context row for CBOW)
 *   out:   [M] rows of n floats (the outputs: the target word and K shared
 *          negatives, or the inner nodes of a Huffman path), updated in place
 *   label: [M] the wanted output of each output row (1 or 0)
 *
 *   S = in · outᵀ          [B, M]
 *   G = alpha (label − σ(S))
 *   grad_in = G · out       [B, n]  (with out before its update)
 *   out    += Gᵀ · in       (with in as given)
 *
 * grad_in receives the inputs' updates; the caller adds them to the input
 * rows (skip-gram) or spreads them over the context (CBOW). scratch needs
 * B*M floats. Output rows may repeat (updates add up); in and out must not
 * overlap. Hogwild: out rows may be written concurrently by other threads;
 * the race is intended and tolerated (word2vec's lock-free training). */
void simd_block_step(const float *const *in, int B, float *const *out, const float *label,
                     int M, size_t n, float alpha, float *grad_in, float *scratch);

/* Name of the instruction set the loader picked ("avx512", "avx2", or
 * "generic"), for logs and benchmarks. */
const char *simd_isa(void);

#endif
