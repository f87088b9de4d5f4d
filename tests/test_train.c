/* test_train.c — learning-rate schedule, 64-bit slice arithmetic, sigmoid
 * table, kernel arithmetic, planted neighbours for every model x objective
 * with 1 and 2 threads, reproducibility and stopping. */
#include <stdint.h>

#include "test.h"
#include "train_state.h"

/* ---- pure arithmetic ------------------------------------------------------ */

static void test_schedule(void)
{
    const double a0 = 0.025;
    const int64_t total = 1000000;
    CHECK_NEAR(train_alpha(a0, 0, total), a0, 1e-12);
    CHECK_NEAR(train_alpha(a0, total / 2, total), a0 * (1.0 - 500000.0 / 1000001.0), 1e-12);
    CHECK_NEAR(train_alpha(a0, total, total), a0 * W2V_MIN_ALPHA_FRACTION, 1e-12);
    CHECK_NEAR(train_alpha(a0, 2 * total, total), a0 * W2V_MIN_ALPHA_FRACTION, 1e-12);
    /* Linear in between, never increasing, never below the floor. */
    int monotone = 1;
    double prev = a0;
    for (int64_t d = 0; d <= total; d += 997) {
        double a = train_alpha(a0, d, total);
        monotone &= a <= prev && a >= a0 * W2V_MIN_ALPHA_FRACTION;
        prev = a;
    }
    CHECK(monotone);
    CHECK_NEAR(train_default_alpha(TRAIN_CBOW), 0.05, 0);
    CHECK_NEAR(train_default_alpha(TRAIN_SKIPGRAM), 0.025, 0);
}

/* A corpus of more than 2^31 words, by arithmetic only: slices, progress
 * and the learning rate must stay exact where 32 bits would wrap. */
static void test_beyond_2_31(void)
{
    const int64_t n = (INT64_C(1) << 33) + 12345; /* ~8.6e9 ids */
    const int epochs = 5;
    int ok = 1;
    for (int threads = 1; threads <= 64; threads++) {
        int64_t expect_lo = 0, min_size = INT64_MAX, max_size = 0;
        for (int t = 0; t < threads; t++) {
            int64_t lo, hi;
            train_slice_raw(n, threads, t, &lo, &hi);
            /* n * t fits in 64 bits here, so the direct formula is the oracle. */
            ok &= lo == n * t / threads && hi == n * (t + 1) / threads;
            ok &= lo == expect_lo && hi >= lo;
            expect_lo = hi;
            min_size = hi - lo < min_size ? hi - lo : min_size;
            max_size = hi - lo > max_size ? hi - lo : max_size;
        }
        ok &= expect_lo == n && max_size - min_size <= 1;
    }
    CHECK(ok);
    /* Near the top of the range the direct formula would overflow; the
     * slices must still tile [0, n). */
    const int64_t huge = (INT64_C(1) << 62) - 3;
    int64_t prev_hi = 0;
    int tiles = 1;
    for (int t = 0; t < 1000; t++) {
        int64_t lo, hi;
        train_slice_raw(huge, 1000, t, &lo, &hi);
        tiles &= lo == prev_hi && hi > lo && hi - lo >= huge / 1000 && hi - lo <= huge / 1000 + 1;
        prev_hi = hi;
    }
    CHECK(tiles && prev_hi == huge);
    /* Progress past 2^31 words: alpha after 2^33 of 5 * 2^33 words. */
    const int64_t total = n * epochs;
    CHECK_NEAR(train_alpha(0.025, INT64_C(1) << 33, total),
               0.025 * (1.0 - (double)(INT64_C(1) << 33) / ((double)total + 1.0)), 1e-12);
    CHECK(train_alpha(0.025, total - 1, total) < 0.025 * 1e-3);
    CHECK(total > INT32_MAX * INT64_C(4));
    /* A 2^31+ word count in a counter that is added to in batches. */
    _Atomic int64_t counter = INT32_MAX;
    atomic_fetch_add(&counter, W2V_PROGRESS_BATCH);
    CHECK(atomic_load(&counter) == (int64_t)INT32_MAX + W2V_PROGRESS_BATCH);
}

