/* hash.h - the keyed hash every table of the context uses.
 *
 * Each 8-byte word goes through a bijective multiply-xorshift mix with a
 * running state that starts from the context's secret seed, so which keys
 * collide depends on the seed (an attacker who cannot read it cannot aim
 * a flood at one bucket).  Tables are uthash, configured in
 * core/uthash_cfg.h; keys are hashed here and inserted BYHASHVALUE. */
#ifndef SAMPO_CORE_HASH_H
#define SAMPO_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t sampo__mix64(uint64_t x);
uint64_t sampo__hash(uint64_t seed, const void *data, size_t len);

static inline unsigned sampo__hash_u64(uint64_t seed, uint64_t v)
{
    return (unsigned)sampo__hash(seed, &v, sizeof(v));
}

static inline unsigned sampo__hash_u32(uint64_t seed, uint32_t v)
{
    return (unsigned)sampo__hash(seed, &v, sizeof(v));
}

#endif
