/* test_vectors.c — vector files: round trips, foreign layouts, hostile input. */
#include <dirent.h>
#include <float.h>
#include <stdint.h>
#include <sys/stat.h>

#include "test.h"
#include "w2v/query.h"
#include "w2v/vectors.h"
#include "vectors_scan.h" /* vectors_strtof */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng_next(void)
{
    /* xorshift64*: deterministic test data. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* A random finite float: mostly arbitrary bit patterns (every exponent,
 * denormals included), plus the awkward values. */
static float random_float(void)
{
    static const float special[] = {0.0f, -0.0f, FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN,
                                    FLT_TRUE_MIN, -FLT_TRUE_MIN, 1.0f, -1.0f, 1e-40f};
    uint64_t r = rng_next();
    if (r % 8 == 0)
        return special[(r >> 8) % (sizeof special / sizeof special[0])];
    for (;;) {
        uint32_t u = (uint32_t)(rng_next() >> 32);
        float f;
        memcpy(&f, &u, sizeof f);
        if (isfinite(f))
            return f;
    }
}

static void write_bytes(const char *path, const void *data, size_t n) { test_write_file(path, data, n); }

static void write_str(const char *path, const char *s) { write_bytes(path, s, strlen(s)); }

struct sample {
    int64_t rows;
    int32_t dim;
    char **words;
    float *data;
};

static void sample_make(struct sample *s, int64_t rows, int32_t dim, size_t stride)
{
    s->rows = rows;
    s->dim = dim;
    s->words = malloc((size_t)rows * sizeof *s->words);
    s->data = malloc((size_t)rows * stride * sizeof(float));
    for (int64_t r = 0; r < rows; r++) {
        char w[64];
        /* Varied lengths, UTF-8 and a few punctuation bytes. */
        snprintf(w, sizeof w, "%s%lld%.*s", (r % 3) ? "w" : "\xc3\xa9t\xc3\xa9_", (long long)r,
                 (int)(r % 7), "#$%&'()");
        s->words[r] = strdup(w);
        for (size_t j = 0; j < stride; j++)
            s->data[(size_t)r * stride + j] = random_float();
    }
}

static void sample_free(struct sample *s)
{
    for (int64_t r = 0; r < s->rows; r++)
        free(s->words[r]);
    free(s->words);
    free(s->data);
}

static int same_as_sample(const struct vectors *v, const struct sample *s, size_t stride)
{
    if (v->rows != s->rows || v->dim != s->dim)
        return 0;
    for (int64_t r = 0; r < s->rows; r++) {
        if (strcmp(v->words[r], s->words[r]) != 0)
            return 0;
        if (memcmp(v->data + (size_t)r * (size_t)v->dim, s->data + (size_t)r * stride,
                   (size_t)s->dim * sizeof(float)) != 0)
            return 0;
        if (vectors_find(v, s->words[r]) != r)
            return 0;
    }
    return 1;
}

static void test_binary_round_trip(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "rt.bin");
    int32_t dims[] = {1, 3, 17, 100};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        struct sample s;
        size_t stride = (size_t)dims[d] + (d % 2) * 5; /* also a padded stride */
        sample_make(&s, 257, dims[d], stride);
        struct w2v_err err = {0};
        CHECK(vectors_write(path, VECTORS_BINARY, s.rows, s.dim, (const char *const *)s.words,
                            s.data, stride, &err) == 0);
        struct vectors v;
        int rc = vectors_read(&v, path, &err);
        CHECK(rc == 0);
        if (rc != 0)
            fprintf(stderr, "  %s\n", err.message);
        CHECK(v.format == VECTORS_BINARY);
        CHECK(same_as_sample(&v, &s, stride)); /* bit-identical */
        CHECK(((uintptr_t)v.data % 64) == 0);
        CHECK(vectors_find(&v, "not-a-word") == -1);
        vectors_release(&v);
        vectors_release(&v); /* twice is safe */
        sample_free(&s);
    }
    unlink(path);
}

static void test_text_round_trip(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "rt.txt");
    struct sample s;
    sample_make(&s, 300, 13, 13);
    struct w2v_err err = {0};
    CHECK(vectors_write(path, VECTORS_TEXT, s.rows, s.dim, (const char *const *)s.words, s.data,
                        13, &err) == 0);
    struct vectors v;
    int rc = vectors_read(&v, path, &err);
    CHECK(rc == 0);
    if (rc != 0)
        fprintf(stderr, "  %s\n", err.message);
    CHECK(v.format == VECTORS_TEXT);
    /* %.9g reads back to the same float, -0 and denormals included. */
    CHECK(same_as_sample(&v, &s, 13));
    vectors_release(&v);
    sample_free(&s);
    unlink(path);
}

