/* cmd_query.c — `w2v nearest|analogy|similarity|convert`.
 *
 * nearest, analogy and similarity answer the words on the command line, or,
 * with none, one query per line of stdin, exactly one record per line: each
 * answer is followed by a blank line (in --json mode each answer is one line
 * holding an array; similarity prints one line a pair). Lines already
 * waiting on stdin are answered together in one pass over the matrix; an
 * answer is flushed before the command waits for more input, so a person
 * or a script can drive it line by line. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "w2v/cli.h"
#include "w2v/eval.h"
#include "cmd_subword.h"
#include "w2v/files.h"
#include "w2v/query.h"
#include "w2v/vectors.h"

#include "cmd_model.h"
#include "common_internal.h"

#define MAX_K 1000000
#define MAX_QUERY_WORDS 64 /* words on one nearest line */
#define BATCH 64           /* stdin queries sharing one pass */

struct query_cli {
    int k;
    int64_t restrict_rows;
    int json;
    int threads;
    int no_map;
    struct vectors_read_opts read; /* --limit, --no-header */
    enum eval_method method;               /* analogy --method */
    char *minus[MAX_QUERY_WORDS];          /* nearest --minus WORD..., from argv */
    size_t n_minus;
    int64_t minus_rows[MAX_QUERY_WORDS];   /* their rows, once the model is open */
    struct subword_lookup *sub; /* VEC is a subword model: unseen words' fallback, or NULL */
};

/* Unseen words of a subword model get vectors, except for 3CosMul, whose
 * scores come from rows of the model. */
static struct subword_lookup *fallback(const struct query_cli *o)
{
    return o->method == EVAL_3COSMUL ? NULL : o->sub;
}

#define QUERY_OPTIONS(o)                                                                      \
    {"top", NULL, 'k', CLI_INT, &(o).k, "N", "number of results (default 10)", 1, MAX_K, NULL}, \
    {"restrict", NULL, 0, CLI_INT64, &(o).restrict_rows, "N",                                 \
     "only the N first (most frequent) words are candidates (default all)", 1, 9e18, NULL},   \
    {"json", NULL, 0, CLI_FLAG, &(o).json, NULL,                                              \
     "print a JSON array of {\"word\",\"score\"} (one per line on stdin)", 0, 1, NULL},       \
    CLI_OPTION_THREADS(&(o).threads, "threads scanning the matrix (default: all CPUs)"),        \
    {"no-map", NULL, 0, CLI_FLAG, &(o).no_map, NULL,                                          \
     "read a binary file into memory instead of mapping it", 0, 1, NULL},                 \
    CMD_READ_OPTIONS((o).read)

/* --minus WORD, repeatable: collects the words in order. */
static int parse_minus(void *target, const char *value, char *why, size_t why_cap)
{
    struct query_cli *o = target;
    if (o->n_minus == MAX_QUERY_WORDS) {
        snprintf(why, why_cap, "at most %d words", MAX_QUERY_WORDS);
        return -1;
    }
    o->minus[o->n_minus++] = (char *)value;
    return 0;
}

/* ---- output ------------------------------------------------------------- */

static void print_hits(const struct query_model *m, const struct query_hit *hits, size_t n,
                       int json)
{
    if (json) {
        fputc('[', stdout);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *w = query_model_word(m, hits[i].row, &len);
            fputs(i ? ", {\"word\": " : "{\"word\": ", stdout);
            w2v_json_write_string(stdout, w, len);
            printf(", \"score\": %.6f}", (double)hits[i].score);
        }
        fputs("]\n", stdout);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *w = query_model_word(m, hits[i].row, &len);
        printf("%.*s\t%.6f\n", (int)len, w, (double)hits[i].score);
    }
}

/* ---- shared plumbing ---------------------------------------------------- */

/* A subword model (cmd_subword.h) or a vector file (cmd_model.h). */
static int open_model(struct query_model *m, const char *path, struct query_cli *o)
{
    return subword_lookup_open_any(&o->sub, m, path, !o->no_map, &o->read, 0);
}

/* Look up words; on an unknown word write why (for cli_error) and return
 * -1. */
static int lookup_words(const struct query_model *m, const char *path, char **words, size_t n,
                        int64_t *rows, char *why, size_t cap, struct subword_lookup *sub)
{
    for (size_t i = 0; i < n; i++) {
        if (sub) {
            if (subword_lookup_find(sub, m, words[i], &rows[i], why, cap) != 0)
                return -1;
            continue;
        }
        rows[i] = query_model_find(m, words[i]);
        if (rows[i] < 0) {
            snprintf(why, cap, "'%.200s' is not in the vocabulary of '%.200s'", words[i], path);
            return -1;
        }
    }
    return 0;
}

