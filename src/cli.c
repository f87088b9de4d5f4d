/* cli.c — option-table parser, help text, error reporting. The only module
 * (with main.c and the cmd_*.c commands) that prints. */
#include "w2v/cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    if (v < min || v > max)
        return -1;
    *out = (int64_t)v;
    return 0;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno == ERANGE && fabs(v) > 1.0)
        return -1;
    if (end == s || *end != '\0' || !isfinite(v))
        return -1;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void vprint_error(const char *fmt, va_list ap, const char *tail)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    for (char *c = line; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    fprintf(stderr, "w2v: error: %s%s\n", line, tail ? tail : "");
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap, NULL);
    va_end(ap);
    return W2V_EXIT_FAILURE;
}

int cli_usage_error(const struct cli_usage *u, const char *fmt, ...)
{
    char tail[128];
    snprintf(tail, sizeof tail, " (see 'w2v %s --help')", u ? u->command : "");
    va_list ap;
    va_start(ap, fmt);
    vprint_error(fmt, ap, tail);
    va_end(ap);
    return W2V_EXIT_USAGE;
}

int cli_report(const struct w2v_err *err, int status)
{
    const char *msg = (err && err->message[0]) ? err->message : w2v_strerror(status);
    cli_error("%s", msg);
    return status == W2V_EUSAGE ? W2V_EXIT_USAGE : W2V_EXIT_FAILURE;
}

static int format_bound(char *buf, size_t cap, double v, enum cli_type t)
{
    if (t == CLI_DOUBLE)
        return snprintf(buf, cap, "%g", v);
    return snprintf(buf, cap, "%.0f", v);
}

void cli_print_help(FILE *out, const struct cli_usage *u)
{
    fprintf(out, "usage: w2v %s %s\n", u->command, u->synopsis ? u->synopsis : "");
    if (u->description)
        fprintf(out, "\n%s\n", u->description);
    if (!u->options || !u->options[0].name)
        return;
    fprintf(out, "\noptions:\n");
    for (const struct cli_option *o = u->options; o->name; o++) {
        char spell[96];
        int n = 0;
        if (o->short_name)
            n += snprintf(spell + n, sizeof spell - (size_t)n, "-%c, ", o->short_name);
        n += snprintf(spell + n, sizeof spell - (size_t)n, "--%s", o->name);
        if (o->metavar && n < (int)sizeof spell)
            n += snprintf(spell + n, sizeof spell - (size_t)n, " %s", o->metavar);
        fprintf(out, "  %-26s %s", spell, o->help ? o->help : "");
        /* The range the parser enforces, from the same table entry. */
        if (o->type == CLI_INT || o->type == CLI_INT64 || o->type == CLI_DOUBLE) {
            char lo[48], hi[48];
            format_bound(lo, sizeof lo, o->min, o->type);
            format_bound(hi, sizeof hi, o->max, o->type);
            if (o->max >= 9e18)
                fprintf(out, " [%s..]", lo);
            else
                fprintf(out, " [%s..%s]", lo, hi);
        }
        if (o->alias)
            fprintf(out, " [also -%s%s]", o->alias, o->type == CLI_FLAG ? " 0|1" : "");
        fputc('\n', out);
    }
    fprintf(out, "  %-26s %s\n", "-h, --help", "show this help and exit");
}

/* Find the option that arg (with its leading dashes) names. Long names
 * need "--" (or "-" when they are also the original's alias); aliases take
 * one dash; short names one dash and one letter. *is_alias tells whether the
 * original spelling matched, which changes how flags read a value. */
static const struct cli_option *find_option(const struct cli_option *opts, const char *arg,
                                            size_t len, int *is_alias)
{
    *is_alias = 0;
    if (len >= 2 && arg[0] == '-' && arg[1] == '-') {
        for (const struct cli_option *o = opts; o && o->name; o++)
            if (strlen(o->name) == len - 2 && memcmp(o->name, arg + 2, len - 2) == 0)
                return o;
        return NULL;
    }
    if (len >= 2 && arg[0] == '-') {
        for (const struct cli_option *o = opts; o && o->name; o++)
            if (o->alias && strlen(o->alias) == len - 1 && memcmp(o->alias, arg + 1, len - 1) == 0) {
                *is_alias = 1;
                return o;
            }
        if (len == 2)
            for (const struct cli_option *o = opts; o && o->name; o++)
                if (o->short_name && o->short_name == arg[1])
                    return o;
    }
    return NULL;
}

