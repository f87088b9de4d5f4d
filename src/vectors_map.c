/* vectors_map.c — a binary vector file mapped read-only for queries: a
 * walk over the records (the shared scanner of vectors_scan.c) builds the
 * word index, or a side index that still matches the model supplies it;
 * the floats stay in the file.
 *
 * The walk is the cold start's cost: each record's word is a dependent
 * cache miss and a page fault ~4D bytes past the last. So the body is cut
 * into byte ranges walked by threads of their own, each from a guessed
 * record start; a guess counts only once the chain walked from the range
 * before lands exactly on it (by induction from the first record, every
 * chain is then the file's one chain), and anything else (a guess that
 * does not verify, a bad record, a duplicate word, a count that is not
 * the header's) redoes the whole walk serially, which gives the index or
 * the error message the serial walk always gave. */
#include "vectors_index.h"
#include "vectors_scan.h"

#include <stdatomic.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void vectors_map_release(struct vectors_map *m)
{
    if (!m)
        return;
    if (m->base)
        munmap((void *)m->base, m->size);
    w2v_free(m->row_off);
    w2v_free(m->slots);
    memset(m, 0, sizeof *m);
}

const char *vectors_map_word(const struct vectors_map *m, int64_t row, size_t *len)
{
    /* A word starts where the previous vector ends, after its optional
     * '\n' (no word starts with one), and ends at the space before the row. */
    size_t start = row == 0 ? m->body_start
                            : (size_t)m->row_off[row - 1] + (size_t)m->dim * sizeof(float);
    if (row > 0 && m->base[start] == '\n')
        start++;
    *len = (size_t)m->row_off[row] - 1 - start;
    return (const char *)m->base + start;
}

/* Slots hold (hash tag << 32) | (row + 1); 0 is empty. The tag spares most
 * comparisons of word bytes in the file. */
static int64_t map_probe(const struct vectors_map *m, const char *w, size_t len, uint64_t h,
                         size_t *slot)
{
    size_t mask = m->n_slots - 1, i = (size_t)h & mask;
    uint32_t tag = (uint32_t)(h >> 32);
    for (;;) {
        uint64_t e = m->slots[i];
        if (e == 0) {
            *slot = i;
            return -1;
        }
        if ((uint32_t)(e >> 32) == tag) {
            int64_t row = (int64_t)(e & 0xffffffffu) - 1;
            size_t wl;
            const char *word = vectors_map_word(m, row, &wl);
            if (wl == len && memcmp(word, w, len) == 0) {
                *slot = i;
                return row;
            }
        }
        i = (i + 1) & mask;
    }
}

int64_t vectors_map_find(const struct vectors_map *m, const char *word)
{
    if (!m->slots)
        return -1;
    size_t len = strlen(word), slot;
    return map_probe(m, word, len, w2v_fnv1a(word, len), &slot);
}

#if defined(__GNUC__)
#define w2v_prefetch(p) __builtin_prefetch(p)
#else
#define w2v_prefetch(p) ((void)(p))
#endif
#define PF_DIST 16

/* A word found by the walk, waiting for its slot's cache line. */
struct pending_word {
    int64_t row;
    uint64_t h;
    size_t at, len;
};

static int map_insert(struct vectors_map *m, const struct pending_word *w, const char *path,
                      struct w2v_err *err)
{
    size_t slot;
    const char *word = (const char *)m->base + w->at;
    int64_t prev = map_probe(m, word, w->len, w->h, &slot);
    if (prev >= 0)
        return w2v_fail(err, W2V_EFORMAT, "'%s': duplicate word '%.*s' (rows %lld and %lld)",
                        path, (int)(w->len > 200 ? 200 : w->len), word, (long long)prev + 1,
                        (long long)w->row + 1);
    m->slots[slot] = (w->h >> 32 << 32) | (uint64_t)(w->row + 1);
    return 0;
}

int vectors_map_open(struct vectors_map *m, const char *path, struct w2v_err *err)
{
    return vectors_map_open_with(m, path, 0, NULL, NULL, err);
}

int vectors_map_open_limit(struct vectors_map *m, const char *path, int64_t limit,
                           struct w2v_err *err)
{
    return vectors_map_open_with(m, path, limit, NULL, NULL, err);
}

/* The serial walk from the first record: find each word, check it, index
 * it. Only the words are read; the floats are checked when queries scan
 * them. m->slots must be all empty. Returns 0 with *end just past the last
 * record walked, or a status with the message the walk always gave. */