/* Build a binary file by hand: newline after each vector or not (gensim),
 * trailing newline or not. */
static size_t build_binary(char *buf, const char *const *words, const float *vals, int rows,
                           int dim, int newline_after)
{
    size_t n = (size_t)sprintf(buf, "%d %d\n", rows, dim);
    for (int r = 0; r < rows; r++) {
        n += (size_t)sprintf(buf + n, "%s ", words[r]);
        for (int j = 0; j < dim; j++) {
            uint32_t u;
            memcpy(&u, &vals[r * dim + j], 4);
            for (int b = 0; b < 4; b++)
                buf[n++] = (char)(u >> (8 * b)); /* little-endian whatever the host */
        }
        if (newline_after)
            buf[n++] = '\n';
    }
    return n;
}

static void test_foreign_layouts(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "foreign");
    const char *words[] = {"the", "a", "\xe4\xb8\xad\xe6\x96\x87"};
    /* 10.0f = 0x41200000 has a byte 0x20 (a space) in it: the reader must
     * not look for words inside vectors. 0x0a0a0a0a holds newlines. */
    uint32_t nl_bits = 0x0a0a0a0a;
    float tricky;
    memcpy(&tricky, &nl_bits, 4);
    float vals[] = {1.0f, -2.5f, 10.0f, 0.25f, tricky, -0.0f, 3.0f, 4.0f, 5.0f};
    char buf[512];
    for (int nl = 0; nl < 2; nl++)
        for (int trailing = 0; trailing < 2; trailing++) {
            size_t n = build_binary(buf, words, vals, 3, 3, nl);
            if (!nl && trailing)
                buf[n++] = '\n';
            if (nl && !trailing)
                n--;
            write_bytes(path, buf, n);
            struct vectors v;
            struct w2v_err err = {0};
            int rc = vectors_read(&v, path, &err);
            CHECK(rc == 0);
            if (rc != 0) {
                fprintf(stderr, "  nl=%d trailing=%d: %s\n", nl, trailing, err.message);
                continue;
            }
            CHECK(v.format == VECTORS_BINARY && v.rows == 3 && v.dim == 3);
            CHECK(memcmp(v.data, vals, sizeof vals) == 0);
            CHECK(vectors_find(&v, "\xe4\xb8\xad\xe6\x96\x87") == 2);
            CHECK(vectors_find(&v, "a") == 1);
            vectors_release(&v);
        }

    /* The original's text output: a space before each newline; gensim's: none;
     * also CRLF and no final newline. */
    const char *texts[] = {
        "2 3\nking 0.1 0.2 0.3 \nqueen -1 2e-3 4 \n",
        "2 3\nking 0.1 0.2 0.3\nqueen -1 2e-3 4",
        "2 3\r\nking 0.1 0.2 0.3\r\nqueen -1 2e-3 4\r\n",
        "2 3\nking\t0.1 0.2   0.3\nqueen -1 2e-3 4\n\n",
        /* GloVe (no header): LF; CRLF with blank lines at the end; a BOM. */
        "king 0.1 0.2 0.3\nqueen -1 2e-3 4\n",
        "king 0.1 0.2 0.3\r\nqueen -1 2e-3 4\r\n\r\n\n",
        "\xef\xbb\xbfking 0.1 0.2 0.3\nqueen -1 2e-3 4",
        /* fastText's .vec (a space after each value) after a BOM. */
        "\xef\xbb\xbf" "2 3\nking 0.1 0.2 0.3 \nqueen -1 2e-3 4 \n",
    };
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        write_str(path, texts[t]);
        struct vectors v;
        struct w2v_err err = {0};
        int rc = vectors_read(&v, path, &err);
        CHECK(rc == 0);
        if (rc != 0) {
            fprintf(stderr, "  text %zu: %s\n", t, err.message);
            continue;
        }
        CHECK(v.format == VECTORS_TEXT && v.rows == 2 && v.dim == 3);
        CHECK(v.data[0] == 0.1f && v.data[2] == 0.3f && v.data[3] == -1.0f && v.data[4] == 2e-3f);
        CHECK(vectors_find(&v, "queen") == 1 && vectors_find(&v, "king") == 0);
        vectors_release(&v);
    }
    /* Values of three characters and a trailing space make a line exactly
     * 4*D bytes after the word, the length of a binary record: still text. */
    {
        FILE *fp = fopen(path, "w");
        fprintf(fp, "2 300\n");
        for (int r = 0; r < 2; r++) {
            fprintf(fp, "w%d ", r);
            for (int j = 0; j < 300; j++)
                fprintf(fp, "0.%d ", (j + r) % 10);
            fprintf(fp, "\n");
        }
        fclose(fp);
        struct vectors v;
        struct w2v_err err = {0};
        CHECK(vectors_read(&v, path, &err) == 0 && v.format == VECTORS_TEXT &&
              v.data[301] == 0.2f);
        vectors_release(&v);
    }
    unlink(path);
}

