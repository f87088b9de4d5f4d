/* vocab.c — open-addressing hash table of words with 64-bit counts.
 *
 * Layout: entries[] (word, count) plus parallel hashes[] and lengths[];
 * slots[] (a power of two, linear probing) holds entry ids. Each probe
 * compares the stored 32-bit hash first, so a miss almost never touches
 * the word bytes. */
#include "w2v/vocab.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "w2v/tokenizer.h"

#include "common_internal.h"

#define VOCAB_MIN_SLOTS ((size_t)1024)
#define VOCAB_MIN_CAPACITY 256

/* A multiply-xorshift hash over 8-byte blocks: a few cycles per word, and
 * the final avalanche makes the low bits (the slot index) depend on every
 * input byte. Loads go through memcpy, so alignment does not matter. */
static uint64_t vocab_mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

static uint32_t vocab_hash(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xff51afd7ed558ccdULL);
    while (len >= 8) {
        uint64_t k;
        memcpy(&k, s, 8);
        h = (h ^ k) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    if (len > 0) {
        uint64_t k = 0;
        memcpy(&k, s, len);
        h = (h ^ k) * 0xbf58476d1ce4e5b9ULL;
    }
    return (uint32_t)vocab_mix(h);
}

static int is_eos(const char *word, size_t len)
{
    return len == sizeof W2V_EOS - 1 && memcmp(word, W2V_EOS, len) == 0;
}

void vocab_init(struct vocab *v)
{
    memset(v, 0, sizeof *v);
    v->prune_floor = 1;
}

void vocab_release(struct vocab *v)
{
    if (v->entries)
        for (int32_t i = 0; i < v->size; i++)
            w2v_free(v->entries[i].word);
    w2v_free(v->entries);
    w2v_free(v->slots);
    w2v_free(v->hashes);
    w2v_free(v->lengths);
    vocab_init(v);
}

int32_t vocab_find(const struct vocab *v, const char *word, size_t len)
{
    if (!v->slots)
        return -1;
    uint32_t h = vocab_hash(word, len);
    size_t mask = v->n_slots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        int32_t id = v->slots[i];
        if (id < 0)
            return -1;
        if (v->hashes[id] == h && v->lengths[id] == len &&
            memcmp(v->entries[id].word, word, len) == 0)
            return id;
    }
}

/* Fill slots[] from the entries; n_slots must exceed size. */
static void vocab_rehash(struct vocab *v)
{
    size_t mask = v->n_slots - 1;
    memset(v->slots, 0xff, v->n_slots * sizeof *v->slots); /* all -1 */
    for (int32_t id = 0; id < v->size; id++) {
        size_t i = v->hashes[id] & mask;
        while (v->slots[i] >= 0)
            i = (i + 1) & mask;
        v->slots[i] = id;
    }
}

/* Replace the slot array with one of n slots (a power of two > size). */
static int vocab_resize_slots(struct vocab *v, size_t n)
{
    size_t bytes;
    if (w2v_size_mul(n, sizeof *v->slots, &bytes) != 0)
        return W2V_EOVERFLOW;
    int32_t *slots = w2v_malloc(bytes);
    if (!slots)
        return W2V_ENOMEM;
    w2v_free(v->slots);
    v->slots = slots;
    v->n_slots = n;
    vocab_rehash(v);
    return 0;
}

/* Smallest power of two holding n words at a load of at most 1/2. */
static size_t vocab_slots_for(size_t n)
{
    size_t s = VOCAB_MIN_SLOTS;
    while (s / 2 < n + 1 && s < SIZE_MAX / 4)
        s *= 2;
    return s;
}

/* Room for one more entry, in the arrays and under a load factor of 0.6. */
static int vocab_reserve_one(struct vocab *v)
{
    if (v->size == INT32_MAX)
        return W2V_EOVERFLOW;
    if (v->size == v->capacity) {
        int32_t cap = v->capacity < VOCAB_MIN_CAPACITY ? VOCAB_MIN_CAPACITY
                      : v->capacity > INT32_MAX / 2   ? INT32_MAX
                                                      : v->capacity * 2;
        struct vocab_entry *e = w2v_realloc(v->entries, (size_t)cap * sizeof *e);
        if (!e)
            return W2V_ENOMEM;
        v->entries = e;
        uint32_t *h = w2v_realloc(v->hashes, (size_t)cap * sizeof *h);
        if (!h)
            return W2V_ENOMEM;
        v->hashes = h;
        uint32_t *l = w2v_realloc(v->lengths, (size_t)cap * sizeof *l);
        if (!l)
            return W2V_ENOMEM;
        v->lengths = l;
        v->capacity = cap;
    }
    if (!v->slots || ((size_t)v->size + 1) * 5 > v->n_slots * 3)
        return vocab_resize_slots(v, v->slots ? v->n_slots * 2 : VOCAB_MIN_SLOTS);
    return 0;
}

