/* subword_model.c — writing, mapping and querying subword model files (the
 * layout is in subword_model.h).
 *
 * Every size in a header is hostile until checked: V, G and W are checked
 * for overflow and the sizes they imply must add up to the file's real
 * size exactly, before anything is allocated or any row is touched. */
#include "w2v/subword_model.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common_internal.h"
#include "vectors_scan.h"
#include "w2v/ngram.h"

#define ALIGN 64

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* Bytes a vector file's word may not hold (its separators and what no
 * tokenizer puts in a word), so every model word is also a valid word of
 * the vectors file written beside it. */
static int word_byte_bad(unsigned char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Round n up to a multiple of ALIGN; SIZE_MAX on overflow. */
static size_t align_up(size_t n)
{
    return n > SIZE_MAX - (ALIGN - 1) ? SIZE_MAX : (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* The layout's offsets from its counts: ids_at, word_rows_at, gram_rows_at
 * and the total size. Returns 0 or W2V_EOVERFLOW. */
struct layout {
    size_t ids_at, word_rows_at, gram_rows_at, total;
};

static int layout_of(uint64_t n_words, uint64_t n_grams, uint64_t words_bytes, uint32_t dim,
                     struct layout *l)
{
    size_t ids_bytes, row_bytes, word_rows, gram_rows, at;
    if (n_words > SIZE_MAX || n_grams > SIZE_MAX || words_bytes > SIZE_MAX ||
        w2v_size_mul((size_t)n_grams, 4, &ids_bytes) != 0 ||
        w2v_size_mul((size_t)dim, 4, &row_bytes) != 0 ||
        w2v_size_mul((size_t)n_words, row_bytes, &word_rows) != 0 ||
        w2v_size_mul((size_t)n_grams, row_bytes, &gram_rows) != 0 ||
        w2v_size_add(SUBWORD_MODEL_HEADER, (size_t)words_bytes, &at) != 0)
        return W2V_EOVERFLOW;
    l->ids_at = align_up(at);
    if (l->ids_at == SIZE_MAX || w2v_size_add(l->ids_at, ids_bytes, &at) != 0)
        return W2V_EOVERFLOW;
    l->word_rows_at = align_up(at);
    if (l->word_rows_at == SIZE_MAX ||
        w2v_size_add(l->word_rows_at, word_rows, &l->gram_rows_at) != 0 ||
        w2v_size_add(l->gram_rows_at, gram_rows, &l->total) != 0)
        return W2V_EOVERFLOW;
    return 0;
}

/* ---- writing ------------------------------------------------------------ */

/* Is d something the reader will accept? Returns 0 or W2V_EINVAL. */
static int check_data(const struct subword_model_data *d, uint64_t *words_bytes,
                      struct w2v_err *err)
{
    if (d->dim < 1 || d->dim > W2V_MAX_DIM)
        return w2v_fail(err, W2V_EINVAL, "subword model: dimension %d outside 1..%d",
                        (int)d->dim, W2V_MAX_DIM);
    if (ngram_check_params(d->minn, d->maxn, d->bucket) != 0)
        return w2v_fail(err, W2V_EINVAL, "subword model: bad n-gram settings minn %d maxn %d bucket %u",
                        d->minn, d->maxn, d->bucket);
    if (d->n_words < 1 || d->n_grams < 0 || (uint64_t)d->n_grams > d->bucket ||
        d->word_stride < (size_t)d->dim || (d->n_grams > 0 && d->gram_stride < (size_t)d->dim))
        return w2v_fail(err, W2V_EINVAL, "subword model: bad sizes (%lld words, %lld n-grams)",
                        (long long)d->n_words, (long long)d->n_grams);
    uint64_t total = 0;
    for (int64_t i = 0; i < d->n_words; i++) {
        const char *w = d->words[i];
        size_t len = strlen(w);
        if (len == 0 || len > W2V_MAX_FILE_WORD_BYTES)
            return w2v_fail(err, W2V_EINVAL, "subword model: word %lld is empty or too long",
                            (long long)i + 1);
        for (size_t k = 0; k < len; k++)
            if (word_byte_bad((unsigned char)w[k]))
                return w2v_fail(err, W2V_EINVAL, "subword model: word %lld holds whitespace",
                                (long long)i + 1);
        total += len + 1;
        const float *x = d->word_rows + (size_t)i * d->word_stride;
        for (int32_t j = 0; j < d->dim; j++)
            if (!isfinite(x[j]))
                return w2v_fail(err, W2V_EINVAL, "subword model: the vector of '%.200s' is not finite", w);
    }
    for (int64_t g = 0; g < d->n_grams; g++) {
        if (d->gram_ids[g] >= d->bucket || (g > 0 && d->gram_ids[g] <= d->gram_ids[g - 1]))
            return w2v_fail(err, W2V_EINVAL, "subword model: bucket ids not increasing below %u",
                            d->bucket);
        const float *x = d->gram_rows + (size_t)g * d->gram_stride;
        for (int32_t j = 0; j < d->dim; j++)
            if (!isfinite(x[j]))
                return w2v_fail(err, W2V_EINVAL, "subword model: n-gram row %lld is not finite",
                                (long long)g);
    }
    *words_bytes = total;
    return 0;
}

static int write_zeros(FILE *fp, size_t n)
{
    static const unsigned char zeros[ALIGN];
    return n == 0 || fwrite(zeros, 1, n, fp) == n ? 0 : -1;
}

/* rows [n, stride] as little-endian float32, dim of each. */
static int write_rows(FILE *fp, const float *rows, int64_t n, size_t stride, int32_t dim,
                      unsigned char *scratch)
{
    const int le = w2v_host_is_little_endian();
    for (int64_t i = 0; i < n; i++) {
        const float *x = rows + (size_t)i * stride;
        const void *src = x;
        if (!le) {
            for (int32_t j = 0; j < dim; j++) {
                uint32_t u;
                memcpy(&u, &x[j], 4);
                put32(scratch + 4 * (size_t)j, u);
            }
            src = scratch;
        }
        if (fwrite(src, 4, (size_t)dim, fp) != (size_t)dim)
            return -1;
    }
    return 0;
}

int subword_model_write(const char *path, const struct subword_model_data *d,
                        struct w2v_err *err)
{
    struct w2v_outfile out = {0};
    unsigned char *scratch = NULL;
    uint64_t words_bytes = 0;
    struct layout l;
    int rc = check_data(d, &words_bytes, err);
    if (rc < 0)
        return rc;
    if (layout_of((uint64_t)d->n_words, (uint64_t)d->n_grams, words_bytes, (uint32_t)d->dim, &l) != 0)
        return w2v_fail(err, W2V_EOVERFLOW, "subword model too large for this machine");
    scratch = w2v_malloc((size_t)d->dim * 4);
    if (!scratch)
        return w2v_fail(err, W2V_ENOMEM, "out of memory writing '%s'", path);
    rc = w2v_outfile_open(&out, path, err);
    if (rc < 0)
        goto fail;
    unsigned char h[SUBWORD_MODEL_HEADER] = {0};
    memcpy(h, SUBWORD_MODEL_MAGIC, sizeof SUBWORD_MODEL_MAGIC);
    put32(h + 8, SUBWORD_MODEL_VERSION);
    put32(h + 12, (uint32_t)d->dim);
    put32(h + 16, (uint32_t)d->minn);
    put32(h + 20, (uint32_t)d->maxn);
    put32(h + 24, d->bucket);
    put64(h + 32, (uint64_t)d->n_words);
    put64(h + 40, (uint64_t)d->n_grams);
    put64(h + 48, words_bytes);
    FILE *fp = out.fp;
    int bad = fwrite(h, 1, sizeof h, fp) != sizeof h;
    for (int64_t i = 0; i < d->n_words && !bad; i++)
        bad = fwrite(d->words[i], 1, strlen(d->words[i]) + 1, fp) == 0;
    bad = bad || write_zeros(fp, l.ids_at - SUBWORD_MODEL_HEADER - (size_t)words_bytes) != 0;
    for (int64_t g = 0; g < d->n_grams && !bad; g++) {
        unsigned char b[4];
        put32(b, d->gram_ids[g]);
        bad = fwrite(b, 1, 4, fp) != 4;
    }
    bad = bad || write_zeros(fp, l.word_rows_at - l.ids_at - 4 * (size_t)d->n_grams) != 0;
    bad = bad || write_rows(fp, d->word_rows, d->n_words, d->word_stride, d->dim, scratch) != 0;
    bad = bad || write_rows(fp, d->gram_rows, d->n_grams, d->gram_stride, d->dim, scratch) != 0;
    if (bad) {
        rc = w2v_fail_errno(err, "cannot write '%s'", path);
        goto fail;
    }
    rc = w2v_outfile_commit(&out, err);
    w2v_free(scratch);
    return rc;
fail:
    w2v_outfile_abort(&out);
    w2v_free(scratch);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

void subword_model_release(struct subword_model *m)
{
    if (!m)
        return;
    vectors_release(&m->words);
    if (m->base)
        munmap((void *)m->base, m->size);
    memset(m, 0, sizeof *m);
}

/* Check the header against the file's size; fill m's counts and offsets. */
static int check_header(struct subword_model *m, const char *path, const unsigned char *h,
                        uint64_t *words_bytes, struct w2v_err *err)
{
    uint32_t version = le32(h + 8), dim = le32(h + 12), minn = le32(h + 16),
             maxn = le32(h + 20), bucket = le32(h + 24);
    uint64_t n_words = le64(h + 32), n_grams = le64(h + 40);
    *words_bytes = le64(h + 48);
    if (version != SUBWORD_MODEL_VERSION)
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' is a subword model of version %u; this w2v reads version %d", path,
                        version, SUBWORD_MODEL_VERSION);
    if (le32(h + 28) != 0 || le64(h + 56) != 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s': reserved header fields are not zero", path);
    if (dim < 1 || dim > W2V_MAX_DIM)
        return w2v_fail(err, W2V_EFORMAT, "'%s': dimension %u outside 1..%d", path, dim,
                        W2V_MAX_DIM);
    if (minn > NGRAM_MAX_N || maxn > NGRAM_MAX_N ||
        ngram_check_params((int)minn, (int)maxn, bucket) != 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s': bad n-gram settings (minn %u, maxn %u, bucket %u)",
                        path, minn, maxn, bucket);
    if (n_words < 1 || n_grams > bucket)
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s': header claims %llu words and %llu n-gram rows of %u buckets", path,
                        (unsigned long long)n_words, (unsigned long long)n_grams, bucket);
    /* Each word takes at least 2 bytes (one byte and its NUL). */
    if (*words_bytes < 2 * n_words || *words_bytes > m->size)
        return w2v_fail(err, W2V_EFORMAT, "'%s': a word block of %llu bytes cannot hold %llu words",
                        path, (unsigned long long)*words_bytes, (unsigned long long)n_words);
    struct layout l;
    if (layout_of(n_words, n_grams, *words_bytes, dim, &l) != 0 || l.total != m->size)
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s': header claims %llu words and %llu n-gram rows of %u dimensions, "
                        "which does not match the file's %zu bytes (truncated or corrupt)",
                        path, (unsigned long long)n_words, (unsigned long long)n_grams, dim,
                        m->size);
    m->dim = (int32_t)dim;
    m->minn = (int)minn;
    m->maxn = (int)maxn;
    m->bucket = bucket;
    m->n_words = (int64_t)n_words;
    m->n_grams = (int64_t)n_grams;
    m->ids_at = l.ids_at;
    m->word_rows_at = l.word_rows_at;
    m->gram_rows_at = l.gram_rows_at;
    return 0;
}

/* Copy the word block, point words[] into it and index it. */
static int load_words(struct subword_model *m, const char *path, size_t words_bytes,
                      struct w2v_err *err)
{
    struct vectors *v = &m->words;
    const unsigned char *block = m->base + SUBWORD_MODEL_HEADER;
    if (block[words_bytes - 1] != '\0')
        return w2v_fail(err, W2V_EFORMAT, "'%s': the word block does not end a word", path);
    v->word_pool = w2v_malloc(words_bytes);
    v->words = w2v_calloc((size_t)m->n_words, sizeof *v->words);
    if (!v->word_pool || !v->words)
        return w2v_fail(err, W2V_ENOMEM, "out of memory reading the words of '%s'", path);
    memcpy(v->word_pool, block, words_bytes);
    size_t at = 0;
    int64_t row = 0;
    for (; row < m->n_words && at < words_bytes; row++) {
        const char *w = v->word_pool + at;
        size_t len = strlen(w); /* the block ends in NUL: bounded */
        if (len == 0 || len > W2V_MAX_FILE_WORD_BYTES)
            return w2v_fail(err, W2V_EFORMAT, "'%s': word %lld is empty or longer than %d bytes",
                            path, (long long)row + 1, W2V_MAX_FILE_WORD_BYTES);
        for (size_t k = 0; k < len; k++)
            if (word_byte_bad((unsigned char)w[k]))
                return w2v_fail(err, W2V_EFORMAT, "'%s': word %lld holds whitespace or a control byte (0x%02x)",
                                path, (long long)row + 1, (unsigned char)w[k]);
        v->words[row] = v->word_pool + at;
        at += len + 1;
    }
    if (row != m->n_words || at != words_bytes)
        return w2v_fail(err, W2V_EFORMAT, "'%s': the word block holds %s words than the %lld announced",
                        path, row < m->n_words ? "fewer" : "more", (long long)m->n_words);
    /* Padding must be zero: a writer that disagrees about W is caught. */
    for (size_t p = SUBWORD_MODEL_HEADER + words_bytes; p < m->ids_at; p++)
        if (m->base[p] != 0)
            return w2v_fail(err, W2V_EFORMAT, "'%s': padding after the words is not zero", path);
    v->rows = m->n_words;
    v->dim = m->dim;
    struct w2v_err inner = {0};
    int rc = vectors_index(v, &inner);
    if (rc < 0) /* a duplicate word, mostly: say in which file */
        return w2v_fail(err, rc, "'%s': %.400s", path, inner.message);
    return 0;
}

static int check_ids(const struct subword_model *m, const char *path, struct w2v_err *err)
{
    const unsigned char *ids = m->base + m->ids_at;
    uint32_t prev = 0;
    for (int64_t g = 0; g < m->n_grams; g++) {
        uint32_t b = le32(ids + 4 * g);
        if (b >= m->bucket || (g > 0 && b <= prev))
            return w2v_fail(err, W2V_EFORMAT,
                            "'%s': n-gram bucket ids are not increasing below %u (entry %lld)",
                            path, m->bucket, (long long)g + 1);
        prev = b;
    }
    for (size_t p = m->ids_at + 4 * (size_t)m->n_grams; p < m->word_rows_at; p++)
        if (m->base[p] != 0)
            return w2v_fail(err, W2V_EFORMAT, "'%s': padding after the bucket ids is not zero", path);
    return 0;
}

int subword_model_open(struct subword_model *m, const char *path, struct w2v_err *err)
{
    int rc;
    uint64_t words_bytes = 0;
    memset(m, 0, sizeof *m);
    int64_t file_size = 0;
    int fd = vectors_open_regular(path, &file_size, err);
    if (fd < 0)
        return fd;
    /* Look at the magic with read(): most files are not subword models and
     * need not be mapped here. */
    unsigned char h[SUBWORD_MODEL_HEADER];
    ssize_t got = pread(fd, h, sizeof SUBWORD_MODEL_MAGIC, 0);
    if (got != (ssize_t)sizeof SUBWORD_MODEL_MAGIC ||
        memcmp(h, SUBWORD_MODEL_MAGIC, sizeof SUBWORD_MODEL_MAGIC) != 0) {
        close(fd);
        return 1;
    }
    if ((uint64_t)file_size > SIZE_MAX || file_size < SUBWORD_MODEL_HEADER) {
        rc = w2v_fail(err, W2V_EFORMAT, "'%s' is truncated: %lld bytes, not even a header",
                      path, (long long)file_size);
        goto fail;
    }
    /* The header is checked against the file's size before anything is
     * mapped: a file whose header claims more than it holds is refused
     * here rather than faulting later. (One that shrinks after this check
     * still can: see subword_model.h.) */
    if ((got = pread(fd, h, sizeof h, 0)) != (ssize_t)sizeof h) {
        if (got >= 0)
            errno = EIO; /* it shrank since fstat: say something true */
        rc = w2v_fail_errno(err, "cannot read '%s'", path);
        goto fail;
    }
    m->size = (size_t)file_size;
    if ((rc = check_header(m, path, h, &words_bytes, err)) < 0)
        goto fail;
    void *base;
    rc = vectors_map_fd(fd, (size_t)file_size, path, &base, err);
    fd = -1; /* closed either way */
    if (rc != 0)
        goto fail;
    m->base = base;
    rc = load_words(m, path, (size_t)words_bytes, err);
    if (rc < 0)
        goto fail;
    rc = check_ids(m, path, err);
    if (rc < 0)
        goto fail;
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    subword_model_release(m);
    return rc;
}

int64_t subword_model_find(const struct subword_model *m, const char *word)
{
    return vectors_find(&m->words, word);
}

static void copy_row(const unsigned char *p, int32_t dim, float *out)
{
    if (w2v_host_is_little_endian()) {
        memcpy(out, p, (size_t)dim * 4);
        return;
    }
    for (int32_t j = 0; j < dim; j++) {
        uint32_t u = le32(p + 4 * (size_t)j);
        memcpy(&out[j], &u, 4);
    }
}

void subword_model_word_row(const struct subword_model *m, int64_t row, float *out)
{
    copy_row(m->base + m->word_rows_at + (size_t)row * (size_t)m->dim * 4, m->dim, out);
}

int64_t subword_model_find_gram(const struct subword_model *m, uint32_t b)
{
    const unsigned char *ids = m->base + m->ids_at;
    int64_t lo = 0, hi = m->n_grams; /* the answer is in [lo, hi) */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        uint32_t x = le32(ids + 4 * mid);
        if (x == b)
            return mid;
        if (x < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int check_finite(const float *x, int32_t dim, const char *word, struct w2v_err *err)
{
    for (int32_t j = 0; j < dim; j++)
        if (!isfinite(x[j]))
            return w2v_fail(err, W2V_EFORMAT,
                            "the subword model's vector for '%.200s' holds a non-finite value", word);
    return 0;
}

int subword_model_vector(const struct subword_model *m, const char *word, float *out,
                         size_t *n_grams_used, size_t *n_grams_total, struct w2v_err *err)
{
    int64_t r = subword_model_find(m, word);
    if (r < 0)
        return subword_model_gram_vector(m, word, out, n_grams_used, n_grams_total, err);
    if (n_grams_used)
        *n_grams_used = 0;
    if (n_grams_total)
        *n_grams_total = 0;
    subword_model_word_row(m, r, out);
    return check_finite(out, m->dim, word, err);
}

int subword_model_gram_vector(const struct subword_model *m, const char *word, float *out,
                              size_t *n_grams_used, size_t *n_grams_total, struct w2v_err *err)
{
    size_t used = 0, total = 0;
    int rc = 0;
    uint32_t *ids = NULL;
    float *row = NULL;
    size_t len = strlen(word);
    size_t cap = ngram_max_count(len, m->minn, m->maxn);
    ids = w2v_calloc(cap ? cap : 1, sizeof *ids);
    row = w2v_malloc((size_t)m->dim * sizeof *row);
    if (!ids || !row) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for the n-grams of a %zu-byte word", len);
        goto done;
    }
    total = ngram_buckets(word, len, m->minn, m->maxn, m->bucket, ids, cap);
    /* Sum in double: a long word's many small rows keep their precision. */
    double *sum = w2v_calloc((size_t)m->dim, sizeof *sum);
    if (!sum) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < total; i++) {
        int64_t g = subword_model_find_gram(m, ids[i]);
        if (g < 0)
            continue;
        copy_row(m->base + m->gram_rows_at + (size_t)g * (size_t)m->dim * 4, m->dim, row);
        for (int32_t j = 0; j < m->dim; j++)
            sum[j] += row[j];
        used++;
    }
    for (int32_t j = 0; j < m->dim; j++)
        out[j] = used ? (float)(sum[j] / (double)used) : 0.0f;
    w2v_free(sum);
    if (used == 0)
        rc = w2v_fail(err, W2V_ENOTFOUND,
                      "'%.200s' is not in the model and none of its %zu n-grams is", word, total);
    else
        rc = check_finite(out, m->dim, word, err);
done:
    if (n_grams_used)
        *n_grams_used = used;
    if (n_grams_total)
        *n_grams_total = total;
    w2v_free(ids);
    w2v_free(row);
    return rc;
}

int subword_model_to_vectors(const struct subword_model *m, int64_t limit, struct vectors *v,
                             struct w2v_err *err)
{
    int rc;
    size_t bytes, pool = 0;
    const int64_t n = limit > 0 && limit < m->n_words ? limit : m->n_words;
    vectors_init(v);
    if (w2v_size_mul((size_t)n, (size_t)m->dim * sizeof(float), &bytes) != 0)
        return w2v_fail(err, W2V_EOVERFLOW, "subword model too large");
    for (int64_t r = 0; r < n; r++)
        pool += strlen(m->words.words[r]) + 1;
    v->data = w2v_aligned_alloc(bytes);
    v->words = w2v_calloc((size_t)n, sizeof *v->words);
    v->word_pool = w2v_malloc(pool);
    if (!v->data || !v->words || !v->word_pool) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for %lld vectors", (long long)n);
        goto fail;
    }
    v->rows = n;
    v->dim = m->dim;
    memcpy(v->word_pool, m->words.word_pool, pool); /* the same words, same order */
    size_t at = 0;
    for (int64_t r = 0; r < n; r++) {
        v->words[r] = v->word_pool + at;
        at += strlen(v->words[r]) + 1;
        float *x = v->data + (size_t)r * (size_t)m->dim;
        subword_model_word_row(m, r, x);
        rc = check_finite(x, m->dim, v->words[r], err);
        if (rc < 0)
            goto fail;
    }
    rc = vectors_index(v, err);
    if (rc < 0)
        goto fail;
    return 0;
fail:
    vectors_release(v);
    return rc;
}
