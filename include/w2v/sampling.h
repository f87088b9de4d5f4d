/* sampling.h — the random parts of training: a small per-thread RNG, the
 * negative sampler (Vose's alias method, sized to the vocabulary instead of
 * the original's 100M-entry table) and the subsampling keep-probabilities.
 *
 * Nothing here is shared mutable state: each training thread owns its
 * struct rng; the alias table and keep-probabilities are read-only once
 * built, so any number of threads may sample from them at once. */
#ifndef W2V_SAMPLING_H
#define W2V_SAMPLING_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"

/* splitmix64 (Steele, Lea & Flood 2014): one 64-bit add and a mixing
 * function per draw. Passes BigCrush, needs no warm-up, and any seed
 * (zero included) is fine — which makes "seed + thread id" streams safe. */
struct rng {
    uint64_t state;
};

/* Seed stream `stream` of `seed` (training uses stream = thread id). The
 * stream is hashed in so that neighbouring seeds/streams do not give
 * overlapping sequences. */
static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t z = seed ^ (stream * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull);
    z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDull;
    z = (z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53ull;
    r->state = z ^ (z >> 33);
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) for 0 < n <= 2^32, by Lemire's multiply-shift. The bias
 * is at most n / 2^32 (below 1e-5 for any real vocabulary); training does
 * not need exactness and this avoids a division per draw. */
