/* fuzz_cli.c — the input is a command line: bytes split on NUL into
 * arguments (argv[0] is fixed), parsed against a table holding one option
 * of every type. For any input cli_parse must return one of its three
 * results; on CLI_PARSED every numeric target is within its bounds (or
 * untouched), strings point into argv, and the positionals are a subset of
 * the arguments in their original order. cli_parse prints errors to stderr
 * and --help to stdout; that is expected. */
#include "fuzz.h"
#include "w2v/cli.h"

#define FUZZ_MAX_ARGS 256

static int parse_mode(void *target, const char *value, char *why, size_t cap)
{
    if (strcmp(value, "cbow") == 0 || strcmp(value, "skipgram") == 0) {
        *(const char **)target = value;
        return 0;
    }
    snprintf(why, cap, "expected cbow or skipgram, not '%.40s'", value);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Split into NUL-terminated strings; argv[0] is the command name. */
    char *buf = malloc(size + 1);
    char *argv[FUZZ_MAX_ARGS + 2];
    char *orig[FUZZ_MAX_ARGS + 2];
    FUZZ_ASSERT(buf != NULL);
    memcpy(buf, data, size);
    buf[size] = '\0';
    int argc = 0;
    argv[argc++] = "fuzz";
    for (size_t i = 0; i <= size && argc <= FUZZ_MAX_ARGS;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;
    memcpy(orig, argv, sizeof(char *) * (size_t)(argc + 1));

    int flag = -7, n = -7;
    int64_t big = -7;
    double rate = -7.0;
    const char *out = NULL, *mode = NULL;
    const struct cli_option options[] = {
        {"hs", "hs", 0, CLI_FLAG, &flag, NULL, "hierarchical softmax", 0, 1, NULL},
        {"dim", "size", 'd', CLI_INT, &n, "N", "dimensions", 1, 10000, NULL},
        {"max-vocab", NULL, 0, CLI_INT64, &big, "N", "bound", 0, 1e15, NULL},
        {"alpha", "alpha", 'a', CLI_DOUBLE, &rate, "X", "learning rate", 1e-9, 1, NULL},
        {"output", "output", 'o', CLI_STRING, &out, "FILE", "output file", 0, 0, NULL},
        {"mode", NULL, 'm', CLI_CUSTOM, &mode, "M", "cbow|skipgram", 0, 0, parse_mode},
        {0},
    };
    const struct cli_usage usage = {"fuzz", "[ARGS...]", "A fuzzing target.", options};
    int npos = -1;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &npos);
    FUZZ_ASSERT(r == CLI_PARSED || r == CLI_HELP_SHOWN || r == CLI_BAD_USAGE);
    if (r == CLI_PARSED) {
        FUZZ_ASSERT(npos >= 0 && npos < argc);
        FUZZ_ASSERT(flag == -7 || flag == 0 || flag == 1);
        FUZZ_ASSERT(n == -7 || (n >= 1 && n <= 10000));
        FUZZ_ASSERT(big == -7 || (big >= 0 && big <= (int64_t)1e15));
        FUZZ_ASSERT(rate == -7.0 || (rate >= 1e-9 && rate <= 1));
        FUZZ_ASSERT(!mode || strcmp(mode, "cbow") == 0 || strcmp(mode, "skipgram") == 0);
        /* out points into one of the arguments (after an '=' or whole). */
        if (out) {
            int inside = 0;
            for (int i = 1; i < argc; i++)
                inside |= out >= orig[i] && out <= orig[i] + strlen(orig[i]);
            FUZZ_ASSERT(inside);
        }
        /* Positionals: an order-preserving subsequence of orig[1..). */
        int j = 1;
        for (int i = 0; i < npos; i++) {
            while (j < argc && orig[j] != argv[i])
                j++;
            FUZZ_ASSERT(j < argc);
            j++;
        }
    }
    free(buf);
    return 0;
}
