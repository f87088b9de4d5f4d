/* simd.c — float-row kernels with run-time dispatch (see simd.h). */
#include "w2v/simd.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__)
/* The 64-byte vector type is only passed between always-inline helpers. */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(W2V_NO_CLONES)
/* GCC resolves these through an ifunc at load time. */
#define W2V_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define W2V_CLONES
#endif

W2V_CLONES
float simd_dot(const float *a, const float *b, size_t n)
{
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (size_t i = 0; i < n; i++)
        sum += a[i] * b[i];
    return sum;
}

W2V_CLONES
void simd_axpy(float alpha, const float *restrict x, float *restrict y, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

/* The logistic function on 16 lanes at once, in GCC vector extensions
 * (plain loops with a clamp do not vectorise without -ffast-math). e^-x is
 * 2^t = 2^k * 2^f with k = floor(t): 2^f by a degree-6 least-squares
 * polynomial (relative error ~3e-9 on [0,1), so float rounding dominates),
 * 2^k written straight into the exponent bits. */
typedef float f32x16 __attribute__((vector_size(64)));
typedef int32_t i32x16 __attribute__((vector_size(64)));

static inline __attribute__((always_inline)) void sigmoid16(f32x16 *vp)
{
    f32x16 v = *vp;
    const f32x16 hi = {30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30};
    i32x16 above = v > hi;
    v = (f32x16)((above & (i32x16)hi) | (~above & (i32x16)v));
    i32x16 below = v < -hi;
    v = (f32x16)((below & (i32x16)-hi) | (~below & (i32x16)v));
    f32x16 t = v * -1.44269504088896341f;
    i32x16 k = __builtin_convertvector(t, i32x16); /* toward zero */
    k += (__builtin_convertvector(k, f32x16) > t); /* true is -1: floor */
    f32x16 f = t - __builtin_convertvector(k, f32x16);
    f32x16 p = f * 2.18775165e-4f + 1.23878315e-3f;
    p = p * f + 9.68457748e-3f;
    p = p * f + 5.54804291e-2f;
    p = p * f + 2.40230501e-1f;
    p = p * f + 6.93146929e-1f;
    p = p * f + 1.0f;
    f32x16 scale = (f32x16)((k + 127) << 23);
    *vp = 1.0f / (1.0f + p * scale);
}

W2V_CLONES
void simd_sigmoid(float *x, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        f32x16 v;
        memcpy(&v, x + i, sizeof v);
        sigmoid16(&v);
        memcpy(x + i, &v, sizeof v);
    }
    if (i < n) {
        f32x16 v = {0};
        memcpy(&v, x + i, (n - i) * sizeof *x);
        sigmoid16(&v);
        memcpy(x + i, &v, (n - i) * sizeof *x);
    }
}

static inline __attribute__((always_inline)) f32x16 load16(const float *p)
{
    f32x16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void store16(float *p, const f32x16 *v)
{
    memcpy(p, v, sizeof *v);
}

static inline __attribute__((always_inline)) float sum16(const f32x16 *v)
{
    float s = 0.0f;
    for (int i = 0; i < 16; i++)
        s += (*v)[i];
    return s;
}

/* The block step for rows whose length is a multiple of 16 and at most
 * W2V_BLOCK_MAX_M outputs: each pass over a row keeps the M partial sums
 * (or the one gradient chunk) in registers. */
#define W2V_BLOCK_MAX_M 32

static inline __attribute__((always_inline)) void block_step16(
    const float *const *in, int B, float *const *out, const float *label, int M, size_t n,
    float alpha, float *grad_in, float *scratch)
{
    /* scores: [B, M] */
    for (int b = 0; b < B; b++) {
        f32x16 acc[W2V_BLOCK_MAX_M];
        for (int m = 0; m < M; m++)
            acc[m] = (f32x16){0};
        for (size_t i = 0; i < n; i += 16) {
            f32x16 x = load16(in[b] + i);
            for (int m = 0; m < M; m++)
                acc[m] += x * load16(out[m] + i);
        }
        for (int m = 0; m < M; m++)
            scratch[b * M + m] = sum16(&acc[m]);
    }
    simd_sigmoid(scratch, (size_t)B * (size_t)M);
    for (int j = 0; j < B * M; j++)
        scratch[j] = alpha * (label[j % M] - scratch[j]);
    /* grad_in = G · out, before out moves: [B, n] */
    for (int b = 0; b < B; b++) {
        const float *w = scratch + b * M;
        for (size_t i = 0; i < n; i += 16) {
            f32x16 g = {0};
            for (int m = 0; m < M; m++)
                g += w[m] * load16(out[m] + i);
            store16(grad_in + (size_t)b * n + i, &g);
        }
    }
    /* out += Gᵀ · in. Hogwild: other threads may update these rows too. */
    for (int m = 0; m < M; m++) {
        for (size_t i = 0; i < n; i += 16) {
            f32x16 y = load16(out[m] + i);
            for (int b = 0; b < B; b++)
                y += scratch[b * M + m] * load16(in[b] + i);
            store16(out[m] + i, &y);
        }
    }
}

/* Any length, any M: the same arithmetic in plain loops. */
static void block_step_any(const float *const *in, int B, float *const *out, const float *label,
                           int M, size_t n, float alpha, float *grad_in, float *scratch)
{
    for (int b = 0; b < B; b++)
        for (int m = 0; m < M; m++) {
            float sum = 0.0f;
            for (size_t i = 0; i < n; i++)
                sum += in[b][i] * out[m][i];
            scratch[b * M + m] = sum;
        }
    simd_sigmoid(scratch, (size_t)B * (size_t)M);
    for (int j = 0; j < B * M; j++)
        scratch[j] = alpha * (label[j % M] - scratch[j]);
    for (int b = 0; b < B; b++)
        for (size_t i = 0; i < n; i++) {
            float g = 0.0f;
            for (int m = 0; m < M; m++)
                g += scratch[b * M + m] * out[m][i];
            grad_in[(size_t)b * n + i] = g;
        }
    for (int m = 0; m < M; m++)
        for (int b = 0; b < B; b++)
            for (size_t i = 0; i < n; i++)
                out[m][i] += scratch[b * M + m] * in[b][i];
}

W2V_CLONES
void simd_block_step(const float *const *in, int B, float *const *out, const float *label,
                     int M, size_t n, float alpha, float *grad_in, float *scratch)
{
    if (n % 16 == 0 && M <= W2V_BLOCK_MAX_M)
        block_step16(in, B, out, label, M, n, alpha, grad_in, scratch);
    else
        block_step_any(in, B, out, label, M, n, alpha, grad_in, scratch);
}

const char *simd_isa(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(W2V_NO_CLONES)
    /* The same tests the ifunc resolvers make for the clones above. */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4"))
        return "avx512";
    if (__builtin_cpu_supports("x86-64-v3"))
        return "avx2";
#endif
    return "generic";
}
