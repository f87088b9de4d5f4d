/* test_senses.c — the sense table on synthetic context vectors, and the
 * senses file with its context file. */
#include <math.h>
#include <stdint.h>

#include "kernels.h"
#include "test.h"
#include "w2v/senses.h"

#define D 16

static uint64_t rng_state = 0x243f6a8885a308d3ULL;
static float noise(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t r = rng_state * 2685821657736338717ULL;
    return (float)((double)(r >> 40) / (double)(1 << 24)) - 0.5f; /* [-0.5, 0.5) */
}

/* A context average near axis a (scaled by len), with noise. */
static void context_near(float *ctx, int a, float len)
{
    for (int i = 0; i < D; i++)
        ctx[i] = 0.3f * noise();
    ctx[a] += 1.0f;
    for (int i = 0; i < D; i++)
        ctx[i] *= len;
}

static void test_init_errors(void)
{
    struct senses s;
    struct w2v_err err = {0};
    CHECK(senses_init(&s, 10, 0, D, 0.25, &err) == W2V_EINVAL);
    CHECK(strstr(err.message, "senses") != NULL);
    CHECK(senses_init(&s, 10, W2V_SENSES_MAX + 1, D, 0.25, &err) == W2V_EINVAL);
    CHECK(senses_init(&s, 0, 3, D, 0.25, &err) == W2V_EINVAL);
    CHECK(senses_init(&s, 10, 3, D, 1.5, &err) == W2V_EINVAL);
    CHECK(senses_init(&s, 10, 3, 0, 0.25, &err) == W2V_EINVAL);
    CHECK(s.vec == NULL);
    senses_release(&s);
    senses_release(&s); /* twice is fine */
    size_t bytes = 0;
    CHECK(senses_bytes(1000, 3, 100, &bytes) == 0);
    CHECK(bytes == 1000u * 3u * 112u * 4u * 2u + (3000u + 1000u) * 8u);
    CHECK(senses_bytes(INT64_MAX / 2, W2V_SENSES_MAX, 100, &bytes) == W2V_EOVERFLOW);
}

/* One word seen in two disjoint kinds of context opens two senses and keeps
 * assigning each kind to its own; a word seen in one kind keeps one. */
static void test_two_contexts(void)
{
    struct senses s;
    struct w2v_err err = {0};
    CHECK(senses_init(&s, 2, 3, D, 0.25, &err) == 0);
    float ctx[D], init[D];
    for (int i = 0; i < D; i++)
        init[i] = (float)i;
    int first_a = -1, first_b = -1, agree = 0;
    for (int t = 0; t < 200; t++) {
        int a = t % 2 ? 3 : 9;
        context_near(ctx, a, 0.5f + (float)(t % 7));
        int k = senses_assign(&s, 0, ctx, NULL, init, 1);
        int *first = a == 3 ? &first_a : &first_b;
        if (*first < 0)
            *first = k;
        agree += k == *first;
        context_near(ctx, 3, 1.0f);
        senses_assign(&s, 1, ctx, NULL, NULL, 1);
    }
    CHECK(atomic_load(&s.n_open[0]) == 2);
    CHECK(first_a != first_b);
    CHECK(agree == 200);
    CHECK(atomic_load(&s.n_open[1]) == 1);
    CHECK(atomic_load(&s.count[0]) + atomic_load(&s.count[1]) == 200);
    CHECK(atomic_load(&s.count[3]) == 200); /* slot 1, sense 0 */
    /* A new sense starts as a copy of init; without init, at zero. */
    CHECK(memcmp(senses_vec(&s, 0, 1), init, sizeof init) == 0);
    CHECK(senses_vec(&s, 1, 0)[5] == 0.0f);
    /* The centre's direction is the contexts' mean direction. */
    float sim;
    context_near(ctx, 9, 2.0f);
    CHECK(senses_nearest(&s, 0, ctx, &sim) == first_b);
    CHECK(sim > 0.9f);
    senses_release(&s);
}

