/* corpus.c — encoding a text corpus into the in-memory id stream: after a
 * counted vocabulary (corpus_encode_file), or counting and encoding in one
 * parallel pass (corpus_build_file). */
#include "w2v/corpus.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>

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

/* ---- One pass: count and encode together, over byte ranges in threads.
 *
 * Each part tokenizes its byte range of the file (tokenizer.h: a word
 * belongs to the range holding its first byte) into a table of its own,
 * recording for every token the word's provisional id in that table (ids in
 * order of first sight, stable because nothing is pruned). The tables are
 * merged once into the vocabulary, which is finalized as the two-pass count
 * would be (same counts, so the same words and ids); then each part's
 * provisional ids are mapped to final ids, out-of-vocabulary tokens dropped
 * and sentence ends collapsed exactly as corpus_push does. The stream is the
 * two-pass one, token for token, for any number of parts. */

/* Tokens between two looks at the shared overflow flag. */
#define SCAN_CHECK_EVERY 65536

struct scan_part {
    const char *path;
    int64_t start, end;     /* byte range; end -1: to EOF */
    int64_t limit;          /* most distinct words in this part's table (0: no limit) */
    atomic_int *overflow;   /* set by any part whose table passed its limit */
    struct vocab local;     /* this range's words and counts, ids in order of first sight */
    int32_t *ids;           /* [n] provisional ids (local table), owned */
    int64_t n, cap;
    int64_t words_cut;
    int status;             /* 0, or a negative code with err filled */
    struct w2v_err err;
};

static int scan_push(struct scan_part *p, int32_t id)
{
    if (p->n == p->cap) {
        int64_t want = p->cap < 4096 ? 4096 : p->cap + p->cap / 2;
        size_t bytes;
        if ((uint64_t)want > SIZE_MAX || w2v_size_mul((size_t)want, sizeof *p->ids, &bytes) != 0)
            return W2V_EOVERFLOW;
        int32_t *grown = w2v_realloc(p->ids, bytes);
        if (!grown)
            return W2V_ENOMEM;
        p->ids = grown;
        p->cap = want;
    }
    p->ids[p->n++] = id;
    return 0;
}

static void *scan_part_run(void *arg)
{
    struct scan_part *p = arg;
    struct tokenizer tok;
    char word[W2V_MAX_WORD_BYTES + 1];
    size_t len;
    int status;
    int64_t since_check = 0;
    memset(&tok, 0, sizeof tok);
    /* About one token per 6 bytes of text: one allocation in the usual case. */
    if (p->end > p->start) {
        size_t bytes;
        int64_t guess = (p->end - p->start) / 6 + 16;
        if ((uint64_t)guess <= SIZE_MAX &&
            w2v_size_mul((size_t)guess, sizeof *p->ids, &bytes) == 0 &&
            (p->ids = w2v_malloc(bytes)) != NULL)
            p->cap = guess;
    }
    status = tokenizer_open(&tok, p->path, p->start, p->end, &p->err);
    if (status != 0)
        goto fail;
    while ((status = tokenizer_next(&tok, word, &len, &p->err)) == 1) {
        int32_t id = vocab_add_id(&p->local, word, len, 1);
        if (id < 0 || (status = scan_push(p, id)) != 0) {
            status = id < 0 ? id : status;
            status = w2v_fail(&p->err, status, "cannot count the words of '%s': %s", p->path,
                              w2v_strerror(status));
            goto fail;
        }
        if (p->limit > 0 && p->local.size > p->limit) {
            atomic_store(p->overflow, 1);
            break;
        }
        if (++since_check == SCAN_CHECK_EVERY) {
            since_check = 0;
            if (atomic_load(p->overflow))
                break;
        }
    }
    if (status < 0)
        goto fail;
    p->words_cut = tok.words_cut;
    tokenizer_release(&tok);
    return NULL;
fail:
    tokenizer_release(&tok);
    p->status = status;
    return NULL;
}

/* Map src[0..n) (provisional ids of one part) through map (-1: not in the
 * vocabulary) and append to c, whose capacity is known to suffice, with
 * corpus_push's rules. dst may alias src at the same or an earlier index:
 * the write index never passes the read index. */
static void corpus_append_mapped(struct corpus *c, const int32_t *src, int64_t n,
                                 const int32_t *map)
{
    int32_t *dst = c->ids;
    int64_t out = c->n, words = 0, dropped = 0;
    int32_t last = out > 0 ? dst[out - 1] : 0; /* "an end": at the start, ends are dropped */
    for (int64_t i = 0; i < n; i++) {
        int32_t id = map[src[i]];
        if (id < 0) {
            dropped++;
            continue;
        }
        if (id == 0 && last == 0)
            continue;
        dst[out++] = id;
        last = id;
        words += id != 0;
    }
    c->n = out;
    c->words += words;
    c->dropped += dropped;
}

/* Final id of each word of part p's table, -1 for words min_count dropped. */
static int32_t *scan_part_map(const struct scan_part *p, const struct vocab *v)
{
    int32_t *map = w2v_malloc(((size_t)p->local.size + 1) * sizeof *map);
    if (!map)
        return NULL;
    for (int32_t i = 0; i < p->local.size; i++)
        map[i] = vocab_find(v, p->local.entries[i].word, p->local.lengths[i]);
    return map;
}

/* The two passes of today, for what one pass cannot do exactly: a table
 * that passes --max-vocab must prune, and pruning depends on the order in
 * which one reader meets the words. */