static void test_align_start(void)
{
    /* Sentences of lengths 3, 1, 4 with ends (0) after each. */
    const int32_t ids[] = {5, 6, 7, 0, 8, 0, 9, 9, 9, 9, 0};
    const int64_t n = sizeof ids / sizeof ids[0];
    int ok = 1;
    int64_t prev = 0;
    for (int64_t pos = 0; pos <= n; pos++) {
        int64_t s = train_align_start(ids, n, pos);
        ok &= s >= pos && s <= n && (s == 0 || s == n || ids[s - 1] == 0) && s >= prev;
        prev = s;
    }
    CHECK(ok);
    CHECK(train_align_start(ids, n, 1) == 4);
    CHECK(train_align_start(ids, n, 4) == 4);
    CHECK(train_align_start(ids, n, 5) == 6);
    CHECK(train_align_start(ids, n, 7) == n);
    /* One endless sentence: no boundary nearby, so the start stays put. */
    const int64_t m = (int64_t)W2V_MAX_SENTENCE * 64 * 3;
    int32_t *one = calloc((size_t)m, sizeof *one);
    for (int64_t i = 0; i < m; i++)
        one[i] = 1;
    CHECK(train_align_start(one, m, m / 3) == m / 3);
    free(one);
}

/* The defaults a user relies on: the original word2vec's, as --help states
 * them (tests/e2e_train_defaults.sh checks the help text and that these
 * are what the CLI trains with). */
static void test_defaults(void)
{
    struct train_options o;
    memset(&o, 0xff, sizeof o);
    train_options_default(&o);
    CHECK(o.arch == TRAIN_CBOW);
    CHECK(strcmp(o.kernel, "batched") == 0);
    CHECK(o.dim == 100);
    CHECK(o.window == 5);
    CHECK(o.negative == 5);
    CHECK(o.ns_exponent == 0.75);
    CHECK(o.hs == 0 && o.cbow_sum == 0);
    CHECK(o.sample == 1e-3);
    CHECK(o.alpha == 0.05 && train_default_alpha(TRAIN_CBOW) == 0.05);
    CHECK(train_default_alpha(TRAIN_SKIPGRAM) == 0.025);
    CHECK(o.epochs == 5);
    CHECK(o.threads == 1 && o.seed == 1);
}

/* ---- a tiny trainer -------------------------------------------------------- */

/* Counts from a stream (id 0 counts sentence ends). */
static int64_t *stream_counts(const int32_t *ids, int64_t n, int32_t vocab)
{
    int64_t *c = calloc((size_t)vocab, sizeof *c);
    for (int64_t i = 0; i < n; i++)
        c[ids[i]]++;
    return c;
}

static void test_sigmoid_table(void)
{
    const int32_t ids[] = {1, 2, 0};
    int64_t counts[3] = {1, 1, 1};
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.dim = 4;
    CHECK(train_init(&tr, &o, counts, 3, ids, 3, &err) == 0);
    double worst = 0.0;
    for (int i = 1; i < 200000; i++) {
        float x = -W2V_SIGMOID_MAX + 2.0f * W2V_SIGMOID_MAX * (float)i / 200000.0f;
        double exact = 1.0 / (1.0 + exp(-(double)x));
        double e = fabs(train_sigmoid(tr->sigmoid, x) - exact);
        worst = e > worst ? e : worst;
    }
    /* Linear interpolation on a 12/1024 grid: h^2/8 * max|σ''| ≈ 1.7e-6,
     * plus float rounding. */
    CHECK(worst < 2.5e-6);
    /* The clamp at ±6 (the original's rule) is off by σ(-6) at most. */
    CHECK(1.0 / (1.0 + exp(6.0)) < 2.5e-3);
    train_release(&tr);
    train_release(&tr);
}

/* One hierarchical-softmax sentence by hand in double precision: the kernel
 * must do exactly the original's arithmetic (up to float rounding). With
 * two words the Huffman tree is one inner node; word 1 has code bit 0 and
 * word 2 code bit 1 (or the reverse; read from the tree). */
