/* phrases.c — word2phrase: count words and candidates, then rewrite the
 * text joining the candidates that score above the threshold. See
 * phrases.h for the rules; the comments here say why the code is shaped
 * the way it is. */
#define _FILE_OFFSET_BITS 64

#include "common_internal.h"
#include "w2v/phrases.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "w2v/tokenizer.h"

/* Longest joined phrase: what the tokenizer reads back whole. */
#define PHRASES_KEY_MAX W2V_MAX_WORD_BYTES

/* Below this many bytes per thread, starting a thread costs more than it
 * saves. */
#define PHRASES_MIN_RANGE ((int64_t)1 << 20)

void phrases_options_default(struct phrases_options *o)
{
    memset(o, 0, sizeof *o);
    o->min_count = 5;
    o->scoring = PHRASES_SCORE_DEFAULT;
    o->passes = 1;
    for (int i = 0; i < PHRASES_MAX_PASSES; i++)
        o->threshold[i] = 100.0;
    o->threads = 1;
}

int phrases_options_check(const struct phrases_options *o, struct w2v_err *err)
{
    if (o->min_count < 1)
        return w2v_fail(err, W2V_EINVAL, "min-count must be at least 1");
    if (o->passes < 1 || o->passes > PHRASES_MAX_PASSES)
        return w2v_fail(err, W2V_EINVAL, "passes must be from 1 to %d", PHRASES_MAX_PASSES);
    if (o->threads < 1)
        return w2v_fail(err, W2V_EINVAL, "threads must be at least 1");
    if (o->max_vocab < 0)
        return w2v_fail(err, W2V_EINVAL, "max-vocab must not be negative");
    for (int i = 0; i < o->passes; i++) {
        double t = o->threshold[i];
        if (!isfinite(t))
            return w2v_fail(err, W2V_EINVAL, "threshold %d is not a finite number", i + 1);
        if (o->scoring == PHRASES_SCORE_NPMI && (t < -1.0 || t > 1.0))
            return w2v_fail(err, W2V_EINVAL,
                            "threshold %g is outside [-1, 1], the range of npmi scores", t);
    }
    return 0;
}

void phrases_counts_release(struct phrases_counts *c)
{
    vocab_release(&c->table);
    c->total_words = 0;
    c->pruned = 0;
}

double phrases_score(enum phrases_scoring scoring, int64_t count_a, int64_t count_b,
                     int64_t count_ab, int64_t min_count, int64_t total_words)
{
    if (count_a < min_count || count_b < min_count || count_ab < min_count || count_a <= 0 ||
        count_b <= 0 || count_ab <= 0 || total_words <= 0)
        return -INFINITY;
    double a = (double)count_a, b = (double)count_b, ab = (double)count_ab;
    double n = (double)total_words;
    if (scoring == PHRASES_SCORE_DEFAULT)
        return (ab - (double)min_count) / a / b * n;
    /* npmi: pmi divided by -ln p(ab), which bounds it to [-1, 1]. Pruned
     * (approximate) counts could push p(ab) to 1 or the ratio past the
     * bounds, hence the clamps. */
    double pab = ab / n;
    if (pab >= 1.0)
        return 1.0;
    double v = log(pab / ((a / n) * (b / n))) / -log(pab);
    return v > 1.0 ? 1.0 : v < -1.0 ? -1.0 : v;
}

/* ---- a candidate under construction ---------------------------------------- */

/* The first word of a candidate and the connectors after it, joined by
 * spaces, for as long as the candidate can still fit in PHRASES_KEY_MAX. */
struct chain {
    char key[PHRASES_KEY_MAX + 1];
    size_t len;
    int active;   /* a first word is held */
    int too_long; /* counting only: the connectors overflowed, no candidate */
};

static void chain_start(struct chain *ch, const char *w, size_t len)
{
    memcpy(ch->key, w, len);
    ch->key[len] = '\0';
    ch->len = len;
    ch->active = 1;
    ch->too_long = 0;
}

/* Whether w (len bytes) fits after the chain, with its separating space. */
static int chain_fits(const struct chain *ch, size_t len)
{
    return ch->active && !ch->too_long && ch->len + 1 + len <= PHRASES_KEY_MAX;
}

