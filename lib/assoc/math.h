/* math.h - the probabilities of docs/algorithm.md 4.4, 4.5 and 4.7.
 * Pure functions, unit-tested against hand-computed values. */
#ifndef SAMPO_ASSOC_MATH_H
#define SAMPO_ASSOC_MATH_H

#include <stdint.h>

/* Gap rule (4.4): Φ_D = logistic(k (gap / maxgap - 1)). */
double sampo__phi_gap_distinct(double gap, double maxgap, double k);

/* Second level (4.5): the collisions distinct sessions are expected to
 * show, E_d = (m ΣpA + n ΣpB - n m) / G (>= 0; infinite when G = 0); the
 * chapter's P_min, the chance of at least one, is 1 - exp(-E_d). */
double sampo__expected_collisions(double n, double m, double sum_a, double sum_b, double g);

/* Absolute proximity (4.4): chance that one of F unrelated ranges lands
 * this close: min(1, F (2 gap + n1 + n2) / 2^bits). */
double sampo__p_close(double f, double gap, double n1, double n2, int bits);

/* Chance that a Poisson(lambda) variable reaches r or more. */
double sampo__poisson_tail(double lambda, uint32_t r);

#endif
