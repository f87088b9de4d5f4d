/* vectors_index.c — the side index MODEL.w2vi: a mapped model's word index
 * (row offsets and hash slots) saved by `w2v index`, so that a query can
 * skip the walk over every record.
 *
 * Layout (host byte order; the order field tells another host's file from
 * a corrupt one): a header of 14 u64 words (magic, order, version, the
 * model's fingerprint, rows, dim, body_start, n_slots, a hash of the data,
 * a hash of the header), then row_off[rows] and slots[n_slots] as
 * vectors_map holds them.
 *
 * An index is a cache: it is used only when the model's size, mtime and
 * content hash are those it was built from, and everything in it is
 * checked before use (the hashes, the sizes, offsets in order and inside
 * the file, slot rows in range, sampled words found at their rows), so a
 * stale one is passed over and a corrupt one cannot make a query read
 * outside the mapping. */
#include "vectors_index.h"
#include "vectors_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_MAGIC "W2VINDEX"
#define INDEX_ORDER 0x0102030405060708ULL
#define INDEX_VERSION 1

struct index_header {
    char magic[8];
    uint64_t order, version;
    uint64_t size, mtime_sec, mtime_nsec, content;
    uint64_t rows, dim, body_start, n_slots;
    uint64_t data_hash;   /* index_hash of row_off then slots */
    uint64_t header_hash; /* index_hash of everything above */
};

/* Content sampled for the fingerprint: the first and the last 64 KiB (the
 * header, the first and the last words and vectors) and 64 pages spread
 * evenly between. Why that is enough: size and mtime already change with
 * every write; the hash is there for a different model that kept both (a
 * copy with cp -p or rsync -t, touch -r). Two models of one size from two
 * training runs, or two exports, differ in every vector, so in the first
 * 64 KiB already. What it misses is an edit in place that keeps size and
 * mtime and touches no sampled byte: a forgery, not an accident. Cost:
 * ~0.4 MB hashed 8 bytes a step, against the whole file the walk reads. */
#define INDEX_EDGE ((size_t)64 << 10)
#define INDEX_PAGES 64
#define INDEX_PAGE ((size_t)4 << 10)

static uint64_t fnv_bytes(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = w2v_fnv1a_step(h, p[i]);
    return h;
}

/* A fast hash of the bytes / 8 whole 8-byte words at p (a check against
 * corruption, not attack): four lanes so that the multiplies overlap, each
 * word rotated in so that no bit is lost. */
static uint64_t index_hash(const void *p, size_t bytes, uint64_t seed)
{
    const unsigned char *c = p;
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h[4] = {seed, seed ^ 1, seed ^ 2, seed ^ 3};
    size_t n = bytes / 8, i = 0;
    for (; i + 4 <= n; i += 4)
        for (int l = 0; l < 4; l++) {
            uint64_t w;
            memcpy(&w, c + 8 * (i + (size_t)l), 8);
            h[l] ^= w;
            h[l] = ((h[l] << 29) | (h[l] >> 35)) * k;
        }
    uint64_t r = h[0] ^ (h[1] * 3) ^ (h[2] * 5) ^ (h[3] * 7);
    for (size_t t = 0; t < n % 4; t++) { /* the last 0-3 words */
        uint64_t w;
        memcpy(&w, c + 8 * (i + t), 8);
        r = ((r ^ w) << 29 | (r ^ w) >> 35) * k;
    }
    return r ^ (r >> 31);
}

uint64_t vectors_index_content_hash(const struct vectors_map *m)
{
    const size_t size = m->size;
    uint64_t h = index_hash(&m->size, sizeof m->size, 0);
    if (size <= 2 * INDEX_EDGE + INDEX_PAGES * INDEX_PAGE)
        return fnv_bytes(index_hash(m->base, size, h), m->base + size / 8 * 8, size % 8);
    h = index_hash(m->base, INDEX_EDGE, h);
    const size_t span = size - 2 * INDEX_EDGE - INDEX_PAGE;
    for (size_t k = 0; k < INDEX_PAGES; k++)
        h = index_hash(m->base + INDEX_EDGE + span / (INDEX_PAGES - 1) * k, INDEX_PAGE, h);
    return index_hash(m->base + size - INDEX_EDGE, INDEX_EDGE, h);
}