static int map_walk_serial(struct vectors_map *m, const char *path, size_t *end,
                           struct w2v_err *err)
{
    const unsigned char *b = m->base;
    const size_t size = m->size, body = m->body_start;
    size_t p = body;
    struct pending_word ring[PF_DIST];
    for (int64_t row = 0; row < m->rows; row++) {
        /* Each word is a cache miss ~4D bytes past the last: prefetch where
         * the word PF_DIST rows ahead should be, by the mean row length so
         * far (word lengths vary, so two lines around the estimate). */
        if (row >= 8) {
            size_t ahead = p + (p - body) / (size_t)row * PF_DIST;
            if (ahead + 64 < size) {
                w2v_prefetch(b + ahead);
                w2v_prefetch(b + ahead + 64);
            }
        }
        struct vectors_record rec;
        int sr = vectors_scan_record(b + p, size - p, 1, row, m->dim, &rec);
        if (sr < 0)
            return vectors_record_fail(err, sr, path, b + p, &rec, row, m->rows);
        m->row_off[row] = (int64_t)(p + rec.floats);
        /* The slot is a cache miss in a table of many megabytes: prefetch
         * it now and insert this word PF_DIST rows later. */
        w2v_prefetch(&m->slots[(size_t)rec.hash & (m->n_slots - 1)]);
        if (row >= PF_DIST) {
            int rc = map_insert(m, &ring[row % PF_DIST], path, err);
            if (rc < 0)
                return rc;
        }
        ring[row % PF_DIST] = (struct pending_word){row, rec.hash, p + rec.word, rec.word_len};
        p += rec.end;
    }
    for (int64_t row = m->rows > PF_DIST ? m->rows - PF_DIST : 0; row < m->rows; row++) {
        int rc = map_insert(m, &ring[row % PF_DIST], path, err);
        if (rc < 0)
            return rc;
    }
    *end = p;
    return 0;
}

/* ---- the parallel walk ---------------------------------------------------- */

/* A range is worth a thread of its own from this many bytes: below, the
 * thread costs more than the walk it takes over. */
#define MAP_MIN_RANGE ((size_t)4 << 20)
/* Records a guessed start must lead to before it is tried. A chain is
 * verified by the range before anyway; this only makes a wrong guess (and
 * with it the serial redo) rare: a false start in float bytes must find
 * MAP_CHAIN words of the right shape 4D bytes apart. */
#define MAP_CHAIN 8

/* One byte range: from the record start guessed for it to the guess of the
 * next range (or the end of the file), and the records found in it. */
struct map_range {
    size_t start, stop;
    int64_t n, cap, first_row;
    int64_t *off;   /* [cap] each record's first float */
    uint64_t *hash; /* [cap] its word's hash */
    int bad;        /* a bad record, too many, or the chain missed stop */
};

struct map_build {
    struct vectors_map *m;
    struct map_range *r;
    int n;
    atomic_int dup; /* a word seen twice: the serial walk names it */
};

/* A chain of k records ending at q is fine when it is the file's last:
 * only whitespace after it, and little (a longer tail only costs a guess,
 * never a byte scanned twice per candidate). */
static int map_chain_end(const unsigned char *b, size_t size, size_t q, int k)
{
    return k > 0 && size - q <= 64 && vectors_check_tail(b + q, size - q, "", 0, NULL) == 0;
}

/* Is q the start of a record in the original layout ('\n' ending the
 * vector before, the word, ' ', 4D bytes), followed by MAP_CHAIN - 1 more
 * (or by nothing but the file's trailing whitespace)? */
static int map_chain_ok(const unsigned char *b, size_t size, size_t q, int32_t dim)
{
    for (int k = 0; k < MAP_CHAIN; k++) {
        struct vectors_record rec;
        if (q >= size || b[q] != '\n')
            return map_chain_end(b, size, q, k);
        /* The word must end at a space before any other byte no word
         * holds (the scanner would look for the space up to 64 KiB away:
         * on hostile bytes, at every candidate). This stops at the next
         * '\n', the next candidate, so guessing stays linear in bytes. */
        size_t e = q + 1;
        while (e < size && e - q <= W2V_MAX_FILE_WORD_BYTES && !vectors_word_forbidden(b[e]))
            e++;
        if (e >= size || b[e] != ' ' ||
            vectors_scan_record(b + q, size - q, 1, 1, dim, &rec) != VECTORS_SCAN_OK)
            return map_chain_end(b, size, q, k);
        q += rec.end;
    }
    return 1;
}

