/* cmd_subword.h — letting the query commands (cmd_query.c) answer for
 * words a subword model has never seen. CLI code: these functions print
 * their errors and the one note about unseen words.
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

/* If path is a subword model, fill m with its words' vectors and set *out
 * to a new lookup (free with subword_lookup_free); otherwise set *out to
 * NULL and leave m alone (open it as a vector file). Returns 0, or an exit
 * status after printing the error. */
int subword_lookup_open(struct subword_lookup **out, struct query_model *m, const char *path);

/* Free l (NULL is fine). When the command succeeded, first say on stderr,
 * in one line, that unseen words were answered from their n-grams (if any
 * were): a failed command prints its one error line and nothing else. */
void subword_lookup_free(struct subword_lookup *l, int succeeded);

/* Row of word in m, or for a word m lacks, a pseudo-row for its n-gram
 * vector (noted for subword_lookup_free). Returns 0, or -1 with the reason
 * in why[0..cap) (no n-gram of it in the model: the unknown-word error). */
int subword_lookup_find(struct subword_lookup *l, const struct query_model *m, const char *word,
                        int64_t *row, char *why, size_t cap);

/* query_vector_mix of rows[0..n_pos) minus rows[n_pos..n_pos+n_neg)
 * (analogy == 0) or query_vector_analogy of rows[0..3) (analogy), and
 * query_similarity, for rows that may be pseudo-rows. Same returns as
 * those. */
int subword_lookup_vector(const struct subword_lookup *l, const struct query_model *m,
                          int analogy, const int64_t *rows, size_t n_pos, size_t n_neg,
                          float *out, struct w2v_err *err);
int subword_lookup_similarity(const struct subword_lookup *l, const struct query_model *m,
                              int64_t r1, int64_t r2, float *out, struct w2v_err *err);

#endif