/* Expect a read of content to fail with status and a message that holds
 * needle (when not NULL). */
static void expect_bad(const char *label, const void *content, size_t n, int status,
                       const char *needle)
{
    char path[256];
    test_tmp_path(path, sizeof path, "bad");
    write_bytes(path, content, n);
    struct vectors v;
    struct w2v_err err = {0};
    int rc = vectors_read(&v, path, &err);
    int ok = rc == status && (!needle || strstr(err.message, needle)) &&
             strchr(err.message, '\n') == NULL && v.rows == 0 && v.data == NULL;
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s: rc %d (want %d), message '%s'\n", label, rc, status, err.message);
    vectors_release(&v);
    unlink(path);
}

#define BAD_STR(label, s, status, needle) expect_bad(label, s, strlen(s), status, needle)

static void test_bad_input(void)
{
    struct vectors v;
    struct w2v_err err = {0};
    CHECK(vectors_read(&v, "/nonexistent/dir/x.bin", &err) == W2V_EIO);
    CHECK(strstr(err.message, "No such file") != NULL);
    CHECK(vectors_read(&v, "/", &err) == W2V_EIO);
    CHECK(strstr(err.message, "directory") != NULL);

    BAD_STR("empty", "", W2V_EEMPTY, "empty");
    BAD_STR("no header", "hello world\n", W2V_EFORMAT, "not a vector file");
    BAD_STR("one number", "12\n", W2V_EFORMAT, "not a vector file");
    /* Not two whole numbers: a headerless line (word "-2", D = 1). */
    BAD_STR("negative", "-2 3\na 1 2 3\n", W2V_EFORMAT, "line 2: word 'a' has more than 1 values (as on line 1)");
    BAD_STR("zero rows", "0 3\n", W2V_EEMPTY, "no vectors");
    BAD_STR("zero dim", "2 0\na\nb\n", W2V_EFORMAT, "0 dimensions");
    BAD_STR("10^12 words", "1000000000000 300\nthe 1 2 3\n", W2V_EFORMAT, "1000000000000");
    BAD_STR("10^9 dims", "3 1000000000\nthe 1 2 3\n", W2V_EOVERFLOW, "1000000000");
    BAD_STR("huge number", "99999999999999999999999 3\n", W2V_EOVERFLOW, NULL);
    BAD_STR("wrong count (few)", "2 3\na 1 2 3\nb 1 2\n", W2V_EFORMAT, "line 3: word 'b' has 2 values");
    BAD_STR("wrong count (many)", "2 3\na 1 2 3 4\nb 1 2 3\n", W2V_EFORMAT, "line 2: word 'a' has more");
    BAD_STR("first line few", "2 4\na 1 2 3\nb 1 2 3 4\n", W2V_EFORMAT, "word 'a' has 3 values");
    BAD_STR("non-numeric", "2 3\na 1 2 3\nb 1 x2 3\n", W2V_EFORMAT, "not a number: 'x2'");
    BAD_STR("trailing junk", "2 3\na 1 2 3\nb 1 2q 3\n", W2V_EFORMAT, "'2q'");
    BAD_STR("first line non-numeric", "2 3\na 1 abc 3\nb 1 2 3\n", W2V_EFORMAT, "'abc'");
    BAD_STR("nan", "2 3\na 1 2 3\nb 1 nan 3\n", W2V_EFORMAT, "not finite");
    BAD_STR("inf", "2 3\na 1 2 3\nb -inf 2 3\n", W2V_EFORMAT, "not finite");
    BAD_STR("overflow", "2 3\na 1 2 3\nb 1e39 2 3\n", W2V_EFORMAT, "not finite");
    BAD_STR("duplicate", "3 2\na 1 2\nb 1 2\na 3 4\n", W2V_EFORMAT, "duplicate word 'a'");
    BAD_STR("missing rows", "3 2\na 1 2\nb 1 2\n", W2V_EFORMAT, "file has only 16 bytes");
    BAD_STR("missing rows (long)", "3 2\na 1.25 2.25\nb 1.25 2.25\n", W2V_EFORMAT, "truncated: 2 of 3");
    BAD_STR("extra rows", "1 2\na 1 2\nb 1 2\n", W2V_EFORMAT, "more data");
    BAD_STR("empty line", "2 2\na 1 2\n\nb 1 2\n", W2V_EFORMAT, "line 3");
    BAD_STR("empty word", "2 2\na 1 2\n 1 2\n", W2V_EFORMAT, "line 3");
    static const char nul_word[] = "2 2\na 1.5 2.5\nb\0c 1.5 2.5\n";
    expect_bad("NUL in word", nul_word, sizeof nul_word - 1, W2V_EFORMAT, "NUL");

    /* Random bytes, a few seeds: never a crash, always a clean error. */
    for (int seed = 0; seed < 20; seed++) {
        unsigned char junk[4096];
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (unsigned char)(rng_next() >> 56);
        if (seed % 2)
            memcpy(junk, "10 50\n", 6); /* a plausible header over junk */
        char path[256];
        test_tmp_path(path, sizeof path, "junk");
        write_bytes(path, junk, sizeof junk);
        int rc = vectors_read(&v, path, &err);
        CHECK(rc < 0 && strchr(err.message, '\n') == NULL);
        vectors_release(&v);
        unlink(path);
    }

    /* Binary: NaN, infinity, duplicates, control bytes. */
    const char *words[] = {"x", "y"};
    char buf[256];
    float nanv[] = {1, 2, NAN, 4};
    size_t n = build_binary(buf, words, nanv, 2, 2, 1);
    expect_bad("binary nan", buf, n, W2V_EFORMAT, "'y' (row 2) has a non-finite");
    float infv[] = {INFINITY, 2, 3, 4};
    n = build_binary(buf, words, infv, 2, 2, 0);
    expect_bad("binary inf", buf, n, W2V_EFORMAT, "'x' (row 1) has a non-finite");
    const char *dup[] = {"same", "same"};
    float ok[] = {1, 2, 3, 4};
    n = build_binary(buf, dup, ok, 2, 2, 1);
    expect_bad("binary duplicate", buf, n, W2V_EFORMAT, "duplicate word 'same'");
    const char *ctl[] = {"x", "a\tb"};
    n = build_binary(buf, ctl, ok, 2, 2, 1);
    expect_bad("binary control byte", buf, n, W2V_EFORMAT, "control byte");
}