/* may_open = 0 (the warm-up) never opens a second sense; K caps them. */
static void test_no_open_and_cap(void)
{
    struct senses s;
    struct w2v_err err = {0};
    CHECK(senses_init(&s, 1, 2, D, 0.25, &err) == 0);
    float ctx[D], sim;
    CHECK(senses_nearest(&s, 0, ctx, &sim) == -1);
    CHECK(sim == -2.0f);
    for (int t = 0; t < 30; t++) {
        context_near(ctx, t % 3, 1.0f);
        CHECK(senses_assign(&s, 0, ctx, NULL, NULL, 0) == 0);
    }
    CHECK(atomic_load(&s.n_open[0]) == 1);
    for (int t = 0; t < 30; t++) {
        context_near(ctx, 5 + t % 3, 1.0f);
        senses_assign(&s, 0, ctx, NULL, NULL, 1);
    }
    CHECK(atomic_load(&s.n_open[0]) == 2);
    int order[W2V_SENSES_MAX];
    CHECK(senses_order(&s, 0, order) == 2);
    CHECK(atomic_load(&s.count[order[0]]) >= atomic_load(&s.count[order[1]]));
    CHECK(atomic_load(&s.count[0]) + atomic_load(&s.count[1]) == 60);
    senses_release(&s);
}

/* Given a fit, an occurrence goes to the sense whose vector has the larger
 * dot product with it, whatever centre is nearest; the centres still decide
 * when a new sense opens, and the chosen centre takes the context. */
static void test_best_fit(void)
{
    struct senses s;
    struct w2v_err err = {0};
    CHECK(senses_init(&s, 1, 3, D, 0.25, &err) == 0);
    float ctx[D], fit[D] = {0}, along3[D] = {0}, along9[D] = {0};
    along3[3] = 1.0f;
    along9[9] = 1.0f;
    CHECK(senses_best_fit(&s, 0, fit) == -1); /* nothing open */
    context_near(ctx, 3, 1.0f);
    CHECK(senses_assign(&s, 0, ctx, fit, along3, 1) == 0); /* opens sense 0 */
    context_near(ctx, 9, 1.0f);
    CHECK(senses_assign(&s, 0, ctx, fit, along9, 1) == 1); /* far from centre 0: opens 1 */
    /* A context near centre 0 whose words fit sense 1's vector goes to 1. */
    fit[9] = 2.0f;
    fit[3] = 0.5f;
    CHECK(senses_best_fit(&s, 0, fit) == 1);
    context_near(ctx, 3, 1.0f);
    float sim;
    CHECK(senses_nearest(&s, 0, ctx, &sim) == 0);
    CHECK(senses_assign(&s, 0, ctx, fit, NULL, 1) == 1);
    CHECK(atomic_load(&s.count[1]) == 2);
    CHECK(atomic_load(&s.n_open[0]) == 2);
    /* Without a fit, the nearest centre. */
    CHECK(senses_assign(&s, 0, ctx, NULL, NULL, 1) == 0);
    /* With every sense open, a far context cannot open one: the fit picks. */
    context_near(ctx, 12, 1.0f);
    CHECK(senses_assign(&s, 0, ctx, fit, NULL, 1) == 2); /* opens the last */
    context_near(ctx, 14, 1.0f);
    fit[3] = 5.0f;
    CHECK(senses_assign(&s, 0, ctx, fit, NULL, 1) == 0);
    CHECK(atomic_load(&s.n_open[0]) == 3);
    /* The direction counts, not the length: a long vector less aligned
     * with the fit loses to a short one along it. */
    for (int i = 0; i < D; i++) {
        senses_vec(&s, 0, 0)[i] = i == 3 ? 60.0f : i == 9 ? 80.0f : 0.0f;
        senses_vec(&s, 0, 1)[i] = along9[i];
        fit[i] = along9[i];
    }
    CHECK(senses_best_fit(&s, 0, fit) == 1);
    senses_release(&s);
}

