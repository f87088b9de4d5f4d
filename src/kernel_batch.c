/* kernel_batch.c — the batched kernel (`--kernel batched`, the default):
 * the HogBatch scheme of Ji et al. ("Parallelizing Word2Vec in Shared and Distributed
 * Memory", Intel's pWord2Vec) for all four model x objective pairs.
 *
 * Skip-gram: for each centre word the window's context rows (the inputs)
 * meet one set of output rows at once — the centre word's NS row and ONE
 * set of K negatives shared by the whole window, or the inner nodes of the
 * centre word's Huffman path — as a small matrix-matrix step instead of
 * 2*window*(1+K) separate dot products.
 * CBOW: the mean (or sum) of the context rows is the one input row of the
 * same step; its gradient is added to every context row, as the original.
 * --context line (item2vec): the inputs are the other items of the line
 * instead of a window (set_inputs); everything else is the same.
 *
 * Differences from the reference kernel, all deliberate:
 * - a negative equal to the centre word is skipped (as the reference);
 *   a negative drawn twice for one window is kept once with weight 2, which
 *   is the same update both draws would give against the same scores;
 * - within one block every score uses the rows as they were before the
 *   block (the batched update), so results are not bit-identical with the
 *   reference, only as good (tested on planted and structured corpora);
 * - NS uses the exact logistic function (kernels.h) rather than the
 *   table clamped at ±6; HS keeps the original's rule of skipping a node
 *   whose score lies outside (-6, 6);
 * - negatives are drawn a few centre words ahead so that their rows can be
 *   prefetched; the stream of random numbers differs from the reference's,
 *   but one thread with one seed still gives the same bits every run.
 *
 * This file gathers each window's rows and hands them to the block steps of
 * the kernels module, which hold all its arithmetic. */
#include "train_state.h"

#include <math.h>
#include <string.h>

#include "hotrows.h"

/* Centre words between drawing (and prefetching) a centre's negatives and
 * using them; the ring holds BATCH_RING >= BATCH_AHEAD + 1 sets. */
#ifndef BATCH_AHEAD /* -DBATCH_AHEAD=0 turns prefetching off (to measure it) */
#define BATCH_AHEAD 3
#endif
#define BATCH_RING 8
/* Rows each thread keeps private copies of, at most, when there are several
 * threads (hotrows.h): the most frequent words' input rows (syn0) and output rows
 * (syn1neg), and the Huffman inner nodes nearest the root (syn1). On
 * corpus10m the top 1024 words take 52% of the kept tokens and the top
 * 2048 57% of the negative draws (66% and 68% for twice as many); a row
 * that both cores write is what costs. Measured (user CPU of 2 threads
 * against 1, sg-hs, 2 epochs): 2.5x more CPU for the same work without
 * copies, 1.8x with the top 64 inner nodes copied, 1.06x with 1024.
 * More copies are not better: every copy touched since the last sync
 * costs a pass over three rows at the sync, and a copy touched once or
 * twice between syncs saves less than that. One thread training on copies
 * of 2048 + 4096 rows ran 10-15% slower than without copies (the syncs
 * alone); with two threads on the 2-vCPU test machine, 1024 + 2048 gave
 * 10% more words/s than 2048 + 4096 when the two vCPUs shared a cache
 * (sg-ns and cbow-ns) and the same within 3% when they did not
 * (docs/BENCHMARKS.md). */
#ifndef BATCH_HOT_IN
#define BATCH_HOT_IN 1024
#endif
#ifndef BATCH_HOT_OUT
#define BATCH_HOT_OUT 2048
#endif
#ifndef BATCH_HOT_HS
#define BATCH_HOT_HS 1024
#endif
/* Those are the most; a thread keeps a copy of a row only if it is expected
 * to touch it at least BATCH_HOT_TOUCHES times between two of its syncs
 * (kernel_batch_hot_rows). A copy's sync costs a pass over three rows and
 * one transfer of the shared row from the core that synced it last; a row
 * touched once or twice in that time costs about as much left shared, and
 * the copy only makes it staler. The sync gap shrinks as threads are added
 * (kernel_batch_sync_words), and so do the copies: on corpus10m with the
 * defaults, all 1024 + 2048 (+ 1024 nodes) at 2 threads, 1024 + 1231 (+ 430)
 * at 4, 239 + 152 (+ 73) at 16. One thread run with 16 threads' copies and
 * syncs (scripts/bench-copies.sh, sample 1e-4) trained at 72-91% of its
 * speed without them, and at 90-99% with these counts. With 2 threads
 * nothing changed on corpus10m, and fewer copies there (4 touches: 604
 * nodes) cost cbow-hs 3% with the vCPUs far apart; on corpus1m, whose
 * syncs come 4x as often, 2 threads gained 4-22% far (docs/BENCHMARKS.md,
 * round 10). */
#ifndef BATCH_HOT_TOUCHES
#define BATCH_HOT_TOUCHES 2
#endif
/* -DBATCH_AS_THREADS=T (a diagnostic build, to measure what the copies cost
 * a thread at T threads on a machine with fewer cores; scripts/
 * bench-copies.sh): a one-thread run keeps the copies and syncs them as
 * each of T threads would. It trains a model as good as ever (the same up
 * to rounding and the negatives' draws), only slower by the syncs' work.
 * -DBATCH_HOT_TOUCHES=0 keeps every row up to the caps. */