static int corpus_build_two_pass(struct corpus *c, struct vocab *v, const char *path,
                                 const struct vocab_options *opt, int64_t *words_cut,
                                 struct w2v_err *err)
{
    int status = vocab_build_from_file(v, path, opt, words_cut, err);
    if (status != 0)
        return status;
    return corpus_encode_file(c, v, path, v->total_words, err);
}

static void scan_parts_release(struct scan_part *part, int parts)
{
    for (int i = 0; part && i < parts; i++) {
        w2v_free(part[i].ids);
        part[i].ids = NULL;
        vocab_release(&part[i].local);
    }
}

/* Merge the parts' counts into v (finalized), then their streams into c.
 * The union of tables within their limits is within max_size, so nothing
 * is pruned and the counts are exact. The stream grows into part 0's
 * buffer, remapped in place, so the provisional and final streams are
 * never both whole in memory. Frees each part's stream as it goes. */
static int corpus_merge_parts(struct corpus *c, struct vocab *v, struct scan_part *part,
                              int parts, int64_t min_count, const char *path,
                              struct w2v_err *err)
{
    int32_t *map = NULL;
    int status = 0;
    int64_t total = 1; /* the final sentence end */
    for (int i = 0; i < parts; i++) {
        const struct vocab *l = &part[i].local;
        for (int32_t w = 0; w < l->size; w++) {
            int32_t id = vocab_add_id(v, l->entries[w].word, l->lengths[w], l->entries[w].count);
            if (id < 0) {
                status = w2v_fail(err, id, "cannot count the words of '%s': %s", path,
                                  w2v_strerror(id));
                goto fail;
            }
        }
        total += part[i].n;
    }
    if ((status = vocab_finalize_counted(v, min_count, path, err)) != 0)
        goto fail;
    c->ids = part[0].ids;
    c->capacity = part[0].cap;
    part[0].ids = NULL;
    if ((status = corpus_reserve(c, total)) != 0) {
        status = w2v_fail(err, status, "out of memory for the corpus (%lld word ids)",
                          (long long)total);
        goto fail;
    }
    for (int i = 0; i < parts; i++) {
        if (!(map = scan_part_map(&part[i], v))) {
            status = w2v_fail(err, W2V_ENOMEM, "out of memory");
            goto fail;
        }
        corpus_append_mapped(c, i == 0 ? c->ids : part[i].ids, part[i].n, map);
        w2v_free(map);
        map = NULL;
        w2v_free(part[i].ids);
        part[i].ids = NULL;
        vocab_release(&part[i].local);
    }
    corpus_append_mapped(c, (const int32_t[]){0}, 1, (const int32_t[]){0});
    if (c->words == 0) /* cannot happen after a finalize that kept a word; cheap to say */
        status = w2v_fail(err, W2V_EEMPTY, "no word of '%s' is in the vocabulary", path);
    return status;
fail:
    w2v_free(map);
    return status;
}

int corpus_build_file(struct corpus *c, struct vocab *v, const char *path,
                      const struct vocab_options *opt, int parts, struct corpus_build_info *info,
                      struct w2v_err *err)
{
    struct scan_part *part = NULL;
    pthread_t *threads = NULL;
    int started = 0, status = 0;
    atomic_int overflow = 0;
    int64_t min_count = opt ? opt->min_count : 5, max_size = opt ? opt->max_size : 0;
    struct corpus_build_info unused;
    struct stat st;
    if (!info)
        info = &unused;
    memset(info, 0, sizeof *info);
    corpus_release(c);
    vocab_init(v);
    if (parts < 1)
        parts = 1;
    /* A file whose size is unknown (not regular) is one range to its end. */
    int64_t size = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    if (size < 0)
        parts = 1;
    part = w2v_calloc((size_t)parts, sizeof *part);
    threads = w2v_calloc((size_t)parts, sizeof *threads);
    if (!part || !threads) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < parts; i++) {
        struct scan_part *p = &part[i];
        vocab_init(&p->local);
        p->path = path;
        /* Boundaries size*i/parts without overflowing int64. */
        p->start = size < 0 ? 0 : size / parts * i + size % parts * i / parts;
        p->end = i == parts - 1 ? -1 : size / parts * (i + 1) + size % parts * (i + 1) / parts;
        /* The parts' tables together stay within max_size words. */
        p->limit = max_size > 0 ? (max_size / parts > 0 ? max_size / parts : 1) : 0;
        p->overflow = &overflow;
    }
    for (int i = 1; i < parts; i++, started++)
        if (pthread_create(&threads[i], NULL, scan_part_run, &part[i]) != 0) {
            status = w2v_fail(err, W2V_ENOMEM, "cannot start a thread to read '%s'", path);
            atomic_store(&overflow, 1); /* the others stop early */
            break;
        }
    scan_part_run(&part[0]);
    for (int i = 1; i <= started; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < parts && status == 0; i++)
        if (part[i].status != 0) {
            status = part[i].status;
            if (err)
                *err = part[i].err;
        }
    if (status != 0)
        goto fail;
    for (int i = 0; i < parts; i++)
        info->words_cut += part[i].words_cut;
    if (!atomic_load(&overflow)) {
        status = corpus_merge_parts(c, v, part, parts, min_count, path, err);
        info->one_pass = 1;
    } else {
        scan_parts_release(part, parts);
        info->words_cut = 0;
        status = corpus_build_two_pass(c, v, path, opt, &info->words_cut, err);
    }
    if (status != 0)
        goto fail;
    w2v_free(part);
    w2v_free(threads);
    return 0;
fail:
    scan_parts_release(part, parts);
    w2v_free(part);
    w2v_free(threads);
    corpus_release(c);
    vocab_release(v);
    return status;
}
