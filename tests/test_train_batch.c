/* test_train_batch.c — the batched kernel: one sentence step by step
 * against a double-precision oracle, the HS clip, planted neighbours for every model x objective
 * with 1 and 2 threads, a quality comparison with the reference kernel on a
 * corpus with known similarities, one-thread reproducibility, the
 * centre hook the senses kernel rides on, and the private copies' sync gap
 * and row counts. */
#include <stdint.h>

#include "test.h"
#include "test_rand.h"
#include "train_state.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* ---- one sentence, step by step -------------------------------------------- */

/* A tiny model trained on one sentence through train_run (one thread, one
 * epoch, no subsampling: the kernel sees the sentence once, at the starting
 * rate, with the RNG stream (seed, 0)), re-done here in double precision
 * from the documented semantics of the batched kernel: its window draws,
 * its negatives (drawn X_AHEAD centre words ahead, a negative equal to the
 * word skipped, a repeat counted twice), its block steps in groups, the HS
 * clip and label 1 - code bit, the CBOW mean or sum. */
enum { XV = 8, XD = 5, XLEN = 11, X_AHEAD = 3 };

struct xmodel {
    double syn0[XV][XD], syn1[XV][XD], syn1neg[XV][XD];
};

static double xdot(const double *a, const double *b)
{
    double s = 0;
    for (int d = 0; d < XD; d++)
        s += a[d] * b[d];
    return s;
}

static double xgrad(double score, double label, double mult, double alpha, int clip)
{
    if (clip && !(score > -W2V_SIGMOID_MAX && score < W2V_SIGMOID_MAX))
        return 0;
    return alpha * mult * (label - test_logistic(score));
}

/* batch_block_sg's contract: scores from the rows before the step; each
 * input (in order) takes its gradient from the old outputs, and the
 * outputs add each input as it was just before its own update. */
static void xstep_sg(double **in, int B, double **out, const double *label, const double *mult,
                     int M, double alpha, int clip)
{
    double g[2 * XLEN][W2V_BATCH_GROUP_CBOW], old[W2V_BATCH_GROUP_CBOW][XD];
    for (int b = 0; b < B; b++)
        for (int m = 0; m < M; m++)
            g[b][m] = xgrad(xdot(in[b], out[m]), label[m], mult[m], alpha, clip);
    for (int m = 0; m < M; m++)
        memcpy(old[m], out[m], sizeof old[m]);
    for (int b = 0; b < B; b++)
        for (int d = 0; d < XD; d++) {
            double x = in[b][d], e = 0;
            for (int m = 0; m < M; m++) {
                e += g[b][m] * old[m][d];
                out[m][d] += g[b][m] * x;
            }
            in[b][d] = x + e;
        }
}

/* batch_block_cbow's contract: every context occurrence gets e = Σ g out
 * (old rows); every output adds g h. */
static void xstep_cbow(const double *h, double **ctx, int C, double **out, const double *label,
                       const double *mult, int M, double alpha, int clip)
{
    double g[W2V_BATCH_GROUP_CBOW], e[XD] = {0};
    for (int m = 0; m < M; m++)
        g[m] = xgrad(xdot(h, out[m]), label[m], mult[m], alpha, clip);
    for (int m = 0; m < M; m++)
        for (int d = 0; d < XD; d++) {
            e[d] += g[m] * out[m][d];
            out[m][d] += g[m] * h[d];
        }
    for (int c = 0; c < C; c++)
        for (int d = 0; d < XD; d++)
            ctx[c][d] += e[d];
}

/* The outputs of one centre word, in groups of the kernel's block size. */
static void xoutputs(int cbow, double **in, int B, const double *h, double **out,
                     const double *label, const double *mult, int M, double alpha, int clip)
{
    const int G = cbow ? W2V_BATCH_GROUP_CBOW : W2V_BATCH_GROUP;
    for (int p = 0; p < M; p += G) {
        int m = M - p < G ? M - p : G;
        if (cbow)
            xstep_cbow(h, in, B, out + p, label + p, mult + p, m, alpha, clip);
        else
            xstep_sg(in, B, out + p, label + p, mult + p, m, alpha, clip);
    }
}

static void xsentence(struct xmodel *x, const struct trainer *tr, const int32_t *sen, int len,
                      double alpha)
{
    const struct train_options *o = &tr->opt;
    const int K = o->negative, W = o->window, cbow = o->arch == TRAIN_CBOW;
    const struct huffman *hf = &tr->huffman;
    int32_t negs[XLEN][16];
    struct rng r;
    rng_seed(&r, o->seed, 0);
    for (int c = 0; c < len && c < X_AHEAD; c++)
        for (int k = 0; k < K; k++)
            negs[c][k] = alias_sample(&tr->negatives, &r);
    for (int i = 0; i < len; i++) {
        if (i + X_AHEAD < len)
            for (int k = 0; k < K; k++)
                negs[i + X_AHEAD][k] = alias_sample(&tr->negatives, &r);
        const int32_t word = sen[i];
        int win = sampling_window(&r, W);
        int a = i > win ? i - win : 0, b = len - 1 - i > win ? i + win : len - 1;
        double *in[2 * XLEN], h[XD] = {0}, *out[2 * XLEN], label[2 * XLEN], mult[2 * XLEN];
        int B = 0;
        for (int j = a; j <= b; j++)
            if (j != i)
                in[B++] = x->syn0[sen[j]];
        if (B == 0)
            continue;
        for (int c = 0; c < B; c++)
            for (int d = 0; d < XD; d++)
                h[d] += in[c][d];
        for (int d = 0; cbow && !o->cbow_sum && d < XD; d++)
            h[d] *= (double)(1.0f / (float)B);
        if (o->hs) {
            int64_t off = hf->offset[word - 1];
            int M = hf->length[word - 1];
            for (int m = 0; m < M; m++) {
                out[m] = x->syn1[hf->points[off + m]];
                label[m] = 1.0 - hf->code_bits[off + m];
                mult[m] = 1;
            }
            xoutputs(cbow, in, B, h, out, label, mult, M, alpha, 1);
        }
        if (K > 0) {
            int32_t id[16] = {word};
            int M = 1;
            out[0] = x->syn1neg[word];
            label[0] = 1;
            mult[0] = 1;
            for (int k = 0; k < K; k++) {
                int q = 1;
                if (negs[i][k] == word)
                    continue;
                while (q < M && id[q] != negs[i][k])
                    q++;
                if (q < M) {
                    mult[q] += 1;
                    continue;
                }
                id[M] = negs[i][k];
                out[M] = x->syn1neg[negs[i][k]];
                label[M] = 0;
                mult[M++] = 1;
            }
            xoutputs(cbow, in, B, h, out, label, mult, M, alpha, 0);
        }
    }
}

