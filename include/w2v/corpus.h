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

#endif
