/* test_subword_model.c — the subword model file: round trip, composed
 * vectors for unseen words, and hostile files (every truncation, wrong
 * version, counts that lie, bad ids, duplicate words). */
#include <stdint.h>

#include "test.h"
#include "w2v/ngram.h"
#include "w2v/subword_model.h"

#define DIM 5
#define BUCKET 50

static char path_buf[256], bad_buf[256];

/* A small model: 3 words; the n-gram rows stored are the buckets that
 * "walk" reaches (minn 3, maxn 4), row j filled with j + 1. */
static const char *const words[] = {"</s>", "walk", "\xc3\xa9t\xc3\xa9"};
static float word_rows[3 * DIM];
static uint32_t gram_ids[BUCKET];
static float gram_rows[BUCKET * DIM];

static struct subword_model_data make_model(void)
{
    for (int i = 0; i < 3 * DIM; i++)
        word_rows[i] = (float)i * 0.25f - 1.0f;
    uint32_t b[32];
    size_t n = ngram_buckets("walk", 4, 3, 4, BUCKET, b, 32);
    int present[BUCKET] = {0};
    for (size_t i = 0; i < n; i++)
        present[b[i]] = 1;
    int64_t g = 0;
    for (uint32_t k = 0; k < BUCKET; k++)
        if (present[k]) {
            gram_ids[g] = k;
            for (int j = 0; j < DIM; j++)
                gram_rows[g * DIM + j] = (float)(g + 1);
            g++;
        }
    struct subword_model_data d = {DIM, 3, 4, BUCKET, 3, words, word_rows, DIM,
                                   g, gram_ids, gram_rows, DIM};
    return d;
}

static void test_round_trip(void)
{
    struct subword_model_data d = make_model();
    struct w2v_err err = {0};
    CHECK(subword_model_write(path_buf, &d, &err) == 0);
    struct subword_model m;
    CHECK(subword_model_open(&m, path_buf, &err) == 0);
    CHECK(m.dim == DIM && m.minn == 3 && m.maxn == 4 && m.bucket == BUCKET);
    CHECK(m.n_words == 3 && m.n_grams == d.n_grams && d.n_grams > 3);
    for (int64_t i = 0; i < 3; i++) {
        CHECK(subword_model_find(&m, words[i]) == i);
        float x[DIM];
        subword_model_word_row(&m, i, x);
        CHECK(memcmp(x, word_rows + i * DIM, sizeof x) == 0);
    }
    CHECK(subword_model_find(&m, "walks") == -1);
    for (int64_t g = 0; g < d.n_grams; g++)
        CHECK(subword_model_find_gram(&m, gram_ids[g]) == g);
    CHECK(subword_model_find_gram(&m, BUCKET) == -1);

    /* A known word: its row. */
    float v[DIM];
    size_t used = 99, total = 99;
    CHECK(subword_model_vector(&m, "walk", v, &used, &total, &err) == 0);
    CHECK(used == 0 && memcmp(v, word_rows + DIM, sizeof v) == 0);
    /* An unseen word: the mean of its stored n-grams' rows. "walked"
     * shares <wa, <wal, wal, walk with "walk"; the others are absent
     * unless they collide. */
    uint32_t b[64];
    size_t n = ngram_buckets("walked", 6, 3, 4, BUCKET, b, 64);
    double want = 0;
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t g = subword_model_find_gram(&m, b[i]);
        if (g >= 0) {
            want += (double)(g + 1);
            hits++;
        }
    }
    CHECK(hits >= 4);
    CHECK(subword_model_vector(&m, "walked", v, &used, &total, &err) == 0);
    CHECK(used == hits && total == n);
    for (int j = 0; j < DIM; j++)
        CHECK_NEAR(v[j], want / (double)hits, 1e-5);
    /* Nothing shared: the unknown-word error (with only 50 buckets an
     * n-gram may collide, so count the hits first). */
    n = ngram_buckets("zyxq", 4, 3, 4, BUCKET, b, 64);
    hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += subword_model_find_gram(&m, b[i]) >= 0;
    int rc = subword_model_vector(&m, "zyxq", v, &used, &total, &err);
    if (hits == 0) {
        CHECK(rc == W2V_ENOTFOUND && used == 0 && err.status == W2V_ENOTFOUND);
        CHECK(strstr(err.message, "zyxq") != NULL);
    } else {
        CHECK(rc == 0 && used == hits);
    }
    subword_model_release(&m);
    subword_model_release(&m);
}