#ifndef BATCH_AS_THREADS
#define BATCH_AS_THREADS 1
#endif
/* With several threads, the negatives past the private output rows come
 * from the thread's own blocks of this many ids (struct alias_share): 112
 * KiB of rows at dim 100, whole pages at any dim. Only when the tail holds
 * at least BATCH_NEG_MIN_BLOCKS blocks per thread, so that each share's
 * blocks span the ranks alike. Measured with 2 threads, corpus10m, vCPUs
 * far apart: sg-ns 3.5-3.7M words/s -> 4.1-4.4M, cbow-ns 3.8-4.4M ->
 * 5.4-5.8M; near, the same; analogy sg-ns .106 -> .105 (16 seeds),
 * cbow-ns .093 -> .093 (8), WS353 within .002 (docs/BENCHMARKS.md). */
#ifndef BATCH_NEG_BLOCK
#define BATCH_NEG_BLOCK 256
#endif
#ifndef BATCH_NEG_MIN_BLOCKS
#define BATCH_NEG_MIN_BLOCKS 4
#endif
_Static_assert(BATCH_NEG_BLOCK > 0 && (BATCH_NEG_BLOCK & (BATCH_NEG_BLOCK - 1)) == 0,
               "a share's blocks are a power of two ids (alias_share_id)");
/* Kept words the other threads train, together, between two syncs of one
 * thread's hot rows, at most (kernel_batch_sync_words): a sync costs a few
 * passes over each hot row touched, so it must not come after every short
 * line (corpus10m's lines average 12 kept words); but each thread sees the
 * others' changes to these rows a sync late, and what it misses grows with
 * the other threads' words, not its own. With the gap fixed at 8,192 of a
 * thread's own words, 4 threads lost a fifth of skip-gram NS's analogy
 * (.081 against .106 without copies, 2 epochs, corpus10m); with 2 threads
 * CBOW NS scores .091 (24 runs) against .095 synced after every line and
 * .094 for one thread, but every line ran at half the speed and every
 * 2,048 words ~28% slower with the vCPUs far apart (docs/BENCHMARKS.md,
 * round 8). Over 40 seeds (round 11) that gap was mostly noise: .0923
 * against .0927 for one thread at 2 epochs, .1948 against .1962 at 5. */
#ifndef BATCH_SYNC_WORDS
#define BATCH_SYNC_WORDS 8192
#endif
/* The Huffman copies are synced this many times as often: every centre
 * word's path runs through the nodes near the root, so their copies drift
 * apart fastest. Measured with 2 threads, corpus10m, 2 epochs: analogy
 * cbow-hs .085 (9 seeds) with one rate against .090 for one thread and
 * .090 with 4x; sg-hs .103 against .108 and .105 (6 seeds). It cost cbow-hs
 * 4-6% of its words/s and sg-hs 1% (vCPUs far apart; docs/BENCHMARKS.md).
 * Syncing only the 128 nodes nearest the root 4x as often gave .085.
 * Since CBOW averages the root-most nodes' changes (below), 2x is enough
 * for it (round 14, 24 seeds: .0963 at 2x, .0944 at 1x, .0961 at 4x), at
 * the same speed or up to 3% faster (1.018-1.028x at 1 epoch, 0.995x at
 * 2, 2 threads far, runs taking turns); skip-gram's sums keep the 4x
 * (sg-hs .1039 at 2x, .1056 at 8x, .1050 at 4x, 24 seeds each; one
 * thread .1078). That 3% is the copies' price, not the threads': with no
 * copies at all (pure Hogwild) two threads score as one (.1079, 24 seeds)
 * but train at 0.47x the words/s, slower than one thread; with at most
 * 128 or 256 Huffman copies they score .1042 / .1043 at the same speed,
 * and 32 copies cost 14% of it (round 15, docs/BENCHMARKS.md). */
#ifndef BATCH_SYNC_HS_SPLIT_CBOW
#define BATCH_SYNC_HS_SPLIT_CBOW 2
#endif
#ifndef BATCH_SYNC_HS_SPLIT_SG
#define BATCH_SYNC_HS_SPLIT_SG 4
#endif
/* The Huffman copies of the nodes on the paths of at least this share of
 * the kept words (the first few levels below the root) are merged at a sync
 * as the average of the T threads' changes, not their sum (hot_rows_sync:
 * weight 1/T). Every centre word's path starts at the root, so between two
 * syncs every thread moves these nodes the same way, thousands of steps each
 * that none of the others saw, and the sum of T such moves overshoots.
 * Measured on corpus10m, 2 epochs, sample 1e-4, analogy (WS353): CBOW + HS
 * at 2 threads .0879 summed, .0940 averaging the nodes above 1/16 (there
 * the top 9), .0961 above 1/128 (113), one thread .0911, 24 seeds each; at
 * 4 threads .0900, .0962, .0996 (12 seeds). Skip-gram + HS at 2 threads
 * .1058 (.508) summed, .1086 (.506) above 1/16, .1076 (.500) above 1/128,
 * one thread .1084 (.508), 8-12 seeds. Over 24 seeds skip-gram + HS's
 * WS353 fell with 1/16 too, .500 against .506 summed and .507 for one
 * thread (analogy .1080, .1050, .1078): skip-gram's copies stay summed, a
 * CBOW-only rule. Averaging all 1,024 copies (synced at the other copies'
 * rate) cost more: CBOW + HS .0850 at 4 threads, skip-gram's WS353 .489.
 * No two threads move a word's rows alike for long, so the input and output
 * copies stay summed (CBOW + NS over 40 seeds, round 11: .0923 against
 * .0927 for one thread). With the rule CBOW's alone, round 14 took the
 * share down to 1/128, with the Huffman copies synced 2x as often: CBOW +
 * HS .0963 at 2 threads (24 seeds), .0975 at 4 (12), and at 5 epochs
 * .1318 against .1266 for one thread (8). docs/BENCHMARKS.md, rounds 13
 * and 14. */
