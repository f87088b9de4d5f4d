/* test_cli.c — the option-table parser and whole-string number parsing. */
#include <stdint.h>

#include "test.h"
#include "w2v/cli.h"

struct opts {
    int flag;
    int dim;
    int64_t big;
    double alpha;
    const char *out;
    int model;
};

static int parse_model(void *target, const char *value, char *why, size_t cap)
{
    if (strcmp(value, "cbow") == 0) {
        *(int *)target = 0;
        return 0;
    }
    if (strcmp(value, "skipgram") == 0) {
        *(int *)target = 1;
        return 0;
    }
    snprintf(why, cap, "expected cbow or skipgram, not '%s'", value);
    return -1;
}

static struct opts o;
static const struct cli_option table[] = {
    {"hs", "hs", 0, CLI_FLAG, &o.flag, NULL, "flag", 0, 1, NULL},
    {"dim", "size", 0, CLI_INT, &o.dim, "N", "dims", 1, 1000, NULL},
    {"big", NULL, 'b', CLI_INT64, &o.big, "N", "big", 0, 1e15, NULL},
    {"alpha", "alpha", 0, CLI_DOUBLE, &o.alpha, "X", "rate", 0, 1, NULL},
    {"output", "output", 'o', CLI_STRING, &o.out, "FILE", "out", 0, 0, NULL},
    {"model", NULL, 0, CLI_CUSTOM, &o.model, "M", "model", 0, 0, parse_model},
    {0},
};
static const struct cli_usage usage = {"t", "ARGS", "test", table};

static enum cli_parse_result parse(int argc, const char **args, int *npos)
{
    static char *argv[32];
    for (int i = 0; i < argc; i++)
        argv[i] = (char *)args[i];
    memset(&o, 0, sizeof o);
    return cli_parse(&usage, argc, argv, npos);
}

static void test_parse_all_types(void)
{
    const char *args[] = {"t", "pos1", "--hs", "--dim", "300", "-b", "5000000000",
                          "--alpha=0.5", "-o", "x.bin", "pos2", "--model", "skipgram"};
    int npos = -1;
    CHECK(parse(13, args, &npos) == CLI_PARSED);
    CHECK(npos == 2);
    CHECK(o.flag == 1 && o.dim == 300 && o.big == 5000000000LL);
    CHECK_NEAR(o.alpha, 0.5, 0);
    CHECK(o.out && strcmp(o.out, "x.bin") == 0);
    CHECK(o.model == 1);
}

static void test_original_aliases(void)
{
    const char *args[] = {"t", "-hs", "0", "-size", "50", "-output", "v.txt"};
    int npos = -1;
    CHECK(parse(7, args, &npos) == CLI_PARSED);
    CHECK(npos == 0 && o.flag == 0 && o.dim == 50 && strcmp(o.out, "v.txt") == 0);
}

static void test_errors(void)
{
    int npos;
    const char *unknown[] = {"t", "--nope"};
    CHECK(parse(2, unknown, &npos) == CLI_BAD_USAGE);
    const char *missing[] = {"t", "--dim"};
    CHECK(parse(2, missing, &npos) == CLI_BAD_USAGE);
    const char *range[] = {"t", "--dim", "0"};
    CHECK(parse(3, range, &npos) == CLI_BAD_USAGE);
    const char *junk[] = {"t", "--dim", "12abc"};
    CHECK(parse(3, junk, &npos) == CLI_BAD_USAGE);
    const char *nan[] = {"t", "--alpha", "nan"};
    CHECK(parse(3, nan, &npos) == CLI_BAD_USAGE);
    const char *flagval[] = {"t", "--hs=1"};
    CHECK(parse(2, flagval, &npos) == CLI_BAD_USAGE);
    const char *badmodel[] = {"t", "--model", "glove"};
    CHECK(parse(3, badmodel, &npos) == CLI_BAD_USAGE);
    const char *twice[] = {"t", "--dim", "3", "-size", "4"};
    CHECK(parse(5, twice, &npos) == CLI_BAD_USAGE);
    const char *badalias[] = {"t", "-hs", "2"};
    CHECK(parse(3, badalias, &npos) == CLI_BAD_USAGE);
}

static int same_target;
static const struct cli_option spellings[] = {
    {"model", NULL, 0, CLI_CUSTOM, &same_target, "M", "model", 0, 0, parse_model},
    {"cbow", "cbow", 0, CLI_FLAG, &same_target, NULL, "cbow", 0, 1, NULL},
    {"dim", "size", 0, CLI_INT, &o.dim, "N", "dims", 1, 1000, NULL},
    {"alpha", "alpha", 0, CLI_DOUBLE, &o.alpha, "X", "rate", -5, 1, NULL},
    {"output", "output", 'o', CLI_STRING, &o.out, "FILE", "out", 0, 0, NULL},
    {"min-count", "min-count", 0, CLI_INT64, &o.big, "N", "min", 1, 9, NULL},
    {"epochs", "iter", 0, CLI_INT, &o.flag, "N", "epochs", 1, 9, NULL},
    {0},
};

static enum cli_parse_result parse_spellings(int argc, const char **args)
{
    static char *argv[32];
    static const struct cli_usage u = {"t", "ARGS", "test", spellings};
    int npos;
    for (int i = 0; i < argc; i++)
        argv[i] = (char *)args[i];
    memset(&o, 0, sizeof o);
    return cli_parse(&u, argc, argv, &npos);
}

