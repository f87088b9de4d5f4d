/* model.h — the trained matrices: input vectors (syn0), hierarchical-softmax
 * inner-node weights (syn1) and negative-sampling output weights (syn1neg).
 *
 * Every row is 64-byte aligned and padded to `stride` floats (a multiple of
 * 16), so a kernel may run whole SIMD vectors over a row; the padding is
 * zero at init and kernels keep it zero (they only touch [0, dim)). */
#ifndef W2V_MODEL_H
#define W2V_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"

#define W2V_MODEL_ROW_ALIGN 16 /* floats: 64 bytes */

struct model {
    int32_t rows;    /* V: vocabulary size */
    int32_t dim;     /* D */
    size_t stride;   /* floats per row: dim rounded up to W2V_MODEL_ROW_ALIGN */
    float *syn0;     /* [V, stride] row-major: input (word) vectors, the output file */
    float *syn1;     /* [V, stride] row-major: HS inner nodes (V-1 used), or NULL */
    float *syn1neg;  /* [V, stride] row-major: NS output vectors, or NULL */
};

/* Bytes model_init would allocate for these sizes (0 < rows, 0 < dim), in
 * *out. Returns 0 or W2V_EOVERFLOW. Pure; thread-safe. */
int model_bytes(int64_t rows, int64_t dim, int hs, int ns, size_t *out);

/* Allocate and initialise like the original: syn0 uniform in
 * [-0.5/D, 0.5/D) from an RNG seeded with `seed`, syn1/syn1neg zero (each
 * only when hs/ns asks for it). The same (rows, dim, seed) gives the same
 * bits. Returns 0, W2V_EINVAL (rows or dim < 1), W2V_EOVERFLOW or
 * W2V_ENOMEM with err filled; on failure m is left released. */
int model_init(struct model *m, int32_t rows, int32_t dim, int hs, int ns, uint64_t seed,
               struct w2v_err *err);

/* Free the matrices. Safe on a zeroed or released struct. */
void model_release(struct model *m);

/* Floats per row for dim live ones: dim rounded up to W2V_MODEL_ROW_ALIGN.
 * dim >= 0. Pure. */
size_t model_stride(int64_t dim);

/* Row r of a matrix: [stride] floats, of which the first dim are live. */
static inline float *model_row(float *matrix, size_t stride, int64_t r)
{
    return matrix + (size_t)r * stride;
}

#endif