/* Layouts other tools write (their text ones are in test_foreign_layouts):
 * binary rows with and without the '\n' mixed, a BOM, the "A B" rule. */
static void test_other_layouts(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "layouts");
    /* Binary: a BOM before the header; rows with and without '\n' mixed. */
    const char *words[] = {"x", "y", "z"};
    float vals[] = {1, 2, 3, 4, 5, 6};
    char buf[256];
    size_t n = build_binary(buf + 3, words, vals, 3, 2, 1);
    memcpy(buf, "\xef\xbb\xbf", 3);
    for (int mixed = 0; mixed < 2; mixed++) {
        size_t len = n + 3;
        if (mixed) { /* drop the '\n' after the first vector (x's) */
            size_t at = 3 + strlen("3 2\n") + 2 + 8;
            CHECK(buf[at] == '\n');
            memmove(buf + at, buf + at + 1, len - at - 1);
            len--;
        }
        write_bytes(path, buf, len);
        struct vectors v;
        struct w2v_err err = {0};
        int rc = vectors_read(&v, path, &err);
        CHECK(rc == 0 && v.format == VECTORS_BINARY && v.rows == 3 && v.dim == 2);
        if (rc == 0)
            CHECK(memcmp(v.data, vals, sizeof vals) == 0 && vectors_find(&v, "x") == 0 &&
                  vectors_find(&v, "z") == 2);
        vectors_release(&v);
        struct vectors_map m;
        rc = vectors_map_open(&m, path, &err);
        CHECK(rc == 0 && m.rows == 3 && vectors_map_find(&m, "x") == 0);
        if (rc == 0) {
            size_t wl;
            const char *w = vectors_map_word(&m, 0, &wl);
            CHECK(wl == 1 && w[0] == 'x');
        }
        vectors_map_release(&m);
    }

    /* "A B" first: a header; with B != 1 and lines of one value after it,
     * the first row of a 1-dimensional headerless file; --no-header forces. */
    struct vectors v;
    struct w2v_err err = {0};
    write_str(path, "2 3\nx 0.5\ny -0.5\n");
    CHECK(vectors_read(&v, path, &err) == 0 && v.rows == 3 && v.dim == 1 &&
          vectors_find(&v, "2") == 0 && v.data[0] == 3.0f);
    vectors_release(&v);
    write_str(path, "2 1\nx 0.5\ny -0.5\n");
    CHECK(vectors_read(&v, path, &err) == 0 && v.rows == 2 && vectors_find(&v, "2") < 0);
    vectors_release(&v);
    const struct vectors_read_opts no_header = {.no_header = 1};
    CHECK(vectors_read_with(&v, path, &no_header, &err) == 0 && v.rows == 3 &&
          vectors_find(&v, "2") == 0 && v.data[0] == 1.0f && v.data[2] == -0.5f);
    vectors_release(&v);
    const struct vectors_read_opts first_two = {.limit = 2, .no_header = 1};
    CHECK(vectors_read_with(&v, path, &first_two, &err) == 0 && v.rows == 2 &&
          vectors_find(&v, "y") < 0);
    vectors_release(&v);
    /* A one-word file either way. */
    write_str(path, "solo 1 2 3 4");
    CHECK(vectors_read(&v, path, &err) == 0 && v.rows == 1 && v.dim == 4);
    vectors_release(&v);

    /* Headerless errors name the line and D's origin. */
    BAD_STR("glove few", "a 1 2 3\nb 1 2\n", W2V_EFORMAT, "line 2: word 'b' has 2 values, expected 3 (as on line 1)");
    BAD_STR("glove many", "a 1 2\nb 1 2 3\n", W2V_EFORMAT, "line 2: word 'b' has more than 2 values");
    BAD_STR("glove blank", "a 1 2\n\nb 1 2\n", W2V_EFORMAT, "line 2: empty line");
    BAD_STR("glove word only", "a\n", W2V_EFORMAT, "not a vector file");
    BAD_STR("header only", "3 4", W2V_EEMPTY, "only a header");
    BAD_STR("BOM only", "\xef\xbb\xbf", W2V_EFORMAT, "not a vector file");
    /* Many short lines after a wide first one: refused, not allocated. */
    {
        char *big = malloc(2100000);
        size_t k = (size_t)sprintf(big, "w");
        for (int j = 0; j < 1000; j++)
            k += (size_t)sprintf(big + k, " 0.5");
        big[k++] = '\n';
        while (k < 2090000) {
            big[k++] = 'x';
            big[k++] = '\n';
        }
        expect_bad("short lines", big, k, W2V_EFORMAT, "line 2: word 'x' has 0 values");
        free(big);
    }
    unlink(path);
}

