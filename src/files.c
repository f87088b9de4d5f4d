/* files.c — file identity, replaceable outputs, corpus sniffing and the
 * spooled copy of a stream corpus (see files.h for the promises). */
#include "w2v/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- identity --------------------------------------------------------------- */

/* Where a path points: the file itself when it exists (links followed), or
 * its directory and last name when it does not yet. */
struct identity {
    int exists, regular;
    dev_t dev;
    ino_t ino;
    const char *base; /* into the path; only when !exists */
    size_t base_len;
};

static int identity_of(const char *path, struct identity *id)
{
    struct stat st;
    memset(id, 0, sizeof *id);
    if (stat(path, &st) == 0) {
        id->exists = 1;
        id->regular = S_ISREG(st.st_mode);
        id->dev = st.st_dev;
        id->ino = st.st_ino;
        return 0;
    }
    /* Not there yet: the directory entry it would become. */
    char dir[4096];
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t cut = len;
    while (cut > 0 && path[cut - 1] != '/')
        cut--;
    id->base = path + cut;
    id->base_len = len - cut;
    if (cut == 0)
        snprintf(dir, sizeof dir, ".");
    else if (cut == 1)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(cut - 1), path);
    if (stat(dir, &st) != 0)
        return -1; /* nowhere to be: cannot collide with anything */
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    return 0;
}

static int identity_same(const struct identity *a, const struct identity *b)
{
    if (a->exists != b->exists || a->dev != b->dev || a->ino != b->ino)
        return 0;
    if (a->exists)
        return 1;
    return a->base_len == b->base_len && memcmp(a->base, b->base, a->base_len) == 0;
}

