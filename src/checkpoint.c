/* checkpoint.c — save and restore the whole training state (layout in
 * checkpoint.h). Writes go through the atomic output file of common.c;
 * reads trust nothing before it is checked. */
#include "checkpoint.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "common_internal.h"
#include "train_state.h"
#include "w2v/vectors.h"

/* FNV-1a continued from h over p[0..n): the file is hashed piece by piece
 * as it is written or read. */
static uint64_t hash_more(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = w2v_fnv1a_step(h, b[i]);
    return h;
}

#define HEADER_BYTES 160
#define THREAD_BYTES 80
#define KERNEL_NAME 16
static const char magic[8] = {'W', '2', 'V', 'C', 'K', 'P', 'T', '\0'};

/* ---- writing ----------------------------------------------------------------- */

/* A stream of bytes to the file, hashed as they go; the first failure is
 * kept and later writes do nothing. */
struct sink {
    FILE *fp;
    uint64_t hash;
    int failed;
};

static void put(struct sink *s, const void *p, size_t n)
{
    if (s->failed || n == 0)
        return;
    s->hash = hash_more(s->hash, p, n);
    if (fwrite(p, 1, n, s->fp) != n)
        s->failed = 1;
}

static void put_i32(struct sink *s, int32_t v) { put(s, &v, 4); }
static void put_i64(struct sink *s, int64_t v) { put(s, &v, 8); }
static void put_f64(struct sink *s, double v) { put(s, &v, 8); }

/* The first dim floats of each of rows rows of matrix. */
// m: [rows, stride] row-major
static void put_matrix(struct sink *s, const float *m, int64_t rows, size_t stride, int32_t dim)
{
    for (int64_t r = 0; r < rows; r++)
        put(s, m + (size_t)r * stride, (size_t)dim * sizeof *m);
}

static uint64_t ids_hash(const int32_t *ids, int64_t n)
{
    return hash_more(W2V_FNV1A_INIT, ids, (size_t)n * sizeof *ids);
}

int checkpoint_save(const char *path, const struct trainer *tr, const char *const *words,
                    const int64_t *counts, struct w2v_err *err)
{
    struct w2v_outfile out = {0};
    const struct train_options *o = &tr->opt;
    const int32_t V = tr->vocab_size;
    int status = w2v_outfile_open(&out, path, err);
    if (status != 0)
        return status;
    struct sink s = {out.fp, W2V_FNV1A_INIT, 0};
    char kernel[KERNEL_NAME] = {0};
    int64_t word_bytes = 0;
    for (int32_t i = 0; i < V; i++)
        word_bytes += (int64_t)strlen(words[i]) + 1;
    snprintf(kernel, sizeof kernel, "%s", tr->kernel->name);

    put(&s, magic, sizeof magic);
    uint32_t version = CHECKPOINT_VERSION, header = HEADER_BYTES;
    put(&s, &version, 4);
    put(&s, &header, 4);
    put(&s, kernel, sizeof kernel);
    put_i32(&s, (int32_t)o->arch);
    put_i32(&s, o->dim);
    put_i32(&s, o->window);
    put_i32(&s, o->negative);
    put_i32(&s, o->hs);
    put_i32(&s, o->cbow_sum);
    put_i32(&s, o->epochs);
    put_i32(&s, o->threads);
    put_f64(&s, o->ns_exponent);
    put_f64(&s, o->sample);
    put_f64(&s, o->alpha);
    put_f64(&s, 0.0);
    put(&s, &o->seed, 8);
    put_i64(&s, V);
    put_i64(&s, word_bytes);
    put_i64(&s, tr->n_ids);
    uint64_t ih = ids_hash(tr->ids, tr->n_ids);
    put(&s, &ih, 8);
    put_i64(&s, atomic_load(&tr->words_done));
    put_i64(&s, atomic_load(&tr->words_kept));
    put_i64(&s, atomic_load(&tr->next_chunk));

    for (int32_t i = 0; i < V; i++)
        put_i64(&s, counts[i]);
    for (int32_t i = 0; i < V; i++)
        put(&s, words[i], strlen(words[i]) + 1);
    const struct model *m = &tr->model;
    put_matrix(&s, m->syn0, V, m->stride, m->dim);
    if (m->syn1)
        put_matrix(&s, m->syn1, V, m->stride, m->dim);
    if (m->syn1neg)
        put_matrix(&s, m->syn1neg, V, m->stride, m->dim);
    for (int i = 0; i < o->threads; i++) {
        const struct train_resume *r = &tr->resume[i];
        put(&s, &r->rng.state, 8);
        put(&s, &r->alpha, 4);
        put_i32(&s, r->started);
        put_i32(&s, r->loss_tick);
        put_i32(&s, 0);
        put_i64(&s, r->pending_words);
        put_i64(&s, r->pending_kept);
        put_i64(&s, r->pending_examples);
        put_f64(&s, r->pending_loss);
        put_i64(&s, r->chunk);
        put_i64(&s, r->pos);
        put_i64(&s, r->end);
    }
    put_i64(&s, atomic_load(&tr->loss_units));
    put_i64(&s, atomic_load(&tr->loss_examples));
    uint64_t sum = s.hash;
    put(&s, &sum, 8);
    if (s.failed) {
        status = w2v_fail_errno(err, "cannot write '%s'", path);
        goto fail;
    }
    return w2v_outfile_commit(&out, err);

fail:
    w2v_outfile_abort(&out);
    return status;
}

