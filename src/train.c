/* train.c — the learning-rate schedule, the reference kernels, the thread
 * pool and progress counters. */
#include "w2v/train.h"

#include "w2v/kernel_senses.h"
#include "w2v/train_batch.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

double train_default_alpha(enum train_arch arch)
{
    return arch == TRAIN_CBOW ? 0.05 : 0.025;
}

void train_options_default(struct train_options *o)
{
    memset(o, 0, sizeof *o);
    o->arch = TRAIN_CBOW;
    o->kernel = TRAIN_KERNEL_BATCHED;
    o->dim = 100;
    o->window = 5;
    o->negative = 5;
    o->ns_exponent = 0.75;
    o->hs = 0;
    o->cbow_sum = 0;
    o->sample = 1e-3;
    o->alpha = train_default_alpha(o->arch);
    o->epochs = 5;
    o->threads = 1;
    o->seed = 1;
    o->senses = 0;
    o->senses_vocab = W2V_SENSES_DEFAULT_VOCAB;
    o->senses_threshold = W2V_SENSES_DEFAULT_THRESHOLD;
}

int train_options_check(const struct train_options *o, struct w2v_err *err)
{
    if (o->arch != TRAIN_CBOW && o->arch != TRAIN_SKIPGRAM)
        return w2v_fail(err, W2V_EINVAL, "unknown model");
    if (o->kernel != TRAIN_KERNEL_REFERENCE && o->kernel != TRAIN_KERNEL_BATCHED)
        return w2v_fail(err, W2V_EINVAL, "unknown kernel");
    if (o->negative < 0)
        return w2v_fail(err, W2V_EINVAL, "the number of negatives cannot be negative");
    if (o->negative == 0 && !o->hs)
        return w2v_fail(err, W2V_EINVAL,
                        "nothing to train: --negative 0 needs --hs (hierarchical softmax)");
    if (o->dim < 1 || o->window < 1 || o->epochs < 1 || o->threads < 1)
        return w2v_fail(err, W2V_EINVAL, "dim, window, epochs and threads must be at least 1");
    if (!(o->alpha > 0.0) || !isfinite(o->alpha))
        return w2v_fail(err, W2V_EINVAL, "the learning rate must be a positive number");
    if (!(o->sample >= 0.0) || !isfinite(o->sample))
        return w2v_fail(err, W2V_EINVAL, "the sample threshold must be 0 or more");
    if (!isfinite(o->ns_exponent))
        return w2v_fail(err, W2V_EINVAL, "the negative-sampling exponent must be finite");
    if (o->senses != 0) {
        if (o->senses < 1 || o->senses > W2V_SENSES_MAX)
            return w2v_fail(err, W2V_EINVAL, "--senses takes 1 to %d senses per word, not %d",
                            W2V_SENSES_MAX, o->senses);
        if (o->arch != TRAIN_SKIPGRAM)
            return w2v_fail(err, W2V_EINVAL, "--senses needs --model skipgram");
        if (o->negative < 1)
            return w2v_fail(err, W2V_EINVAL, "--senses needs negative sampling (--negative 1 or more)");
        if (o->senses_vocab < 1)
            return w2v_fail(err, W2V_EINVAL, "--senses-vocab must be at least 1");
        if (!(o->senses_threshold >= -1.0 && o->senses_threshold <= 1.0))
            return w2v_fail(err, W2V_EINVAL, "--senses-threshold is a cosine in [-1, 1]");
    }
    return 0;
}

int train_kernel_parse(const char *name, enum train_kernel *out)
{
    if (strcmp(name, "reference") == 0) {
        *out = TRAIN_KERNEL_REFERENCE;
        return 0;
    }
    if (strcmp(name, "batched") == 0) {
        *out = TRAIN_KERNEL_BATCHED;
        return 0;
    }
    return W2V_EINVAL;
}

double train_alpha(double alpha0, int64_t done, int64_t total)
{
    double alpha = alpha0 * (1.0 - (double)done / ((double)total + 1.0));
    double floor = alpha0 * W2V_MIN_ALPHA_FRACTION;
    return alpha < floor ? floor : alpha;
}

/* floor(n * t / threads) without forming n * t, which could overflow. */
static int64_t slice_point(int64_t n, int threads, int t)
{
    return n / threads * t + n % threads * t / threads;
}

