/* eval.c — analogy accuracy and word-pair correlation (see eval.h), on top
 * of the query engine: rows come from a struct query_model (read or
 * mapped) as its unit vectors, so eval normalises, hashes and threads
 * nothing of its own. What it adds is the case-folded index and the block
 * search below.
 *
 * The analogy search is the expensive part: every question scores every
 * one of the N restricted rows. Scoring a row x for a : b :: c needs only
 * cos(x,a), cos(x,b) and cos(x,c), for both 3CosAdd and 3CosMul, and a
 * question file reuses few words (questions-words: 19,544 questions over
 * ~900 words). So the work is one matrix product of the U distinct
 * question words against the N rows, done a block of rows at a time,
 * followed by a cheap per-question scan of three rows of that product that
 * keeps a running best. Threads take row blocks from a shared counter and
 * keep their own running bests, merged at the end with ties going to the
 * lower row, so the answer does not depend on the thread count. */
#include "w2v/eval.h"

#include "common_internal.h"
#include "kernels.h"

#include <math.h>
#include <stdatomic.h>
#include <string.h>

/* ---- case folding -------------------------------------------------------- */

static inline unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* FNV-1a of the folded bytes s[0..len). */
static uint64_t fold_hash(const char *s, size_t len)
{
    uint64_t h = W2V_FNV1A_INIT;
    for (size_t i = 0; i < len; i++)
        h = w2v_fnv1a_step(h, fold((unsigned char)s[i]));
    return h;
}

