/* test_vectors_map.c — the mapped model's word index: the parallel walk
 * gives exactly the serial walk's index (or its error) for any number of
 * ranges, and the side index (MODEL.w2vi) is used only when it matches. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "test.h"
#include "vectors_index.h"
#include "w2v/vectors.h"

static uint64_t rng_state = 88172645463325252ULL;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

struct buf {
    unsigned char *p;
    size_t n, cap;
};
static void put(struct buf *b, const void *s, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* A binary model of rows x dim in the original layout ('\n' after every
 * vector; after the last only when final_nl), or gensim's (newlines = 0).
 * Words are unique, 1-14 bytes, with bytes >= 0x80; vector bytes are
 * random, and with tricky, every fourth vector begins "\nab " (a false
 * record start to a guesser). */
static void make_model(struct buf *b, int rows, int dim, int newlines, int final_nl, int tricky)
{
    b->n = 0;
    char head[64];
    put(b, head, (size_t)snprintf(head, sizeof head, "%d %d\n", rows, dim));
    for (int r = 0; r < rows; r++) {
        char w[32];
        int len = (int)(rnd() % 8);
        for (int i = 0; i < len; i++)
            w[i] = (char)(rnd() % 3 == 0 ? 0x80 + rnd() % 0x7f : 'a' + rnd() % 26);
        len += snprintf(w + len, sizeof w - (size_t)len, "%d", r);
        put(b, w, (size_t)len);
        put(b, " ", 1);
        for (int j = 0; j < dim; j++) {
            uint32_t u = rnd();
            unsigned char f[4] = {(unsigned char)u, (unsigned char)(u >> 8),
                                  (unsigned char)(u >> 16), (unsigned char)(u >> 24)};
            if (tricky && r % 4 == 0 && j == 0)
                memcpy(f, "\nab ", 4);
            put(b, f, 4);
        }
        if (newlines && (r + 1 < rows || final_nl))
            put(b, "\n", 1);
    }
}

/* make_model written to a fresh scratch path named by leaf. */
static void model_file(char *path, size_t cap, const char *leaf, struct buf *b, int rows,
                       int dim, int newlines)
{
    test_tmp_path(path, cap, leaf);
    make_model(b, rows, dim, newlines, 1, 0);
    test_write_file(path, b->p, b->n);
}

/* Map path with threads ranges (no side index). */
static int open_t(struct vectors_map *m, const char *path, int threads,
                  struct vectors_map_report *rep, struct w2v_err *err)
{
    struct vectors_map_how how = {threads, 0};
    return vectors_map_open_with(m, path, 0, &how, rep, err);
}

/* The same rows, offsets and answers as the serial walk. */
static int same_index(const struct vectors_map *a, const struct vectors_map *b)
{
    if (a->rows != b->rows || a->dim != b->dim || a->n_slots != b->n_slots ||
        memcmp(a->row_off, b->row_off, (size_t)a->rows * sizeof *a->row_off) != 0)
        return 0;
    int64_t used = 0;
    for (size_t s = 0; s < a->n_slots; s++)
        used += a->slots[s] != 0;
    if (used != a->rows)
        return 0;
    for (int64_t r = 0; r < a->rows; r++) {
        size_t len;
        const char *w = vectors_map_word(a, r, &len);
        char word[64];
        if (len >= sizeof word)
            return 0;
        memcpy(word, w, len);
        word[len] = '\0';
        if (vectors_map_find(a, word) != r || vectors_map_find(b, word) != r)
            return 0;
    }
    return 1;
}

