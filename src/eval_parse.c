/* eval_parse.c — the test-set files of eval: analogy questions
 * (questions-words format) and word pairs with human scores. Parsing needs
 * no vectors, so each half of eval can be tested alone. */
#include "w2v/eval.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading files ---------------------------------------------------------- */

static int read_whole(const char *path, char **out, size_t *out_len, struct w2v_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!f)
        return w2v_fail_errno(err, "cannot open '%s'", path);
    for (;;) {
        if (cap - len < 65536) {
            size_t ncap;
            if (w2v_size_add(cap, cap / 2 + 65536, &ncap) != 0)
                goto nomem;
            char *nb = w2v_realloc(buf, ncap);
            if (!nb)
                goto nomem;
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                w2v_fail_errno(err, "cannot read '%s'", path);
                goto fail;
            }
            break;
        }
    }
    fclose(f); /* read-only: a close error loses nothing */
    if (len == 0) {
        w2v_free(buf);
        return w2v_fail(err, W2V_EEMPTY, "'%s' is empty", path);
    }
    *out = buf;
    *out_len = len;
    return 0;
nomem:
    w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", path);
fail:
    fclose(f);
    w2v_free(buf);
    return err ? err->status : W2V_EIO;
}

/* A whole file read into memory, and its name quoted for messages. */
struct text_file {
    char *buf; /* w2v_malloc'd, NULL when the read failed */
    size_t len;
    char name[300]; /* "'path'" */
};

/* Read path whole into t: 0, or a negative W2V_E* code (t->buf NULL, so
 * w2v_free(t->buf) is always right). The caller frees t->buf. */
static int text_file_read(struct text_file *t, const char *path, struct w2v_err *err)
{
    t->buf = NULL;
    t->len = 0;
    snprintf(t->name, sizeof t->name, "'%s'", path);
    return read_whole(path, &t->buf, &t->len, err);
}

static inline int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Split line[0..len) (no '\n') into at most max tokens, NUL-cutting them in
 * place (the byte after each token is blank or the line's end, which the
 * caller made writable). Returns the token count, or max + 1 when there are
 * more. */
static int split_line(char *line, size_t len, char **tok, int max)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        while (i < len && is_blank(line[i]))
            i++;
        if (i >= len)
            return n;
        if (n == max)
            return max + 1;
        tok[n++] = line + i;
        while (i < len && !is_blank(line[i]))
            i++;
        line[i] = '\0'; /* i == len writes the line's terminator */
        i++;
    }
}

/* Copy text, with a NUL after it, checking that it holds no NUL itself. */
static int copy_text(const char *text, size_t len, const char *name, char **out,
                     struct w2v_err *err)
{
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int64_t line = 1;
        for (const char *c = text; c < nul; c++)
            line += *c == '\n';
        w2v_fail(err, W2V_EFORMAT, "%s: line %lld: NUL byte (not a text file?)", name,
                 (long long)line);
        if (err)
            err->line = line;
        return W2V_EFORMAT;
    }
    size_t cap;
    if (w2v_size_add(len, 1, &cap) != 0 || !(*out = w2v_malloc(cap)))
        return w2v_fail(err, W2V_ENOMEM, "out of memory reading %s", name);
    memcpy(*out, text, len);
    (*out)[len] = '\0';
    return 0;
}

/* Grow *p (of *cap elements of size el) to hold at least need elements. */
static int grow(void **p, size_t *cap, size_t need, size_t el)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return W2V_ENOMEM;
        ncap *= 2;
    }
    size_t bytes;
    if (w2v_size_mul(ncap, el, &bytes) != 0)
        return W2V_ENOMEM;
    void *np = w2v_realloc(*p, bytes);
    if (!np)
        return W2V_ENOMEM;
    *p = np;
    *cap = ncap;
    return 0;
}

/* Lines of an owned text buffer: the next line's start and length (no
 * '\n'; it may be written over), advancing *p. Returns 0 at the end. */
static int next_text_line(char **p, char *end, char **line, size_t *n)
{
    if (*p >= end)
        return 0;
    char *nl = memchr(*p, '\n', (size_t)(end - *p));
    char *line_end = nl ? nl : end;
    *line = *p;
    *n = (size_t)(line_end - *p);
    *p = line_end + 1;
    return 1;
}

