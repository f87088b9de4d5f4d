/* fuzz_tokenizer_vocab.c — the input is a corpus. Checks, for any bytes:
 *  - a plain reference tokenizer written here from the contract in
 *    tokenizer.h gives the words of the whole file; the library's
 *    tokenizer, over two byte ranges split at an input-derived point and
 *    with a tiny read buffer, gives exactly those words in that order, all
 *    well-formed;
 *  - vocab_build_from_file holds exactly those words with their counts
 *    (total, </s> count, cut count, and a sum over the words of count times
 *    a hash of the word), is sorted and findable, and survives
 *    save -> load (checked on a quarter of the inputs);
 *  - the Huffman tree over its counts is complete (Kraft sum 1, in
 *    integers) with points in range;
 *  - with min-count and pruning chosen by the input, the bounds hold.
 * (The reference replaces a third run of the library's tokenizer over the
 * whole file: the same check of the ranges, at a fraction of the cost, and
 * an independent one.) */
#include "fuzz.h"
#include "w2v/huffman.h"
#include "w2v/tokenizer.h"
#include "w2v/vocab.h"

struct tokens {
    int64_t n, eos, cut;
    uint64_t digest; /* order-sensitive hash of the words */
    uint64_t bag;    /* order-free: sum of mix(hash(word)) over the words */
};

