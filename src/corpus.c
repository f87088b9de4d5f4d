/* corpus.c — encoding a text corpus into the in-memory id stream: after a
 * counted vocabulary (corpus_encode_file), or counting and encoding in one
 * parallel pass (corpus_build_file). */
#include "w2v/corpus.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "w2v/files.h"
#include "w2v/tokenizer.h"

void corpus_init(struct corpus *c) { memset(c, 0, sizeof *c); }

void corpus_release(struct corpus *c)
{
    if (c->mapped)
        munmap(c->ids, c->mapped); /* the spill file goes with its last reference */
    else
        w2v_free(c->ids);
    memset(c, 0, sizeof *c);
}

int corpus_reserve(struct corpus *c, int64_t ids)
{
    size_t bytes;
    if (ids <= c->capacity)
        return 0;
    if (c->mapped)
        return W2V_EINVAL;
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
    if (c->mapped)
        return W2V_EINVAL;
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
 * two-pass one, token for token, for any number of parts.
 *
 * Larger than memory: a part whose provisional ids pass its share of half
 * of max_memory writes them to an anonymous file of its own and goes on;
 * then, or when the whole stream and the model would not fit max_memory,
 * the final stream is written to another anonymous file, in chunks, and
 * mapped read-only, so its pages belong to the page cache, not to us. */

/* Tokens between two looks at the shared overflow flag. */
#define SCAN_CHECK_EVERY 65536
/* Fewest ids a part buffers before spilling: tiny bounds (tests) still
 * write in blocks. Also the chunk in which spilled ids are re-read. */
#define SCAN_MIN_IDS 1024
#define SPILL_CHUNK_IDS ((int64_t)1 << 18)

struct scan_part {
    const char *path;
    int64_t start, end;     /* byte range; end -1: to EOF */
    int64_t limit;          /* most distinct words in this part's table (0: no limit) */
    int64_t mem_ids;        /* most provisional ids held in memory (0: no limit) */
    const char *beside;     /* spill files go beside this path */
    atomic_int *overflow;   /* set by any part whose table passed its limit */
    struct vocab local;     /* this range's words and counts, ids in order of first sight */
    int32_t *ids;           /* [n] provisional ids (local table) after the spilled ones, owned */
    int64_t n, cap;
    int spill_fd;           /* the ids written out so far (-1: none) */
    int64_t spilled;        /* ids in spill_fd, which come before ids[] */
    int64_t words_cut;
    int status;             /* 0, or a negative code with err filled */
    struct w2v_err err;
};

/* Size of n ids in bytes, or -1 when it overflows size_t. */
static int ids_bytes(int64_t n, size_t *bytes)
{
    if (n < 0 || (uint64_t)n > SIZE_MAX)
        return -1;
    return w2v_size_mul((size_t)n, sizeof(int32_t), bytes) == 0 ? 0 : -1;
}

static int scan_spill(struct scan_part *p)
{
    char dir[4096];
    if (p->spill_fd < 0 && (p->spill_fd = files_temp_beside(p->beside, dir, sizeof dir)) < 0)
        return w2v_fail_errno(&p->err, "cannot create a temporary file for the word ids in '%s'",
                              dir);
    if (files_write_full(p->spill_fd, p->ids, (size_t)p->n * sizeof *p->ids) != 0)
        return w2v_fail_errno(&p->err, "cannot write the word ids to a temporary file beside '%s'",
                              p->beside ? p->beside : ".");
    p->spilled += p->n;
    p->n = 0;
    return 0;
}

/* Append one provisional id: grow the buffer, or spill it when full at
 * the part's memory share. Returns 0 or a negative code with p->err filled. */
static int scan_push(struct scan_part *p, int32_t id)
{
    if (p->n == p->cap) {
        int64_t want = p->cap < 4096 ? 4096 : p->cap + p->cap / 2;
        if (p->mem_ids > 0 && want > p->mem_ids)
            want = p->mem_ids;
        if (want <= p->cap) {
            int status = scan_spill(p);
            if (status != 0)
                return status;
        } else {
            size_t bytes;
            if (ids_bytes(want, &bytes) != 0)
                return w2v_fail(&p->err, W2V_EOVERFLOW, "too many words in '%s'", p->path);
            int32_t *grown = w2v_realloc(p->ids, bytes);
            if (!grown)
                return w2v_fail(&p->err, W2V_ENOMEM, "out of memory for the corpus (%lld word ids)",
                                (long long)want);
            p->ids = grown;
            p->cap = want;
        }
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
        if (p->mem_ids > 0 && guess > p->mem_ids)
            guess = p->mem_ids;
        if (ids_bytes(guess, &bytes) == 0 && (p->ids = w2v_malloc(bytes)) != NULL)
            p->cap = guess;
    }
    status = tokenizer_open(&tok, p->path, p->start, p->end, &p->err);
    if (status != 0)
        goto fail;
    while ((status = tokenizer_next(&tok, word, &len, &p->err)) == 1) {
        int32_t id = vocab_add_id(&p->local, word, len, 1);
        if (id < 0) {
            status = w2v_fail(&p->err, id, "cannot count the words of '%s': %s", p->path,
                              w2v_strerror(id));
            goto fail;
        }
        if ((status = scan_push(p, id)) != 0)
            goto fail;
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
    atomic_store(p->overflow, 1); /* the others need not finish */
    return NULL;
}

/* The state of a stream being mapped: corpus_push's rules across calls. */
struct id_mapper {
    const int32_t *map;  /* provisional -> final id, -1: not in the vocabulary */
    int32_t last;        /* the last id kept; 0 (an end) at the start, so ends are dropped */
    int64_t words, dropped;
};

/* Map src[0..n) into dst; returns the ids written. dst may alias src at
 * the same or an earlier index: the write index never passes the read
 * index. */
static int64_t id_mapper_run(struct id_mapper *m, int32_t *dst, const int32_t *src, int64_t n)
{
    int64_t out = 0;
    int32_t last = m->last;
    for (int64_t i = 0; i < n; i++) {
        int32_t id = m->map[src[i]];
        if (id < 0) {
            m->dropped++;
            continue;
        }
        if (id == 0 && last == 0)
            continue;
        dst[out++] = id;
        last = id;
        m->words += id != 0;
    }
    m->last = last;
    return out;
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
        if (part[i].spill_fd >= 0)
            close(part[i].spill_fd); /* unlinked: its space is freed now */
        part[i].spill_fd = -1;
        vocab_release(&part[i].local);
    }
}

/* Merge the parts' tables into v and finalize it. The union of tables
 * within their limits is within max_size, so nothing is pruned and the
 * counts are exact. */
static int scan_merge_vocab(struct vocab *v, const struct scan_part *part, int parts,
                            int64_t min_count, const char *path, struct w2v_err *err)
{
    for (int i = 0; i < parts; i++) {
        const struct vocab *l = &part[i].local;
        for (int32_t w = 0; w < l->size; w++) {
            int32_t id = vocab_add_id(v, l->entries[w].word, l->lengths[w], l->entries[w].count);
            if (id < 0)
                return w2v_fail(err, id, "cannot count the words of '%s': %s", path,
                                w2v_strerror(id));
        }
    }
    return vocab_finalize_counted(v, min_count, path, err);
}

/* The final stream in memory: it grows into part 0's buffer, remapped in
 * place, so the provisional and final streams are never both whole in
 * memory. Frees each part's stream as it goes. */
static int scan_streams_in_memory(struct corpus *c, const struct vocab *v, struct scan_part *part,
                                  int parts, int64_t total, struct w2v_err *err)
{
    struct id_mapper m = {NULL, 0, 0, 0};
    int32_t *map = NULL;
    int status = 0;
    c->ids = part[0].ids;
    c->capacity = part[0].cap;
    part[0].ids = NULL;
    if ((status = corpus_reserve(c, total)) != 0) {
        status = w2v_fail(err, status, "out of memory for the corpus (%lld word ids)",
                          (long long)total);
        goto fail;
    }
    for (int i = 0; i < parts; i++) {
        if (!(m.map = map = scan_part_map(&part[i], v))) {
            status = w2v_fail(err, W2V_ENOMEM, "out of memory");
            goto fail;
        }
        c->n += id_mapper_run(&m, c->ids + c->n, i == 0 ? c->ids : part[i].ids, part[i].n);
        w2v_free(map);
        map = NULL;
        w2v_free(part[i].ids);
        part[i].ids = NULL;
        vocab_release(&part[i].local);
    }
    static const int32_t end_map[1] = {0};
    m.map = end_map;
    c->n += id_mapper_run(&m, c->ids + c->n, end_map, 1);
    c->words = m.words;
    c->dropped = m.dropped;
    return 0;
fail:
    w2v_free(map);
    return status;
}

/* Map src[0..n) and append the result to fd through buf (room for n). */
static int spill_mapped(struct id_mapper *m, int fd, int32_t *buf, const int32_t *src, int64_t n,
                        int64_t *written, const char *beside, struct w2v_err *err)
{
    int64_t k = id_mapper_run(m, buf, src, n);
    if (files_write_full(fd, buf, (size_t)k * sizeof *buf) != 0)
        return w2v_fail_errno(err, "cannot write the word ids to a temporary file beside '%s'",
                              beside ? beside : ".");
    *written += k;
    return 0;
}

/* The final stream through an anonymous file beside `beside`, mapped
 * read-only into c: each part's spilled ids are re-read in chunks, then its
 * ids in memory follow. */
static int scan_streams_spilled(struct corpus *c, const struct vocab *v, struct scan_part *part,
                                int parts, const char *beside, struct w2v_err *err)
{
    struct id_mapper m = {NULL, 0, 0, 0};
    int32_t *map = NULL, *in = NULL, *out = NULL;
    int fd = -1, status = 0;
    int64_t written = 0;
    char dir[4096];
    void *addr;
    in = w2v_malloc((size_t)SPILL_CHUNK_IDS * sizeof *in);
    out = w2v_malloc((size_t)SPILL_CHUNK_IDS * sizeof *out);
    if (!in || !out) {
        status = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    if ((fd = files_temp_beside(beside, dir, sizeof dir)) < 0) {
        status = w2v_fail_errno(err, "cannot create a temporary file for the word ids in '%s'", dir);
        goto fail;
    }
    for (int i = 0; i < parts; i++) {
        struct scan_part *p = &part[i];
        if (!(m.map = map = scan_part_map(p, v))) {
            status = w2v_fail(err, W2V_ENOMEM, "out of memory");
            goto fail;
        }
        if (p->spill_fd >= 0 && lseek(p->spill_fd, 0, SEEK_SET) != 0) {
            status = w2v_fail_errno(err, "cannot read back the spilled word ids");
            goto fail;
        }
        for (int64_t left = p->spilled; left > 0;) {
            int64_t k = left < SPILL_CHUNK_IDS ? left : SPILL_CHUNK_IDS;
            errno = 0;
            if (files_read_full(p->spill_fd, in, (size_t)k * sizeof *in) != (ssize_t)(k * 4)) {
                if (errno == 0)
                    errno = EIO; /* short: the file shrank under us */
                status = w2v_fail_errno(err, "cannot read back the spilled word ids");
                goto fail;
            }
            if ((status = spill_mapped(&m, fd, out, in, k, &written, beside, err)) != 0)
                goto fail;
            left -= k;
        }
        for (int64_t at = 0; at < p->n; at += SPILL_CHUNK_IDS) {
            int64_t k = p->n - at < SPILL_CHUNK_IDS ? p->n - at : SPILL_CHUNK_IDS;
            if ((status = spill_mapped(&m, fd, out, p->ids + at, k, &written, beside, err)) != 0)
                goto fail;
        }
        w2v_free(map);
        map = NULL;
        w2v_free(p->ids);
        p->ids = NULL;
        close(p->spill_fd);
        p->spill_fd = -1;
        vocab_release(&p->local);
    }
    static const int32_t end_map[1] = {0};
    m.map = end_map;
    if ((status = spill_mapped(&m, fd, out, end_map, 1, &written, beside, err)) != 0)
        goto fail;
    size_t bytes;
    if (ids_bytes(written, &bytes) != 0) {
        status = w2v_fail(err, W2V_EOVERFLOW, "too many word ids to map (%lld)", (long long)written);
        goto fail;
    }
    addr = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
        status = w2v_fail_errno(err, "cannot map the temporary file of word ids");
        goto fail;
    }
    close(fd); /* the mapping keeps the (nameless) file until corpus_release */
    c->ids = addr;
    c->mapped = bytes;
    c->n = c->capacity = written;
    c->words = m.words;
    c->dropped = m.dropped;
    w2v_free(in);
    w2v_free(out);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    w2v_free(map);
    w2v_free(in);
    w2v_free(out);
    return status;
}

int corpus_build_file(struct corpus *c, struct vocab *v, const char *path,
                      const struct vocab_options *opt, const struct corpus_build_options *bo,
                      struct corpus_build_info *info, struct w2v_err *err)
{
    struct scan_part *part = NULL;
    pthread_t *threads = NULL;
    int started = 0, status = 0, spilled = 0;
    atomic_int overflow = 0;
    int64_t min_count = opt ? opt->min_count : 5, max_size = opt ? opt->max_size : 0;
    int64_t max_memory = bo ? bo->max_memory : 0, total = 1; /* the final end */
    int parts = bo && bo->parts > 1 ? bo->parts : 1;
    const char *beside = bo ? bo->spill_beside : NULL;
    struct corpus_build_info unused;
    struct stat st;
    if (!info)
        info = &unused;
    memset(info, 0, sizeof *info);
    corpus_release(c);
    vocab_init(v);
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
        p->spill_fd = -1;
        p->beside = beside;
        /* Boundaries size*i/parts without overflowing int64. */
        p->start = size < 0 ? 0 : size / parts * i + size % parts * i / parts;
        p->end = i == parts - 1 ? -1 : size / parts * (i + 1) + size % parts * (i + 1) / parts;
        /* The parts' tables together stay within max_size words. */
        p->limit = max_size > 0 ? (max_size / parts > 0 ? max_size / parts : 1) : 0;
        /* ... and their ids within max_memory bytes. */
        p->mem_ids = max_memory > 0 ? max_memory / 2 / 4 / parts : 0;
        if (max_memory > 0 && p->mem_ids < SCAN_MIN_IDS)
            p->mem_ids = SCAN_MIN_IDS;
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
    for (int i = 0; i < parts; i++) {
        info->words_cut += part[i].words_cut;
        total += part[i].spilled + part[i].n;
        spilled |= part[i].spilled > 0;
    }
    if (atomic_load(&overflow)) {
        scan_parts_release(part, parts);
        info->words_cut = 0;
        status = corpus_build_two_pass(c, v, path, opt, &info->words_cut, err);
    } else {
        info->one_pass = 1;
        status = scan_merge_vocab(v, part, parts, min_count, path, err);
        double model = bo ? (double)bo->model_bytes_per_word * (double)v->size : 0.0;
        if (status == 0 &&
            (spilled || (max_memory > 0 && 4.0 * (double)total + model > (double)max_memory)))
            status = scan_streams_spilled(c, v, part, parts, beside, err);
        else if (status == 0)
            status = scan_streams_in_memory(c, v, part, parts, total, err);
        if (status == 0 && c->words == 0) /* not after a finalize that kept a word; cheap to say */
            status = w2v_fail(err, W2V_EEMPTY, "no word of '%s' is in the vocabulary", path);
    }
    if (status != 0)
        goto fail;
    info->spilled_bytes = c->mapped;
    scan_parts_release(part, parts);
    w2v_free(part);
    w2v_free(threads);
#ifdef __GLIBC__
    /* The tables' many small words, freed, would stay in the heap (and in
     * RssAnon, which --max-memory bounds) beside the model: give the pages
     * back (15 MB of 35 on corpus.txt). */
    malloc_trim(0);
#endif
    return 0;
fail:
    scan_parts_release(part, parts);
    w2v_free(part);
    w2v_free(threads);
    corpus_release(c);
    vocab_release(v);
    return status;
}
