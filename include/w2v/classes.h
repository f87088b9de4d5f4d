/* classes.h — word classes: spherical k-means over word vectors (the
 * original word2vec's -classes, done as a clustering by cosine).
 *
 * Every row is normalised; a class centre is the normalised sum of its
 * members' unit vectors, and a word belongs to the centre with the highest
 * cosine (ties: the lower class). Seeds come from k-means++ (each next seed
 * drawn with probability proportional to its squared distance on the unit
 * sphere, 2 - 2 cos, from the nearest seed so far) with a splitmix64 stream
 * of the seed. Iterations stop when no word changes class, or after
 * max_iter. A class left empty takes the word farthest from its own centre.
 *
 * Results do not depend on the number of threads: words are assigned
 * independently, and each centre sums its members in row order. */
#ifndef W2V_CLASSES_H
#define W2V_CLASSES_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/vectors.h"

struct classes_options {
    int32_t k;          /* classes, 1..rows */
    int max_iter;       /* assignment rounds at most, >= 1 (default 100) */
    uint64_t seed;      /* k-means++ seeding (default 1) */
    int threads;        /* >= 1 (default 1) */
};

void classes_options_default(struct classes_options *o);

struct classes_stats {
    int iterations;      /* assignment rounds run */
    int converged;       /* the last round changed no word's class */
    double mean_cosine;  /* mean over words of cos(word, its class centre) */
};

/* Cluster the rows of data: [rows, stride] row-major, the first dim floats
 * of each row used (stride >= dim, so the trainer's padded matrix works).
 * class_out: [rows], receives each row's class in [0, k). st may be NULL.
 * Returns 0, W2V_EINVAL (k outside [1, rows], dim < 1, stride < dim,
 * max_iter or threads < 1; err says which) or W2V_ENOMEM. Zero rows are
 * allowed (cosine 0 to everything). Thread-safe for distinct outputs. */
int classes_kmeans(const float *data, int64_t rows, int32_t dim, size_t stride,
                   const struct classes_options *o, int32_t *class_out,
                   struct classes_stats *st, struct w2v_err *err);

/* Mean over the rows with a class (cls[i] in [0, k); others skipped) of the
 * cosine between the row and the normalised sum of its class's unit
 * vectors: the quantity spherical k-means maximises, for comparing any two
 * classings of the same vectors. Returns 0, W2V_EINVAL (no row has a class)
 * or W2V_ENOMEM. */
int classes_mean_cosine(const float *data, int64_t rows, int32_t dim, size_t stride,
                        const int32_t *cls, int32_t k, double *out, struct w2v_err *err);

/* Write "word class\n" per row, in row order (the original's format and
 * order), through a temporary file renamed into place. Returns 0 or W2V_EIO
 * with err filled; on failure an existing file at path is untouched. */
int classes_write(const char *path, const char *const *words, int64_t rows,
                  const int32_t *cls, struct w2v_err *err);

/* Read a class file ("word class" per line, the format classes_write and
 * the original's -classes write) for the words of v: cls: [v->rows]
 * receives each word's class, -1 for words the file does not list; *k the
 * largest class + 1. Returns 0, W2V_EIO, W2V_ENOMEM, or W2V_EFORMAT (err
 * names the line: a word not in v, a word listed twice, a class that is
 * not a whole number in [0, 2^31), a line without a class, no line). */
int classes_read(const char *path, const struct vectors *v, int32_t *cls, int32_t *k,
                 struct w2v_err *err);

#endif