static void test_contradictions_and_swallowing(void)
{
    const char *contra[] = {"t", "--model", "cbow", "--cbow", "0"};
    CHECK(parse_spellings(5, contra) == CLI_BAD_USAGE);
    const char *contra2[] = {"t", "-cbow", "1", "--model", "cbow"};
    CHECK(parse_spellings(5, contra2) == CLI_BAD_USAGE);
    const char *one[] = {"t", "-cbow", "1", "--dim", "3"};
    CHECK(parse_spellings(5, one) == CLI_PARSED && same_target == 1);
    const char *swallow[] = {"t", "-o", "--dim"};
    CHECK(parse_spellings(3, swallow) == CLI_BAD_USAGE && o.out == NULL);
    const char *swallow2[] = {"t", "-output", "-size", "3"};
    CHECK(parse_spellings(4, swallow2) == CLI_BAD_USAGE);
    const char *eq[] = {"t", "--output=-x.bin"};
    CHECK(parse_spellings(2, eq) == CLI_PARSED && o.out && strcmp(o.out, "-x.bin") == 0);
    const char *dash[] = {"t", "-o", "-"};
    CHECK(parse_spellings(3, dash) == CLI_PARSED && o.out && strcmp(o.out, "-") == 0);
    /* A negative number is a value, judged by the range. */
    const char *neg[] = {"t", "--alpha", "-1.5"};
    CHECK(parse_spellings(3, neg) == CLI_PARSED && o.alpha == -1.5);
    const char *negdot[] = {"t", "--alpha", "-.5"};
    CHECK(parse_spellings(3, negdot) == CLI_PARSED && o.alpha == -0.5);
    const char *negrange[] = {"t", "--dim", "-3"};
    CHECK(parse_spellings(3, negrange) == CLI_BAD_USAGE);
}

static const char *suggested(const char *arg)
{
    const struct cli_option *s = cli_suggest(spellings, arg, strlen(arg));
    return s ? s->name : "";
}

static void test_suggestions(void)
{
    CHECK(strcmp(suggested("-dim"), "dim") == 0);
    CHECK(strcmp(suggested("--size"), "dim") == 0);
    CHECK(strcmp(suggested("--vector-size"), "dim") == 0);
    CHECK(strcmp(suggested("--vector_size"), "dim") == 0);
    CHECK(strcmp(suggested("-epoch"), "epochs") == 0);
    CHECK(strcmp(suggested("--iter"), "epochs") == 0);
    CHECK(strcmp(suggested("-minCount"), "min-count") == 0);
    CHECK(strcmp(suggested("--min_count"), "min-count") == 0);
    CHECK(strcmp(suggested("-lr"), "alpha") == 0);
    CHECK(strcmp(suggested("--alpah"), "alpha") == 0);
    CHECK(strcmp(suggested("--dimm"), "dim") == 0);
    CHECK(strcmp(suggested("--colour"), "") == 0);
    CHECK(strcmp(suggested("-ws"), "") == 0); /* no --window in this table */
    CHECK(strcmp(suggested("--"), "") == 0);
    /* Suggested, never accepted. */
    const char *args[] = {"t", "-dim", "3"};
    CHECK(parse_spellings(3, args) == CLI_BAD_USAGE && o.dim == 0);
}

static void test_double_dash_and_dash_words(void)
{
    const char *args[] = {"t", "-", "--", "--dim", "-x"};
    int npos = -1;
    CHECK(parse(5, args, &npos) == CLI_PARSED);
    CHECK(npos == 3 && o.dim == 0);
}

static void test_numbers(void)
{
    int64_t i = 0;
    double d = 0;
    CHECK(cli_parse_int64("42", 0, 100, &i) == 0 && i == 42);
    CHECK(cli_parse_int64("-3", 0, 100, &i) != 0);
    CHECK(cli_parse_int64("", 0, 100, &i) != 0);
    CHECK(cli_parse_int64("99999999999999999999999", 0, INT64_MAX, &i) != 0);
    CHECK(cli_parse_int64(" 5", 0, 100, &i) != 0);
    CHECK(cli_parse_double("1e-4", 0, 1, &d) == 0);
    CHECK_NEAR(d, 1e-4, 1e-12);
    CHECK(cli_parse_double("inf", 0, 1e300, &d) != 0);
    CHECK(cli_parse_double("1e999", 0, 1e300, &d) != 0);
    CHECK(cli_parse_double("0.5x", 0, 1, &d) != 0);
}

/* One meaning per status code: only W2V_EUSAGE is a usage error (exit 2);
 * bad data, W2V_EINVAL included, is a failure (exit 1). */
static void test_report_exit_codes(void)
{
    struct w2v_err err = {0};
    w2v_fail(&err, W2V_EUSAGE, "test: a usage error");
    CHECK(cli_report(&err, W2V_EUSAGE) == W2V_EXIT_USAGE);
    w2v_fail(&err, W2V_EINVAL, "test: bad data");
    CHECK(cli_report(&err, W2V_EINVAL) == W2V_EXIT_FAILURE);
    CHECK(cli_report(NULL, W2V_EFORMAT) == W2V_EXIT_FAILURE);
    CHECK(strcmp(w2v_strerror(W2V_EUSAGE), w2v_strerror(W2V_EINVAL)) != 0);
}

int main(void)
{
    TEST_RUN(test_parse_all_types);
    TEST_RUN(test_original_aliases);
    TEST_RUN(test_errors);
    TEST_RUN(test_contradictions_and_swallowing);
    TEST_RUN(test_suggestions);
    TEST_RUN(test_double_dash_and_dash_words);
    TEST_RUN(test_numbers);
    TEST_RUN(test_report_exit_codes);
    return TEST_REPORT("test_cli");
}