/* ---- reading ----------------------------------------------------------------- */

/* Read n bytes into p and hash them; a short read is a truncated file. */
static int get(struct checkpoint *ck, void *p, size_t n, struct w2v_err *err)
{
    if (n > 0 && fread(p, 1, n, ck->fp) != n) {
        if (ferror(ck->fp))
            return w2v_fail_errno(err, "cannot read '%s'", ck->path);
        return w2v_fail(err, W2V_EFORMAT, "'%s' is truncated", ck->path);
    }
    ck->hash = hash_more(ck->hash, p, n);
    return 0;
}

static int bad(struct checkpoint *ck, struct w2v_err *err, const char *what)
{
    return w2v_fail(err, W2V_EFORMAT, "'%s' is not a usable checkpoint: %s", ck->path, what);
}

/* Little-endian fields out of the header. */
static int32_t field_i32(const unsigned char *h, size_t at)
{
    int32_t v;
    memcpy(&v, h + at, 4);
    return v;
}

static int64_t field_i64(const unsigned char *h, size_t at)
{
    int64_t v;
    memcpy(&v, h + at, 8);
    return v;
}

static double field_f64(const unsigned char *h, size_t at)
{
    double v;
    memcpy(&v, h + at, 8);
    return v;
}

/* The file's size from the header, every product and sum checked. */
static int expected_size(const struct checkpoint *ck, int64_t word_bytes, size_t *out)
{
    const struct train_options *o = &ck->opt;
    size_t V = (size_t)ck->vocab_size, total = HEADER_BYTES, part;
    size_t matrices = 1 + (size_t)(o->hs != 0) + (size_t)(o->negative > 0);
    if (w2v_size_mul(V, 8, &part) != 0 || w2v_size_add(total, part, &total) != 0 ||
        w2v_size_add(total, (size_t)word_bytes, &total) != 0 ||
        w2v_size_mul(V, (size_t)o->dim, &part) != 0 || w2v_size_mul(part, 4, &part) != 0 ||
        w2v_size_mul(part, matrices, &part) != 0 || w2v_size_add(total, part, &total) != 0 ||
        w2v_size_mul((size_t)o->threads, THREAD_BYTES, &part) != 0 ||
        w2v_size_add(total, part, &total) != 0 || w2v_size_add(total, 24, &total) != 0)
        return W2V_EOVERFLOW;
    *out = total;
    return 0;
}