/* The sense with more occurrences comes first. */
static void test_order(void)
{
    struct senses s;
    struct w2v_err err = {0};
    CHECK(senses_init(&s, 1, 3, D, 0.5, &err) == 0);
    float ctx[D];
    context_near(ctx, 1, 1.0f);
    senses_assign(&s, 0, ctx, NULL, NULL, 1);
    for (int t = 0; t < 5; t++) {
        context_near(ctx, 8, 1.0f);
        senses_assign(&s, 0, ctx, NULL, NULL, 1);
    }
    int order[W2V_SENSES_MAX];
    CHECK(senses_order(&s, 0, order) == 2);
    CHECK(order[0] == 1 && order[1] == 0);
    senses_release(&s);
}

/* Two senses opened for one meaning (a threshold so high that every early
 * context opens one) are written as one: count-weighted mean vector, the
 * counts added, then re-ordered by count; a third, unrelated sense stays. */
static void test_merge(void)
{
    struct senses s;
    struct w2v_err err = {0};
    CHECK(senses_init(&s, 1, 3, D, 0.999, &err) == 0);
    float ctx[D], init[3][D];
    /* Senses 0 and 1 near axis 2 (3 occurrences), sense 2 near axis 12 (4):
     * the contexts and the vectors. */
    const int axis[] = {2, 2, 12};
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < D; i++)
            init[k][i] = (float)(k + 1) * (i == axis[k] ? 1.0f : 0.1f);
    }
    for (int k = 0; k < 3; k++) {
        context_near(ctx, axis[k], 1.0f);
        CHECK(senses_assign(&s, 0, ctx, NULL, init[k], 1) == k);
    }
    context_near(ctx, 2, 1.0f);
    CHECK(senses_assign(&s, 0, ctx, NULL, NULL, 0) <= 1);
    for (int t = 0; t < 3; t++) {
        context_near(ctx, 12, 1.0f);
        CHECK(senses_assign(&s, 0, ctx, NULL, NULL, 0) == 2);
    }
    float vec[3 * D], centre[3 * D];
    int64_t count[3];
    int64_t c0 = atomic_load(&s.count[0]), c1 = atomic_load(&s.count[1]);
    CHECK(c0 + c1 == 3);
    /* mu above every cosine: nothing merges, most frequent first. */
    CHECK(senses_slot_merged(&s, 0, 1.01f, -1.0f, vec, centre, count) == 3);
    CHECK(count[0] == 4 && count[1] + count[2] == 3);
    CHECK_NEAR(vec[0], 0.3, 1e-6);
    CHECK_NEAR(vec[12], 3.0, 0);
    CHECK(senses_slot_merged(&s, 0, W2V_SENSES_MERGE, W2V_SENSES_MERGE_CENTRE, vec, centre,
                             count) == 2);
    CHECK(count[0] == 4 && count[1] == 3);
    CHECK_NEAR(vec[12], 3.0, 0);
    CHECK_NEAR(vec[D + 2], ((double)c0 * 1.0 + (double)c1 * 2.0) / 3.0, 1e-6);
    CHECK_NEAR(vec[D], ((double)c0 * 0.1 + (double)c1 * 0.2) / 3.0, 1e-6);
    /* The merged centre points between its two parts, toward axis 2. */
    float cc = sqrtf(kernels_dot(centre + D, centre + D, D));
    CHECK(cc > 0.0f && centre[D + 2] / cc > 0.8f);
    /* Both must be alike: with any vectors, the far centre keeps sense 2
     * apart; with any centres, its other vector does; with neither test,
     * all fold into one. */
    CHECK(senses_slot_merged(&s, 0, -1.0f, W2V_SENSES_MERGE_CENTRE, vec, centre, count) == 2);
    CHECK(senses_slot_merged(&s, 0, W2V_SENSES_MERGE, -1.0f, vec, centre, count) == 2);
    CHECK(senses_slot_merged(&s, 0, -1.0f, -1.0f, vec, centre, count) == 1);
    CHECK(count[0] == 7);
    /* Near centres, other vectors (two meanings in one kind of text): kept. */
    for (int i = 0; i < D; i++)
        senses_vec(&s, 0, 1)[i] = i == 7 ? 1.0f : 0.0f;
    CHECK(senses_slot_merged(&s, 0, W2V_SENSES_MERGE, W2V_SENSES_MERGE_CENTRE, vec, centre,
                             count) == 3);
    senses_release(&s);
}