/* Largest difference between a trained matrix and its double twin, and
 * whether the padding past dim stayed zero. */
static double xcompare(const float *m, size_t stride, double rows[][XD], int *pad_zero)
{
    double worst = 0;
    for (int w = 0; m && w < XV; w++)
        for (size_t d = 0; d < stride; d++) {
            float v = m[(size_t)w * stride + d];
            if (d < XD)
                worst = fmax(worst, fabs(v - rows[w][d]));
            else
                *pad_zero &= v == 0.0f;
        }
    return worst;
}

static void sentence_exact(int arch, int hs, int negative, int cbow_sum)
{
    /* ids 1.. in non-increasing count order (the Huffman tree needs it) */
    int64_t counts[XV] = {1, 9, 7, 5, 4, 3, 2, 2};
    const int32_t ids[XLEN + 1] = {3, 1, 4, 1, 5, 6, 2, 7, 1, 3, 2, 0};
    struct train_options o;
    struct trainer *tr = NULL;
    struct w2v_err err;
    train_options_default(&o);
    o.kernel = "batched";
    o.arch = arch ? TRAIN_SKIPGRAM : TRAIN_CBOW;
    o.hs = hs;
    o.negative = negative;
    o.cbow_sum = cbow_sum;
    o.dim = XD;
    o.window = 3;
    o.sample = 0;
    o.alpha = 0.3; /* big steps: a wrong sign or factor shows */
    o.epochs = 1;
    o.threads = 1;
    o.seed = 42;
    CHECK(train_init(&tr, &o, counts, XV, ids, XLEN + 1, &err) == 0);
    const size_t s = tr->model.stride;
    struct xmodel *x = calloc(1, sizeof *x);
    /* Rows of moderate size, so that every score matters. */
    for (int w = 0; w < XV; w++)
        for (int d = 0; d < XD; d++) {
            tr->model.syn0[(size_t)w * s + d] = test_signed(&rng_state) * 0.7f;
            x->syn0[w][d] = tr->model.syn0[(size_t)w * s + d];
            if (tr->model.syn1)
                x->syn1[w][d] = tr->model.syn1[(size_t)w * s + d] = test_signed(&rng_state) * 0.7f;
            if (tr->model.syn1neg)
                x->syn1neg[w][d] = tr->model.syn1neg[(size_t)w * s + d] = test_signed(&rng_state) * 0.7f;
        }
    const double before = x->syn0[1][0];
    xsentence(x, tr, ids, XLEN, (double)(float)o.alpha);
    CHECK(train_run(tr, NULL, NULL, &err) == 0);
    int pad_zero = 1;
    double worst = xcompare(tr->model.syn0, s, x->syn0, &pad_zero);
    worst = fmax(worst, xcompare(tr->model.syn1, s, x->syn1, &pad_zero));
    worst = fmax(worst, xcompare(tr->model.syn1neg, s, x->syn1neg, &pad_zero));
    if (worst >= 2e-5)
        fprintf(stderr, "one sentence, %s%s%s: worst difference %g\n", arch ? "sg" : "cbow",
                hs ? " hs" : "", negative ? " ns" : "", worst);
    CHECK(worst < 2e-5);
    CHECK(pad_zero);
    /* The sentence moved the model at all (the oracle is not vacuous). */
    CHECK(fabs(tr->model.syn0[s] - before) > 1e-3);
    free(x);
    train_release(&tr);
}

static void test_sentence_exact(void)
{
    for (int arch = 0; arch < 2; arch++) {
        sentence_exact(arch, 0, 4, 0);  /* NS, K = 4: repeats and self-draws */
        sentence_exact(arch, 1, 0, 0);  /* HS */
        sentence_exact(arch, 1, 12, 0); /* both; K = 12 over 6 other words */
    }
    sentence_exact(0, 0, 4, 1); /* --cbow-sum */
}

/* The HS clip where the kernels call it: with every score beyond ±6 a
 * sentence must leave the rows untouched (the original skips such nodes),
 * for both kernels and both models. Two words: one inner node, whose
 * labels for the two words differ, so an unclipped step would move it. */