/* ---- questions ------------------------------------------------------------------ */

void eval_questions_init(struct eval_questions *qs) { memset(qs, 0, sizeof *qs); }

void eval_questions_release(struct eval_questions *qs)
{
    if (!qs)
        return;
    w2v_free(qs->text);
    w2v_free(qs->section_names);
    w2v_free(qs->q);
    memset(qs, 0, sizeof *qs);
}

int eval_questions_parse(struct eval_questions *qs, const char *text, size_t len,
                         const char *name, struct w2v_err *err)
{
    size_t q_cap = 0, s_cap = 0;
    int status;
    eval_questions_release(qs);
    if ((status = copy_text(text, len, name, &qs->text, err)) != 0)
        return status;
    char *cur = qs->text, *end = qs->text + len, *p;
    size_t n;
    int64_t line_no = 0;
    while (next_text_line(&cur, end, &p, &n)) {
        line_no++;
        if (p[0] == ':') {
            char *s = p + 1, *e = p + n;
            while (s < e && is_blank(*s))
                s++;
            while (e > s && is_blank(e[-1]))
                e--;
            *e = '\0';
            if (qs->n_sections == INT32_MAX ||
                grow((void **)&qs->section_names, &s_cap, (size_t)qs->n_sections + 1,
                     sizeof *qs->section_names) != 0)
                goto nomem;
            qs->section_names[qs->n_sections++] = s;
        } else {
            char *tok[4];
            int nt = split_line(p, n, tok, 4);
            if (nt == 4) {
                if (qs->n_sections == 0) {
                    w2v_fail(err, W2V_EFORMAT,
                             "%s: line %lld: question before the first ': section' line", name,
                             (long long)line_no);
                    if (err)
                        err->line = line_no;
                    status = W2V_EFORMAT;
                    goto fail;
                }
                if (grow((void **)&qs->q, &q_cap, qs->n + 1, sizeof *qs->q) != 0)
                    goto nomem;
                struct eval_question *q = &qs->q[qs->n++];
                for (int i = 0; i < 4; i++)
                    q->w[i] = tok[i];
                q->section = qs->n_sections - 1;
                q->line = line_no;
            } else if (nt != 0) {
                if (qs->malformed++ == 0)
                    qs->first_malformed_line = line_no;
            }
        }
    }
    if (qs->n == 0) {
        status = w2v_fail(err, W2V_EEMPTY, "%s: no questions (lines of four words after a "
                          "': section' line)", name);
        goto fail;
    }
    return 0;
nomem:
    status = w2v_fail(err, W2V_ENOMEM, "out of memory reading %s", name);
fail:
    eval_questions_release(qs);
    return status;
}

int eval_questions_read(struct eval_questions *qs, const char *path, struct w2v_err *err)
{
    struct text_file t;
    int status = text_file_read(&t, path, err);
    if (status == 0)
        status = eval_questions_parse(qs, t.buf, t.len, t.name, err);
    w2v_free(t.buf);
    return status;
}

/* ---- pairs ---------------------------------------------------------------------------- */

void eval_pairs_init(struct eval_pairs *ps) { memset(ps, 0, sizeof *ps); }

void eval_pairs_release(struct eval_pairs *ps)
{
    if (!ps)
        return;
    w2v_free(ps->text);
    w2v_free(ps->p);
    memset(ps, 0, sizeof *ps);
}

/* A whole-string finite number, as strtod reads it in the C locale. */
static int parse_score(const char *s, double *out)
{
    char *e = NULL;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s || *e != '\0' || !isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return -1;
    *out = v;
    return 0;
}

/* Split line[0..len) at every delim into at most max fields, each trimmed
 * of blanks and NUL-cut in place (the byte after the line is writable, as
 * for split_line). Returns the field count, or max + 1 when there are more. */
static int split_fields(char *line, size_t len, char delim, char **tok, int max)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0;; i++) {
        if (i < len && line[i] != delim)
            continue;
        if (n == max)
            return max + 1;
        size_t a = start, b = i;
        while (a < b && is_blank(line[a]))
            a++;
        while (b > a && is_blank(line[b - 1]))
            b--;
        line[b] = '\0';
        tok[n++] = line + a;
        if (i >= len)
            return n;
        start = i + 1;
    }
}

