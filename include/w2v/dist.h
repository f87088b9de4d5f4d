/* dist.h — training on several processes or machines (MPI ranks), in the
 * scheme of Intel's pWord2Vec (Ji et al. 2016): every rank reads the whole
 * corpus (the same vocabulary and id stream), trains its own share of the
 * stream with its threads (dist_gather; one contiguous slice, dist_slice,
 * when the stream is a read-only spill file), and the ranks average their
 * models now and then with MPI_Allreduce: the most frequent words' rows
 * (which every window touches) every round, more of them every few rounds,
 * all rows every DIST_FULL_EVERY rounds and at the end. Rank 0 writes the
 * output. A round adds up what every rank changed since the last one (as threads' Hogwild updates add up), rather
 * than averaging the models: a row only one rank's slice trains would get
 * half of that rank's change from an average.
 *
 * Compiled in by `make mpi` (-DW2V_MPI, with mpicc); in the default build
 * every function is the single-process case (rank 0 of 1) and the program
 * needs no MPI library. */
#ifndef W2V_DIST_H
#define W2V_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/common.h"
#include "w2v/model.h"

/* What a round (one every 10 ms, train_run's monitor tick) exchanges:
 * the DIST_TOP_ROWS most frequent words' rows (ids are in frequency order:
 * the rows every window touches, which drift apart fastest), every
 * DIST_HOT_EVERY rounds the DIST_HOT_ROWS most frequent, every
 * DIST_FULL_EVERY rounds all rows (0.4 s). Chosen on corpus10m, 2 ranks x
 * 1 thread against one rank (docs/BENCHMARKS.md): 2,048 rows every 0.1 s
 * and all rows every 1 s was 1.82x as fast but 2.7 analogy points below
 * one rank; rounds ten times as often close most of that gap. */
#define DIST_TOP_ROWS 256
#define DIST_HOT_ROWS 2048
#define DIST_HOT_EVERY 4
#define DIST_FULL_EVERY 40
/* Pieces of the stream per rank (dist_gather). */
#define DIST_PIECES 64

struct dist {
    int rank, size;     /* this process's rank and the number of ranks */
    int64_t rounds;     /* averaging rounds done (the same count on every rank) */
    float *snap, *avg;  /* [rows * stride] the rows as sent, and the ranks' summed changes */
    size_t cap;         /* floats in each buffer */
    float *base[3];     /* syn0, syn1, syn1neg as of the last round that took each row:
                         * the same on every rank (NULL until the first round) */
    int32_t hs_averaged; /* the Huffman nodes nearest the root (ids V - 3 down) whose
                          * changes a round averages over the ranks instead of adding
                          * them up (train_hs_averaged); set before the first round */
    int started;        /* this module called MPI_Init */
};

/* Join the ranks (MPI_Init, threads funnelled through the main thread).
 * Without MPI: rank 0 of 1. Returns 0 or W2V_EIO with err filled. */
int dist_init(struct dist *d, int *argc, char ***argv, struct w2v_err *err);

/* After a failed run (code != 0) with several ranks: abort them all
 * (MPI_Abort), since the others would wait in the next round forever.
 * Returns only when code is 0 or there is one rank. */
void dist_exit(struct dist *d, int code);

/* Free the buffers and leave (MPI_Finalize). Safe after a failed init. */
void dist_release(struct dist *d);

/* This rank's slice [*lo, *hi) of a stream of n ids: equal parts, each
 * moved to start after a sentence end (0) so no sentence is split. Pure. */
void dist_slice(const struct dist *d, const int32_t *ids, int64_t n, int64_t *lo, int64_t *hi);

/* This rank's share of the stream as DIST_PIECES pieces interleaved with
 * the other ranks' (the stream cut into size * DIST_PIECES equal parts at
 * sentence starts; part k is rank k % size's), moved in order to the front
 * of ids; returns their total length. Why: with one contiguous slice each,
 * the ranks train distant parts of the corpus at any moment, and their
 * changes agree less when added up (analogy 0.4-0.6 points lower on
 * corpus10m, 2 ranks, 10 seeds: docs/BENCHMARKS.md); threads, likewise,
 * take neighbouring chunks.
 * One rank: ids untouched, n returned. ids past the returned length are
 * left in no particular order. */
int64_t dist_gather(const struct dist *d, int32_t *ids, int64_t n);

/* One averaging round over the model (called by every rank in turn, from
 * the thread that called dist_init, while the training threads run): each
 * matrix's most frequent rows (DIST_TOP_ROWS, or DIST_HOT_ROWS every
 * DIST_HOT_EVERY rounds), or all rows every DIST_FULL_EVERY rounds or when
 * full is set. The first round averages the models (the common starting
 * point); each later one gives every rank base + the sum over ranks of
 * (row as sent - base), base being the rows as the last round left them,
 * or for the d->hs_averaged Huffman nodes nearest the root, base + the mean
 * of those changes (dist_merge). Updates the training threads made during
 * the round are kept: a row becomes row + (new value - row as sent). done
 * says this rank has finished training; *all_done receives whether every
 * rank has. Returns 0,
 * W2V_ENOMEM or W2V_EIO (an MPI error) with err filled. Without MPI:
 * nothing to average, *all_done = done. */
int dist_round(struct dist *d, struct model *m, int done, int full, int *all_done,
               struct w2v_err *err);

/* A later round's merge of one matrix's span of `floats` floats: every
 * rank sent snap (its rows' change since base) and received sum (the
 * ranks' changes added up); base takes base + sum and the row moves by sum
 * - snap (what the other ranks added), except in [avg_from, avg_to), where
 * sum / ranks stands in for sum: there the ranks' changes are averaged.
 * Why average: every CBOW window moves the Huffman nodes nearest the root,
 * so between two rounds each rank moves them the same way, and the sum of
 * such moves overshoots (kernel_batch.c, BATCH_HS_AVERAGE_SHARE). Pure. */
void dist_merge(float *matrix, float *base, const float *snap, const float *sum, size_t floats,
                int ranks, size_t avg_from, size_t avg_to);

/* Where the averaged nodes (the n nearest the root of a vocabulary of V
 * words: rows V - 2 - n .. V - 3 of syn1) lie in a span of syn1 that
 * starts at row first and holds rows rows: [*from, *to) in floats from the
 * span's start, empty (*from == *to) when they miss it. Pure. */
void dist_averaged_range(int64_t V, size_t stride, int64_t first, int64_t rows, int32_t n,
                         size_t *from, size_t *to);

#endif