static void test_hs_clip_sentence(void)
{
    for (int k = 0; k < 2; k++)
        for (int arch = 0; arch < 2; arch++)
            for (int sign = -1; sign <= 1; sign += 2) {
                const int32_t ids[] = {1, 2, 1, 2, 0};
                int64_t counts[3] = {1, 2, 2};
                struct train_options o;
                struct trainer *tr = NULL;
                struct w2v_err err;
                train_options_default(&o);
                o.kernel = k ? "batched" : "reference";
                o.arch = arch ? TRAIN_SKIPGRAM : TRAIN_CBOW;
                o.hs = 1;
                o.negative = 0;
                o.dim = 4;
                o.window = 2;
                o.sample = 0;
                o.epochs = 1;
                o.threads = 1;
                CHECK(train_init(&tr, &o, counts, 3, ids, 5, &err) == 0);
                const size_t s = tr->model.stride;
                for (int w = 0; w < 3; w++)
                    for (int d = 0; d < 4; d++) {
                        tr->model.syn0[(size_t)w * s + d] = 2.0f;
                        tr->model.syn1[(size_t)w * s + d] = 2.0f * (float)sign;
                    }
                /* every score is ±16 */
                size_t bytes = 3 * s * sizeof(float);
                float *syn0 = malloc(bytes), *syn1 = malloc(bytes);
                memcpy(syn0, tr->model.syn0, bytes);
                memcpy(syn1, tr->model.syn1, bytes);
                CHECK(train_run(tr, NULL, NULL, &err) == 0);
                int same = memcmp(syn0, tr->model.syn0, bytes) == 0 &&
                           memcmp(syn1, tr->model.syn1, bytes) == 0;
                if (!same)
                    fprintf(stderr, "HS clip: %s kernel, %s, scores %+d: rows moved\n",
                            k ? "batched" : "reference", arch ? "sg" : "cbow", 16 * sign);
                CHECK(same);
                free(syn0);
                free(syn1);
                train_release(&tr);
            }
}

/* ---- corpora --------------------------------------------------------------- */

struct corpus_gen {
    int32_t *ids;
    int64_t n;
    int64_t *counts;
    int32_t vocab;
};

/* Relabel ids 1..V-1 by descending count (as the vocabulary orders them);
 * map[old] = new. Fills c->counts. */
static void relabel(struct corpus_gen *c, int32_t *map)
{
    int64_t *cnt = calloc((size_t)c->vocab, sizeof *cnt);
    int32_t *order = calloc((size_t)c->vocab, sizeof *order);
    for (int64_t i = 0; i < c->n; i++)
        cnt[c->ids[i]]++;
    for (int32_t i = 0; i < c->vocab; i++)
        order[i] = i;
    for (int32_t i = 2; i < c->vocab; i++)
        for (int32_t j = i; j > 1 && cnt[order[j]] > cnt[order[j - 1]]; j--) {
            int32_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    c->counts = calloc((size_t)c->vocab, sizeof *c->counts);
    for (int32_t i = 0; i < c->vocab; i++) {
        map[order[i]] = i;
        c->counts[i] = cnt[order[i]];
    }
    for (int64_t i = 0; i < c->n; i++)
        c->ids[i] = map[c->ids[i]];
    free(cnt);
    free(order);
}

static void corpus_gen_free(struct corpus_gen *c)
{
    free(c->ids);
    free(c->counts);
}

/* Planted pairs: sentences made only of a_i and b_i, or only of fillers.
 * partner[w] is w's planted partner (new ids), or -1. */
static void make_planted(struct corpus_gen *c, int32_t *partner, int pairs, int fillers,
                         int sentences, uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, 0);
    c->vocab = 1 + 2 * pairs + fillers;
    c->ids = calloc((size_t)sentences * 9, sizeof *c->ids);
    c->n = 0;
    for (int s = 0; s < sentences; s++) {
        int pair = rng_below(&r, 2) == 0 ? (int)rng_below(&r, (uint64_t)pairs) : -1;
        for (int k = 0; k < 8; k++)
            c->ids[c->n++] = pair >= 0 ? 1 + 2 * pair + (int32_t)rng_below(&r, 2)
                                       : 1 + 2 * pairs + (int32_t)rng_below(&r, (uint64_t)fillers);
        c->ids[c->n++] = 0;
    }
    int32_t *map = calloc((size_t)c->vocab, sizeof *map);
    relabel(c, map);
    for (int32_t i = 0; i < c->vocab; i++)
        partner[i] = -1;
    for (int p = 0; p < pairs; p++) {
        partner[map[1 + 2 * p]] = map[2 + 2 * p];
        partner[map[2 + 2 * p]] = map[1 + 2 * p];
    }
    free(map);
}

/* A ring of R words: each sentence is a random walk taking steps of -2..2
 * (never 0), so words close on the ring share contexts and the true
 * similarity falls with ring distance. pos[w] is w's place on the ring. */
static void make_ring(struct corpus_gen *c, int32_t *pos, int R, int sentences, int len,
                      uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, 0);
    c->vocab = 1 + R;
    c->ids = calloc((size_t)sentences * (size_t)(len + 1), sizeof *c->ids);
    c->n = 0;
    for (int s = 0; s < sentences; s++) {
        int at = (int)rng_below(&r, (uint64_t)R);
        for (int k = 0; k < len; k++) {
            c->ids[c->n++] = 1 + at;
            int step = (int)rng_below(&r, 4);
            at = (at + (step < 2 ? step - 2 : step - 1) + R) % R;
        }
        c->ids[c->n++] = 0;
    }
    int32_t *map = calloc((size_t)c->vocab, sizeof *map);
    relabel(c, map);
    for (int w = 1; w <= R; w++)
        pos[map[w]] = w - 1;
    free(map);
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