/* --limit's pieces: the first limit rows as vectors, and a model word's
 * n-gram vector (what a word past the limit gets). */
static void test_limit(void)
{
    struct subword_model_data d = make_model();
    struct w2v_err err = {0};
    CHECK(subword_model_write(path_buf, &d, &err) == 0);
    struct subword_model m;
    CHECK(subword_model_open(&m, path_buf, &err) == 0);
    struct vectors v;
    for (int64_t limit = 0; limit <= 4; limit++) {
        const int64_t want = limit == 0 || limit > 3 ? 3 : limit;
        CHECK(subword_model_to_vectors(&m, limit, &v, &err) == 0);
        CHECK(v.rows == want && v.dim == DIM);
        for (int64_t r = 0; r < want; r++) {
            CHECK(strcmp(v.words[r], words[r]) == 0 && vectors_find(&v, words[r]) == r);
            CHECK(memcmp(v.data + r * DIM, word_rows + r * DIM, DIM * sizeof(float)) == 0);
        }
        CHECK(want == 3 || vectors_find(&v, words[2]) == -1);
        vectors_release(&v);
    }
    /* "walk" is a model word: subword_model_vector gives its row, the
     * n-gram vector the mean of its n-gram rows, every one stored: 1..g. */
    float x[DIM];
    size_t used = 0, total = 0;
    CHECK(subword_model_gram_vector(&m, "walk", x, &used, &total, &err) == 0);
    CHECK(used == total && total > 0);
    double want = 0;
    uint32_t b[32];
    size_t n = ngram_buckets("walk", 4, 3, 4, BUCKET, b, 32);
    for (size_t i = 0; i < n; i++)
        want += (double)(subword_model_find_gram(&m, b[i]) + 1);
    for (int j = 0; j < DIM; j++)
        CHECK_NEAR(x[j], want / (double)n, 1e-5);
    CHECK(memcmp(x, word_rows + DIM, sizeof x) != 0);
    subword_model_release(&m);
}