#ifndef BATCH_HS_AVERAGE_SHARE
#define BATCH_HS_AVERAGE_SHARE (1.0 / 128)
#endif
_Static_assert(BATCH_AHEAD < BATCH_RING, "the ring must hold every set drawn ahead");
_Static_assert(W2V_MAX_SET == W2V_MAX_SENTENCE, "a set is at most one sentence");

/* ---- per-thread buffers ---------------------------------------------------- */

struct batch_buf {
    float *h;        /* [stride] CBOW hidden layer (context mean/sum) */
    int32_t *negs;   /* [BATCH_RING][K] negatives drawn ahead, by centre index */
    float *scratch;  /* [n_in][W2V_BATCH_GROUP] + 16: scores, then gradients */
    float **in;      /* [n_in] the current window's input rows (n_inputs) */
    int32_t *in_id;  /* [n_in] their ids */
    float **in_out;  /* [n_in] their output rows (for on_centre only) */
    int32_t *set;    /* [W2V_MAX_SENTENCE] --context line: a long line, shuffled */
    float **out;     /* [max_out] output rows of the current centre word */
    int32_t *out_id; /* [max_out] their ids (to merge repeated negatives) */
    float *label;    /* [max_out] */
    float *mult;     /* [max_out] how many draws each row stands for */
    /* Private copies of the hot rows (pass-throughs with one thread). */
    struct hot_rows hot_in;  /* syn0: ids 1 .. */
    struct hot_rows hot_out; /* syn1neg: ids 1 .. */
    struct hot_rows hot_hs;  /* syn1: the inner nodes nearest the root */
    struct alias_share negatives; /* this thread's share of the sampler; no entries: none,
                                   * draw from tr->negatives */
    int64_t since_sync;      /* kept words trained since the last sync */
    int64_t sync_words;      /* sync after this many (see hot_init) */
    int64_t since_hs_sync;   /* the same for the Huffman copies alone */
    int64_t sync_hs_words;
    batch_centre_fn on_centre; /* kernel_batch_on_centre, or NULL */
    void *on_centre_arg;
};

/* Output rows per centre word: the word and K negatives, or a Huffman path. */
static size_t max_out(const struct train_options *o, int32_t max_code)
{
    size_t ns = o->negative > 0 ? (size_t)o->negative + 1 : 0;
    size_t hs = o->hs ? (size_t)max_code : 0;
    size_t m = ns > hs ? ns : hs;
    return m > 0 ? m : 1;
}

/* Input rows per centre word at most: the window's 2 * window, or with
 * --context line the max_set - 1 other items of its set. */
static size_t n_inputs(const struct train_options *o)
{
    size_t window2 = 2 * (size_t)(o->window > 0 ? o->window : 1);
    size_t set = o->context_line && o->max_set > 1 ? (size_t)o->max_set - 1 : 0;
    return window2 > set ? window2 : set;
}

/* How many times as often as the other copies the Huffman copies sync. */
static int hs_sync_split(const struct train_options *o)
{
    return o->arch == TRAIN_CBOW ? BATCH_SYNC_HS_SPLIT_CBOW : BATCH_SYNC_HS_SPLIT_SG;
}

static int32_t min32(int64_t a, int64_t b)
{
    return (int32_t)(a < b ? a : b);
}

/* The most private row copies per thread (see hot_init): none with one
 * thread; else BATCH_HOT_* of each matrix in use, at most an eighth of the
 * V rows. kernel_batch_hot_rows keeps fewer where a thread would touch
 * them too seldom between two syncs. */
static struct batch_hot_rows hot_caps(const struct train_options *o, int64_t V)
{
    struct batch_hot_rows c = {0, 0, 0, 0};
    if (o->threads <= 1 && BATCH_AS_THREADS <= 1)
        return c;
    const int64_t most = V / 8;
    c.in = min32(BATCH_HOT_IN, most);
    c.out = o->negative > 0 ? min32(BATCH_HOT_OUT, most) : 0;
    c.hs = o->hs ? min32(min32(BATCH_HOT_HS, V - 2), most) : 0;
    return c;
}

/* What a thread's touches of a row follow, per kept word trained: the
 * word's share of the kept words (as a centre), times the inputs per
 * centre for an input row; and for an output row, K times its share of the
 * negative draws as well. */
struct touch_rates {
    const struct trainer *tr;
    double inputs;     /* input rows per centre word */
    double kept_total; /* sum of count x keep-probability over the words */
    double neg_total;  /* sum of the negatives' weights, count^ns_exponent */
};

static double input_touches(const struct touch_rates *r, int32_t id)
{
    const struct trainer *tr = r->tr;
    return r->inputs * (double)tr->counts[id] * tr->keep[id] / r->kept_total;
}

static double output_touches(const struct touch_rates *r, int32_t id)
{
    const struct trainer *tr = r->tr;
    const double c = (double)tr->counts[id];
    return c * tr->keep[id] / r->kept_total +
           tr->opt.negative * pow(c, tr->opt.ns_exponent) / r->neg_total;
}

/* How many of the inner nodes nearest the root (ids V - 3 down) a thread
 * visits at least `need` times per kept word, at most cap: a node's visits
 * are the kept share of the words below it. Along a path the ids fall (a
 * node is made after its children), so each word's walk stops at the first
 * node below the candidates. */
static int32_t hot_nodes(const struct trainer *tr, int32_t cap, double need, double kept_total,
                         int32_t if_no_memory)
{
    const struct huffman *hf = &tr->huffman;
    const int32_t root = tr->vocab_size - 3, lo = root + 1 - cap;
    if (cap <= 0)
        return 0;
    double *visits = w2v_calloc((size_t)cap, sizeof *visits);
    if (!visits)
        return if_no_memory;
    for (int32_t w = 1; w < tr->vocab_size; w++) {
        const double share = (double)tr->counts[w] * tr->keep[w] / kept_total;
        const int64_t off = hf->offset[w - 1];
        for (int32_t b = 0; b < hf->length[w - 1] && hf->points[off + b] >= lo; b++)
            visits[hf->points[off + b] - lo] += share;
    }
    int32_t n = 0;
    while (n < cap && visits[cap - 1 - n] >= need)
        n++;
    w2v_free(visits);
    return n;
}