/* The first q in [from, to) that map_chain_ok accepts, or to. */
static size_t map_guess(const unsigned char *b, size_t size, size_t from, size_t to, int32_t dim)
{
    for (size_t q = from; q < to; q++) {
        const unsigned char *nl = memchr(b + q, '\n', to - q);
        if (!nl)
            break;
        q = (size_t)(nl - b);
        if (map_chain_ok(b, size, q, dim))
            return q;
    }
    return to;
}

static int map_range_grow(struct map_range *r)
{
    int64_t cap = r->cap * 2;
    int64_t *off = w2v_realloc(r->off, (size_t)cap * sizeof *off);
    if (!off)
        return -1;
    r->off = off;
    uint64_t *hash = w2v_realloc(r->hash, (size_t)cap * sizeof *hash);
    if (!hash)
        return -1;
    r->hash = hash;
    r->cap = cap;
    return 0;
}

/* w2v_parallel body: walk range i's records from its guessed start until
 * the next range's guess, which the chain must hit exactly. */
static void map_walk_range(void *arg, int i)
{
    struct map_build *bd = arg;
    struct map_range *r = &bd->r[i];
    const struct vectors_map *m = bd->m;
    const unsigned char *b = m->base;
    const size_t size = m->size;
    const int last = i == bd->n - 1;
    size_t p = r->start;
#ifdef MADV_POPULATE_READ
    /* Map the range's pages in one call per thread instead of a fault
     * every few records: 4.4x fewer page faults in the walk, 25% fewer in
     * a whole `w2v nearest` (100k x 300), and the pages are the ones the
     * query's scan reads next. Older kernels (or other page sizes) say
     * EINVAL: then it faults as before. */
    size_t page = r->start & ~(size_t)4095;
    madvise((void *)(b + page), r->stop - page, MADV_POPULATE_READ);
#endif
    while (p < r->stop) {
        if (r->n >= 8) {
            size_t ahead = p + (p - r->start) / (size_t)r->n * PF_DIST;
            if (ahead + 64 < size) {
                w2v_prefetch(b + ahead);
                w2v_prefetch(b + ahead + 64);
            }
        }
        struct vectors_record rec;
        /* Row 0 alone may not start with the '\n' of a vector before it. */
        int64_t row = i == 0 && r->n == 0 ? 0 : 1;
        if (vectors_scan_record(b + p, size - p, 1, row, m->dim, &rec) != VECTORS_SCAN_OK) {
            /* Past the last record only whitespace may follow. */
            if (!last || vectors_check_tail(b + p, size - p, "", 0, NULL) != 0)
                r->bad = 1;
            return;
        }
        if (r->n == r->cap && (r->n >= m->rows || map_range_grow(r) != 0)) {
            r->bad = 1; /* more records than the header says, or no memory */
            return;
        }
        r->off[r->n] = (int64_t)(p + rec.floats);
        r->hash[r->n] = rec.hash;
        r->n++;
        p += rec.end;
    }
    if (p != r->stop)
        r->bad = 1; /* the chain jumped over the next guess: it was wrong */
}

/* w2v_parallel body: range i's row offsets into their place. */
static void map_place_range(void *arg, int i)
{
    struct map_build *bd = arg;
    const struct map_range *r = &bd->r[i];
    memcpy(bd->m->row_off + r->first_row, r->off, (size_t)r->n * sizeof *r->off);
}

/* w2v_parallel body: insert range i's words. Slots are claimed by
 * compare-and-swap; a slot once filled never changes, so probing past a
 * full one is safe whoever filled it. Every row's offset is in place
 * (map_place_range ran to completion first), so any word can be compared. */
