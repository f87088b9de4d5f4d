/* phrases.h — joining frequent collocations into single tokens
 * ("new york" -> "new_york"), as the original word2phrase does, with
 * gensim's normalised-PMI scoring and connector words as options.
 *
 * A pass reads the text twice. Counting: every word, and every candidate
 * (a word, any connector words after it, and the next word that is not a
 * connector), in one vocabulary hash table (vocab.h), split over threads by
 * byte ranges and merged once. Like the original, counting reads the file
 * as one stream of words: a candidate may span a line end. Rewriting: left
 * to right, a candidate whose score passes the threshold is written joined
 * with '_'; its last word is then spent (it never starts another phrase in
 * the same pass), and nothing is ever joined across a line end.
 *
 * A candidate is a phrase when its words (the first and the last) each
 * occur at least min_count times, the candidate itself at least min_count
 * times, its joined form fits in W2V_MAX_WORD_BYTES (so every output token
 * reads back whole), and its score is above the threshold:
 *   default (word2phrase): (count(ab) - min_count) / (count(a) count(b)) * total_words
 *   npmi (gensim):         ln(p(ab) / (p(a) p(b))) / -ln(p(ab)),  p(x) = count(x) / total_words
 * total_words counts every word read, connectors included, line ends not.
 *
 * Candidates are keyed with a space between the words ("new york"), which
 * no token can hold, so a token that already holds an underscore never adds
 * to a candidate's count (the original shares one key for both). */
#ifndef W2V_PHRASES_H
#define W2V_PHRASES_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "w2v/common.h"
#include "w2v/vocab.h"

#define PHRASES_MAX_PASSES 16

enum phrases_scoring { PHRASES_SCORE_DEFAULT = 0, PHRASES_SCORE_NPMI = 1 };

struct phrases_options {
    int64_t min_count;                     /* >= 1 (default 5) */
    enum phrases_scoring scoring;          /* default: word2phrase's */
    int passes;                            /* 1..PHRASES_MAX_PASSES (default 1) */
    double threshold[PHRASES_MAX_PASSES];  /* one per pass (default 100; npmi: in [-1, 1]) */
    int64_t max_vocab;                     /* entries per counting table before pruning the
                                            * rarest (0: no bound) */
    int threads;                           /* counting threads, >= 1 */
    const struct vocab *connectors;        /* words that may sit inside a phrase but never
                                            * start or end one; NULL: none */
    const char *tmp_dir;                   /* for the spooled stdin and the text between
                                            * passes; NULL: $TMPDIR, else /tmp */
    int64_t min_range;                     /* fewest bytes per counting thread (0: 1 MiB;
                                            * tests use small ones to get many ranges) */
    const volatile sig_atomic_t *stop;     /* when it turns non-zero (a signal handler
                                            * sets it), the pass ends soon with W2V_EINTR;
                                            * NULL: never */
};

/* The defaults above: min_count 5, one pass, threshold 100, no bound, one
 * thread, no connectors. */
void phrases_options_default(struct phrases_options *o);

/* Check o (ranges, thresholds against the scoring). Returns 0 or W2V_EINVAL
 * with err saying which value is wrong. Thread-safe. */
int phrases_options_check(const struct phrases_options *o, struct w2v_err *err);

/* The counts of one pass. */
struct phrases_counts {
    struct vocab table;     /* words and candidate keys ("a b", "a of b"), not finalized */
    int64_t total_words;    /* words read, line ends excluded */
    int64_t pruned;         /* entries dropped by --max-vocab pruning, all tables together */
};

void phrases_counts_release(struct phrases_counts *c); /* safe on zeroed/released */

/* Count the words and candidates of the regular file at path into c
 * (initialised here), on o->threads threads over byte ranges. Returns 0 or
 * W2V_EIO / W2V_ENOMEM / W2V_EOVERFLOW with err filled; on error c is
 * released. */
int phrases_count(struct phrases_counts *c, const char *path, const struct phrases_options *o,
                  struct w2v_err *err);

/* The score of a candidate with counts a, b, ab out of total words, or
 * -INFINITY when it cannot be a phrase (a count below min_count). npmi
 * results lie in [-1, 1]. Thread-safe. */
double phrases_score(enum phrases_scoring scoring, int64_t count_a, int64_t count_b,
                     int64_t count_ab, int64_t min_count, int64_t total_words);

struct phrases_pass_stats {
    int64_t words_in;       /* tokens read (line ends excluded) */
    int64_t words_out;      /* tokens written */
    int64_t phrases;        /* tokens written that were joined in this pass */
    int64_t table_size;     /* entries in the merged counting table */
    int64_t pruned;         /* entries dropped by pruning */
};

/* Rewrite the file at path to out with the counts c: the pass described
 * above, with threshold. Lines stay lines; words are separated by one
 * space. st may be NULL. Returns 0 or W2V_EIO / W2V_ENOMEM with err filled
 * (out may then hold part of the text). Not thread-safe on one out. */
int phrases_rewrite(const struct phrases_counts *c, const char *path, FILE *out,
                    double threshold, const struct phrases_options *o,
                    struct phrases_pass_stats *st, struct w2v_err *err);

/* Every pass of o over the input: in_path (a regular file), or, when
 * in_path is NULL, the stream in_fp, first copied to a temporary file in
 * o->tmp_dir (the text is read twice a pass). Passes before the last write
 * temporary files there too, removed when done. The last pass writes to
 * out (the caller makes that atomic). stats: [o->passes] or NULL. Returns 0
 * or a negative status with err filled; temporary files are removed either
 * way. */
int phrases_run(const char *in_path, FILE *in_fp, FILE *out, const struct phrases_options *o,
                struct phrases_pass_stats *stats, struct w2v_err *err);

/* Read the words of the file at path (separated by any whitespace, one per
 * line being the usual layout) into set, initialised here, as a vocabulary
 * whose counts do not matter. Returns 0, W2V_EIO, W2V_ENOMEM, or W2V_EEMPTY
 * when the file holds no word; on error set is released. */
int phrases_connectors_load(struct vocab *set, const char *path, struct w2v_err *err);

#endif