void train_slice_raw(int64_t n, int threads, int t, int64_t *lo, int64_t *hi)
{
    *lo = slice_point(n, threads, t);
    *hi = slice_point(n, threads, t + 1);
}

int64_t train_align_start(const int32_t *ids, int64_t n, int64_t pos)
{
    if (pos <= 0)
        return 0;
    if (pos >= n)
        return n;
    int64_t limit = pos + (int64_t)W2V_MAX_SENTENCE * 64;
    int64_t q = pos;
    for (; q < n && q < limit; q++)
        if (ids[q - 1] == 0)
            return q;
    return q >= n ? n : pos;
}

/* ---- kernels ------------------------------------------------------------
 * Rows are [stride] floats with stride a multiple of 16 and zero padding past
 * dim, so the loops run over whole blocks of 16: sixteen independent
 * accumulators let gcc vectorise the dot product without -ffast-math (no
 * reassociation is needed; the final sum has a fixed order, so results do
 * not depend on the vector width). Padding stays zero: every update adds a
 * multiple of another zero-padded row. */

// a, b: [n]
static inline float vec_dot(const float *restrict a, const float *restrict b, size_t n)
{
    float acc[16] = {0};
    for (size_t i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++)
            acc[k] += a[i + k] * b[i + k];
    for (int w = 8; w > 0; w /= 2)
        for (int k = 0; k < w; k++)
            acc[k] += acc[k + w];
    return acc[0];
}

// y[n] += a * x[n]; blocks of 16 so no scalar tail is generated
static inline void vec_axpy(float a, const float *restrict x, float *restrict y, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++)
            y[i + k] += a * x[i + k];
}

// y[n] = 0
static inline void vec_zero(float *y, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++)
            y[i + k] = 0.0f;
}

// y[n] *= a
static inline void vec_scale(float *y, float a, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        for (int k = 0; k < 16; k++)
            y[i + k] *= a;
}

/* Negative sampling for one (input h, word) pair: the word as positive and
 * K draws from the unigram^0.75 table as negatives (a draw equal to the word
 * is skipped, as in the original).
 * h: [n] the input (a syn0 row, or the CBOW hidden layer); e: [n] gradient
 * accumulated for h; syn1neg: [V, n] row-major. */
static inline void ns_pair(struct train_thread *t, const float *restrict h, float *restrict e,
                           int32_t word)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    const float alpha = t->alpha;
    for (int d = 0; d <= tr->opt.negative; d++) {
        int32_t target = word;
        float label = 1.0f;
        if (d > 0) {
            target = alias_sample(&tr->negatives, &t->rng);
            if (target == word)
                continue;
            label = 0.0f;
        }
        float *out = model_row(tr->model.syn1neg, n, target);
        float f = vec_dot(h, out, n);
        float g;
        /* Outside the table σ is taken as 0 or 1 (the original's rule);
         * written so that a NaN score takes a bounded branch. */
        if (!(f < W2V_SIGMOID_MAX))
            g = (label - 1.0f) * alpha;
        else if (!(f > -W2V_SIGMOID_MAX))
            g = label * alpha;
        else
            g = (label - train_sigmoid(tr->sigmoid, f)) * alpha;
        vec_axpy(g, out, e, n);
        /* Hogwild: other threads may read or update this output row at the
         * same moment; lost or mixed updates are rare and tolerated. */
        vec_axpy(g, h, out, n);
    }
}

/* Hierarchical softmax for one (input h, word) pair: walk the word's
 * Huffman path, one logistic regression per inner node. Scores outside the
 * table are skipped, as in the original.
 * h: [n]; e: [n]; syn1: [V-1, n] inner-node rows. */
static inline void hs_pair(struct train_thread *t, const float *restrict h, float *restrict e,
                           int32_t word)
{
    const struct trainer *tr = t->tr;
    const struct huffman *hf = &tr->huffman;
    const size_t n = tr->model.stride;
    const float alpha = t->alpha;
    const int32_t code = word - 1; /* the tree leaves out </s> */
    const int64_t off = hf->offset[code];
    const int32_t len = hf->length[code];
    for (int32_t b = 0; b < len; b++) {
        float *node = model_row(tr->model.syn1, n, hf->points[off + b]);
        float f = vec_dot(h, node, n);
        if (!(f > -W2V_SIGMOID_MAX && f < W2V_SIGMOID_MAX))
            continue;
        float g = (1.0f - (float)hf->code_bits[off + b] - train_sigmoid(tr->sigmoid, f)) * alpha;
        vec_axpy(g, node, e, n);
        /* Hogwild: unsynchronised update of a shared row (see ns_pair). */
        vec_axpy(g, h, node, n);
    }
}

