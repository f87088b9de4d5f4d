/* corpus.h — the training corpus as a compact in-memory stream of word ids.
 *
 * The text is tokenized once, after the vocabulary pass; every epoch then
 * reads int32 ids instead of text. Id 0 (</s>) marks a sentence end: one
 * after every non-empty line (consecutive ends are collapsed, so the stream
 * never starts with or repeats an end). Out-of-vocabulary words are dropped
 * and counted. Memory: 4 bytes per kept token plus one id per sentence. */
#ifndef W2V_CORPUS_H
#define W2V_CORPUS_H

#include <stdint.h>

#include "w2v/common.h"
#include "w2v/vocab.h"

struct corpus {
    int32_t *ids;      /* [n] word ids, 0 = sentence end; owned */
    int64_t n;         /* ids held, sentence ends included */
    int64_t capacity;  /* ids allocated */
    int64_t words;     /* ids that are words (n minus sentence ends) */
    int64_t dropped;   /* tokens skipped as out of vocabulary */
};

void corpus_init(struct corpus *c);
void corpus_release(struct corpus *c); /* safe on zeroed/released */

/* Make room for at least `ids` ids in total. Returns 0, W2V_ENOMEM or
 * W2V_EOVERFLOW. */
int corpus_reserve(struct corpus *c, int64_t ids);

/* Append one id (>= 0); an end (0) right after another end, or at the
 * start, is dropped. Returns 0 or W2V_ENOMEM/W2V_EOVERFLOW (the stream is
 * unchanged then). Not thread-safe. */
int corpus_push(struct corpus *c, int32_t id);

/* Tokenize the file at path against a finalized vocabulary, appending to
 * c, and end the stream with a sentence end. expected_ids (0: unknown) is
 * a size hint, e.g. the vocabulary's total when it was counted from the
 * same file: the stream is then allocated once. Returns 0, or W2V_EIO,
 * W2V_ENOMEM, W2V_EOVERFLOW, or W2V_EEMPTY when no word of the file is in
 * the vocabulary, with err filled. */
int corpus_encode_file(struct corpus *c, const struct vocab *v, const char *path,
                       int64_t expected_ids, struct w2v_err *err);

/* What corpus_build_file did. */
struct corpus_build_info {
    int64_t words_cut; /* over-long words cut to W2V_MAX_WORD_BYTES */
    int one_pass;      /* 1: counted and encoded in one pass; 0: a table passed
                        * max_size, so the text was read twice (count with
                        * pruning, then encode), as vocab_build_from_file +
                        * corpus_encode_file would */
};

/* Count the vocabulary of the file at path and encode it into c, reading
 * the text once: `parts` threads (the caller's one included) each tokenize
 * a byte range and count into a table of their own, merged once. v and c
 * are (re)initialised here. The result is exactly that of
 * vocab_build_from_file(v, path, opt) followed by corpus_encode_file(c, v,
 * path): the same ids, the same stream, for any number of parts. When the
 * tables would pass opt->max_size words together (each part may hold
 * max_size/parts), pruning is needed, which depends on reading order: the
 * function then reads the text twice as those two do, keeping memory
 * bounded. opt may be NULL (min_count 5, no max_size); info may be NULL.
 * Returns 0, or W2V_EIO, W2V_ENOMEM, W2V_EOVERFLOW, W2V_EEMPTY with err
 * filled; on error v and c are released. Not thread-safe on v and c. */
int corpus_build_file(struct corpus *c, struct vocab *v, const char *path,
                      const struct vocab_options *opt, int parts, struct corpus_build_info *info,
                      struct w2v_err *err);

#endif