/* stdin is a person at a terminal: prompt, accept EXIT, repeat queries. */
static int interactive(void) { return isatty(STDIN_FILENO); }

static void prompt(const char *command)
{
    fprintf(stderr, "%s (EXIT or Ctrl-D quits)> ", command);
    fflush(stderr);
}

/* Print a deferred error in its place among the answers: what is on
 * stdout so far goes out first. */
static void error_in_order(const char *why)
{
    fflush(stdout);
    cli_error("%s", why);
}

enum query_kind { KIND_NEAREST, KIND_ANALOGY };

/* One pending query: its words' rows and its vector. */
struct pending {
    int ok;                      /* 0: blank or failed; answered by an empty record */
    char error[480];             /* why it failed, printed in order; "" for a blank line */
    char echo[200];              /* the query, repeated before the answer when interactive */
    size_t n_rows;
    int64_t rows[MAX_QUERY_WORDS];
    float *vec;                  /* [dim], points into a shared block */
};

/* Build the query vector of p from its rows; --minus words are appended to
 * them (the callers leave room), so they are excluded from the answers too. */
static int build_vector(const struct query_model *m, enum query_kind kind,
                        const struct query_cli *o, struct pending *p, struct w2v_err *err)
{
    if (kind == KIND_ANALOGY)
        return fallback(o) ? subword_lookup_vector(o->sub, m, 1, p->rows, 3, 0, p->vec, err)
                           : query_vector_analogy(m, p->rows[0], p->rows[1], p->rows[2], p->vec, err);
    const size_t n_pos = p->n_rows;
    memcpy(p->rows + n_pos, o->minus_rows, o->n_minus * sizeof *p->rows);
    p->n_rows += o->n_minus;
    if (fallback(o))
        return subword_lookup_vector(o->sub, m, 0, p->rows, n_pos, o->n_minus, p->vec, err);
    return query_vector_mix(m, p->rows, n_pos, p->rows + n_pos, o->n_minus, p->vec, err);
}

/* Answer ps[0..n) in one pass; failed ones print an empty answer so the
 * answers on stdout stay aligned with the input lines. */
static int answer(const struct query_model *m, const struct query_cli *o, struct pending *ps,
                  size_t n, int blank_line_after)
{
    struct query_request reqs[BATCH];
    size_t map[BATCH], n_req = 0;
    struct w2v_err err = {0};
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ps[i].ok)
            continue;
        reqs[n_req].vec = ps[i].vec;
        reqs[n_req].exclude = ps[i].rows;
        reqs[n_req].n_exclude = ps[i].n_rows;
        map[n_req++] = i;
    }
    struct query_hit *hits = w2v_calloc(n_req ? n_req * (size_t)o->k : 1, sizeof *hits);
    size_t n_hits[BATCH] = {0};
    if (!hits)
        return cli_error("out of memory");
    struct query_options qo = {(size_t)o->k, o->restrict_rows, o->threads};
    const int cosmul = o->method == EVAL_3COSMUL;
    if (!cosmul)
        rc = query_topk(m, reqs, n_req, &qo, hits, n_hits, &err);
    for (size_t i = 0; cosmul && i < n_req && rc == 0; i++) {
        const int64_t *abc = ps[map[i]].rows; /* 3CosMul scores are not one vector's */
        rc = query_analogy_3cosmul(m, abc[0], abc[1], abc[2], &qo, hits + i * (size_t)o->k,
                                   &n_hits[i], &err);
    }
    if (rc < 0) {
        w2v_free(hits);
        return cli_report(&err, rc);
    }
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (ps[i].echo[0])
            printf("query: %s\n", ps[i].echo);
        if (r < n_req && map[r] == i) {
            print_hits(m, hits + r * (size_t)o->k, n_hits[r], o->json);
            r++;
        } else {
            if (ps[i].error[0])
                error_in_order(ps[i].error);
            if (o->json)
                fputs(ps[i].error[0] ? "null\n" : "[]\n", stdout);
        }
        if (blank_line_after && !o->json)
            fputc('\n', stdout);
    }
    w2v_free(hits);
    if (fflush(stdout) != 0 || ferror(stdout))
        return cli_error("cannot write the answers: %s", strerror(errno));
    return 0;
}