/* kernel_batch_hs_averaged, given the kept words' total (kept_total > 0). */
static int32_t averaged_nodes(const struct trainer *tr, int32_t cap, double kept_total)
{
    /* CBOW only: skip-gram's WS353 paid for it (BATCH_HS_AVERAGE_SHARE) */
    if (!tr->opt.hs || tr->opt.arch != TRAIN_CBOW)
        return 0;
    if (cap > tr->vocab_size - 2)
        cap = tr->vocab_size - 2;
    return hot_nodes(tr, cap, BATCH_HS_AVERAGE_SHARE, kept_total, 0); /* no memory: sums */
}

/* Ids are in count order, so a row's touches fall with its id: the copies
 * are the ids 1 .. n before the first that falls short, at most the cap. */
struct batch_hot_rows kernel_batch_hot_rows(const struct trainer *tr, int64_t sync_words)
{
    const struct train_options *o = &tr->opt;
    struct batch_hot_rows c = hot_caps(o, tr->vocab_size);
    if (c.in + c.out + c.hs == 0)
        return c;
    struct touch_rates r = {tr, o->context_line ? o->max_set - 1 : o->window + 1, 0, 0};
    double weight = 0; /* count^ns_exponent of the last count seen: every thread sums
                        * this, and most of a large vocabulary repeats a few counts */
    for (int32_t w = 1; w < tr->vocab_size; w++) {
        const int64_t count = tr->counts[w];
        r.kept_total += (double)count * tr->keep[w];
        if (c.out > 0 && count > 0) {
            if (w == 1 || count != tr->counts[w - 1])
                weight = pow((double)count, o->ns_exponent);
            r.neg_total += weight;
        }
    }
    if (!(r.kept_total > 0))
        return c;
    /* touches per kept word that make BATCH_HOT_TOUCHES between two syncs */
    const double need = BATCH_HOT_TOUCHES / (double)(sync_words > 0 ? sync_words : 1);
    int32_t n = 0;
    while (n < c.in && input_touches(&r, n + 1) >= need)
        n++;
    c.in = n;
    n = 0;
    while (r.neg_total > 0 && n < c.out && output_touches(&r, n + 1) >= need)
        n++;
    c.out = n;
    if (c.hs > 0) {
        /* out of memory: the most copies, as before this policy */
        c.hs = hot_nodes(tr, c.hs, need * hs_sync_split(o), r.kept_total, c.hs);
        c.hs_averaged = averaged_nodes(tr, c.hs, r.kept_total);
    }
    return c;
}

int32_t kernel_batch_hs_averaged(const struct trainer *tr, int32_t cap)
{
    double kept_total = 0;
    for (int32_t w = 1; w < tr->vocab_size; w++)
        kept_total += (double)tr->counts[w] * tr->keep[w];
    return kept_total > 0 ? averaged_nodes(tr, cap, kept_total) : 0;
}

/* The first id the shares deal out (past the most private output copies:
 * ids 1 .. BATCH_HOT_OUT, of which kernel_batch_hot_rows may keep fewer;
 * the rest are drawn by every thread, since dealing out frequent words
 * cost a quarter of the accuracy), or 0 when the threads draw from one
 * table (one thread, no NS, or a tail under BATCH_NEG_MIN_BLOCKS blocks
 * per thread). */
static int32_t share_from(const struct train_options *o, int64_t V)
{
    const struct batch_hot_rows hc = hot_caps(o, V);
    const int64_t from = 1 + (int64_t)hc.out;
    const int64_t least = (int64_t)BATCH_NEG_MIN_BLOCKS * BATCH_NEG_BLOCK * o->threads;
    return hc.out > 0 && V - from >= least ? (int32_t)from : 0;
}

/* What batch_thread_init allocates for these options and V words, with a
 * longest Huffman code of max_code (0 without --hs). */
static size_t batch_buf_bytes(const struct train_options *o, int64_t V, int32_t max_code)
{
    size_t window2 = n_inputs(o);
    size_t sets = o->context_line ? W2V_MAX_SENTENCE : 0;
    size_t negs = (size_t)BATCH_RING * (size_t)(o->negative > 0 ? o->negative : 1);
    size_t outs = max_out(o, max_code);
    size_t stride = model_stride(o->dim);
    const struct batch_hot_rows hc = hot_caps(o, V); /* the most */
    size_t hot = (size_t)hc.in + (size_t)hc.out + (size_t)hc.hs;
    const int32_t from = share_from(o, V);
    size_t share = 0; /* share 0 is the largest */
    if (from > 0)
        share = (size_t)alias_share_size((int32_t)V, from, BATCH_NEG_BLOCK, 0, o->threads) *
                sizeof(struct alias_entry);
    return share + sizeof(struct batch_buf) + stride * sizeof(float) +
           (negs + sets) * sizeof(int32_t) +
           (window2 * W2V_BATCH_GROUP + 16) * sizeof(float) +
           window2 * (2 * sizeof(float *) + sizeof(int32_t)) +
           outs * (sizeof(float *) + sizeof(int32_t) + 2 * sizeof(float)) +
           hot * 2 * stride * sizeof(float);
}

