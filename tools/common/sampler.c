/*
 * sampler.c - count-, time- and probability-based packet sampling.
 *
 * count:N keeps the packets whose 0-based index i has i % N == N - 1,
 * i.e. packets N, 2N, 3N, ... in reading order.  time:USEC keeps the first
 * packet whose timestamp falls in each slot [k*USEC, (k+1)*USEC) of packet
 * time, for increasing k (a packet whose slot is not after the last kept
 * one is dropped).  prob:P keeps each packet independently with
 * probability P, drawn from xoshiro256** seeded through splitmix64, so a
 * given seed always selects the same packets.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "sampler.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "numparse.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sampler_next_u64(struct sampler *s)
{
    uint64_t *st = s->s;
    uint64_t result = rotl(st[1] * 5, 7) * 9;
    uint64_t t = st[1] << 17;

    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 45);
    return result;
}

int sampler_parse(const char *text, struct sampler_spec *out, char *err, size_t errlen)
{
    struct sampler_spec sp;
    const char *arg;
    char buf[128];

    memset(&sp, 0, sizeof sp);
    sp.seed = SAMPLER_DEFAULT_SEED;
    if (strncmp(text, "count:", 6) == 0) {
        arg = text + 6;
        if (parse_u64(arg, &sp.n) != 0 || sp.n < 1 || sp.n > UINT32_MAX) {
            snprintf(err, errlen, "count:N needs an integer N from 1 to %lu, not '%s'",
                     (unsigned long)UINT32_MAX, arg);
            return -1;
        }
        sp.mode = SAMPLER_COUNT;
    } else if (strncmp(text, "time:", 5) == 0) {
        uint64_t usec;
        arg = text + 5;
        if (parse_u64(arg, &usec) != 0 || usec < 1 || usec > UINT64_MAX / 1000) {
            snprintf(err, errlen,
                     "time:USEC needs a positive integer number of microseconds, not '%s'", arg);
            return -1;
        }
        sp.mode = SAMPLER_TIME;
        sp.slot_ns = usec * 1000;
    } else if (strncmp(text, "prob:", 5) == 0) {
        const char *colon;
        size_t plen;
        arg = text + 5;
        colon = strchr(arg, ':');
        plen = colon ? (size_t)(colon - arg) : strlen(arg);
        if (plen >= sizeof buf)
            plen = sizeof buf - 1;
        memcpy(buf, arg, plen);
        buf[plen] = '\0';
        if (parse_real(buf, &sp.p) != 0 || !(sp.p > 0.0) || sp.p > 1.0) {
            snprintf(err, errlen, "prob:P needs a probability P with 0 < P <= 1, not '%s'", buf);
            return -1;
        }
        if (colon != NULL && parse_u64(colon + 1, &sp.seed) != 0) {
            snprintf(err, errlen, "prob:P:SEED needs an unsigned integer SEED, not '%s'",
                     colon + 1);
            return -1;
        }
        sp.mode = SAMPLER_PROB;
    } else {
        snprintf(err, errlen, "expected count:N, time:USEC or prob:P[:SEED], not '%s'", text);
        return -1;
    }
    *out = sp;
    return 0;
}

void sampler_init(struct sampler *s, const struct sampler_spec *spec)
{
    uint64_t x;
    int i;

    memset(s, 0, sizeof *s);
    s->spec = *spec;
    x = spec->seed;
    for (i = 0; i < 4; i++)
        s->s[i] = splitmix64(&x);
    if (spec->mode == SAMPLER_PROB) {
        double r = floor(1.0 / spec->p + 0.5);
        s->prob_rate = r >= 4294967295.0 ? UINT32_MAX : (r < 1.0 ? 1 : (uint32_t)r);
    }
}

int sampler_take(struct sampler *s, uint64_t ts_ns, uint32_t *rate)
{
    int keep = 0;
    uint64_t idx = s->seen++;

    switch (s->spec.mode) {
    case SAMPLER_NONE:
        *rate = 0;
        s->taken++;
        return 1;
    case SAMPLER_COUNT:
        keep = idx % s->spec.n == s->spec.n - 1;
        *rate = (uint32_t)s->spec.n;
        break;
    case SAMPLER_TIME: {
        uint64_t slot = ts_ns / s->spec.slot_ns;
        if (!s->have_slot || slot > s->last_slot) {
            keep = 1;
            s->have_slot = 1;
            s->last_slot = slot;
        }
        break;
    }
    case SAMPLER_PROB: {
        /* 53 random bits as a double in [0, 1). */
        double u = (double)(sampler_next_u64(s) >> 11) * 0x1.0p-53;
        keep = u < s->spec.p;
        *rate = s->prob_rate;
        break;
    }
    }
    if (!keep)
        return 0;
    s->taken++;
    if (s->spec.mode == SAMPLER_TIME) {
        /* Observed ratio so far, rounded to nearest, this packet included. */
        uint64_t r = (s->seen + s->taken / 2) / s->taken;
        *rate = r > UINT32_MAX ? UINT32_MAX : (uint32_t)(r ? r : 1);
    }
    return 1;
}

uint32_t sampler_combined_rate(uint32_t input_rate, uint32_t sample_rate, int *clamped)
{
    uint64_t r;

    *clamped = 0;
    if (sample_rate == 0)
        return 0;
    r = (uint64_t)input_rate * sample_rate;
    if (r > UINT32_MAX) {
        *clamped = 1;
        return UINT32_MAX;
    }
    return (uint32_t)r;
}