static void chain_append(struct chain *ch, const char *w, size_t len)
{
    if (!ch->active || ch->too_long)
        return;
    if (!chain_fits(ch, len)) {
        ch->too_long = 1;
        return;
    }
    ch->key[ch->len] = ' ';
    memcpy(ch->key + ch->len + 1, w, len);
    ch->len += 1 + len;
    ch->key[ch->len] = '\0';
}

/* The candidate key "chain w" into key; returns its length, or 0 when the
 * chain holds no first word or the candidate would not fit. */
static size_t chain_key(const struct chain *ch, const char *w, size_t len,
                        char key[PHRASES_KEY_MAX + 1])
{
    if (!chain_fits(ch, len))
        return 0;
    memcpy(key, ch->key, ch->len);
    key[ch->len] = ' ';
    memcpy(key + ch->len + 1, w, len);
    key[ch->len + 1 + len] = '\0';
    return ch->len + 1 + len;
}

/* Tokens between two looks at o->stop: rare enough to cost nothing,
 * frequent enough to stop within a millisecond. */
#define PHRASES_STOP_EVERY 4096

static int stopped(const struct phrases_options *o)
{
    return o->stop && *o->stop;
}

static int is_connector(const struct phrases_options *o, const char *w, size_t len)
{
    return o->connectors && vocab_find(o->connectors, w, len) >= 0;
}

/* ---- counting -------------------------------------------------------------- */

/* One counting thread: a byte range, its own table, and what the merge
 * needs to count the candidate that straddles the range's start. */
struct count_worker {
    pthread_t thread;
    const char *path;
    int64_t start, end;
    const struct phrases_options *o;
    struct vocab table;
    int64_t total;
    /* head: the connectors before the range's first other word, then that
     * word (when has_word); tail: the chain left at the range's end. */
    struct chain head;
    int has_word;
    struct chain tail;
    int rc;
    struct w2v_err err;
};

static int count_range(struct count_worker *w)
{
    struct tokenizer t;
    char word[W2V_MAX_WORD_BYTES + 1], key[PHRASES_KEY_MAX + 1];
    size_t len;
    struct chain ch = {0};
    int rc;
    /* The head is built like a chain whose "first word" is the first token. */
    memset(&w->head, 0, sizeof w->head);
    if ((rc = tokenizer_open(&t, w->path, w->start, w->end, &w->err)) != 0)
        goto fail;
    int64_t n_tokens = 0;
    while ((rc = tokenizer_next(&t, word, &len, &w->err)) == 1) {
        if (++n_tokens % PHRASES_STOP_EVERY == 0 && stopped(w->o)) {
            rc = w2v_fail(&w->err, W2V_EINTR, "interrupted");
            goto fail;
        }
        /* The original counts across line ends; only rewriting stops there. */
        if (t.newline)
            continue;
        w->total++;
        int conn = is_connector(w->o, word, len);
        if (!w->has_word) {
            if (!w->head.active)
                chain_start(&w->head, word, len);
            else
                chain_append(&w->head, word, len);
            w->has_word = !conn;
        }
        if (conn) {
            chain_append(&ch, word, len);
            continue;
        }
        if ((rc = vocab_add(&w->table, word, len, 1)) != 0)
            goto add_fail;
        size_t klen = chain_key(&ch, word, len, key);
        if (klen > 0 && (rc = vocab_add(&w->table, key, klen, 1)) != 0)
            goto add_fail;
        chain_start(&ch, word, len);
    }
    if (rc < 0)
        goto fail;
    w->tail = ch;
    tokenizer_release(&t);
    return 0;
add_fail:
    rc = w2v_fail(&w->err, rc, "cannot count the words of '%s': %s", w->path, w2v_strerror(rc));
fail:
    tokenizer_release(&t);
    return rc;
}

static void *count_thread(void *arg)
{
    struct count_worker *w = arg;
    w->rc = count_range(w);
    return NULL;
}

