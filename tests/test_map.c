/* test_map.c — the layout's promises (no two boxes overlap; distance from
 * the centre falls as the cosine rises; same input, same bytes) and the
 * SVG text rules (XML escaping, invalid UTF-8 and controls replaced). */
#include "test.h"
#include "w2v/map.h"

#include <stdint.h>

#define DIM 16
#define MAXN 80

/* A fixed pseudo-random stream, so the tests see the same points always. */
static uint64_t lcg_state;
static double lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static const char *const odd_words[] = {
    "a<b>&\"c'",                                    /* markup characters */
    "\xff\xfe broken",                              /* not UTF-8 */
    "tab\there\x01",                                /* controls */
    "supercalifragilisticexpialidocious-and-then-some-more-letters",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",         /* wide characters */
    "\xef\xbf\xbe",                                 /* U+FFFE, not an XML character */
};

/* n points: row 0 the query; the others near it by `spread` (small:
 * crowded, similar cosines); unit vectors in vecs, cosines in pts. */
static void make_points(struct map_point *pts, float *vecs, size_t n, double spread,
                        uint64_t seed, char names[][16])
{
    lcg_state = seed;
    for (size_t i = 0; i < n; i++) {
        double ss = 0, v[DIM];
        for (size_t d = 0; d < DIM; d++) {
            v[d] = (i == 0 ? 0.0 : spread * lcg()) + (d == 0 ? 1.0 : 0.0);
            ss += v[d] * v[d];
        }
        for (size_t d = 0; d < DIM; d++)
            vecs[i * DIM + d] = (float)(v[d] / sqrt(ss));
        double c = 0;
        for (size_t d = 0; d < DIM; d++)
            c += (double)vecs[i * DIM + d] * vecs[d];
        memset(&pts[i], 0, sizeof pts[i]);
        if (i % 7 == 3) {
            pts[i].word = odd_words[(i / 7) % (sizeof odd_words / sizeof *odd_words)];
        } else {
            snprintf(names[i], 16, "w%zu", i);
            pts[i].word = names[i];
        }
        pts[i].len = strlen(pts[i].word);
        pts[i].cosine = i == 0 ? 1.0 : c;
        pts[i].extra = i % 11 == 5;
    }
}

static int count_overlaps(const struct map_point *pts, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double a[4], b[4];
            map_point_box(&pts[i], a);
            map_point_box(&pts[j], b);
            if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3])
                bad++;
        }
    return bad;
}

/* Pairs where the higher cosine lies farther out. */
static int count_order_breaks(const struct map_point *pts, size_t n)
{
    int bad = 0;
    for (size_t i = 1; i < n; i++)
        for (size_t j = 1; j < n; j++)
            if (pts[i].cosine > pts[j].cosine &&
                hypot(pts[i].x, pts[i].y) > hypot(pts[j].x, pts[j].y) + 1e-9)
                bad++;
    return bad;
}

static void check_layout(size_t n, double spread, uint64_t seed)
{
    static struct map_point pts[MAXN], again[MAXN];
    static float vecs[MAXN * DIM];
    static char names[MAXN][16];
    make_points(pts, vecs, n, spread, seed, names);
    memcpy(again, pts, sizeof again);
    CHECK(map_layout(pts, n, vecs, DIM, NULL) == 0);
    CHECK(count_overlaps(pts, n) == 0);
    CHECK(count_order_breaks(pts, n) == 0);
    CHECK(pts[0].x == 0 && pts[0].y == 0);
    /* The nearest word strictly nearer the centre than the farthest. */
    size_t best = 1, worst = 1;
    for (size_t i = 2; i < n; i++) {
        if (pts[i].cosine > pts[best].cosine)
            best = i;
        if (pts[i].cosine < pts[worst].cosine)
            worst = i;
    }
    if (pts[best].cosine > pts[worst].cosine)
        CHECK(hypot(pts[best].x, pts[best].y) < hypot(pts[worst].x, pts[worst].y));
    /* Same input, same layout, same bytes. */
    CHECK(map_layout(again, n, vecs, DIM, NULL) == 0);
    int same = 1;
    for (size_t i = 0; i < n; i++)
        same &= again[i].x == pts[i].x && again[i].y == pts[i].y;
    CHECK(same);
    char *s1 = NULL, *s2 = NULL;
    size_t l1 = 0, l2 = 0;
    CHECK(map_svg(pts, n, &s1, &l1, NULL) == 0);
    CHECK(map_svg(again, n, &s2, &l2, NULL) == 0);
    CHECK(s1 && s2 && l1 == l2 && memcmp(s1, s2, l1) == 0);
    /* No markup character of a word reaches the document raw. */
    CHECK(s1 && !strstr(s1, "a<b>") && !strstr(s1, "\xff") && !strstr(s1, "\x01"));
    if (n > 3) /* point 3 is the word with markup characters */
        CHECK(s1 && strstr(s1, "a&lt;b&gt;&amp;&quot;c&apos;") != NULL);
    w2v_free(s1);
    w2v_free(s2);
}