static void test_hs_arithmetic(void)
{
    const int32_t ids[] = {1, 2, 0};
    int64_t counts[3] = {1, 2, 1};
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.arch = TRAIN_SKIPGRAM;
    o.negative = 0;
    o.hs = 1;
    o.dim = 3;
    o.window = 1;
    o.sample = 0;
    o.alpha = 0.5; /* big steps: a wrong sign or factor shows */
    CHECK(train_init(&tr, &o, counts, 3, ids, 3, &err) == 0);
    CHECK(tr->huffman.length[0] == 1 && tr->huffman.length[1] == 1);
    const size_t s = tr->model.stride;
    double x1[3], x2[3], node[3] = {0, 0, 0};
    for (int d = 0; d < 3; d++) {
        x1[d] = tr->model.syn0[1 * s + d];
        x2[d] = tr->model.syn0[2 * s + d];
    }
    double bit1 = tr->huffman.code_bits[tr->huffman.offset[0]];
    double bit2 = tr->huffman.code_bits[tr->huffman.offset[1]];
    /* Pair 1: centre word 1, context word 2 (row x2 predicts word 1). */
    double f = x2[0] * node[0] + x2[1] * node[1] + x2[2] * node[2];
    double g = (1.0 - bit1 - 1.0 / (1.0 + exp(-f))) * o.alpha;
    double e[3];
    for (int d = 0; d < 3; d++) {
        e[d] = g * node[d];
        node[d] += g * x2[d];
    }
    for (int d = 0; d < 3; d++)
        x2[d] += e[d];
    /* Pair 2: centre word 2, context word 1. */
    f = x1[0] * node[0] + x1[1] * node[1] + x1[2] * node[2];
    g = (1.0 - bit2 - 1.0 / (1.0 + exp(-f))) * o.alpha;
    for (int d = 0; d < 3; d++) {
        e[d] = g * node[d];
        node[d] += g * x1[d];
    }
    for (int d = 0; d < 3; d++)
        x1[d] += e[d];

    struct train_thread t;
    memset(&t, 0, sizeof t);
    t.tr = tr;
    rng_seed(&t.rng, 1, 0);
    t.alpha = (float)o.alpha;
    const struct train_kernel *ref = train_kernel_find("reference");
    CHECK(ref->thread_init(&t) == 0);
    const int32_t sen[2] = {1, 2};
    ref->train_sentence(&t, sen, 2);
    for (int d = 0; d < 3; d++) {
        CHECK_NEAR(tr->model.syn0[1 * s + d], x1[d], 1e-6);
        CHECK_NEAR(tr->model.syn0[2 * s + d], x2[d], 1e-6);
        CHECK_NEAR(tr->model.syn1[d], node[d], 1e-6);
    }
    /* Padding untouched. */
    CHECK(tr->model.syn0[1 * s + 3] == 0.0f && tr->model.syn1[3] == 0.0f);
    ref->thread_release(&t);
    train_release(&tr);
}

/* Skip-gram with negative sampling on one sentence, re-done in double
 * precision with the same random draws (window draw per position, then K
 * negatives per pair): checks the labels, the sigmoid, the skip of a
 * negative equal to the word, and the order of the two updates. */
static void test_ns_arithmetic(void)
{
    enum { V = 5, D = 3, K = 3, LEN = 4 };
    const int32_t ids[] = {1, 2, 3, 4, 0};
    int64_t counts[V] = {1, 4, 3, 2, 1};
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.arch = TRAIN_SKIPGRAM;
    o.negative = K;
    o.dim = D;
    o.window = 2;
    o.sample = 0;
    o.alpha = 0.5;
    CHECK(train_init(&tr, &o, counts, V, ids, 5, &err) == 0);
    const size_t s = tr->model.stride;
    double in[V][D], out[V][D];
    for (int w = 0; w < V; w++)
        for (int d = 0; d < D; d++) {
            in[w][d] = tr->model.syn0[(size_t)w * s + d];
            out[w][d] = 0.0;
        }
    /* Give the output rows a start so that σ is not 0.5 everywhere. */
    for (int w = 1; w < V; w++)
        for (int d = 0; d < D; d++)
            tr->model.syn1neg[(size_t)w * s + d] = 0.3f * (float)(w - d);
    for (int w = 1; w < V; w++)
        for (int d = 0; d < D; d++)
            out[w][d] = tr->model.syn1neg[(size_t)w * s + d];
    struct rng r;
    rng_seed(&r, 77, 0);
    const int32_t sen[LEN] = {1, 2, 3, 4};
    for (int i = 0; i < LEN; i++) {
        int win = sampling_window(&r, o.window);
        for (int j = i - win; j <= i + win; j++) {
            if (j < 0 || j >= LEN || j == i)
                continue;
            double *l1 = in[sen[j]], e[D] = {0, 0, 0};
            for (int k = 0; k <= K; k++) {
                int32_t target = sen[i];
                double label = 1.0;
                if (k > 0) {
                    target = alias_sample(&tr->negatives, &r);
                    if (target == sen[i])
                        continue;
                    label = 0.0;
                }
                double f = 0.0;
                for (int d = 0; d < D; d++)
                    f += l1[d] * out[target][d];
                double g = (label - 1.0 / (1.0 + exp(-f))) * o.alpha;
                for (int d = 0; d < D; d++) {
                    e[d] += g * out[target][d];
                    out[target][d] += g * l1[d];
                }
            }
            for (int d = 0; d < D; d++)
                l1[d] += e[d];
        }
    }
    struct train_thread t;
    memset(&t, 0, sizeof t);
    t.tr = tr;
    rng_seed(&t.rng, 77, 0);
    t.alpha = (float)o.alpha;
    const struct train_kernel *ref = train_kernel_find("reference");
    CHECK(ref->thread_init(&t) == 0);
    ref->train_sentence(&t, sen, LEN);
    double worst = 0.0;
    for (int w = 1; w < V; w++)
        for (int d = 0; d < D; d++) {
            worst = fmax(worst, fabs(tr->model.syn0[(size_t)w * s + d] - in[w][d]));
            worst = fmax(worst, fabs(tr->model.syn1neg[(size_t)w * s + d] - out[w][d]));
        }
    CHECK(worst < 1e-5);
    /* The RNG streams stayed in step: the same number of draws. */
    CHECK(rng_next(&t.rng) == rng_next(&r));
    ref->thread_release(&t);
    train_release(&tr);
}