static int train_gen(struct trainer **tr, const struct corpus_gen *c, const char *kernel,
                     int arch, int hs, int threads, int dim, int epochs, uint64_t seed)
{
    struct train_options o;
    struct w2v_err err;
    train_options_default(&o);
    o.kernel = kernel;
    o.arch = arch ? TRAIN_SKIPGRAM : TRAIN_CBOW;
    o.alpha = train_default_alpha(o.arch);
    o.hs = hs;
    o.negative = hs ? 0 : 5;
    o.dim = dim;
    o.window = 3;
    o.sample = 0;
    o.epochs = epochs;
    o.threads = threads;
    o.seed = seed;
    if (train_init(tr, &o, c->counts, c->vocab, c->ids, c->n, &err) != 0)
        return -1;
    return train_run(*tr, NULL, NULL, &err);
}

static const char *combo_name(int arch, int hs)
{
    static const char *names[2][2] = {{"cbow-ns", "cbow-hs"}, {"sg-ns", "sg-hs"}};
    return names[arch][hs];
}

/* ---- planted neighbours ----------------------------------------------------- */

/* Both kernels: the batched one is the default, the reference one is what
 * it is measured against, and each must find every planted partner. */
static void test_planted(void)
{
    enum { PAIRS = 10, FILLERS = 40 };
    static const char *kernel_names[] = {"reference", "batched"};
    struct corpus_gen c;
    int32_t partner[1 + 2 * PAIRS + FILLERS];
    make_planted(&c, partner, PAIRS, FILLERS, 4000, 11);
    for (int k = 0; k < 2; k++)
        for (int arch = 0; arch < 2; arch++)
            for (int hs = 0; hs < 2; hs++)
                for (int threads = 1; threads <= 2; threads++) {
                    struct trainer *tr = NULL;
                    const char *kernel = k ? "batched" : "reference";
                    int ok = train_gen(&tr, &c, kernel, arch, hs, threads, 24, 5, 3) == 0;
                    CHECK(ok);
                    int hits = 0;
                    const size_t s = tr->model.stride;
                    for (int32_t w = 1; ok && w < c.vocab; w++) {
                        if (partner[w] < 0)
                            continue;
                        int32_t best = -1;
                        double best_sim = -2;
                        for (int32_t v = 1; v < c.vocab; v++) {
                            double sim = v == w ? -2 : cosine(tr->model.syn0 + (size_t)w * s,
                                                              tr->model.syn0 + (size_t)v * s, 24);
                            if (sim > best_sim) {
                                best_sim = sim;
                                best = v;
                            }
                        }
                        hits += best == partner[w];
                    }
                    if (hits != 2 * PAIRS)
                        fprintf(stderr, "planted %s (%s), %d thread(s): %d of %d partners nearest\n",
                                combo_name(arch, hs), kernel_names[k], threads, hits, 2 * PAIRS);
                    CHECK(hits == 2 * PAIRS);
                    train_release(&tr);
                }
    corpus_gen_free(&c);
}

/* ---- quality against the reference ------------------------------------------- */

/* Ranks 1..n with ties averaged. */
static void ranks(const double *x, double *rank, int n)
{
    int *idx = malloc((size_t)n * sizeof *idx);
    for (int i = 0; i < n; i++)
        idx[i] = i;
    /* Shell sort by value: n is a few thousand. */
    for (int gap = n / 2; gap > 0; gap /= 2)
        for (int i = gap; i < n; i++)
            for (int j = i; j >= gap && x[idx[j - gap]] > x[idx[j]]; j -= gap) {
                int t = idx[j];
                idx[j] = idx[j - gap];
                idx[j - gap] = t;
            }
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && x[idx[j + 1]] == x[idx[i]])
            j++;
        for (int k = i; k <= j; k++)
            rank[idx[k]] = (i + j) / 2.0 + 1;
        i = j + 1;
    }
    free(idx);
}

static double spearman(const double *a, const double *b, int n)
{
    double *ra = malloc((size_t)n * sizeof *ra), *rb = malloc((size_t)n * sizeof *rb);
    ranks(a, ra, n);
    ranks(b, rb, n);
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) {
        ma += ra[i] / n;
        mb += rb[i] / n;
    }
    for (int i = 0; i < n; i++) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    free(ra);
    free(rb);
    return sab / sqrt(saa * sbb);
}

/* Spearman correlation between cosine similarity and closeness on the ring,
 * over all pairs of ring words. */
static double ring_spearman(const struct trainer *tr, const int32_t *pos, int R)
{
    const int pairs = R * (R - 1) / 2;
    double *sim = malloc((size_t)pairs * sizeof *sim), *close = malloc((size_t)pairs * sizeof *close);
    const size_t s = tr->model.stride;
    int k = 0;
    for (int32_t a = 1; a <= R; a++)
        for (int32_t b = a + 1; b <= R; b++) {
            int d = abs(pos[a] - pos[b]);
            d = d < R - d ? d : R - d;
            close[k] = -(d < 8 ? d : 8); /* beyond 8 steps: no shared context */
            sim[k++] = cosine(tr->model.syn0 + (size_t)a * s, tr->model.syn0 + (size_t)b * s,
                              tr->model.dim);
        }
    double rho = spearman(sim, close, pairs);
    free(sim);
    free(close);
    return rho;
}

/* The batched kernel must learn the ring as well as the reference: a broken
 * gradient (sign, missing update, wrong rows) drops the correlation far. */
