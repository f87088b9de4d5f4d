/* fuzz_vectors_index.c — the input is a vector file, mapped three ways: by
 * the serial walk, by the parallel walk over 2 to 9 byte ranges (a number
 * from the input's hash), and from a side index written for it. For any
 * bytes:
 *  - the parallel walk agrees with the serial one exactly: the same status
 *    and message on failure; on success the same rows, the same offsets and
 *    every word found at its own row (whether its guesses verified or it
 *    redid the walk serially);
 *  - a side index written for a mapped file loads back to the same index,
 *    and with any one of its bytes changed (a place from the hash) it is
 *    ignored with a one-line note, and the walk still gives the index. */
#include "fuzz.h"
#include "../../src/vectors_index.h"
#include "w2v/vectors.h"

FUZZ_NO_COVERAGE static void check_same(const struct vectors_map *a, const struct vectors_map *b)
{
    FUZZ_ASSERT(a->rows == b->rows && a->dim == b->dim && a->n_slots == b->n_slots);
    FUZZ_ASSERT(memcmp(a->row_off, b->row_off, (size_t)a->rows * sizeof *a->row_off) == 0);
    char word[W2V_MAX_FILE_WORD_BYTES + 1];
    for (int64_t r = 0; r < a->rows; r++) {
        size_t len;
        const char *w = vectors_map_word(a, r, &len);
        FUZZ_ASSERT(len >= 1 && len <= W2V_MAX_FILE_WORD_BYTES);
        memcpy(word, w, len);
        word[len] = '\0';
        FUZZ_ASSERT(vectors_map_find(a, word) == r && vectors_map_find(b, word) == r);
    }
}

FUZZ_NO_COVERAGE static int open_how(struct vectors_map *m, const char *path, int threads,
                                     int side, struct vectors_map_report *rep,
                                     struct w2v_err *err)
{
    struct vectors_map_how how = {threads, side};
    memset(err, 0, sizeof *err);
    return vectors_map_open_with(m, path, 0, &how, rep, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_path(0, "model.bin");
    const char *ipath = fuzz_tmp_path(1, "model.bin.w2vi");
    fuzz_write_file(path, data, size);
    unlink(ipath);
    const uint64_t h = fuzz_hash(data, size);
    struct vectors_map serial, par, side;
    struct vectors_map_report rep;
    struct w2v_err e1, e2;
    int r1 = open_how(&serial, path, 1, 0, &rep, &e1);
    int r2 = open_how(&par, path, 2 + (int)(h % 8), 0, NULL, &e2);
    FUZZ_ASSERT(r1 == r2);
    if (r1 < 0) {
        FUZZ_ASSERT(strcmp(e1.message, e2.message) == 0 && fuzz_one_line(e1.message));
        return 0;
    }
    if (r1 == 1) /* text: nothing mapped */
        return 0;
    check_same(&par, &serial);
    vectors_map_release(&par);

    char *want_path = vectors_index_path(path);
    FUZZ_ASSERT(want_path && strcmp(want_path, ipath) == 0);
    w2v_free(want_path);
    FUZZ_ASSERT(vectors_index_write(&serial, &rep.fp, ipath, &e1) == 0);
    FUZZ_ASSERT(open_how(&side, path, 2, 1, &rep, &e1) == 0 && rep.side_index == 1);
    FUZZ_ASSERT(e1.message[0] == '\0');
    check_same(&side, &serial);
    vectors_map_release(&side);

    /* One byte of the index changed. */
    FILE *f = fopen(ipath, "r+b");
    FUZZ_ASSERT(f != NULL);
    FUZZ_ASSERT(fseek(f, 0, SEEK_END) == 0);
    long isize = ftell(f);
    long at = (long)((h >> 8) % (uint64_t)isize);
    int c;
    FUZZ_ASSERT(fseek(f, at, SEEK_SET) == 0 && (c = fgetc(f)) != EOF);
    FUZZ_ASSERT(fseek(f, at, SEEK_SET) == 0 && fputc(c ^ (1 + (int)(h >> 40) % 255), f) != EOF);
    FUZZ_ASSERT(fclose(f) == 0);
    FUZZ_ASSERT(open_how(&side, path, 1, 1, &rep, &e1) == 0 && rep.side_index == -1);
    FUZZ_ASSERT(e1.status == 0 && fuzz_one_line(e1.message));
    check_same(&side, &serial);
    vectors_map_release(&side);
    vectors_map_release(&serial);
    unlink(ipath);
    return 0;
}
