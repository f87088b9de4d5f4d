/* model.c — allocation and initialisation of the training matrices. */
#include "w2v/model.h"

#include <string.h>
#include <sys/mman.h>

#include "w2v/sampling.h"

size_t model_stride(int64_t dim)
{
    return ((size_t)dim + W2V_MODEL_ROW_ALIGN - 1) / W2V_MODEL_ROW_ALIGN * W2V_MODEL_ROW_ALIGN;
}

/* Ask for transparent huge pages over the whole 2 MiB pages inside a
 * matrix, before it is first touched: training reads rows all over
 * matrices of tens of MB, and with 4 KiB pages many of those reads also
 * miss the TLB (2-4% of the batched kernel's time on corpus10m). Advice
 * only: nothing changes where the system declines (THP off, non-Linux). */
static void advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* Bytes of one [rows, stride] matrix. */
static int matrix_bytes(int64_t rows, int64_t dim, size_t *out)
{
    size_t cells;
    if (rows < 1 || dim < 1 || (uint64_t)rows > SIZE_MAX || (uint64_t)dim > SIZE_MAX / 2)
        return W2V_EOVERFLOW;
    if (w2v_size_mul((size_t)rows, model_stride(dim), &cells) != 0)
        return W2V_EOVERFLOW;
    return w2v_size_mul(cells, sizeof(float), out);
}

int model_bytes(int64_t rows, int64_t dim, int hs, int ns, size_t *out)
{
    size_t one, total;
    if (matrix_bytes(rows, dim, &one) != 0)
        return W2V_EOVERFLOW;
    total = one;
    if (hs && w2v_size_add(total, one, &total) != 0)
        return W2V_EOVERFLOW;
    if (ns && w2v_size_add(total, one, &total) != 0)
        return W2V_EOVERFLOW;
    *out = total;
    return 0;
}

int model_init(struct model *m, int32_t rows, int32_t dim, int hs, int ns, uint64_t seed,
               struct w2v_err *err)
{
    size_t bytes;
    int status;
    memset(m, 0, sizeof *m);
    if (rows < 1 || dim < 1)
        return w2v_fail(err, W2V_EINVAL, "model needs at least one word and one dimension");
    if (matrix_bytes(rows, dim, &bytes) != 0)
        return w2v_fail(err, W2V_EOVERFLOW, "model of %ld x %ld is too large", (long)rows,
                        (long)dim);
    m->rows = rows;
    m->dim = dim;
    m->stride = model_stride(dim);
    m->syn0 = w2v_aligned_alloc(bytes);
    if (!m->syn0)
        goto nomem;
    advise_huge(m->syn0, bytes);
    if (hs) {
        m->syn1 = w2v_aligned_alloc(bytes);
        if (!m->syn1)
            goto nomem;
        advise_huge(m->syn1, bytes);
        memset(m->syn1, 0, bytes);
    }
    if (ns) {
        m->syn1neg = w2v_aligned_alloc(bytes);
        if (!m->syn1neg)
            goto nomem;
        advise_huge(m->syn1neg, bytes);
        memset(m->syn1neg, 0, bytes);
    }

    /* Row-major order of draws, one stream: the same seed gives the same
     * matrix whatever the thread count used later. */
    struct rng r;
    rng_seed(&r, seed, UINT64_C(0xFFFFFFFF));
    float scale = 1.0f / (float)dim;
    for (int32_t i = 0; i < rows; i++) {
        float *row = model_row(m->syn0, m->stride, i);
        for (int32_t d = 0; d < dim; d++)
            row[d] = (rng_uniform(&r) - 0.5f) * scale;
        for (size_t d = (size_t)dim; d < m->stride; d++)
            row[d] = 0.0f;
    }
    return 0;

nomem:
    status = w2v_fail(err, W2V_ENOMEM, "out of memory for the model (%ld words x %ld dimensions)",
                      (long)rows, (long)dim);
    model_release(m);
    return status;
}

void model_release(struct model *m)
{
    w2v_aligned_free(m->syn0);
    w2v_aligned_free(m->syn1);
    w2v_aligned_free(m->syn1neg);
    memset(m, 0, sizeof *m);
}
