/* fuzz_subword_model.c — the input is a subword model file. For any bytes
 * subword_model_open either
 *  - returns 1, only when the input does not start with the magic;
 *  - fails with a known status, a one-line message and a released struct;
 *  - or gives a model that obeys the format's rules: words non-empty,
 *    unique, findable, free of separators; bucket ids strictly increasing
 *    below bucket and each findable; and, when every value is finite,
 *    writing the model back gives exactly the input bytes (the layout is
 *    canonical: zero padding, zero reserved fields, nothing after the end).
 * The vector of a word (a model word, a model word with a byte appended,
 * and a word made of the input's last bytes) is its row, the mean of its
 * stored n-gram rows, or W2V_ENOTFOUND / W2V_EFORMAT as documented; a model
 * word's n-gram vector (a word past --limit) is that mean too. The first
 * limit rows as vectors (--limit) are those rows, indexed. */
#include <math.h>

#include "fuzz.h"
#include "w2v/ngram.h"
#include "w2v/subword_model.h"

FUZZ_NO_COVERAGE static int forbidden(unsigned char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

FUZZ_NO_COVERAGE static int rows_finite(const struct subword_model *m, float *x)
{
    for (int64_t r = 0; r < m->n_words; r++) {
        subword_model_word_row(m, r, x);
        for (int32_t j = 0; j < m->dim; j++)
            if (!isfinite(x[j]))
                return 0;
    }
    const unsigned char *g = m->base + m->gram_rows_at;
    for (size_t i = 0; i < (size_t)m->n_grams * (size_t)m->dim; i++) {
        float f;
        uint32_t u = (uint32_t)g[4 * i] | (uint32_t)g[4 * i + 1] << 8 |
                     (uint32_t)g[4 * i + 2] << 16 | (uint32_t)g[4 * i + 3] << 24;
        memcpy(&f, &u, 4);
        if (!isfinite(f))
            return 0;
    }
    return 1;
}

/* The vector of word agrees with the model's rows (grams_only: the
 * n-gram vector, whether or not word is a model word). */
FUZZ_NO_COVERAGE static void check_vector(const struct subword_model *m, const char *word, float *x,
                                          float *y, int grams_only)
{
    struct w2v_err err = {0};
    size_t used = 7, total = 7;
    int rc = grams_only ? subword_model_gram_vector(m, word, x, &used, &total, &err)
                        : subword_model_vector(m, word, x, &used, &total, &err);
    int64_t row = grams_only ? -1 : subword_model_find(m, word);
    if (rc != 0) {
        FUZZ_ASSERT(rc == W2V_ENOTFOUND || rc == W2V_EFORMAT);
        FUZZ_ASSERT(err.status == rc && fuzz_one_line(err.message));
        FUZZ_ASSERT(rc != W2V_ENOTFOUND || (row < 0 && used == 0));
        return;
    }
    for (int32_t j = 0; j < m->dim; j++)
        FUZZ_ASSERT(isfinite(x[j]));
    if (row >= 0) {
        FUZZ_ASSERT(used == 0);
        subword_model_word_row(m, row, y);
        FUZZ_ASSERT(memcmp(x, y, (size_t)m->dim * sizeof *x) == 0);
        return;
    }
    /* Recount the stored n-grams by brute force over the ids. */
    size_t len = strlen(word), cap = ngram_max_count(len, m->minn, m->maxn);
    uint32_t *ids = malloc((cap ? cap : 1) * sizeof *ids);
    FUZZ_ASSERT(ids != NULL);
    size_t n = ngram_buckets(word, len, m->minn, m->maxn, m->bucket, ids, cap);
    FUZZ_ASSERT(n == total && n <= cap);
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t g = subword_model_find_gram(m, ids[i]);
        FUZZ_ASSERT(ids[i] < m->bucket);
        hits += g >= 0;
    }
    FUZZ_ASSERT(hits == used && used > 0);
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_path(0, "subword");
    const char *copy = fuzz_tmp_path(1, "subword-copy");
    fuzz_write_file(path, data, size);
    struct subword_model m;
    struct w2v_err err = {0};
    int rc = subword_model_open(&m, path, &err);
    if (rc == 1) {
        FUZZ_ASSERT(size < 8 || memcmp(data, SUBWORD_MODEL_MAGIC, 8) != 0);
        FUZZ_ASSERT(m.base == NULL);
        return 0;
    }
    if (rc != 0) {
        FUZZ_ASSERT(rc == W2V_EFORMAT || rc == W2V_EEMPTY || rc == W2V_EOVERFLOW);
        FUZZ_ASSERT(err.status == rc && fuzz_one_line(err.message));
        FUZZ_ASSERT(m.base == NULL && m.words.words == NULL && m.words.slots == NULL);
        return 0;
    }
    FUZZ_ASSERT(size >= 8 && memcmp(data, SUBWORD_MODEL_MAGIC, 8) == 0);
    FUZZ_ASSERT(m.size == size && m.dim >= 1 && m.dim <= W2V_MAX_DIM);
    FUZZ_ASSERT(ngram_check_params(m.minn, m.maxn, m.bucket) == 0);
    FUZZ_ASSERT(m.n_words >= 1 && m.n_grams >= 0 && (uint64_t)m.n_grams <= m.bucket);
    FUZZ_ASSERT(m.gram_rows_at + (size_t)m.n_grams * (size_t)m.dim * 4 == size);
    for (int64_t r = 0; r < m.n_words; r++) {
        const char *w = m.words.words[r];
        size_t len = strlen(w);
        FUZZ_ASSERT(len >= 1);
        for (size_t i = 0; i < len; i++)
            FUZZ_ASSERT(!forbidden((unsigned char)w[i]));
        FUZZ_ASSERT(subword_model_find(&m, w) == r);
    }
    uint32_t *ids = malloc(((size_t)m.n_grams + 1) * sizeof *ids);
    FUZZ_ASSERT(ids != NULL);
    for (int64_t g = 0; g < m.n_grams; g++) {
        const unsigned char *p = m.base + m.ids_at + 4 * (size_t)g;
        ids[g] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
        FUZZ_ASSERT(ids[g] < m.bucket && (g == 0 || ids[g] > ids[g - 1]));
        FUZZ_ASSERT(subword_model_find_gram(&m, ids[g]) == g);
    }

    float *x = malloc(2 * (size_t)m.dim * sizeof *x);
    FUZZ_ASSERT(x != NULL);
    int finite = rows_finite(&m, x);
    uint64_t h = fuzz_hash(data, size);
    const char *w0 = m.words.words[h % (uint64_t)m.n_words];
    check_vector(&m, w0, x, x + m.dim, 0);
    check_vector(&m, w0, x, x + m.dim, 1);
    char word[64];
    snprintf(word, sizeof word, "%.40s%c", w0, (char)('a' + h % 26));
    check_vector(&m, word, x, x + m.dim, 0);
    size_t tail = size < 12 ? size : 12, k = 0;
    for (size_t i = size - tail; i < size; i++)
        if (!forbidden(data[i]))
            word[k++] = (char)data[i];
    word[k] = '\0';
    if (k > 0)
        check_vector(&m, word, x, x + m.dim, 0);

    /* --limit: the first limit rows, bit for bit, and only those findable. */
    const int64_t limit = 1 + (int64_t)((h >> 8) % (uint64_t)m.n_words);
    struct vectors v;
    rc = subword_model_to_vectors(&m, limit, &v, &err);
    if (rc != 0) {
        FUZZ_ASSERT(!finite && rc == W2V_EFORMAT && fuzz_one_line(err.message));
        FUZZ_ASSERT(v.words == NULL && v.data == NULL);
    } else {
        FUZZ_ASSERT(v.rows == limit && v.dim == m.dim);
        for (int64_t r = 0; r < m.n_words; r++) {
            FUZZ_ASSERT(vectors_find(&v, m.words.words[r]) == (r < limit ? r : -1));
            if (r < limit) {
                subword_model_word_row(&m, r, x);
                FUZZ_ASSERT(memcmp(x, v.data + (size_t)r * (size_t)m.dim,
                                   (size_t)m.dim * sizeof *x) == 0);
            }
        }
        vectors_release(&v);
    }

    if (finite) {
        /* Canonical layout: writing the model back gives the input. */
        float *wr = malloc((size_t)m.n_words * (size_t)m.dim * sizeof *wr);
        float *gr = malloc(((size_t)m.n_grams * (size_t)m.dim + 1) * sizeof *gr);
        FUZZ_ASSERT(wr && gr);
        for (int64_t r = 0; r < m.n_words; r++)
            subword_model_word_row(&m, r, wr + (size_t)r * (size_t)m.dim);
        memcpy(gr, m.base + m.gram_rows_at, (size_t)m.n_grams * (size_t)m.dim * 4);
        struct subword_model_data d = {m.dim, m.minn, m.maxn, m.bucket,
                                       m.n_words, (const char *const *)m.words.words, wr,
                                       (size_t)m.dim, m.n_grams, ids, gr, (size_t)m.dim};
        rc = subword_model_write(copy, &d, &err);
        if (rc != 0)
            fprintf(stderr, "write: %s\n", err.message);
        FUZZ_ASSERT(rc == 0);
        FILE *f = fopen(copy, "rb");
        FUZZ_ASSERT(f != NULL);
        unsigned char *back = malloc(size + 1);
        FUZZ_ASSERT(back != NULL);
        size_t got = fread(back, 1, size + 1, f);
        fclose(f);
        FUZZ_ASSERT(got == size && memcmp(back, data, size) == 0);
        free(back);
        free(wr);
        free(gr);
    }
    free(x);
    free(ids);
    subword_model_release(&m);
    return 0;
}
