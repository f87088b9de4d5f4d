/* test_model.c — matrix allocation, alignment, initialisation. */
#include <stdint.h>

#include "test.h"
#include "w2v/model.h"

static void test_init_ranges(void)
{
    struct model m;
    struct w2v_err err;
    const int32_t V = 300, D = 50;
    CHECK(model_init(&m, V, D, 1, 1, 7, &err) == 0);
    CHECK(m.rows == V && m.dim == D);
    CHECK(m.stride >= (size_t)D && m.stride % W2V_MODEL_ROW_ALIGN == 0 && m.stride < (size_t)D + 16);
    CHECK(((uintptr_t)m.syn0 & 63) == 0);
    CHECK(((uintptr_t)m.syn1 & 63) == 0);
    CHECK(((uintptr_t)m.syn1neg & 63) == 0);
    int in_range = 1, pad_zero = 1, out_zero = 1;
    double sum = 0.0, sum_sq = 0.0;
    for (int32_t r = 0; r < V; r++) {
        const float *row = model_row(m.syn0, m.stride, r);
        for (int32_t d = 0; d < D; d++) {
            in_range &= row[d] >= -0.5f / D && row[d] < 0.5f / D;
            sum += row[d];
            sum_sq += (double)row[d] * row[d];
        }
        for (size_t d = (size_t)D; d < m.stride; d++)
            pad_zero &= row[d] == 0.0f;
        for (size_t d = 0; d < m.stride; d++)
            out_zero &= model_row(m.syn1, m.stride, r)[d] == 0.0f &&
                        model_row(m.syn1neg, m.stride, r)[d] == 0.0f;
    }
    CHECK(in_range);
    CHECK(pad_zero);
    CHECK(out_zero);
    /* Uniform on [-a, a): mean 0, variance a^2 / 3. */
    double n = (double)V * D, a = 0.5 / D;
    CHECK_NEAR(sum / n, 0.0, a * 0.02);
    CHECK_NEAR(sum_sq / n, a * a / 3.0, a * a * 0.02);
    model_release(&m);
    model_release(&m);
}

static void test_seed_determinism(void)
{
    struct model a, b, c;
    struct w2v_err err;
    CHECK(model_init(&a, 100, 20, 0, 1, 5, &err) == 0);
    CHECK(model_init(&b, 100, 20, 0, 1, 5, &err) == 0);
    CHECK(model_init(&c, 100, 20, 0, 1, 6, &err) == 0);
    size_t bytes = 100 * a.stride * sizeof(float);
    CHECK(memcmp(a.syn0, b.syn0, bytes) == 0);
    CHECK(memcmp(a.syn0, c.syn0, bytes) != 0);
    CHECK(a.syn1 == NULL);
    CHECK(a.syn1neg != NULL);
    model_release(&a);
    model_release(&b);
    model_release(&c);
}

static void test_sizes(void)
{
    size_t bytes = 0;
    CHECK(model_bytes(1000, 100, 0, 1, &bytes) == 0);
    CHECK(bytes == 2 * 1000 * 112 * sizeof(float));
    CHECK(model_bytes(1000, 100, 1, 1, &bytes) == 0);
    CHECK(bytes == 3 * 1000 * 112 * sizeof(float));
    CHECK(model_bytes(INT64_MAX / 2, 100000, 1, 1, &bytes) == W2V_EOVERFLOW);
    CHECK(model_bytes(0, 10, 0, 0, &bytes) == W2V_EOVERFLOW);
    struct model m;
    struct w2v_err err;
    CHECK(model_init(&m, 0, 10, 0, 1, 1, &err) == W2V_EINVAL);
    CHECK(m.syn0 == NULL);
    CHECK(model_init(&m, 10, 0, 0, 1, 1, &err) == W2V_EINVAL);
}

int main(void)
{
    TEST_RUN(test_init_ranges);
    TEST_RUN(test_seed_determinism);
    TEST_RUN(test_sizes);
    return TEST_REPORT("test_model");
}