static void test_quality_vs_reference(void)
{
    enum { R = 60 };
    struct corpus_gen c;
    int32_t pos[R + 1];
    make_ring(&c, pos, R, 1500, 20, 21);
    for (int arch = 0; arch < 2; arch++)
        for (int hs = 0; hs < 2; hs++) {
            double rho[2];
            for (int k = 0; k < 2; k++) {
                struct trainer *tr = NULL;
                const char *kernel = k ? "batched" : "reference";
                CHECK(train_gen(&tr, &c, kernel, arch, hs, 1, 32, 5, 4) == 0);
                rho[k] = ring_spearman(tr, pos, R);
                train_release(&tr);
            }
            int good = rho[1] > 0.2 && rho[1] > rho[0] - 0.05;
            if (!good || getenv("W2V_TEST_VERBOSE"))
                fprintf(stderr, "ring %s: Spearman reference %.3f, batched %.3f\n",
                        combo_name(arch, hs), rho[0], rho[1]);
            CHECK(good);
        }
    corpus_gen_free(&c);
}

/* ---- reproducibility --------------------------------------------------------- */

/* One thread and one seed give the same bits, for each kernel and each
 * model x objective; another seed does not. */
static void test_reproducible(void)
{
    struct corpus_gen c;
    int32_t partner[1 + 2 * 5 + 20];
    make_planted(&c, partner, 5, 20, 600, 5);
    for (int combo = 0; combo < 8; combo++) {
        const char *const kernel = combo & 4 ? "batched" : "reference";
        const int arch = combo >> 1 & 1, hs = combo & 1;
        float *first = NULL;
        size_t bytes = 0;
        for (int run = 0; run < 3; run++) {
            struct trainer *tr = NULL;
            CHECK(train_gen(&tr, &c, kernel, arch, hs, 1, 16, 2, run == 2 ? 8 : 7) == 0);
            bytes = (size_t)c.vocab * tr->model.stride * sizeof(float);
            if (run == 0) {
                first = malloc(bytes);
                memcpy(first, tr->model.syn0, bytes);
            } else {
                int same = memcmp(first, tr->model.syn0, bytes) == 0;
                CHECK(run == 1 ? same : !same);
            }
            train_release(&tr);
        }
        free(first);
    }
    corpus_gen_free(&c);
}

/* Both objectives at once, large K (several groups of outputs), a window
 * larger than most sentences, --cbow-sum: runs clean (ASan) and learns. */
static void test_odd_settings(void)
{
    struct corpus_gen c;
    int32_t partner[1 + 2 * 6 + 30];
    make_planted(&c, partner, 6, 30, 3000, 17);
    for (int arch = 0; arch < 2; arch++) {
        struct train_options o;
        struct trainer *tr = NULL;
        struct w2v_err err;
        train_options_default(&o);
        o.kernel = "batched";
        o.arch = arch ? TRAIN_SKIPGRAM : TRAIN_CBOW;
        o.hs = 1;
        o.negative = 19; /* 20 outputs: groups of 8, 8 and 4 */
        o.window = 12;
        o.cbow_sum = 1;
        o.alpha = arch ? 0.025 : 0.01;
        o.dim = 40; /* stride 48: three vectors per row */
        o.sample = 1e-2;
        o.epochs = 3;
        o.threads = 2;
        CHECK(train_init(&tr, &o, c.counts, c.vocab, c.ids, c.n, &err) == 0);
        CHECK(train_run(tr, NULL, NULL, &err) == 0);
        int finite = 1, pad = 1;
        const size_t s = tr->model.stride;
        for (int32_t w = 0; w < c.vocab; w++)
            for (size_t i = 0; i < s; i++) {
                float x = tr->model.syn0[w * s + i];
                finite &= isfinite(x);
                pad &= i < 40 || (x == 0.0f && tr->model.syn1neg[w * s + i] == 0.0f &&
                                  tr->model.syn1[w * s + i] == 0.0f);
            }
        CHECK(finite && pad);
        /* Partners more alike than a partner and a filler, on average. */
        double near = 0, far = 0;
        int np = 0;
        for (int32_t w = 1; w < c.vocab; w++)
            if (partner[w] > 0) {
                near += cosine(tr->model.syn0 + w * s, tr->model.syn0 + partner[w] * s, 40);
                int32_t f = w % 2 ? c.vocab - 1 : c.vocab - 2;
                far += cosine(tr->model.syn0 + w * s, tr->model.syn0 + f * s, 40);
                np++;
            }
        CHECK(np == 12 && near / np > far / np + 0.3);
        train_release(&tr);
    }
    corpus_gen_free(&c);
}

static void test_parse(void)
{
    struct train_options d;
    train_options_default(&d);
    CHECK(strcmp(d.kernel, "batched") == 0);
    /* The table: names in --help's order, each found by its name. */
    CHECK(strcmp(train_kernel_name(0), "reference") == 0);
    CHECK(strcmp(train_kernel_name(1), "batched") == 0);
    CHECK(strcmp(train_kernel_name(2), "subword") == 0);
    CHECK(strcmp(train_kernel_name(3), "senses") == 0 && train_kernel_name(4) == NULL);
    CHECK(train_kernel_find("batched") && train_kernel_find("batched")->train_sentence);
    CHECK(train_kernel_find("turbo") == NULL && train_kernel_find(NULL) == NULL);
    struct train_options o;
    size_t ref_bytes, batch_bytes;
    train_options_default(&o);
    o.kernel = "reference";
    CHECK(train_memory_bytes(&o, 1000, &ref_bytes) == 0);
    o.kernel = "batched";
    CHECK(train_memory_bytes(&o, 1000, &batch_bytes) == 0);
    CHECK(batch_bytes > ref_bytes && batch_bytes - ref_bytes < 4096);
}

