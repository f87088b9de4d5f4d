/* test_common.c — checked arithmetic, error details, allocation. */
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int file_equals(const char *path, const char *want)
{
    char buf[256] = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    return n == strlen(want) && memcmp(buf, want, n) == 0;
}

static void test_outfile(void)
{
    char path[256], link[256];
    test_tmp_path(path, sizeof path, "outfile.txt");
    test_tmp_path(link, sizeof link, "outfile-link.txt");
    FILE *fp = fopen(path, "wb");
    CHECK(fp != NULL);
    fputs("precious", fp);
    fclose(fp);

    struct w2v_outfile o;
    struct w2v_err err = {0};
    CHECK(w2v_outfile_open(&o, path, &err) == 0);
    fputs("half", o.fp);
    w2v_outfile_abort(&o);
    CHECK(file_equals(path, "precious")); /* abort leaves the old file */
    w2v_outfile_abort(&o);                /* and is safe twice */

    CHECK(w2v_outfile_open(&o, path, &err) == 0);
    fputs("new", o.fp);
    CHECK(file_equals(path, "precious")); /* not visible before commit */
    CHECK(w2v_outfile_commit(&o, &err) == 0);
    CHECK(file_equals(path, "new"));

    /* Through a symbolic link: the file changes, the link stays a link. */
    unlink(link);
    CHECK(symlink(path, link) == 0);
    CHECK(w2v_outfile_open(&o, link, &err) == 0);
    fputs("linked", o.fp);
    CHECK(w2v_outfile_commit(&o, &err) == 0);
    CHECK(file_equals(path, "linked"));
    struct stat st;
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    unlink(link);
    unlink(path);

    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    CHECK(w2v_outfile_open(&o, dir, &err) == W2V_EIO);
    CHECK(strstr(err.message, "directory") != NULL);
    CHECK(w2v_outfile_open(&o, "/nonexistent-dir/x/y.bin", &err) == W2V_EIO);

    /* A full disk shows at commit, and the device node survives. */
    if (access("/dev/full", W_OK) == 0) {
        CHECK(w2v_outfile_open(&o, "/dev/full", &err) == 0);
        for (int i = 0; i < 10000; i++)
            fputs("0123456789", o.fp);
        CHECK(w2v_outfile_commit(&o, &err) == W2V_EIO);
        CHECK(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));
    }
}

static void test_cpu_count(void)
{
    CHECK(w2v_cpu_count(1024) >= 1);
    CHECK(w2v_cpu_count(1) == 1); /* the clamp */
}

int main(void)
{
    TEST_RUN(test_size_arithmetic);
    TEST_RUN(test_fail_fills_one_line);
    TEST_RUN(test_alloc);
    TEST_RUN(test_outfile);
    TEST_RUN(test_cpu_count);
    return TEST_REPORT("test_common");
}