/* CBOW with negative sampling, mean and sum, re-done in double precision
 * with the same draws: the hidden layer is the context mean (or sum), and
 * every context row receives the same, unscaled gradient (the original). */
static void cbow_ns_arithmetic(int cbow_sum)
{
    enum { V = 6, D = 3, K = 2, LEN = 5 };
    const int32_t ids[] = {1, 2, 3, 4, 5, 0};
    int64_t counts[V] = {1, 5, 4, 3, 2, 1};
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.arch = TRAIN_CBOW;
    o.cbow_sum = cbow_sum;
    o.negative = K;
    o.dim = D;
    o.window = 2;
    o.sample = 0;
    o.alpha = 0.3;
    CHECK(train_init(&tr, &o, counts, V, ids, 6, &err) == 0);
    const size_t s = tr->model.stride;
    double in[V][D], out[V][D];
    for (int w = 1; w < V; w++)
        for (int d = 0; d < D; d++) {
            tr->model.syn1neg[(size_t)w * s + d] = 0.2f * (float)(d - w);
            in[w][d] = tr->model.syn0[(size_t)w * s + d];
            out[w][d] = tr->model.syn1neg[(size_t)w * s + d];
        }
    struct rng r;
    rng_seed(&r, 5, 0);
    const int32_t sen[LEN] = {1, 2, 3, 4, 5};
    for (int i = 0; i < LEN; i++) {
        int win = sampling_window(&r, o.window);
        double h[D] = {0, 0, 0}, e[D] = {0, 0, 0};
        int cw = 0;
        for (int j = i - win; j <= i + win; j++) {
            if (j < 0 || j >= LEN || j == i)
                continue;
            for (int d = 0; d < D; d++)
                h[d] += in[sen[j]][d];
            cw++;
        }
        if (!cbow_sum)
            for (int d = 0; d < D; d++)
                h[d] /= cw;
        for (int k = 0; k <= K; k++) {
            int32_t target = sen[i];
            double label = 1.0;
            if (k > 0) {
                target = alias_sample(&tr->negatives, &r);
                if (target == sen[i])
                    continue;
                label = 0.0;
            }
            double f = h[0] * out[target][0] + h[1] * out[target][1] + h[2] * out[target][2];
            double g = (label - 1.0 / (1.0 + exp(-f))) * o.alpha;
            for (int d = 0; d < D; d++) {
                e[d] += g * out[target][d];
                out[target][d] += g * h[d];
            }
        }
        for (int j = i - win; j <= i + win; j++) {
            if (j < 0 || j >= LEN || j == i)
                continue;
            for (int d = 0; d < D; d++)
                in[sen[j]][d] += e[d];
        }
    }
    struct train_thread t;
    memset(&t, 0, sizeof t);
    t.tr = tr;
    rng_seed(&t.rng, 5, 0);
    t.alpha = (float)o.alpha;
    const struct train_kernel *ref = train_kernel_find("reference");
    CHECK(ref->thread_init(&t) == 0);
    ref->train_sentence(&t, sen, LEN);
    double worst = 0.0;
    for (int w = 1; w < V; w++)
        for (int d = 0; d < D; d++) {
            worst = fmax(worst, fabs(tr->model.syn0[(size_t)w * s + d] - in[w][d]));
            worst = fmax(worst, fabs(tr->model.syn1neg[(size_t)w * s + d] - out[w][d]));
        }
    CHECK(worst < 1e-5);
    CHECK(rng_next(&t.rng) == rng_next(&r));
    ref->thread_release(&t);
    train_release(&tr);
}

