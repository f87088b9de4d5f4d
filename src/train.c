/* train.c — options, the learning-rate schedule, the thread pool and the
 * progress counters; the kernels behind the table below. */
#include "train_state.h"

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
    o->kernel = "batched";
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
    o->context_line = 0;
    o->max_set = 100;
    o->batch_rows = 0;
}

int train_options_check(const struct train_options *o, struct w2v_err *err)
{
    if (o->arch != TRAIN_CBOW && o->arch != TRAIN_SKIPGRAM)
        return w2v_fail(err, W2V_EINVAL, "unknown model");
    if (!o->kernel || !train_kernel_find(o->kernel))
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
    if (o->context_line && strcmp(o->kernel, "batched") != 0)
        return w2v_fail(err, W2V_EINVAL, "--context line trains with the batched kernel only, "
                        "not --kernel %s", o->kernel);
    if (o->context_line && (o->max_set < 2 || o->max_set > W2V_MAX_SET))
        return w2v_fail(err, W2V_EINVAL, "--max-set takes 2 to %d items, not %d", W2V_MAX_SET,
                        o->max_set);
    if (o->batch_rows < 0 || o->batch_rows > W2V_MAX_SET)
        return w2v_fail(err, W2V_EINVAL, "--batch-rows takes 0 to %d rows, not %d", W2V_MAX_SET,
                        o->batch_rows);
    int senses_kernel = strcmp(o->kernel, "senses") == 0;
    if (o->senses != 0 || senses_kernel) {
        if (o->senses == 0)
            return w2v_fail(err, W2V_EINVAL, "the senses kernel needs --senses K");
        if (o->senses < 1 || o->senses > W2V_SENSES_MAX)
            return w2v_fail(err, W2V_EINVAL, "--senses takes 1 to %d senses per word, not %d",
                            W2V_SENSES_MAX, o->senses);
        if (!senses_kernel)
            return w2v_fail(err, W2V_EINVAL, "--senses trains with the senses kernel (the "
                            "batched one plus senses), not --kernel %s", o->kernel);
        if (o->arch != TRAIN_SKIPGRAM)
            return w2v_fail(err, W2V_EINVAL, "--senses needs --model skipgram");
        if (o->negative < 1)
            return w2v_fail(err, W2V_EINVAL,
                            "--senses needs negative sampling (--negative 1 or more)");
        if (o->senses_vocab < 1)
            return w2v_fail(err, W2V_EINVAL, "--senses-vocab must be at least 1");
        if (!(o->senses_threshold >= -1.0 && o->senses_threshold <= 1.0))
            return w2v_fail(err, W2V_EINVAL, "--senses-threshold is a cosine in [-1, 1]");
    }
    return 0;
}

/* The kernels, one file each (train_state.h says what each provides). The
 * first entries are the order --help and errors list them in. */
extern const struct train_kernel kernel_ref, kernel_batch, kernel_subword, kernel_senses;
static const struct train_kernel *const train_kernels[] = {
    &kernel_ref,
    &kernel_batch,
    &kernel_subword, /* needs subword_attach (subword.h): --subwords */
    &kernel_senses,
};
#define N_KERNELS (int)(sizeof train_kernels / sizeof train_kernels[0])

const char *train_kernel_name(int i)
{
    return i >= 0 && i < N_KERNELS ? train_kernels[i]->name : NULL;
}

const struct train_kernel *train_kernel_find(const char *name)
{
    for (int i = 0; name && i < N_KERNELS; i++)
        if (strcmp(train_kernels[i]->name, name) == 0)
            return train_kernels[i];
    return NULL;
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
    if (t->pending_examples > 0) {
        atomic_fetch_add_explicit(&tr->loss_units,
                                  (int64_t)llround(t->pending_loss * W2V_LOSS_SCALE),
                                  memory_order_relaxed);
        atomic_fetch_add_explicit(&tr->loss_examples, t->pending_examples,
                                  memory_order_relaxed);
    }
    t->pending_words = 0;
    t->pending_kept = 0;
    t->pending_loss = 0;
    t->pending_examples = 0;
    t->alpha = (float)train_alpha(tr->opt.alpha, done,
                                  tr->words_per_epoch * (int64_t)tr->opt.epochs);
}