static void batch_thread_release(struct train_thread *t)
{
    struct batch_buf *b = t->buf;
    if (!b)
        return;
    w2v_aligned_free(b->h);
    w2v_aligned_free(b->negs);
    w2v_aligned_free(b->scratch);
    w2v_aligned_free(b->in);
    w2v_aligned_free(b->in_id);
    w2v_aligned_free(b->in_out);
    w2v_aligned_free(b->out);
    w2v_aligned_free(b->out_id);
    w2v_aligned_free(b->label);
    w2v_aligned_free(b->mult);
    w2v_aligned_free(b->set);
    hot_rows_release(&b->hot_in);
    hot_rows_release(&b->hot_out);
    hot_rows_release(&b->hot_hs);
    alias_share_release(&b->negatives);
    w2v_aligned_free(b);
    t->buf = NULL;
}

int64_t kernel_batch_sync_words(int64_t words_per_epoch, int threads)
{
    if (threads <= 1)
        return BATCH_SYNC_WORDS; /* no copies to sync */
    int64_t gap = BATCH_SYNC_WORDS / (threads - 1);
    const int64_t most = words_per_epoch / threads / 256;
    if (most < gap)
        gap = most;
    return gap > 0 ? gap : 1;
}

/* With several threads, private copies of the rows every thread writes
 * most (hotrows.h); with one there is nothing to bounce between cores, and
 * lookups pass straight through (the same bits as without copies). Ids are
 * in frequency order, 1 the most frequent; the Huffman root is inner node
 * V - 3, its nearest descendants just below it. The copies drift apart
 * between syncs; where they would be most of a small model the threads
 * would train diverging models and add up their changes, so at most an
 * eighth of the rows are private, and a thread syncs at least 256 times an
 * epoch. */
static int hot_init(struct batch_buf *b, const struct trainer *tr)
{
    const struct train_options *o = &tr->opt;
    const size_t n = tr->model.stride;
    const int64_t V = tr->vocab_size;
    b->sync_words = kernel_batch_sync_words(
        tr->words_per_epoch, o->threads > 1 || BATCH_AS_THREADS <= 1 ? o->threads : BATCH_AS_THREADS);
    b->sync_hs_words = b->sync_words / hs_sync_split(o);
    const struct batch_hot_rows hc = kernel_batch_hot_rows(tr, b->sync_words);
    int status = hot_rows_init(&b->hot_in, tr->model.syn0, n, 1, hc.in);
    if (status == 0 && o->negative > 0)
        status = hot_rows_init(&b->hot_out, tr->model.syn1neg, n, 1, hc.out);
    if (status == 0 && o->hs)
        status = hot_rows_init(&b->hot_hs, tr->model.syn1, n, (int32_t)(V - 2 - hc.hs), hc.hs);
    /* the copies of the root-most nodes are the last ones (ids up to V - 3) */
    b->hot_hs.weight = 1.0f / (float)(o->threads > 1 ? o->threads : 1);
    b->hot_hs.weighted_from = hc.hs - hc.hs_averaged;
    return status;
}

/* This thread's share of the negative sampler, when there is one
 * (share_from: NS, several threads, a long enough tail). Built by the
 * thread itself, from the counts. */
static int share_init(struct batch_buf *b, const struct train_thread *t)
{
    const struct trainer *tr = t->tr;
    const int32_t from = share_from(&tr->opt, tr->vocab_size);
    if (from == 0)
        return 0;
    return alias_share_build(&b->negatives, tr->counts, tr->vocab_size, tr->opt.ns_exponent,
                             from, BATCH_NEG_BLOCK, t->id, tr->opt.threads, NULL);
}

/* Zeroed, on cache lines of its own: every buffer here is written for
 * every window, and two threads' small buffers sharing a 64-byte line
 * would bounce it between their cores (false sharing). */
static void *thread_calloc(size_t n, size_t size)
{
    size_t bytes;
    void *p = w2v_size_mul(n, size, &bytes) == 0 ? w2v_aligned_alloc(bytes) : NULL;
    if (p)
        memset(p, 0, bytes);
    return p;
}

static int batch_thread_init(struct train_thread *t)
{
    const struct trainer *tr = t->tr;
    const struct train_options *o = &tr->opt;
    const size_t row_bytes = tr->model.stride * sizeof(float);
    struct batch_buf *b = thread_calloc(1, sizeof *b);
    t->buf = b;
    if (!b)
        return W2V_ENOMEM;
    b->h = w2v_aligned_alloc(row_bytes);
    size_t window2 = n_inputs(o);
    size_t outs = max_out(o, o->hs ? tr->huffman.max_length : 0);
    b->negs = thread_calloc((size_t)BATCH_RING * (size_t)(o->negative > 0 ? o->negative : 1),
                         sizeof *b->negs);
    b->scratch = thread_calloc(window2 * W2V_BATCH_GROUP + 16, sizeof *b->scratch);
    b->in = thread_calloc(window2, sizeof *b->in);
    b->in_id = thread_calloc(window2, sizeof *b->in_id);
    b->in_out = thread_calloc(window2, sizeof *b->in_out);
    b->out = thread_calloc(outs, sizeof *b->out);
    b->out_id = thread_calloc(outs, sizeof *b->out_id);
    b->label = thread_calloc(outs, sizeof *b->label);
    b->mult = thread_calloc(outs, sizeof *b->mult);
    if (o->context_line)
        b->set = thread_calloc(W2V_MAX_SENTENCE, sizeof *b->set);
    if (!b->h || !b->negs || !b->scratch || !b->in || !b->in_id || !b->in_out || !b->out ||
        !b->out_id || !b->label || !b->mult || (o->context_line && !b->set) ||
        hot_init(b, tr) != 0 || share_init(b, t) != 0) {
        batch_thread_release(t);
        return W2V_ENOMEM;
    }
    memset(b->h, 0, row_bytes);
    return 0;
}

