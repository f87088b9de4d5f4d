/* query.h — nearest neighbours, analogies and similarities by cosine.
 *
 * A struct query_model holds a vector file ready for queries: either read
 * into memory with every row normalised to unit length (zero rows stay
 * zero), or (binary files) memory-mapped, with norms computed during the
 * scan. Top-k searches scan the candidate rows once, keeping the k best in a
 * bounded heap per query, on several threads over disjoint row ranges whose
 * heaps are merged; several queries can share one pass over the matrix.
 *
 * Order of results: higher cosine first; equal cosines by lower row (the
 * more frequent word in a frequency-sorted file), so results do not depend
 * on the number of threads. *
 * Thread safety, unless a prototype says otherwise: functions that take a
 * const struct may run concurrently on it; those that take a non-const one
 * need the caller to serialise calls on that struct (distinct structs are
 * independent). */
#ifndef W2V_QUERY_H
#define W2V_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/vectors.h"

struct query_hit {
    int64_t row;
    float score;
};

/* a is a better hit than b: higher score, or equal score and lower row. */
static inline int query_hit_better(struct query_hit a, struct query_hit b)
{
    return a.score > b.score || (a.score == b.score && a.row < b.row);
}

/* A bounded min-heap keeping the k best hits pushed so far; hits[0] is the
 * worst of them (the bar a new hit must beat once the heap is full). */
struct query_heap {
    struct query_hit *hits; /* [k], owned */
    size_t n, k;
};

/* k >= 1. Returns 0, W2V_EUSAGE (k == 0) or W2V_ENOMEM. */
int query_heap_init(struct query_heap *h, size_t k);
void query_heap_release(struct query_heap *h); /* safe on zeroed/released */
/* Keep (row, score) if it is among the k best so far. O(log k). */
void query_heap_push(struct query_heap *h, int64_t row, float score);
/* Sort hits[0..n) best first and return n. Afterwards the heap is no longer
 * a heap: release it or query_heap_reset it before pushing again. */
size_t query_heap_sort(struct query_heap *h);
void query_heap_reset(struct query_heap *h); /* empty, same k */

enum query_source {
    QUERY_IN_MEMORY = 0, /* rows normalised in memory */
    QUERY_MAPPED = 1     /* rows are the mapped file's raw little-endian floats */
};

struct query_model {
    int64_t rows;
    int32_t dim;
    enum query_source source;
    struct vectors vec;   /* QUERY_IN_MEMORY: words, index, unit rows in vec.data */
    void *mapping;        /* QUERY_MAPPED: private state (vectors_map), owned */
};

/* Open a vector file for queries. allow_map: map binary files instead of
 * reading them (text files are always read). Returns 0 or the status of
 * vectors_read / mapping (err filled). Not thread-safe on one model. */
int query_model_open(struct query_model *m, const char *path, int allow_map,
                     struct w2v_err *err);

/* query_model_open of the first limit rows only (gensim's limit=; limit
 * <= 0: all): the model holds those rows and nothing else. Same returns. */
int query_model_open_limit(struct query_model *m, const char *path, int allow_map,
                           int64_t limit, struct w2v_err *err);

/* query_model_open as o says (vectors_read_with; o may be NULL). With
 * o->no_header nothing is mapped: a binary file always has a header. Same
 * returns. */
int query_model_open_with(struct query_model *m, const char *path, int allow_map,
                          const struct vectors_read_opts *o, struct w2v_err *err);

/* Take over v's contents (v is left zeroed; m owns them until
 * query_model_release) and normalise its rows in place.
 * v must have an index (vectors_read builds one). Returns 0 (cannot fail
 * otherwise: the matrix is reused). */
int query_model_from_vectors(struct query_model *m, struct vectors *v);

void query_model_release(struct query_model *m); /* safe on zeroed/released */

/* Row of word, or -1. Thread-safe. */
int64_t query_model_find(const struct query_model *m, const char *word);

/* The word of row (not necessarily NUL-terminated: mapped words point into
 * the file) and its length in *len. Thread-safe. */
const char *query_model_word(const struct query_model *m, int64_t row, size_t *len);

/* Write row's unit vector (zeros for a zero row) to out[0..dim). Returns 0,
 * or W2V_EFORMAT (err names the word) when a mapped row is not finite.
 * Thread-safe (distinct out). */
int query_model_unit(const struct query_model *m, int64_t row, float *out, struct w2v_err *err);

/* Query vectors, written to out[0..dim), unit length (or zero).
 * nearest: the normalised sum of the rows' unit vectors (the original
 * distance tool's sum for several words). analogy: unit(a) - unit(b) +
 * unit(c), normalised (3CosAdd). Return 0, W2V_ENOMEM or the error of
 * query_model_unit. Thread-safe (distinct out). */
