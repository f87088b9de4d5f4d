/* cmd_subword.h — letting the query commands (cmd_query.c, cmd_map.c,
 * cmd_toolkit.c, cmd_eval.c) answer for words a subword model has never
 * seen; implemented in cmd_vector.c beside `w2v vector`. CLI code: these
 * functions print their errors and the one note about unseen words.
 *
 * A subword model is detected by its magic. Its words' vectors become an
 * in-memory query model (the candidates); a word not among them gets the
 * mean of its stored n-gram rows, kept here and named by a pseudo-row
 * (-2, -3, ...) that only the functions below understand: such a word is
 * never a candidate and never needs excluding. */
#ifndef W2V_CMD_SUBWORD_H
#define W2V_CMD_SUBWORD_H

#include <stddef.h>
#include <stdint.h>

#include "w2v/query.h"

struct subword_lookup;

/* Open VEC of a query command. A subword model fills m with its words'
 * vectors (only the first ro->limit when > 0: --limit; a word past them
 * is answered from its n-grams like an unseen one; ro may be NULL), guards against the
 * file shrinking while mapped (cmd_guard_mapped) and sets *sub to a new
 * lookup (free with subword_lookup_free). Any other file is opened as a
 * vector file read as ro says, with *sub NULL: cmd_open_model_with, or with plain
 * cmd_open_plain_model (mapped; a senses file refused). Returns 0, or an
 * exit status after printing the error. Not thread-safe (the guard). */
int subword_lookup_open_any(struct subword_lookup **sub, struct query_model *m, const char *path,
                            int allow_map, const struct vectors_read_opts *ro, int plain);

/* Free l (NULL is fine). When the command succeeded, first say on stderr,
 * in one line, that unseen words were answered from their n-grams (if any
 * were): a failed command prints its one error line and nothing else. */
void subword_lookup_free(struct subword_lookup *l, int succeeded);

/* Row of word in m, or for a word m lacks, a pseudo-row for its n-gram
 * vector (noted for subword_lookup_free). Returns 0, or -1 with the reason
 * in why[0..cap) (no n-gram of it in the model: the unknown-word error). */
int subword_lookup_find(struct subword_lookup *l, const struct query_model *m, const char *word,
                        int64_t *row, char *why, size_t cap);

/* The vector of a word that is not among m's rows, the mean of its
 * n-gram rows, into out[0..dim) (noted for subword_lookup_free). Returns
 * 0, W2V_ENOTFOUND (none of its n-grams is in the model: err holds the
 * unknown-word error), or another negative status with err filled. */
int subword_lookup_unseen(struct subword_lookup *l, const char *word, float *out,
                          struct w2v_err *err);

/* query_vector_mix of rows[0..n_pos) minus rows[n_pos..n_pos+n_neg)
 * (analogy == 0) or query_vector_analogy of rows[0..3) (analogy), and
 * query_similarity, for rows that may be pseudo-rows. Same returns as
 * those. */
int subword_lookup_vector(const struct subword_lookup *l, const struct query_model *m,
                          int analogy, const int64_t *rows, size_t n_pos, size_t n_neg,
                          float *out, struct w2v_err *err);
int subword_lookup_similarity(const struct subword_lookup *l, const struct query_model *m,
                              int64_t r1, int64_t r2, float *out, struct w2v_err *err);

/* query_doesnt_match of rows[0..n) that may be pseudo-rows. Same returns. */
int subword_lookup_doesnt_match(const struct subword_lookup *l, const struct query_model *m,
                                const int64_t *rows, size_t n, float *scores, size_t *odd,
                                struct w2v_err *err);

#endif