static size_t batch_thread_bytes(const struct train_options *o, int64_t vocab_size)
{
    /* The longest Huffman code is below 2 log2(V) + 8 for any real counts. */
    return batch_buf_bytes(o, vocab_size, o->hs ? (int32_t)log2((double)vocab_size) * 2 + 8 : 0);
}

/* ---- sentences ----------------------------------------------------------- */

/* Ask for a row's cache lines before they are needed (for writing). */
static inline void prefetch_row(const float *row, size_t n)
{
    if (BATCH_AHEAD == 0)
        return;
    kernels_prefetch_row_write(row, n);
}

/* Draw the K negatives of centre c into its ring slot and prefetch their
 * rows and the centre word's own output row. */
static inline void draw_negatives(struct train_thread *t, struct batch_buf *bb, int32_t c,
                                  int32_t word)
{
    const struct trainer *tr = t->tr;
    const size_t n = tr->model.stride;
    const int K = tr->opt.negative;
    int32_t *slot = bb->negs + (size_t)(c % BATCH_RING) * (size_t)K;
    prefetch_row(hot_rows_peek(&bb->hot_out, word), n);
    for (int k = 0; k < K; k++) {
        slot[k] = bb->negatives.table.entries ? alias_share_sample(&bb->negatives, &t->rng)
                                    : alias_sample(&tr->negatives, &t->rng);
        prefetch_row(hot_rows_peek(&bb->hot_out, slot[k]), n);
    }
}

/* Fill bb->out/label/mult with the centre word (label 1) and the negatives
 * of centre c (label 0): a negative equal to the word is skipped (the
 * reference's rule), a repeated one counts twice. Returns M. */
static inline int ns_outputs(const struct trainer *tr, struct batch_buf *bb, int32_t c,
                             int32_t word)
{
    const int K = tr->opt.negative;
    const int32_t *slot = bb->negs + (size_t)(c % BATCH_RING) * (size_t)K;
    int M = 1;
    bb->out[0] = hot_rows_get(&bb->hot_out, word);
    bb->out_id[0] = word;
    bb->label[0] = 1.0f;
    bb->mult[0] = 1.0f;
    for (int k = 0; k < K; k++) {
        int32_t w = slot[k];
        if (w == word)
            continue;
        int q = 1;
        while (q < M && bb->out_id[q] != w)
            q++;
        if (q < M) {
            bb->mult[q] += 1.0f;
            continue;
        }
        bb->out[M] = hot_rows_get(&bb->hot_out, w);
        bb->out_id[M] = w;
        bb->label[M] = 0.0f;
        bb->mult[M] = 1.0f;
        M++;
    }
    return M;
}

/* Fill bb->out/label/mult with the inner nodes of word's Huffman path,
 * labels 1 - code bit. Returns the path length. */
static inline int hs_outputs(const struct trainer *tr, struct batch_buf *bb, int32_t word)
{
    const struct huffman *hf = &tr->huffman;
    const int32_t code = word - 1; /* the tree leaves out </s> */
    const int64_t off = hf->offset[code];
    const int32_t len = hf->length[code];
    for (int32_t b = 0; b < len; b++) {
        bb->out[b] = hot_rows_get(&bb->hot_hs, hf->points[off + b]);
        bb->label[b] = 1.0f - (float)hf->code_bits[off + b];
        bb->mult[b] = 1.0f;
    }
    return len;
}

static inline void prefetch_path(const struct trainer *tr, const struct batch_buf *bb,
                                 int32_t word)
{
    const struct huffman *hf = &tr->huffman;
    const size_t n = tr->model.stride;
    const int64_t off = hf->offset[word - 1];
    const int32_t len = hf->length[word - 1];
    for (int32_t b = 0; b < len; b++)
        prefetch_row(hot_rows_peek(&bb->hot_hs, hf->points[off + b]), n);
}

/* The loss of inputs in[0..B) against the outputs in bb->out/label/mult
 * [0..M), from the rows as they are now (before the step that trains them):
 * Σ_b Σ_m mult[m] softplus(±in_b · out_m). Reads only. */
static double outputs_loss(float *const *in, int B, const struct batch_buf *bb, int M, size_t n)
{
    double sum = 0;
    for (int b = 0; b < B; b++)
        for (int m = 0; m < M; m++) {
            double f = kernels_dot(in[b], bb->out[m], n);
            sum += bb->mult[m] * train_softplus(bb->label[m] > 0.5f ? -f : f);
        }
    return sum;
}

/* The look-ahead for centre c: its negatives and its Huffman path. */
static inline void draw_ahead(struct train_thread *t, struct batch_buf *bb, const int32_t *sen,
                              int32_t c)
{
    const struct trainer *tr = t->tr;
    if (tr->opt.negative > 0)
        draw_negatives(t, bb, c, sen[c]);
    if (tr->opt.hs)
        prefetch_path(tr, bb, sen[c]);
}

/* Before a sentence's first centre word: the negatives and Huffman paths
 * of the first BATCH_AHEAD centres, and the first context rows. */
static inline void sentence_start(struct train_thread *t, struct batch_buf *bb,
                                  const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    for (int32_t c = 0; c < len && c < BATCH_AHEAD; c++)
        draw_ahead(t, bb, sen, c);
    for (int32_t j = 0; j < len && j < BATCH_AHEAD + tr->opt.window; j++)
        prefetch_row(hot_rows_peek(&bb->hot_in, sen[j]), tr->model.stride);
}

