/* vectors_map.c — a binary vector file mapped read-only for queries: one
 * walk over the records (the shared scanner of vectors_scan.c) builds the
 * word index; the floats stay in the file. */
#include "vectors_scan.h"

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
    return vectors_map_open_limit(m, path, 0, err);
}

int vectors_map_open_limit(struct vectors_map *m, const char *path, int64_t limit,
                           struct w2v_err *err)
{
    int rc;
    int64_t file_size = 0;
    memset(m, 0, sizeof *m);
    int fd = vectors_open_regular(path, &file_size, err);
    if (fd < 0)
        return fd;
    if ((uint64_t)file_size > SIZE_MAX) {
        close(fd);
        return 1; /* cannot map it whole: let the reader try */
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
    /* The kernel reads ahead for the sequential index walk. */
    madvise((void *)m->base, m->size, MADV_WILLNEED);
    m->rows = pro.rows;
    m->dim = (int32_t)pro.dim;
    m->body_start = pro.body_start;
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

    /* One walk over the rows: find each word, check it, index it. Only the
     * words are read; the floats are checked when queries scan them. */
    const unsigned char *b = m->base;
    const size_t size = m->size;
    size_t p = pro.body_start;
    struct pending_word ring[PF_DIST];
    for (int64_t row = 0; row < m->rows; row++) {
        /* Each word is a cache miss ~4D bytes past the last: prefetch where
         * the word PF_DIST rows ahead should be, by the mean row length so
         * far (word lengths vary, so two lines around the estimate). */
        if (row >= 8) {
            size_t ahead = p + (p - pro.body_start) / (size_t)row * PF_DIST;
            if (ahead + 64 < size) {
                w2v_prefetch(b + ahead);
                w2v_prefetch(b + ahead + 64);
            }
        }
        struct vectors_record rec;
        int sr = vectors_scan_record(b + p, size - p, 1, row, m->dim, &rec);
        if (sr < 0) {
            rc = vectors_record_fail(err, sr, path, b + p, &rec, row, m->rows);
            goto fail;
        }
        m->row_off[row] = (int64_t)(p + rec.floats);
        /* The slot is a cache miss in a table of many megabytes: prefetch
         * it now and insert this word PF_DIST rows later. */
        w2v_prefetch(&m->slots[(size_t)rec.hash & (m->n_slots - 1)]);
        if (row >= PF_DIST) {
            rc = map_insert(m, &ring[row % PF_DIST], path, err);
            if (rc < 0)
                goto fail;
        }
        ring[row % PF_DIST] = (struct pending_word){row, rec.hash, p + rec.word, rec.word_len};
        p += rec.end;
    }
    for (int64_t row = m->rows > PF_DIST ? m->rows - PF_DIST : 0; row < m->rows; row++) {
        rc = map_insert(m, &ring[row % PF_DIST], path, err);
        if (rc < 0)
            goto fail;
    }
    rc = limited ? 0 : vectors_check_tail(b + p, size - p, path, m->rows, err);
    if (rc < 0)
        goto fail;
    return 0;
fail:
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