/* ---- the centre hook (kernel_batch_on_centre) ---------------------------- */

extern const struct train_kernel kernel_batch;

struct hook_log {
    const struct trainer *tr;
    int calls, bad;
    int32_t last_i;
};

/* Checks each call against the sentence (ids 1..len, all distinct, so an
 * id is its position + 1): the centre, a window around it, the rows the
 * kernel trains (one thread: the shared rows), at most K negatives. */
static void hook_check(struct train_thread *t, void *arg, const struct batch_centre *c)
{
    struct hook_log *h = arg;
    const struct trainer *tr = h->tr;
    const size_t n = tr->model.stride;
    h->calls++;
    h->bad += t->tr != tr || c->i <= h->last_i || c->i >= c->len || c->sen[c->i] != c->i + 1;
    h->last_i = c->i;
    h->bad += c->B < 1 || c->B > 2 * tr->opt.window || c->n_neg < 0 || c->n_neg > tr->opt.negative;
    for (int j = 0; j < c->B; j++) {
        int32_t pos = c->ctx_id[j] - 1, d = pos > c->i ? pos - c->i : c->i - pos;
        h->bad += d < 1 || d > tr->opt.window;
        h->bad += c->in[j] != model_row(tr->model.syn0, n, c->ctx_id[j]);
        h->bad += c->ctx_out[j] != model_row(tr->model.syn1neg, n, c->ctx_id[j]);
    }
    float draws = 0;
    for (int q = 0; q < c->n_neg; q++) {
        draws += c->neg_mult[q];
        ptrdiff_t row = (c->neg[q] - tr->model.syn1neg) / (ptrdiff_t)n;
        h->bad += row < 1 || row >= tr->vocab_size || row == c->sen[c->i] ||
                  c->neg[q] != model_row(tr->model.syn1neg, n, (int32_t)row);
    }
    h->bad += draws > (float)tr->opt.negative;
}

/* Two one-thread trainers with the same options and stream and a batched
 * thread each, to train side by side and compare bit for bit. Returns 0,
 * or -1 (and fails the check) when one cannot be made. */
static int twin_trainers(const struct train_options *o, const int64_t *counts, int32_t V,
                         const int32_t *ids, int64_t n, struct trainer *tr[2],
                         struct train_thread t[2])
{
    for (int k = 0; k < 2; k++) {
        struct w2v_err err;
        tr[k] = NULL;
        if (train_init(&tr[k], o, counts, V, ids, n, &err) != 0) {
            CHECK(0);
            if (k == 1) {
                kernel_batch.thread_release(&t[0]);
                train_release(&tr[0]);
            }
            return -1;
        }
        train_thread_setup(&t[k], tr[k], 0);
        t[k].alpha = 0.025f;
        CHECK(kernel_batch.thread_init(&t[k]) == 0);
    }
    return 0;
}

/* A hook sees every centre word with its window and negatives, and the
 * model trains as without it, bit for bit (it draws nothing from t->rng). */
static void test_centre_hook(void)
{
    enum { V = 40, LEN = 30 };
    int64_t counts[V];
    for (int i = 0; i < V; i++)
        counts[i] = 100 - i;
    int32_t ids[LEN + 1], sen[LEN];
    for (int i = 0; i < LEN; i++)
        ids[i] = sen[i] = i + 1;
    ids[LEN] = 0;
    struct trainer *tr[2];
    struct train_thread t[2];
    struct hook_log h = {0};
    struct train_options o;
    train_options_default(&o);
    o.arch = TRAIN_SKIPGRAM;
    o.dim = 16;
    o.window = 4;
    o.sample = 0;
    o.threads = 1;
    o.seed = 11;
    if (twin_trainers(&o, counts, V, ids, LEN + 1, tr, t) != 0)
        return;
    h.tr = tr[1];
    h.last_i = -1;
    kernel_batch_on_centre(t[1].buf, hook_check, &h);
    for (int k = 0; k < 2; k++)
        kernel_batch.train_sentence(&t[k], sen, LEN);
    CHECK(h.calls == LEN);
    CHECK(h.bad == 0);
    const size_t bytes = (size_t)V * tr[0]->model.stride * sizeof(float);
    CHECK(memcmp(tr[0]->model.syn0, tr[1]->model.syn0, bytes) == 0);
    CHECK(memcmp(tr[0]->model.syn1neg, tr[1]->model.syn1neg, bytes) == 0);
    CHECK(memcmp(&t[0].rng, &t[1].rng, sizeof t[0].rng) == 0);
    /* Off again: no more calls. */
    kernel_batch_on_centre(t[1].buf, NULL, NULL);
    kernel_batch.train_sentence(&t[1], sen, LEN);
    CHECK(h.calls == LEN);
    for (int k = 0; k < 2; k++) {
        kernel_batch.thread_release(&t[k]);
        train_release(&tr[k]);
    }
}

/* The next line's ids (t->next_ids) are only prefetched: with them, and
 * with lines and ids that stop short or run out, every configuration
 * trains the same bits as without (no random number drawn, no row
 * written). */