/* ---- stdin -------------------------------------------------------------- */

/* Lines from fd 0 through a buffer of our own, so the command can see
 * whether more input is already waiting (then it batches) or not (then it
 * answers what it has before blocking). */
struct line_reader {
    char *buf;
    size_t len, off, cap;
    int eof;
};

/* Returns 1 with a NUL-terminated line (no '\n'), 0 at end of input, -1 on
 * error. If block is 0 and no whole line is buffered or readable right now,
 * returns 2 without waiting. */
static int next_line(struct line_reader *r, char **line, int block)
{
    for (;;) {
        char *nl = r->len > r->off ? memchr(r->buf + r->off, '\n', r->len - r->off) : NULL;
        if (nl) {
            *nl = '\0';
            *line = r->buf + r->off;
            r->off = (size_t)(nl - r->buf) + 1;
            return 1;
        }
        if (r->eof) {
            if (r->off == r->len)
                return 0;
            r->buf[r->len] = '\0'; /* spare byte */
            *line = r->buf + r->off;
            r->off = r->len;
            return 1;
        }
        if (!block) {
            struct pollfd pfd = {.fd = 0, .events = POLLIN};
            if (poll(&pfd, 1, 0) <= 0)
                return 2;
        }
        if (r->off > 0) {
            memmove(r->buf, r->buf + r->off, r->len - r->off);
            r->len -= r->off;
            r->off = 0;
        }
        if (r->len == r->cap) {
            if (r->cap >= ((size_t)1 << 24))
                return -1; /* a 16 MiB query line is not a query */
            size_t cap = r->cap ? r->cap * 2 : 65536;
            char *nb = w2v_realloc(r->buf, cap + 1);
            if (!nb)
                return -1;
            r->buf = nb;
            r->cap = cap;
        }
        ssize_t got = read(0, r->buf + r->len, r->cap - r->len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (got == 0)
            r->eof = 1;
        r->len += (size_t)got;
    }
}

/* Split line into words on spaces, tabs and CR; returns the count, at most
 * max (more is reported as max + 1). */
static size_t split_words(char *line, char **words, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p)
            return n;
        if (n == max)
            return max + 1;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (*p)
            *p++ = '\0';
    }
}

/* next_line failed: a read error, or a line past its 16 MiB bound. */
static int stdin_error(const char *what)
{
    return cli_error("cannot read %s from stdin: %s", what,
                     errno ? strerror(errno) : "line too long");
}

/* Join words[0..n) with spaces into out, cut to fit. */
static void join_words(char **words, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, i ? " %s" : "%s", words[i]) ;
    if (len >= cap)
        out[cap - 1] = '\0';
}

static int run_stdin(const struct query_model *m, const char *path, const struct query_cli *o,
                     enum query_kind kind)
{
    const int tty = interactive();
    struct line_reader lr = {0};
    struct pending ps[BATCH];
    float *vecs = w2v_calloc((size_t)BATCH, (size_t)m->dim * sizeof(float));
    int any_failed = 0, status = W2V_EXIT_OK;
    size_t n = 0;
    if (!vecs)
        return cli_error("out of memory");
    for (size_t i = 0; i < BATCH; i++)
        ps[i].vec = vecs + i * (size_t)m->dim;
    for (;;) {
        char *line = NULL;
        if (tty && n == 0)
            prompt(kind == KIND_ANALOGY ? "analogy A B C" : "nearest");
        int got = next_line(&lr, &line, n == 0);
        if (got == 2 || (got != 1 && n > 0) || n == BATCH) {
            /* Nothing more waiting (or the batch is full): answer now. */
            if (n > 0 && answer(m, o, ps, n, 1) != 0) {
                status = W2V_EXIT_FAILURE;
                break;
            }
            n = 0;
            if (got == 2)
                continue;
        }
        if (got == 0)
            break;
        if (got < 0) {
            status = stdin_error("queries");
            break;
        }
        if (got != 1)
            continue;
        char *words[MAX_QUERY_WORDS + 1];
        size_t nw = split_words(line, words, MAX_QUERY_WORDS);
        if (tty && nw == 1 && strcmp(words[0], "EXIT") == 0) {
            /* The original's quit word, after what was asked before it. */
            if (n > 0 && answer(m, o, ps, n, 1) != 0)
                status = W2V_EXIT_FAILURE;
            break;
        }
        /* Every line gets one record, a blank one an empty answer. */
        struct pending *p = &ps[n++];
        p->ok = 0;
        p->error[0] = '\0';
        p->echo[0] = '\0';
        if (tty)
            join_words(words, nw > MAX_QUERY_WORDS ? MAX_QUERY_WORDS : nw, p->echo, sizeof p->echo);
        if (nw == 0)
            continue;
        if (kind == KIND_ANALOGY && nw != 3) {
            any_failed = 1;
            snprintf(p->error, sizeof p->error,
                     "an analogy query needs 3 words (A B C for A - B + C), got %zu", nw);
            continue;
        }
        if (nw + o->n_minus > MAX_QUERY_WORDS) {
            any_failed = 1;
            snprintf(p->error, sizeof p->error, "a query may hold at most %d words",
                     MAX_QUERY_WORDS);
            continue;
        }
        if (lookup_words(m, path, words, nw, p->rows, p->error, sizeof p->error, fallback(o)) != 0) {
            any_failed = 1;
            continue;
        }
        p->n_rows = nw;
        struct w2v_err err = {0};
        int rc = build_vector(m, kind, o, p, &err);
        if (rc < 0) {
            status = cli_report(&err, rc);
            break;
        }
        p->ok = 1;
    }
    w2v_free(lr.buf);
    w2v_free(vecs);
    if (status == W2V_EXIT_OK && any_failed)
        status = W2V_EXIT_FAILURE;
    return status;
}