static int apply_value(const struct cli_usage *u, const struct cli_option *o,
                       const char *spelled, const char *value)
{
    char lo[48], hi[48];
    format_bound(lo, sizeof lo, o->min, o->type);
    format_bound(hi, sizeof hi, o->max, o->type);
    switch (o->type) {
    case CLI_FLAG: {
        int64_t v;
        if (cli_parse_int64(value, 0, 1, &v) != 0) {
            cli_usage_error(u, "option '%s' takes 0 or 1, not '%s'", spelled, value);
            return -1;
        }
        *(int *)o->target = (int)v;
        return 0;
    }
    case CLI_INT:
    case CLI_INT64: {
        int64_t v;
        if (cli_parse_int64(value, (int64_t)o->min, (int64_t)o->max, &v) != 0) {
            cli_usage_error(u, "option '%s' takes a whole number from %s to %s, not '%s'",
                            spelled, lo, hi, value);
            return -1;
        }
        if (o->type == CLI_INT)
            *(int *)o->target = (int)v;
        else
            *(int64_t *)o->target = v;
        return 0;
    }
    case CLI_DOUBLE: {
        double v;
        if (cli_parse_double(value, o->min, o->max, &v) != 0) {
            cli_usage_error(u, "option '%s' takes a number from %s to %s, not '%s'",
                            spelled, lo, hi, value);
            return -1;
        }
        *(double *)o->target = v;
        return 0;
    }
    case CLI_STRING:
        *(const char **)o->target = value;
        return 0;
    case CLI_CUSTOM:
    case CLI_LIST: {
        char why[256] = "";
        if (!o->parse || o->parse(o->target, value, why, sizeof why) != 0) {
            cli_usage_error(u, "option '%s': %s", spelled, why[0] ? why : "bad value");
            return -1;
        }
        return 0;
    }
    }
    return -1;
}

/* Lower case without '-' and '_': "minCount", "min_count" and "min-count"
 * are one name. */
static void normalise(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        if (s[i] != '-' && s[i] != '_')
            out[k++] = (char)tolower((unsigned char)s[i]);
    out[k] = '\0';
}

/* Levenshtein distance, capped: the names compared are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* gensim's and fastText's names (normalised) for settings w2v has: a user
 * typing them is told our name, never silently given it. */
static const struct {
    const char *theirs, *ours;
} foreign_names[] = {
    {"vectorsize", "dim"}, {"size", "dim"}, {"dimension", "dim"}, {"dimensions", "dim"},
    {"epoch", "epochs"}, {"iter", "epochs"}, {"iters", "epochs"}, {"iterations", "epochs"},
    {"mincount", "min-count"}, {"ws", "window"}, {"windowsize", "window"},
    {"neg", "negative"}, {"thread", "threads"}, {"workers", "threads"}, {"lr", "alpha"},
    {"learningrate", "alpha"}, {"startalpha", "alpha"}, {"sg", "model"}, {"skipgram", "model"},
    {"input", "train"}, {"maxvocabsize", "max-vocab"}, {"maxfinalvocab", "max-vocab"},
    {"topn", "top"}, {"restrictvocab", "restrict"}, {"randomseed", "seed"}, {"loss", "hs"},
    {"t", "sample"},
};

const struct cli_option *cli_suggest(const struct cli_option *opts, const char *arg, size_t len)
{
    char key[64], name[64];
    while (len > 0 && *arg == '-') {
        arg++;
        len--;
    }
    normalise(arg, len, key, sizeof key);
    if (!key[0])
        return NULL;
    for (const struct cli_option *o = opts; o && o->name; o++) {
        normalise(o->name, strlen(o->name), name, sizeof name);
        if (strcmp(name, key) == 0)
            return o;
        if (o->alias) {
            normalise(o->alias, strlen(o->alias), name, sizeof name);
            if (strcmp(name, key) == 0)
                return o;
        }
    }
    for (size_t i = 0; i < sizeof foreign_names / sizeof foreign_names[0]; i++)
        if (strcmp(foreign_names[i].theirs, key) == 0)
            for (const struct cli_option *o = opts; o && o->name; o++)
                if (strcmp(o->name, foreign_names[i].ours) == 0)
                    return o;
    /* A typo: one edit for short names, two for longer ones. */
    const struct cli_option *best = NULL;
    size_t best_d = strlen(key) >= 5 ? 3 : 2;
    for (const struct cli_option *o = opts; o && o->name; o++) {
        normalise(o->name, strlen(o->name), name, sizeof name);
        size_t d = edit_distance(key, name);
        if (d < best_d) {
            best_d = d;
            best = o;
        }
    }
    return best;
}

/* An argument that is an option, not a value: "-x", "--x", but not "-",
 * "-3" or "-.5" (a negative number goes on to the range check). */