int eval_pairs_format_check(const struct eval_pairs_format *fmt)
{
    if (!fmt)
        return 0;
    if (fmt->delimiter == '\n')
        return W2V_EUSAGE;
    const int c[3] = {fmt->w1, fmt->w2, fmt->score};
    if (c[0] == 0 && c[1] == 0 && c[2] == 0)
        return 0;
    for (int i = 0; i < 3; i++)
        if (c[i] < 1 || c[i] > EVAL_MAX_COLUMN)
            return W2V_EUSAGE;
    if (c[0] == c[1] || c[0] == c[2] || c[1] == c[2])
        return W2V_EUSAGE;
    return 0;
}

int eval_pairs_parse(struct eval_pairs *ps, const char *text, size_t len, const char *name,
                     struct w2v_err *err)
{
    return eval_pairs_parse_format(ps, text, len, name, NULL, err);
}

int eval_pairs_parse_format(struct eval_pairs *ps, const char *text, size_t len,
                            const char *name, const struct eval_pairs_format *fmt,
                            struct w2v_err *err)
{
    /* Columns (0-based) and how many fields a line needs: exactly three by
     * default, at least the last named column when columns are given. */
    const int explicit_cols = fmt && (fmt->w1 || fmt->w2 || fmt->score);
    const char delim = fmt ? fmt->delimiter : 0;
    if (eval_pairs_format_check(fmt) != 0) {
        eval_pairs_release(ps);
        return w2v_fail(err, W2V_EUSAGE, "%s: bad column numbers or delimiter", name);
    }
    const int c1 = explicit_cols ? fmt->w1 - 1 : 0, c2 = explicit_cols ? fmt->w2 - 1 : 1,
              cs = explicit_cols ? fmt->score - 1 : 2;
    int need = c1 > c2 ? c1 : c2;
    need = (need > cs ? need : cs) + 1;
    size_t cap = 0;
    int status;
    int seen_data_line = 0;
    eval_pairs_release(ps);
    if ((status = copy_text(text, len, name, &ps->text, err)) != 0)
        return status;
    char *cur = ps->text, *end = ps->text + len, *p;
    size_t n;
    int64_t line_no = 0;
    while (next_text_line(&cur, end, &p, &n)) {
        line_no++;
        size_t i = 0;
        while (i < n && is_blank(p[i]))
            i++;
        if (i < n && p[i] != '#') {
            char *tok[EVAL_MAX_COLUMN + 1];
            double score = 0;
            int nt = delim ? split_fields(p, n, delim, tok, need) : split_line(p, n, tok, need);
            int ok = (explicit_cols ? nt >= need : nt == need) &&
                     parse_score(tok[cs], &score) == 0 && *tok[c1] && *tok[c2];
            if (ok) {
                if (grow((void **)&ps->p, &cap, ps->n + 1, sizeof *ps->p) != 0) {
                    status = w2v_fail(err, W2V_ENOMEM, "out of memory reading %s", name);
                    goto fail;
                }
                struct eval_pair *pr = &ps->p[ps->n++];
                pr->w1 = tok[c1];
                pr->w2 = tok[c2];
                pr->score = score;
                pr->line = line_no;
            } else if (seen_data_line) {
                if (ps->malformed++ == 0)
                    ps->first_malformed_line = line_no;
            }
            /* Only the first non-comment line may be a header. */
            seen_data_line = 1;
        }
    }
    if (ps->n == 0) {
        status = w2v_fail(err, W2V_EEMPTY, "%s: no word pairs (lines 'word1 word2 score')",
                          name);
        goto fail;
    }
    return 0;
fail:
    eval_pairs_release(ps);
    return status;
}

int eval_pairs_read(struct eval_pairs *ps, const char *path, struct w2v_err *err)
{
    return eval_pairs_read_format(ps, path, NULL, err);
}

int eval_pairs_read_format(struct eval_pairs *ps, const char *path,
                           const struct eval_pairs_format *fmt, struct w2v_err *err)
{
    struct text_file t;
    int status = text_file_read(&t, path, err);
    if (status == 0)
        status = eval_pairs_parse_format(ps, t.buf, t.len, t.name, fmt, err);
    w2v_free(t.buf);
    return status;
}