/* A sense with under W2V_SENSES_MIN_SHARE of the occurrences is folded
 * into the sense with the nearest vector, whatever the centres; one with
 * more is kept. */
static void test_min_share(void)
{
    struct senses s;
    struct w2v_err err = {0};
    CHECK(senses_init(&s, 2, 3, D, 0.25, &err) == 0);
    float ctx[D], init[D], vec[3 * D], centre[3 * D];
    int64_t count[3];
    for (int i = 0; i < D; i++)
        init[i] = 1.0f;
    const int rare_n = (int)(W2V_SENSES_MIN_SHARE * 100.0); /* per slot below */
    for (int slot = 0; slot < 2; slot++) {
        /* slot 0: 100 - rare_n + 1 near axis 2, rare_n - 1 near axis 12
         * (under the share); slot 1: rare_n + 1 near axis 12 (over it). */
        int far = slot == 0 ? rare_n - 1 : rare_n + 1;
        for (int t = 0; t < 100; t++) {
            context_near(ctx, t < 100 - far ? 2 : 12, 1.0f);
            senses_assign(&s, slot, ctx, NULL, init, 1);
        }
        CHECK(atomic_load(&s.n_open[slot]) == 2);
    }
    CHECK(senses_slot_merged(&s, 0, 1.01f, 1.01f, vec, centre, count) == 1);
    CHECK(count[0] == 100);
    CHECK(senses_slot_merged(&s, 1, 1.01f, 1.01f, vec, centre, count) == 2);
    CHECK(count[0] == 100 - rare_n - 1 && count[1] == rare_n + 1);
    senses_release(&s);
}

static void test_names(void)
{
    CHECK(senses_is_sense_name("trouble#1"));
    CHECK(senses_is_sense_name("a#b#12"));
    CHECK(!senses_is_sense_name("trouble"));
    CHECK(!senses_is_sense_name("#1"));
    CHECK(!senses_is_sense_name("trouble#0"));
    CHECK(!senses_is_sense_name("trouble#01"));
    CHECK(!senses_is_sense_name("trouble#"));
    CHECK(!senses_is_sense_name("trouble#1x"));
}

/* Write a table, read it back: names, order, counts, the centres' choice,
 * the global rows, and a vocabulary word spelt like a sense row. */