static void test_parallel_same_as_serial(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "par.bin");
    static const int rows_list[] = {1, 2, 3, 7, 100, 1500};
    static const int dims[] = {1, 3, 40};
    struct buf b = {0};
    int all_same = 1, all_ok = 1, cases = 0;
    for (size_t ri = 0; ri < sizeof rows_list / sizeof *rows_list; ri++)
        for (size_t di = 0; di < sizeof dims / sizeof *dims; di++)
            for (int layout = 0; layout < 4; layout++) {
                /* layout: 0 original, 1 no final '\n', 2 gensim, 3 tricky */
                make_model(&b, rows_list[ri], dims[di], layout != 2, layout != 1, layout == 3);
                test_write_file(path, b.p, b.n);
                struct vectors_map serial, par;
                struct w2v_err err = {0};
                int rc0 = open_t(&serial, path, 1, NULL, &err);
                if (rc0 == 1)
                    continue; /* a tiny model may read as text: not mapped */
                if (rc0 != 0) {
                    all_ok = 0;
                    fprintf(stderr, "  serial: %s\n", err.message);
                    continue;
                }
                for (int t = 2; t <= 17; t++) {
                    struct vectors_map_report rep;
                    int rc = open_t(&par, path, t, &rep, &err);
                    cases++;
                    if (rc != 0 || !same_index(&par, &serial)) {
                        all_same = 0;
                        fprintf(stderr, "  rows %d dim %d layout %d threads %d differ\n",
                                rows_list[ri], dims[di], layout, t);
                    }
                    vectors_map_release(&par);
                }
                vectors_map_release(&serial);
            }
    CHECK(all_ok);
    CHECK(all_same && cases >= 6 * 3 * 4 * 16 * 3 / 4);
    free(b.p);
    unlink(path);
}

/* On an ordinary model the guesses verify (no serial redo), and on the
 * tricky one a wrong guess is caught: the redo still gives the index. */
static void test_parallel_takes_effect(void)
{
    char path[256];
    struct buf b = {0};
    model_file(path, sizeof path, "eff.bin", &b, 4000, 16, 1);
    struct vectors_map m;
    struct vectors_map_report rep;
    struct w2v_err err = {0};
    CHECK(open_t(&m, path, 4, &rep, &err) == 0 && rep.ranges == 4 && !rep.fell_back);
    vectors_map_release(&m);
    /* More ranges than records: empty ones fold into the range before. */
    make_model(&b, 3, 16, 1, 1, 0);
    test_write_file(path, b.p, b.n);
    CHECK(open_t(&m, path, 64, &rep, &err) == 0 && rep.ranges <= 3 && m.rows == 3);
    vectors_map_release(&m);
    /* gensim's layout is not guessed at all. */
    make_model(&b, 4000, 16, 0, 0, 0);
    test_write_file(path, b.p, b.n);
    CHECK(open_t(&m, path, 4, &rep, &err) == 0 && rep.fell_back && m.rows == 4000);
    vectors_map_release(&m);
    /* dim 1, every record "\nXY " + "\nab ": a false chain runs in step
     * with the true one 4 bytes off, so some guess lands on it. */
    b.n = 0;
    put(&b, "600 1\n", 6);
    for (int r = 0; r < 600; r++) {
        char rec[9] = {'\n', (char)('a' + r / 26), (char)('a' + r % 26), ' ', '\n', 'a', 'b', ' '};
        if (r == 0) /* binary enough for the format guess */
            put(&b, "aa \x01\x02\x03\x04", 7);
        else
            put(&b, rec, 8);
    }
    put(&b, "\n", 1);
    test_write_file(path, b.p, b.n);
    int fell = 0, right = 1;
    for (int t = 2; t <= 12; t++) {
        if (open_t(&m, path, t, &rep, &err) != 0) {
            right = 0;
            continue;
        }
        fell += rep.fell_back;
        right &= m.rows == 600 && vectors_map_find(&m, "zz") == -1 &&
                 vectors_map_find(&m, "ab") == 1 && vectors_map_find(&m, "xb") == 23 * 26 + 1;
        vectors_map_release(&m);
    }
    CHECK(right);
    CHECK(fell > 0);
    free(b.p);
    unlink(path);
}

/* Broken files fail with the serial walk's very message, whatever the
 * number of ranges. */
