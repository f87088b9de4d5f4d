/* test_simd.c — the dispatched kernels against plain double-precision
 * references. */
#include <stdint.h>

#include "test.h"
#include "w2v/simd.h"

static uint64_t rng_state = 88172645463325252ULL;
static float rnd(void) /* uniform in [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static void test_dot_axpy(void)
{
    for (size_t n = 0; n < 70; n++) {
        float a[70], b[70], y[70];
        double want = 0;
        for (size_t i = 0; i < n; i++) {
            a[i] = rnd();
            b[i] = rnd();
            y[i] = rnd();
            want += (double)a[i] * b[i];
        }
        CHECK_NEAR(simd_dot(a, b, n), want, 1e-5);
        float y0[70];
        memcpy(y0, y, sizeof y);
        simd_axpy(0.25f, a, y, n);
        int ok = 1;
        for (size_t i = 0; i < n; i++)
            ok &= fabs(y[i] - (y0[i] + 0.25 * a[i])) < 1e-6;
        CHECK(ok);
    }
}

static void test_sigmoid_error_bound(void)
{
    enum { N = 200001 };
    static float x[N];
    for (int i = 0; i < N; i++)
        x[i] = -40.0f + 80.0f * (float)i / (N - 1);
    static float y[N];
    memcpy(y, x, sizeof x);
    simd_sigmoid(y, N);
    double worst = 0;
    int in_range = 1;
    for (int i = 0; i < N; i++) {
        double want = 1.0 / (1.0 + exp(-(double)x[i]));
        double e = fabs(y[i] - want);
        if (e > worst)
            worst = e;
        in_range &= y[i] >= 0.0f && y[i] <= 1.0f;
    }
    CHECK(worst < 1e-6);
    CHECK(in_range);
    float edge[3] = {NAN, 1e30f, -1e30f};
    simd_sigmoid(edge + 1, 2);
    CHECK(edge[1] > 0.999f && edge[2] < 0.001f);
}

/* The block step, computed the slow way in double precision. */
static void reference_block(double *in, int B, double *out, const int *out_id, const float *label,
                            int M, int n, double alpha, double *grad)
{
    double g[16][16];
    for (int b = 0; b < B; b++)
        for (int m = 0; m < M; m++) {
            double s = 0;
            for (int i = 0; i < n; i++)
                s += in[b * n + i] * out[out_id[m] * n + i];
            g[b][m] = alpha * (label[m] - 1.0 / (1.0 + exp(-s)));
        }
    for (int b = 0; b < B; b++)
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int m = 0; m < M; m++)
                sum += g[b][m] * out[out_id[m] * n + i];
            grad[b * n + i] = sum;
        }
    for (int m = 0; m < M; m++)
        for (int b = 0; b < B; b++)
            for (int i = 0; i < n; i++)
                out[out_id[m] * n + i] += g[b][m] * in[b * n + i];
}

static void test_block_step_matches_reference(void)
{
    enum { B = 7, M = 6, N = 48, ROWS = 5 };
    static float in_rows[B][N], out_rows[ROWS][N], grad[B * N], scratch[B * M];
    static double in_d[B * N], out_d[ROWS * N], grad_d[B * N];
    int out_id[M] = {0, 1, 2, 3, 1, 4}; /* row 1 repeats, as a drawn negative may */
    float label[M] = {1, 0, 0, 0, 0, 0};
    for (int b = 0; b < B; b++)
        for (int i = 0; i < N; i++)
            in_d[b * N + i] = in_rows[b][i] = rnd();
    for (int r = 0; r < ROWS; r++)
        for (int i = 0; i < N; i++)
            out_d[r * N + i] = out_rows[r][i] = rnd();
    const float *in[B];
    float *out[M];
    for (int b = 0; b < B; b++)
        in[b] = in_rows[b];
    for (int m = 0; m < M; m++)
        out[m] = out_rows[out_id[m]];
    simd_block_step(in, B, out, label, M, N, 0.05f, grad, scratch);
    reference_block(in_d, B, out_d, out_id, label, M, N, 0.05, grad_d);
    double worst_grad = 0, worst_out = 0;
    for (int i = 0; i < B * N; i++)
        worst_grad = fmax(worst_grad, fabs(grad[i] - grad_d[i]));
    for (int r = 0; r < ROWS; r++)
        for (int i = 0; i < N; i++)
            worst_out = fmax(worst_out, fabs(out_rows[r][i] - out_d[r * N + i]));
    CHECK(worst_grad < 1e-5);
    CHECK(worst_out < 1e-5);
}

static void test_padding_and_isa(void)
{
    CHECK(simd_padded(100) == 112);
    CHECK(simd_padded(16) == 16);
    CHECK(simd_padded(1) == 16);
    const char *isa = simd_isa();
    CHECK(strcmp(isa, "avx512") == 0 || strcmp(isa, "avx2") == 0 || strcmp(isa, "generic") == 0);
}

int main(void)
{
    TEST_RUN(test_dot_axpy);
    TEST_RUN(test_sigmoid_error_bound);
    TEST_RUN(test_block_step_matches_reference);
    TEST_RUN(test_padding_and_isa);
    return TEST_REPORT("test_simd");
}
