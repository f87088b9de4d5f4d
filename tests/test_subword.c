/* test_subword.c — the n-gram rows of subword training: which buckets are
 * kept, the word -> rows map, composing, saving, and one kernel step. */
#include <stdint.h>

#include "test.h"
#include "w2v/ngram.h"
#include "w2v/subword.h"
#include "w2v/subword_model.h"
#include "w2v/train.h"

static const char *const words[] = {"</s>", "walk", "walked", "talk", "\xc3\xa9t\xc3\xa9"};
#define V 5
#define DIM 8
#define STRIDE 16

static void test_rows(void)
{
    struct subword_state s;
    struct w2v_err err = {0};
    CHECK(subword_init(&s, words, V, 3, 5, 1000, DIM, STRIDE, 1, &err) == 0);
    CHECK(s.start[0] == 0 && s.start[1] == 0); /* </s>: none */
    /* Every word's rows are its buckets, in fastText's order. */
    int32_t max_rows = 0;
    for (int w = 1; w < V; w++) {
        uint32_t b[64];
        size_t n = ngram_buckets(words[w], strlen(words[w]), 3, 5, 1000, b, 64);
        CHECK((size_t)(s.start[w + 1] - s.start[w]) == n);
        for (size_t k = 0; k < n; k++)
            CHECK(s.gram_ids[s.rows[s.start[w] + (int64_t)k]] == b[k]);
        if ((int32_t)n > max_rows)
            max_rows = (int32_t)n;
    }
    CHECK(s.max_rows == max_rows);
    /* The kept buckets: strictly increasing, each used. */
    for (int32_t g = 1; g < s.n_grams; g++)
        CHECK(s.gram_ids[g] > s.gram_ids[g - 1]);
    int used[1000] = {0};
    for (int64_t k = 0; k < s.start[V]; k++)
        used[s.rows[k]] = 1;
    int all = 1;
    for (int32_t g = 0; g < s.n_grams; g++)
        all &= used[g];
    CHECK(all);
    /* "walk" and "walked" share <wa, <wal, <walk, wal, walk, alk: fewer
     * rows than entries. */
    CHECK(s.n_grams < s.start[V]);
    /* Rows initialised small, padding zero. */
    int ok = 1;
    for (int32_t g = 0; g < s.n_grams; g++)
        for (int d = 0; d < STRIDE; d++) {
            float x = s.grams[(size_t)g * STRIDE + (size_t)d];
            ok &= d < DIM ? (x >= -0.5f / DIM && x < 0.5f / DIM) : x == 0.0f;
        }
    CHECK(ok);

    /* Compose: each word's row becomes the mean of its row and its n-gram
     * rows; </s> keeps its own. */
    float syn0[V * STRIDE] = {0}, before[V * STRIDE];
    for (int i = 0; i < V * STRIDE; i++)
        syn0[i] = (i % STRIDE) < DIM ? (float)(i % 7) * 0.125f : 0.0f;
    memcpy(before, syn0, sizeof syn0);
    subword_compose(&s, syn0);
    CHECK(memcmp(syn0, before, STRIDE * sizeof(float)) == 0);
    for (int w = 1; w < V; w++)
        for (int d = 0; d < DIM; d++) {
            double sum = before[w * STRIDE + d];
            for (int64_t k = s.start[w]; k < s.start[w + 1]; k++)
                sum += s.grams[(size_t)s.rows[k] * STRIDE + (size_t)d];
            CHECK_NEAR(syn0[w * STRIDE + d], sum / (double)(s.start[w + 1] - s.start[w] + 1),
                       1e-6);
        }

    /* Save, and the model gives an unseen word the mean of its stored
     * n-gram rows. */
    char path[256];
    test_tmp_path(path, sizeof path, "subword-state.sw");
    CHECK(subword_save(&s, path, words, syn0, &err) == 0);
    struct subword_model m;
    CHECK(subword_model_open(&m, path, &err) == 0);
    CHECK(m.n_grams == s.n_grams && m.n_words == V && m.minn == 3 && m.maxn == 5);
    float x[DIM];
    CHECK(subword_model_vector(&m, "walked", x, NULL, NULL, &err) == 0);
    CHECK(memcmp(x, syn0 + 2 * STRIDE, sizeof x) == 0);
    size_t used_n = 0, total = 0;
    CHECK(subword_model_vector(&m, "walks", x, &used_n, &total, &err) == 0);
    CHECK(used_n > 0 && used_n < total); /* "lks>", "ks>" ... were never trained */
    subword_model_release(&m);
    remove(path);
    subword_release(&s);
    subword_release(&s);

    CHECK(subword_init(&s, words, V, 4, 3, 1000, DIM, STRIDE, 1, &err) == W2V_EINVAL);
    CHECK(s.grams == NULL);
}