/* Skip-gram, per pair: each context word's input row predicts the centre
 * word (the original's orientation), and gets its gradient at once. */
static void sentence_skipgram(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    float *e = t->neu1e;
    for (int32_t i = 0; i < len; i++) {
        int32_t word = sen[i];
        int win = sampling_window(&t->rng, tr->opt.window);
        int32_t a = i > win ? i - win : 0;
        int32_t b = len - 1 - i > win ? i + win : len - 1;
        for (int32_t j = a; j <= b; j++) {
            if (j == i)
                continue;
            // syn0: [V, n] row-major; l1 is the context word's row
            float *l1 = model_row(tr->model.syn0, n, sen[j]);
            vec_zero(e, n);
            if (tr->opt.hs)
                hs_pair(t, l1, e, word);
            if (tr->opt.negative > 0)
                ns_pair(t, l1, e, word);
            /* Hogwild: unsynchronised update of a shared input row. */
            vec_axpy(1.0f, e, l1, n);
        }
    }
}

/* CBOW: the context rows are gathered (ids in t->context) and averaged (or
 * summed) into neu1, which predicts the centre word; every context row then
 * receives the same gradient, as in the original. */
static void sentence_cbow(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    float *h = t->neu1, *e = t->neu1e;
    for (int32_t i = 0; i < len; i++) {
        int32_t word = sen[i];
        int win = sampling_window(&t->rng, tr->opt.window);
        int32_t a = i > win ? i - win : 0;
        int32_t b = len - 1 - i > win ? i + win : len - 1;
        int32_t cw = 0;
        vec_zero(h, n);
        for (int32_t j = a; j <= b; j++) {
            if (j == i)
                continue;
            t->context[cw++] = sen[j];
            // syn0: [V, n]; h: [n] += row
            vec_axpy(1.0f, model_row(tr->model.syn0, n, sen[j]), h, n);
        }
        if (cw == 0)
            continue;
        if (!tr->opt.cbow_sum)
            vec_scale(h, 1.0f / (float)cw, n);
        vec_zero(e, n);
        if (tr->opt.hs)
            hs_pair(t, h, e, word);
        if (tr->opt.negative > 0)
            ns_pair(t, h, e, word);
        for (int32_t k = 0; k < cw; k++)
            /* Hogwild: unsynchronised update of a shared input row. */
            vec_axpy(1.0f, e, model_row(tr->model.syn0, n, t->context[k]), n);
    }
}

void train_sentence_reference(struct train_thread *t, const int32_t *sentence, int32_t len)
{
    if (t->tr->opt.arch == TRAIN_CBOW)
        sentence_cbow(t, sentence, len);
    else
        sentence_skipgram(t, sentence, len);
}

/* The sentence function of each kernel, indexed by enum train_kernel. A
 * new kernel adds its entry here and its buffers to struct train_thread. */
static void (*const train_kernels[])(struct train_thread *, const int32_t *, int32_t) = {
    [TRAIN_KERNEL_REFERENCE] = train_sentence_reference,
    [TRAIN_KERNEL_BATCHED] = train_sentence_batched,
};

/* ---- threads -------------------------------------------------------------- */

/* Add the thread's pending counts to the shared ones and take the new
 * learning rate from the global total. Relaxed order suffices: the counts
 * are statistics, nothing is published through them. */
static void thread_flush(struct train_thread *t)
{
    struct trainer *tr = t->tr;
    int64_t done = atomic_fetch_add_explicit(&tr->words_done, t->pending_words,
                                             memory_order_relaxed) + t->pending_words;
    atomic_fetch_add_explicit(&tr->words_kept, t->pending_kept, memory_order_relaxed);
    t->pending_words = 0;
    t->pending_kept = 0;
    t->alpha = (float)train_alpha(tr->opt.alpha, done,
                                  tr->words_per_epoch * (int64_t)tr->opt.epochs);
}

