/* map.h — a picture of a word's neighbourhood: a 2-D layout and its SVG.
 *
 * The query word sits at the centre. Every other word lies at a distance
 * from it that falls strictly as its cosine with the query word rises (the
 * nearest neighbour innermost, the least similar outermost) and in the
 * direction that the first two principal components of the words' unit
 * vectors (PCA by power iteration) give it from the query word. Circles
 * and labels are then kept apart by turning words about the centre (their
 * distance stays) and, where that is not enough, by spreading the whole
 * picture. Everything is computed in a fixed order in double precision:
 * the same input gives the same bytes.
 *
 * Both steps are pure functions on memory (no files, no printing), so the
 * tests check the layout's properties directly. */
#ifndef W2V_MAP_H
#define W2V_MAP_H

#include <stddef.h>

#include "w2v/common.h"

struct map_point {
    const char *word;  /* borrowed; need not be NUL-terminated or valid UTF-8 */
    size_t len;        /* bytes of word */
    double cosine;     /* with the query word (points[0] is the query word) */
    int extra;         /* 1: asked for on the command line, not a neighbour */
    /* Filled by map_layout, in SVG user units (pixels), query word at 0,0: */
    double x, y;       /* centre of the circle */
    double radius;     /* of the circle */
    double label_w;    /* width of the label drawn right of the circle */
};

/* The box that holds point p's circle and label: box[0..4) = x0, y0, x1,
 * y1. Boxes of different points never overlap after map_layout. Pure. */
void map_point_box(const struct map_point *p, double box[4]);

/* Lay out pts[0..n) (pts[0] the query word; n >= 1) from their unit
 * vectors, vecs: [n, dim] row-major, and their cosines. Fills x, y, radius
 * and label_w. Returns 0 or W2V_ENOMEM (pts then unspecified), W2V_EINVAL
 * for n == 0 or dim == 0. Thread-safe for distinct pts. */
int map_layout(struct map_point *pts, size_t n, const float *vecs, size_t dim,
               struct w2v_err *err);

/* The label text of a word as map_svg draws it: bytes that are not UTF-8
 * and characters XML 1.0 forbids become U+FFFD, and a word longer than
 * MAP_LABEL_MAX columns is cut and ends in U+2026. Written XML-escaped to
 * out (malloc'd, NUL-terminated, owned by the caller) with its width in
 * columns in *cols (wide characters count 2) when cols is not NULL. max:
 * the most columns to keep (0: no limit). Returns 0 or W2V_ENOMEM. */
#define MAP_LABEL_MAX 40
int map_xml_text(const char *s, size_t len, size_t max, char **out, size_t *cols);

/* The SVG 1.1 document for laid-out pts[0..n) (title: the query word):
 * lines from the centre with the cosine in a <title> tooltip, circles
 * coloured by cosine band (extra words hollow), labels, and a legend.
 * *out is malloc'd and owned by the caller, *len its length. Returns 0 or
 * W2V_ENOMEM. Thread-safe. */
int map_svg(const struct map_point *pts, size_t n, char **out, size_t *len,
            struct w2v_err *err);

#endif