static void test_next_line_prefetch(void)
{
    enum { V = 40, LEN = 12, NEXT = 10 };
    int64_t counts[V];
    for (int i = 0; i < V; i++)
        counts[i] = 100 - i;
    int32_t ids[LEN + 1], sen[LEN];
    for (int i = 0; i < LEN; i++)
        ids[i] = sen[i] = 1 + (i * 7) % (V - 1);
    ids[LEN] = 0;
    /* the next line: four words, its end, then more (not to be touched) */
    const int32_t next[NEXT] = {5, 9, 1, 30, 0, 2, 3, 4, 6, 7};
    for (int combo = 0; combo < 4; combo++) {
        struct trainer *tr[2];
        struct train_thread t[2];
        struct train_options o;
        train_options_default(&o);
        o.arch = combo & 1 ? TRAIN_SKIPGRAM : TRAIN_CBOW;
        o.hs = (combo & 2) != 0;
        o.negative = combo & 2 ? 0 : 5;
        o.dim = 16;
        o.sample = 0;
        o.threads = 1;
        o.seed = 5;
        if (twin_trainers(&o, counts, V, ids, LEN + 1, tr, t) != 0)
            return;
        CHECK(t[0].next_ids == NULL && t[0].next_n == 0);
        for (int len = 2; len <= LEN; len += 5)
            for (int n = 0; n <= NEXT; n += 3) {
                t[1].next_ids = next;
                t[1].next_n = n;
                for (int k = 0; k < 2; k++)
                    kernel_batch.train_sentence(&t[k], sen, len);
            }
        const size_t bytes = (size_t)V * tr[0]->model.stride * sizeof(float);
        CHECK(memcmp(tr[0]->model.syn0, tr[1]->model.syn0, bytes) == 0);
        if (combo & 2)
            CHECK(memcmp(tr[0]->model.syn1, tr[1]->model.syn1, bytes) == 0);
        else
            CHECK(memcmp(tr[0]->model.syn1neg, tr[1]->model.syn1neg, bytes) == 0);
        CHECK(memcmp(&t[0].rng, &t[1].rng, sizeof t[0].rng) == 0);
        for (int k = 0; k < 2; k++) {
            kernel_batch.thread_release(&t[k]);
            train_release(&tr[k]);
        }
    }
}

/* ---- the sync gap of the private copies (kernel_batch_sync_words) -------- */

/* A thread's copies miss what the other threads train between two of its
 * syncs, so the gap shrinks as threads are added: together the others
 * train about the same number of words between two syncs at any count
 * (with a fixed gap of 8,192 of its own words, 4 threads lost a fifth of
 * skip-gram NS's analogy). */
static void test_sync_words(void)
{
    const int64_t big = 1000000000; /* an epoch long enough not to cap the gap */
    const int64_t at2 = kernel_batch_sync_words(big, 2);
    CHECK(at2 >= 1024);
    for (int threads = 2; threads <= 256; threads++) {
        const int64_t gap = kernel_batch_sync_words(big, threads);
        const int64_t others = gap * (threads - 1);
        CHECK(gap >= 1);
        CHECK(others <= at2);
        /* integer division loses less than one word per other thread */
        CHECK(others > at2 - (threads - 1) || gap == 1);
        CHECK(gap <= kernel_batch_sync_words(big, threads - 1) || threads == 2);
    }
    CHECK(kernel_batch_sync_words(big, 4) == at2 / 3);
    /* Short epochs: every thread syncs at least 256 times an epoch. */
    CHECK(kernel_batch_sync_words(2 * 256 * 100, 2) == 100);
    CHECK(kernel_batch_sync_words(10, 2) == 1);
    CHECK(kernel_batch_sync_words(0, 4) == 1);
}

/* ---- which rows get private copies (kernel_batch_hot_rows) ---------------- */

/* A trainer over V words with the given counts (ids 1..V-1), for the
 * policy alone: a three-word stream, never run. */
static struct trainer *policy_trainer(const int64_t *counts, int32_t V, int threads, int hs,
                                      int negative)
{
    static const int32_t ids[] = {1, 2, 0};
    struct train_options o;
    struct w2v_err err;
    struct trainer *tr = NULL;
    train_options_default(&o);
    o.threads = threads;
    o.hs = hs;
    o.negative = negative;
    o.window = 5;
    o.sample = 0; /* keep = 1: a row's touches follow its count alone */
    CHECK(train_init(&tr, &o, counts, V, ids, 3, &err) == 0);
    return tr;
}

/* A thread touches input row r about S (window + 1) c_r / sum(c) times in
 * S kept words (no subsampling). */
static double input_touches(const int64_t *counts, int32_t V, int32_t r, int64_t S)
{
    double total = 0;
    for (int32_t w = 1; w < V; w++)
        total += (double)counts[w];
    return (double)S * 6.0 * (double)counts[r] / total;
}

/* The share of the words (no subsampling) whose Huffman path runs through
 * inner node `node`: the words below it. */
static double node_share(const struct trainer *tr, int32_t node)
{
    const struct huffman *hf = &tr->huffman;
    double below = 0, total = 0;
    for (int32_t w = 1; w < tr->vocab_size; w++) {
        total += (double)tr->counts[w];
        for (int32_t b = 0; b < hf->length[w - 1]; b++)
            if (hf->points[hf->offset[w - 1] + b] == node)
                below += (double)tr->counts[w];
    }
    return below / total;
}

/* The copies cover the rows a thread touches often between two syncs: all
 * of them up to the caps when syncs are far apart, fewer as the gap
 * shrinks (more threads), none when a sync follows every word; one
 * threshold on the expected touches explains every count; a flat
 * vocabulary has all rows or none; more negatives make output rows hotter. */