static void test_layouts(void)
{
    check_layout(31, 0.8, 1);    /* a usual neighbourhood */
    check_layout(31, 0.05, 2);   /* crowded: cosines close together */
    check_layout(MAXN, 0.3, 3);  /* many labels */
    check_layout(2, 0.5, 4);     /* one neighbour */
}

/* Identical vectors: every direction is undefined and every cosine equal;
 * the layout must still part them. */
static void test_identical_points(void)
{
    struct map_point pts[12];
    float vecs[12 * DIM];
    char names[12][16];
    make_points(pts, vecs, 12, 0.0, 5, names);
    for (size_t i = 1; i < 12; i++)
        CHECK_NEAR(pts[i].cosine, 1.0, 1e-6);
    CHECK(map_layout(pts, 12, vecs, DIM, NULL) == 0);
    CHECK(count_overlaps(pts, 12) == 0);
}

static void test_one_point(void)
{
    struct map_point p = {.word = "alone", .len = 5, .cosine = 1.0};
    float v[DIM] = {1};
    CHECK(map_layout(&p, 1, v, DIM, NULL) == 0);
    CHECK(p.x == 0 && p.y == 0 && p.label_w > 0);
    CHECK(map_layout(&p, 0, v, DIM, NULL) == W2V_EINVAL);
}

static void check_text(const char *in, size_t len, size_t max, const char *want, size_t want_cols)
{
    char *out = NULL;
    size_t cols = 0;
    CHECK(map_xml_text(in, len, max, &out, &cols) == 0);
    CHECK(out && strcmp(out, want) == 0);
    if (out && strcmp(out, want) != 0)
        fprintf(stderr, "  map_xml_text gave '%s', expected '%s'\n", out, want);
    CHECK(cols == want_cols);
    w2v_free(out);
}

static void test_text(void)
{
    check_text("a<b>&\"'", 7, 0, "a&lt;b&gt;&amp;&quot;&apos;", 7);
    check_text("x\xffy", 3, 0, "x\xef\xbf\xbdy", 3);                   /* invalid byte */
    check_text("\xc0\xaf", 2, 0, "\xef\xbf\xbd\xef\xbf\xbd", 2);        /* overlong '/' */
    check_text("a\x01\x7f\tb", 5, 0, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b", 5);
    check_text("\xef\xbf\xbf", 3, 0, "\xef\xbf\xbd", 1);                /* U+FFFF */
    check_text("\xc3\xa9t\xc3\xa9", 5, 0, "\xc3\xa9t\xc3\xa9", 3);      /* kept */
    check_text("\xe6\x97\xa5", 3, 0, "\xe6\x97\xa5", 2);                /* wide */
    check_text("", 0, 0, "", 0);
    check_text("a\0b", 3, 0, "a\xef\xbf\xbd" "b", 3);                   /* NUL */
    /* Cut at max columns, the last one an ellipsis. */
    check_text("abcdefgh", 8, 5, "abcd\xe2\x80\xa6", 5);
    check_text("abcde", 5, 5, "abcde", 5);
    check_text("ab\xe6\x97\xa5\xe6\x97\xa5", 8, 4, "ab\xe2\x80\xa6", 3); /* no half wide char */
}

int main(void)
{
    TEST_RUN(test_layouts);
    TEST_RUN(test_identical_points);
    TEST_RUN(test_one_point);
    TEST_RUN(test_text);
    return TEST_REPORT("test_map");
}
