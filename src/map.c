/* map.c — the layout and the SVG of `w2v map` (see map.h). */
#include "w2v/map.h"

#include "common_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Geometry in SVG user units (pixels). Labels use a monospace font, whose
 * advance is 0.6 em in the common faces, so a label's width is known
 * without measuring text; wide characters are counted as two columns,
 * which errs towards more room. */
#define FONT_PX 12.0
#define CHAR_W (0.6 * FONT_PX)
#define LABEL_GAP 4.0   /* circle to label */
#define HALF_H 8.0      /* half the height of a label's box */
#define MARGIN 2.0      /* kept free around each box */
#define R_QUERY 7.0
#define R_WORD 5.0
#define INNER 0.35      /* the nearest word's distance, in outermost distances */
#define SCALE0 140.0    /* the outermost distance to start from */
#define GROW 1.1        /* spreading factor when turning is not enough */
#define GROWTHS 60
#define SWEEPS 60
#define NUDGE_PX 2.0    /* how far a sweep turns a word along its circle */
#define POWER_ITERS 500
#define TAU 6.283185307179586

/* ---- text --------------------------------------------------------------- */

/* The character at p[0..n) (n >= 1): its code point in *cp, U+FFFD for
 * bytes that are not UTF-8, for characters XML 1.0 forbids (C0 controls,
 * U+FFFE, U+FFFF) and for ones that would only confuse a reader (DEL, C1
 * controls). Returns the bytes it takes (>= 1). */
static size_t next_char(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t len = w2v_utf8_sequence(p, n, cp);
    if (len == 0) {
        *cp = 0xfffd;
        return 1;
    }
    if (*cp < 0x20 || (*cp >= 0x7f && *cp <= 0x9f) || *cp == 0xfffe || *cp == 0xffff)
        *cp = 0xfffd;
    return len;
}

/* Columns a character takes: 2 for the East Asian wide and full-width
 * blocks and emoji (a rough cover that errs towards more room), else 1. */
static size_t char_cols(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                   (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
                   (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                   (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x1f300
               ? 2
               : 1;
}

/* A growing string; after an allocation failure it stays failed. */
struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = w2v_realloc(b->s, cap);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[512]; /* enough for every piece here; longer ones go through the heap */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1; /* cannot happen with these formats; fail rather than cut */
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = w2v_malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, big, (size_t)n);
    w2v_free(big);
}

/* Append s[0..len) as XML character data, at most max columns (0: all). */
static size_t sb_xml(struct sbuf *b, const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t total = 0, cols = 0;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        i += next_char(p + i, len - i, &cp);
        total += char_cols(cp);
    }
    /* Too long: keep what fits before an ellipsis of one column. */
    const size_t keep = max > 0 && total > max ? max - 1 : total;
    for (size_t i = 0; i < len;) {
        size_t bytes = next_char(p + i, len - i, &cp);
        if (cols + char_cols(cp) > keep)
            break;
        cols += char_cols(cp);
        switch (cp) {
        case '&': sb_str(b, "&amp;"); break;
        case '<': sb_str(b, "&lt;"); break;
        case '>': sb_str(b, "&gt;"); break;
        case '"': sb_str(b, "&quot;"); break;
        case '\'': sb_str(b, "&apos;"); break;
        case 0xfffd: sb_str(b, "\xef\xbf\xbd"); break;
        default: sb_add(b, s + i, bytes); break;
        }
        i += bytes;
    }
    if (keep < total) {
        sb_str(b, "\xe2\x80\xa6"); /* U+2026 */
        cols++;
    }
    return cols;
}

int map_xml_text(const char *s, size_t len, size_t max, char **out, size_t *cols)
{
    struct sbuf b = {0};
    sb_add(&b, "", 0); /* an empty word is still a string */
    size_t c = sb_xml(&b, s, len, max);
    if (b.oom) {
        w2v_free(b.s);
        *out = NULL;
        return W2V_ENOMEM;
    }
    *out = b.s;
    if (cols)
        *cols = c;
    return 0;
}

/* ---- layout ------------------------------------------------------------- */

void map_point_box(const struct map_point *p, double box[4])
{
    const double half = p->radius > HALF_H ? p->radius : HALF_H;
    box[0] = p->x - p->radius - MARGIN;
    box[1] = p->y - half - MARGIN;
    box[2] = p->x + p->radius + LABEL_GAP + p->label_w + MARGIN;
    box[3] = p->y + half + MARGIN;
}

static int boxes_overlap(const struct map_point *a, const struct map_point *b)
{
    double p[4], q[4];
    map_point_box(a, p);
    map_point_box(b, q);
    return p[0] < q[2] && q[0] < p[2] && p[1] < q[3] && q[1] < p[3];
}