static void map_insert_range(void *arg, int i)
{
    struct map_build *bd = arg;
    const struct map_range *r = &bd->r[i];
    struct vectors_map *m = bd->m;
    const size_t mask = m->n_slots - 1;
    for (int64_t j = 0; j < r->n; j++) {
        if (j + PF_DIST < r->n)
            w2v_prefetch(&m->slots[(size_t)r->hash[j + PF_DIST] & mask]);
        const uint64_t h = r->hash[j];
        const int64_t row = r->first_row + j;
        const uint64_t mine = (h >> 32 << 32) | (uint64_t)(row + 1);
        size_t len = 0, s = (size_t)h & mask;
        const char *word = NULL; /* looked up on a tag match only: a cache miss */
        for (;;) {
            uint64_t e = __atomic_load_n(&m->slots[s], __ATOMIC_RELAXED);
            if (e == 0 && __atomic_compare_exchange_n(&m->slots[s], &e, mine, 0,
                                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                break;
            /* Taken (maybe just now, by another thread: e is its entry). */
            if ((uint32_t)(e >> 32) == (uint32_t)(h >> 32)) {
                if (!word)
                    word = vectors_map_word(m, row, &len);
                size_t ol;
                const char *other = vectors_map_word(m, (int64_t)(e & 0xffffffffu) - 1, &ol);
                if (ol == len && memcmp(other, word, len) == 0) {
                    atomic_store(&bd->dup, 1);
                    return;
                }
            }
            s = (s + 1) & mask;
        }
    }
}

/* The parallel walk over ranges ranges (>= 2). Returns 1 when it built
 * m's whole index exactly as the serial walk would, 0 when the serial walk
 * must (m->slots may then be dirty), or W2V_ENOMEM. */
static int map_walk_parallel(struct vectors_map *m, int ranges, struct vectors_map_report *rep)
{
    const unsigned char *b = m->base;
    const size_t size = m->size, body = m->body_start, len = size - body;
    int ok = 0;
    struct map_build bd = {.m = m, .n = 0};
    atomic_init(&bd.dup, 0);
    bd.r = w2v_calloc((size_t)ranges, sizeof *bd.r);
    if (!bd.r)
        return W2V_ENOMEM;
    /* Only the original's layout is guessed (a '\n' after every vector,
     * found after the first); without it a word's first byte cannot be
     * told from the vector's last ones, and the serial walk does it. */
    struct vectors_record first;
    if (vectors_scan_record(b + body, len, 1, 0, m->dim, &first) != VECTORS_SCAN_OK ||
        first.end >= len || b[body + first.end] != '\n')
        goto done;
    /* Range 0 starts at the first record; range t > 0 at the first record
     * start guessed past its share's first byte. A record starts within
     * one record's length of any byte: looking much further only costs
     * time, and a range where no start is found is walked by the one
     * before. */
    const size_t window = (size_t)64 * ((size_t)m->dim * 4 + 64);
    bd.r[0].start = body;
    bd.r[0].stop = size;
    bd.n = 1;
    for (int t = 1; t < ranges; t++) {
        size_t lo = body + (size_t)((double)len * t / ranges);
        size_t to = body + (size_t)((double)len * (t + 1) / ranges);
        if (lo <= bd.r[bd.n - 1].start)
            lo = bd.r[bd.n - 1].start + 1;
        if (lo >= to)
            continue;
        size_t hi = to - lo > window ? lo + window : to;
        size_t g = map_guess(b, size, lo, hi, m->dim);
        if (g >= hi)
            continue;
        bd.r[bd.n - 1].stop = g;
        bd.r[bd.n].start = g;
        bd.r[bd.n].stop = size;
        bd.n++;
    }
    for (int t = 0; t < bd.n; t++) {
        struct map_range *r = &bd.r[t];
        /* Room for this range's share of the rows and some more; it grows
         * past that, up to the header's count. */
        double share = (double)(r->stop - r->start) / (double)len;
        r->cap = (int64_t)(share * (double)m->rows * 1.25) + 64;
        if (r->cap > m->rows)
            r->cap = m->rows;
        r->off = w2v_malloc((size_t)r->cap * sizeof *r->off);
        r->hash = w2v_malloc((size_t)r->cap * sizeof *r->hash);
        if (!r->off || !r->hash) {
            ok = W2V_ENOMEM;
            goto done;
        }
    }
    w2v_parallel(bd.n, map_walk_range, &bd);
    int64_t rows = 0;
    for (int t = 0; t < bd.n; t++) {
        if (bd.r[t].bad)
            goto done;
        bd.r[t].first_row = rows;
        rows += bd.r[t].n;
    }
    if (rows != m->rows)
        goto done; /* the header's count is not the file's: the serial walk says which */
    w2v_parallel(bd.n, map_place_range, &bd);
    w2v_parallel(bd.n, map_insert_range, &bd);
    ok = !atomic_load(&bd.dup);
done:
    if (rep) {
        rep->ranges = bd.n > 1 ? bd.n : 1;
        rep->fell_back = ok == 0;
    }
    for (int t = 0; t < ranges; t++) {
        w2v_free(bd.r[t].off);
        w2v_free(bd.r[t].hash);
    }
    w2v_free(bd.r);
    return ok;
}

/* Ranges to walk in parallel for how->threads over a body of len bytes. */
static int map_ranges(const struct vectors_map_how *how, size_t len)
{
    if (how && how->threads > 0)
        return how->threads;
    size_t by_size = len / MAP_MIN_RANGE;
    int cpus = w2v_cpu_count(64);
    return by_size < (size_t)cpus ? (int)(by_size > 0 ? by_size : 1) : cpus;
}

int vectors_map_open_with(struct vectors_map *m, const char *path, int64_t limit,
                          const struct vectors_map_how *how, struct vectors_map_report *rep,
                          struct w2v_err *err)
{
    int rc;
    int64_t file_size = 0;
    char *index_path = NULL;
    struct vectors_map_report scratch;
    if (!rep)
        rep = &scratch;
    memset(rep, 0, sizeof *rep);
    rep->ranges = 1;
    memset(m, 0, sizeof *m);
    int fd = vectors_open_regular(path, &file_size, err);
    if (fd < 0)
        return fd;
    if ((uint64_t)file_size > SIZE_MAX) {
        close(fd);
        return 1; /* cannot map it whole: let the reader try */
    }
    /* The side index is tied to this very file: its size and mtime from
     * the descriptor that is mapped, not from the path again. */
    struct stat st;
    if (fstat(fd, &st) == 0) {
        rep->fp.size = (uint64_t)st.st_size;
        rep->fp.mtime_sec = (uint64_t)st.st_mtim.tv_sec;
        rep->fp.mtime_nsec = (uint64_t)st.st_mtim.tv_nsec;
    }
    void *base;
    if ((rc = vectors_map_fd(fd, (size_t)file_size, path, &base, err)) != 0)
        return rc;
    m->base = base;
    m->size = (size_t)file_size;
    struct vectors_prologue pro = {0};
    size_t head = m->size < VECTORS_READ_CHUNK ? m->size : VECTORS_READ_CHUNK;
    rc = vectors_parse_prologue(path, m->base, head, file_size, &pro, err);
    if (rc < 0)
        goto fail;
    if (pro.format == VECTORS_TEXT) {
        vectors_map_release(m);
        return 1; /* text cannot be mapped */
    }
    const int limited = limit > 0 && limit < pro.rows;
    if (limited)
        pro.rows = limit; /* the rest is neither indexed nor checked */
    if (pro.rows >= (int64_t)UINT32_MAX) {
        rc = w2v_fail(err, W2V_EOVERFLOW, "'%s': too many words (%lld) to map", path,
                      (long long)pro.rows);
        goto fail;
    }
    m->rows = pro.rows;
    m->dim = (int32_t)pro.dim;
    m->body_start = pro.body_start;
    /* A side index describes the whole file: not for a limited open. */
    if ((!how || how->side_index) && !limited && rep->fp.size == (uint64_t)file_size) {
        index_path = vectors_index_path(path);
        if (index_path) {
            struct w2v_err note = {0};
            rep->side_index = vectors_index_load(m, &rep->fp, index_path, &note);
            if (rep->side_index < 0 && err)
                snprintf(err->message, sizeof err->message, "%s", note.message);
            if (rep->side_index > 0)
                goto done;
        }
    }
    /* The kernel reads ahead for the index walk. */
    madvise((void *)m->base, m->size, MADV_WILLNEED);
    size_t want = 16;
    while (want / 2 < (size_t)m->rows)
        want *= 2; /* rows < 2^32: no overflow */
    m->row_off = w2v_malloc((size_t)m->rows * sizeof *m->row_off);
    m->slots = w2v_calloc(want, sizeof *m->slots);
    if (!m->row_off || !m->slots) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory indexing '%s'", path);
        goto fail;
    }
    m->n_slots = want;
    size_t end = m->size;
    int ranges = limited ? 1 : map_ranges(how, m->size - m->body_start);
    rc = ranges > 1 ? map_walk_parallel(m, ranges, rep) : 0;
    if (rc < 0) {
        rc = w2v_fail(err, rc, "out of memory indexing '%s'", path);
        goto fail;
    }
    if (rc == 0) {
        if (ranges > 1) /* the parallel walk may have filled some slots */
            memset(m->slots, 0, m->n_slots * sizeof *m->slots);
        rc = map_walk_serial(m, path, &end, err);
        if (rc < 0)
            goto fail;
        rc = limited ? 0 : vectors_check_tail(m->base + end, m->size - end, path, m->rows, err);
        if (rc < 0)
            goto fail;
    }
done:
    w2v_free(index_path);
    return 0;
fail:
    w2v_free(index_path);
    vectors_map_release(m);
    return rc;
}

int vectors_map_row(const struct vectors_map *m, int64_t row, float *out)
{
    const unsigned char *src = m->base + m->row_off[row];
    const size_t dim = (size_t)m->dim;
    if (w2v_host_is_little_endian())
        memcpy(out, src, dim * sizeof *out);
    else
        for (size_t j = 0; j < dim; j++)
            out[j] = vectors_load_le(src + 4 * j);
    return 0;
}