static void test_hot_rows(void)
{
    enum { V = 8000 };
    int64_t *zipf = calloc(V, sizeof *zipf), *flat = calloc(V, sizeof *flat);
    for (int32_t w = 1; w < V; w++) {
        zipf[w] = 10000000 / w;
        flat[w] = 1000;
    }
    struct trainer *one = policy_trainer(zipf, V, 1, 1, 5);
    struct batch_hot_rows h1 = kernel_batch_hot_rows(one, 8192);
    CHECK(h1.in == 0 && h1.out == 0 && h1.hs == 0 && h1.hs_averaged == 0); /* one thread */
    train_release(&one);

    struct trainer *tr = policy_trainer(zipf, V, 2, 1, 5);
    const int64_t gaps[] = {1000000, 8192, 2730, 1170, 546, 100, 10, 1};
    struct batch_hot_rows prev = kernel_batch_hot_rows(tr, gaps[0]);
    CHECK(prev.in == V / 8 && prev.out == V / 8 && prev.hs == V / 8); /* the caps */
    /* Averaged: the root (on every path) and the nodes below it down to one
     * share of the words, a small one but not all the copies; CBOW only. */
    CHECK(prev.hs_averaged >= 1 && prev.hs_averaged < prev.hs / 2);
    const int32_t root = V - 3, last = root + 1 - prev.hs_averaged;
    CHECK(node_share(tr, root) > 0.999);
    double least = 1;
    for (int32_t node = last; node <= root; node++) {
        const double share = node_share(tr, node);
        least = share < least ? share : least;
    }
    CHECK(least >= 1.0 / 1024 && least <= 1.0 / 8);
    CHECK(node_share(tr, last - 1) < least); /* the first node not averaged */
    /* The same nodes for MPI ranks of one thread each (train_hs_averaged:
     * no copies, the same rule), none for skip-gram. */
    struct trainer *lone = policy_trainer(zipf, V, 1, 1, 5);
    CHECK(train_hs_averaged(lone) == prev.hs_averaged);
    lone->opt.arch = TRAIN_SKIPGRAM;
    CHECK(train_hs_averaged(lone) == 0);
    train_release(&lone);
    struct trainer *sg = policy_trainer(zipf, V, 2, 1, 5);
    sg->opt.arch = TRAIN_SKIPGRAM;
    const struct batch_hot_rows hsg = kernel_batch_hot_rows(sg, gaps[0]);
    CHECK(hsg.hs == prev.hs && hsg.hs_averaged == 0);
    /* Skip-gram syncs its Huffman copies twice as often as CBOW, so at the
     * same gap a node needs twice the touches to be worth a copy. */
    int fewer_sg = 0;
    for (size_t g = 1; g < sizeof gaps / sizeof *gaps; g++) {
        const int32_t n_sg = kernel_batch_hot_rows(sg, gaps[g]).hs;
        const int32_t n_cbow = kernel_batch_hot_rows(tr, gaps[g]).hs;
        CHECK(n_sg <= n_cbow);
        fewer_sg += n_sg < n_cbow;
    }
    CHECK(fewer_sg >= 2);
    train_release(&sg);
    double lo = 0, hi = 1e300; /* the threshold every count agrees with */
    for (size_t g = 1; g < sizeof gaps / sizeof *gaps; g++) {
        const struct batch_hot_rows h = kernel_batch_hot_rows(tr, gaps[g]);
        CHECK(h.in <= prev.in && h.out <= prev.out && h.hs <= prev.hs);
        CHECK(h.hs_averaged <= h.hs);
        if (h.in > 0 && h.in < V / 8) {
            const double at = input_touches(zipf, V, h.in, gaps[g]);
            const double past = input_touches(zipf, V, h.in + 1, gaps[g]);
            hi = at < hi ? at : hi;
            lo = past > lo ? past : lo;
        }
        prev = h;
    }
    CHECK(prev.in == 0 && prev.out == 0 && prev.hs == 0); /* a sync after every word */
    CHECK(lo > 0 && lo < hi);                              /* one threshold ... */
    CHECK(hi >= 1.0 && lo <= 8.0);                         /* ... of a few touches */
    train_release(&tr);

    struct trainer *more = policy_trainer(zipf, V, 2, 0, 20);
    struct trainer *fewer = policy_trainer(zipf, V, 2, 0, 5);
    const struct batch_hot_rows m = kernel_batch_hot_rows(more, 546);
    const struct batch_hot_rows f = kernel_batch_hot_rows(fewer, 546);
    CHECK(m.out > f.out && m.in == f.in && m.hs == 0 && f.hs == 0);
    CHECK(m.hs_averaged == 0 && f.hs_averaged == 0); /* no hs */
    train_release(&more);
    train_release(&fewer);

    /* Flat: each row is touched S * 6 / (V - 1) times. */
    struct trainer *ft = policy_trainer(flat, V, 2, 0, 5);
    const struct batch_hot_rows all = kernel_batch_hot_rows(ft, 100000);
    const struct batch_hot_rows none = kernel_batch_hot_rows(ft, 100);
    CHECK(all.in == V / 8 && all.out == V / 8);
    CHECK(none.in == 0 && none.out == 0);
    train_release(&ft);
    free(zipf);
    free(flat);
}

int main(void)
{
    TEST_RUN(test_sentence_exact);
    TEST_RUN(test_hs_clip_sentence);
    TEST_RUN(test_parse);
    TEST_RUN(test_planted);
    TEST_RUN(test_quality_vs_reference);
    TEST_RUN(test_reproducible);
    TEST_RUN(test_odd_settings);
    TEST_RUN(test_centre_hook);
    TEST_RUN(test_next_line_prefetch);
    TEST_RUN(test_sync_words);
    TEST_RUN(test_hot_rows);
    return TEST_REPORT("test_train_batch");
}