static void test_parallel_same_errors(void)
{
    char path[256];
    struct buf b = {0};
    model_file(path, sizeof path, "err.bin", &b, 300, 8, 1);
    int same = 1, failed = 0;
    unsigned char *orig = malloc(b.n);
    memcpy(orig, b.p, b.n);
    const size_t n = b.n;
    for (int variant = 0; variant < 40; variant++) {
        size_t len = n;
        memcpy(b.p, orig, n);
        if (variant < 20) {
            len = n * (size_t)variant / 20 + 7; /* truncated */
        } else if (variant < 30) {
            b.p[n / 10 * (size_t)(variant - 20) + 40] = '\t'; /* maybe a control byte */
        } else if (variant < 35) {
            memcpy(b.p + b.n, "junk", 4); /* more data */
            len = n + 4;
        } else {
            /* a duplicate: copy row 0's word over a later word of equal length */
        }
        if (variant >= 35) {
            struct vectors_map m;
            struct w2v_err err = {0};
            if (open_t(&m, path, 1, NULL, &err) == 0) {
                size_t l0, lr;
                const char *w0 = vectors_map_word(&m, 0, &l0);
                for (int64_t r = 1 + (variant - 35) * 50; r < m.rows; r++) {
                    const char *wr = vectors_map_word(&m, r, &lr);
                    if (lr == l0) {
                        memcpy(b.p + (wr - (const char *)m.base), w0, l0);
                        break;
                    }
                }
                vectors_map_release(&m);
            }
        }
        test_write_file(path, b.p, len);
        struct vectors_map m;
        struct w2v_err e1 = {0}, e2 = {0};
        int r1 = open_t(&m, path, 1, NULL, &e1);
        vectors_map_release(&m);
        failed += r1 < 0;
        for (int t = 2; t <= 7; t++) {
            int r2 = open_t(&m, path, t, NULL, &e2);
            vectors_map_release(&m);
            if (r1 != r2 || (r1 < 0 && strcmp(e1.message, e2.message) != 0)) {
                same = 0;
                fprintf(stderr, "  variant %d threads %d: '%s' vs '%s'\n", variant, t,
                        e1.message, e2.message);
            }
        }
        if (variant == 34) { /* restore a good file for the duplicate cases */
            test_write_file(path, orig, n);
        }
    }
    CHECK(same);
    CHECK(failed >= 30);
    free(orig);
    free(b.p);
    unlink(path);
}

/* Hostile bytes after a good first record: a '\n' every other byte and no
 * space, so every byte pair is a candidate start whose word runs on. The
 * guesses must stay linear (this took minutes when each candidate looked
 * 64 KiB ahead for a space) and end in the serial walk's error. */
static void test_parallel_hostile_guesses(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "hostile.bin");
    struct buf b = {0};
    put(&b, "100 1\nw \x01\x02\x03\x04\n", 13);
    for (int i = 0; i < 1 << 20; i++)
        put(&b, "x\n", 2);
    test_write_file(path, b.p, b.n);
    struct vectors_map m;
    struct w2v_err e1 = {0}, e2 = {0};
    int r1 = open_t(&m, path, 1, NULL, &e1);
    int r2 = open_t(&m, path, 8, NULL, &e2);
    CHECK(r1 == W2V_EFORMAT && r2 == r1 && strcmp(e1.message, e2.message) == 0);
    free(b.p);
    unlink(path);
}

/* Open path with the side index allowed and check the index is the
 * serial walk's; returns what the report says of the side index (9 when
 * the open failed or the index differs). */
static int side_state(const char *path, const struct vectors_map *serial, struct w2v_err *err)
{
    struct vectors_map m;
    struct vectors_map_report rep;
    struct vectors_map_how how = {2, 1};
    memset(err, 0, sizeof *err);
    if (vectors_map_open_with(&m, path, 0, &how, &rep, err) != 0)
        return 9;
    int state = same_index(&m, serial) ? rep.side_index : 9;
    vectors_map_release(&m);
    return state;
}