static void test_cbow_arithmetic(void)
{
    cbow_ns_arithmetic(0);
    cbow_ns_arithmetic(1);
}

/* A sentence far longer than the cap is split, not overrun (ASan would
 * see an overrun of the sentence buffer), and every word is counted. */
static void test_long_sentence(void)
{
    enum { N = 5 * W2V_MAX_SENTENCE + 123 };
    int32_t *ids = malloc((N + 1) * sizeof *ids);
    for (int i = 0; i < N; i++)
        ids[i] = 1 + i % 7;
    ids[N] = 0;
    int64_t counts[8] = {1, N / 7 + 1, N / 7 + 1, N / 7 + 1, N / 7, N / 7, N / 7, N / 7};
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.dim = 8;
    o.sample = 0;
    o.epochs = 2;
    o.threads = 2;
    o.hs = 1;
    CHECK(train_init(&tr, &o, counts, 8, ids, N + 1, &err) == 0);
    CHECK(train_run(tr, NULL, NULL, &err) == 0);
    CHECK(atomic_load(&tr->words_done) == 2 * (int64_t)N);
    CHECK(atomic_load(&tr->words_kept) == 2 * (int64_t)N);
    train_release(&tr);
    free(ids);
}

/* A planted corpus: P pairs (a_i, b_i) that only ever appear in sentences
 * made of the two of them, mixed with sentences of F filler words. Ids are
 * assigned in descending count order afterwards, as the vocabulary does. */
struct planted {
    int32_t *ids;
    int64_t n;
    int64_t *counts;
    int32_t vocab;
    int32_t *partner; /* [vocab] the planted partner's id, or -1 */
};

static void planted_make(struct planted *p, int pairs, int fillers, int sentences, uint64_t seed)
{
    const int32_t vocab = 1 + 2 * pairs + fillers;
    const int len = 8;
    struct rng r;
    rng_seed(&r, seed, 0);
    int32_t *raw = calloc((size_t)sentences * (len + 1), sizeof *raw);
    int64_t n = 0;
    for (int s = 0; s < sentences; s++) {
        if (rng_below(&r, 2) == 0) {
            int pair = (int)rng_below(&r, (uint64_t)pairs);
            for (int k = 0; k < len; k++)
                raw[n++] = 1 + 2 * pair + (int32_t)rng_below(&r, 2);
        } else {
            for (int k = 0; k < len; k++)
                raw[n++] = 1 + 2 * pairs + (int32_t)rng_below(&r, (uint64_t)fillers);
        }
        raw[n++] = 0;
    }
    int64_t *c = stream_counts(raw, n, vocab);
    /* Relabel 1..V-1 by descending count (stable on the old id). */
    int32_t *order = calloc((size_t)vocab, sizeof *order);
    int32_t *relabel = calloc((size_t)vocab, sizeof *relabel);
    for (int32_t i = 0; i < vocab; i++)
        order[i] = i;
    for (int32_t i = 2; i < vocab; i++)
        for (int32_t j = i; j > 1 && c[order[j]] > c[order[j - 1]]; j--) {
            int32_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    p->counts = calloc((size_t)vocab, sizeof *p->counts);
    for (int32_t i = 0; i < vocab; i++) {
        relabel[order[i]] = i;
        p->counts[i] = c[order[i]];
    }
    for (int64_t i = 0; i < n; i++)
        raw[i] = relabel[raw[i]];
    p->partner = malloc((size_t)vocab * sizeof *p->partner);
    for (int32_t i = 0; i < vocab; i++)
        p->partner[i] = -1;
    for (int i = 0; i < pairs; i++) {
        int32_t a = relabel[1 + 2 * i], b = relabel[2 + 2 * i];
        p->partner[a] = b;
        p->partner[b] = a;
    }
    p->ids = raw;
    p->n = n;
    p->vocab = vocab;
    free(c);
    free(order);
    free(relabel);
}

static void planted_free(struct planted *p)
{
    free(p->ids);
    free(p->counts);
    free(p->partner);
}

static double cosine(const float *a, const float *b, int d)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < d; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return ab / (sqrt(aa * bb) + 1e-30);
}

