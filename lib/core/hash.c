/* hash.c - keyed hashing (see hash.h). */
#include "core/hash.h"

#include <string.h>

uint64_t sampo__mix64(uint64_t x)
{
    x ^= x >> 32;
    x *= UINT64_C(0xd6e8feb86659fd93);
    x ^= x >> 32;
    x *= UINT64_C(0xd6e8feb86659fd93);
    x ^= x >> 32;
    return x;
}

uint64_t sampo__hash(uint64_t seed, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = seed ^ (len * UINT64_C(0x9e3779b97f4a7c15));
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = sampo__mix64(h ^ w);
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, p, len);
        h = sampo__mix64(h ^ w ^ UINT64_C(0xa0761d6478bd642f));
    }
    return sampo__mix64(h);
}
