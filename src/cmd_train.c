/* cmd_train.c — `w2v train` (placeholder until the trainer lands). */
#include "w2v/cli.h"

int cmd_train(int argc, char **argv)
{
    static const struct cli_option options[] = {{0}};
    static const struct cli_usage usage = {"train", "[ARGS...]", "Not implemented yet.", options};
    int n;
    enum cli_parse_result r = cli_parse(&usage, argc, argv, &n);
    if (r != CLI_PARSED)
        return r == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
    return cli_error("'train' is not implemented yet");
}
