/* test_common.c — checked arithmetic, error details, allocation. */
#include <stdint.h>

#include "test.h"
#include "w2v/common.h"

static void test_size_arithmetic(void)
{
    size_t out = 7;
    CHECK(w2v_size_mul(3, 4, &out) == 0 && out == 12);
    CHECK(w2v_size_mul(SIZE_MAX / 2 + 1, 2, &out) == W2V_EOVERFLOW && out == 12);
    CHECK(w2v_size_mul(0, SIZE_MAX, &out) == 0 && out == 0);
    CHECK(w2v_size_add(SIZE_MAX, 1, &out) == W2V_EOVERFLOW);
    CHECK(w2v_size_add(SIZE_MAX - 1, 1, &out) == 0 && out == SIZE_MAX);
}

static void test_fail_fills_one_line(void)
{
    struct w2v_err err = {0};
    int rc = w2v_fail(&err, W2V_EFORMAT, "bad word '%s'", "a\nb");
    CHECK(rc == W2V_EFORMAT);
    CHECK(err.status == W2V_EFORMAT);
    CHECK(strcmp(err.message, "bad word 'a b'") == 0);
    CHECK(w2v_fail(NULL, W2V_EIO, "x") == W2V_EIO);
    CHECK(strlen(w2v_strerror(W2V_ENOMEM)) > 0);
    CHECK(strcmp(w2v_strerror(12345), "unknown error") == 0);
}

static void test_alloc(void)
{
    CHECK(w2v_calloc(SIZE_MAX / 2, 4) == NULL);
    float *row = w2v_aligned_alloc(100 * sizeof(float));
    CHECK(row != NULL && ((uintptr_t)row % 64) == 0);
    w2v_aligned_free(row);
    char *s = w2v_strndup("hello world", 5);
    CHECK(s && strcmp(s, "hello") == 0);
    w2v_free(s);
}

int main(void)
{
    TEST_RUN(test_size_arithmetic);
    TEST_RUN(test_fail_fills_one_line);
    TEST_RUN(test_alloc);
    return TEST_REPORT("test_common");
}