/* Do a[0..alen) and b[0..blen) fold to the same word? */
static int fold_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Empty slots (-1) for a hash of n keys kept at most half full, so probes
 * stay short: *slots (the caller's to w2v_free), *n_slots a power of two.
 * Returns 0, W2V_EOVERFLOW or W2V_ENOMEM. */
static int slots_alloc(size_t n, int64_t **slots, size_t *n_slots)
{
    size_t k = 16;
    while (k / 2 < n) {
        if (k > SIZE_MAX / 4)
            return W2V_EOVERFLOW;
        k *= 2;
    }
    if (!(*slots = w2v_calloc(k, sizeof **slots)))
        return W2V_ENOMEM;
    for (size_t i = 0; i < k; i++)
        (*slots)[i] = -1;
    *n_slots = k;
    return 0;
}

void eval_vocab_init(struct eval_vocab *ev) { memset(ev, 0, sizeof *ev); }

void eval_vocab_release(struct eval_vocab *ev)
{
    if (!ev)
        return;
    w2v_free(ev->head);
    w2v_free(ev->next);
    w2v_free(ev->slots);
    memset(ev, 0, sizeof *ev);
}

/* The slot of the class word[0..len) folds to: its head's, or the empty
 * slot where it would go. */
static size_t vocab_slot(const struct eval_vocab *ev, const char *word, size_t len)
{
    size_t mask = ev->n_slots - 1, i = (size_t)fold_hash(word, len) & mask;
    while (ev->slots[i] >= 0) {
        size_t hl;
        const char *h = query_model_word(ev->model, ev->slots[i], &hl);
        if (fold_equal(h, hl, word, len))
            break;
        i = (i + 1) & mask;
    }
    return i;
}

int eval_vocab_build(struct eval_vocab *ev, const struct query_model *m, int64_t restrict_rows,
                     struct w2v_err *err)
{
    int64_t rows = m->rows;
    if (restrict_rows > 0 && restrict_rows < rows)
        rows = restrict_rows;
    eval_vocab_release(ev);
    ev->model = m;
    ev->rows = rows;
    int rc = slots_alloc((size_t)rows, &ev->slots, &ev->n_slots);
    if (rc == W2V_EOVERFLOW)
        return w2v_fail(err, rc, "vocabulary too large to index");
    int64_t *tail = NULL;
    ev->head = w2v_calloc((size_t)rows, sizeof *ev->head);
    ev->next = w2v_calloc((size_t)rows, sizeof *ev->next);
    tail = w2v_calloc((size_t)rows, sizeof *tail);
    if (rc != 0 || !ev->head || !ev->next || !tail)
        goto nomem;
    for (int64_t r = 0; r < rows; r++) {
        size_t len;
        const char *w = query_model_word(m, r, &len);
        size_t i = vocab_slot(ev, w, len);
        ev->next[r] = -1;
        if (ev->slots[i] < 0) {
            ev->slots[i] = r;
            ev->head[r] = r;
            tail[r] = r;
        } else {
            /* Append, so each class lists its rows in ascending order. */
            int64_t h = ev->slots[i];
            ev->head[r] = h;
            ev->next[tail[h]] = r;
            tail[h] = r;
        }
    }
    w2v_free(tail);
    return 0;
nomem:
    w2v_free(tail);
    eval_vocab_release(ev);
    return w2v_fail(err, W2V_ENOMEM, "out of memory indexing the vocabulary");
}

int64_t eval_vocab_find(const struct eval_vocab *ev, const char *word)
{
    if (!ev->slots)
        return -1;
    return ev->slots[vocab_slot(ev, word, strlen(word))];
}

/* ---- words outside the indexed rows (struct eval_oov) ------------------------- */

/* The distinct (case-folded) words the restricted index lacks, each looked
 * up once: its unit vector from a row further down the model or from the
 * hook, or none. */
struct oov_table {
    const struct query_model *m;
    const struct eval_oov *hook;
    const struct eval_vocab *full; /* all rows of m; NULL when the index has them all */
    const char **word;     /* [cap] the first spelling asked for, borrowed */
    float *vec;            /* [cap, dim] unit vectors */
    signed char *has;      /* [cap] 1: a vector, 0: none */
    int64_t *tag;          /* [cap] the caller's id for the word, -1 none yet */
    int64_t *slots;        /* [n_slots] index of an entry, -1 empty */
    size_t n_slots, n, cap;
    int64_t from_rows, from_hook;
};

static void oov_release(struct oov_table *t)
{
    w2v_free(t->word);
    w2v_free(t->vec);
    w2v_free(t->has);
    w2v_free(t->tag);
    w2v_free(t->slots);
    memset(t, 0, sizeof *t);
}

/* Room for max_words distinct words at most (the hash never fills). */
static int oov_init(struct oov_table *t, const struct query_model *m, const struct eval_oov *hook,
                    const struct eval_vocab *full, size_t max_words)
{
    memset(t, 0, sizeof *t);
    t->m = m;
    t->hook = hook;
    t->full = full;
    return slots_alloc(max_words, &t->slots, &t->n_slots);
}

static int oov_grow(struct oov_table *t)
{
    const size_t dim = (size_t)t->m->dim, cap = t->cap ? 2 * t->cap : 64;
    size_t bytes;
    if (w2v_size_mul(cap, dim * sizeof *t->vec, &bytes) != 0)
        return W2V_EOVERFLOW;
    const char **word = w2v_realloc(t->word, cap * sizeof *word);
    if (word)
        t->word = word;
    float *vec = w2v_realloc(t->vec, bytes);
    if (vec)
        t->vec = vec;
    signed char *has = w2v_realloc(t->has, cap * sizeof *has);
    if (has)
        t->has = has;
    int64_t *tag = w2v_realloc(t->tag, cap * sizeof *tag);
    if (tag)
        t->tag = tag;
    if (!word || !vec || !has || !tag)
        return W2V_ENOMEM;
    t->cap = cap;
    return 0;
}

/* Entry of word, looked up on first sight, in *e; -1 when it has no
 * vector. Returns 0 or a negative status (err filled). */
static int oov_find(struct oov_table *t, const char *word, int64_t *e, struct w2v_err *err)
{
    const size_t len = strlen(word), mask = t->n_slots - 1, dim = (size_t)t->m->dim;
    size_t i = (size_t)fold_hash(word, len) & mask;
    for (; t->slots[i] >= 0; i = (i + 1) & mask) {
        const char *w = t->word[t->slots[i]];
        if (fold_equal(w, strlen(w), word, len)) {
            *e = t->has[t->slots[i]] ? t->slots[i] : -1;
            return 0;
        }
    }
    if (t->n == t->cap) {
        int rc = oov_grow(t);
        if (rc < 0)
            return w2v_fail(err, rc, "out of memory for the words outside the vocabulary");
    }
    const size_t k = t->n;
    float *x = t->vec + k * dim;
    int64_t row = t->full ? eval_vocab_find(t->full, word) : -1;
    int rc = 1;
    if (row >= 0) {
        if ((rc = query_model_unit(t->m, row, x, err)) < 0)
            return rc;
        t->from_rows++;
    } else if (t->hook && t->hook->vector) {
        if ((rc = t->hook->vector(t->hook->ctx, word, x, err)) < 0)
            return rc;
        if (rc == 0 && query_normalize(x, dim) != 0)
            return w2v_fail(err, W2V_EFORMAT, "the vector of '%.200s' is not finite", word);
        t->from_hook += rc == 0;
    }
    t->word[k] = word;
    t->has[k] = rc == 0;
    t->tag[k] = -1;
    t->slots[i] = (int64_t)k;
    t->n++;
    *e = rc == 0 ? (int64_t)k : -1;
    return 0;
}

/* ---- analogy ------------------------------------------------------------------------- */

void eval_analogy_result_release(struct eval_analogy_result *r)
{
    if (!r)
        return;
    w2v_free(r->sections);
    w2v_free(r->predicted);
    memset(r, 0, sizeof *r);
}

/* Step 1 of the search: the questions whose four words are known, as
 * compact ids of their distinct a/b/c words (rows of the product). */
struct analogy_plan {
    int64_t *compact;        /* [rows] compact id of a class head, -1 none */
    int64_t *qword;          /* [Q, 3] compact ids of a, b, c */
    int64_t *qhead;          /* [Q, 3] class heads of a, b, c */
    int64_t *qanswer;        /* [Q] class head of d */
    size_t *qindex;          /* [Q] index into qs->q */
    unsigned char *qvocab;   /* [Q] 1: all four words among the first N rows */
    size_t n_q, n_words;     /* Q, U */
    struct oov_table *oov;   /* words outside the first N rows, or NULL */
};

static void plan_release(struct analogy_plan *p)
{
    w2v_free(p->compact);
    w2v_free(p->qword);
    w2v_free(p->qhead);
    w2v_free(p->qanswer);
    w2v_free(p->qindex);
    w2v_free(p->qvocab);
    memset(p, 0, sizeof *p);
}

/* Look the words of every question up (a, b, c outside the first N rows
 * in p->oov when it is set); count the skipped ones per section in res.
 * Returns 0 or a negative status (err filled). */
static int plan_questions(struct analogy_plan *p, const struct eval_vocab *ev,
                          const struct eval_questions *qs, struct eval_analogy_result *res,
                          struct w2v_err *err)
{
    const size_t nq = qs->n ? qs->n : 1;
    p->compact = w2v_calloc(ev->rows ? (size_t)ev->rows : 1, sizeof *p->compact);
    p->qword = w2v_calloc(nq, 3 * sizeof *p->qword);
    p->qhead = w2v_calloc(nq, 3 * sizeof *p->qhead);
    p->qanswer = w2v_calloc(nq, sizeof *p->qanswer);
    p->qindex = w2v_calloc(nq, sizeof *p->qindex);
    p->qvocab = w2v_calloc(nq, sizeof *p->qvocab);
    if (!p->compact || !p->qword || !p->qhead || !p->qanswer || !p->qindex || !p->qvocab)
        return w2v_fail(err, W2V_ENOMEM, "out of memory in the analogy search");
    for (int64_t r = 0; r < ev->rows; r++)
        p->compact[r] = -1;
    for (size_t i = 0; i < qs->n; i++) {
        const struct eval_question *q = &qs->q[i];
        int64_t h[4], e[3] = {-1, -1, -1};
        int in_vocab = 1;
        for (int k = 0; k < 4; k++)
            in_vocab &= (h[k] = eval_vocab_find(ev, q->w[k])) >= 0;
        /* The answer must be a candidate; a, b and c may come from p->oov. */
        int known = in_vocab || (p->oov && h[3] >= 0);
        for (int k = 0; k < 3 && known && !in_vocab; k++) {
            if (h[k] >= 0)
                continue;
            int rc = oov_find(p->oov, q->w[k], &e[k], err);
            if (rc < 0)
                return rc;
            known = e[k] >= 0;
        }
        if (!known) {
            res->sections[q->section].skipped++;
            continue;
        }
        for (int k = 0; k < 3; k++) {
            int64_t *id = h[k] >= 0 ? &p->compact[h[k]] : &p->oov->tag[e[k]];
            if (*id < 0)
                *id = (int64_t)p->n_words++;
            p->qword[3 * p->n_q + (size_t)k] = *id;
            /* A word outside the first N is never a candidate: nothing to
             * exclude (heads are >= 0). */
            p->qhead[3 * p->n_q + (size_t)k] = h[k];
        }
        p->qanswer[p->n_q] = h[3];
        p->qindex[p->n_q] = i;
        p->qvocab[p->n_q] = (unsigned char)in_vocab;
        p->n_q++;
    }
    return 0;
}

/* The shared, read-only description of the search (except next_block). */
struct analogy_job {
    const struct query_model *m;
    int64_t rows;            /* restricted row count N */
    int32_t dim;
    const int64_t *head;     /* eval_vocab's class head of each row */
    const float *wq;         /* [U, dim] unit vectors of the distinct question words */
    size_t n_words;          /* U */
    const int64_t *qword;    /* [Q, 3] compact ids (into wq) of a, b, c */
    const int64_t *qhead;    /* [Q, 3] class heads of a, b, c */
    size_t n_questions;      /* Q */
    enum eval_method method;
    size_t block;            /* rows per block, a multiple of 16 */
    int64_t n_blocks;
    _Atomic int64_t next_block;
};

/* One thread's buffers and running bests. */
struct analogy_worker {
    struct analogy_job *job;
    float *t;         /* [dim, block]: the block's unit rows, transposed */
    float *s;         /* [U, block]: cosines of question words with the block */
    float *row;       /* [dim]: one unit row */
    float *best;      /* [Q] best score so far */
    int64_t *best_row;/* [Q] its row, -1 none */
    int status;       /* a mapped row that is not finite stops the worker */
    struct w2v_err err;
};

/* The two scores, as one expression each so that the filter below and the
 * exact scan compute bit-identical values. sa/sb/sc are cosines with a/b/c
 * (for 3CosMul already shifted to [0,1]). */
static inline float score_add(float sa, float sb, float sc) { return sb - sa + sc; }
static inline float score_mul(float sa, float sb, float sc)
{
    return query_3cosmul(sa, sb, sc);
}

/* Whether any of the nb scores beats thr. A flag rather than a maximum:
 * an OR of comparisons vectorises without -ffast-math, a float max
 * reduction does not. [nb] rows each. These two stay beside the scores
 * (query.h's 3CosMul) rather than in the kernels module, which includes
 * nothing above it; W2V_CLONES is the kernels' dispatch macro. */
W2V_CLONES static int any_above_add(const float *restrict sa, const float *restrict sb,
                                    const float *restrict sc, size_t nb, float thr)
{
    int any = 0;
    for (size_t j = 0; j < nb; j++)
        any |= score_add(sa[j], sb[j], sc[j]) > thr;
    return any;
}

W2V_CLONES static int any_above_mul(const float *restrict sa, const float *restrict sb,
                                    const float *restrict sc, size_t nb, float thr)
{
    int any = 0;
    for (size_t j = 0; j < nb; j++)
        any |= score_mul(sa[j], sb[j], sc[j]) > thr;
    return any;
}

/* Fill the worker's t with the unit rows r0 .. r0 + nb - 1, transposed, and
 * zero columns nb .. nbt - 1 so the tiles there compute harmless zeros.
 * Returns 0 or the error of query_model_unit (in w->err). */
static int load_block(struct analogy_worker *w, int64_t r0, size_t nb, size_t nbt)
{
    const struct analogy_job *job = w->job;
    const size_t ld = job->block, d = (size_t)job->dim;
    for (size_t j = 0; j < nb; j++) {
        int rc = query_model_unit(job->m, r0 + (int64_t)j, w->row, &w->err);
        if (rc < 0)
            return rc;
        for (size_t k = 0; k < d; k++)
            w->t[k * ld + j] = w->row[k];
    }
    for (size_t k = 0; k < d; k++)
        for (size_t j = nb; j < nbt; j++)
            w->t[k * ld + j] = 0.0f;
    return 0;
}

/* Offer rows r0 .. r0 + nb - 1 (their cosines in w->s) to every question. */
static void answer_block(struct analogy_worker *w, int64_t r0, size_t nb)
{
    const struct analogy_job *job = w->job;
    const size_t ld = job->block;
    const int cosmul = job->method == EVAL_3COSMUL;
    for (size_t q = 0; q < job->n_questions; q++) {
        const float *restrict sa = w->s + (size_t)job->qword[3 * q] * ld;
        const float *restrict sb = w->s + (size_t)job->qword[3 * q + 1] * ld;
        const float *restrict sc = w->s + (size_t)job->qword[3 * q + 2] * ld;
        float best = w->best[q];
        /* Most blocks hold nothing better than the running best: a
         * vectorised test skips them. The rare block that does (or holds
         * a, b or c themselves, which score high) gets the exact scan. */
        if (!(cosmul ? any_above_mul(sa, sb, sc, nb, best) : any_above_add(sa, sb, sc, nb, best)))
            continue;
        const int64_t ha = job->qhead[3 * q], hb = job->qhead[3 * q + 1],
                      hc = job->qhead[3 * q + 2];
        int64_t best_row = w->best_row[q];
        for (size_t j = 0; j < nb; j++) {
            const float x =
                cosmul ? score_mul(sa[j], sb[j], sc[j]) : score_add(sa[j], sb[j], sc[j]);
            /* Strictly greater: among equal scores the earlier row stays.
             * Rows folding to a, b or c are never the answer. */
            if (x > best) {
                const int64_t h = job->head[r0 + (int64_t)j];
                if (h != ha && h != hb && h != hc) {
                    best = x;
                    best_row = r0 + (int64_t)j;
                }
            }
        }
        w->best[q] = best;
        w->best_row[q] = best_row;
    }
}

/* w2v_parallel's task: take blocks until none is left. */
static void analogy_work(void *arg, int i)
{
    struct analogy_worker *w = (struct analogy_worker *)arg + i;
    struct analogy_job *job = w->job;
    const size_t ld = job->block;
    for (;;) {
        int64_t b = atomic_fetch_add(&job->next_block, 1);
        if (b >= job->n_blocks)
            break;
        const int64_t r0 = b * (int64_t)ld;
        const size_t nb = (size_t)(job->rows - r0 < (int64_t)ld ? job->rows - r0 : (int64_t)ld);
        const size_t nbt = (nb + 15) & ~(size_t)15;
        if ((w->status = load_block(w, r0, nb, nbt)) < 0) {
            /* Stop everyone: the search fails. */
            atomic_store(&job->next_block, job->n_blocks);
            return;
        }
        kernels_block_cosines(w->s, w->t, job->wq, job->n_words, job->dim, nbt, ld);
        if (job->method == EVAL_3COSMUL) {
            /* Shift cosines to [0,1] once per block, not once per question. */
            for (size_t u = 0; u < job->n_words; u++) {
                float *su = w->s + u * ld;
                for (size_t j = 0; j < nb; j++)
                    su[j] = query_cos_shift(su[j]);
            }
        }
        answer_block(w, r0, nb);
    }
}

static void worker_release(struct analogy_worker *w)
{
    w2v_aligned_free(w->t);
    w2v_aligned_free(w->s);
    w2v_aligned_free(w->row);
    w2v_free(w->best);
    w2v_free(w->best_row);
}

static int worker_alloc(struct analogy_worker *w, struct analogy_job *job)
{
    size_t t_bytes, s_bytes, s_elems;
    memset(w, 0, sizeof *w);
    w->job = job;
    if (w2v_size_mul((size_t)job->dim, job->block * sizeof(float), &t_bytes) != 0 ||
        w2v_size_mul(job->n_words, job->block, &s_elems) != 0 ||
        w2v_size_mul(s_elems, sizeof(float), &s_bytes) != 0)
        return W2V_EOVERFLOW;
    w->t = w2v_aligned_alloc(t_bytes);
    w->s = w2v_aligned_alloc(s_bytes);
    w->row = w2v_aligned_alloc((size_t)job->dim * sizeof(float));
    w->best = w2v_calloc(job->n_questions ? job->n_questions : 1, sizeof *w->best);
    w->best_row = w2v_calloc(job->n_questions ? job->n_questions : 1, sizeof *w->best_row);
    if (!w->t || !w->s || !w->row || !w->best || !w->best_row) {
        worker_release(w);
        return W2V_ENOMEM;
    }
    for (size_t q = 0; q < job->n_questions; q++) {
        w->best[q] = -INFINITY;
        w->best_row[q] = -1;
    }
    return 0;
}

/* Rows per block: the block's slice of the cosine matrix (U x block floats)
 * should stay within a few MiB so the per-question scans hit cache, but
 * blocks should be long enough for the scans' inner loops to run well. */
static size_t pick_block(size_t n_words, int64_t rows, size_t asked)
{
    size_t block = (4u << 20) / (sizeof(float) * (n_words ? n_words : 1));
    if (block > 512)
        block = 512;
    if (block < 64)
        block = 64;
    if (asked > 0)
        block = asked < SIZE_MAX / 2 ? asked + 15 : 512;
    block &= ~(size_t)15;
    if ((int64_t)block > rows)
        block = ((size_t)rows + 15) & ~(size_t)15;
    return block ? block : 16;
}

/* Step 2: the unit vectors of the U distinct question words, [U, dim]. */
static int load_question_words(const struct query_model *m, const struct analogy_plan *p,
                               int64_t rows, float **out, struct w2v_err *err)
{
    size_t bytes;
    if (w2v_size_mul(p->n_words, (size_t)m->dim, &bytes) != 0 ||
        w2v_size_mul(bytes, sizeof(float), &bytes) != 0)
        return w2v_fail(err, W2V_EOVERFLOW, "too many question words");
    float *wq = w2v_aligned_alloc(bytes);
    if (!wq)
        return w2v_fail(err, W2V_ENOMEM, "out of memory in the analogy search");
    for (int64_t r = 0; r < rows; r++) {
        if (p->compact[r] < 0)
            continue;
        int rc = query_model_unit(m, r, wq + (size_t)p->compact[r] * (size_t)m->dim, err);
        if (rc < 0) {
            w2v_aligned_free(wq);
            return rc;
        }
    }
    for (size_t k = 0; p->oov && k < p->oov->n; k++)
        if (p->oov->tag[k] >= 0)
            memcpy(wq + (size_t)p->oov->tag[k] * (size_t)m->dim, p->oov->vec + k * (size_t)m->dim,
                   (size_t)m->dim * sizeof *wq);
    *out = wq;
    return 0;
}

/* Step 3: search every row block on the threads; then merge each
 * question's best over the workers (ties to the lower row) into
 * res->predicted and the section counts. */
static int search(struct analogy_job *job, const struct eval_analogy_options *opt,
                  const struct analogy_plan *p, const struct eval_vocab *ev,
                  const struct eval_questions *qs, struct eval_analogy_result *res,
                  struct w2v_err *err)
{
    int want = opt->threads > 0 ? opt->threads : w2v_cpu_count(1024);
    if (want > 64)
        want = 64;
    if ((int64_t)want > job->n_blocks)
        want = (int)job->n_blocks;
    if (want < 1)
        want = 1;
    int n_workers = 0, status = 0;
    struct analogy_worker *workers = w2v_calloc((size_t)want, sizeof *workers);
    if (!workers)
        return w2v_fail(err, W2V_ENOMEM, "out of memory in the analogy search");
    for (; n_workers < want; n_workers++) {
        int st = worker_alloc(&workers[n_workers], job);
        if (st != 0) {
            status = w2v_fail(err, st, st == W2V_EOVERFLOW ? "analogy search buffers too large"
                                                           : "out of memory in the analogy search");
            goto done;
        }
    }
    w2v_parallel(n_workers, analogy_work, workers);
    for (int i = 0; i < n_workers; i++)
        if (workers[i].status < 0) {
            if (err)
                *err = workers[i].err;
            status = workers[i].status;
            goto done;
        }
    for (size_t q = 0; q < p->n_q; q++) {
        float best = workers[0].best[q];
        int64_t row = workers[0].best_row[q];
        for (int i = 1; i < n_workers; i++) {
            const float b = workers[i].best[q];
            const int64_t r = workers[i].best_row[q];
            if (r >= 0 && (row < 0 || b > best || (b == best && r < row))) {
                best = b;
                row = r;
            }
        }
        struct eval_section_result *sec = &res->sections[qs->q[p->qindex[q]].section];
        const int correct = row >= 0 && ev->head[row] == p->qanswer[q];
        res->predicted[p->qindex[q]] = row;
        sec->total++;
        sec->correct += correct;
        res->vocab_total += p->qvocab[q];
        res->vocab_correct += p->qvocab[q] && correct;
    }
done:
    for (int i = 0; i < n_workers; i++)
        worker_release(&workers[i]);
    w2v_free(workers);
    return status;
}

/* Step 4: the totals over sections, semantic and syntactic. */
static void tally(struct eval_analogy_result *res)
{
    for (int32_t i = 0; i < res->n_sections; i++) {
        const struct eval_section_result *sec = &res->sections[i];
        res->correct += sec->correct;
        res->total += sec->total;
        res->skipped += sec->skipped;
        if (strncmp(sec->name, "gram", 4) == 0) {
            res->syntactic_correct += sec->correct;
            res->syntactic_total += sec->total;
        } else {
            res->semantic_correct += sec->correct;
            res->semantic_total += sec->total;
        }
    }
}

int eval_analogy(const struct query_model *m, const struct eval_questions *qs,
                 const struct eval_analogy_options *opt, struct eval_analogy_result *res,
                 struct w2v_err *err)
{
    return eval_analogy_oov(m, qs, opt, NULL, res, err);
}

int eval_analogy_oov(const struct query_model *m, const struct eval_questions *qs,
                     const struct eval_analogy_options *opt, const struct eval_oov *oov_hook,
                     struct eval_analogy_result *res, struct w2v_err *err)
{
    struct eval_vocab ev, full;
    struct analogy_plan plan = {0};
    struct analogy_job job;
    struct oov_table oov = {0};
    float *wq = NULL;
    int status;

    eval_vocab_init(&ev);
    eval_vocab_init(&full);
    memset(&job, 0, sizeof job);
    eval_analogy_result_release(res);
    if ((status = eval_vocab_build(&ev, m, opt->restrict_rows, err)) != 0)
        return status;
    if (oov_hook) {
        /* Rows past N answer for a, b and c before the hook is asked. */
        if (ev.rows < m->rows && (status = eval_vocab_build(&full, m, 0, err)) != 0)
            goto fail;
        if ((status = oov_init(&oov, m, oov_hook, ev.rows < m->rows ? &full : NULL,
                               3 * qs->n)) != 0) {
            status = w2v_fail(err, status, "out of memory for the words outside the vocabulary");
            goto fail;
        }
        plan.oov = &oov;
    }
    res->rows_used = ev.rows;
    res->n_sections = qs->n_sections;
    res->sections = w2v_calloc(qs->n_sections ? (size_t)qs->n_sections : 1,
                               sizeof *res->sections);
    res->predicted = w2v_calloc(qs->n ? qs->n : 1, sizeof *res->predicted);
    if (!res->sections || !res->predicted)
        goto nomem;
    for (int32_t i = 0; i < qs->n_sections; i++)
        res->sections[i].name = qs->section_names[i];
    for (size_t i = 0; i < qs->n; i++)
        res->predicted[i] = -1;

    if ((status = plan_questions(&plan, &ev, qs, res, err)) != 0)
        goto fail;
    res->oov_rows = oov.from_rows;
    res->oov_hook = oov.from_hook;
    if (plan.n_q > 0) {
        if ((status = load_question_words(m, &plan, ev.rows, &wq, err)) != 0)
            goto fail;
        job.m = m;
        job.rows = ev.rows;
        job.dim = m->dim;
        job.head = ev.head;
        job.wq = wq;
        job.n_words = plan.n_words;
        job.qword = plan.qword;
        job.qhead = plan.qhead;
        job.n_questions = plan.n_q;
        job.method = opt->method;
        job.block = pick_block(plan.n_words, ev.rows, opt->block);
        job.n_blocks = (ev.rows + (int64_t)job.block - 1) / (int64_t)job.block;
        atomic_init(&job.next_block, 0);
        if ((status = search(&job, opt, &plan, &ev, qs, res, err)) != 0)
            goto fail;
    }
    tally(res);
    goto done;
nomem:
    status = w2v_fail(err, W2V_ENOMEM, "out of memory in the analogy search");
fail:
    eval_analogy_result_release(res);
done:
    w2v_aligned_free(wq);
    plan_release(&plan);
    oov_release(&oov);
    eval_vocab_release(&full);
    eval_vocab_release(&ev);
    return status;
}

/* ---- similarity ----------------------------------------------------------------------- */

int eval_similarity(const struct query_model *m, const struct eval_pairs *ps,
                    int64_t restrict_rows, struct eval_similarity_result *res,
                    struct w2v_err *err)
{
    return eval_similarity_oov(m, ps, restrict_rows, NULL, res, err);
}

/* The unit vector of a pair's word: row r of m (into buf), or entry e of
 * t. */
static const float *pair_unit(const struct query_model *m, const struct oov_table *t, int64_t r,
                              int64_t e, float *buf, struct w2v_err *err, int *rc)
{
    if (r < 0)
        return t->vec + (size_t)e * (size_t)m->dim;
    *rc = query_model_unit(m, r, buf, err);
    return buf;
}

int eval_similarity_oov(const struct query_model *m, const struct eval_pairs *ps,
                        int64_t restrict_rows, const struct eval_oov *oov,
                        struct eval_similarity_result *res, struct w2v_err *err)
{
    struct eval_vocab ev, full;
    struct oov_table t = {0};
    double *gold = NULL, *model = NULL;
    float *buf = NULL;
    int status;
    eval_vocab_init(&ev);
    eval_vocab_init(&full);
    memset(res, 0, sizeof *res);
    res->spearman = res->pearson = NAN;
    if ((status = eval_vocab_build(&ev, m, restrict_rows, err)) != 0)
        return status;
    if (oov && ev.rows < m->rows && (status = eval_vocab_build(&full, m, 0, err)) != 0)
        goto done;
    gold = w2v_calloc(ps->n ? ps->n : 1, sizeof *gold);
    model = w2v_calloc(ps->n ? ps->n : 1, sizeof *model);
    buf = w2v_calloc(2 * (size_t)m->dim, sizeof *buf);
    if (!gold || !model || !buf ||
        (oov && oov_init(&t, m, oov, ev.rows < m->rows ? &full : NULL, 2 * ps->n) != 0)) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory in the similarity evaluation");
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++) {
        int64_t a = eval_vocab_find(&ev, ps->p[i].w1);
        int64_t b = eval_vocab_find(&ev, ps->p[i].w2);
        int64_t ea = -1, eb = -1;
        float cos;
        if (a >= 0 && b >= 0) {
            res->vocab_pairs++;
            if ((status = query_similarity(m, a, b, &cos, err)) != 0)
                goto done;
        } else {
            if (oov && a < 0 && (status = oov_find(&t, ps->p[i].w1, &ea, err)) != 0)
                goto done;
            if (oov && b < 0 && (status = oov_find(&t, ps->p[i].w2, &eb, err)) != 0)
                goto done;
            if ((a < 0 && ea < 0) || (b < 0 && eb < 0)) {
                res->skipped++;
                continue;
            }
            /* Both vectors after both lookups: a lookup may move t->vec. */
            const float *x = pair_unit(m, &t, a, ea, buf, err, &status);
            const float *y = status ? NULL : pair_unit(m, &t, b, eb, buf + m->dim, err, &status);
            if (status != 0)
                goto done;
            cos = query_dot(x, y, (size_t)m->dim); /* as query_similarity computes it */
        }
        gold[n] = ps->p[i].score;
        model[n] = cos;
        n++;
    }
    res->pairs = (int64_t)n;
    res->oov_rows = t.from_rows;
    res->oov_hook = t.from_hook;
    if (n == 0) {
        status = w2v_fail(err, W2V_EEMPTY, "no pair has both words in the vocabulary "
                          "(%lld skipped)", (long long)res->skipped);
        goto done;
    }
    res->pearson = eval_pearson(gold, model, n);
    res->spearman = eval_spearman(gold, model, n);
done:
    w2v_free(gold);
    w2v_free(model);
    w2v_free(buf);
    oov_release(&t);
    eval_vocab_release(&full);
    eval_vocab_release(&ev);
    return status;
}
