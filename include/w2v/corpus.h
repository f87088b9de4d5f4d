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
    size_t mapped;     /* > 0: ids is a read-only mapping of this many bytes of a
                        * nameless spill file (corpus_build_file), not memory */
};

void corpus_init(struct corpus *c);
void corpus_release(struct corpus *c); /* safe on zeroed/released */

/* Make room for at least `ids` ids in total. Returns 0, W2V_ENOMEM,
 * W2V_EOVERFLOW, or W2V_EINVAL on a mapped stream. */
int corpus_reserve(struct corpus *c, int64_t ids);

/* Append one id (>= 0); an end (0) right after another end, or at the
 * start, is dropped. Returns 0 or W2V_ENOMEM/W2V_EOVERFLOW (the stream is
 * unchanged then), W2V_EINVAL on a mapped stream. Not thread-safe. */
int corpus_push(struct corpus *c, int32_t id);

/* Tokenize the file at path against a finalized vocabulary, appending to
 * c, and end the stream with a sentence end. expected_ids (0: unknown) is
 * a size hint, e.g. the vocabulary's total when it was counted from the
 * same file: the stream is then allocated once. Returns 0, or W2V_EIO,
 * W2V_ENOMEM, W2V_EOVERFLOW, or W2V_EEMPTY when no word of the file is in
 * the vocabulary, with err filled. */
int corpus_encode_file(struct corpus *c, const struct vocab *v, const char *path,
                       int64_t expected_ids, struct w2v_err *err);

/* How corpus_build_file reads. */
struct corpus_build_options {
    int parts;                /* threads reading byte ranges, the caller's included (< 1: 1) */
    int64_t max_memory;       /* bytes for the id stream beside the model (0: no limit):
                               * while reading, the parts buffer at most half of it;
                               * the stream stays in memory when nothing was spilled
                               * and its bytes plus the model's fit in max_memory;
                               * else it goes to an anonymous file that is mapped */
    int64_t model_bytes_per_word; /* the model's memory per vocabulary word, for that sum */
    const char *spill_beside; /* those files go in this path's directory (NULL: "."), else
                               * $TMPDIR or /tmp */
};

/* What corpus_build_file did. */
struct corpus_build_info {
    int64_t words_cut;     /* over-long words cut to W2V_MAX_WORD_BYTES */
    int one_pass;          /* 1: counted and encoded in one pass; 0: a table passed
                            * max_size, so the text was read twice (count with
                            * pruning, then encode, in memory), as
                            * vocab_build_from_file + corpus_encode_file would */
    size_t spilled_bytes;  /* the stream's size when it is a mapped file; 0: in memory */
};

/* Count the vocabulary of the file at path and encode it into c, reading
 * the text once: bo->parts threads each tokenize a byte range and count
 * into a table of their own, merged once. v and c are (re)initialised
 * here. The result is exactly that of vocab_build_from_file(v, path, opt)
 * followed by corpus_encode_file(c, v, path): the same ids, the same
 * stream, for any number of parts, in memory or spilled. When the tables
 * would pass opt->max_size words together (each part may hold
 * max_size/parts), pruning is needed, which depends on reading order: the
 * function then reads the text twice as those two do, keeping the table
 * bounded. When the ids do not fit bo->max_memory, c->ids is a read-only mapping
 * of a nameless temporary file (c->mapped bytes; corpus_push refuses it),
 * which corpus_release unmaps and the system deletes, as it does on any
 * exit. opt, bo and info may be NULL (min_count 5, no max_size, one part,
 * no memory bound). Returns 0, or W2V_EIO (also: disk full while spilling),
 * W2V_ENOMEM, W2V_EOVERFLOW, W2V_EEMPTY with err filled; on error v and c
 * are released and no temporary file is left. Not thread-safe on v and c. */
int corpus_build_file(struct corpus *c, struct vocab *v, const char *path,
                      const struct vocab_options *opt, const struct corpus_build_options *bo,
                      struct corpus_build_info *info, struct w2v_err *err);

#endif