/* The header's options, each in the range the trainer accepts. */
static int read_header(struct checkpoint *ck, const unsigned char *h, struct w2v_err *err)
{
    uint32_t version, header;
    if (memcmp(h, magic, sizeof magic) != 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s' is not a w2v checkpoint (no W2VCKPT magic)",
                        ck->path);
    memcpy(&version, h + 8, 4);
    memcpy(&header, h + 12, 4);
    if (version != CHECKPOINT_VERSION)
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' is a version %u checkpoint; this w2v reads version %d", ck->path,
                        version, CHECKPOINT_VERSION);
    if (header != HEADER_BYTES)
        return bad(ck, err, "wrong header size");
    char kernel[KERNEL_NAME + 1] = {0};
    memcpy(kernel, h + 16, KERNEL_NAME);
    struct train_options *o = &ck->opt;
    train_options_default(o);
    o->kernel = NULL;
    for (int i = 0; train_kernel_name(i); i++)
        if (strcmp(train_kernel_name(i), kernel) == 0)
            o->kernel = train_kernel_name(i);
    /* The subword kernel's n-gram rows are not in a checkpoint. */
    if (!o->kernel || strcmp(o->kernel, "subword") == 0 || strcmp(o->kernel, "senses") == 0)
        return bad(ck, err, "unknown kernel");
    o->arch = field_i32(h, 32) == 1 ? TRAIN_SKIPGRAM : TRAIN_CBOW;
    o->dim = field_i32(h, 36);
    o->window = field_i32(h, 40);
    o->negative = field_i32(h, 44);
    o->hs = field_i32(h, 48);
    o->cbow_sum = field_i32(h, 52);
    o->epochs = field_i32(h, 56);
    o->threads = field_i32(h, 60);
    o->ns_exponent = field_f64(h, 64);
    o->sample = field_f64(h, 72);
    o->alpha = field_f64(h, 80);
    memcpy(&o->seed, h + 96, 8);
    int64_t V = field_i64(h, 104);
    if ((field_i32(h, 32) != 0 && field_i32(h, 32) != 1) || (o->hs != 0 && o->hs != 1) ||
        (o->cbow_sum != 0 && o->cbow_sum != 1) || o->dim > W2V_MAX_DIM ||
        o->negative > 1000 || o->window > 1000 || o->threads > 1024 ||
        train_options_check(o, err) != 0)
        return bad(ck, err, "impossible training options");
    if (V < 2 || V > INT32_MAX)
        return bad(ck, err, "impossible vocabulary size");
    ck->vocab_size = (int32_t)V;
    ck->n_ids = field_i64(h, 120);
    memcpy(&ck->ids_hash, h + 128, 8);
    ck->words_done = field_i64(h, 136);
    ck->words_kept = field_i64(h, 144);
    ck->next_chunk = field_i64(h, 152);
    if (ck->n_ids < 1 || ck->words_done < 0 || ck->words_kept < 0 ||
        ck->words_kept > ck->words_done || ck->next_chunk < 0)
        return bad(ck, err, "impossible counters");
    return 0;
}

int checkpoint_open(struct checkpoint *ck, const char *path, struct w2v_err *err)
{
    unsigned char h[HEADER_BYTES];
    struct stat st;
    int status;
    memset(ck, 0, sizeof *ck);
    ck->hash = W2V_FNV1A_INIT;
    ck->path = w2v_malloc(strlen(path) + 1);
    if (!ck->path)
        return w2v_fail(err, W2V_ENOMEM, "out of memory");
    strcpy(ck->path, path);
    ck->fp = fopen(path, "rb");
    if (!ck->fp) {
        status = w2v_fail_errno(err, "cannot open '%s'", path);
        goto fail;
    }
    if (fstat(fileno(ck->fp), &st) != 0) {
        status = w2v_fail_errno(err, "cannot read '%s'", path);
        goto fail;
    }
    if ((status = get(ck, h, sizeof h, err)) != 0 || (status = read_header(ck, h, err)) != 0)
        goto fail;
    int64_t word_bytes = field_i64(h, 112);
    size_t want;
    if (word_bytes < 2 * (int64_t)ck->vocab_size || word_bytes > st.st_size ||
        expected_size(ck, word_bytes, &want) != 0 || (int64_t)want != (int64_t)st.st_size) {
        status = bad(ck, err, "its size does not match its header (truncated or altered)");
        goto fail;
    }
    /* The sizes agree with the file: allocating them is safe now. */
    const size_t V = (size_t)ck->vocab_size;
    ck->counts = w2v_calloc(V, sizeof *ck->counts);
    ck->words = w2v_calloc(V, sizeof *ck->words);
    ck->word_pool = w2v_malloc((size_t)word_bytes);
    if (!ck->counts || !ck->words || !ck->word_pool) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory for the checkpoint's vocabulary");
        goto fail;
    }
    if ((status = get(ck, ck->counts, V * sizeof *ck->counts, err)) != 0 ||
        (status = get(ck, ck->word_pool, (size_t)word_bytes, err)) != 0)
        goto fail;
    size_t at = 0;
    for (size_t i = 0; i < V; i++) {
        if (ck->counts[i] < 0) {
            status = bad(ck, err, "a negative word count");
            goto fail;
        }
        const char *end = at < (size_t)word_bytes
                              ? memchr(ck->word_pool + at, '\0', (size_t)word_bytes - at)
                              : NULL;
        if (!end || end == ck->word_pool + at) {
            status = bad(ck, err, "the words do not match the vocabulary size");
            goto fail;
        }
        ck->words[i] = ck->word_pool + at;
        at = (size_t)(end - ck->word_pool) + 1;
    }
    if (at != (size_t)word_bytes) {
        status = bad(ck, err, "the words do not match the vocabulary size");
        goto fail;
    }
    return 0;