/* How many planted words have their partner as nearest neighbour (over all
 * words but </s> and themselves). */
static int planted_hits(const struct trainer *tr, const struct planted *p)
{
    int hits = 0;
    const size_t s = tr->model.stride;
    for (int32_t w = 1; w < p->vocab; w++) {
        if (p->partner[w] < 0)
            continue;
        int32_t best = -1;
        double best_sim = -2.0;
        for (int32_t v = 1; v < p->vocab; v++) {
            if (v == w)
                continue;
            double sim = cosine(tr->model.syn0 + (size_t)w * s, tr->model.syn0 + (size_t)v * s,
                                tr->model.dim);
            if (sim > best_sim) {
                best_sim = sim;
                best = v;
            }
        }
        hits += best == p->partner[w];
    }
    return hits;
}

static void test_planted(void)
{
    enum { PAIRS = 10 };
    struct planted p;
    planted_make(&p, PAIRS, 40, 4000, 11);
    const char *names[2][2] = {{"cbow-ns", "cbow-hs"}, {"sg-ns", "sg-hs"}};
    for (int arch = 0; arch < 2; arch++)
        for (int hs = 0; hs < 2; hs++)
            for (int threads = 1; threads <= 2; threads++) {
                struct train_options o;
                struct trainer *tr = NULL;
                struct w2v_err err;
                train_options_default(&o);
                o.arch = arch ? TRAIN_SKIPGRAM : TRAIN_CBOW;
                o.alpha = train_default_alpha(o.arch);
                o.hs = hs;
                o.negative = hs ? 0 : 5;
                o.dim = 24;
                o.window = 3;
                o.sample = 0;
                o.epochs = 5;
                o.threads = threads;
                o.seed = 3;
                int ok = train_init(&tr, &o, p.counts, p.vocab, p.ids, p.n, &err) == 0 &&
                         train_run(tr, NULL, NULL, &err) == 0;
                CHECK(ok);
                int hits = ok ? planted_hits(tr, &p) : 0;
                if (hits != 2 * PAIRS)
                    fprintf(stderr, "planted %s, %d thread(s): %d of %d partners nearest\n",
                            names[arch][hs], threads, hits, 2 * PAIRS);
                CHECK(hits == 2 * PAIRS);
                train_release(&tr);
            }
    planted_free(&p);
}

/* One thread and one seed give the same bits; another seed does not. */
static void test_reproducible(void)
{
    struct planted p;
    planted_make(&p, 5, 20, 600, 5);
    float *first = NULL;
    size_t bytes = 0;
    for (int run = 0; run < 3; run++) {
        struct train_options o;
        struct trainer *tr = NULL;
        struct w2v_err err;
        train_options_default(&o);
        o.arch = TRAIN_SKIPGRAM;
        o.alpha = 0.025;
        o.hs = 1; /* both objectives at once, as the original allows */
        o.dim = 16;
        o.sample = 1e-2;
        o.epochs = 2;
        o.seed = run == 2 ? 8 : 7;
        CHECK(train_init(&tr, &o, p.counts, p.vocab, p.ids, p.n, &err) == 0);
        CHECK(train_run(tr, NULL, NULL, &err) == 0);
        bytes = (size_t)p.vocab * tr->model.stride * sizeof(float);
        if (run == 0) {
            first = malloc(bytes);
            memcpy(first, tr->model.syn0, bytes);
        } else if (run == 1) {
            CHECK(memcmp(first, tr->model.syn0, bytes) == 0);
        } else {
            CHECK(memcmp(first, tr->model.syn0, bytes) != 0);
        }
        train_release(&tr);
    }
    free(first);
    planted_free(&p);
}

struct monitor_log {
    int calls, finished;
    int64_t last_done;
    int monotone;
    int stop_after;
};

