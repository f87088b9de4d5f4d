/* test_query_toolkit.c — the toolkit on top of the search: the mixed query
 * vector (without negatives it is nearest's, bit for bit), 3CosMul against
 * its formula computed here, the odd one out, and their argument checks. */
#include "test.h"
#include "w2v/query.h"

static const char model_text[] =
    "6 3\n"
    "king 1 1 0\n"
    "queen 1 0 1\n"
    "man 0 1 0\n"
    "woman 0 0 1\n"
    "apple 0 0.2 -1\n"
    "zero 0 0 0\n";

static int open_model(struct query_model *m, char *path, size_t cap)
{
    test_tmp_path(path, cap, "toolkit.txt");
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    fputs(model_text, fp);
    fclose(fp);
    struct w2v_err err = {0};
    return query_model_open(m, path, 0, &err);
}

static void test_mix(void)
{
    char path[256];
    struct query_model m = {0};
    CHECK(open_model(&m, path, sizeof path) == 0);
    int64_t pos[2] = {0, 3}, neg[1] = {2};
    float a[3], b[3];
    CHECK(query_vector_nearest(&m, pos, 2, a, NULL) == 0);
    CHECK(query_vector_mix(&m, pos, 2, NULL, 0, b, NULL) == 0);
    CHECK(memcmp(a, b, sizeof a) == 0);
    /* king + woman - man = (1,0,1)/sqrt2 + ... : compute in double. */
    CHECK(query_vector_mix(&m, pos, 2, neg, 1, b, NULL) == 0);
    double s = 1 / sqrt(2.0), v[3] = {s, s - 1, 1}, n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    for (int j = 0; j < 3; j++)
        CHECK_NEAR(b[j], v[j] / n, 1e-6);
    /* A word minus itself: zero, not NaN. */
    CHECK(query_vector_mix(&m, pos, 1, pos, 1, b, NULL) == 0);
    CHECK(b[0] == 0 && b[1] == 0 && b[2] == 0);
    query_model_release(&m);
    unlink(path);
}

static void test_3cosmul(void)
{
    char path[256];
    struct query_model m = {0};
    CHECK(open_model(&m, path, sizeof path) == 0);
    struct query_options opt = {5, 0, 1};
    struct query_hit hits[5];
    size_t n = 0;
    /* king - man + woman: candidates queen, apple, zero. */
    CHECK(query_analogy_3cosmul(&m, 0, 2, 3, &opt, hits, &n, NULL) == 0);
    CHECK(n == 3);
    CHECK(hits[0].row == 1); /* queen */
    double ca = 0.5, cb = 0, cc = 1 / sqrt(2.0); /* queen with king, man, woman */
    CHECK_NEAR(hits[0].score, (ca + 1) / 2 * (cc + 1) / 2 / ((cb + 1) / 2 + 0.001), 1e-5);
    /* zero: every cosine 0, so 0.25 / 0.501 */
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (hits[i].row == 5) {
            found = 1;
            CHECK_NEAR(hits[i].score, 0.25 / 0.501, 1e-6);
        }
    CHECK(found);
    opt.restrict_rows = 2; /* only king and queen are candidates */
    CHECK(query_analogy_3cosmul(&m, 0, 2, 3, &opt, hits, &n, NULL) == 0);
    CHECK(n == 1 && hits[0].row == 1);
    opt.k = 0;
    CHECK(query_analogy_3cosmul(&m, 0, 2, 3, &opt, hits, &n, NULL) == W2V_EINVAL);
    query_model_release(&m);
    unlink(path);
}

static void test_doesnt_match(void)
{
    char path[256];
    struct query_model m = {0};
    CHECK(open_model(&m, path, sizeof path) == 0);
    int64_t rows[4] = {0, 1, 2, 4}; /* king queen man apple */
    float scores[4];
    size_t odd = 99;
    CHECK(query_doesnt_match(&m, rows, 4, scores, &odd, NULL) == 0);
    CHECK(odd == 3);
    for (int i = 0; i < 4; i++)
        CHECK(scores[odd] <= scores[i]);
    /* Equal scores: the earlier word. */
    int64_t twins[2] = {2, 3}; /* man, woman: symmetric about their mean */
    CHECK(query_doesnt_match(&m, twins, 2, scores, &odd, NULL) == 0);
    CHECK(odd == 0 && scores[0] == scores[1]);
    struct w2v_err err = {0};
    CHECK(query_doesnt_match(&m, rows, 1, scores, &odd, &err) == W2V_EINVAL);
    CHECK(err.message[0] != '\0');
    query_model_release(&m);
    unlink(path);
}

int main(void)
{
    TEST_RUN(test_mix);
    TEST_RUN(test_3cosmul);
    TEST_RUN(test_doesnt_match);
    return TEST_REPORT("test_query_toolkit");
}