/* Insert a word known to be absent; returns its id or a negative code. */
static int32_t vocab_insert(struct vocab *v, const char *word, size_t len, uint32_t h,
                            int64_t count)
{
    if (len == 0 || memchr(word, '\0', len))
        return W2V_EINVAL;
    if (len > UINT32_MAX)
        return W2V_EOVERFLOW;
    int rc = vocab_reserve_one(v);
    if (rc != 0)
        return rc;
    char *copy = w2v_strndup(word, len);
    if (!copy)
        return W2V_ENOMEM;
    int32_t id = v->size++;
    v->entries[id].word = copy;
    v->entries[id].count = count;
    v->hashes[id] = h;
    v->lengths[id] = (uint32_t)len;
    size_t mask = v->n_slots - 1, i = h & mask;
    while (v->slots[i] >= 0)
        i = (i + 1) & mask;
    v->slots[i] = id;
    return id;
}

/* The k-th smallest (0-based) of a[0..n), reordering a: quickselect with
 * a median-of-three pivot and Hoare partitioning, O(n) expected. */
static int64_t select_kth(int64_t *a, ptrdiff_t n, ptrdiff_t k)
{
    ptrdiff_t lo = 0, hi = n - 1;
    while (lo < hi) {
        int64_t x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi];
        int64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                int64_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        /* Now a[lo..j] <= pivot <= a[i..hi], and a[j+1..i-1] == pivot. */
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

/* Drop every word (but </s>) with count <= floor, then raise the floor: the
 * original's ReduceVocab. The floor is first lifted, when needed, to the
 * smallest value that frees at least 1/16 of max_size, so a table full of
 * words above the floor costs one pass per max_size/16 insertions instead
 * of one pass per insertion. Without memory for that selection, passes
 * repeat with the floor jumping to the smallest survivor instead. */
static void vocab_prune(struct vocab *v)
{
    int64_t target = v->max_size - v->max_size / 16;
    if (target >= v->max_size)
        target = v->max_size - 1; /* max_size < 16: free at least one */
    if (target < 1)
        target = 1;
    int64_t floor = v->prune_floor < 1 ? 1 : v->prune_floor;
    int64_t *counts = w2v_malloc((size_t)v->size * sizeof *counts);
    if (counts) {
        ptrdiff_t m = 0;
        for (int32_t i = 0; i < v->size; i++)
            if (!is_eos(v->entries[i].word, v->lengths[i]))
                counts[m++] = v->entries[i].count;
        ptrdiff_t excess = (ptrdiff_t)(v->size - target);
        if (excess > m)
            excess = m;
        if (excess > 0) {
            int64_t need = select_kth(counts, m, excess - 1);
            if (need > floor)
                floor = need;
        }
        w2v_free(counts);
    }
    for (;;) {
        int64_t smallest = INT64_MAX;
        int32_t kept = 0;
        for (int32_t i = 0; i < v->size; i++) {
            struct vocab_entry e = v->entries[i];
            int eos = is_eos(e.word, v->lengths[i]);
            if (!eos && e.count <= floor) {
                w2v_free(e.word);
                v->words_pruned++;
                continue;
            }
            if (!eos && e.count < smallest)
                smallest = e.count;
            v->entries[kept] = e;
            v->hashes[kept] = v->hashes[i];
            v->lengths[kept] = v->lengths[i];
            kept++;
        }
        v->size = kept;
        v->prune_floor = floor < INT64_MAX ? floor + 1 : floor;
        if (v->size <= v->max_size)
            break;
        floor = smallest > v->prune_floor ? smallest : v->prune_floor;
    }
    vocab_rehash(v);
}

int32_t vocab_add_id(struct vocab *v, const char *word, size_t len, int64_t count)
{
    if (count < 0)
        return W2V_EINVAL;
    uint32_t h = vocab_hash(word, len);
    if (v->slots) {
        size_t mask = v->n_slots - 1;
        for (size_t i = h & mask;; i = (i + 1) & mask) {
            int32_t id = v->slots[i];
            if (id < 0)
                break;
            if (v->hashes[id] == h && v->lengths[id] == len &&
                memcmp(v->entries[id].word, word, len) == 0) {
                if (v->entries[id].count > INT64_MAX - count)
                    return W2V_EOVERFLOW;
                v->entries[id].count += count;
                return id;
            }
        }
    }
    return vocab_insert(v, word, len, h, count);
}

int vocab_add(struct vocab *v, const char *word, size_t len, int64_t count)
{
    int32_t id = vocab_add_id(v, word, len, count);
    if (id < 0)
        return id;
    if (v->max_size > 0 && v->size > v->max_size)
        vocab_prune(v);
    return 0;
}

/* </s> first, then descending count, then unsigned byte order (strcmp
 * compares as unsigned char). Words are unique, so the order is total. */
static int vocab_cmp(const void *pa, const void *pb)
{
    const struct vocab_entry *a = pa, *b = pb;
    int ea = strcmp(a->word, W2V_EOS) == 0, eb = strcmp(b->word, W2V_EOS) == 0;
    if (ea != eb)
        return ea ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->word, b->word);
}

