/* test_kernels.c — the row kernels (src/kernels.h) against plain
 * double-precision oracles: dot, axpy, scale, zero, the context mean, both
 * block steps and their logistic function. */
#include <stdint.h>

#include "kernels.h"
#include "test.h"
#include "test_rand.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* ---- the reference kernel's loops ------------------------------------------ */

static void test_row_loops(void)
{
    enum { N = 64 };
    float a[N], b[N], y[N], y0[N], rows[3][N], *rp[3] = {rows[0], rows[1], rows[2]}, h[N];
    for (size_t n = 16; n <= N; n += 16) {
        double want = 0;
        for (size_t i = 0; i < n; i++) {
            a[i] = test_signed(&rng_state);
            b[i] = test_signed(&rng_state);
            y0[i] = y[i] = test_signed(&rng_state);
            want += (double)a[i] * b[i];
            for (int c = 0; c < 3; c++)
                rows[c][i] = test_signed(&rng_state);
        }
        CHECK_NEAR(kernels_dot(a, b, n), want, 1e-5);
        kernels_axpy(0.25f, a, y, n);
        int ok = 1;
        for (size_t i = 0; i < n; i++)
            ok &= fabs(y[i] - (y0[i] + 0.25 * a[i])) < 1e-6;
        CHECK(ok);
        kernels_scale(y, -2.0f, n);
        ok = 1;
        for (size_t i = 0; i < n; i++)
            ok &= fabs(y[i] + 2.0 * (y0[i] + 0.25 * a[i])) < 1e-5;
        CHECK(ok);
        kernels_mean(h, rp, 3, n, 1.0f / 3.0f);
        ok = 1;
        for (size_t i = 0; i < n; i++)
            ok &= fabs(h[i] - ((double)rows[0][i] + rows[1][i] + rows[2][i]) / 3.0) < 1e-6;
        CHECK(ok);
        kernels_zero(y, n);
        ok = 1;
        for (size_t i = 0; i < n; i++)
            ok &= y[i] == 0.0f;
        CHECK(ok);
    }
}

/* ---- block steps against the oracle --------------------------------------- */

enum { MAXB = 12, MAXN = 112 };

/* The documented semantics of kernels_block_sg, in double precision: scores
 * from the rows before the step; inputs in order, each taking its gradient
 * from the outputs before the step, the outputs' updates summing the inputs
 * as each was just before its own update (which matters only for an input
 * row that repeats). in_id maps the B inputs onto rows of inrows. */
static void oracle_sg(double inrows[][MAXN], const int *in_id, int B, double outrows[][MAXN],
                      int M, const float *label, const float *mult, int n, double alpha,
                      int clip)
{
    double g[MAXB][W2V_BATCH_GROUP];
    for (int b = 0; b < B; b++)
        for (int m = 0; m < M; m++) {
            double s = 0;
            for (int i = 0; i < n; i++)
                s += inrows[in_id[b]][i] * outrows[m][i];
            g[b][m] = alpha * mult[m] * (label[m] - test_logistic(s));
            if (clip && !(s > -W2V_SIGMOID_MAX && s < W2V_SIGMOID_MAX))
                g[b][m] = 0;
        }
    double newout[W2V_BATCH_GROUP][MAXN];
    memcpy(newout, outrows, sizeof newout);
    for (int b = 0; b < B; b++)
        for (int i = 0; i < n; i++) {
            double x = inrows[in_id[b]][i], e = 0;
            for (int m = 0; m < M; m++) {
                e += g[b][m] * outrows[m][i];
                newout[m][i] += g[b][m] * x;
            }
            inrows[in_id[b]][i] = x + e;
        }
    memcpy(outrows, newout, sizeof newout);
}