/* Whether training has diverged, judged by one row it trained lately: too
 * large a rate makes the rows grow until they overflow to inf and NaN,
 * within seconds. The row's sum of squares is non-finite once any element
 * is (or beyond ~1e19, divergence too). Hogwild: another thread may be
 * updating the row; kernels_dot is the documented reader. */
static int row_diverged(const struct trainer *tr, int32_t word)
{
    const size_t n = tr->model.stride;
    const float *row = model_row(tr->model.syn0, n, word); // syn0: [V, n] row-major
    return !isfinite(kernels_dot(row, row, n));
}

/* Flush t's counters and look for divergence in the row of `word` (0: no
 * sentence trained yet), at every flush rather than every sentence: the
 * shared row of a frequent word is often one the other thread wrote last
 * (at its sync of its private copies), and reading it after every line,
 * unprefetched, cost two threads 10% of their words/s with the vCPUs far
 * apart (cbow-ns, docs/BENCHMARKS.md, round 9); a flush comes every
 * W2V_PROGRESS_BATCH words or chunk end, soon enough (a diverging run
 * overflows within seconds, and a private copy reaches the shared row at
 * the next sync). Returns 1 when diverged, the threads asked to stop. */
static int flush_and_check(struct train_thread *t, int32_t word)
{
    thread_flush(t);
    if (word <= 0 || !row_diverged(t->tr, word))
        return 0;
    t->status = W2V_EDIVERGED;
    atomic_store(&t->tr->stop, 1);
    return 1;
}

/* Where thread t stops or pauses: its counters and place into r. The
 * pending counts are kept, not flushed, so a continued run takes the same
 * rates at the same words as one that never stopped. */
static void thread_save(const struct train_thread *t, struct train_resume *r, int64_t chunk,
                        int64_t pos, int64_t end)
{
    r->rng = t->rng;
    r->alpha = t->alpha;
    r->started = 1;
    r->loss_tick = t->loss_tick;
    r->pending_words = t->pending_words;
    r->pending_kept = t->pending_kept;
    r->pending_examples = t->pending_examples;
    r->pending_loss = t->pending_loss;
    r->chunk = chunk;
    r->pos = pos;
    r->end = end;
}

static void thread_load(struct train_thread *t, const struct train_resume *r)
{
    t->rng = r->rng;
    t->alpha = r->alpha;
    t->loss_tick = r->loss_tick;
    t->pending_words = r->pending_words;
    t->pending_kept = r->pending_kept;
    t->pending_examples = r->pending_examples;
    t->pending_loss = r->pending_loss;
}

