/* fuzz_vocab_load.c — the input is a vocabulary file. For any bytes,
 * vocab_load either fails with a known status, a one-line message and a
 * released vocab, or succeeds with a sorted, findable vocabulary that
 * survives save -> load unchanged. */
#include "fuzz.h"
#include "w2v/vocab.h"

static void check_vocab(const struct vocab *v, int64_t min_count)
{
    int64_t total = 0;
    FUZZ_ASSERT(v->size >= 2 && strcmp(v->entries[0].word, "</s>") == 0);
    for (int32_t i = 0; i < v->size; i++) {
        const struct vocab_entry *e = &v->entries[i];
        size_t len = strlen(e->word);
        FUZZ_ASSERT(len > 0 && len < VOCAB_MAX_LINE);
        FUZZ_ASSERT(!strpbrk(e->word, " \t\n\r"));
        FUZZ_ASSERT(vocab_find(v, e->word, len) == i);
        FUZZ_ASSERT(e->count >= 0);
        if (i >= 1)
            FUZZ_ASSERT(e->count >= min_count && e->count > 0);
        if (i >= 2) {
            const struct vocab_entry *p = &v->entries[i - 1];
            FUZZ_ASSERT(p->count > e->count ||
                        (p->count == e->count && strcmp(p->word, e->word) < 0));
        }
        FUZZ_ASSERT(e->count <= INT64_MAX - total);
        total += e->count;
    }
    FUZZ_ASSERT(total == v->total_words);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_path(0, "vocab");
    const char *copy = fuzz_tmp_path(1, "vocab-copy");
    fuzz_write_file(path, data, size);
    int64_t min_count = 1 + (int64_t)(fuzz_hash(data, size) % 3);

    struct vocab v, r;
    struct w2v_err err = {0};
    int rc = vocab_load(&v, path, min_count, &err);
    if (rc != 0) {
        FUZZ_ASSERT(rc == W2V_EFORMAT || rc == W2V_EEMPTY);
        FUZZ_ASSERT(fuzz_one_line(err.message));
        FUZZ_ASSERT(v.entries == NULL && v.size == 0);
        return 0;
    }
    check_vocab(&v, min_count);
    FUZZ_ASSERT(vocab_save(&v, copy, &err) == 0);
    FUZZ_ASSERT(vocab_load(&r, copy, 1, &err) == 0);
    FUZZ_ASSERT(r.size == v.size && r.total_words == v.total_words);
    for (int32_t i = 0; i < v.size; i++)
        FUZZ_ASSERT(strcmp(r.entries[i].word, v.entries[i].word) == 0 &&
                    r.entries[i].count == v.entries[i].count);
    vocab_release(&r);
    vocab_release(&v);
    return 0;
}