int query_vector_nearest(const struct query_model *m, const int64_t *rows, size_t n, float *out,
                         struct w2v_err *err);
int query_vector_analogy(const struct query_model *m, int64_t a, int64_t b, int64_t c,
                         float *out, struct w2v_err *err);

/* Cosine of two rows in [-1, 1] (0 when either is a zero vector) in *out:
 * the float dot product of their unit vectors, the same on read and mapped
 * models. Returns 0, W2V_ENOMEM or the error of query_model_unit.
 * Thread-safe. */
int query_similarity(const struct query_model *m, int64_t r1, int64_t r2, float *out,
                     struct w2v_err *err);

/* One top-k search: the query vector (unit length, [dim]) and the rows that
 * must not be answered (the query words). */
struct query_request {
    const float *vec;
    const int64_t *exclude;
    size_t n_exclude;
};

struct query_options {
    size_t k;               /* hits wanted per query, >= 1 */
    int64_t restrict_rows;  /* only rows [0, restrict_rows) are candidates; <= 0: all */
    int threads;            /* <= 0: one per online CPU */
};

/* Answer n_req requests in one pass over the candidate rows. hits: [n_req,
 * k], each request's hits best first; n_hits[i] how many request i got
 * (fewer than k when there are fewer candidates). Returns 0, W2V_ENOMEM,
 * W2V_EUSAGE (k == 0), or W2V_EFORMAT (a mapped row holds a non-finite
 * value; err names the word). Thread-safe for concurrent readers of m. */
int query_topk(const struct query_model *m, const struct query_request *reqs, size_t n_req,
               const struct query_options *opt, struct query_hit *hits, size_t *n_hits,
               struct w2v_err *err);

/* ---- the toolkit on top of the search (src/query_toolkit.c) -------------- */

/* a . b for a, b: [n], with the search's own kernel, so a score computed
 * from query_model_unit rows equals the one query_topk gives. Pure. */
float query_dot(const float *a, const float *b, size_t n);

/* x[0..n) scaled to unit length in place as the search normalises rows (a
 * zero vector stays zero). Returns 0, or W2V_EFORMAT when x holds a NaN or
 * an infinity (x is then unspecified). Pure. */
int query_normalize(float *x, size_t n);

/* 3CosMul (Levy & Goldberg 2014): the score of x for "a is to b as c is to
 * x" from the cosines of x with a, b and c, each shifted to [0, 1] by
 * query_cos_shift: sb sc / (sa + epsilon). The one definition, shared by
 * eval-analogy's block search and query_analogy_3cosmul. */
#define QUERY_3COSMUL_EPSILON 0.001f
static inline float query_cos_shift(float cos) { return (cos + 1.0f) * 0.5f; }
static inline float query_3cosmul(float sa, float sb, float sc)
{
    return sb * sc / (sa + QUERY_3COSMUL_EPSILON);
}

/* The query vector of gensim's most_similar(positive, negative): the sum of
 * the unit vectors of pos[0..n_pos) minus those of neg[0..n_neg),
 * normalised (zero when they cancel), in out[0..dim). With n_neg == 0 it
 * equals query_vector_nearest's. Returns 0, W2V_ENOMEM or the error of
 * query_model_unit. Thread-safe for concurrent readers of m. */
int query_vector_mix(const struct query_model *m, const int64_t *pos, size_t n_pos,
                     const int64_t *neg, size_t n_neg, float *out, struct w2v_err *err);

/* The analogy a - b + c scored by 3CosMul instead of 3CosAdd: the
 * opt->k best rows x (restricted as opt says; never a, b or c) by
 * query_3cosmul(cos'(x,b), cos'(x,a), cos'(x,c)), best first, ties to the
 * lower row, into hits[0..*n_hits). One thread (opt->threads is ignored).
 * Returns 0, W2V_EINVAL (k == 0), W2V_ENOMEM or the error of
 * query_model_unit. Thread-safe for concurrent readers of m. */
int query_analogy_3cosmul(const struct query_model *m, int64_t a, int64_t b, int64_t c,
                          const struct query_options *opt, struct query_hit *hits,
                          size_t *n_hits, struct w2v_err *err);

/* gensim's doesnt_match: scores[i] = cosine of rows[i] with the normalised
 * mean of the n unit vectors; *odd = the index of the lowest score (ties:
 * the earlier index). n >= 2 (else W2V_EINVAL). Returns 0, W2V_EINVAL,
 * W2V_ENOMEM or the error of query_model_unit. Thread-safe for concurrent
 * readers of m. */
int query_doesnt_match(const struct query_model *m, const int64_t *rows, size_t n,
                       float *scores, size_t *odd, struct w2v_err *err);

#endif