static void *thread_main(void *arg)
{
    struct train_thread *t = arg;
    struct trainer *tr = t->tr;
    struct train_resume *r = &tr->resume[t->id];
    const int32_t *ids = tr->ids;
    const float *keep = tr->keep;
    void (*train_sentence)(struct train_thread *, const int32_t *, int32_t) =
        tr->kernel->train_sentence;

    if (r->started)
        thread_load(t, r);
    else
        thread_flush(t);
    /* Work is handed out in chunks, taken in order from one shared counter
     * (epoch by epoch), so a thread that runs faster than the others takes
     * more of it instead of idling at the end. With one thread an epoch is
     * one chunk: the same sentences in the same order as ever. A thread that
     * was stopped inside a chunk first finishes that chunk. */
    const int64_t n_chunks = train_chunks(tr->opt.threads, tr->n_ids);
    const int64_t last = n_chunks * (int64_t)tr->opt.epochs;
    int64_t g = r->started ? r->chunk : -1, pos = r->pos, end = r->end;
    int stopped = 0;
    int32_t trained = 0; /* the middle word of the last sentence trained */
    for (;;) {
        if (g < 0) {
            /* Once every chunk is handed out, take none: a thread that ran
             * out of work is started again after each checkpoint pause,
             * and each taking would count one chunk past the end (so many
             * pauses made a checkpoint that --resume refused). */
            if (atomic_load_explicit(&tr->next_chunk, memory_order_relaxed) >= last)
                break;
            g = atomic_fetch_add_explicit(&tr->next_chunk, 1, memory_order_relaxed);
            if (g >= last) {
                g = -1;
                break;
            }
            int64_t lo, hi;
            train_slice_raw(tr->n_ids, (int)n_chunks, (int)(g % n_chunks), &lo, &hi);
            pos = train_align_start(ids, tr->n_ids, lo);
            end = train_align_start(ids, tr->n_ids, hi);
        }
        while (pos < end) {
            if (atomic_load_explicit(&tr->stop, memory_order_relaxed)) {
                stopped = 1;
                goto out;
            }
            /* One sentence: up to its end, the chunk's end, or the cap
             * (the rest then continues as the next sentence). */
            int32_t len = 0;
            while (pos < end && len < W2V_MAX_SENTENCE) {
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
                t->next_ids = ids + pos;
                t->next_n = (int32_t)(end - pos < W2V_MAX_SENTENCE ? end - pos : W2V_MAX_SENTENCE);
                train_sentence(t, t->sentence, len);
                trained = t->sentence[len / 2];
            }
            if (t->pending_words >= W2V_PROGRESS_BATCH && flush_and_check(t, trained))
                goto out;
        }
        if (flush_and_check(t, trained))
            goto out;
        g = -1;
    }
out:
    if (tr->kernel->thread_finish)
        tr->kernel->thread_finish(t);
    if (!stopped)
        thread_flush(t);
    thread_save(t, r, g, pos, end);
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
    p->loss_sum = (double)atomic_load_explicit(&tr->loss_units, memory_order_relaxed) /
                  W2V_LOSS_SCALE;
    p->loss_examples = atomic_load_explicit(&tr->loss_examples, memory_order_relaxed);
}

int train_memory_bytes(const struct train_options *opt, int64_t vocab_size, size_t *out)
{
    size_t total, per_word, threads_bytes;
    if (vocab_size < 1 || opt->dim < 1 || opt->threads < 1 || opt->window < 0)
        return W2V_EOVERFLOW;
    if (model_bytes(vocab_size, opt->dim, opt->hs, opt->negative > 0, &total) != 0)
        return W2V_EOVERFLOW;
    /* keep-probability (4) + the word's count (8) + alias entry (8), and
     * for HS offset (8) + length (4) + per code bit 5 bytes on the Huffman
     * path, whose mean length is below log2(V) + 1. */
    per_word = 4 + 8 + (opt->negative > 0 ? 8 : 0);
    if (opt->hs)
        per_word += 12 + 5 * (size_t)(log2((double)vocab_size) + 2.0);
    const struct train_kernel *kernel = train_kernel_find(opt->kernel);
    if (!kernel)
        return W2V_EOVERFLOW;
    size_t per_thread = sizeof(struct train_thread) + W2V_MAX_SENTENCE * sizeof(int32_t) +
                        kernel->thread_bytes(opt, vocab_size);
    if (opt->senses > 0) {
        size_t table;
        int64_t n = opt->senses_vocab < vocab_size - 1 ? opt->senses_vocab : vocab_size - 1;
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

int train_init(struct trainer **out, const struct train_options *opt, const int64_t *counts,
               int32_t vocab_size, const int32_t *ids, int64_t n_ids, struct w2v_err *err)
{
    struct trainer *tr = NULL;
    int status;
    *out = NULL;
    status = train_options_check(opt, err);
    if (status != 0)
        return status;
    if (vocab_size < 2)
        return w2v_fail(err, W2V_EEMPTY, "the vocabulary has no words to train");
    /* 64-byte aligned: the shared counters have a cache line of their own. */
    tr = w2v_aligned_alloc(sizeof *tr);
    if (!tr)
        return w2v_fail(err, W2V_ENOMEM, "out of memory for the trainer");
    memset(tr, 0, sizeof *tr);
    atomic_init(&tr->words_done, 0);
    atomic_init(&tr->words_kept, 0);
    atomic_init(&tr->stop, 0);
    atomic_init(&tr->running, 0);
    atomic_init(&tr->loss_units, 0);
    atomic_init(&tr->loss_examples, 0);
    tr->opt = *opt;
    tr->kernel = train_kernel_find(opt->kernel);
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
    /* </s> is a separator, never a centre, context or negative: count zero. */
    tr->counts = w2v_calloc((size_t)vocab_size, sizeof *tr->counts);
    if (!tr->counts) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory for the word counts");
        goto fail;
    }
    memcpy(tr->counts + 1, counts + 1, (size_t)(vocab_size - 1) * sizeof *tr->counts);
    if (opt->negative > 0) {
        status = alias_build(&tr->negatives, tr->counts, vocab_size, opt->ns_exponent, err);
        if (status != 0)
            goto fail;
    }
    if (opt->hs) {
        /* </s> is never predicted, so the tree covers ids 1..V-1 only. */
        status = huffman_build(&tr->huffman, counts + 1, vocab_size - 1, err);
        if (status != 0)
            goto fail;
    }
    tr->resume = w2v_calloc((size_t)opt->threads, sizeof *tr->resume);
    if (!tr->resume) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory for %d threads", opt->threads);
        goto fail;
    }
    for (int i = 0; i < opt->threads; i++)
        tr->resume[i].chunk = -1;
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
    *out = tr;
    return 0;

fail:
    train_release(&tr);
    return status;
}