/* One training run on a tiny corpus with the subword kernel: the n-gram
 * rows move, stay finite, and the padding stays zero. */
static void test_kernel(void)
{
    int32_t ids[400];
    int64_t counts[V] = {0};
    for (int i = 0; i < 400; i++) {
        ids[i] = i % 10 == 9 ? 0 : 1 + (i * 7) % (V - 1);
        counts[ids[i]]++;
    }
    for (int arch = 0; arch < 2; arch++) {
        for (int hs = 0; hs < 2; hs++) {
            struct train_options o;
            train_options_default(&o);
            o.arch = arch ? TRAIN_SKIPGRAM : TRAIN_CBOW;
            o.kernel = "subword";
            o.dim = DIM;
            o.hs = hs;
            o.negative = hs ? 0 : 3;
            o.sample = 0;
            o.epochs = 2;
            o.threads = 1;
            struct trainer *tr = NULL;
            struct subword_state s;
            struct w2v_err err = {0};
            CHECK(train_init(&tr, &o, counts, V, ids, 400, &err) == 0);
            const size_t stride = train_model(tr)->stride;
            CHECK(subword_init(&s, words, V, 3, 5, 1000, DIM, stride, 1, &err) == 0);
            /* Rows of another shape are refused. */
            struct subword_state other;
            CHECK(subword_init(&other, words, V, 3, 5, 1000, DIM + 1, stride, 1, &err) == 0);
            CHECK(subword_attach(tr, &other, &err) == W2V_EINVAL);
            subword_release(&other);
            CHECK(subword_attach(tr, &s, &err) == 0);
            float *start = malloc((size_t)s.n_grams * stride * sizeof *start);
            memcpy(start, s.grams, (size_t)s.n_grams * stride * sizeof *start);
            CHECK(train_run(tr, NULL, NULL, &err) == 0);
            int moved = 0, finite = 1, pad = 1;
            for (size_t i = 0; i < (size_t)s.n_grams * stride; i++) {
                moved += s.grams[i] != start[i];
                finite &= isfinite(s.grams[i]);
                if (i % stride >= DIM)
                    pad &= s.grams[i] == 0.0f;
            }
            CHECK(moved > s.n_grams); /* every row has DIM values */
            CHECK(finite && pad);
            free(start);
            train_release(&tr);
            subword_release(&s);
        }
    }
}

/* The batched kernel has no use for n-gram rows. */
static void test_attach_other_kernel(void)
{
    int32_t ids[4] = {1, 2, 1, 0};
    int64_t counts[V] = {1, 2, 1, 0, 0};
    struct train_options o;
    train_options_default(&o);
    o.dim = DIM;
    struct trainer *tr = NULL;
    struct subword_state s;
    struct w2v_err err = {0};
    CHECK(train_init(&tr, &o, counts, V, ids, 4, &err) == 0);
    CHECK(subword_init(&s, words, V, 3, 5, 1000, DIM, train_model(tr)->stride, 1, &err) == 0);
    CHECK(subword_attach(tr, &s, &err) == W2V_EINVAL);
    train_release(&tr);
    subword_release(&s);
}

int main(void)
{
    TEST_RUN(test_rows);
    TEST_RUN(test_kernel);
    TEST_RUN(test_attach_other_kernel);
    return TEST_REPORT("test_subword");
}
