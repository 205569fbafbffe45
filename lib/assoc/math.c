/* math.c - the probabilities of docs/algorithm.md 4.4, 4.5 and 4.7. */
#include <math.h>

#include "assoc/math.h"

double sampo__phi_gap_distinct(double gap, double maxgap, double k)
{
    if (!(maxgap > 0))
        return gap > 0 ? 1.0 : 0.5;
    return 1.0 / (1.0 + exp(-k * (gap / maxgap - 1.0)));
}

double sampo__expected_collisions(double n, double m, double sum_a, double sum_b, double g)
{
    if (!(g > 0))
        return INFINITY;
    /* Each A segment forbids its length plus pB - 1 start positions of a B
     * segment: m ΣpA + n ΣpB - n m forbidden (start, segment) choices. */
    double x = (m * sum_a + n * sum_b - n * m) / g;
    return x > 0 ? x : 0.0;
}

double sampo__p_close(double f, double gap, double n1, double n2, int bits)
{
    double p = f * (2.0 * gap + n1 + n2) / ldexp(1.0, bits);
    return p > 1.0 ? 1.0 : p < 0 ? 0 : p;
}

double sampo__poisson_tail(double lambda, uint32_t r)
{
    if (r == 0)
        return 1.0;
    double term = exp(-lambda), cdf = 0;
    for (uint32_t i = 0; i < r; i++) {
        cdf += term;
        term *= lambda / (double)(i + 1);
    }
    double t = 1.0 - cdf;
    return t < 0 ? 0 : t;
}