static void test_file_round_trip(void)
{
    char path[256], ctx_path[300], plain[256];
    test_tmp_path(path, sizeof path, "senses.bin");
    snprintf(ctx_path, sizeof ctx_path, "%s%s", path, W2V_SENSES_CTX_SUFFIX);
    test_tmp_path(plain, sizeof plain, "plain.txt");
    const char *words[] = {"</s>", "trouble", "calm", "trouble#2", "rare"};
    const int32_t V = 5;
    float global[5 * D];
    for (int i = 0; i < 5 * D; i++)
        global[i] = (float)(i % 11) - 5.0f;
    struct senses s;
    struct w2v_err err = {0};
    CHECK(senses_init(&s, 3, 3, D, 0.25, &err) == 0);
    CHECK(senses_write(&s, path, VECTORS_BINARY, words, V, global, D, &err) == W2V_EEMPTY);
    CHECK(access(path, F_OK) != 0 && access(ctx_path, F_OK) != 0);
    float ctx[D];
    for (int t = 0; t < 7; t++) { /* trouble: 4 near axis 2, 3 near axis 12 */
        context_near(ctx, t < 4 ? 2 : 12, 1.0f);
        senses_assign(&s, 0, ctx, NULL, global + D, 1);
    }
    /* Trouble's two senses started as copies of its global vector; as
     * training would, make the second another vector, so that writing
     * keeps both (it folds senses whose vectors are alike). */
    for (int i = 0; i < D; i++)
        senses_vec(&s, 0, 1)[i] = -global[D + i];
    context_near(ctx, 4, 1.0f);
    senses_assign(&s, 1, ctx, NULL, global + 2 * D, 1); /* calm: 1 sense */
    /* Context weights: counts 0 (</s>), 30, 10, 0, 60 with keep 1/2 for
     * "rare": shares 30/70, 10/70, 0, 30/70; the mean context goes to the
     * </s> row of the context file. */
    const int64_t counts[] = {100, 30, 10, 0, 60};
    const float keep[] = {1, 1, 1, 1, 0.5f};
    CHECK(senses_set_weights(&s, counts, keep, V, &err) == 0);
    CHECK_NEAR(s.weight[0], 0.0, 0);
    CHECK_NEAR(s.weight[4], 30.0 / 70.0, 1e-6);
    float mean[D], want_mean[D];
    senses_context_mean(&s, global, D, mean);
    for (int i = 0; i < D; i++)
        want_mean[i] = (30.0f * global[D + i] + 10.0f * global[2 * D + i] + 30.0f * global[4 * D + i]) / 70.0f;
    for (int i = 0; i < D; i++)
        CHECK_NEAR(mean[i], want_mean[i], 1e-5);
    CHECK(senses_write(&s, path, VECTORS_BINARY, words, V, global, D, &err) == 0);

    struct senses_file f;
    CHECK(senses_file_read(&f, path, &err) == 0);
    CHECK(f.vec.rows == 3);
    CHECK(f.vec.dim == D);
    CHECK(strcmp(f.vec.words[0], "trouble#1") == 0);
    CHECK(strcmp(f.vec.words[1], "trouble#2") == 0);
    CHECK(strcmp(f.vec.words[2], "calm#1") == 0);
    CHECK(f.n_global == 4); /* "trouble#2" of the vocabulary is left out */
    CHECK(vectors_find(&f.ctx, "rare") >= 0);
    CHECK(memcmp(f.ctx.data + 3 * D, global + 4 * D, D * sizeof(float)) == 0);
    CHECK(memcmp(f.ctx.data, mean, D * sizeof(float)) == 0); /* </s> holds the mean */
    struct query_model qm;
    CHECK(query_model_open(&qm, path, 1, &err) == 0);
    CHECK(senses_check_plain(&qm, path, &err) == W2V_EFORMAT);
    CHECK(strstr(err.message, "main vectors") != NULL);
    query_model_release(&qm);
    CHECK(query_model_open(&qm, ctx_path, 0, &err) == 0);
    CHECK(senses_check_plain(&qm, ctx_path, &err) == 0);
    query_model_release(&qm);
    /* The centred context: the rows' average minus the mean. */
    int64_t crow[2] = {1, 3};
    float cctx[D];
    senses_file_context(&f, crow, 2, cctx);
    for (int i = 0; i < D; i++)
        CHECK_NEAR(cctx[i], (f.ctx.data[D + i] + f.ctx.data[3 * D + i]) / 2 - mean[i], 1e-5);
    senses_file_context(&f, crow, 0, cctx);
    CHECK(cctx[0] == 0.0f && cctx[D - 1] == 0.0f);
    int64_t rows[W2V_SENSES_MAX];
    CHECK(senses_file_lookup(&f, "trouble", rows, W2V_SENSES_MAX) == 2);
    CHECK(senses_file_lookup(&f, "calm", rows + 2, W2V_SENSES_MAX) == 1);
    CHECK(senses_file_lookup(&f, "rare", rows + 3, W2V_SENSES_MAX) == 0);
    CHECK(senses_file_count(&f, rows[0]) == 4);
    CHECK(senses_file_count(&f, rows[1]) == 3);
    CHECK(senses_file_count(&f, rows[2]) == 1);
    /* The sense vector is the init copy the table kept. */
    CHECK(memcmp(f.vec.data, global + D, D * sizeof(float)) == 0);
    context_near(ctx, 12, 3.0f);
    CHECK(senses_file_pick(&f, rows, 2, ctx) == 1);
    context_near(ctx, 2, 0.1f);
    CHECK(senses_file_pick(&f, rows, 2, ctx) == 0);
    memset(ctx, 0, sizeof ctx);
    CHECK(senses_file_pick(&f, rows, 2, ctx) == 0);
    senses_file_release(&f);
    senses_file_release(&f);

    /* Plain vectors are not a senses file. */
    FILE *fp = fopen(plain, "w");
    CHECK(fp != NULL);
    if (fp) {
        fprintf(fp, "1 2\ntrouble 1 2\n");
        fclose(fp);
    }
    CHECK(senses_file_read(&f, plain, &err) == W2V_EFORMAT);
    CHECK(strstr(err.message, "not a senses file") != NULL);
    /* A senses file without its context file. */
    remove(ctx_path);
    CHECK(senses_file_read(&f, path, &err) == W2V_EIO);
    CHECK(strstr(err.message, ".ctx") != NULL);
    remove(path);
    remove(plain);
    senses_release(&s);
}