static inline uint32_t rng_below(struct rng *r, uint64_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* Uniform float in [0, 1): the top 24 bits, exactly representable. */
static inline float rng_uniform(struct rng *r)
{
    return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

/* Uniform double in [0, 1): the top 53 bits, exactly representable. For
 * draws where 24 bits are too coarse (a point in a row of running weight
 * sums; a pick among more than 2^24 items). */
static inline double rng_double(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* The negative-sampling distribution P(w) ∝ count[w]^exponent as an alias
 * table: one uniform bucket pick plus one comparison per draw, O(V) memory
 * (8 bytes per word). Words with count 0 are never drawn. */
struct alias_entry {
    float prob;    /* probability of keeping the bucket's own word */
    int32_t alias; /* the word drawn otherwise */
};

struct alias_table {
    int32_t n;                  /* buckets (= vocabulary size) */
    struct alias_entry *entries; /* [n] */
};

/* Build from counts[0..n) (each >= 0, at least one > 0). exponent is the
 * original's 0.75 by default; any finite value works (0 gives uniform over
 * the words with a non-zero count). Returns 0, W2V_EINVAL (n < 1, a
 * negative count, all weights zero, non-finite weights) or W2V_ENOMEM.
 * The table owns its memory; release with alias_release. */
int alias_build(struct alias_table *a, const int64_t *counts, int32_t n, double exponent,
                struct w2v_err *err);

void alias_release(struct alias_table *a); /* safe on zeroed/released */

/* One draw's bucket, and in *own whether it gives the bucket's own word
 * (else the entry's alias). */
static inline uint32_t alias_bucket(const struct alias_table *a, struct rng *r, int *own)
{
    uint64_t x = rng_next(r);
    uint32_t bucket = (uint32_t)(((x >> 32) * (uint64_t)a->n) >> 32);
    /* The low 24 bits are independent of the high 32 used for the bucket. */
    float u = (float)(x & 0xFFFFFF) * (1.0f / 16777216.0f);
    *own = u < a->entries[bucket].prob;
    return bucket;
}

/* own ? self : alias, without a branch: which of the two a draw gives is a
 * coin toss no predictor can guess, and a select costs a cycle where a
 * missed guess costs a pipeline's worth. */
static inline int32_t alias_choose(int own, int32_t self, int32_t alias)
{
    const uint32_t keep = 0u - (uint32_t)(own != 0);
    return (int32_t)((uint32_t)alias ^ (((uint32_t)alias ^ (uint32_t)self) & keep));
}

/* Draw one word id. Thread-safe (the table is read-only; the rng is the
 * caller's own). */
static inline int32_t alias_sample(const struct alias_table *a, struct rng *r)
{
    int own;
    const uint32_t bucket = alias_bucket(a, r, &own);
    return alias_choose(own, (int32_t)bucket, a->entries[bucket].alias);
}

/* One thread's share of the negative sampler, for T threads training one
 * model (issue 17). With the two vCPUs of a virtual machine on different
 * core complexes, every page of a matrix that both threads write slows
 * both (scripts/bench-placement.sh: rows both threads draw, or rows one
 * draws but on pages holding the other's, ~1.4-1.5x for two threads;
 * each thread on pages of its own, 2.1x), and five in six output rows a
 * skip-gram window writes are negatives. So past the first `from` ids
 * (the rows every thread draws most, which the batched kernel gives each
 * thread a private copy of anyway), the ids are dealt to the T shares in
 * blocks of `block` ids, round robin, and share t draws only its own
 * blocks, at T times their weight. The T threads together draw each id
 * about as often as from alias_build's table (exactly when every share's
 * own weights sum alike; blocks of neighbouring ranks, in frequency order,
 * nearly do), but no page of those rows is written by two threads' draws.
 * A centre word still meets every id over the epochs, through whichever
 * thread trains each of its occurrences. */
struct alias_share {
    struct alias_table table; /* over the share's ids (alias_share_id); every entry's
                               * alias is already a word id */
    int32_t from;             /* ids below from: buckets 0 .. from - 1, themselves */
    int32_t part, parts;      /* this share, of how many */
    int32_t block_shift;      /* log2 of the block size */
};

/* The word id of bucket k of a share: the ids below from as they are, then
 * the share's own blocks in order. Arithmetic, not a lookup: a table of
 * ids made each draw two dependent cache misses instead of one. With the
 * id computed, the aliases stored as ids and alias_choose, two threads on
 * corpus10m with the vCPUs far apart trained 2.8% (cbow-ns) and 3.7%
 * (sg-ns) more words/s, the median of 10 alternating runs each
 * (docs/BENCHMARKS.md, round 12); the draws are the same. */
static inline int32_t alias_share_id(const struct alias_share *s, int32_t k)
{
    /* Unsigned throughout (k < from wraps, and is then not chosen), and no
     * branch: k < from is rare and alias_share_sample needs the id before
     * it knows whether it draws it. */
    const uint64_t past = (uint64_t)k - (uint64_t)s->from;
    const uint64_t block = (past >> s->block_shift) * (uint64_t)s->parts + (uint64_t)s->part;
    const uint64_t mask = ((uint64_t)1 << s->block_shift) - 1;
    const uint64_t own = (uint64_t)s->from + (block << s->block_shift) + (past & mask);
    const uint64_t below = 0 - (uint64_t)(k < s->from);
    return (int32_t)(own ^ ((own ^ (uint64_t)k) & below));
}

/* The ids share part of parts keeps of n (the size of its table). */
int32_t alias_share_size(int32_t n, int32_t from, int32_t block, int part, int parts);

/* Build share part (0 <= part < parts) of the sampler alias_build makes
 * from counts[0..n) and exponent; with parts 1 the same distribution.
 * block must be a power of two (alias_share_id shifts). Returns 0,
 * W2V_EINVAL (as alias_build, or block not a power of two, part out of
 * range; also when the share's ids all have count 0) or W2V_ENOMEM. */
int alias_share_build(struct alias_share *s, const int64_t *counts, int32_t n, double exponent,
                      int32_t from, int32_t block, int part, int parts, struct w2v_err *err);

void alias_share_release(struct alias_share *s); /* safe on zeroed/released */

/* One draw: alias_sample's, with the bucket's own word mapped to its id. */
static inline int32_t alias_share_sample(const struct alias_share *s, struct rng *r)
{
    int own;
    const uint32_t bucket = alias_bucket(&s->table, r, &own);
    return alias_choose(own, alias_share_id(s, (int32_t)bucket), s->table.entries[bucket].alias);
}

/* The original word2vec's subsampling: with f = count / total and t =
 * sample, a word is kept with probability min(1, (sqrt(f / t) + 1) * t / f).
 * Fills keep[0..n) (floats in (0, 1]); sample <= 0 keeps everything.
 * total must be >= every count and > 0. Returns 0 or W2V_EINVAL. */
int sampling_keep_probs(float *keep, const int64_t *counts, int32_t n, int64_t total,
                        double sample, struct w2v_err *err);

/* The effective window at one position: the original draws b uniformly in
 * [0, window) and uses window - b, so the result is uniform in [1, window]
 * and near words weigh more on average. window >= 1. */
static inline int sampling_window(struct rng *r, int window)
{
    return window - (int)rng_below(r, (uint64_t)window);
}

#endif