/* ---- commands ----------------------------------------------------------- */

static int run_query(int argc, char **argv, enum query_kind kind)
{
    struct query_cli o = {.k = 10};
    const struct cli_option options[] = {
        QUERY_OPTIONS(o),
        kind == KIND_NEAREST
            ? (struct cli_option){"minus", NULL, 0, CLI_LIST, &o, "WORD",
                                  "subtract WORD's unit vector (repeatable), as gensim's negative=",
                                  0, 0, parse_minus}
            : (struct cli_option){"method", NULL, 0, CLI_CUSTOM, &o.method, "M",
                                  "3cosadd (default) or 3cosmul (Levy & Goldberg 2014)", 0, 0,
                                  cli_parse_eval_method},
        {0}};
    static const char nearest_desc[] =
        "Print the words nearest to WORD by cosine similarity, best first, one\n"
        "'word<TAB>cosine' line each; the query words themselves are left out.\n"
        "Several words are summed (each normalised first), as the original\n"
        "distance tool does; --minus words are subtracted, as in gensim's\n"
        "most_similar(positive, negative). Without words, read one query per\n"
        "line from stdin and answer each line with one record: the answer\n"
        "followed by a blank line (--json: one array per line; [] for a blank\n"
        "line, null for a query that failed). A failed query's error goes to\n"
        "stderr in its place among the answers, and the exit status is then 1.\n"
        "At a terminal, a prompt is shown, each answer repeats its query, and\n"
        "EXIT or Ctrl-D quits.";
    static const char analogy_desc[] =
        "Solve A is to B as ? is to C: print the words nearest to A - B + C on\n"
        "unit-normalised vectors (3CosAdd), leaving out A, B and C; so\n"
        "'w2v analogy vec.bin king man woman' answers queen on a good model.\n"
        "Note: the original word-analogy program (like questions-words.txt and\n"
        "eval-analogy) reads its three words in another order: there 'man king\n"
        "woman' asks for king - man + woman; here that is 'king man woman'.\n"
        "--method 3cosmul ranks by cos'(x,A) cos'(x,C) / (cos'(x,B) + 0.001)\n"
        "instead, cos' = (cos + 1) / 2, as eval-analogy does.\n"
        "Without words, read 'A B C' queries from stdin, one per line, and\n"
        "answer each line with one record, as nearest does (a blank line gets an\n"
        "empty answer, [] with --json; a failed query null and an error on\n"
        "stderr, exit status 1). At a terminal: a prompt, EXIT or Ctrl-D quits.";
    const struct cli_usage usage = {
        kind == KIND_NEAREST ? "nearest" : "analogy",
        kind == KIND_NEAREST ? "VEC [WORD...] [options]" : "VEC [A B C] [options]",
        kind == KIND_NEAREST ? nearest_desc : analogy_desc, options};
    int npos;
    int ex = cli_parse_min(&usage, argc, argv, 1, "missing the vector file VEC", &npos);
    if (ex >= 0)
        return ex;
    size_t nw = (size_t)npos - 1;
    if (kind == KIND_ANALOGY && nw != 0 && nw != 3)
        return cli_usage_error(&usage, "analogy takes 3 words (A B C), got %zu", nw);
    if (nw + o.n_minus > MAX_QUERY_WORDS)
        return cli_usage_error(&usage, "at most %d query words", MAX_QUERY_WORDS);
    const char *path = argv[0];

    struct query_model m = {0};
    int status = open_model(&m, path, &o);
    if (status != 0)
        return status;
    char why[480];
    if (lookup_words(&m, path, o.minus, o.n_minus, o.minus_rows, why, sizeof why, fallback(&o)) != 0) {
        query_model_release(&m);
        subword_lookup_free(o.sub, 0);
        return cli_error("%s", why);
    }
    if (nw == 0) {
        status = run_stdin(&m, path, &o, kind);
        query_model_release(&m);
        subword_lookup_free(o.sub, status == W2V_EXIT_OK);
        return status;
    }
    struct pending p = {0};
    p.vec = w2v_malloc((size_t)m.dim * sizeof(float));
    if (!p.vec) {
        status = cli_error("out of memory");
        goto done;
    }
    if (lookup_words(&m, path, argv + 1, nw, p.rows, why, sizeof why, fallback(&o)) != 0) {
        status = cli_error("%s", why);
        goto done;
    }
    p.n_rows = nw;
    struct w2v_err err = {0};
    int rc = build_vector(&m, kind, &o, &p, &err);
    if (rc < 0) {
        status = cli_report(&err, rc);
        goto done;
    }
    p.ok = 1;
    status = answer(&m, &o, &p, 1, 0);
done:
    w2v_free(p.vec);
    query_model_release(&m);
    subword_lookup_free(o.sub, status == W2V_EXIT_OK);
    return status;
}