/* kernels_step_frozen against a double-precision oracle: the input moves
 * by Σ g_m out_m with every score from the input before the step; the
 * outputs do not move. */
static void test_step_frozen(void)
{
    enum { N = 32, M = 11 };
    float v[N], v0[N], rows[M][N], rows0[M][N], label[M], mult[M], scratch[M + 16];
    float *out[M];
    for (int i = 0; i < N; i++)
        v[i] = v0[i] = i < 20 ? noise() : 0.0f;
    for (int m = 0; m < M; m++) {
        for (int i = 0; i < N; i++)
            rows[m][i] = rows0[m][i] = i < 20 ? 2.0f * noise() : 0.0f;
        out[m] = rows[m];
        label[m] = m < 4 ? 1.0f : 0.0f;
        mult[m] = m < 4 ? 1.0f : 4.0f;
    }
    out[7] = rows[2]; /* a repeated output row */
    kernels_step_frozen(v, out, label, mult, M, N, 0.1f, scratch);
    double want[N];
    for (int i = 0; i < N; i++)
        want[i] = v0[i];
    for (int m = 0; m < M; m++) {
        const float *o = m == 7 ? rows0[2] : rows0[m];
        double s = 0;
        for (int i = 0; i < N; i++)
            s += (double)v0[i] * o[i];
        double g = 0.1 * mult[m] * (label[m] - 1.0 / (1.0 + exp(-s)));
        for (int i = 0; i < N; i++)
            want[i] += g * o[i];
    }
    for (int i = 0; i < N; i++)
        CHECK_NEAR(v[i], want[i], 1e-5);
    CHECK(memcmp(rows, rows0, sizeof rows) == 0);
}

int main(void)
{
    TEST_RUN(test_step_frozen);
    TEST_RUN(test_init_errors);
    TEST_RUN(test_two_contexts);
    TEST_RUN(test_no_open_and_cap);
    TEST_RUN(test_best_fit);
    TEST_RUN(test_order);
    TEST_RUN(test_merge);
    TEST_RUN(test_min_share);
    TEST_RUN(test_names);
    TEST_RUN(test_file_round_trip);
    return TEST_REPORT("test_senses");
}