/* Every proper prefix of a binary file is an error (except the one that
 * only drops the final newline), and never a crash. */
static void test_truncation(void)
{
    const char *words[] = {"alpha", "beta", "gamma"};
    float vals[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    char buf[256];
    size_t n = build_binary(buf, words, vals, 3, 4, 1);
    int all_fail = 1;
    for (size_t cut = 0; cut + 1 < n; cut++) {
        char path[256];
        test_tmp_path(path, sizeof path, "trunc");
        write_bytes(path, buf, cut);
        struct vectors v;
        struct w2v_err err = {0};
        int rc = vectors_read(&v, path, &err);
        if (rc == 0 || strchr(err.message, '\n')) {
            all_fail = 0;
            fprintf(stderr, "  prefix of %zu bytes read without error\n", cut);
        }
        vectors_release(&v);
        unlink(path);
    }
    CHECK(all_fail);
    expect_bad("truncated in vector", buf, n - 6, W2V_EFORMAT, "truncated in the vector of 'gamma'");
    /* A text file cut mid-line has a wrong value count on its last line. */
    BAD_STR("text cut", "2 3\na 1.5 2.5 3.5\nb 1.5 2.5", W2V_EFORMAT, "line 3: word 'b' has 2 values");
}

static void test_write_failures(void)
{
    float vals[] = {1, 2, 3, 4};
    const char *words[] = {"a", "b"};
    const char *spaced[] = {"a", "b c"};
    struct w2v_err err = {0};
    char path[256];
    test_tmp_path(path, sizeof path, "wf.bin");
    CHECK(vectors_write(path, VECTORS_BINARY, 2, 2, spaced, vals, 2, &err) == W2V_EINVAL);
    CHECK(vectors_write(path, VECTORS_BINARY, 0, 2, words, vals, 2, &err) == W2V_EINVAL);
    CHECK(vectors_write(path, VECTORS_BINARY, 2, 2, words, vals, 1, &err) == W2V_EINVAL);
    float bad[] = {1, NAN, 3, 4};
    CHECK(vectors_write(path, VECTORS_TEXT, 2, 2, words, bad, 2, &err) == W2V_EINVAL);
    CHECK(access(path, F_OK) != 0); /* nothing was created */

    CHECK(vectors_write("/nonexistent/dir/v.bin", VECTORS_BINARY, 2, 2, words, vals, 2, &err) ==
          W2V_EIO);
    CHECK(strstr(err.message, "No such file") != NULL);

    /* The target is a non-empty directory: rename fails, the temporary is
     * removed and the directory is untouched. */
    char dir[256], inner[300];
    test_tmp_path(dir, sizeof dir, "wfdir");
    mkdir(dir, 0700);
    snprintf(inner, sizeof inner, "%s/keep", dir);
    write_str(inner, "precious");
    CHECK(vectors_write(dir, VECTORS_BINARY, 2, 2, words, vals, 2, &err) == W2V_EIO);
    size_t len = 0;
    char *kept = (char *)test_slurp(inner, &len);
    CHECK(kept && len == 8 && memcmp(kept, "precious", 8) == 0);
    free(kept);
    /* No temporary left beside it. */
    char parent[256];
    test_tmp_path(parent, sizeof parent, "");
    char *slash = strrchr(parent, '/');
    *slash = '\0';
    DIR *d = opendir(parent);
    int leftovers = 0;
    struct dirent *e;
    char prefix[128];
    snprintf(prefix, sizeof prefix, "w2v-test-%ld-wfdir.tmp", (long)getpid());
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            leftovers++;
    if (d)
        closedir(d);
    CHECK(leftovers == 0);
    unlink(inner);
    rmdir(dir);

    /* Overwriting an existing file replaces it whole. */
    write_str(path, "old content that is longer than the new file will be, surely........");
    CHECK(vectors_write(path, VECTORS_TEXT, 2, 2, words, vals, 2, &err) == 0);
    char *now = (char *)test_slurp(path, &len);
    CHECK(now && len == strlen("2 2\na 1 2\nb 3 4\n") && memcmp(now, "2 2\na 1 2\nb 3 4\n", len) == 0);
    free(now);
    unlink(path);
}

static void test_index_many(void)
{
    struct vectors v;
    vectors_init(&v);
    v.rows = 5000;
    v.dim = 1;
    v.words = w2v_calloc((size_t)v.rows, sizeof *v.words);
    for (int64_t r = 0; r < v.rows; r++) {
        char w[32];
        snprintf(w, sizeof w, "word%lld", (long long)r);
        v.words[r] = w2v_strndup(w, strlen(w));
    }
    struct w2v_err err = {0};
    CHECK(vectors_index(&v, &err) == 0);
    int all = 1;
    for (int64_t r = 0; r < v.rows; r++) {
        char w[32];
        snprintf(w, sizeof w, "word%lld", (long long)r);
        all &= vectors_find(&v, w) == r;
        snprintf(w, sizeof w, "other%lld", (long long)r);
        all &= vectors_find(&v, w) == -1;
    }
    CHECK(all);
    w2v_free(v.words[4999]);
    v.words[4999] = w2v_strndup("word17", 6);
    CHECK(vectors_index(&v, &err) == W2V_EFORMAT && strstr(err.message, "'word17' (rows 18 and 5000)"));
    /* No word_pool: release frees each word and the array. */
    vectors_release(&v);
    CHECK(v.words == NULL && v.slots == NULL && v.rows == 0);
}

/* Mapping gives the same words and floats as reading, finds every word,
 * declines text files, and rejects the same broken binary files. */
static void test_map(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "map.bin");
    struct sample s;
    sample_make(&s, 1000, 7, 7);
    struct w2v_err err = {0};
    CHECK(vectors_write(path, VECTORS_BINARY, s.rows, s.dim, (const char *const *)s.words,
                        s.data, 7, &err) == 0);
    struct vectors_map m;
    int rc = vectors_map_open(&m, path, &err);
    CHECK(rc == 0);
    if (rc != 0)
        fprintf(stderr, "  %s\n", err.message);
    int same = m.rows == s.rows && m.dim == s.dim;
    float row[7];
    for (int64_t r = 0; same && r < s.rows; r++) {
        size_t len;
        const char *w = vectors_map_word(&m, r, &len);
        same &= len == strlen(s.words[r]) && memcmp(w, s.words[r], len) == 0;
        same &= vectors_map_find(&m, s.words[r]) == r;
        vectors_map_row(&m, r, row);
        same &= memcmp(row, s.data + r * 7, sizeof row) == 0;
    }
    CHECK(same);
    CHECK(vectors_map_find(&m, "absent") == -1 && vectors_map_find(&m, "") == -1);
    vectors_map_release(&m);
    vectors_map_release(&m);
    CHECK(vectors_write(path, VECTORS_TEXT, s.rows, s.dim, (const char *const *)s.words, s.data,
                        7, &err) == 0);
    CHECK(vectors_map_open(&m, path, &err) == 1 && m.base == NULL);
    sample_free(&s);

    /* gensim layout (no newlines) and a trailing newline. */
    const char *words[] = {"x", "y", "z"};
    float vals[] = {1, 2, 3, 4, 5, 6};
    char buf[256];
    size_t n = build_binary(buf, words, vals, 3, 2, 0);
    write_bytes(path, buf, n);
    CHECK(vectors_map_open(&m, path, &err) == 0 && vectors_map_find(&m, "z") == 2);
    vectors_map_row(&m, 2, row);
    CHECK(row[0] == 5 && row[1] == 6);
    vectors_map_release(&m);

    /* Every proper prefix fails cleanly. */
    n = build_binary(buf, words, vals, 3, 2, 1);
    int all_fail = 1;
    for (size_t cut = 0; cut + 1 < n; cut++) {
        write_bytes(path, buf, cut);
        if (vectors_map_open(&m, path, &err) == 0 || strchr(err.message, '\n'))
            all_fail = 0;
        vectors_map_release(&m);
    }
    CHECK(all_fail);
    const char *dup[] = {"x", "y", "x"};
    n = build_binary(buf, dup, vals, 3, 2, 1);
    write_bytes(path, buf, n);
    CHECK(vectors_map_open(&m, path, &err) == W2V_EFORMAT &&
          strstr(err.message, "duplicate word 'x' (rows 1 and 3)"));
    const char *ctl[] = {"x", "y\rz", "w"};
    n = build_binary(buf, ctl, vals, 3, 2, 1);
    write_bytes(path, buf, n);
    CHECK(vectors_map_open(&m, path, &err) == W2V_EFORMAT && strstr(err.message, "control byte"));
    n = build_binary(buf, words, vals, 3, 2, 1);
    memcpy(buf + n, "junk", 4);
    write_bytes(path, buf, n + 4);
    CHECK(vectors_map_open(&m, path, &err) == W2V_EFORMAT && strstr(err.message, "more data"));
    write_str(path, "1000000000000 300\nthe 1 2 3\n");
    CHECK(vectors_map_open(&m, path, &err) == W2V_EFORMAT && m.base == NULL);
    write_str(path, "");
    CHECK(vectors_map_open(&m, path, &err) == W2V_EEMPTY);
    CHECK(vectors_map_open(&m, "/", &err) == W2V_EIO);
    unlink(path);
}

