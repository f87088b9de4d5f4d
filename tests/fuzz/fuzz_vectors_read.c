/* fuzz_vectors_read.c — the input is a vector file, read three ways: by
 * vectors_read, by vectors_map_open (the memory-mapped query path) and
 * through query_model_open in both modes. For any bytes:
 *  - vectors_read either fails with a known status, a one-line message and
 *    a released struct, or returns rows that obey the format's rules (words
 *    non-empty, unique, findable, free of separators; values finite; data
 *    64-byte aligned), and the vectors survive a write -> read round trip
 *    in both formats bit for bit;
 *  - the mapping agrees with the reader: a binary file the reader accepts
 *    maps to the same words and float bytes, a text file maps to 1 ("read
 *    it instead"), and the only binary file the mapping may accept when the
 *    reader refuses it is one holding a non-finite value (finiteness is the
 *    scan's job), which query_topk then reports as W2V_EFORMAT;
 *  - a top-k query on the in-memory model and on the mapped model gives the
 *    same hits with the same score bits, equal to a brute-force scan by
 *    query_similarity (best first, ties to the lower row, the query word
 *    excluded, only rows under the restriction), with one thread or two. */
#include <math.h>

#include "fuzz.h"
#include "w2v/query.h"
#include "w2v/vectors.h"