static void *thread_main(void *arg)
{
    struct train_thread *t = arg;
    struct trainer *tr = t->tr;
    const int32_t *ids = tr->ids;
    const float *keep = tr->keep;
    void (*kernel)(struct train_thread *, const int32_t *, int32_t) =
        train_kernels[tr->opt.kernel];

    thread_flush(t);
    for (int epoch = 0; epoch < tr->opt.epochs; epoch++) {
        int64_t pos = t->lo;
        while (pos < t->hi) {
            if (atomic_load_explicit(&tr->stop, memory_order_relaxed))
                goto out;
            /* One sentence: up to its end, the slice's end, or the cap
             * (the rest then continues as the next sentence). */
            int32_t len = 0;
            while (pos < t->hi && len < W2V_MAX_SENTENCE) {
                int32_t w = ids[pos++];
                if (w == 0)
                    break;
                t->pending_words++;
                float p = keep[w];
                if (p < 1.0f && rng_uniform(&t->rng) >= p)
                    continue;
                t->sentence[len++] = w;
            }
            t->pending_kept += len;
            if (len > 1) {
                kernel(t, t->sentence, len);
                if (t->senses)
                    train_sentence_senses(t, t->sentence, len);
            }
            if (t->pending_words >= W2V_PROGRESS_BATCH)
                thread_flush(t);
        }
        thread_flush(t);
    }
out:
    thread_flush(t);
    atomic_fetch_sub_explicit(&tr->running, 1, memory_order_release);
    return NULL;
}