static void test_side_index(void)
{
    char path[256], ipath[300];
    struct buf b = {0};
    model_file(path, sizeof path, "side.bin", &b, 2000, 30, 1);
    snprintf(ipath, sizeof ipath, "%s.w2vi", path);
    struct vectors_map serial;
    struct vectors_map_report rep;
    struct w2v_err err = {0};
    unlink(ipath);
    CHECK(open_t(&serial, path, 1, &rep, &err) == 0);
    CHECK(side_state(path, &serial, &err) == 0); /* none yet */
    CHECK(vectors_index_write(&serial, &rep.fp, ipath, &err) == 0);
    CHECK(side_state(path, &serial, &err) == 1 && err.message[0] == '\0');
    /* Only for the whole file: a limited open walks. */
    struct vectors_map lim;
    CHECK(vectors_map_open_with(&lim, path, 10, NULL, &rep, &err) == 0 && lim.rows == 10 &&
          rep.side_index == 0);
    vectors_map_release(&lim);

    /* Corrupt anywhere (header, offsets, slots, the end) or truncated
     * anywhere: ignored with a note, and the walk gives the index. */
    size_t in = 0;
    unsigned char *idx = test_slurp(ipath, &in);
    int ignored = 1;
    size_t flips[] = {0, 9, 20, 60, 111, 112, 200, 112 + 8 * 1000, in - 8 * 100, in - 1};
    for (size_t k = 0; k < sizeof flips / sizeof *flips; k++) {
        idx[flips[k]] ^= 0x10;
        test_write_file(ipath, idx, in);
        idx[flips[k]] ^= 0x10;
        if (side_state(path, &serial, &err) != -1 || !strstr(err.message, "not a valid index"))
            ignored = 0, fprintf(stderr, "  flip at %zu not caught\n", flips[k]);
    }
    size_t cuts[] = {0, 1, 50, 111, 112, 113, 5000, in - 1};
    for (size_t k = 0; k < sizeof cuts / sizeof *cuts; k++) {
        test_write_file(ipath, idx, cuts[k]);
        if (side_state(path, &serial, &err) != -1)
            ignored = 0, fprintf(stderr, "  cut at %zu not caught\n", cuts[k]);
    }
    CHECK(ignored);
    test_write_file(ipath, idx, in);
    CHECK(side_state(path, &serial, &err) == 1);

    /* Stale: a different model of the same size with the same mtime (as cp
     * -p leaves it): other floats, and row 10's word one byte shorter, row
     * 11's one longer, so that the old offsets are wrong. */
    struct stat st;
    stat(path, &st);
    struct buf b2 = {0};
    put(&b2, b.p, b.n);
    for (int64_t r = 0; r < serial.rows; r++)
        for (int j = 0; j < 30 * 4; j++)
            b2.p[serial.row_off[r] + j] = (unsigned char)rnd();
    size_t l10;
    const size_t w10 = (size_t)(vectors_map_word(&serial, 10, &l10) - (const char *)serial.base);
    const size_t end11 = (size_t)serial.row_off[11] - 1; /* the ' ' after word 11 */
    memmove(b2.p + w10, b2.p + w10 + 1, end11 - w10 - 1);
    b2.p[end11 - 1] = 'Q';
    test_write_file(path, b2.p, b2.n);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    utimensat(AT_FDCWD, path, times, 0);
    struct vectors_map fresh;
    CHECK(open_t(&fresh, path, 1, NULL, &err) == 0);
    CHECK(side_state(path, &fresh, &err) == 0 && err.message[0] == '\0');
    vectors_map_release(&fresh);
    /* Same content, another mtime: stale too. */
    test_write_file(path, b.p, b.n);
    CHECK(side_state(path, &serial, &err) == 0);
    vectors_map_release(&serial);
    free(idx);
    free(b.p);
    free(b2.p);
    unlink(ipath);
    unlink(path);
}

int main(void)
{
    TEST_RUN(test_parallel_same_as_serial);
    TEST_RUN(test_parallel_takes_effect);
    TEST_RUN(test_parallel_same_errors);
    TEST_RUN(test_parallel_hostile_guesses);
    TEST_RUN(test_side_index);
    return TEST_REPORT("test_vectors_map");
}
