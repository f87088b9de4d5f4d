/* cmd_query.c — `w2v nearest|analogy|similarity|convert` (placeholders). */
#include "w2v/cli.h"

int cmd_nearest(int argc, char **argv)
{
    static const struct cli_option options[] = {{0}};
    static const struct cli_usage usage = {"nearest", "[ARGS...]", "Not implemented yet.", options};
    int n;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &n);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    return cli_error("'nearest' is not implemented yet");
}

int cmd_analogy(int argc, char **argv)
{
    static const struct cli_option options[] = {{0}};
    static const struct cli_usage usage = {"analogy", "[ARGS...]", "Not implemented yet.", options};
    int n;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &n);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    return cli_error("'analogy' is not implemented yet");
}

int cmd_similarity(int argc, char **argv)
{
    static const struct cli_option options[] = {{0}};
    static const struct cli_usage usage = {"similarity", "[ARGS...]", "Not implemented yet.", options};
    int n;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &n);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    return cli_error("'similarity' is not implemented yet");
}

int cmd_convert(int argc, char **argv)
{
    static const struct cli_option options[] = {{0}};
    static const struct cli_usage usage = {"convert", "[ARGS...]", "Not implemented yet.", options};
    int n;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &n);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    return cli_error("'convert' is not implemented yet");
}