int vocab_finalize(struct vocab *v, int64_t min_count)
{
    int rc;
    uint32_t eos_hash = vocab_hash(W2V_EOS, sizeof W2V_EOS - 1);
    if (vocab_find(v, W2V_EOS, sizeof W2V_EOS - 1) < 0) {
        int32_t id = vocab_insert(v, W2V_EOS, sizeof W2V_EOS - 1, eos_hash, 0);
        if (id < 0)
            return id;
    }
    int32_t kept = 0;
    for (int32_t i = 0; i < v->size; i++) {
        struct vocab_entry e = v->entries[i];
        if (e.count < min_count && !is_eos(e.word, v->lengths[i])) {
            w2v_free(e.word);
            continue;
        }
        v->entries[kept++] = e;
    }
    v->size = kept;
    qsort(v->entries, (size_t)v->size, sizeof *v->entries, vocab_cmp);
    int64_t total = 0;
    int overflow = 0;
    for (int32_t i = 0; i < v->size; i++) {
        size_t len = strlen(v->entries[i].word);
        v->lengths[i] = (uint32_t)len;
        v->hashes[i] = vocab_hash(v->entries[i].word, len);
        if (v->entries[i].count > INT64_MAX - total)
            overflow = 1;
        else
            total += v->entries[i].count;
    }
    v->total_words = total;
    /* A load of at most 1/2 keeps lookups during training short. The table
     * is rebuilt even on overflow so the struct stays consistent. */
    if ((rc = vocab_resize_slots(v, vocab_slots_for((size_t)v->size))) != 0)
        return rc;
    if (overflow)
        return W2V_EOVERFLOW;
    return v->size > 1 ? 0 : W2V_EEMPTY;
}

int vocab_finalize_counted(struct vocab *v, int64_t min_count, const char *path,
                           struct w2v_err *err)
{
    int rc = vocab_finalize(v, min_count);
    if (rc == W2V_EEMPTY)
        return w2v_fail(err, rc, "no word in '%s' occurs at least %lld times (--min-count)", path,
                        (long long)min_count);
    if (rc != 0)
        return w2v_fail(err, rc, "cannot build the vocabulary of '%s': %s", path,
                        w2v_strerror(rc));
    return 0;
}

int vocab_build_from_file(struct vocab *v, const char *path, const struct vocab_options *opt,
                          int64_t *words_cut, struct w2v_err *err)
{
    struct tokenizer t;
    char word[W2V_MAX_WORD_BYTES + 1];
    size_t len;
    int rc;
    int64_t min_count = opt ? opt->min_count : 5;
    vocab_init(v);
    v->max_size = opt ? opt->max_size : 0;
    if ((rc = tokenizer_open(&t, path, 0, -1, err)) != 0)
        goto fail;
    while ((rc = tokenizer_next(&t, word, &len, err)) == 1) {
        if ((rc = vocab_add(v, word, len, 1)) != 0) {
            w2v_fail(err, rc, "cannot count the words of '%s': %s", path, w2v_strerror(rc));
            goto fail;
        }
    }
    if (rc < 0)
        goto fail;
    if (words_cut)
        *words_cut = t.words_cut;
    tokenizer_release(&t);
    if ((rc = vocab_finalize_counted(v, min_count, path, err)) != 0)
        goto fail;
    return 0;
fail:
    tokenizer_release(&t);
    vocab_release(v);
    return rc;
}

/* A word the "word count" format can hold: non-empty, no separator. */
static int vocab_word_savable(const char *w)
{
    if (!*w)
        return 0;
    for (; *w; w++)
        if (*w == ' ' || *w == '\t' || *w == '\n' || *w == '\r' || *w == '\v' || *w == '\f')
            return 0;
    return 1;
}