/* Add every entry of src to dst. */
static int merge_table(struct vocab *dst, const struct vocab *src)
{
    for (int32_t i = 0; i < src->size; i++) {
        const struct vocab_entry *e = &src->entries[i];
        int rc = vocab_add(dst, e->word, strlen(e->word), e->count);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Count the candidates that straddle range starts: the chain left by the
 * ranges before meets each range's head. */
static int stitch(struct vocab *dst, const struct count_worker *w, int n)
{
    char key[PHRASES_KEY_MAX + 1];
    struct chain state = w[0].tail;
    for (int i = 1; i < n; i++) {
        const struct chain *h = &w[i].head;
        if (w[i].has_word) {
            size_t klen = h->too_long ? 0 : chain_key(&state, h->key, h->len, key);
            if (klen > 0) {
                int rc = vocab_add(dst, key, klen, 1);
                if (rc != 0)
                    return rc;
            }
            state = w[i].tail;
        } else if (h->active) {
            /* A range of connectors only: they extend the chain. */
            if (h->too_long)
                state.too_long = 1;
            else
                chain_append(&state, h->key, h->len);
        }
    }
    return 0;
}

int phrases_count(struct phrases_counts *c, const char *path, const struct phrases_options *o,
                  struct w2v_err *err)
{
    struct count_worker *w = NULL;
    struct stat st;
    int n = o->threads < 1 ? 1 : o->threads, started = 0, rc = 0;
    memset(c, 0, sizeof *c);
    vocab_init(&c->table);
    if (stat(path, &st) != 0) {
        rc = w2v_fail_errno(err, "cannot open '%s'", path);
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = w2v_fail(err, W2V_EIO, "cannot read '%s': Is a directory", path);
        goto fail;
    }
    int64_t size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : 0;
    int64_t min_range = o->min_range > 0 ? o->min_range : PHRASES_MIN_RANGE;
    if (size / min_range + 1 < n)
        n = (int)(size / min_range + 1);
    w = w2v_calloc((size_t)n, sizeof *w);
    if (!w) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory for %d counting threads", n);
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        w[i].path = path;
        w[i].o = o;
        w[i].start = size / n * i;
        w[i].end = i == n - 1 ? -1 : size / n * (i + 1);
        vocab_init(&w[i].table);
        /* The threads' tables share the bound, so the peak stays near twice
         * max_vocab entries (theirs, then the merged one) for any n. */
        w[i].table.max_size = o->max_vocab > 0 ? (o->max_vocab + n - 1) / n : 0;
    }
    /* Range 0 runs here; the others on threads of their own. */
    for (started = 1; started < n; started++)
        if (pthread_create(&w[started].thread, NULL, count_thread, &w[started]) != 0)
            break;
    w[0].rc = count_range(&w[0]);
    for (int i = 1; i < started; i++)
        pthread_join(w[i].thread, NULL);
    if (started < n) {
        rc = w2v_fail(err, W2V_ENOMEM, "cannot start %d counting threads", n);
        goto fail;
    }
    for (int i = 0; i < n; i++)
        if (w[i].rc != 0) {
            if (err)
                *err = w[i].err;
            rc = w[i].rc;
            goto fail;
        }
    /* Merge into range 0's table, once. */
    c->table = w[0].table;
    c->table.max_size = o->max_vocab;
    vocab_init(&w[0].table);
    for (int i = 0; i < n; i++) {
        c->total_words += w[i].total;
        if (i > 0) {
            c->pruned += w[i].table.words_pruned;
            rc = merge_table(&c->table, &w[i].table);
            vocab_release(&w[i].table);
            if (rc != 0) {
                w2v_fail(err, rc, "cannot merge the counts of '%s': %s", path, w2v_strerror(rc));
                goto fail;
            }
        }
    }
    if ((rc = stitch(&c->table, w, n)) != 0) {
        w2v_fail(err, rc, "cannot count the words of '%s': %s", path, w2v_strerror(rc));
        goto fail;
    }
    c->pruned += c->table.words_pruned;
    w2v_free(w);
    return 0;
fail:
    if (w)
        for (int i = 0; i < n; i++)
            vocab_release(&w[i].table);
    w2v_free(w);
    phrases_counts_release(c);
    return rc;
}

/* ---- rewriting ------------------------------------------------------------- */

struct writer {
    FILE *out;
    int line_has_word;
    int64_t words;
};

/* Write a token (or several, when s holds spaces), space-separated from
 * the previous one on the line; with join, spaces inside s become '_'. */
static void writer_put(struct writer *wr, const char *s, size_t len, int join)
{
    if (wr->line_has_word)
        putc_unlocked(' ', wr->out);
    wr->line_has_word = 1;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == ' ') {
            if (!join)
                wr->words++;
            ch = join ? '_' : ' ';
        }
        putc_unlocked(ch, wr->out);
    }
    wr->words++;
}

static int64_t table_count(const struct vocab *v, const char *w, size_t len)
{
    int32_t id = vocab_find(v, w, len);
    return id < 0 ? 0 : v->entries[id].count;
}