/* vectors_strtof agrees with strtof bit for bit, end pointer included. */
static void check_strtof(const char *str, int *ok)
{
    char *e1, *e2;
    float a = vectors_strtof(str, &e1), b = strtof(str, &e2);
    if (memcmp(&a, &b, sizeof a) != 0 || e1 != e2) {
        if (*ok)
            fprintf(stderr, "  '%s': %.9g (end +%d) vs strtof %.9g (end +%d)\n", str, (double)a,
                    (int)(e1 - str), (double)b, (int)(e2 - str));
        *ok = 0;
    }
}

static void test_strtof(void)
{
    static const char *fixed[] = {
        "0", "-0", "+0", "0.0", "-0.000", "1", "-1", "1.", ".5", "-.5", ".", "-", "+", "",
        "e5", "1e", "1e+", "1e-", "1e5", "1E5", "1e-5", "2.5e+3", "1e38", "3.4028235e38",
        "3.4028236e38", "1e39", "1e-38", "1.17549435e-38", "1e-45", "1.4e-45", "1e-46",
        "0.1", "0.2", "0.3", "123456789", "1234567890123456789", "12345678901234567890",
        "0.000000000000000000000000000001", "9007199254740993", "16777217", "16777219",
        "0.100000001", "nan", "-inf", "inf", "infinity", "0x1p3", "1.5x", "1..5", "1e5.5",
        "00000000000000000000000000000012", "4.7019774e-38", "1e22", "1e23", "1e-22",
        "1e-23", "8.5e-39", "33554431", "33554433", "0.333333343267",
    };
    int ok = 1;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_strtof(fixed[i], &ok);
    char buf[64];
    for (int i = 0; i < 300000 && ok; i++) {
        uint64_t r = rng_next();
        switch (i % 5) {
        case 0: { /* every float, printed as the writer prints it */
            uint32_t u = (uint32_t)r;
            float f;
            memcpy(&f, &u, 4);
            if (!isfinite(f))
                continue;
            snprintf(buf, sizeof buf, "%.9g", (double)f);
            break;
        }
        case 1: /* the original's %lf */
            snprintf(buf, sizeof buf, "%f", (double)((int64_t)(r % 2000001) - 1000000) / 1e6);
            break;
        case 2: /* a random digit string with a decimal point and exponent */
        {
            int n = 1 + (int)(r % 25), k = 0;
            uint64_t d = rng_next();
            if (r & 1 << 10)
                buf[k++] = '-';
            for (int j = 0; j < n; j++) {
                if (j == (int)((r >> 12) % (uint64_t)n) && (r & 1 << 11))
                    buf[k++] = '.';
                buf[k++] = (char)('0' + (d % 10));
                d = d / 10 ? d / 10 : rng_next();
            }
            if (r & 1 << 20)
                k += snprintf(buf + k, sizeof buf - (size_t)k, "e%d", (int)((r >> 24) % 100) - 50);
            buf[k] = '\0';
            break;
        }
        case 3: /* near float midpoints: 10 significant digits */
            snprintf(buf, sizeof buf, "%.10g", (double)(float)((double)(r >> 11) / 9007199254740992.0 * 1000));
            break;
        default: /* short decimals with trailing junk the parser must stop at */
            snprintf(buf, sizeof buf, "%.3f%c", (double)(int64_t)(r % 100000) / 7.0,
                     "x, \t.e"[(r >> 40) % 6]);
            break;
        }
        check_strtof(buf, &ok);
    }
    CHECK(ok);
}