static void fill_progress(struct trainer *tr, const struct timespec *start,
                          struct train_progress *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    p->words_done = atomic_load_explicit(&tr->words_done, memory_order_relaxed);
    p->words_kept = atomic_load_explicit(&tr->words_kept, memory_order_relaxed);
    p->words_total = tr->words_per_epoch * (int64_t)tr->opt.epochs;
    p->epochs = tr->opt.epochs;
    int64_t epoch = tr->words_per_epoch > 0 ? p->words_done / tr->words_per_epoch + 1 : 1;
    p->epoch = epoch > tr->opt.epochs ? tr->opt.epochs : (int)epoch;
    p->alpha = train_alpha(tr->opt.alpha, p->words_done, p->words_total);
    p->elapsed = (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int train_memory_bytes(const struct train_options *opt, int64_t vocab_size, size_t *out)
{
    size_t total, per_word, threads_bytes;
    if (vocab_size < 1 || opt->dim < 1 || opt->threads < 1 || opt->window < 0)
        return W2V_EOVERFLOW;
    if (model_bytes(vocab_size, opt->dim, opt->hs, opt->negative > 0, &total) != 0)
        return W2V_EOVERFLOW;
    /* keep-probability (4) + alias entry (8), and for HS offset (8) +
     * length (4) + per code bit 5 bytes on the Huffman path, whose mean
     * length is below log2(V) + 1. */
    per_word = 4 + (opt->negative > 0 ? 8 : 0);
    if (opt->hs)
        per_word += 12 + 5 * (size_t)(log2((double)vocab_size) + 2.0);
    size_t stride = ((size_t)opt->dim + W2V_MODEL_ROW_ALIGN - 1) / W2V_MODEL_ROW_ALIGN *
                    W2V_MODEL_ROW_ALIGN;
    size_t per_thread = sizeof(struct train_thread) + 2 * stride * sizeof(float) +
                        W2V_MAX_SENTENCE * sizeof(int32_t) +
                        2 * (size_t)opt->window * sizeof(int32_t);
    if (opt->kernel == TRAIN_KERNEL_BATCHED)
        per_thread += batch_buf_bytes(opt, opt->hs ? (int32_t)log2((double)vocab_size) * 2 + 8 : 0);
    if (opt->senses > 0) {
        size_t table;
        int64_t n = opt->senses_vocab < vocab_size - 1 ? opt->senses_vocab : vocab_size - 1;
        per_thread += senses_buf_bytes(opt);
        if (senses_bytes(n > 0 ? n : 1, opt->senses, opt->dim, &table) != 0 ||
            w2v_size_add(total, table, &total) != 0)
            return W2V_EOVERFLOW;
    }
    if (w2v_size_mul((size_t)vocab_size, per_word, &per_word) != 0 ||
        w2v_size_add(total, per_word, &total) != 0 ||
        w2v_size_mul((size_t)opt->threads, per_thread, &threads_bytes) != 0 ||
        w2v_size_add(total, threads_bytes, &total) != 0)
        return W2V_EOVERFLOW;
    *out = total;
    return 0;
}

int train_init(struct trainer *tr, const struct train_options *opt, const int64_t *counts,
               int32_t vocab_size, const int32_t *ids, int64_t n_ids, struct w2v_err *err)
{
    int64_t *neg_counts = NULL;
    int status;
    memset(tr, 0, sizeof *tr);
    atomic_init(&tr->words_done, 0);
    atomic_init(&tr->words_kept, 0);
    atomic_init(&tr->stop, 0);
    atomic_init(&tr->running, 0);
    status = train_options_check(opt, err);
    if (status != 0)
        return status;
    if (vocab_size < 2)
        return w2v_fail(err, W2V_EEMPTY, "the vocabulary has no words to train");
    tr->opt = *opt;
    tr->vocab_size = vocab_size;
    tr->ids = ids;
    tr->n_ids = n_ids;

    /* The stream may come from anywhere: check every id once, here, so the
     * kernels never need to. */
    for (int64_t i = 0; i < n_ids; i++) {
        if (ids[i] < 0 || ids[i] >= vocab_size) {
            status = w2v_fail(err, W2V_EINVAL, "word id %ld at position %lld is out of range",
                              (long)ids[i], (long long)i);
            goto fail;
        }
        if (ids[i] != 0)
            tr->words_per_epoch++;
    }
    if (tr->words_per_epoch == 0) {
        status = w2v_fail(err, W2V_EEMPTY, "the corpus has no words to train on");
        goto fail;
    }
    int64_t total = 0;
    for (int32_t w = 1; w < vocab_size; w++) {
        if (counts[w] < 0 || counts[w] > INT64_MAX - total) {
            status = w2v_fail(err, W2V_EINVAL, "bad word count for word id %ld", (long)w);
            goto fail;
        }
        total += counts[w];
    }
    if (total <= 0) {
        status = w2v_fail(err, W2V_EEMPTY, "every word count is zero");
        goto fail;
    }

    status = model_init(&tr->model, vocab_size, opt->dim, opt->hs, opt->negative > 0, opt->seed,
                        err);
    if (status != 0)
        goto fail;
    tr->keep = w2v_calloc((size_t)vocab_size, sizeof *tr->keep);
    if (!tr->keep) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory for the subsampling table");
        goto fail;
    }
    status = sampling_keep_probs(tr->keep, counts, vocab_size, total, opt->sample, err);
    if (status != 0)
        goto fail;
    if (opt->negative > 0) {
        /* </s> is a separator, never a negative: weight zero. */
        neg_counts = w2v_calloc((size_t)vocab_size, sizeof *neg_counts);
        if (!neg_counts) {
            status = w2v_fail(err, W2V_ENOMEM, "out of memory for the negative sampler");
            goto fail;
        }
        memcpy(neg_counts + 1, counts + 1, (size_t)(vocab_size - 1) * sizeof *neg_counts);
        status = alias_build(&tr->negatives, neg_counts, vocab_size, opt->ns_exponent, err);
        if (status != 0)
            goto fail;
    }
    if (opt->hs) {
        /* </s> is never predicted, so the tree covers ids 1..V-1 only. */
        status = huffman_build(&tr->huffman, counts + 1, vocab_size - 1, err);
        if (status != 0)
            goto fail;
    }
    for (int i = 0; i <= W2V_SIGMOID_TABLE; i++) {
        double x = ((double)i / W2V_SIGMOID_TABLE * 2.0 - 1.0) * W2V_SIGMOID_MAX;
        tr->sigmoid[i] = (float)(1.0 / (1.0 + exp(-x)));
    }
    if (opt->senses > 0) {
        int32_t n = opt->senses_vocab < vocab_size - 1 ? opt->senses_vocab : vocab_size - 1;
        status = senses_init(&tr->senses, n, opt->senses, opt->dim, opt->senses_threshold, err);
        if (status == 0)
            status = senses_set_weights(&tr->senses, counts, tr->keep, vocab_size, err);
        if (status != 0)
            goto fail;
    }
    w2v_free(neg_counts);
    return 0;

fail:
    w2v_free(neg_counts);
    train_release(tr);
    return status;
}

void train_request_stop(struct trainer *tr)
{
    atomic_store(&tr->stop, 1);
}

static void threads_free(struct train_thread *th, int n)
{
    if (!th)
        return;
    for (int i = 0; i < n; i++) {
        w2v_aligned_free(th[i].neu1);
        w2v_aligned_free(th[i].neu1e);
        w2v_free(th[i].sentence);
        w2v_free(th[i].context);
        batch_buf_free(th[i].batch);
        senses_buf_free(th[i].senses);
    }
    w2v_aligned_free(th);
}

int train_run(struct trainer *tr, int (*monitor)(void *ctx, const struct train_progress *p),
              void *ctx, struct w2v_err *err)
{
    const int n_threads = tr->opt.threads;
    struct train_thread *th = NULL;
    pthread_t *handles = NULL;
    int started = 0, status = 0;
    size_t bytes;
    struct timespec start;
    struct train_progress p;
    clock_gettime(CLOCK_MONOTONIC, &start);

    if (w2v_size_mul((size_t)n_threads, sizeof *th, &bytes) != 0)
        return w2v_fail(err, W2V_EOVERFLOW, "too many threads");
    th = w2v_aligned_alloc(bytes);
    handles = w2v_calloc((size_t)n_threads, sizeof *handles);
    if (!th || !handles) {
        w2v_aligned_free(th);
        w2v_free(handles);
        return w2v_fail(err, W2V_ENOMEM, "out of memory for %d threads", n_threads);
    }
    memset(th, 0, bytes);
    const size_t row_bytes = tr->model.stride * sizeof(float);
    for (int i = 0; i < n_threads; i++) {
        struct train_thread *t = &th[i];
        t->tr = tr;
        t->id = i;
        rng_seed(&t->rng, tr->opt.seed, (uint64_t)i);
        int64_t lo, hi;
        train_slice_raw(tr->n_ids, n_threads, i, &lo, &hi);
        t->lo = train_align_start(tr->ids, tr->n_ids, lo);
        t->hi = train_align_start(tr->ids, tr->n_ids, hi);
        t->neu1 = w2v_aligned_alloc(row_bytes);
        t->neu1e = w2v_aligned_alloc(row_bytes);
        t->sentence = w2v_calloc(W2V_MAX_SENTENCE, sizeof *t->sentence);
        t->context = w2v_calloc(2 * (size_t)tr->opt.window, sizeof *t->context);
        if (tr->opt.kernel == TRAIN_KERNEL_BATCHED)
            t->batch = batch_buf_new(tr);
        if (tr->opt.senses > 0)
            t->senses = senses_buf_new(tr, i);
        if (!t->neu1 || !t->neu1e || !t->sentence || !t->context ||
            (tr->opt.kernel == TRAIN_KERNEL_BATCHED && !t->batch) ||
            (tr->opt.senses > 0 && !t->senses)) {
            status = w2v_fail(err, W2V_ENOMEM, "out of memory for thread buffers");
            goto done;
        }
        /* Zero padding past dim is what lets the kernels run whole blocks. */
        memset(t->neu1, 0, row_bytes);
        memset(t->neu1e, 0, row_bytes);
    }

    /* Workers take no signals: a handler then always runs in this thread,
     * which polls the handler's flag through the monitor. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (; started < n_threads; started++) {
        atomic_fetch_add(&tr->running, 1);
        if (pthread_create(&handles[started], NULL, thread_main, &th[started]) != 0) {
            atomic_fetch_sub(&tr->running, 1);
            atomic_store(&tr->stop, 1);
            status = w2v_fail(err, W2V_EIO, "cannot start training thread %d of %d", started + 1,
                              n_threads);
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    /* Sleep in short steps so a short run ends promptly; report every
     * tenth step. */
    for (int tick = 1; atomic_load_explicit(&tr->running, memory_order_acquire) > 0; tick++) {
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
        if (monitor && tick % 10 == 0) {
            fill_progress(tr, &start, &p);
            p.finished = 0;
            if (monitor(ctx, &p) != 0)
                atomic_store(&tr->stop, 1);
        }
    }
    for (int i = 0; i < started; i++)
        pthread_join(handles[i], NULL);
    if (status == 0 && atomic_load(&tr->stop))
        status = w2v_fail(err, W2V_EINTR, "training interrupted");
    if (monitor) {
        fill_progress(tr, &start, &p);
        p.finished = 1;
        monitor(ctx, &p);
    }

done:
    threads_free(th, n_threads);
    w2v_free(handles);
    return status;
}

void train_release(struct trainer *tr)
{
    model_release(&tr->model);
    alias_release(&tr->negatives);
    huffman_release(&tr->huffman);
    senses_release(&tr->senses);
    w2v_free(tr->keep);
    tr->keep = NULL;
    tr->ids = NULL;
    tr->n_ids = 0;
}