fail:
    checkpoint_release(ck);
    return status;
}

/* One matrix into the model's padded rows; every value must be finite. */
static int get_matrix(struct checkpoint *ck, float *m, size_t stride, int32_t dim,
                      struct w2v_err *err)
{
    for (int32_t r = 0; r < ck->vocab_size; r++) {
        float *row = m + (size_t)r * stride;
        int status = get(ck, row, (size_t)dim * sizeof *row, err);
        if (status != 0)
            return status;
        for (int32_t d = 0; d < dim; d++)
            if (!isfinite(row[d]))
                return bad(ck, err, "a non-finite weight");
    }
    return 0;
}

int checkpoint_restore(struct checkpoint *ck, struct trainer *tr, struct w2v_err *err)
{
    struct model *m = &tr->model;
    const int threads = tr->opt.threads;
    const int64_t last = train_chunks(threads, tr->n_ids) * (int64_t)tr->opt.epochs;
    const int64_t total = tr->words_per_epoch * (int64_t)tr->opt.epochs;
    int status;
    if (tr->n_ids != ck->n_ids || ids_hash(tr->ids, tr->n_ids) != ck->ids_hash)
        return w2v_fail(err, W2V_EFORMAT,
                        "the corpus is not the one '%s' was trained on (resume needs the same "
                        "text)",
                        ck->path);
    if (ck->words_done > total || ck->next_chunk > last + threads)
        return bad(ck, err, "counters beyond the run's end");
    if ((status = get_matrix(ck, m->syn0, m->stride, m->dim, err)) != 0 ||
        (m->syn1 && (status = get_matrix(ck, m->syn1, m->stride, m->dim, err)) != 0) ||
        (m->syn1neg && (status = get_matrix(ck, m->syn1neg, m->stride, m->dim, err)) != 0))
        return status;
    for (int i = 0; i < threads; i++) {
        unsigned char b[THREAD_BYTES];
        if ((status = get(ck, b, sizeof b, err)) != 0)
            return status;
        struct train_resume *r = &tr->resume[i];
        memcpy(&r->rng.state, b, 8);
        memcpy(&r->alpha, b + 8, 4);
        r->started = field_i32(b, 12);
        r->loss_tick = field_i32(b, 16);
        r->pending_words = field_i64(b, 24);
        r->pending_kept = field_i64(b, 32);
        r->pending_examples = field_i64(b, 40);
        r->pending_loss = field_f64(b, 48);
        r->chunk = field_i64(b, 56);
        r->pos = field_i64(b, 64);
        r->end = field_i64(b, 72);
        if ((r->started != 0 && r->started != 1) || (r->started && !(r->alpha > 0)) ||
            !isfinite(r->alpha) ||
            r->loss_tick < 0 || r->loss_tick > W2V_LOSS_EVERY || r->pending_words < 0 ||
            r->pending_kept < 0 || r->pending_examples < 0 || !isfinite(r->pending_loss) ||
            r->chunk < -1 || r->chunk >= last || r->pos < 0 || r->pos > r->end ||
            r->end > tr->n_ids)
            return bad(ck, err, "an impossible thread state");
    }
    unsigned char tail[16];
    if ((status = get(ck, tail, sizeof tail, err)) != 0)
        return status;
    uint64_t want = ck->hash, sum;
    if ((status = get(ck, &sum, 8, err)) != 0)
        return status;
    if (sum != want)
        return bad(ck, err, "the checksum does not match (damaged)");
    atomic_store(&tr->words_done, ck->words_done);
    atomic_store(&tr->words_kept, ck->words_kept);
    atomic_store(&tr->next_chunk, ck->next_chunk);
    atomic_store(&tr->loss_units, field_i64(tail, 0));
    atomic_store(&tr->loss_examples, field_i64(tail, 8));
    return 0;
}

void checkpoint_release(struct checkpoint *ck)
{
    if (ck->fp)
        fclose(ck->fp);
    w2v_free(ck->path);
    w2v_free(ck->words);
    w2v_free(ck->word_pool);
    w2v_free(ck->counts);
    memset(ck, 0, sizeof *ck);
}