char *vectors_index_path(const char *path)
{
    size_t n = strlen(path);
    char *s = w2v_malloc(n + 6);
    if (s) {
        memcpy(s, path, n);
        memcpy(s + n, ".w2vi", 6);
    }
    return s;
}

/* The slot count vectors_map builds for rows: the only one accepted. */
static size_t index_slots_for(int64_t rows)
{
    size_t want = 16;
    while (want / 2 < (size_t)rows)
        want *= 2;
    return want;
}

int vectors_index_write(const struct vectors_map *m, const struct vectors_fingerprint *fp,
                        const char *index_path, struct w2v_err *err)
{
    struct w2v_outfile out = {0};
    struct index_header hd;
    memset(&hd, 0, sizeof hd);
    memcpy(hd.magic, INDEX_MAGIC, 8);
    hd.order = INDEX_ORDER;
    hd.version = INDEX_VERSION;
    hd.size = fp->size;
    hd.mtime_sec = fp->mtime_sec;
    hd.mtime_nsec = fp->mtime_nsec;
    hd.content = vectors_index_content_hash(m);
    hd.rows = (uint64_t)m->rows;
    hd.dim = (uint64_t)m->dim;
    hd.body_start = m->body_start;
    hd.n_slots = m->n_slots;
    const size_t off_bytes = (size_t)m->rows * sizeof *m->row_off;
    const size_t slot_bytes = m->n_slots * sizeof *m->slots;
    hd.data_hash = index_hash(m->slots, slot_bytes, index_hash(m->row_off, off_bytes, 0));
    hd.header_hash = index_hash(&hd, offsetof(struct index_header, header_hash), 0);
    int rc = w2v_outfile_open(&out, index_path, err);
    if (rc < 0)
        return rc;
    if (fwrite(&hd, sizeof hd, 1, out.fp) != 1 ||
        fwrite(m->row_off, 1, off_bytes, out.fp) != off_bytes ||
        fwrite(m->slots, 1, slot_bytes, out.fp) != slot_bytes) {
        rc = w2v_fail_errno(err, "cannot write '%s'", index_path);
        goto fail;
    }
    return w2v_outfile_commit(&out, err);
fail:
    w2v_outfile_abort(&out);
    return rc;
}

/* pread exactly n bytes at off. 0 or -1. */
static int read_at(int fd, void *buf, size_t n, off_t off)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = pread(fd, p, n, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        p += got;
        n -= (size_t)got;
        off += got;
    }
    return 0;
}

/* Everything in the loaded arrays is consistent with m's file: offsets in
 * order, far enough apart for a word and a vector, inside the file, only
 * whitespace after the last; slots naming each row once; sampled words
 * (first, last and 62 between) well formed and found at their own rows.
 * 1 or 0. */