int phrases_rewrite(const struct phrases_counts *c, const char *path, FILE *out,
                    double threshold, const struct phrases_options *o,
                    struct phrases_pass_stats *st, struct w2v_err *err)
{
    struct tokenizer t;
    char word[W2V_MAX_WORD_BYTES + 1], key[PHRASES_KEY_MAX + 1];
    size_t len;
    struct chain ch = {0};
    int64_t count_a = 0, words_in = 0, phrases = 0;
    struct writer wr = {out, 0, 0};
    int rc;
    if ((rc = tokenizer_open(&t, path, 0, -1, err)) != 0)
        return rc;
    int64_t n_tokens = 0;
    while ((rc = tokenizer_next(&t, word, &len, err)) == 1) {
        if (++n_tokens % PHRASES_STOP_EVERY == 0 && stopped(o)) {
            rc = w2v_fail(err, W2V_EINTR, "interrupted");
            goto fail;
        }
        if (t.newline) {
            if (ch.active)
                writer_put(&wr, ch.key, ch.len, 0);
            ch.active = 0;
            putc_unlocked('\n', out);
            wr.line_has_word = 0;
            continue;
        }
        words_in++;
        if (is_connector(o, word, len)) {
            if (ch.active && chain_fits(&ch, len)) {
                chain_append(&ch, word, len);
            } else {
                /* No candidate holds it: it goes out as it is, after a
                 * chain that has grown too long to be a phrase. */
                if (ch.active)
                    writer_put(&wr, ch.key, ch.len, 0);
                ch.active = 0;
                writer_put(&wr, word, len, 0);
            }
            continue;
        }
        int64_t count_b = table_count(&c->table, word, len);
        if (ch.active) {
            size_t klen = chain_key(&ch, word, len, key);
            if (klen > 0) {
                int64_t count_ab = table_count(&c->table, key, klen);
                double s = phrases_score(o->scoring, count_a, count_b, count_ab, o->min_count,
                                         c->total_words);
                if (s > threshold) {
                    /* Joined: the last word is spent for this pass. */
                    writer_put(&wr, key, klen, 1);
                    phrases++;
                    ch.active = 0;
                    continue;
                }
            }
            writer_put(&wr, ch.key, ch.len, 0);
        }
        chain_start(&ch, word, len);
        count_a = count_b;
    }
    if (rc < 0)
        goto fail;
    if (ch.active)
        writer_put(&wr, ch.key, ch.len, 0);
    if (fflush(out) != 0 || ferror(out)) {
        rc = w2v_fail_errno(err, "cannot write the phrased text");
        goto fail;
    }
    if (st) {
        st->words_in = words_in;
        st->words_out = wr.words;
        st->phrases = phrases;
        st->table_size = c->table.size;
        st->pruned = c->pruned;
    }
    tokenizer_release(&t);
    return 0;
fail:
    tokenizer_release(&t);
    return rc;
}

/* ---- passes and temporary files ---------------------------------------------- */

