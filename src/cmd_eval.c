/* cmd_eval.c — `w2v eval-analogy|eval-similarity` (placeholders). */
#include "w2v/cli.h"

int cmd_eval_analogy(int argc, char **argv)
{
    static const struct cli_option options[] = {{0}};
    static const struct cli_usage usage = {"eval-analogy", "[ARGS...]", "Not implemented yet.", options};
    int n;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &n);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    return cli_error("'eval-analogy' is not implemented yet");
}

int cmd_eval_similarity(int argc, char **argv)
{
    static const struct cli_option options[] = {{0}};
    static const struct cli_usage usage = {"eval-similarity", "[ARGS...]", "Not implemented yet.", options};
    int n;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &n);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    return cli_error("'eval-similarity' is not implemented yet");
}