static int replaceable(const char *path, int force, struct w2v_err *err)
{
    struct stat st;
    if (force || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    /* access() asks with the real ids, as the shell's `>` would be judged
     * for this user; root may replace anything, as with the shell. */
    if (access(path, W_OK) == 0)
        return 0;
    if (errno != EACCES && errno != EROFS && errno != EPERM)
        return 0; /* let the writer say what is wrong */
    return w2v_fail(err, W2V_EIO, "cannot replace '%s': %s (it is read-only; --force replaces it)",
                    path, strerror(errno));
}

int files_check(const struct files_use *uses, size_t n, int force, struct w2v_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct files_use *o = &uses[i];
        if (!o->path || o->role != FILES_OUTPUT || strcmp(o->path, "-") == 0)
            continue;
        struct identity io;
        if (identity_of(o->path, &io) != 0 || (io.exists && !io.regular))
            continue;
        for (size_t j = 0; j < n; j++) {
            const struct files_use *u = &uses[j];
            if (j == i || !u->path || strcmp(u->path, "-") == 0)
                continue;
            /* Two outputs are reported once, at the later one. */
            if (u->role == FILES_OUTPUT && j > i)
                continue;
            struct identity iu;
            if (identity_of(u->path, &iu) != 0 || !identity_same(&io, &iu))
                continue;
            if (strcmp(o->path, u->path) == 0)
                return w2v_fail(err, W2V_EUSAGE, "%s '%s' is also %s; it would be overwritten",
                                o->what, o->path, u->what);
            return w2v_fail(err, W2V_EUSAGE,
                            "%s '%s' is the same file as %s '%s'; it would be overwritten",
                            o->what, o->path, u->what, u->path);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (uses[i].path && uses[i].role == FILES_OUTPUT) {
            int rc = replaceable(uses[i].path, force, err);
            if (rc != 0)
                return rc;
        }
    return 0;
}

/* ---- sniffing --------------------------------------------------------------- */

struct magic {
    const char *bytes;
    size_t len;
    const char *what, *cat; /* "gzip-compressed", "zcat" */
};

static const struct magic compressed[] = {
    {"\x1f\x8b", 2, "gzip-compressed", "zcat"},
    {"BZh", 3, "bzip2-compressed", "bzcat"},
    {"\xfd" "7zXZ\0", 6, "xz-compressed", "xzcat"},
    {"\x28\xb5\x2f\xfd", 4, "zstd-compressed", "zstdcat"},
};

/* A whole decimal number at s[*i..n) followed by a blank; advances *i. */
static int read_count(const unsigned char *s, size_t n, size_t *i, long long *out)
{
    size_t start = *i;
    long long v = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9' && *i - start < 12)
        v = v * 10 + (s[(*i)++] - '0');
    *out = v;
    return *i > start && *i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r' || s[*i] == '\n');
}

/* A text line of exactly one word and `dim` numbers at s[i..n)? */
static int vector_row(const unsigned char *s, size_t n, size_t i, long long dim)
{
    long long fields = 0;
    int numeric = 1;
    while (i < n && s[i] != '\n') {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
            i++;
        if (i >= n || s[i] == '\n')
            break;
        char field[64];
        size_t len = 0;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            if (len + 1 < sizeof field)
                field[len++] = (char)s[i];
            i++;
        }
        field[len] = '\0';
        if (fields++ > 0) {
            char *end;
            strtod(field, &end);
            numeric &= end != field && *end == '\0';
        }
    }
    return numeric && fields == dim + 1;
}

/* The "V D" header of a word2vec vector file, followed by a binary row (a
 * NUL byte soon) or a text row of one word and D numbers. */
static int vector_file(const unsigned char *s, size_t n, long long *rows, long long *dim)
{
    size_t i = 0;
    if (!read_count(s, n, &i, rows))
        return 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (!read_count(s, n, &i, dim) || *rows < 1 || *dim < 1)
        return 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    if (i >= n || s[i] != '\n')
        return 0;
    i++;
    return memchr(s + i, '\0', n - i) != NULL || vector_row(s, n, i, *dim);
}

int files_sniff_corpus(const unsigned char *block, size_t n, const char *name, const char *out,
                       struct w2v_err *err)
{
    const char *o = out ? out : "OUT";
    for (size_t k = 0; k < sizeof compressed / sizeof compressed[0]; k++) {
        const struct magic *m = &compressed[k];
        if (n >= m->len && memcmp(block, m->bytes, m->len) == 0)
            return w2v_fail(err, W2V_EFORMAT,
                            "'%s' is %s, not text; decompress it on the way in: "
                            "%s '%s' | w2v train - -o '%s'",
                            name, m->what, m->cat, name, o);
    }
    if (n >= 4 && ((block[0] == 0xff && block[1] == 0xfe && !block[2] && !block[3]) ||
                   (!block[0] && !block[1] && block[2] == 0xfe && block[3] == 0xff)))
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' is UTF-32 text (it starts with a byte-order mark); w2v reads "
                        "UTF-8: iconv -f UTF-32 -t UTF-8 '%s' | w2v train - -o '%s'",
                        name, name, o);
    if (n >= 2 && ((block[0] == 0xff && block[1] == 0xfe) || (block[0] == 0xfe && block[1] == 0xff)))
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' is UTF-16 text (it starts with a byte-order mark); w2v reads "
                        "UTF-8: iconv -f UTF-16 -t UTF-8 '%s' | w2v train - -o '%s'",
                        name, name, o);
    long long rows, dim;
    if (vector_file(block, n, &rows, &dim))
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' is a word2vec vector file (%lld x %lld), not a corpus; are the "
                        "arguments swapped? (w2v train CORPUS -o OUT)",
                        name, rows, dim);
    const unsigned char *nul = memchr(block, '\0', n);
    if (nul) {
        /* ASCII in UTF-16 has a NUL in every other byte. */
        size_t even = 0, odd = 0, pairs = n / 2 < 512 ? n / 2 : 512;
        for (size_t i = 0; i < pairs; i++) {
            even += block[2 * i] == 0;
            odd += block[2 * i + 1] == 0;
        }
        if (pairs >= 4 && (even * 10 >= pairs * 9) != (odd * 10 >= pairs * 9))
            return w2v_fail(err, W2V_EFORMAT,
                            "'%s' looks like UTF-16 text without a byte-order mark; w2v reads "
                            "UTF-8: iconv -f UTF-16%s -t UTF-8 '%s' | w2v train - -o '%s'",
                            name, odd > even ? "LE" : "BE", name, o);
        return w2v_fail(err, W2V_EFORMAT,
                        "'%s' holds a NUL byte at offset %zu: it is a binary file, not text",
                        name, (size_t)(nul - block));
    }
    return 0;
}

/* ---- corpus streams --------------------------------------------------------- */

int files_is_stream(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return 1;
    if (stat(path, &st) != 0)
        return 0;
    return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode);
}