static void test_block_sg(void)
{
    static float in_f[MAXB][MAXN], out_f[W2V_BATCH_GROUP][MAXN];
    static double in_d[MAXB][MAXN], out_d[W2V_BATCH_GROUP][MAXN];
    float scratch[2 * MAXB * W2V_BATCH_GROUP] = {0};
    const size_t sizes[] = {16, 32, 112};
    double worst = 0;
    int padding_zero = 1, cases = 0;
    for (int si = 0; si < 3; si++)
        for (int B = 1; B <= 10; B++)
            for (int M = 1; M <= W2V_BATCH_GROUP; M++)
                for (int clip = 0; clip <= 1; clip++) {
                    const size_t n = sizes[si];
                    const int live = (int)n - 5; /* zero padding past live */
                    float label[W2V_BATCH_GROUP], mult[W2V_BATCH_GROUP];
                    /* Scores up to about ±8 so that the clip matters. */
                    const float scale = 3.0f / sqrtf((float)live);
                    memset(in_f, 0, sizeof in_f);
                    memset(out_f, 0, sizeof out_f);
                    for (int r = 0; r < MAXB; r++)
                        for (int i = 0; i < live; i++)
                            in_f[r][i] = test_signed(&rng_state) * scale * 1.7f;
                    for (int m = 0; m < M; m++) {
                        for (int i = 0; i < live; i++)
                            out_f[m][i] = test_signed(&rng_state) * scale * 1.7f;
                        label[m] = m == 0 ? 1.0f : 0.0f;
                        mult[m] = (float)(1 + (m + B) % 3);
                    }
                    /* Inputs: B - 1 distinct rows, and the first repeated
                     * at the end when B > 2 (a word twice in one window). */
                    int in_id[MAXB];
                    float *in[MAXB], *out[W2V_BATCH_GROUP];
                    for (int b = 0; b < B; b++)
                        in_id[b] = B > 2 && b == B - 1 ? 0 : b;
                    for (int b = 0; b < B; b++)
                        in[b] = in_f[in_id[b]];
                    for (int m = 0; m < M; m++)
                        out[m] = out_f[m];
                    for (int r = 0; r < MAXB; r++)
                        for (int i = 0; i < MAXN; i++)
                            in_d[r][i] = in_f[r][i];
                    for (int m = 0; m < W2V_BATCH_GROUP; m++)
                        for (int i = 0; i < MAXN; i++)
                            out_d[m][i] = out_f[m][i];
                    oracle_sg(in_d, in_id, B, out_d, M, label, mult, (int)n, 0.3, clip);
                    kernels_block_sg(in, B, out, label, mult, M, n, 0.3f, clip, scratch);
                    for (int r = 0; r < MAXB; r++)
                        for (int i = 0; i < (int)n; i++) {
                            worst = fmax(worst, fabs(in_f[r][i] - in_d[r][i]));
                            padding_zero &= i < live || in_f[r][i] == 0.0f;
                        }
                    for (int m = 0; m < M; m++)
                        for (int i = 0; i < (int)n; i++) {
                            worst = fmax(worst, fabs(out_f[m][i] - out_d[m][i]));
                            padding_zero &= i < live || out_f[m][i] == 0.0f;
                        }
                    cases++;
                }
    if (worst >= 2e-5)
        fprintf(stderr, "block_sg: worst difference %g over %d cases\n", worst, cases);
    CHECK(worst < 2e-5);
    CHECK(padding_zero);
}