FUZZ_NO_COVERAGE static int forbidden(unsigned char c)
{
    return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

FUZZ_NO_COVERAGE static void check_failure(int rc, const struct w2v_err *err)
{
    FUZZ_ASSERT(rc == W2V_EFORMAT || rc == W2V_EEMPTY || rc == W2V_EOVERFLOW);
    FUZZ_ASSERT(err->status == rc);
    FUZZ_ASSERT(fuzz_one_line(err->message));
}

FUZZ_NO_COVERAGE static void check_vectors(const struct vectors *v)
{
    FUZZ_ASSERT(v->rows >= 1 && v->dim >= 1 && v->dim <= W2V_MAX_DIM);
    FUZZ_ASSERT(v->words && v->data && v->slots && v->n_slots >= (size_t)v->rows);
    FUZZ_ASSERT(((uintptr_t)v->data & 63) == 0);
    for (int64_t r = 0; r < v->rows; r++) {
        const char *w = v->words[r];
        size_t len = strlen(w);
        FUZZ_ASSERT(len >= 1 && len <= W2V_MAX_FILE_WORD_BYTES);
        for (size_t i = 0; i < len; i++)
            FUZZ_ASSERT(!forbidden((unsigned char)w[i]));
        FUZZ_ASSERT(vectors_find(v, w) == r); /* so words are unique */
        const float *x = v->data + (size_t)r * (size_t)v->dim;
        for (int32_t j = 0; j < v->dim; j++)
            FUZZ_ASSERT(isfinite(x[j]));
    }
}

/* Would the first row of v, written in binary, read as a text line? Only
 * when its float bytes are all printable ASCII or whitespace: the file is
 * then "word" followed by what could be text lines, and when the part up
 * to the first '\n' spells D numbers, or holds a text error, the reader
 * takes it for text, as it must for a one-row file of D numbers, which is
 * both. No real model has such a first row (each of 4D bytes printable);
 * a fuzzer finds it. */
FUZZ_NO_COVERAGE static int binary_ambiguous(const struct vectors *v)
{
    const unsigned char *b = (const unsigned char *)v->data;
    for (size_t i = 0; i < (size_t)v->dim * sizeof(float); i++)
        if ((b[i] < 0x20 && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') || b[i] >= 0x7f)
            return 0;
    return 1;
}

/* Write v in format to path, read it back: same words, same bits. */
FUZZ_NO_COVERAGE static void check_round_trip(const struct vectors *v, enum vectors_format format,
                             const char *path)
{
    struct w2v_err err = {0};
    struct vectors r;
    int rc = vectors_write(path, format, v->rows, v->dim, (const char *const *)v->words,
                           v->data, (size_t)v->dim, &err);
    if (rc != 0)
        fprintf(stderr, "write: %s\n", err.message);
    FUZZ_ASSERT(rc == 0);
    rc = vectors_read(&r, path, &err);
    if (format == VECTORS_BINARY && binary_ambiguous(v)) {
        if (rc == 0)
            vectors_release(&r);
        return;
    }
    if (rc != 0)
        fprintf(stderr, "read back: %s\n", err.message);
    FUZZ_ASSERT(rc == 0);
    FUZZ_ASSERT(r.format == format && r.rows == v->rows && r.dim == v->dim);
    for (int64_t i = 0; i < v->rows; i++)
        FUZZ_ASSERT(strcmp(r.words[i], v->words[i]) == 0);
    FUZZ_ASSERT(memcmp(r.data, v->data, (size_t)v->rows * (size_t)v->dim * sizeof(float)) == 0);
    vectors_release(&r);
}

/* Does row hold a NaN or an infinity? */
FUZZ_NO_COVERAGE static int map_row_bad(const struct vectors_map *m, int64_t row, float *scratch)
{
    vectors_map_row(m, row, scratch);
    for (int32_t j = 0; j < m->dim; j++)
        if (!isfinite(scratch[j]))
            return 1;
    return 0;
}

/* The mapping's own invariants; when v is given (the reader accepted the
 * file), it must hold exactly v's words and bits. Returns whether some row
 * holds a non-finite value. */
FUZZ_NO_COVERAGE static int check_map(const struct vectors_map *m, const struct vectors *v)
{
    float *x = malloc((size_t)m->dim * sizeof *x);
    int any_bad = 0;
    FUZZ_ASSERT(x != NULL);
    FUZZ_ASSERT(m->rows >= 1 && m->dim >= 1 && m->dim <= W2V_MAX_DIM);
    for (int64_t r = 0; r < m->rows; r++) {
        size_t len;
        const char *w = vectors_map_word(m, r, &len);
        FUZZ_ASSERT(len >= 1 && len <= W2V_MAX_FILE_WORD_BYTES);
        FUZZ_ASSERT((const unsigned char *)w >= m->base &&
                    (size_t)((const unsigned char *)w - m->base) + len < m->size);
        FUZZ_ASSERT(w[len] == ' ');
        for (size_t i = 0; i < len; i++)
            FUZZ_ASSERT(!forbidden((unsigned char)w[i]));
        FUZZ_ASSERT(m->row_off[r] >= 0 &&
                    (uint64_t)m->row_off[r] + (uint64_t)m->dim * 4 <= (uint64_t)m->size);
        char *copy = malloc(len + 1);
        FUZZ_ASSERT(copy != NULL);
        memcpy(copy, w, len);
        copy[len] = '\0';
        FUZZ_ASSERT(vectors_map_find(m, copy) == r);
        if (v) {
            FUZZ_ASSERT(strcmp(copy, v->words[r]) == 0);
            vectors_map_row(m, r, x);
            FUZZ_ASSERT(memcmp(x, v->data + (size_t)r * (size_t)v->dim,
                               (size_t)v->dim * sizeof *x) == 0);
        }
        free(copy);
        any_bad |= map_row_bad(m, r, x);
    }
    free(x);
    return any_bad;
}

FUZZ_NO_COVERAGE static float clamp1(float s) { return s > 1.0f ? 1.0f : (s < -1.0f ? -1.0f : s); }

/* One top-k query for row q0 on m; the hits and their count go to hits/n. */
FUZZ_NO_COVERAGE static int topk(const struct query_model *m, int64_t q0, const struct query_options *opt,
                struct query_hit *hits, size_t *n, struct w2v_err *err)
{
    float *vec = malloc((size_t)m->dim * sizeof *vec);
    FUZZ_ASSERT(vec != NULL);
    int rc = query_model_unit(m, q0, vec, err);
    if (rc == 0) {
        struct query_request req = {.vec = vec, .exclude = &q0, .n_exclude = 1};
        rc = query_topk(m, &req, 1, opt, hits, n, err);
    }
    free(vec);
    return rc;
}

/* The in-memory and the mapped model answer the same query identically,
 * and as a brute-force scan would. */
FUZZ_NO_COVERAGE static void check_queries(const char *path, uint64_t h)
{
    struct query_model mem, map;
    struct w2v_err err = {0};
    FUZZ_ASSERT(query_model_open(&mem, path, 0, &err) == 0);
    FUZZ_ASSERT(mem.source == QUERY_IN_MEMORY);
    FUZZ_ASSERT(query_model_open(&map, path, 1, &err) == 0);
    FUZZ_ASSERT(map.rows == mem.rows && map.dim == mem.dim);

    const int64_t rows = mem.rows;
    const int64_t q0 = (int64_t)(h % (uint64_t)rows);
    struct query_options opt = {.k = 1 + (size_t)((h >> 16) % 4), .threads = 1};
    opt.restrict_rows = (h >> 20) & 1 ? 1 + (int64_t)((h >> 24) % (uint64_t)rows) : 0;
    const int64_t hi = opt.restrict_rows > 0 ? opt.restrict_rows : rows;

    /* Same unit vector bits either way. */
    float *u1 = malloc(2 * (size_t)mem.dim * sizeof *u1);
    FUZZ_ASSERT(u1 != NULL);
    FUZZ_ASSERT(query_model_unit(&mem, q0, u1, &err) == 0);
    FUZZ_ASSERT(query_model_unit(&map, q0, u1 + mem.dim, &err) == 0);
    FUZZ_ASSERT(memcmp(u1, u1 + mem.dim, (size_t)mem.dim * sizeof *u1) == 0);
    free(u1);

    struct query_hit a[4], b[4], c[4];
    size_t na = 0, nb = 0, nc = 0;
    FUZZ_ASSERT(topk(&mem, q0, &opt, a, &na, &err) == 0);
    FUZZ_ASSERT(topk(&map, q0, &opt, b, &nb, &err) == 0);
    FUZZ_ASSERT(na == nb);
    for (size_t i = 0; i < na; i++)
        FUZZ_ASSERT(a[i].row == b[i].row && memcmp(&a[i].score, &b[i].score, sizeof(float)) == 0);
    if ((h >> 40) % 8 == 0) {
        /* Two threads over disjoint row ranges: same answer. */
        struct query_options two = opt;
        two.threads = 2;
        FUZZ_ASSERT(topk(&map, q0, &two, c, &nc, &err) == 0);
        FUZZ_ASSERT(nc == na);
        for (size_t i = 0; i < nc; i++)
            FUZZ_ASSERT(c[i].row == a[i].row &&
                        memcmp(&c[i].score, &a[i].score, sizeof(float)) == 0);
    }

    /* Brute force: the k best rows under hi other than q0. */
    size_t want = (size_t)(hi - (q0 < hi));
    if (want > opt.k)
        want = opt.k;
    FUZZ_ASSERT(na == want);
    for (size_t i = 0; i < na; i++) {
        FUZZ_ASSERT(a[i].row >= 0 && a[i].row < hi && a[i].row != q0);
        FUZZ_ASSERT(isfinite(a[i].score) && fabsf(a[i].score) <= 1.001f);
        if (i > 0)
            FUZZ_ASSERT(query_hit_better(a[i - 1], a[i]));
        float s;
        FUZZ_ASSERT(query_similarity(&mem, q0, a[i].row, &s, &err) == 0);
        FUZZ_ASSERT(s == clamp1(a[i].score));
    }
    if (na > 0) {
        /* Nothing left out beats the last hit. */
        struct query_hit last = a[na - 1];
        for (int64_t r = 0; r < hi; r++) {
            int kept = r == q0;
            for (size_t i = 0; i < na; i++)
                kept |= a[i].row == r;
            if (kept)
                continue;
            float s;
            FUZZ_ASSERT(query_similarity(&mem, q0, r, &s, &err) == 0);
            struct query_hit x = {r, s};
            last.score = clamp1(last.score);
            /* Clamping merges scores just past +-1: no order left there. */
            FUZZ_ASSERT(!query_hit_better(x, last) || fabsf(s) == 1.0f);
        }
    }
    query_model_release(&map);
    query_model_release(&mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_path(0, "vectors");
    const char *copy = fuzz_tmp_path(1, "vectors-copy");
    fuzz_write_file(path, data, size);
    uint64_t h = fuzz_hash(data, size);

    struct vectors v;
    struct w2v_err err = {0}, merr = {0};
    int rc = vectors_read(&v, path, &err);
    if (rc != 0) {
        check_failure(rc, &err);
        FUZZ_ASSERT(v.words == NULL && v.data == NULL && v.rows == 0 && v.slots == NULL);
    } else {
        check_vectors(&v);
    }

    /* --no-header: the first line is data; the same rules for the rows. */
    {
        struct vectors g;
        struct w2v_err gerr = {0};
        const struct vectors_read_opts no_header = {.no_header = 1};
        int grc = vectors_read_with(&g, path, &no_header, &gerr);
        if (grc != 0) {
            check_failure(grc, &gerr);
            FUZZ_ASSERT(g.words == NULL && g.data == NULL && g.rows == 0);
        } else {
            check_vectors(&g);
            FUZZ_ASSERT(g.format == VECTORS_TEXT);
        }
        vectors_release(&g);
    }

    struct vectors_map m;
    int mrc = vectors_map_open(&m, path, &merr);
    if (mrc < 0) {
        check_failure(mrc, &merr);
        FUZZ_ASSERT(m.base == NULL && m.row_off == NULL && m.slots == NULL);
        /* The same prologue and the same word checks: the reader refuses
         * the file too, for a reason of the same kind. */
        FUZZ_ASSERT(rc == mrc);
    } else if (mrc == 1) {
        /* Text: the reader says so too, or fails on it. */
        FUZZ_ASSERT(m.base == NULL);
        FUZZ_ASSERT(rc != 0 || v.format == VECTORS_TEXT);
    } else {
        FUZZ_ASSERT(mrc == 0);
        FUZZ_ASSERT(rc != 0 || v.format == VECTORS_BINARY);
        int bad = check_map(&m, rc == 0 ? &v : NULL);
        if (rc != 0) {
            /* Only a non-finite value is the reader's alone to refuse. */
            FUZZ_ASSERT(rc == W2V_EFORMAT && bad);
        }
    }
    vectors_map_release(&m);

    if (mrc == 0 && rc != 0) {
        /* The query path finds the non-finite row when it scans. */
        struct query_model qm;
        FUZZ_ASSERT(query_model_open(&qm, path, 1, &merr) == 0);
        struct query_options opt = {.k = 1, .threads = 1};
        float *vec = calloc((size_t)qm.dim, sizeof *vec);
        FUZZ_ASSERT(vec != NULL);
        vec[0] = 1.0f;
        struct query_request req = {.vec = vec};
        struct query_hit hit;
        size_t n = 0;
        int qrc = query_topk(&qm, &req, 1, &opt, &hit, &n, &merr);
        FUZZ_ASSERT(qrc == W2V_EFORMAT && fuzz_one_line(merr.message));
        free(vec);
        query_model_release(&qm);
    }

    if (rc == 0 && v.rows >= 2) {
        /* --limit: a prefix of an accepted file reads (and maps) as the
         * first rows of the whole, bit for bit. */
        const int64_t lim = 1 + (int64_t)(h % (uint64_t)(v.rows - 1));
        struct vectors lv;
        FUZZ_ASSERT(vectors_read_limit(&lv, path, lim, &merr) == 0 && lv.rows == lim);
        FUZZ_ASSERT(lv.dim == v.dim && lv.format == v.format);
        for (int64_t r = 0; r < lim; r++)
            FUZZ_ASSERT(strcmp(lv.words[r], v.words[r]) == 0 && vectors_find(&lv, v.words[r]) == r);
        FUZZ_ASSERT(memcmp(lv.data, v.data, (size_t)lim * (size_t)v.dim * sizeof(float)) == 0);
        vectors_release(&lv);
        struct vectors_map lm;
        int lrc = vectors_map_open_limit(&lm, path, lim, &merr);
        FUZZ_ASSERT(lrc == (v.format == VECTORS_TEXT ? 1 : 0));
        if (lrc == 0)
            FUZZ_ASSERT(lm.rows == lim && vectors_map_find(&lm, v.words[lim - 1]) == lim - 1);
        vectors_map_release(&lm);
    }

    if (rc == 0) {
        check_round_trip(&v, VECTORS_BINARY, copy);
        check_round_trip(&v, VECTORS_TEXT, copy);
        check_queries(path, h);
        vectors_release(&v);
    }
    return 0;
}
