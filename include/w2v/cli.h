/* cli.h — the command-line layer: option tables, parsing, usage, and the
 * one place that prints errors and picks exit codes.
 *
 * Each command declares its options once, in a table of struct cli_option;
 * both the parser and `--help` read that table, so they cannot drift. */
#ifndef W2V_CLI_H
#define W2V_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "w2v/common.h"

enum { W2V_EXIT_OK = 0, W2V_EXIT_FAILURE = 1, W2V_EXIT_USAGE = 2 };

enum cli_type {
    CLI_FLAG,   /* int*, set to 1; the original-style alias takes 0|1 (-hs 1) */
    CLI_INT,    /* int*, range [min, max] */
    CLI_INT64,  /* int64_t*, range [min, max] */
    CLI_DOUBLE, /* double*, finite, range [min, max] */
    CLI_STRING, /* const char**, pointing into argv */
    CLI_CUSTOM, /* parse(target, value, why, cap) decides */
    CLI_LIST    /* CLI_CUSTOM that may be given again: parse collects each */
};

struct cli_option {
    const char *name;    /* long name without dashes: "dim" is --dim */
    const char *alias;   /* the original word2vec spelling: "size" is -size; or NULL */
    char short_name;     /* 'k' is -k; or 0 */
    enum cli_type type;
    void *target;
    const char *metavar; /* shown in help: "N", "FILE"; NULL for flags */
    const char *help;    /* one line; the default belongs here */
    double min, max;     /* inclusive bounds for numbers */
    /* CLI_CUSTOM: return 0, or non-zero with a reason written to why. */
    int (*parse)(void *target, const char *value, char *why, size_t why_cap);
};

/* A command's usage: its name, positional synopsis, a description and the
 * option table, terminated by an entry whose name is NULL. */
struct cli_usage {
    const char *command;     /* "nearest" */
    const char *synopsis;    /* "VEC WORD [WORD...] [options]" */
    const char *description; /* a paragraph, may hold newlines */
    const struct cli_option *options;
};

enum cli_parse_result {
    CLI_PARSED = 0,      /* options applied; positionals in argv[0..n) */
    CLI_HELP_SHOWN = 1,  /* --help was given and printed to stdout */
    CLI_BAD_USAGE = -1   /* a one-line error was printed to stderr */
};

/* Parse argv[1..argc) (argv[0] is the command name) against u->options.
 * Positionals are moved, in order, to argv[0..*n_positional) in place. "--"
 * ends options. Prints --help and errors itself (it is CLI code). */
enum cli_parse_result cli_parse(const struct cli_usage *u, int argc, char **argv,
                                int *n_positional);

/* cli_parse as a command uses it: returns -1 when the command goes on
 * (positionals in argv[0..*n_positional)), else its exit code: W2V_EXIT_OK
 * after --help, W2V_EXIT_USAGE after the error line cli_parse printed. */
int cli_parse_command(const struct cli_usage *u, int argc, char **argv, int *n_positional);

/* cli_parse_command for a command taking at least `min` positionals:
 * fewer is a usage error naming `missing`. Returns -1 to go on (their
 * count in *n_positional), else the exit code. */
int cli_parse_min(const struct cli_usage *u, int argc, char **argv, int min, const char *missing,
                  int *n_positional);

/* cli_parse_command for a command taking exactly `want` positionals:
 * fewer is a usage error naming `missing`, more one saying "too many
 * arguments". Returns -1 to go on, else the exit code. */
int cli_parse_exact(const struct cli_usage *u, int argc, char **argv, int want,
                    const char *missing);

/* The option of opts that an unknown arg[0..len) (dashes included) most
 * likely meant: the same name spelled otherwise (-dim, --min_count), the
 * name gensim or fastText gives the setting (--vector-size, -epoch), or a
 * near typo (--dimm); NULL when none is close. Thread-safe. */
const struct cli_option *cli_suggest(const struct cli_option *opts, const char *arg, size_t len);

/* One range for the same setting in every command: the option tables use
 * these, and --help prints the range from the table. */
#define W2V_MAX_THREADS 1024
#define CLI_OPTION_THREADS(target, help) \
    {"threads", "threads", 0, CLI_INT, (target), "N", (help), 1, W2V_MAX_THREADS, NULL}

/* Route SIGINT and SIGTERM to handler (a command's orderly stop: the
 * handler only sets a flag the work checks). With old non-NULL, the
 * previous actions go to old[0] (SIGINT) and old[1] (SIGTERM), for the
 * caller to put back. */
void cli_catch_stop_signals(void (*handler)(int), struct sigaction old[2]);

/* Print the command's usage and options to out; a number's range is shown
 * after its help line. */
void cli_print_help(FILE *out, const struct cli_usage *u);

/* Print "w2v: error: <fmt>" as one line on stderr. Returns W2V_EXIT_FAILURE. */
int cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* A usage error: one line naming the problem and where help is; returns
 * W2V_EXIT_USAGE. */
int cli_usage_error(const struct cli_usage *u, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Flush stdout at the end of a command that printed its answer there: 0,
 * or W2V_EXIT_FAILURE after one error line when the output could not be
 * written (a full disk, a closed pipe). */
int cli_finish_stdout(void);

/* Report a library failure once and map it to an exit code: W2V_EUSAGE is
 * a usage problem (2), everything else (bad data included) a failure (1). */
int cli_report(const struct w2v_err *err, int status);

/* Whole-string number parsing: 0 on success, non-zero when s is empty, has
 * trailing characters, overflows, is not finite, or is out of [min, max]. */
int cli_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
int cli_parse_double(const char *s, double min, double max, double *out);

/* CLI_CUSTOM parser of --method for eval-analogy and analogy: "3cosadd"
 * or "3cosmul" into the enum eval_method at target. */
int cli_parse_eval_method(void *target, const char *value, char *why, size_t why_cap);

/* The subcommands (one src/cmd_*.c each). argv[0] is the command name. */
int cmd_train(int argc, char **argv);
int cmd_nearest(int argc, char **argv);
int cmd_analogy(int argc, char **argv);
int cmd_similarity(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_eval_analogy(int argc, char **argv);
int cmd_eval_similarity(int argc, char **argv);
int cmd_doesnt_match(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_walks(int argc, char **argv);
int cmd_eval_links(int argc, char **argv);
int cmd_phrases(int argc, char **argv);
int cmd_classes(int argc, char **argv);
int cmd_vector(int argc, char **argv);
int cmd_senses(int argc, char **argv);       /* cmd_senses.c */
int cmd_disambiguate(int argc, char **argv); /* cmd_senses.c */
int cmd_index(int argc, char **argv);

#endif