/* The last BATCH_AHEAD centres of a line have no centre that far ahead to
 * look at: they look at the next line instead (t->next_ids, the raw ids
 * before subsampling, so a prefetch may go to a word that is then
 * dropped). At the line's k-th centre from that point it fetches the output
 * rows of the next line's word k (its NS row or Huffman path) and the input
 * rows of its words 3k .. 3k + 2, so that the next line's first rows are on
 * their way while this one ends instead of being asked for at its start.
 * No random numbers: the same bits as without. Two threads with the vCPUs
 * far apart, 1 epoch of corpus10m: cbow-ns 6.52M -> 6.75M words/s, sg-ns
 * 4.96M -> 5.07M, cbow-hs 3.80M -> 3.81M (docs/BENCHMARKS.md, round 9). */
static inline void prefetch_next_line(const struct train_thread *t, const struct batch_buf *bb,
                                      int32_t k)
{
    const struct trainer *tr = t->tr;
    const int32_t *next = t->next_ids;
    const size_t n = tr->model.stride;
    for (int32_t j = 0; next && j < 3 * k + 3 && j < t->next_n && next[j] != 0; j++) {
        if (j >= 3 * k)
            prefetch_row(hot_rows_peek(&bb->hot_in, next[j]), n);
        if (j == k && tr->opt.negative > 0)
            prefetch_row(hot_rows_peek(&bb->hot_out, next[j]), n);
        if (j == k && tr->opt.hs)
            prefetch_path(tr, bb, next[j]);
    }
}

/* Input row B of the current centre: the row of word id. Returns B + 1. */
static inline int add_input(struct batch_buf *bb, int B, int32_t id)
{
    bb->in[B] = hot_rows_get(&bb->hot_in, id);
    bb->in_id[B] = id;
    return B + 1;
}

/* Centre word i's inputs: first the look-ahead for centre i + BATCH_AHEAD
 * (its negatives, path and a context row), then the window draw (in this
 * order: it fixes the stream of random numbers); the window's context rows
 * go to bb->in. Returns their number. */
static inline int window_inputs(struct train_thread *t, struct batch_buf *bb, const int32_t *sen,
                                int32_t len, int32_t i)
{
    const struct trainer *tr = t->tr;
    const int W = tr->opt.window;
    if (i + BATCH_AHEAD < len) {
        draw_ahead(t, bb, sen, i + BATCH_AHEAD);
        if (i + BATCH_AHEAD + W < len)
            prefetch_row(hot_rows_peek(&bb->hot_in, sen[i + BATCH_AHEAD + W]), tr->model.stride);
    } else {
        prefetch_next_line(t, bb, i + BATCH_AHEAD - len);
    }
    int win = sampling_window(&t->rng, W);
    int32_t a = i > win ? i - win : 0;
    int32_t b = len - 1 - i > win ? i + win : len - 1;
    int B = 0;
    for (int32_t j = a; j <= b; j++)
        if (j != i)
            B = add_input(bb, B, sen[j]);
    return B;
}

/* --context line (item2vec): centre i's inputs are the other items of its
 * set, after the same look-ahead as window_inputs and without a window
 * draw. A line of len <= max_set kept items is one set: all len - 1
 * others, every pair both ways, len (len - 1) pairs. A longer line was
 * shuffled (batch_sentence) and each item takes the max_set - 1 items after
 * it in that order, wrapping round: a uniform draw of max_set - 1 of the
 * others, fresh every epoch, so the cost stays len (max_set - 1) pairs
 * however long the line. Returns the number of inputs (bb->in). */
static inline int set_inputs(struct train_thread *t, struct batch_buf *bb, const int32_t *sen,
                             int32_t len, int32_t i)
{
    const int32_t m = t->tr->opt.max_set - 1;
    if (i + BATCH_AHEAD < len)
        draw_ahead(t, bb, sen, i + BATCH_AHEAD);
    else
        prefetch_next_line(t, bb, i + BATCH_AHEAD - len);
    int B = 0;
    if (len - 1 <= m) {
        for (int32_t j = 0; j < len; j++)
            if (j != i)
                B = add_input(bb, B, sen[j]);
    } else {
        for (int32_t k = 1; k <= m; k++)
            B = add_input(bb, B, sen[i + k < len ? i + k : i + k - len]);
    }
    return B;
}

/* The inputs of centre i in the chosen context mode. */
static inline int centre_inputs(struct train_thread *t, struct batch_buf *bb, const int32_t *sen,
                                int32_t len, int32_t i)
{
    if (t->tr->opt.context_line)
        return set_inputs(t, bb, sen, len, i);
    return window_inputs(t, bb, sen, len, i);
}

/* The skip-gram step of one centre word: its B input rows (bb->in) against
 * its M output rows (bb->out), in groups of W2V_BATCH_GROUP outputs and of
 * at most `rows` inputs (0: all B at once). Why a cap: a block adds the
 * gradients of all its inputs to each output row at once, all taken from
 * the rows as they were, where pair-by-pair SGD moves the row after each
 * context and lets the next one see it; with many inputs on the same few
 * output rows that is one step B times too long. On text with subsampling
 * it does not show (analogy and WS353 as the reference kernel at windows
 * 5 and 10), on random walks over a graph it does: link-prediction AUC .75
 * with whole windows of 10, .79 with 4 rows, .81 with 2, .83 with 1 (the
 * reference kernel's figure) — docs/BENCHMARKS.md. */
static inline void block_sg(struct batch_buf *bb, int B, int M, size_t n, float alpha, int clip,
                            int rows)
{
    const int G = W2V_BATCH_GROUP;
    const int R = rows > 0 ? rows : B;
    for (int q = 0; q < B; q += R)
        for (int p = 0; p < M; p += G)
            kernels_block_sg(bb->in + q, B - q < R ? B - q : R, bb->out + p, bb->label + p,
                             bb->mult + p, M - p < G ? M - p : G, n, alpha, clip, bb->scratch);
}