/* A hash of a word that sums well (splitmix64's finaliser over FNV-1a). */
FUZZ_NO_COVERAGE static uint64_t word_mix(const char *w, size_t len)
{
    uint64_t z = fuzz_hash((const uint8_t *)w, len);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

FUZZ_NO_COVERAGE static void count_word(struct tokens *t, const char *word, size_t len)
{
    t->n++;
    t->eos += len == sizeof W2V_EOS - 1 && memcmp(word, W2V_EOS, len) == 0;
    t->digest = (t->digest ^ fuzz_hash((const uint8_t *)word, len + 1)) * 0x9e3779b97f4a7c15ULL;
    t->bag += word_mix(word, len);
}

/* The contract, byte by byte: space, tab, VT, FF and NUL separate words; a
 * CR is invisible (inside a word too); a newline is a "</s>" word; a word
 * reaching W2V_MAX_WORD_BYTES + 1 bytes is cut to a UTF-8 boundary
 * (tokenizer_utf8_cut decides where), counted, and its rest skipped. */
FUZZ_NO_COVERAGE static void reference_tokenize(const uint8_t *data, size_t size,
                                                struct tokens *out)
{
    char word[W2V_MAX_WORD_BYTES + 2];
    size_t n = 0;
    int skipping = 0;
    for (size_t i = 0; i <= size; i++) {
        int c = i < size ? data[i] : -1; /* -1: end of file, a separator */
        if (c == '\r')
            continue;
        if (c == -1 || c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\0' ||
            c == '\n') {
            if (n > 0 && !skipping) {
                word[n] = '\0';
                count_word(out, word, n);
            }
            n = 0;
            skipping = 0;
            if (c == '\n')
                count_word(out, W2V_EOS, sizeof W2V_EOS - 1);
            continue;
        }
        if (skipping)
            continue;
        word[n++] = (char)c;
        if (n == W2V_MAX_WORD_BYTES + 1) {
            size_t len = tokenizer_utf8_cut(word, n, W2V_MAX_WORD_BYTES);
            FUZZ_ASSERT(len <= W2V_MAX_WORD_BYTES);
            word[len] = '\0';
            count_word(out, word, len);
            out->cut++;
            skipping = 1;
        }
    }
}

FUZZ_NO_COVERAGE static void tokenize(const char *path, int64_t start, int64_t end, size_t buf, struct tokens *out)
{
    struct tokenizer t;
    struct w2v_err err = {0};
    char word[W2V_MAX_WORD_BYTES + 1];
    size_t len;
    int rc = tokenizer_open_ex(&t, path, start, end, buf, &err);
    FUZZ_ASSERT(rc == 0);
    while ((rc = tokenizer_next(&t, word, &len, &err)) == 1) {
        FUZZ_ASSERT(len > 0 && len <= W2V_MAX_WORD_BYTES && word[len] == '\0');
        FUZZ_ASSERT(strlen(word) == len);
        for (size_t i = 0; i < len; i++)
            FUZZ_ASSERT(word[i] != ' ' && word[i] != '\t' && word[i] != '\n' &&
                        word[i] != '\r' && word[i] != '\v' && word[i] != '\f');
        count_word(out, word, len);
    }
    FUZZ_ASSERT(rc == 0);
    out->cut += t.words_cut;
    tokenizer_release(&t);
}

FUZZ_NO_COVERAGE static void check_huffman(const struct vocab *v)
{
    int64_t *counts = malloc((size_t)v->size * sizeof *counts);
    FUZZ_ASSERT(counts != NULL);
    for (int32_t i = 0; i < v->size; i++)
        counts[i] = v->entries[i].count;
    struct huffman h;
    struct w2v_err err = {0};
    FUZZ_ASSERT(huffman_build(&h, counts, v->size, &err) == 0);
    int64_t *at = calloc((size_t)h.max_length + 1, sizeof *at);
    FUZZ_ASSERT(at != NULL);
    for (int32_t w = 0; w < h.n_words; w++) {
        FUZZ_ASSERT(h.length[w] >= (h.n_words > 1) && h.length[w] <= h.max_length);
        at[h.length[w]]++;
        for (int32_t i = 0; i < h.length[w]; i++) {
            int32_t p = h.points[h.offset[w] + i];
            FUZZ_ASSERT(p >= 0 && p <= h.n_words - 2);
            FUZZ_ASSERT(h.code_bits[h.offset[w] + i] <= 1);
        }
        if (h.length[w] > 0)
            FUZZ_ASSERT(h.points[h.offset[w]] == h.n_words - 2);
    }
    for (int32_t d = h.max_length; d > 0; d--) {
        FUZZ_ASSERT(at[d] % 2 == 0);
        at[d - 1] += at[d] / 2;
    }
    FUZZ_ASSERT(at[0] == 1);
    free(at);
    free(counts);
    huffman_release(&h);
}

FUZZ_NO_COVERAGE static void check_sorted(const struct vocab *v)
{
    int64_t total = 0;
    FUZZ_ASSERT(v->size >= 1 && strcmp(v->entries[0].word, W2V_EOS) == 0);
    for (int32_t i = 0; i < v->size; i++) {
        const struct vocab_entry *e = &v->entries[i];
        FUZZ_ASSERT(vocab_find(v, e->word, strlen(e->word)) == i);
        if (i >= 2) {
            const struct vocab_entry *p = &v->entries[i - 1];
            FUZZ_ASSERT(p->count > e->count ||
                        (p->count == e->count && strcmp(p->word, e->word) < 0));
        }
        total += e->count;
    }
    FUZZ_ASSERT(total == v->total_words);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_path(0, "corpus");
    const char *vpath = fuzz_tmp_path(1, "vocab");
    fuzz_write_file(path, data, size);
    uint64_t h = fuzz_hash(data, size);

    struct tokens whole = {0}, parts = {0};
    reference_tokenize(data, size, &whole);
    int64_t split = (int64_t)((h >> 8) % (size + 2));
    size_t buf = 1 + (size_t)((h >> 24) % 13);
    tokenize(path, 0, split, buf, &parts);
    tokenize(path, split, -1, buf, &parts);
    FUZZ_ASSERT(parts.n == whole.n && parts.eos == whole.eos && parts.cut == whole.cut &&
                parts.digest == whole.digest && parts.bag == whole.bag);

    /* min_count 1 and no pruning: the vocabulary must hold every token. */
    struct vocab v;
    struct w2v_err err = {0};
    struct vocab_options opt = {.min_count = 1, .max_size = 0};
    int64_t cut = -1;
    int rc = vocab_build_from_file(&v, path, &opt, &cut, &err);
    if (whole.n == whole.eos) {
        FUZZ_ASSERT(rc == W2V_EEMPTY && fuzz_one_line(err.message));
    } else {
        FUZZ_ASSERT(rc == 0);
        FUZZ_ASSERT(cut == whole.cut && v.total_words == whole.n);
        FUZZ_ASSERT(v.entries[0].count == whole.eos);
        uint64_t bag = 0;
        for (int32_t i = 0; i < v.size; i++)
            bag += (uint64_t)v.entries[i].count *
                   word_mix(v.entries[i].word, strlen(v.entries[i].word));
        FUZZ_ASSERT(bag == whole.bag);
        check_sorted(&v);
        check_huffman(&v);
        if ((h >> 48) % 4 == 0) {
            /* A quarter of the inputs: save -> load costs a file written,
             * synced, renamed and parsed (as much as the rest together),
             * and fuzz_vocab_load runs that round trip on every input. */
            struct vocab r;
            FUZZ_ASSERT(vocab_save(&v, vpath, &err) == 0);
            FUZZ_ASSERT(vocab_load(&r, vpath, 1, &err) == 0);
            FUZZ_ASSERT(r.size == v.size && r.total_words == v.total_words);
            for (int32_t i = 0; i < v.size; i++)
                FUZZ_ASSERT(strcmp(r.entries[i].word, v.entries[i].word) == 0 &&
                            r.entries[i].count == v.entries[i].count);
            vocab_release(&r);
        }
        vocab_release(&v);
    }

    /* Min-count and pruning chosen by the input: only the invariants. */
    opt.min_count = 1 + (int64_t)((h >> 32) % 3);
    opt.max_size = (int64_t)((h >> 40) % 9);
    rc = vocab_build_from_file(&v, path, &opt, NULL, &err);
    if (rc == 0) {
        check_sorted(&v);
        FUZZ_ASSERT(v.total_words <= whole.n);
        if (opt.max_size > 0)
            FUZZ_ASSERT(v.size <= opt.max_size + 1); /* + </s> added at finalize */
        for (int32_t i = 1; i < v.size; i++)
            FUZZ_ASSERT(v.entries[i].count >= opt.min_count);
        vocab_release(&v);
    } else {
        FUZZ_ASSERT(rc == W2V_EEMPTY && fuzz_one_line(err.message));
        FUZZ_ASSERT(v.entries == NULL);
    }
    return 0;
}