/* limit: the first rows only, in both formats, read and mapped; the rows
 * after them are not looked at (a broken tail is fine), the header still
 * is. */
static void test_limit(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "limit.bin");
    const char *words[] = {"a", "b", "c", "d"};
    const float vals[] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct w2v_err err = {0};
    for (int f = 0; f < 2; f++) {
        CHECK(vectors_write(path, f ? VECTORS_TEXT : VECTORS_BINARY, 4, 2, words, vals, 2,
                            &err) == 0);
        /* Spoil the last row: "d" becomes a second "a" (a duplicate). */
        FILE *fp = fopen(path, "r+b");
        CHECK(fp != NULL);
        if (!fp)
            continue;
        char buf[256];
        size_t n = fread(buf, 1, sizeof buf, fp);
        char *d = memchr(buf + 4, 'd', n - 4);
        CHECK(d != NULL);
        if (d) {
            CHECK(fseek(fp, (long)(d - buf), SEEK_SET) == 0 && fputc('a', fp) == 'a');
        }
        fclose(fp);
        struct vectors v;
        CHECK(vectors_read(&v, path, &err) == W2V_EFORMAT);
        CHECK(vectors_read_limit(&v, path, 3, &err) == 0 && v.rows == 3);
        CHECK(vectors_find(&v, "c") == 2 && v.data[5] == 6);
        vectors_release(&v);
        CHECK(vectors_read_limit(&v, path, 4, &err) == W2V_EFORMAT);
        CHECK(vectors_read_limit(&v, path, 0, &err) == W2V_EFORMAT); /* 0: all */
        struct vectors_map m;
        int rc = vectors_map_open_limit(&m, path, 2, &err);
        CHECK(rc == (f ? 1 : 0)); /* text is read, not mapped */
        if (rc == 0) {
            CHECK(m.rows == 2 && vectors_map_find(&m, "b") == 1);
            CHECK(vectors_map_find(&m, "c") == -1);
            vectors_map_release(&m);
            CHECK(vectors_map_open(&m, path, &err) == W2V_EFORMAT);
        }
        struct query_model qm;
        CHECK(query_model_open_limit(&qm, path, 1, 1, &err) == 0 && qm.rows == 1);
        CHECK(query_model_find(&qm, "a") == 0 && query_model_find(&qm, "b") == -1);
        query_model_release(&qm);
    }
    unlink(path);
}

int main(void)
{
    TEST_RUN(test_binary_round_trip);
    TEST_RUN(test_text_round_trip);
    TEST_RUN(test_foreign_layouts);
    TEST_RUN(test_bad_input);
    TEST_RUN(test_other_layouts);
    TEST_RUN(test_truncation);
    TEST_RUN(test_write_failures);
    TEST_RUN(test_index_many);
    TEST_RUN(test_map);
    TEST_RUN(test_strtof);
    TEST_RUN(test_limit);
    return TEST_REPORT("test_vectors");
}