/* open fails with want and a one-line message, and leaves m zeroed. */
static void expect_bad(const unsigned char *bytes, size_t n, int want)
{
    test_write_file(bad_buf, bytes, n);
    struct subword_model m;
    struct w2v_err err = {0};
    int rc = subword_model_open(&m, bad_buf, &err);
    CHECK(rc == want);
    if (rc != want)
        fprintf(stderr, "  got %d (%s), size %zu\n", rc, err.message, n);
    if (rc < 0)
        CHECK(err.message[0] != '\0' && !strchr(err.message, '\n'));
    CHECK(m.base == NULL && m.words.words == NULL);
    if (rc == 0)
        subword_model_release(&m);
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void test_hostile(void)
{
    struct subword_model_data d = make_model();
    struct w2v_err err = {0};
    CHECK(subword_model_write(path_buf, &d, &err) == 0);
    size_t n = 0;
    unsigned char *good = test_slurp(path_buf, &n);
    unsigned char *b = malloc(n + 64);
    CHECK(good && b && n % 4 == 0);

    /* Every truncation: the magic cut short is "not a model" (1), the rest
     * are format errors. */
    for (size_t cut = 1; cut < n; cut++)
        expect_bad(good, cut, cut < 8 ? 1 : W2V_EFORMAT);
    expect_bad(good, 0, W2V_EEMPTY);
    /* Trailing data. */
    memcpy(b, good, n);
    memset(b + n, 0, 4);
    expect_bad(b, n + 4, W2V_EFORMAT);
    /* Wrong version, and the message says which. */
    memcpy(b, good, n);
    put32(b + 8, 2);
    expect_bad(b, n, W2V_EFORMAT);
    /* The bucket count lies: more rows than the file holds, more rows than
     * buckets, fewer buckets than ids. */
    memcpy(b, good, n);
    put32(b + 40, (uint32_t)d.n_grams + 1);
    expect_bad(b, n, W2V_EFORMAT);
    memcpy(b, good, n);
    put32(b + 40, 0xffffffffu);
    put32(b + 44, 0xffffffffu);
    expect_bad(b, n, W2V_EFORMAT);
    memcpy(b, good, n);
    put32(b + 24, 3); /* bucket 3 < G */
    expect_bad(b, n, W2V_EFORMAT);
    memcpy(b, good, n);
    put32(b + 24, gram_ids[d.n_grams - 1]); /* the last id is out of range */
    expect_bad(b, n, W2V_EFORMAT);
    /* Huge word and dimension counts overflow nothing. */
    memcpy(b, good, n);
    put32(b + 32, 0xffffffffu);
    put32(b + 36, 0x3fffffffu);
    expect_bad(b, n, W2V_EFORMAT);
    memcpy(b, good, n);
    put32(b + 12, 0);
    expect_bad(b, n, W2V_EFORMAT);
    memcpy(b, good, n);
    put32(b + 12, 200000);
    expect_bad(b, n, W2V_EFORMAT);
    memcpy(b, good, n);
    put32(b + 16, 9); /* minn > maxn */
    expect_bad(b, n, W2V_EFORMAT);
    /* Ids out of order. */
    memcpy(b, good, n);
    size_t ids_at = 64 + 64; /* 16 bytes of words, padded to 64 */
    uint32_t t = gram_ids[0];
    put32(b + ids_at, gram_ids[1]);
    put32(b + ids_at + 4, t);
    expect_bad(b, n, W2V_EFORMAT);
    /* A duplicate word: "</s>" overwritten with "walk". */
    memcpy(b, good, n);
    memcpy(b + 64, "walk", 4);
    expect_bad(b, n, W2V_EFORMAT);
    /* A space inside a word, an empty word. */
    memcpy(b, good, n);
    b[64 + 5] = ' ';
    expect_bad(b, n, W2V_EFORMAT);
    memcpy(b, good, n);
    b[64] = '\0';
    expect_bad(b, n, W2V_EFORMAT);
    /* Reserved fields. */
    memcpy(b, good, n);
    b[28] = 1;
    expect_bad(b, n, W2V_EFORMAT);
    /* A word2vec file is not a subword model. */
    expect_bad((const unsigned char *)"2 2\na 1 0\nb 0 1\n", 16, 1);
    free(good);
    free(b);
}

static void test_write_rejects(void)
{
    struct subword_model_data d = make_model();
    struct w2v_err err = {0};
    remove(bad_buf);
    struct subword_model_data x = d;
    x.minn = 5;
    CHECK(subword_model_write(bad_buf, &x, &err) == W2V_EINVAL);
    x = d;
    const char *spaced[] = {"a b", "c", "d"};
    x.words = spaced;
    CHECK(subword_model_write(bad_buf, &x, &err) == W2V_EINVAL);
    x = d;
    uint32_t ids[2] = {4, 4};
    x.n_grams = 2;
    x.gram_ids = ids;
    CHECK(subword_model_write(bad_buf, &x, &err) == W2V_EINVAL);
    x = d;
    float rows[3 * DIM] = {0};
    rows[7] = NAN;
    x.word_rows = rows;
    CHECK(subword_model_write(bad_buf, &x, &err) == W2V_EINVAL);
    CHECK(access(bad_buf, F_OK) != 0); /* nothing written */
    /* No n-gram rows at all is a valid model (every unseen word fails). */
    x = d;
    x.n_grams = 0;
    CHECK(subword_model_write(bad_buf, &x, &err) == 0);
    struct subword_model m;
    CHECK(subword_model_open(&m, bad_buf, &err) == 0);
    float v[DIM];
    CHECK(subword_model_vector(&m, "walked", v, NULL, NULL, &err) == W2V_ENOTFOUND);
    subword_model_release(&m);
}

int main(void)
{
    test_tmp_path(path_buf, sizeof path_buf, "subword.model");
    test_tmp_path(bad_buf, sizeof bad_buf, "subword-bad.model");
    TEST_RUN(test_round_trip);
    TEST_RUN(test_limit);
    TEST_RUN(test_hostile);
    TEST_RUN(test_write_rejects);
    remove(path_buf);
    remove(bad_buf);
    return TEST_REPORT("test_subword_model");
}