/* Create an empty temporary file in dir; *path receives its owned name. */
static FILE *temp_create(const char *dir, char **path, struct w2v_err *err)
{
    size_t n = strlen(dir) + sizeof "/w2v-phrases-XXXXXX";
    char *p = w2v_malloc(n);
    if (!p) {
        w2v_fail(err, W2V_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(p, n, "%s/w2v-phrases-XXXXXX", dir);
    int fd = mkstemp(p);
    if (fd < 0) {
        w2v_fail_errno(err, "cannot create a temporary file in '%s'", dir);
        w2v_free(p);
        return NULL;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        w2v_fail_errno(err, "cannot open the temporary file '%s'", p);
        close(fd);
        unlink(p);
        w2v_free(p);
        return NULL;
    }
    *path = p;
    return f;
}

/* Close a temporary file written by a pass, reporting a failed write. */
static int temp_close(FILE *f, const char *path, struct w2v_err *err)
{
    int bad = fflush(f) != 0 || ferror(f);
    if (fclose(f) != 0 || bad)
        return w2v_fail_errno(err, "cannot write the temporary file '%s'", path);
    return 0;
}

static void temp_remove(char **path)
{
    if (*path) {
        unlink(*path);
        w2v_free(*path);
        *path = NULL;
    }
}

/* Copy the stream in to a new temporary file in dir. */
static int spool(FILE *in, const char *dir, char **path, struct w2v_err *err)
{
    enum { SPOOL_BUF = 1 << 16 };
    char *buf = w2v_malloc(SPOOL_BUF);
    if (!buf)
        return w2v_fail(err, W2V_ENOMEM, "out of memory");
    FILE *f = temp_create(dir, path, err);
    if (!f) {
        w2v_free(buf);
        return err ? err->status : W2V_EIO;
    }
    size_t got;
    while ((got = fread(buf, 1, SPOOL_BUF, in)) > 0)
        if (fwrite(buf, 1, got, f) != got)
            break;
    w2v_free(buf);
    if (ferror(in)) {
        int rc = w2v_fail_errno(err, "cannot read the input");
        fclose(f);
        temp_remove(path);
        return rc;
    }
    int rc = temp_close(f, *path, err);
    if (rc != 0)
        temp_remove(path);
    return rc;
}

int phrases_run(const char *in_path, FILE *in_fp, FILE *out, const struct phrases_options *o,
                struct phrases_pass_stats *stats, struct w2v_err *err)
{
    struct phrases_counts counts;
    char *cur_tmp = NULL, *next_tmp = NULL;
    FILE *next = NULL;
    int rc;
    memset(&counts, 0, sizeof counts);
    const char *dir = o->tmp_dir;
    if (!dir)
        dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    if ((rc = phrases_options_check(o, err)) != 0)
        return rc;
    struct stat st;
    if (in_path && stat(in_path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* A pipe or device cannot be read twice: spool it like stdin. */
        FILE *f = fopen(in_path, "rb");
        if (!f)
            return w2v_fail_errno(err, "cannot open '%s'", in_path);
        rc = spool(f, dir, &cur_tmp, err);
        fclose(f);
        if (rc != 0)
            return rc;
        in_path = cur_tmp;
    } else if (!in_path) {
        rc = spool(in_fp, dir, &cur_tmp, err);
        if (rc != 0 && stopped(o))
            rc = w2v_fail(err, W2V_EINTR, "interrupted"); /* the read failed with EINTR */
        if (rc != 0)
            return rc;
        in_path = cur_tmp;
    }
    const char *cur = in_path;
    for (int p = 0; p < o->passes; p++) {
        if ((rc = phrases_count(&counts, cur, o, err)) != 0)
            goto fail;
        FILE *dst = out;
        if (p < o->passes - 1) {
            if (!(next = temp_create(dir, &next_tmp, err))) {
                rc = err ? err->status : W2V_EIO;
                goto fail;
            }
            dst = next;
        }
        rc = phrases_rewrite(&counts, cur, dst, o->threshold[p], o, stats ? &stats[p] : NULL,
                             err);
        phrases_counts_release(&counts);
        if (rc != 0)
            goto fail;
        if (next) {
            rc = temp_close(next, next_tmp, err);
            next = NULL;
            if (rc != 0)
                goto fail;
        }
        temp_remove(&cur_tmp);
        cur_tmp = next_tmp;
        next_tmp = NULL;
        cur = cur_tmp;
    }
    return 0;
fail:
    if (next)
        fclose(next);
    temp_remove(&next_tmp);
    temp_remove(&cur_tmp);
    phrases_counts_release(&counts);
    return rc;
}

int phrases_connectors_load(struct vocab *set, const char *path, struct w2v_err *err)
{
    struct tokenizer t;
    char word[W2V_MAX_WORD_BYTES + 1];
    size_t len;
    struct stat st;
    int rc;
    vocab_init(set);
    memset(&t, 0, sizeof t);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        rc = w2v_fail(err, W2V_EIO, "cannot read '%s': Is a directory", path);
        goto fail;
    }
    if ((rc = tokenizer_open(&t, path, 0, -1, err)) != 0)
        goto fail;
    while ((rc = tokenizer_next(&t, word, &len, err)) == 1) {
        if (t.newline)
            continue;
        if ((rc = vocab_add(set, word, len, 1)) != 0) {
            w2v_fail(err, rc, "cannot read the connector words of '%s': %s", path,
                     w2v_strerror(rc));
            goto fail;
        }
    }
    if (rc < 0)
        goto fail;
    if (set->size == 0) {
        rc = w2v_fail(err, W2V_EEMPTY, "'%s' holds no connector words", path);
        goto fail;
    }
    tokenizer_release(&t);
    return 0;
fail:
    tokenizer_release(&t);
    vocab_release(set);
    return rc;
}