static int looks_like_option(const char *v)
{
    if (v[0] != '-' || v[1] == '\0')
        return 0;
    if (isdigit((unsigned char)v[1]) || (v[1] == '.' && isdigit((unsigned char)v[2])))
        return 0;
    return 1;
}

enum cli_parse_result cli_parse(const struct cli_usage *u, int argc, char **argv,
                                int *n_positional)
{
    int npos = 0;
    int options_done = 0;
    /* A repeated option is most likely a mistake in a long command line
     * (which of the two did the user mean?), so it is refused. */
    unsigned char seen[128] = {0};
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            argv[npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "-help") == 0) {
            cli_print_help(stdout, u);
            return CLI_HELP_SHOWN;
        }
        const char *eq = (arg[1] == '-') ? strchr(arg, '=') : NULL;
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        int is_alias = 0;
        const struct cli_option *o = find_option(u->options, arg, name_len, &is_alias);
        if (!o) {
            const struct cli_option *near = cli_suggest(u->options, arg, name_len);
            if (near)
                cli_usage_error(u, "unknown option '%.*s'; did you mean --%s?",
                                (int)(name_len > 200 ? 200 : name_len), arg, near->name);
            else
                cli_usage_error(u, "unknown option '%.*s'", (int)(name_len > 200 ? 200 : name_len),
                                arg);
            return CLI_BAD_USAGE;
        }
        char spelled[256];
        snprintf(spelled, sizeof spelled, "%.*s", (int)(name_len > 200 ? 200 : name_len), arg);
        size_t index = (size_t)(o - u->options);
        if (index < sizeof seen) {
            if (seen[index] && o->type != CLI_LIST) {
                cli_usage_error(u, "option '--%s' is given more than once", o->name);
                return CLI_BAD_USAGE;
            }
            /* Two spellings of one setting (--model cbow --cbow 0, --binary 1
             * --text) contradict each other or repeat it: refused alike. */
            for (size_t j = 0; j < sizeof seen && u->options[j].name; j++)
                if (seen[j] && j != index && u->options[j].target == o->target &&
                    o->type != CLI_LIST && u->options[j].type != CLI_LIST) {
                    cli_usage_error(u, "options '--%s' and '--%s' set the same thing; give one",
                                    u->options[j].name, o->name);
                    return CLI_BAD_USAGE;
                }
            seen[index] = 1;
        }
        const char *value = NULL;
        int takes_value = o->type != CLI_FLAG || is_alias;
        if (eq) {
            if (!takes_value) {
                cli_usage_error(u, "option '%s' takes no value", spelled);
                return CLI_BAD_USAGE;
            }
            value = eq + 1;
        } else if (takes_value) {
            if (i + 1 >= argc) {
                cli_usage_error(u, "option '%s' needs a value", spelled);
                return CLI_BAD_USAGE;
            }
            value = argv[++i];
            if (looks_like_option(value)) {
                cli_usage_error(u, "option '%s' needs a value, not the option '%.200s' (write "
                                "--%s=%.200s for a value that starts with '-')",
                                spelled, value, o->name, value);
                return CLI_BAD_USAGE;
            }
        }
        if (!takes_value) {
            *(int *)o->target = 1;
            continue;
        }
        if (apply_value(u, o, spelled, value) != 0)
            return CLI_BAD_USAGE;
    }
    *n_positional = npos;
    return CLI_PARSED;
}

int cli_finish_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error("cannot write the output: %s", strerror(errno ? errno : EIO));
    return W2V_EXIT_OK;
}

int cli_parse_command(const struct cli_usage *u, int argc, char **argv, int *n_positional)
{
    enum cli_parse_result pr = cli_parse(u, argc, argv, n_positional);
    if (pr == CLI_PARSED)
        return -1;
    return pr == CLI_HELP_SHOWN ? W2V_EXIT_OK : W2V_EXIT_USAGE;
}

int cli_parse_min(const struct cli_usage *u, int argc, char **argv, int min, const char *missing,
                  int *n_positional)
{
    int ex = cli_parse_command(u, argc, argv, n_positional);
    if (ex >= 0)
        return ex;
    if (*n_positional < min)
        return cli_usage_error(u, "%s", missing);
    return -1;
}

int cli_parse_exact(const struct cli_usage *u, int argc, char **argv, int want,
                    const char *missing)
{
    int n = 0;
    int ex = cli_parse_min(u, argc, argv, want, missing, &n);
    if (ex >= 0)
        return ex;
    if (n > want)
        return cli_usage_error(u, "too many arguments");
    return -1;
}

void cli_catch_stop_signals(void (*handler)(int), struct sigaction old[2])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, old ? &old[0] : NULL);
    sigaction(SIGTERM, &sa, old ? &old[1] : NULL);
}
