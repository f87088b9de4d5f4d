/* test_fuzz_findings.c — unit tests for bugs the fuzz harnesses in
 * tests/fuzz/ found, one function per finding (the inputs that found them
 * are kept in tests/fuzz/regressions/). */
#include "test.h"
#include "w2v/eval.h"

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

int main(void)
{
    TEST_RUN(test_pearson_scale);
    return TEST_REPORT("test_fuzz_findings");
}