static int index_consistent(const struct vectors_map *m)
{
    const size_t vbytes = (size_t)m->dim * sizeof(float);
    const int64_t rows = m->rows;
    /* A word (>= 1 byte) and ' ' before every vector; row 0's right after
     * the header; a '\n' may come between a vector and the next word. */
    if (m->row_off[0] < (int64_t)m->body_start + 2)
        return 0;
    /* Branch-free, so that these passes over megabytes vectorise. */
    int bad = 0;
    for (int64_t r = 1; r < rows; r++)
        bad |= m->row_off[r] < m->row_off[r - 1] + (int64_t)vbytes + 2;
    if (bad)
        return 0;
    if ((uint64_t)m->row_off[rows - 1] > m->size || m->size - (size_t)m->row_off[rows - 1] < vbytes)
        return 0;
    size_t end = (size_t)m->row_off[rows - 1] + vbytes;
    if (vectors_check_tail(m->base + end, m->size - end, "", 0, NULL) != 0)
        return 0;
    uint64_t used = 0;
    for (size_t s = 0; s < m->n_slots; s++) {
        const uint64_t e = m->slots[s], row = e & 0xffffffffu;
        bad |= (e != 0) & ((row == 0) | (row > (uint64_t)rows));
        used += e != 0;
    }
    if (bad || used != (uint64_t)rows)
        return 0;
    for (int k = 0; k < 64; k++) {
        int64_t r = rows == 1 ? 0 : (int64_t)((double)(rows - 1) * k / 63);
        size_t len;
        const char *w = vectors_map_word(m, r, &len);
        if (len == 0 || w[len] != ' ')
            return 0;
        for (size_t i = 0; i < len; i++)
            if (vectors_word_forbidden((unsigned char)w[i]))
                return 0;
        char buf[256];
        if (len >= sizeof buf)
            continue; /* vectors_map_find wants a C string: long words are rare */
        memcpy(buf, w, len);
        buf[len] = '\0';
        if (vectors_map_find(m, buf) != r)
            return 0;
    }
    return 1;
}

int vectors_index_load(struct vectors_map *m, const struct vectors_fingerprint *fp,
                       const char *index_path, struct w2v_err *note)
{
    int rc = 0;
    int64_t *row_off = NULL;
    uint64_t *slots = NULL;
    /* O_NONBLOCK: a FIFO in the index's place must not hang the query. */
    int fd = open(index_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0; /* none (or unreadable): build the index */
    struct stat st;
    struct index_header hd;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto out; /* not ours to judge */
    rc = -1;
    if ((uint64_t)st.st_size < sizeof hd || read_at(fd, &hd, sizeof hd, 0) != 0 ||
        memcmp(hd.magic, INDEX_MAGIC, 8) != 0 || hd.order != INDEX_ORDER ||
        hd.version != INDEX_VERSION ||
        hd.header_hash != index_hash(&hd, offsetof(struct index_header, header_hash), 0))
        goto out;
    rc = 0;
    if (hd.size != fp->size || hd.mtime_sec != fp->mtime_sec || hd.mtime_nsec != fp->mtime_nsec ||
        hd.content != vectors_index_content_hash(m))
        goto out; /* stale: another model, or this one rewritten */
    rc = -1;
    if (hd.rows != (uint64_t)m->rows || hd.dim != (uint64_t)m->dim ||
        hd.body_start != m->body_start || hd.n_slots != index_slots_for(m->rows) ||
        (uint64_t)st.st_size != sizeof hd + 8 * (hd.rows + hd.n_slots))
        goto out; /* rows < 2^32 and n_slots < 2^34 (checked): no overflow */
    const size_t off_bytes = (size_t)hd.rows * sizeof *row_off;
    const size_t slot_bytes = (size_t)hd.n_slots * sizeof *slots;
    row_off = w2v_malloc(off_bytes);
    slots = w2v_malloc(slot_bytes);
    if (!row_off || !slots) {
        rc = 0; /* no memory to spare: building needs as much, and reports it */
        goto out;
    }
    if (read_at(fd, row_off, off_bytes, (off_t)sizeof hd) != 0 ||
        read_at(fd, slots, slot_bytes, (off_t)(sizeof hd + off_bytes)) != 0 ||
        hd.data_hash != index_hash(slots, slot_bytes, index_hash(row_off, off_bytes, 0)))
        goto out;
    m->row_off = row_off;
    m->slots = slots;
    m->n_slots = (size_t)hd.n_slots;
    if (!index_consistent(m)) {
        m->row_off = NULL;
        m->slots = NULL;
        m->n_slots = 0;
        goto out;
    }
    close(fd);
    return 1;
out:
    if (rc < 0)
        w2v_fail(note, 0, "'%s' is not a valid index of the model: ignored (rerun 'w2v index')",
                 index_path);
    w2v_free(row_off);
    w2v_free(slots);
    close(fd);
    return rc;
}