void train_request_stop(struct trainer *tr)
{
    atomic_store(&tr->stop, 1);
}

void train_thread_setup(struct train_thread *t, struct trainer *tr, int id)
{
    t->tr = tr;
    t->id = id;
    rng_seed(&t->rng, tr->opt.seed, (uint64_t)id);
    t->loss_tick = W2V_LOSS_EVERY;
    t->next_ids = NULL;
    t->next_n = 0;
}

int64_t train_chunks(int threads, int64_t n_ids)
{
    if (threads <= 1)
        return 1;
    int64_t chunks = (int64_t)threads * W2V_CHUNKS_PER_THREAD;
    int64_t most = n_ids / W2V_MIN_CHUNK;
    if (chunks > most)
        chunks = most > threads ? most : threads;
    return chunks;
}

static void threads_free(struct train_thread *th, int n)
{
    if (!th)
        return;
    for (int i = 0; i < n; i++) {
        w2v_aligned_free(th[i].sentence);
        if (th[i].tr)
            th[i].tr->kernel->thread_release(&th[i]);
    }
    w2v_aligned_free(th);
}

/* Start a worker per th[i] with all signals blocked (a handler then always
 * runs in the calling thread, which polls the handler's flag through the
 * monitor); *started counts those running. On a failed start the others are
 * asked to stop; returns 0 or W2V_EIO. */