int cmd_nearest(int argc, char **argv) { return run_query(argc, argv, KIND_NEAREST); }

int cmd_analogy(int argc, char **argv) { return run_query(argc, argv, KIND_ANALOGY); }

/* One similarity record: the score, or (blank or failed line) an empty
 * line / null. Returns 0, or -1 after reporting why the pair failed. */
static int similarity_record(const struct query_model *m, const char *path, char **words,
                             size_t nw, int json, int in_order, struct subword_lookup *sub)
{
    char why[480] = "";
    int64_t rows[2];
    float s = 0.0f;
    if (nw != 0 && nw != 2)
        snprintf(why, sizeof why, "a similarity query needs 2 words (W1 W2), got %zu", nw);
    else if (nw == 2 && lookup_words(m, path, words, 2, rows, why, sizeof why, sub) == 0) {
        struct w2v_err err = {0};
        if ((sub ? subword_lookup_similarity(sub, m, rows[0], rows[1], &s, &err)
                 : query_similarity(m, rows[0], rows[1], &s, &err)) < 0)
            snprintf(why, sizeof why, "%.400s", err.message);
    }
    if (why[0]) {
        if (in_order)
            error_in_order(why);
        else
            cli_error("%s", why);
    }
    if (nw != 2 || why[0]) {
        fputs(json ? "null\n" : "\n", stdout);
    } else if (json) {
        fputs("{\"word1\": ", stdout);
        w2v_json_write_string(stdout, words[0], strlen(words[0]));
        fputs(", \"word2\": ", stdout);
        w2v_json_write_string(stdout, words[1], strlen(words[1]));
        printf(", \"similarity\": %.6f}\n", (double)s);
    } else {
        printf("%.6f\n", (double)s);
    }
    return why[0] ? -1 : 0;
}