static int any_overlap(const struct map_point *pts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (boxes_overlap(&pts[i], &pts[j]))
                return 1;
    return 0;
}

/* The leading eigenvector of the symmetric g: [n, n] by power iteration
 * from a fixed start, kept orthogonal to ortho ([n] unit, or NULL), into
 * v: [n] (unit, or zero when g has nothing left); returns its eigenvalue.
 * The start is a fixed scramble, not a constant vector: for centred
 * points the constant vector is in g's null space. */
static double power_iteration(const double *g, size_t n, const double *ortho, double *v,
                              double *tmp)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (double)((i * 2654435761u + 12345u) % 1000u) / 1000.0 - 0.4995;
    double lambda = 0;
    for (int it = 0; it < POWER_ITERS; it++) {
        if (ortho) {
            double d = 0;
            for (size_t i = 0; i < n; i++)
                d += v[i] * ortho[i];
            for (size_t i = 0; i < n; i++)
                v[i] -= d * ortho[i];
        }
        double ss = 0;
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t j = 0; j < n; j++)
                s += g[i * n + j] * v[j];
            tmp[i] = s;
            ss += s * s;
        }
        if (!(ss > 1e-300)) {
            memset(v, 0, n * sizeof *v);
            return 0;
        }
        double norm = sqrt(ss);
        lambda = 0;
        for (size_t i = 0; i < n; i++) {
            lambda += v[i] * tmp[i];
            v[i] = tmp[i] / norm;
        }
    }
    /* The sign of an eigenvector is arbitrary: fix it (largest entry,
     * the first of equals, positive) so the picture does not flip. */
    size_t big = 0;
    for (size_t i = 1; i < n; i++)
        if (fabs(v[i]) > fabs(v[big]))
            big = i;
    if (v[big] < 0)
        for (size_t i = 0; i < n; i++)
            v[i] = -v[i];
    return lambda > 0 ? lambda : 0;
}

/* theta[i]: the direction of point i from point 0 in the plane of the two
 * principal components. vecs: [n, dim]. Works on the Gram matrix of the
 * centred points ([n, n]: n is small, dim may be large). */
static int pca_angles(const float *vecs, size_t n, size_t dim, double *theta)
{
    int rc = 0;
    double *mean = w2v_calloc(dim, sizeof *mean);          /* [dim] */
    double *g = w2v_calloc(n * n, sizeof *g);              /* [n, n] */
    double *u = w2v_calloc(4 * n, sizeof *u);              /* [4, n]: u1, u2, tmp, - */
    if (!mean || !g || !u) {
        rc = W2V_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t d = 0; d < dim; d++)
            mean[d] += vecs[i * dim + d];
    for (size_t d = 0; d < dim; d++)
        mean[d] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double s = 0;
            for (size_t d = 0; d < dim; d++)
                s += (vecs[i * dim + d] - mean[d]) * (vecs[j * dim + d] - mean[d]);
            g[i * n + j] = g[j * n + i] = s;
        }
    double *u1 = u, *u2 = u + n, *tmp = u + 2 * n;
    double l1 = power_iteration(g, n, NULL, u1, tmp);
    double l2 = power_iteration(g, n, u1, u2, tmp);
    const double s1 = sqrt(l1), s2 = sqrt(l2);
    for (size_t i = 1; i < n; i++) {
        double dx = s1 * (u1[i] - u1[0]), dy = s2 * (u2[i] - u2[0]);
        /* Indistinguishable from the query word in the plane: spread such
         * words by the golden angle instead. */
        theta[i] = hypot(dx, dy) > 1e-9 ? atan2(dy, dx) : 2.399963229728653 * (double)i;
    }
    theta[0] = 0;
fail:
    w2v_free(mean);
    w2v_free(g);
    w2v_free(u);
    return rc;
}

static void place(struct map_point *pts, size_t n, const double *theta, const double *rho,
                  double scale)
{
    for (size_t i = 1; i < n; i++) {
        pts[i].x = scale * rho[i] * cos(theta[i]);
        pts[i].y = scale * rho[i] * sin(theta[i]);
    }
}

/* The last resort when turning and spreading did not part every box: one
 * ring per word, in cosine order, each farther out than any box reaches,
 * so no two boxes can meet and the order by cosine still holds. */
