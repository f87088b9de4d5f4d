/* corpus.c — encoding a text corpus into the in-memory id stream. */
#include "w2v/corpus.h"

#include <string.h>

#include "w2v/tokenizer.h"

void corpus_init(struct corpus *c) { memset(c, 0, sizeof *c); }

void corpus_release(struct corpus *c)
{
    w2v_free(c->ids);
    memset(c, 0, sizeof *c);
}

int corpus_reserve(struct corpus *c, int64_t ids)
{
    size_t bytes;
    if (ids <= c->capacity)
        return 0;
    if (ids < 0 || (uint64_t)ids > SIZE_MAX ||
        w2v_size_mul((size_t)ids, sizeof *c->ids, &bytes) != 0)
        return W2V_EOVERFLOW;
    int32_t *grown = w2v_realloc(c->ids, bytes);
    if (!grown)
        return W2V_ENOMEM;
    c->ids = grown;
    c->capacity = ids;
    return 0;
}

int corpus_push(struct corpus *c, int32_t id)
{
    if (id == 0 && (c->n == 0 || c->ids[c->n - 1] == 0))
        return 0;
    if (c->n == c->capacity) {
        /* Grow by half: the usual case reserved the right size up front
         * (the vocabulary's total), so this is the rare path. */
        int64_t want = c->capacity < 1024 ? 1024 : c->capacity + c->capacity / 2;
        int status = corpus_reserve(c, want);
        if (status != 0)
            return status;
    }
    c->ids[c->n++] = id;
    if (id != 0)
        c->words++;
    return 0;
}

int corpus_encode_file(struct corpus *c, const struct vocab *v, const char *path,
                       int64_t expected_ids, struct w2v_err *err)
{
    struct tokenizer tok;
    char word[W2V_MAX_WORD_BYTES + 1];
    size_t len;
    int status;
    memset(&tok, 0, sizeof tok);

    /* One allocation of the right size when the caller knows it; the
     * stream still grows if the hint was short. */
    if (expected_ids > 0) {
        status = corpus_reserve(c, c->n + expected_ids + 1);
        if (status != 0) {
            status = w2v_fail(err, status, "out of memory for the corpus (%lld word ids)",
                              (long long)expected_ids);
            goto fail;
        }
    }
    status = tokenizer_open(&tok, path, 0, -1, err);
    if (status != 0)
        goto fail;
    for (;;) {
        status = tokenizer_next(&tok, word, &len, err);
        if (status < 0)
            goto fail;
        if (status == 0)
            break;
        int32_t id = vocab_find(v, word, len);
        if (id < 0) {
            c->dropped++;
            continue;
        }
        status = corpus_push(c, id);
        if (status != 0) {
            status = w2v_fail(err, status, "out of memory for the corpus (%lld word ids)",
                              (long long)c->n);
            goto fail;
        }
    }
    status = corpus_push(c, 0);
    if (status != 0) {
        status = w2v_fail(err, status, "out of memory for the corpus");
        goto fail;
    }
    tokenizer_release(&tok);
    if (c->words == 0)
        return w2v_fail(err, W2V_EEMPTY, "no word of '%s' is in the vocabulary", path);
    return 0;

fail:
    tokenizer_release(&tok);
    return status;
}
