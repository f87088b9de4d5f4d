/* replay.c — run a fuzz harness over files, without libFuzzer, so that
 * `make test` replays every seed and every kept crash on any compiler.
 *
 *   test_fuzz_<name> [FILE|DIR...]
 *
 * With no arguments it replays FUZZ_DIR/corpus/<name>/ (which must hold at
 * least one file) and FUZZ_DIR/regressions/<name>/ (if present), <name>
 * coming from its own program name. Each input runs in a forked child, so
 * a crash is reported against its file and the rest still run; a child's
 * output is shown only when it fails. Last line: "<prog>: N passed, N failed". */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_DIR
#define FUZZ_DIR "tests/fuzz"
#endif

static int passed, failed;

static int read_all(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

static void run_file(const char *path)
{
    uint8_t *data;
    size_t size;
    if (read_all(path, &data, &size) != 0) {
        printf("FAIL %s: cannot read: %s\n", path, strerror(errno));
        failed++;
        return;
    }
    FILE *log = tmpfile();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        printf("FAIL %s: fork: %s\n", path, strerror(errno));
        failed++;
        free(data);
        if (log)
            fclose(log);
        return;
    }
    if (pid == 0) {
        if (log) {
            dup2(fileno(log), STDOUT_FILENO);
            dup2(fileno(log), STDERR_FILENO);
        }
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        exit(0); /* exit, not _exit: LeakSanitizer runs at exit */
    }
    free(data);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        passed++;
    } else {
        failed++;
        if (WIFSIGNALED(status))
            printf("FAIL %s: killed by signal %d\n", path, WTERMSIG(status));
        else
            printf("FAIL %s: exit status %d\n", path, WEXITSTATUS(status));
        if (log) {
            char line[1024];
            rewind(log);
            int shown = 0;
            while (shown++ < 60 && fgets(line, sizeof line, log))
                fputs(line, stdout);
        }
    }
    if (log)
        fclose(log);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay every regular, non-hidden file of dir in name order. Returns how
 * many ran, or -1 when the directory cannot be opened. */
static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **bigger = realloc(names, cap * sizeof *names);
            if (!bigger)
                abort();
            names = bigger;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            abort();
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            run_file(names[i]);
            ran++;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            struct stat st;
            if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
                run_dir(argv[i]);
            else
                run_file(argv[i]);
        }
    } else {
        const char *name = strncmp(prog, "test_fuzz_", 10) == 0 ? prog + 10 : prog;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/corpus/%s", FUZZ_DIR, name);
        if (run_dir(dir) <= 0) {
            printf("FAIL %s: no seed files\n", dir);
            failed++;
        }
        snprintf(dir, sizeof dir, "%s/regressions/%s", FUZZ_DIR, name);
        run_dir(dir);
    }
    printf("%s: %d passed, %d failed\n", prog, passed, failed);
    return failed ? 1 : 0;
}
