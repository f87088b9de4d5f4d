/* fuzz.h — shared helpers for the libFuzzer harnesses in tests/fuzz/.
 *
 * A harness is one C file defining LLVMFuzzerTestOneInput; it is linked
 * either with libFuzzer (clang, `make fuzz`) or with replay.c (any CC, run
 * by `make test` over the seed and regression files). Harnesses check
 * invariants with FUZZ_ASSERT, which aborts so both drivers report it. */
#ifndef W2V_FUZZ_H
#define W2V_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Harness code (reference parsers, brute-force checks) is not the target:
 * left out of the coverage that guides libFuzzer, its branches neither
 * count as new behaviour of the target nor cost a trace call per
 * comparison. Only clang knows the attribute. */
#if defined(__clang__)
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NO_COVERAGE
#endif

#define FUZZ_ASSERT(cond)                                                          \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "fuzz invariant failed at %s:%d: %s\n", __FILE__,      \
                    __LINE__, #cond);                                              \
            abort();                                                               \
        }                                                                          \
    } while (0)

/* Paths of scratch files, unique per process and leaf, on tmpfs when there
 * is one (a harness writes its input to a file at every execution). Removed
 * at exit. */
#define FUZZ_MAX_TMP 4
static char fuzz_tmp_paths[FUZZ_MAX_TMP][256];

static inline void fuzz_tmp_cleanup(void)
{
    for (int i = 0; i < FUZZ_MAX_TMP; i++)
        if (fuzz_tmp_paths[i][0])
            unlink(fuzz_tmp_paths[i]);
}

static inline const char *fuzz_tmp_path(int slot, const char *leaf)
{
    if (!fuzz_tmp_paths[slot][0]) {
        struct stat st;
        const char *dir = getenv("TMPDIR");
        if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
            dir = "/dev/shm";
        else if (!dir || !*dir)
            dir = "/tmp";
        snprintf(fuzz_tmp_paths[slot], sizeof fuzz_tmp_paths[slot], "%s/w2v-fuzz-%ld-%s", dir,
                 (long)getpid(), leaf);
        static int registered;
        if (!registered) {
            registered = 1;
            atexit(fuzz_tmp_cleanup);
        }
    }
    return fuzz_tmp_paths[slot];
}

/* Write data to path or abort (a harness cannot work without it). */
static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    FUZZ_ASSERT(f != NULL);
    FUZZ_ASSERT(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_ASSERT(fclose(f) == 0);
}

/* FNV-1a over the input: harness parameters derived from it keep every
 * input a plain file (any text is a valid seed) while still varying. */
static inline uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 0x100000001b3ULL;
    return h;
}

/* An error message must be one non-empty line. */
static inline int fuzz_one_line(const char *msg)
{
    return msg[0] != '\0' && !strchr(msg, '\n') && !strchr(msg, '\r');
}

#ifdef W2V_QUERY_H
/* A query model over a copy of v (its rows normalised in the copy), so a
 * harness can evaluate on the model and check against v's raw rows. Aborts
 * on out of memory: harness inputs are small. */
static inline void fuzz_model_copy(const struct vectors *v, struct query_model *m)
{
    struct vectors c;
    vectors_init(&c);
    c.rows = v->rows;
    c.dim = v->dim;
    c.words = w2v_calloc((size_t)v->rows, sizeof *c.words);
    c.data = w2v_aligned_alloc((size_t)v->rows * (size_t)v->dim * sizeof(float));
    if (!c.words || !c.data)
        abort();
    for (int64_t r = 0; r < v->rows; r++)
        if (!(c.words[r] = w2v_strndup(v->words[r], strlen(v->words[r]))))
            abort();
    memcpy(c.data, v->data, (size_t)v->rows * (size_t)v->dim * sizeof(float));
    query_model_from_vectors(m, &c);
}
#endif

#endif
