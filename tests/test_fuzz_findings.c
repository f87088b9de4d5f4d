/* test_fuzz_findings.c — unit tests for bugs the fuzz harnesses in
 * tests/fuzz/ found, one function per finding (the inputs that found them
 * are kept in tests/fuzz/regressions/). */
#include "test.h"
#include "w2v/eval.h"
#include "w2v/vectors.h"

/* fuzz_eval_pairs: eval_pearson squared the scores as given, so scores of
 * 1e200 overflowed (r came out 0) and scores of 1e-200 vanished (NaN); and
 * a constant input whose mean rounds (0.1 three times) looked variable and
 * got a number instead of NaN. r does not depend on the scale. */
static void test_pearson_scale(void)
{
    const double y[] = {0.3, 0.5, 0.7, 0.2};
    const double x[] = {1, 2, 3, -1};
    const double r = eval_pearson(x, y, 4);
    CHECK(!isnan(r));
    double big[4], tiny[4], huge_y[4];
    for (int i = 0; i < 4; i++) {
        big[i] = x[i] * 1e200;
        tiny[i] = x[i] * 1e-200;
        huge_y[i] = y[i] * 1e300;
    }
    CHECK_NEAR(eval_pearson(big, y, 4), r, 1e-12);
    CHECK_NEAR(eval_pearson(tiny, y, 4), r, 1e-12);
    CHECK_NEAR(eval_pearson(x, huge_y, 4), r, 1e-12);
    CHECK_NEAR(eval_pearson(big, huge_y, 4), r, 1e-12);
    /* Spearman ranks first: it was never affected, and must agree. */
    CHECK_NEAR(eval_spearman(big, y, 4), eval_spearman(x, y, 4), 1e-12);
    /* Scores at the ends of the double range. */
    const double ends[] = {1.7e308, -1.7e308, 4.9e-324, 0};
    CHECK(!isnan(eval_pearson(ends, y, 4)));
    CHECK(fabs(eval_pearson(ends, y, 4)) <= 1.0);

    const double c[] = {0.1, 0.1, 0.1}, z[] = {1, 2, 4};
    CHECK(isnan(eval_pearson(c, z, 3)));
    CHECK(isnan(eval_pearson(z, c, 3)));
    const double zeros[] = {0, 0, 0};
    CHECK(isnan(eval_pearson(zeros, z, 3)));
}

/* fuzz_vectors_read: a binary file whose first float holds a 0x0a byte
 * (0.01f is 0a d7 23 3c little-endian) was taken for a text file, its
 * "first line" being "word " plus the bytes before that '\n': about one
 * model in 256 (the row of </s> is first) could not be read back, nor
 * mapped. */
static void test_binary_newline_in_first_float(void)
{
    const char *words[] = {"</s>", "the", "of"};
    float vals[3 * 8];
    for (int i = 0; i < 3 * 8; i++)
        vals[i] = 0.01f * (float)(i + 1) - 0.07f;
    vals[0] = 0.01f;
    unsigned char bytes[4];
    memcpy(bytes, &vals[0], 4);
    CHECK(bytes[0] == '\n'); /* little-endian hosts: the case at hand */
    char path[256];
    test_tmp_path(path, sizeof path, "nl.bin");
    struct w2v_err err = {0};
    for (int dim = 1; dim <= 8; dim *= 2) {
        /* dim 1: the window past the '\n' is 3 bytes, d7 23 3c: d7 is no
         * text byte. */
        CHECK(vectors_write(path, VECTORS_BINARY, 3, dim, words, vals, 8, &err) == 0);
        struct vectors v;
        int rc = vectors_read(&v, path, &err);
        CHECK(rc == 0);
        if (rc != 0)
            fprintf(stderr, "  dim %d: %s\n", dim, err.message);
        CHECK(rc != 0 || (v.format == VECTORS_BINARY && v.rows == 3 && v.data[0] == 0.01f));
        vectors_release(&v);
        struct vectors_map m;
        CHECK(vectors_map_open(&m, path, &err) == 0);
        vectors_map_release(&m);
    }
    unlink(path);
}

int main(void)
{
    TEST_RUN(test_pearson_scale);
    TEST_RUN(test_binary_newline_in_first_float);
    return TEST_REPORT("test_fuzz_findings");
}
