/* test_common.c — checked arithmetic, error details, allocation. */
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "common_internal.h"

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

static void test_fnv1a(void)
{
    /* Reference values of 64-bit FNV-1a. */
    CHECK(w2v_fnv1a("", 0) == 0xcbf29ce484222325ULL);
    CHECK(w2v_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL);
    CHECK(w2v_fnv1a("foobar", 6) == 0x85944171f73967e8ULL);
    uint64_t h = W2V_FNV1A_INIT;
    for (const char *c = "foobar"; *c; c++)
        h = w2v_fnv1a_step(h, (unsigned char)*c);
    CHECK(h == w2v_fnv1a("foobar", 6));
}

static void test_host_and_cpus(void)
{
    uint32_t x = 0x01020304;
    unsigned char b[4];
    memcpy(b, &x, 4);
    CHECK(w2v_host_is_little_endian() == (b[0] == 0x04));
    CHECK(w2v_cpu_count(1024) >= 1);
    CHECK(w2v_cpu_count(1) == 1); /* the clamp */
}

static void test_json_string(void)
{
    char buf[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    /* quote, backslash, control byte, valid UTF-8, a stray continuation
     * byte, an overlong form, a surrogate, a cut sequence at the end */
    const char in[] = "a\"b\\c\x01 \xc3\xa9 \x80 \xc0\xaf \xed\xa0\x80 \xe2\x82";
    w2v_json_write_string(f, in, sizeof in - 1);
    CHECK(!ferror(f));
    fputc('\0', f);
    fclose(f);
    CHECK(strcmp(buf, "\"a\\\"b\\\\c\\u0001 \xc3\xa9 \\ufffd \\ufffd\\ufffd "
                      "\\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\"") == 0);
}

static void test_reader_lines(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "reader");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("one\n\nthree-long\nlast", f);
    fclose(f);
    struct w2v_reader r;
    struct w2v_err err = {0};
    char *line;
    size_t len;
    /* A tiny buffer forces the reader to grow and to move bytes. */
    CHECK(w2v_reader_open(&r, path, 2, &err) == 0);
    CHECK(w2v_reader_line(&r, 100, &line, &len, &err) == 1 && strcmp(line, "one") == 0);
    CHECK(w2v_reader_line(&r, 100, &line, &len, &err) == 1 && len == 0);
    CHECK(w2v_reader_line(&r, 100, &line, &len, &err) == 1 && strcmp(line, "three-long") == 0);
    CHECK(w2v_reader_line(&r, 100, &line, &len, &err) == 1 && strcmp(line, "last") == 0 &&
          len == 4);
    CHECK(w2v_reader_line(&r, 100, &line, &len, &err) == 0);
    CHECK(r.pos == 20);
    w2v_reader_close(&r);
    w2v_reader_close(&r); /* twice is safe */
    /* Longer than max_line, with or without its newline buffered. */
    CHECK(w2v_reader_open(&r, path, 64, &err) == 0);
    CHECK(w2v_reader_line(&r, 5, &line, &len, &err) == 1);
    CHECK(w2v_reader_line(&r, 5, &line, &len, &err) == 1);
    CHECK(w2v_reader_line(&r, 5, &line, &len, &err) == W2V_EFORMAT);
    CHECK(strstr(err.message, "line longer than 5 bytes") != NULL);
    w2v_reader_close(&r);
    CHECK(w2v_reader_open(&r, path, 1, &err) == 0);
    CHECK(w2v_reader_line(&r, 2, &line, &len, &err) == W2V_EFORMAT);
    w2v_reader_close(&r);
    CHECK(w2v_reader_open(&r, "/", 64, &err) == W2V_EIO);
    CHECK(strstr(err.message, "Is a directory") != NULL);
    CHECK(w2v_reader_open(&r, "/nonexistent/x", 64, &err) == W2V_EIO);
    unlink(path);
}

int main(void)
{
    TEST_RUN(test_size_arithmetic);
    TEST_RUN(test_fail_fills_one_line);
    TEST_RUN(test_alloc);
    TEST_RUN(test_outfile);
    TEST_RUN(test_fnv1a);
    TEST_RUN(test_host_and_cpus);
    TEST_RUN(test_json_string);
    TEST_RUN(test_reader_lines);
    return TEST_REPORT("test_common");
}