static void place_rings(struct map_point *pts, size_t n, const double *theta, size_t *order)
{
    double reach = 0; /* the farthest any box extends from its circle's centre */
    for (size_t i = 0; i < n; i++) {
        double box[4];
        map_point_box(&pts[i], box);
        double w = fmax(pts[i].x - box[0], box[2] - pts[i].x);
        double h = fmax(pts[i].y - box[1], box[3] - pts[i].y);
        reach = fmax(reach, hypot(w, h));
    }
    for (size_t i = 1; i < n; i++) { /* stable: higher cosine, then lower index */
        size_t j = i;
        for (; j > 1 && pts[order[j - 1]].cosine < pts[i].cosine; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    for (size_t r = 1; r < n; r++) {
        const size_t i = order[r];
        const double dist = 2.0 * reach * (double)r;
        pts[i].x = dist * cos(theta[i]);
        pts[i].y = dist * sin(theta[i]);
    }
}

int map_layout(struct map_point *pts, size_t n, const float *vecs, size_t dim,
               struct w2v_err *err)
{
    int rc = 0;
    double *theta = NULL, *rho = NULL;
    size_t *order = NULL;
    if (n == 0 || dim == 0)
        return w2v_fail(err, W2V_EINVAL, "nothing to lay out");
    for (size_t i = 0; i < n; i++) {
        char *text;
        size_t cols;
        if (map_xml_text(pts[i].word, pts[i].len, MAP_LABEL_MAX, &text, &cols) != 0) {
            rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
            goto fail;
        }
        w2v_free(text);
        pts[i].label_w = (double)cols * CHAR_W;
        pts[i].radius = i == 0 ? R_QUERY : R_WORD;
        pts[i].x = pts[i].y = 0;
    }
    if (n == 1)
        return 0;
    theta = w2v_calloc(n, sizeof *theta);
    rho = w2v_calloc(n, sizeof *rho);
    order = w2v_calloc(n, sizeof *order);
    if (!theta || !rho || !order || pca_angles(vecs, n, dim, theta) != 0) {
        rc = w2v_fail(err, W2V_ENOMEM, "out of memory");
        goto fail;
    }
    /* Distance from the centre: INNER (highest cosine) to 1 (lowest), a
     * linear map of the cosine, so it can only fall as the cosine rises. */
    double cmax = pts[1].cosine, cmin = pts[1].cosine;
    for (size_t i = 2; i < n; i++) {
        cmax = fmax(cmax, pts[i].cosine);
        cmin = fmin(cmin, pts[i].cosine);
    }
    for (size_t i = 1; i < n; i++)
        rho[i] = cmax - cmin > 1e-12 ? INNER + (1 - INNER) * (cmax - pts[i].cosine) / (cmax - cmin)
                                     : 1.0;
    double scale = SCALE0;
    int parted = 0;
    for (int growth = 0; growth <= GROWTHS && !parted; growth++) {
        /* Turn each overlapping pair apart along their circles (the query
         * word stays put, its partner turns away from the label's side);
         * the distances from the centre, and so the cosine order, stay. */
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            place(pts, n, theta, rho, scale);
            int moved = 0;
            for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++) {
                    if (!boxes_overlap(&pts[i], &pts[j]))
                        continue;
                    double d = theta[j] - theta[i];
                    d -= TAU * floor(d / TAU + 0.5); /* to [-pi, pi) */
                    const double dir = d >= 0 ? 1.0 : -1.0;
                    theta[j] += dir * NUDGE_PX / (scale * rho[j]);
                    if (i > 0)
                        theta[i] -= dir * NUDGE_PX / (scale * rho[i]);
                    moved = 1;
                }
            if (!moved)
                break;
        }
        place(pts, n, theta, rho, scale);
        parted = !any_overlap(pts, n);
        /* Spreading moves every word outwards in proportion while boxes
         * keep their size: the room between them grows. */
        scale *= GROW;
    }
    if (!parted)
        place_rings(pts, n, theta, order);
fail:
    w2v_free(theta);
    w2v_free(rho);
    w2v_free(order);
    return rc;
}

/* ---- SVG ---------------------------------------------------------------- */

/* Bands of 0.1 in cosine, darkest for the nearest (viridis; its last,
 * light yellow, darkened to read on white). */
static const struct {
    double min;
    const char *colour;
} bands[] = {
    {0.9, "#440154"}, {0.8, "#46327e"}, {0.7, "#365c8d"}, {0.6, "#277f8e"},
    {0.5, "#1fa187"}, {0.4, "#4ac16d"}, {0.3, "#8fc92e"}, {-2.0, "#c9b800"},
};
#define N_BANDS (sizeof bands / sizeof bands[0])

static const char *band_colour(double cosine)
{
    for (size_t b = 0; b + 1 < N_BANDS; b++)
        if (cosine >= bands[b].min)
            return bands[b].colour;
    return bands[N_BANDS - 1].colour;
}