int vocab_save(const struct vocab *v, const char *path, struct w2v_err *err)
{
    struct w2v_outfile out;
    int rc = w2v_outfile_open(&out, path, err);
    if (rc != 0)
        return rc;
    for (int32_t i = 0; i < v->size; i++) {
        const struct vocab_entry *e = &v->entries[i];
        if (!vocab_word_savable(e->word)) {
            rc = w2v_fail(err, W2V_EFORMAT,
                          "cannot save word %" PRId32 " to '%s': empty or holds whitespace", i,
                          path);
            goto fail;
        }
        if (fprintf(out.fp, "%s %" PRId64 "\n", e->word, e->count) < 0) {
            rc = w2v_fail_errno(err, "cannot write '%s'", path);
            goto fail;
        }
    }
    return w2v_outfile_commit(&out, err);
fail:
    w2v_outfile_abort(&out);
    return rc;
}

/* Parse one line (without its newline) into v. Returns 0 or a negative
 * code with err filled. */
static int vocab_parse_line(struct vocab *v, char *line, size_t n, const char *path,
                            int64_t lineno, struct w2v_err *err)
{
    if (n > 0 && line[n - 1] == '\r')
        n--;
    size_t w = 0;
    while (w < n && line[w] != ' ' && line[w] != '\t')
        w++;
    if (w == 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: %s", path, (long long)lineno,
                        n == 0 ? "empty line" : "line starts with whitespace");
    /* Bytes the tokenizer never leaves in a word, and vocab_save refuses. */
    for (size_t i = 0; i < w; i++)
        if (line[i] == '\0' || line[i] == '\r' || line[i] == '\v' || line[i] == '\f')
            return w2v_fail(err, W2V_EFORMAT,
                            "'%s' line %lld: the word holds a NUL, CR, vertical tab or form "
                            "feed byte",
                            path, (long long)lineno);
    size_t p = w;
    while (p < n && (line[p] == ' ' || line[p] == '\t'))
        p++;
    if (p == n)
        return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: no count after '%.*s'", path,
                        (long long)lineno, (int)(w > 60 ? 60 : w), line);
    int64_t count = 0;
    size_t digits = p;
    for (; p < n && line[p] >= '0' && line[p] <= '9'; p++) {
        int d = line[p] - '0';
        if (count > (INT64_MAX - d) / 10)
            return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: count too large", path,
                            (long long)lineno);
        count = count * 10 + d;
    }
    if (p == digits || p != n)
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' line %lld: the count is not a non-negative integer", path,
                        (long long)lineno);
    if (count == 0 && !is_eos(line, w))
        return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: count 0 for '%.*s'", path,
                        (long long)lineno, (int)(w > 60 ? 60 : w), line);
    if (vocab_find(v, line, w) >= 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: duplicate word '%.*s'", path,
                        (long long)lineno, (int)(w > 60 ? 60 : w), line);
    int rc = vocab_add(v, line, w, count);
    if (rc != 0)
        return w2v_fail(err, rc, "'%s' line %lld: %s", path, (long long)lineno,
                        w2v_strerror(rc));
    return 0;
}

int vocab_load(struct vocab *v, const char *path, int64_t min_count, struct w2v_err *err)
{
    struct w2v_reader r = {.fd = -1};
    int64_t lineno = 0;
    int rc;
    vocab_init(v);
    if ((rc = w2v_reader_open(&r, path, 65536, err)) != 0)
        goto fail;
    for (;;) {
        char *line;
        size_t n;
        rc = w2v_reader_line(&r, VOCAB_MAX_LINE, &line, &n, err);
        if (rc == 0)
            break;
        if (rc == W2V_EFORMAT) {
            if (err)
                err->line = lineno + 1;
            rc = w2v_fail(err, W2V_EFORMAT, "'%s' line %lld: longer than %d bytes", path,
                          (long long)(lineno + 1), VOCAB_MAX_LINE);
        }
        if (rc < 0)
            goto fail;
        lineno++;
        if ((rc = vocab_parse_line(v, line, n, path, lineno, err)) != 0) {
            if (err)
                err->line = lineno;
            goto fail;
        }
    }
    w2v_reader_close(&r);
    if (v->size == 0) {
        rc = w2v_fail(err, W2V_EEMPTY, "'%s' holds no words", path);
        goto fail;
    }
    rc = vocab_finalize(v, min_count);
    if (rc == W2V_EEMPTY) {
        w2v_fail(err, rc, "no word in '%s' has a count of at least %lld (--min-count)", path,
                 (long long)min_count);
        goto fail;
    }
    if (rc == W2V_EOVERFLOW) {
        rc = w2v_fail(err, W2V_EFORMAT, "the counts in '%s' add up to more than %lld", path,
                      (long long)INT64_MAX);
        goto fail;
    }
    if (rc != 0) {
        w2v_fail(err, rc, "cannot load '%s': %s", path, w2v_strerror(rc));
        goto fail;
    }
    return 0;
fail:
    w2v_reader_close(&r);
    vocab_release(v);
    return rc;
}
