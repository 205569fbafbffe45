/*
 * sampler.h - packet sampling as a switch would do it (--sample).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_SAMPLER_H
#define SAMPO_CLI_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

enum sampler_mode {
    SAMPLER_NONE = 0,  /* every packet */
    SAMPLER_COUNT = 1, /* count:N  - packets N, 2N, 3N, ... (1-based) */
    SAMPLER_TIME = 2,  /* time:USEC - first packet of each USEC slot */
    SAMPLER_PROB = 3,  /* prob:P[:SEED] - each packet with probability P */
};

#define SAMPLER_DEFAULT_SEED 1

struct sampler_spec {
    enum sampler_mode mode;
    uint64_t n;       /* count: N (1..UINT32_MAX) */
    uint64_t slot_ns; /* time: slot length in ns */
    double p;         /* prob: probability in (0, 1] */
    uint64_t seed;    /* prob: PRNG seed */
};

struct sampler {
    struct sampler_spec spec;
    uint64_t seen, taken;
    uint64_t last_slot;
    int have_slot;
    uint64_t s[4]; /* xoshiro256** state */
    uint32_t prob_rate;
};

/*
 * Parse "count:N", "time:USEC" or "prob:P[:SEED]".
 * @return 0, or -1 with a message in err.
 */
int sampler_parse(const char *text, struct sampler_spec *out, char *err, size_t errlen);

void sampler_init(struct sampler *s, const struct sampler_spec *spec);

/*
 * Decide on one packet of time ts_ns.
 * @return 1 to keep it (then *rate is the 1-in-N rate this sampling
 *         stands for, 0 without sampling), 0 to drop it.
 */
int sampler_take(struct sampler *s, uint64_t ts_ns, uint32_t *rate);

/* The rate a packet was sampled at in all: the input's 1-in-N (an sFlow
 * sample's) times the sampler's (0: no --sample, the context default
 * applies).  A product past 2^32 - 1 is held there and *clamped is set. */
uint32_t sampler_combined_rate(uint32_t input_rate, uint32_t sample_rate, int *clamped);

/* Uniform 64-bit value from the sampler's generator (tests). */
uint64_t sampler_next_u64(struct sampler *s);

#endif /* SAMPO_CLI_SAMPLER_H */