/* Skip-gram: inputs = the window's context rows, outputs = the centre
 * word's path (HS) and/or the centre word with shared negatives (NS), in
 * groups of W2V_BATCH_GROUP. */
static void sentence_sg(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    struct batch_buf *bb = t->buf;
    const size_t n = tr->model.stride;
    sentence_start(t, bb, sen, len);
    for (int32_t i = 0; i < len; i++) {
        int B = centre_inputs(t, bb, sen, len, i);
        if (B == 0)
            continue;
        /* The loss of one context row (the middle one) of a measured
         * window: the logarithms of all B rows would cost as much as the
         * window's own update. */
        const int measure = train_loss_due(t);
        t->pending_examples += measure;
        if (tr->opt.hs) {
            int M = hs_outputs(tr, bb, sen[i]);
            if (measure)
                t->pending_loss += outputs_loss(bb->in + B / 2, 1, bb, M, n);
            block_sg(bb, B, M, n, t->alpha, 1, tr->opt.batch_rows);
        }
        if (tr->opt.negative > 0) {
            int M = ns_outputs(tr, bb, i, sen[i]);
            if (measure)
                t->pending_loss += outputs_loss(bb->in + B / 2, 1, bb, M, n);
            block_sg(bb, B, M, n, t->alpha, 0, tr->opt.batch_rows);
            if (bb->on_centre) {
                for (int j = 0; j < B; j++)
                    bb->in_out[j] = (float *)hot_rows_peek(&bb->hot_out, bb->in_id[j]);
                const struct batch_centre c = {sen, len, i, bb->in_id, bb->in_out, bb->in, B,
                                               bb->out + 1, bb->mult + 1, M - 1};
                bb->on_centre(t, bb->on_centre_arg, &c);
            }
        }
    }
}

/* CBOW: the context mean (or sum) in bb->h is the one input; the centre
 * word's outputs as for skip-gram, in groups of W2V_BATCH_GROUP_CBOW;
 * every context row gets the gradient. */
static void sentence_cbow(struct train_thread *t, const int32_t *sen, int32_t len)
{
    const struct trainer *tr = t->tr;
    struct batch_buf *bb = t->buf;
    const size_t n = tr->model.stride;
    const int G = W2V_BATCH_GROUP_CBOW;
    float *h = bb->h;
    sentence_start(t, bb, sen, len);
    for (int32_t i = 0; i < len; i++) {
        int C = centre_inputs(t, bb, sen, len, i);
        if (C == 0)
            continue;
        kernels_mean(h, bb->in, C, n, tr->opt.cbow_sum ? 1.0f : 1.0f / (float)C);
        const int measure = train_loss_due(t);
        t->pending_examples += measure;
        if (tr->opt.hs) {
            int M = hs_outputs(tr, bb, sen[i]);
            if (measure)
                t->pending_loss += outputs_loss(&h, 1, bb, M, n);
            for (int p = 0; p < M; p += G)
                kernels_block_cbow(h, bb->in, C, bb->out + p, bb->label + p, bb->mult + p,
                                   M - p < G ? M - p : G, n, t->alpha, 1);
        }
        if (tr->opt.negative > 0) {
            int M = ns_outputs(tr, bb, i, sen[i]);
            if (measure)
                t->pending_loss += outputs_loss(&h, 1, bb, M, n);
            for (int p = 0; p < M; p += G)
                kernels_block_cbow(h, bb->in, C, bb->out + p, bb->label + p, bb->mult + p,
                                   M - p < G ? M - p : G, n, t->alpha, 0);
        }
    }
}

/* Hand the thread's changes to its hot rows over to the shared matrices
 * and take the other threads' (no-op with one thread). */
static void batch_sync(struct train_thread *t)
{
    struct batch_buf *bb = t->buf;
    hot_rows_sync(&bb->hot_in);
    hot_rows_sync(&bb->hot_out);
    hot_rows_sync(&bb->hot_hs);
    bb->since_sync = 0;
    bb->since_hs_sync = 0;
}

/* Fisher-Yates: set[0..len) = sen[0..len) in a random order. */
static void shuffle_set(struct train_thread *t, int32_t *set, const int32_t *sen, int32_t len)
{
    memcpy(set, sen, (size_t)len * sizeof *set);
    for (int32_t i = len - 1; i > 0; i--) {
        int32_t j = (int32_t)rng_below(&t->rng, (uint64_t)i + 1);
        int32_t x = set[i];
        set[i] = set[j];
        set[j] = x;
    }
}

static void batch_sentence(struct train_thread *t, const int32_t *sentence, int32_t len)
{
    struct batch_buf *bb = t->buf;
    /* --context line: a line over max_set items is shuffled (set_inputs). */
    if (t->tr->opt.context_line && len > t->tr->opt.max_set) {
        shuffle_set(t, bb->set, sentence, len);
        sentence = bb->set;
    }
    if (t->tr->opt.arch == TRAIN_CBOW)
        sentence_cbow(t, sentence, len);
    else
        sentence_sg(t, sentence, len);
    bb->since_sync += len;
    bb->since_hs_sync += len;
    if (bb->since_sync >= bb->sync_words) {
        batch_sync(t);
    } else if (bb->since_hs_sync >= bb->sync_hs_words) {
        hot_rows_sync(&bb->hot_hs);
        bb->since_hs_sync = 0;
    }
}

void kernel_batch_on_centre(void *buf, batch_centre_fn fn, void *arg)
{
    struct batch_buf *bb = buf;
    bb->on_centre = fn;
    bb->on_centre_arg = arg;
}

const struct train_kernel kernel_batch = {
    "batched", batch_thread_init, batch_sentence, batch_thread_release, batch_thread_bytes,
    batch_sync,
};
