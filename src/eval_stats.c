/* eval_stats.c — Pearson's r and Spearman's rho (average ranks for ties,
 * as scipy.stats.spearmanr), computed in double. */
#include "w2v/eval.h"

#include <math.h>
#include <stdlib.h>

/* ---- statistics ------------------------------------------------------------------------ */

/* Binary exponent that brings the largest |x[i]| into [0.5, 1) (0 for all
 * zeros), and whether x holds a single value. */
static int pearson_scale(const double *x, size_t n, int *constant)
{
    double m = 0;
    *constant = 1;
    for (size_t i = 0; i < n; i++) {
        m = fabs(x[i]) > m ? fabs(x[i]) : m;
        *constant &= x[i] == x[0];
    }
    int e = 0;
    if (m > 0 && isfinite(m))
        frexp(m, &e);
    return e;
}

double eval_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    /* r does not change when x or y is scaled, so scale each by a power of
     * two (exact) that brings it near 1: squares and sums of scores like
     * 1e200 or 1e-200 then neither overflow nor vanish. A constant input is
     * caught before its mean's rounding can make it look variable. */
    int cx, cy;
    const int ex = pearson_scale(x, n, &cx), ey = pearson_scale(y, n, &cy);
    if (cx || cy)
        return NAN;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += ldexp(x[i], -ex);
        my += ldexp(y[i], -ey);
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = ldexp(x[i], -ex) - mx, dy = ldexp(y[i], -ey) - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx == 0 || syy == 0)
        return NAN;
    double r = sxy / sqrt(sxx * syy);
    /* Rounding can push a perfect correlation a hair past 1. */
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

struct ranked {
    double v;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->v < y->v)
        return -1;
    if (x->v > y->v)
        return 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int eval_rank(const double *x, size_t n, double *rank)
{
    struct ranked *r = w2v_calloc(n ? n : 1, sizeof *r);
    if (!r)
        return W2V_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        r[i].v = x[i];
        r[i].i = i;
    }
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && r[j].v == r[i].v)
            j++;
        /* Positions i..j-1 hold ranks i+1..j; each gets their mean. */
        double avg = ((double)(i + 1) + (double)j) / 2.0;
        for (size_t k = i; k < j; k++)
            rank[r[k].i] = avg;
        i = j;
    }
    w2v_free(r);
    return 0;
}

double eval_spearman(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    double *rx = w2v_calloc(n, sizeof *rx);
    double *ry = w2v_calloc(n, sizeof *ry);
    double rho = NAN;
    if (rx && ry && eval_rank(x, n, rx) == 0 && eval_rank(y, n, ry) == 0)
        rho = eval_pearson(rx, ry, n);
    w2v_free(rx);
    w2v_free(ry);
    return rho;
}
