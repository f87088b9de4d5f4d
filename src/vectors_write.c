/* vectors_write.c — writing vector files, binary or text, whole or not at
 * all (through common's atomic output file). */
#include "vectors_scan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int vectors_write(const char *path, enum vectors_format format, int64_t rows, int32_t dim,
                  const char *const *words, const float *data, size_t stride,
                  struct w2v_err *err)
{
    char *vbuf = NULL;
    unsigned char *row_buf = NULL;
    struct w2v_outfile out = {0};
    FILE *fp = NULL;
    int rc;

    if (rows < 1 || dim < 1 || dim > W2V_MAX_DIM || stride < (size_t)dim || !words || !data)
        return w2v_fail(err, W2V_EINVAL,
                        "cannot write '%s': %lld vectors of %d dimensions (stride %zu)", path,
                        (long long)rows, (int)dim, stride);
    for (int64_t r = 0; r < rows; r++) {
        const char *w = words[r];
        if (!w || !*w)
            return w2v_fail(err, W2V_EINVAL, "cannot write '%s': word of row %lld is empty", path,
                            (long long)r + 1);
        for (const char *c = w; *c; c++)
            if (vectors_word_forbidden((unsigned char)*c))
                return w2v_fail(err, W2V_EINVAL,
                                "cannot write '%s': word '%.200s' holds whitespace", path, w);
        if (strlen(w) > W2V_MAX_FILE_WORD_BYTES)
            return w2v_fail(err, W2V_EINVAL, "cannot write '%s': word of row %lld is too long",
                            path, (long long)r + 1);
        const float *row = data + (size_t)r * stride;
        for (int32_t j = 0; j < dim; j++)
            if (!isfinite(row[j]))
                return w2v_fail(err, W2V_EINVAL,
                                "cannot write '%s': vector of '%.200s' has a non-finite value",
                                path, w);
    }

    rc = w2v_outfile_open(&out, path, err);
    if (rc != 0)
        return rc;
    fp = out.fp;
    /* A buffer no bigger than the file will be (roughly: at most 16 bytes
     * per text value, words of up to 64 bytes; a longer file just flushes
     * more often). */
    size_t vsize = VECTORS_READ_CHUNK;
    if ((uint64_t)rows < VECTORS_READ_CHUNK / 64 &&
        (uint64_t)rows * ((uint64_t)dim * 16 + 64) + 64 < VECTORS_READ_CHUNK)
        vsize = (size_t)rows * ((size_t)dim * 16 + 64) + 64;
    vbuf = w2v_malloc(vsize);
    if (vbuf)
        setvbuf(fp, vbuf, _IOFBF, vsize);

    if (fprintf(fp, "%lld %d\n", (long long)rows, (int)dim) < 0)
        goto io_fail;
    if (format == VECTORS_BINARY) {
        row_buf = w2v_malloc((size_t)dim * 4 + 1);
        if (!row_buf) {
            rc = w2v_fail(err, W2V_ENOMEM, "out of memory writing '%s'", path);
            goto fail;
        }
        for (int64_t r = 0; r < rows; r++) {
            const float *row = data + (size_t)r * stride;
            for (int32_t j = 0; j < dim; j++)
                vectors_store_le(row_buf + 4 * (size_t)j, row[j]);
            row_buf[(size_t)dim * 4] = '\n';
            size_t wl = strlen(words[r]);
            if (fwrite(words[r], 1, wl, fp) != wl || fputc(' ', fp) == EOF ||
                fwrite(row_buf, 1, (size_t)dim * 4 + 1, fp) != (size_t)dim * 4 + 1)
                goto io_fail;
        }
    } else {
        for (int64_t r = 0; r < rows; r++) {
            const float *row = data + (size_t)r * stride;
            if (fputs(words[r], fp) == EOF)
                goto io_fail;
            for (int32_t j = 0; j < dim; j++)
                if (fprintf(fp, " %.9g", (double)row[j]) < 0)
                    goto io_fail;
            if (fputc('\n', fp) == EOF)
                goto io_fail;
        }
    }
    fp = NULL;
    rc = w2v_outfile_commit(&out, err);
    w2v_free(vbuf);
    w2v_free(row_buf);
    return rc;

io_fail:
    rc = w2v_fail_errno(err, "cannot write '%s'", path);
fail:
    w2v_outfile_abort(&out);
    w2v_free(vbuf);
    w2v_free(row_buf);
    return rc;
}