static int log_monitor(void *ctx, const struct train_progress *pr)
{
    struct monitor_log *m = ctx;
    m->calls++;
    m->monotone &= pr->words_done >= m->last_done && pr->words_done <= pr->words_total;
    m->last_done = pr->words_done;
    if (pr->finished)
        m->finished++;
    return m->stop_after > 0 && m->calls >= m->stop_after;
}

static void test_stop_and_progress(void)
{
    struct planted p;
    planted_make(&p, 5, 20, 2000, 9);
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.dim = 16;
    o.epochs = 100000; /* would run for minutes */
    o.threads = 2;
    CHECK(train_init(&tr, &o, p.counts, p.vocab, p.ids, p.n, &err) == 0);
    struct monitor_log m = {0, 0, 0, 1, 2};
    CHECK(train_run(tr, log_monitor, &m, &err) == W2V_EINTR);
    CHECK(err.status == W2V_EINTR);
    CHECK(m.calls == 3 && m.finished == 1 && m.monotone);
    train_release(&tr);

    /* A run to the end reports every word once. */
    o.epochs = 3;
    CHECK(train_init(&tr, &o, p.counts, p.vocab, p.ids, p.n, &err) == 0);
    struct monitor_log m2 = {0, 0, 0, 1, 0};
    CHECK(train_run(tr, log_monitor, &m2, &err) == 0);
    CHECK(m2.finished == 1 && m2.monotone);
    CHECK(m2.last_done == 3 * tr->words_per_epoch);
    CHECK(tr->words_per_epoch == p.n - 2000);
    CHECK(atomic_load(&tr->words_kept) > 0 && atomic_load(&tr->words_kept) <= m2.last_done);
    train_release(&tr);
    planted_free(&p);
}

/* Each thread draws from its own random stream (seed, thread id): threads
 * sharing one stream would pick the same windows and negatives. */
static void test_thread_streams(void)
{
    enum { T = 4 };
    const int32_t ids[] = {1, 2, 0, 2, 1, 0, 1, 1, 0, 2, 2, 0};
    int64_t counts[3] = {4, 4, 4};
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.dim = 4;
    o.threads = T;
    o.seed = 9;
    CHECK(train_init(&tr, &o, counts, 3, ids, 12, &err) == 0);
    struct train_thread th[T];
    memset(th, 0, sizeof th);
    uint64_t first[T];
    for (int i = 0; i < T; i++) {
        train_thread_setup(&th[i], tr, i);
        struct rng want;
        rng_seed(&want, 9, (uint64_t)i);
        CHECK(th[i].rng.state == want.state);
        first[i] = rng_next(&th[i].rng);
    }
    int distinct = 1;
    for (int i = 0; i < T; i++)
        for (int j = i + 1; j < T; j++)
            distinct &= first[i] != first[j];
    CHECK(distinct);
    /* The chunks the threads take tile the stream, each starting at a
     * sentence. */
    int64_t n_chunks = train_chunks(T, 12), prev_hi = 0;
    CHECK(n_chunks == T);
    for (int64_t k = 0; k < n_chunks; k++) {
        int64_t lo, hi;
        train_slice_raw(12, (int)n_chunks, (int)k, &lo, &hi);
        lo = train_align_start(ids, 12, lo);
        hi = train_align_start(ids, 12, hi);
        CHECK(lo == prev_hi && (lo == 0 || ids[lo - 1] == 0));
        prev_hi = hi;
    }
    CHECK(prev_hi == 12);
    train_release(&tr);
}

/* One thread takes an epoch as one chunk (the order of old); several
 * threads take many chunks, at least one each, none tiny unless needed. */
static void test_chunks(void)
{
    CHECK(train_chunks(1, 5) == 1);
    CHECK(train_chunks(1, INT64_C(1) << 40) == 1);
    CHECK(train_chunks(2, 10000000) == 2 * W2V_CHUNKS_PER_THREAD);
    CHECK(train_chunks(2, 3 * W2V_MIN_CHUNK) == 3);
    CHECK(train_chunks(4, 100) == 4);
    CHECK(train_chunks(16, INT64_C(1) << 40) == 16 * W2V_CHUNKS_PER_THREAD);
}

/* Too large a rate is caught within moments, not after the last epoch:
 * train_run stops every thread and says so, for both kernels and models,
 * with one thread and with two. */
