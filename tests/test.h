/* test.h — a two-macro test runner in the spirit of redis's testhelp.h.
 *
 * Each tests/test_<module>.c includes this header, calls CHECK/CHECK_NEAR in
 * functions, and ends main() with TEST_REPORT(), which prints
 * "<name>: N passed, N failed" and returns non-zero on any failure. */
#ifndef W2V_TEST_H
#define W2V_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int test_passed_count;
static int test_failed_count;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            test_passed_count++;                                           \
        } else {                                                           \
            test_failed_count++;                                           \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                  \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                  \
    do {                                                                       \
        double check_a_ = (double)(a), check_b_ = (double)(b);                 \
        if (fabs(check_a_ - check_b_) <= (double)(tol)) {                      \
            test_passed_count++;                                               \
        } else {                                                               \
            test_failed_count++;                                               \
            fprintf(stderr, "FAIL %s:%d: %s = %.9g, expected %s = %.9g (tol %g)\n", \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_, (double)(tol)); \
        }                                                                      \
    } while (0)

/* Run one test function, naming it on failure. */
#define TEST_RUN(fn)                                                 \
    do {                                                             \
        int before_ = test_failed_count;                             \
        fn();                                                        \
        if (test_failed_count != before_)                            \
            fprintf(stderr, "  in %s\n", #fn);                       \
    } while (0)

#define TEST_REPORT(name)                                                       \
    (printf("%s: %d passed, %d failed\n", (name), test_passed_count,            \
            test_failed_count),                                                 \
     test_failed_count ? 1 : 0)

/* A scratch path under $TMPDIR (or /tmp) unique to this process. */
static inline const char *test_tmp_path(char *buf, size_t cap, const char *leaf)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(buf, cap, "%s/w2v-test-%ld-%s", dir, (long)getpid(), leaf);
    return buf;
}

/* Write n bytes to path, or exit 1: no check after it could mean anything. */
static inline void test_write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || (n && fwrite(data, 1, n, fp) != n) || fclose(fp) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

/* The whole file at path in a malloc'd buffer (the caller's to free) with
 * a NUL after it, its size in *n; NULL (and *n = 0) when it cannot be
 * read. */
static inline unsigned char *test_slurp(const char *path, size_t *n)
{
    *n = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *buf = sz >= 0 ? malloc((size_t)sz + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (buf) {
        buf[sz] = '\0';
        *n = (size_t)sz;
    }
    return buf;
}

#endif