ssize_t files_read_full(int fd, void *buf_, size_t cap)
{
    unsigned char *buf = buf_;
    size_t got = 0;
    while (got < cap) {
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int files_write_full(int fd, const void *buf_, size_t n)
{
    const unsigned char *buf = buf_;
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w == 0)
            errno = ENOSPC;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* An anonymous file in dir: never has a name (O_TMPFILE), or loses it at
 * once, so no exit path can leave it behind. -1 with errno on failure. */
static int anonymous_file(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    char tmpl[4200];
    if (snprintf(tmpl, sizeof tmpl, "%s/.w2v-corpus-XXXXXX", dir) >= (int)sizeof tmpl) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd2 = mkstemp(tmpl);
    if (fd2 < 0)
        return -1;
    unlink(tmpl);
    return fd2;
}

int files_temp_beside(const char *beside, char *shown, size_t cap)
{
    char dir[4096];
    const char *slash = beside ? strrchr(beside, '/') : NULL;
    if (!beside || !slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == beside)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - beside), beside);
    snprintf(shown, cap, "%s", dir);
    int fd = anonymous_file(dir);
    if (fd >= 0)
        return fd;
    /* Beside OUT is impossible (OUT is /dev/null, or a read-only place). */
    const char *tmp = getenv("TMPDIR");
    snprintf(shown, cap, "%s", tmp && *tmp ? tmp : "/tmp");
    return anonymous_file(shown);
}

int files_corpus_open(struct files_corpus *c, const char *path, const char *beside,
                      struct w2v_err *err)
{
    unsigned char *buf = NULL;
    int in = -1, rc = 0;
    const size_t chunk = (size_t)1 << 20;
    memset(c, 0, sizeof *c);
    c->path = path;
    int stream = files_is_stream(path);
    const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
    c->name = name;
    if (!stream) {
        struct stat st;
        in = open(path, O_RDONLY | O_CLOEXEC);
        if (in < 0 || fstat(in, &st) != 0 || !S_ISREG(st.st_mode))
            goto done; /* the reader reports it */
    } else {
        in = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
        if (in < 0) {
            rc = w2v_fail_errno(err, "cannot open '%s'", name);
            goto done;
        }
    }
    buf = w2v_malloc(chunk);
    if (!buf) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory reading '%s'", name);
        goto done;
    }
    ssize_t got = files_read_full(in, buf, FILES_SNIFF_BYTES);
    if (got < 0) {
        rc = w2v_fail_errno(err, "cannot read '%s'", name);
        goto done;
    }
    if ((rc = files_sniff_corpus(buf, (size_t)got, name, beside, err)) != 0 || !stream)
        goto done;
    char where[4096];
    c->fd = files_temp_beside(beside, where, sizeof where);
    if (c->fd < 0) {
        rc = w2v_fail_errno(err, "cannot create a temporary copy of '%s' in '%s'", name, where);
        goto done;
    }
    c->owns_fd = 1;
    while (got > 0) {
        if (files_write_full(c->fd, buf, (size_t)got) != 0) {
            rc = w2v_fail_errno(err, "cannot copy '%s' to a temporary file in '%s'", name, where);
            goto done;
        }
        c->spooled += got;
        got = files_read_full(in, buf, chunk);
        if (got < 0) {
            rc = w2v_fail_errno(err, "cannot read '%s'", name);
            goto done;
        }
    }
    snprintf(c->fd_path, sizeof c->fd_path, "/dev/fd/%d", c->fd);
    c->path = c->fd_path;
done:
    if (in >= 0)
        close(in);
    w2v_free(buf);
    if (rc != 0)
        files_corpus_release(c);
    return rc;
}

void files_corpus_message(const struct files_corpus *c, struct w2v_err *err)
{
    if (!err || !c->owns_fd || !c->name)
        return;
    char *at = strstr(err->message, c->fd_path);
    if (!at)
        return;
    char rest[sizeof err->message];
    snprintf(rest, sizeof rest, "%s", at + strlen(c->fd_path));
    size_t head = (size_t)(at - err->message);
    snprintf(at, sizeof err->message - head, "%s%s", c->name, rest);
}

void files_corpus_release(struct files_corpus *c)
{
    if (c->owns_fd)
        close(c->fd);
    c->owns_fd = 0;
    c->fd = -1;
    c->path = NULL;
}