static void test_diverged(void)
{
    enum { N = 2000 };
    int32_t ids[N + 1];
    int64_t counts[8] = {0};
    struct rng r;
    rng_seed(&r, 3, 0);
    for (int i = 0; i < N; i++) {
        ids[i] = i % 10 == 9 ? 0 : 1 + (int32_t)rng_below(&r, 7);
        counts[ids[i]]++;
    }
    ids[N] = 0;
    for (int32_t w = 2; w < 8; w++) /* any order of the counts is fine for NS */
        counts[w] = counts[w] > counts[w - 1] ? counts[w - 1] : counts[w];
    for (int combo = 0; combo < 8; combo++) {
        struct train_options o;
        struct trainer *tr = NULL;
        struct w2v_err err;
        train_options_default(&o);
        o.kernel = combo & 1 ? "reference" : "batched";
        o.arch = combo & 2 ? TRAIN_SKIPGRAM : TRAIN_CBOW;
        o.threads = combo & 4 ? 2 : 1;
        o.dim = 16;
        o.sample = 0;
        o.alpha = 10;
        o.epochs = 100000; /* 180M words: only an early stop ends it soon */
        CHECK(train_init(&tr, &o, counts, 8, ids, N + 1, &err) == 0);
        int status = train_run(tr, NULL, NULL, &err);
        CHECK(status == W2V_EDIVERGED);
        CHECK(strstr(err.message, "diverged") && strstr(err.message, "(now 10)"));
        CHECK(atomic_load(&tr->words_done) < (int64_t)N * 100);
        train_release(&tr);
        /* A sane rate on the same stream trains to the end. */
        o.alpha = train_default_alpha(o.arch);
        o.epochs = 2;
        CHECK(train_init(&tr, &o, counts, 8, ids, N + 1, &err) == 0);
        CHECK(train_run(tr, NULL, NULL, &err) == 0);
        train_release(&tr);
    }
}

static void test_init_errors(void)
{
    const int32_t ok_ids[] = {1, 2, 0};
    const int32_t bad_ids[] = {1, 3, 0};
    const int32_t no_words[] = {0, 0};
    int64_t counts[3] = {1, 2, 1};
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.dim = 4;
    CHECK(train_init(&tr, &o, counts, 3, bad_ids, 3, &err) == W2V_EINVAL);
    CHECK(tr == NULL); /* nothing left to release */
    CHECK(train_init(&tr, &o, counts, 3, no_words, 2, &err) == W2V_EEMPTY);
    CHECK(train_init(&tr, &o, counts, 1, ok_ids, 0, &err) == W2V_EEMPTY);
    o.negative = 0;
    CHECK(train_init(&tr, &o, counts, 3, ok_ids, 3, &err) == W2V_EINVAL);
    CHECK(strstr(err.message, "--hs") != NULL);
    o.negative = 5;
    o.alpha = 0;
    CHECK(train_options_check(&o, &err) == W2V_EINVAL);
    o.alpha = 0.025;
    o.window = 0;
    CHECK(train_options_check(&o, &err) == W2V_EINVAL);
    o.kernel = "turbo";
    CHECK(train_options_check(&o, &err) == W2V_EINVAL);
    CHECK(train_init(&tr, &o, counts, 3, ok_ids, 3, &err) == W2V_EINVAL && tr == NULL);
    o.kernel = NULL;
    CHECK(train_options_check(&o, &err) == W2V_EINVAL);
    size_t bytes;
    train_options_default(&o);
    CHECK(train_memory_bytes(&o, 1000, &bytes) == 0 && bytes > 2 * 1000 * 100 * sizeof(float));
    o.dim = 100000;
    CHECK(train_memory_bytes(&o, INT64_C(1) << 50, &bytes) == W2V_EOVERFLOW);
}

int main(void)
{
    TEST_RUN(test_schedule);
    TEST_RUN(test_defaults);
    TEST_RUN(test_thread_streams);
    TEST_RUN(test_chunks);
    TEST_RUN(test_beyond_2_31);
    TEST_RUN(test_align_start);
    TEST_RUN(test_sigmoid_table);
    TEST_RUN(test_hs_arithmetic);
    TEST_RUN(test_ns_arithmetic);
    TEST_RUN(test_cbow_arithmetic);
    TEST_RUN(test_long_sentence);
    TEST_RUN(test_planted);
    TEST_RUN(test_reproducible);
    TEST_RUN(test_stop_and_progress);
    TEST_RUN(test_diverged);
    TEST_RUN(test_init_errors);
    return TEST_REPORT("test_train");
}
