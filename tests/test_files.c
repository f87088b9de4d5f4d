/* test_files.c — file identity, read-only outputs, corpus sniffing, and the
 * spooled copy of a stream corpus. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "w2v/files.h"

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

static int sniff(const char *s, size_t n, const char *want)
{
    struct w2v_err err = {0};
    int rc = files_sniff_corpus((const unsigned char *)s, n, "c", "v.bin", &err);
    if (!want)
        return rc == 0;
    return rc == W2V_EFORMAT && strstr(err.message, want) != NULL;
}

static void test_sniff(void)
{
    CHECK(sniff("the quick brown fox\njumps\n", 26, NULL));
    CHECK(sniff("", 0, NULL));
    CHECK(sniff("\xef\xbb\xbfutf-8 with a bom\n", 20, NULL));
    CHECK(sniff("\x1f\x8b\x08\x00", 4, "zcat 'c' | w2v train - -o 'v.bin'"));
    CHECK(sniff("BZh91AY", 7, "bzcat"));
    CHECK(sniff("\xfd" "7zXZ\0\0", 7, "xzcat"));
    CHECK(sniff("\x28\xb5\x2f\xfd\x01", 5, "zstdcat"));
    CHECK(sniff("\xff\xfeh\0i\0", 6, "UTF-16"));
    CHECK(sniff("\xfe\xff\0h\0i", 6, "UTF-16"));
    CHECK(sniff("\xff\xfe\0\0h\0\0\0", 8, "UTF-32"));
    CHECK(sniff("h\0e\0l\0l\0o\0 \0w\0o\0r\0l\0d\0", 22, "UTF-16LE"));
    CHECK(sniff("\0h\0e\0l\0l\0o\0 \0w\0o\0r\0l\0d", 22, "UTF-16BE"));
    CHECK(sniff("abc\0def ghi", 11, "NUL byte at offset 3"));
    /* A vector file as the corpus: text or binary rows after "V D". */
    CHECK(sniff("2 3\nking 0.1 -0.2 3e-1\nqueen 1 2 3\n", 35, "vector file (2 x 3)"));
    CHECK(sniff("2 2\nking \x00\x00\x80\x3f\x00\x00\x00\x00\n", 18, "swapped"));
    /* Two numbers on the first line of real text are text. */
    CHECK(sniff("12 34\nthe year was good\n", 23, NULL));
    CHECK(sniff("2 3\nking 0.1 0.2\n", 17, NULL));
}

static void test_check_same_file(void)
{
    char a[256], b[256], lnk[256], hard[256], fresh[256];
    test_tmp_path(a, sizeof a, "files-a");
    test_tmp_path(b, sizeof b, "files-b");
    test_tmp_path(lnk, sizeof lnk, "files-link");
    test_tmp_path(hard, sizeof hard, "files-hard");
    test_tmp_path(fresh, sizeof fresh, "files-new");
    write_file(a, "x\n", 2);
    write_file(b, "y\n", 2);
    unlink(lnk);
    unlink(hard);
    unlink(fresh);
    CHECK(symlink(a, lnk) == 0);
    CHECK(link(a, hard) == 0);
    struct w2v_err err = {0};
    struct files_use ok[] = {{a, FILES_INPUT, "the corpus"}, {b, FILES_OUTPUT, "the output"},
                             {NULL, FILES_OUTPUT, "--save-vocab"}, {"-", FILES_INPUT, "stdin"}};
    CHECK(files_check(ok, 4, 0, &err) == 0);
    struct files_use same[] = {{a, FILES_INPUT, "the corpus"}, {a, FILES_OUTPUT, "the output"}};
    CHECK(files_check(same, 2, 0, &err) == W2V_EUSAGE && strstr(err.message, "the corpus"));
    struct files_use via_link[] = {{a, FILES_INPUT, "the corpus"}, {lnk, FILES_OUTPUT, "the output"}};
    CHECK(files_check(via_link, 2, 1, &err) == W2V_EUSAGE);
    struct files_use via_hard[] = {{hard, FILES_OUTPUT, "the output"}, {a, FILES_INPUT, "the corpus"}};
    CHECK(files_check(via_hard, 2, 0, &err) == W2V_EUSAGE);
    /* Two outputs that do not exist yet, one name spelled two ways. */
    char dotted[300];
    snprintf(dotted, sizeof dotted, "%s", fresh);
    char *slash = strrchr(dotted, '/');
    CHECK(slash != NULL);
    if (slash) {
        char leaf[128];
        snprintf(leaf, sizeof leaf, "%s", slash + 1);
        snprintf(slash, sizeof dotted - (size_t)(slash - dotted), "/./%s", leaf);
    }
    struct files_use two_new[] = {{fresh, FILES_OUTPUT, "the output"}, {dotted, FILES_OUTPUT, "--save-vocab"}};
    CHECK(files_check(two_new, 2, 0, &err) == W2V_EUSAGE && strstr(err.message, "--save-vocab"));
    struct files_use two_inputs[] = {{a, FILES_INPUT, "the corpus"}, {lnk, FILES_INPUT, "--read-vocab"}};
    CHECK(files_check(two_inputs, 2, 0, &err) == 0);
    struct files_use devices[] = {{"/dev/null", FILES_OUTPUT, "the output"}, {"/dev/null", FILES_OUTPUT, "--save-vocab"}};
    CHECK(files_check(devices, 2, 0, &err) == 0);
    /* Read-only: only a non-root user is refused, as by the shell. */
    chmod(b, 0444);
    struct files_use ro[] = {{b, FILES_OUTPUT, "the output"}};
    int rc = files_check(ro, 1, 0, &err);
    CHECK(geteuid() == 0 ? rc == 0 : (rc == W2V_EIO && strstr(err.message, "--force")));
    CHECK(files_check(ro, 1, 1, &err) == 0);
    unlink(a);
    unlink(b);
    unlink(lnk);
    unlink(hard);
}