static int threads_start(struct trainer *tr, struct train_thread *th, pthread_t *handles,
                         int *started, struct w2v_err *err)
{
    int status = 0;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (*started = 0; *started < tr->opt.threads; (*started)++) {
        atomic_fetch_add(&tr->running, 1);
        if (pthread_create(&handles[*started], NULL, thread_main, &th[*started]) != 0) {
            atomic_fetch_sub(&tr->running, 1);
            atomic_store(&tr->stop, 1);
            status = w2v_fail(err, W2V_EIO, "cannot start training thread %d of %d",
                              *started + 1, tr->opt.threads);
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return status;
}

int train_set_checkpoint(struct trainer *tr, double every_seconds,
                         int (*save)(void *ctx, const struct trainer *tr, struct w2v_err *err),
                         void *ctx)
{
    if (!(every_seconds >= 0) || !isfinite(every_seconds))
        return W2V_EINVAL;
    tr->save_every = every_seconds;
    tr->save = save;
    tr->save_ctx = ctx;
    return 0;
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
    for (int i = 0; i < n_threads; i++) {
        struct train_thread *t = &th[i];
        train_thread_setup(t, tr, i);
        t->sentence = w2v_aligned_alloc(W2V_MAX_SENTENCE * sizeof *t->sentence);
        if (!t->sentence || tr->kernel->thread_init(t) != 0) {
            status = w2v_fail(err, W2V_ENOMEM, "out of memory for thread buffers");
            goto done;
        }
    }

    double last_save = 0.0;
    for (;;) {
        int pausing = 0;
        status = threads_start(tr, th, handles, &started, err);
        /* Sleep in short steps so a short run ends promptly; call the
         * monitor every step (it decides when to draw or log; MPI ranks
         * exchange rows at this pace). A checkpoint that is due stops the
         * threads at their next sentence; they start again once it is
         * saved. */
        while (atomic_load_explicit(&tr->running, memory_order_acquire) > 0) {
            struct timespec nap = {0, 10 * 1000 * 1000};
            nanosleep(&nap, NULL);
            /* Stopping: the threads end their sentences; the monitor has
             * asked, or a checkpoint is due, and hears no more till then. */
            if (atomic_load_explicit(&tr->stop, memory_order_relaxed))
                continue;
            fill_progress(tr, &start, &p);
            p.finished = 0;
            if (monitor && monitor(ctx, &p) != 0)
                atomic_store(&tr->stop, 1);
            if (tr->save && tr->save_every > 0 && p.elapsed - last_save >= tr->save_every &&
                !atomic_load(&tr->stop)) {
                pausing = 1;
                atomic_store(&tr->stop, 1);
            }
        }
        for (int i = 0; i < started; i++)
            pthread_join(handles[i], NULL);
        started = 0;
        for (int i = 0; status == 0 && i < n_threads; i++)
            if (th[i].status == W2V_EDIVERGED)
                status = w2v_fail(err, W2V_EDIVERGED, "training diverged: lower --alpha (now %g)",
                                  tr->opt.alpha);
        if (status != 0)
            break;
        /* A stop asked for by the monitor (a signal) also saves, so the run
         * can be resumed from where it stopped. */
        int stopped = atomic_load(&tr->stop);
        if (stopped && tr->save) {
            status = tr->save(tr->save_ctx, tr, err);
            if (status != 0)
                break;
            fill_progress(tr, &start, &p);
            last_save = p.elapsed;
        }
        if (stopped && pausing && !(monitor && monitor(ctx, &p) != 0)) {
            atomic_store(&tr->stop, 0);
            continue;
        }
        if (stopped)
            status = w2v_fail(err, W2V_EINTR, "training interrupted");
        break;
    }
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

int train_set_input(struct trainer *tr, int32_t id, const float *vec)
{
    if (id < 0 || id >= tr->vocab_size)
        return W2V_EINVAL;
    /* The padding past dim stays zero (model.h). */
    memcpy(model_row(tr->model.syn0, tr->model.stride, id), vec,
           (size_t)tr->model.dim * sizeof *vec);
    return 0;
}

const struct model *train_model(const struct trainer *tr)
{
    return &tr->model;
}

int32_t train_hs_averaged(const struct trainer *tr)
{
    return kernel_batch_hs_averaged(tr, tr->vocab_size);
}

const struct senses *train_senses(const struct trainer *tr)
{
    return tr->opt.senses > 0 ? &tr->senses : NULL;
}

void train_release(struct trainer **trp)
{
    struct trainer *tr = *trp;
    if (!tr)
        return;
    model_release(&tr->model);
    alias_release(&tr->negatives);
    w2v_free(tr->counts);
    huffman_release(&tr->huffman);
    senses_release(&tr->senses);
    w2v_free(tr->keep);
    w2v_free(tr->resume);
    w2v_aligned_free(tr);
    *trp = NULL;
}