/* "query - word: cosine 0.123456" as tooltip text. */
static void sb_tooltip(struct sbuf *b, const struct map_point *q, const struct map_point *p)
{
    sb_str(b, "<title>");
    sb_xml(b, q->word, q->len, 200);
    sb_str(b, " \xe2\x80\x93 "); /* en dash */
    sb_xml(b, p->word, p->len, 200);
    sb_printf(b, ": cosine %.6f%s</title>", p->cosine, p->extra ? " (extra word)" : "");
}

int map_svg(const struct map_point *pts, size_t n, char **out, size_t *len,
            struct w2v_err *err)
{
    struct sbuf b = {0};
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    for (size_t i = 0; i < n; i++) {
        double box[4];
        map_point_box(&pts[i], box);
        x0 = fmin(x0, box[0]);
        y0 = fmin(y0, box[1]);
        x1 = fmax(x1, box[2]);
        y1 = fmax(y1, box[3]);
    }
    /* The legend goes below the picture, one line per band. */
    const double pad = 12, line_h = 16, legend_w = 40 * CHAR_W;
    const double legend_y = y1 + pad;
    x0 -= pad;
    y0 -= pad;
    x1 = fmax(x1, x0 + pad + legend_w) + pad;
    y1 = legend_y + line_h * (double)(N_BANDS + 1) + pad;
    const double w = x1 - x0, h = y1 - y0;

    sb_str(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb_printf(&b,
              "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
              "height=\"%.0f\" viewBox=\"%.2f %.2f %.2f %.2f\" font-family=\"monospace\" "
              "font-size=\"%.0f\">\n",
              ceil(w), ceil(h), x0, y0, w, h, FONT_PX);
    sb_str(&b, "<title>w2v map: ");
    if (n > 0)
        sb_xml(&b, pts[0].word, pts[0].len, 200);
    sb_str(&b, "</title>\n");
    sb_printf(&b, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#ffffff\"/>\n",
              x0, y0, w, h);
    /* Lines first, so every circle and label is drawn over them. */
    sb_str(&b, "<g stroke-width=\"1\" stroke-opacity=\"0.5\">\n");
    for (size_t i = 1; i < n; i++) {
        sb_printf(&b, "<line x1=\"0\" y1=\"0\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\"%s>", pts[i].x,
                  pts[i].y, band_colour(pts[i].cosine),
                  pts[i].extra ? " stroke-dasharray=\"4 3\"" : "");
        sb_tooltip(&b, &pts[0], &pts[i]);
        sb_str(&b, "</line>\n");
    }
    sb_str(&b, "</g>\n");
    for (size_t i = 0; i < n; i++) {
        const struct map_point *p = &pts[i];
        const char *colour = i == 0 ? "#000000" : band_colour(p->cosine);
        sb_str(&b, "<g>");
        if (i > 0)
            sb_tooltip(&b, &pts[0], p);
        sb_printf(&b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\" "
                      "stroke-width=\"1.5\"/>",
                  p->x, p->y, p->radius, p->extra ? "#ffffff" : colour, colour);
        sb_printf(&b, "<text x=\"%.2f\" y=\"%.2f\"%s>", p->x + p->radius + LABEL_GAP,
                  p->y + 4.0, i == 0 ? " font-weight=\"bold\"" : "");
        sb_xml(&b, p->word, p->len, MAP_LABEL_MAX);
        sb_str(&b, "</text></g>\n");
    }
    sb_str(&b, "<g>\n");
    for (size_t k = 0; k <= N_BANDS; k++) {
        const double y = legend_y + line_h * (double)k + line_h / 2;
        const char *colour = k < N_BANDS ? bands[k].colour : "#555555";
        sb_printf(&b, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\"/>",
                  x0 + pad + R_WORD, y, R_WORD, k < N_BANDS ? colour : "#ffffff", colour);
        sb_printf(&b, "<text x=\"%.2f\" y=\"%.2f\">", x0 + pad + 2 * R_WORD + LABEL_GAP, y + 4.0);
        if (k == 0)
            sb_printf(&b, "cosine &#8805; %.1f", bands[k].min);
        else if (k + 1 < N_BANDS)
            sb_printf(&b, "%.1f &#8804; cosine &lt; %.1f", bands[k].min, bands[k - 1].min);
        else if (k + 1 == N_BANDS)
            sb_printf(&b, "cosine &lt; %.1f", bands[k - 1].min);
        else
            sb_str(&b, "extra word (given, not a neighbour)");
        sb_str(&b, "</text>\n");
    }
    sb_str(&b, "</g>\n</svg>\n");
    if (b.oom) {
        w2v_free(b.s);
        return w2v_fail(err, W2V_ENOMEM, "out of memory");
    }
    *out = b.s;
    *len = b.len;
    return 0;
}