static void test_block_cbow(void)
{
    enum { C = 5 };
    static float h[MAXN], ctx_f[C][MAXN], out_f[W2V_BATCH_GROUP_CBOW][MAXN];
    double worst = 0;
    for (int M = 1; M <= W2V_BATCH_GROUP_CBOW; M++)
        for (int clip = 0; clip <= 1; clip++) {
            const size_t n = 112;
            float label[W2V_BATCH_GROUP_CBOW], mult[W2V_BATCH_GROUP_CBOW];
            double ctx_d[C][MAXN], out_d[W2V_BATCH_GROUP_CBOW][MAXN], g[W2V_BATCH_GROUP_CBOW];
            for (int i = 0; i < (int)n; i++) {
                h[i] = test_signed(&rng_state) * 0.8f;
                for (int c = 0; c < C; c++)
                    ctx_d[c][i] = ctx_f[c][i] = test_signed(&rng_state);
            }
            float *ctx[C + 1], *out[W2V_BATCH_GROUP_CBOW];
            for (int c = 0; c < C; c++)
                ctx[c] = ctx_f[c];
            ctx[C] = ctx_f[1]; /* a context word twice: it gets e twice */
            for (int m = 0; m < M; m++) {
                for (int i = 0; i < (int)n; i++)
                    out_d[m][i] = out_f[m][i] = test_signed(&rng_state) * 0.8f;
                label[m] = m % 3 == 0 ? 1.0f : 0.0f;
                mult[m] = m == 2 ? 2.0f : 1.0f;
                out[m] = out_f[m];
                double s = 0;
                for (int i = 0; i < (int)n; i++)
                    s += (double)h[i] * out_d[m][i];
                g[m] = 0.25 * mult[m] * (label[m] - test_logistic(s));
                if (clip && fabs(s) >= W2V_SIGMOID_MAX)
                    g[m] = 0;
            }
            for (int i = 0; i < (int)n; i++) {
                double e = 0;
                for (int m = 0; m < M; m++) {
                    e += g[m] * out_d[m][i];
                    out_d[m][i] += g[m] * h[i];
                }
                for (int c = 0; c < C; c++)
                    ctx_d[c][i] += e * (c == 1 ? 2 : 1);
            }
            kernels_block_cbow(h, ctx, C + 1, out, label, mult, M, n, 0.25f, clip);
            for (int i = 0; i < (int)n; i++) {
                for (int c = 0; c < C; c++)
                    worst = fmax(worst, fabs(ctx_f[c][i] - ctx_d[c][i]));
                for (int m = 0; m < M; m++)
                    worst = fmax(worst, fabs(out_f[m][i] - out_d[m][i]));
            }
        }
    CHECK(worst < 1e-5);
}

/* The kernels' own logistic function, read back through the CBOW step:
 * h = (1, 1, 0...), out_m = (S_m, 0, 0...) scores S_m; with alpha 1 and
 * label 0 the step writes -σ(S_m) into out_m[1]. */
static void test_sigmoid(void)
{
    enum { M = W2V_BATCH_GROUP_CBOW };
    float h[16] = {1, 1}, rows[M][16], *out[M], label[M], mult[M];
    double worst = 0;
    int clipped_ok = 1, bounded = 1;
    for (int m = 0; m < M; m++) {
        out[m] = rows[m];
        label[m] = 0;
        mult[m] = 1;
    }
    for (int clip = 0; clip <= 1; clip++)
        for (int k = 0; k < 40000; k += M) {
            float S[M];
            for (int m = 0; m < M; m++) {
                S[m] = -30.0f + 60.0f * (float)(k + m) / 40000.0f;
                memset(rows[m], 0, sizeof rows[m]);
                rows[m][0] = S[m];
            }
            if (k == 0)
                rows[3][0] = S[3] = NAN;
            kernels_block_cbow(h, NULL, 0, out, label, mult, M, 16, 1.0f, clip);
            for (int m = 0; m < M; m++) {
                double got = -rows[m][1];
                if (isnan(S[m])) {
                    /* A NaN score gives a bounded step: none with the clip,
                     * σ = 1 without. */
                    bounded &= clip ? got == 0.0 : got == 1.0;
                    continue;
                }
                if (clip && fabs(S[m]) >= W2V_SIGMOID_MAX + 1e-3) {
                    clipped_ok &= got == 0.0;
                } else if (!clip || fabs(S[m]) < W2V_SIGMOID_MAX - 1e-3) {
                    worst = fmax(worst, fabs(got - test_logistic(S[m])));
                    clipped_ok &= !clip || got != 0.0;
                }
            }
        }
    if (worst >= 1e-6)
        fprintf(stderr, "sigmoid: worst error %g\n", worst);
    CHECK(worst < 1e-6);
    CHECK(clipped_ok);
    CHECK(bounded);
}

int main(void)
{
    TEST_RUN(test_row_loops);
    TEST_RUN(test_block_sg);
    TEST_RUN(test_block_cbow);
    TEST_RUN(test_sigmoid);
    return TEST_REPORT("test_kernels");
}