int cmd_similarity(int argc, char **argv)
{
    int no_map = 0, json = 0;
    struct vectors_read_opts ro = {0};
    const struct cli_option options[] = {
        {"json", NULL, 0, CLI_FLAG, &json, NULL,
         "print {\"word1\", \"word2\", \"similarity\"} objects (null for a failed pair)", 0, 1, NULL},
        {"no-map", NULL, 0, CLI_FLAG, &no_map, NULL,
         "read a binary file into memory instead of mapping it", 0, 1, NULL},
        CMD_READ_OPTIONS(ro),
        {0}};
    const struct cli_usage usage = {
        "similarity", "VEC [W1 W2] [options]",
        "Print the cosine similarity of W1 and W2 (%.6f). Without words, read\n"
        "'W1 W2' pairs from stdin, one per line, and print one line for each: the\n"
        "score, or an empty line (--json: null) for a blank line or a pair that\n"
        "failed, whose error goes to stderr; the exit status is then 1.",
        options};
    int npos;
    int ex = cli_parse_command(&usage, argc, argv, &npos);
    if (ex >= 0)
        return ex;
    if (npos != 3 && npos != 1)
        return cli_usage_error(&usage, "similarity takes VEC W1 W2, or VEC and pairs on stdin "
                                       "(%d arguments given)", npos);
    struct query_cli o = {.no_map = no_map, .read = ro};
    struct query_model m = {0};
    int status = open_model(&m, argv[0], &o);
    if (status != 0)
        return status;
    if (npos == 3) {
        status = similarity_record(&m, argv[0], argv + 1, 2, json, 0, o.sub) == 0 ? W2V_EXIT_OK
                                                                            : W2V_EXIT_FAILURE;
    } else {
        const int tty = interactive();
        struct line_reader lr = {0};
        int any_failed = 0;
        for (;;) {
            char *line = NULL;
            if (tty)
                prompt("similarity W1 W2");
            int got = next_line(&lr, &line, 1);
            if (got == 0)
                break;
            if (got < 0) {
                status = stdin_error("pairs");
                break;
            }
            char *words[4];
            size_t nw = split_words(line, words, 3);
            if (tty && nw == 1 && strcmp(words[0], "EXIT") == 0)
                break;
            if (tty && nw > 0) {
                char echo[200];
                join_words(words, nw > 3 ? 3 : nw, echo, sizeof echo);
                printf("query: %s\n", echo);
            }
            if (similarity_record(&m, argv[0], words, nw, json, 1, o.sub) != 0)
                any_failed = 1;
            /* Answered before the next line is awaited: a script can
             * drive this line by line. */
            if (fflush(stdout) != 0)
                break;
        }
        w2v_free(lr.buf);
        if (status == W2V_EXIT_OK && any_failed)
            status = W2V_EXIT_FAILURE;
    }
    if (fflush(stdout) != 0 || ferror(stdout))
        status = cli_error("cannot write: %s", strerror(errno));
    query_model_release(&m);
    subword_lookup_free(o.sub, status == W2V_EXIT_OK);
    return status;
}

int cmd_convert(int argc, char **argv)
{
    int to_binary = 0, to_text = 0, force = 0;
    struct vectors_read_opts ro = {0};
    const struct cli_option options[] = {
        {"force", NULL, 0, CLI_FLAG, &force, NULL, "replace a read-only OUT (its mode is kept)", 0, 1, NULL},
        {"binary", NULL, 0, CLI_FLAG, &to_binary, NULL, "write the binary format", 0, 1, NULL},
        {"text", NULL, 0, CLI_FLAG, &to_text, NULL, "write the text format", 0, 1, NULL},
        CMD_NO_HEADER_OPTION(ro.no_header),
        {0}};
    const struct cli_usage usage = {
        "convert", "IN OUT [--binary|--text]",
        "Convert a vector file between the word2vec binary and text formats\n"
        "(default: to the format IN is not in). OUT is written through a\n"
        "temporary file and renamed into place, so IN may equal OUT.",
        options};
    int npos;
    int ex = cli_parse_command(&usage, argc, argv, &npos);
    if (ex >= 0)
        return ex;
    if (npos != 2)
        return cli_usage_error(&usage, "convert takes IN OUT (%d arguments given)", npos);
    if (to_binary && to_text)
        return cli_usage_error(&usage, "--binary and --text exclude each other");
    struct vectors v;
    struct w2v_err err = {0};
    /* IN may be OUT (it is read whole first); OUT must be replaceable. */
    const struct files_use out_use = {argv[1], FILES_OUTPUT, "OUT"};
    int rc = files_check(&out_use, 1, force, &err);
    if (rc < 0)
        return cli_report(&err, rc);
    rc = vectors_read_with(&v, argv[0], &ro, &err);
    if (rc < 0)
        return cli_report(&err, rc);
    enum vectors_format f = to_binary ? VECTORS_BINARY
                          : to_text   ? VECTORS_TEXT
                          : (v.format == VECTORS_BINARY ? VECTORS_TEXT : VECTORS_BINARY);
    rc = vectors_write(argv[1], f, v.rows, v.dim, (const char *const *)v.words, v.data,
                       (size_t)v.dim, &err);
    vectors_release(&v);
    if (rc < 0)
        return cli_report(&err, rc);
    return W2V_EXIT_OK;
}