static void test_corpus_open(void)
{
    char path[256];
    test_tmp_path(path, sizeof path, "files-corpus");
    write_file(path, "a b c\n", 6);
    struct files_corpus c;
    struct w2v_err err = {0};
    CHECK(files_corpus_open(&c, path, NULL, &err) == 0);
    CHECK(c.path == path && !c.owns_fd && c.spooled == 0);
    files_corpus_release(&c);
    write_file(path, "\x1f\x8b\x08", 3);
    CHECK(files_corpus_open(&c, path, NULL, &err) == W2V_EFORMAT);
    CHECK(c.path == NULL && !c.owns_fd);
    files_corpus_release(&c);
    /* A missing corpus passes through for the reader to report. */
    CHECK(files_corpus_open(&c, "/nonexistent/corpus", NULL, &err) == 0);
    files_corpus_release(&c);
    unlink(path);

    /* "-" reads stdin once into an unlinked copy that reads back whole,
     * twice, from its start each time. */
    CHECK(files_is_stream("-") && !files_is_stream("/nonexistent"));
    int fds[2];
    CHECK(pipe(fds) == 0);
    static char text[200000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (i % 7 == 6) ? '\n' : (char)('a' + i % 5);
    int saved = dup(0);
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        ssize_t w = write(fds[1], text, sizeof text);
        _exit(w == (ssize_t)sizeof text ? 0 : 1);
    }
    close(fds[1]);
    dup2(fds[0], 0);
    close(fds[0]);
    char beside[256];
    test_tmp_path(beside, sizeof beside, "files-out.bin");
    CHECK(files_is_stream("/dev/stdin"));
    CHECK(files_corpus_open(&c, "-", beside, &err) == 0);
    CHECK(c.owns_fd && c.spooled == (int64_t)sizeof text);
    CHECK(c.path && strncmp(c.path, "/dev/fd/", 8) == 0);
    for (int pass = 0; pass < 2; pass++) {
        static char back[sizeof text + 1];
        FILE *f = c.path ? fopen(c.path, "rb") : NULL;
        size_t got = f ? fread(back, 1, sizeof back, f) : 0;
        if (f)
            fclose(f);
        CHECK(got == sizeof text && memcmp(back, text, sizeof text) == 0);
    }
    struct w2v_err msg = {0};
    snprintf(msg.message, sizeof msg.message, "no word in '%s' occurs", c.fd_path);
    files_corpus_message(&c, &msg);
    CHECK(strcmp(msg.message, "no word in 'stdin' occurs") == 0);
    files_corpus_release(&c);
    files_corpus_release(&c);
    CHECK(c.path == NULL);
    dup2(saved, 0);
    close(saved);
    int wst = 0;
    CHECK(waitpid(child, &wst, 0) == child && WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
}

int main(void)
{
    TEST_RUN(test_sniff);
    TEST_RUN(test_check_same_file);
    TEST_RUN(test_corpus_open);
    return TEST_REPORT("test_files");
}
