/* test_links.c — the AUC statistic (links.h): known values, ties counted
 * one half, and refusal of an empty side. */
#include "test.h"
#include "w2v/links.h"

static void test_auc(void)
{
    double auc = -1;
    struct w2v_err err;
    float pos[] = {0.9f, 0.8f, 0.7f}, neg[] = {0.1f, 0.2f, 0.3f};
    CHECK(links_auc(pos, 3, neg, 3, &auc, &err) == 0);
    CHECK_NEAR(auc, 1.0, 1e-12);
    CHECK(links_auc(neg, 3, pos, 3, &auc, &err) == 0);
    CHECK_NEAR(auc, 0.0, 1e-12);
    /* 0.5 beats 0.4, ties 0.5 (half), loses to 0.6: (1 + 0.5 + 0) / 3. */
    float p1[] = {0.5f}, n1[] = {0.4f, 0.5f, 0.6f};
    CHECK(links_auc(p1, 1, n1, 3, &auc, &err) == 0);
    CHECK_NEAR(auc, 0.5, 1e-12);
    /* All tied: one half. */
    float p2[] = {0.3f, 0.3f}, n2[] = {0.3f, 0.3f, 0.3f};
    CHECK(links_auc(p2, 2, n2, 3, &auc, &err) == 0);
    CHECK_NEAR(auc, 0.5, 1e-12);
    /* Pairs counted by hand: pos {0.2, 0.6, 0.6}, neg {0.1, 0.6, 0.7}:
     * 0.2: 1 win; 0.6: 1 win + 0.5 tie, twice: (1 + 1.5 + 1.5) / 9. */
    float p3[] = {0.6f, 0.2f, 0.6f}, n3[] = {0.7f, 0.1f, 0.6f};
    CHECK(links_auc(p3, 3, n3, 3, &auc, &err) == 0);
    CHECK_NEAR(auc, 4.0 / 9.0, 1e-12);
    CHECK(links_auc(p3, 0, n3, 3, &auc, &err) == W2V_EINVAL);
    CHECK(links_auc(p3, 3, n3, 0, &auc, &err) == W2V_EINVAL);
}

int main(void)
{
    TEST_RUN(test_auc);
    return TEST_REPORT("test_links");
}
