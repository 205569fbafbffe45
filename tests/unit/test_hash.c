/* test_hash.c - the tables' keyed hash (core/hash.c) and what a flood of
 * colliding keys costs (core/uthash_cfg.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/flow.h"
#include "core/hash.h"
#include "core/uthash_cfg.h"
#include "engine/ctx.h"
#include "pktgen.h"
#include "sampo.h"

/* The reference key 00 01 .. 0f and messages 00 01 .. n-1, n = 0 .. 63. */
static const sampo__hkey ref_key = {UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908)};

/* SipHash-2-4, the published vectors (vectors.h of the reference
 * implementation, https://github.com/veorq/SipHash; the first, 15th and
 * 16th are in the paper's appendix). */
static const uint64_t vectors_24[64] = {
    UINT64_C(0x726fdb47dd0e0e31), UINT64_C(0x74f839c593dc67fd), UINT64_C(0x0d6c8009d9a94f5a),
    UINT64_C(0x85676696d7fb7e2d), UINT64_C(0xcf2794e0277187b7), UINT64_C(0x18765564cd99a68d),
    UINT64_C(0xcbc9466e58fee3ce), UINT64_C(0xab0200f58b01d137), UINT64_C(0x93f5f5799a932462),
    UINT64_C(0x9e0082df0ba9e4b0), UINT64_C(0x7a5dbbc594ddb9f3), UINT64_C(0xf4b32f46226bada7),
    UINT64_C(0x751e8fbc860ee5fb), UINT64_C(0x14ea5627c0843d90), UINT64_C(0xf723ca908e7af2ee),
    UINT64_C(0xa129ca6149be45e5), UINT64_C(0x3f2acc7f57c29bdb), UINT64_C(0x699ae9f52cbe4794),
    UINT64_C(0x4bc1b3f0968dd39c), UINT64_C(0xbb6dc91da77961bd), UINT64_C(0xbed65cf21aa2ee98),
    UINT64_C(0xd0f2cbb02e3b67c7), UINT64_C(0x93536795e3a33e88), UINT64_C(0xa80c038ccd5ccec8),
    UINT64_C(0xb8ad50c6f649af94), UINT64_C(0xbce192de8a85b8ea), UINT64_C(0x17d835b85bbb15f3),
    UINT64_C(0x2f2e6163076bcfad), UINT64_C(0xde4daaaca71dc9a5), UINT64_C(0xa6a2506687956571),
    UINT64_C(0xad87a3535c49ef28), UINT64_C(0x32d892fad841c342), UINT64_C(0x7127512f72f27cce),
    UINT64_C(0xa7f32346f95978e3), UINT64_C(0x12e0b01abb051238), UINT64_C(0x15e034d40fa197ae),
    UINT64_C(0x314dffbe0815a3b4), UINT64_C(0x027990f029623981), UINT64_C(0xcadcd4e59ef40c4d),
    UINT64_C(0x9abfd8766a33735c), UINT64_C(0x0e3ea96b5304a7d0), UINT64_C(0xad0c42d6fc585992),
    UINT64_C(0x187306c89bc215a9), UINT64_C(0xd4a60abcf3792b95), UINT64_C(0xf935451de4f21df2),
    UINT64_C(0xa9538f0419755787), UINT64_C(0xdb9acddff56ca510), UINT64_C(0xd06c98cd5c0975eb),
    UINT64_C(0xe612a3cb9ecba951), UINT64_C(0xc766e62cfcadaf96), UINT64_C(0xee64435a9752fe72),
    UINT64_C(0xa192d576b245165a), UINT64_C(0x0a8787bf8ecb74b2), UINT64_C(0x81b3e73d20b49b6f),
    UINT64_C(0x7fa8220ba3b2ecea), UINT64_C(0x245731c13ca42499), UINT64_C(0xb78dbfaf3a8d83bd),
    UINT64_C(0xea1ad565322a1a0b), UINT64_C(0x60e61c23a3795013), UINT64_C(0x6606d7e446282b93),
    UINT64_C(0x6ca4ecb15c5f91e1), UINT64_C(0x9f626da15c9625f3), UINT64_C(0xe51b38608ef25f57),
    UINT64_C(0x958a324ceb064572),
};

/* SipHash-1-3 of the same messages, computed with OpenSSL 3.0's EVP_MAC
 * "SIPHASH" (c-rounds 1, d-rounds 3), an independent implementation. */
static const uint64_t vectors_13[64] = {
    UINT64_C(0xabac0158050fc4dc), UINT64_C(0xc9f49bf37d57ca93), UINT64_C(0x82cb9b024dc7d44d),
    UINT64_C(0x8bf80ab8e7ddf7fb), UINT64_C(0xcf75576088d38328), UINT64_C(0xdef9d52f49533b67),
    UINT64_C(0xc50d2b50c59f22a7), UINT64_C(0xd3927d989bb11140), UINT64_C(0x369095118d299a8e),
    UINT64_C(0x25a48eb36c063de4), UINT64_C(0x79de85ee92ff097f), UINT64_C(0x70c118c1f94dc352),
    UINT64_C(0x78a384b157b4d9a2), UINT64_C(0x306f760c1229ffa7), UINT64_C(0x605aa111c0f95d34),
    UINT64_C(0xd320d86d2a519956), UINT64_C(0xcc4fdd1a7d908b66), UINT64_C(0x9cf2689063dbd80c),
    UINT64_C(0x8ffc389cb473e63e), UINT64_C(0xf21f9de58d297d1c), UINT64_C(0xc0dc2f46a6cce040),
    UINT64_C(0xb992abfe2b45f844), UINT64_C(0x7ffe7b9ba320872e), UINT64_C(0x525a0e7fdae6c123),
    UINT64_C(0xf464aeb267349c8c), UINT64_C(0x45cd5928705b0979), UINT64_C(0x3a3e35e3ca9913a5),
    UINT64_C(0xa91dc74e4ade3b35), UINT64_C(0xfb0bed02ef6cd00d), UINT64_C(0x88d93cb44ab1e1f4),
    UINT64_C(0x540f11d643c5e663), UINT64_C(0x2370dd1f8c21d1bc), UINT64_C(0x81157b6c16a7b60d),
    UINT64_C(0x4d54b9e57a8ff9bf), UINT64_C(0x759f12781f2a753e), UINT64_C(0xcea1a3bebf186b91),
    UINT64_C(0x2cf508d3ada26206), UINT64_C(0xb6101c2da3c33057), UINT64_C(0xb3f47496ae3a36a1),
    UINT64_C(0x626b57547b108392), UINT64_C(0xc1d2363299e41531), UINT64_C(0x667cc1923f1ad944),
    UINT64_C(0x65704ffec8138825), UINT64_C(0x24f280d1c28949a6), UINT64_C(0xc2ca1cedfaf8876b),
    UINT64_C(0xc2164bfc9f042196), UINT64_C(0xa16e9c9368b1d623), UINT64_C(0x49fb169c8b5114fd),
    UINT64_C(0x9f3143f8df074c46), UINT64_C(0xc6fdaf2412cc86b3), UINT64_C(0x7eaf49d10a52098f),
    UINT64_C(0x1cf313559d292f9a), UINT64_C(0xc44a30dda2f41f12), UINT64_C(0x36fae98943a71ed0),
    UINT64_C(0x318fb34c73f0bce6), UINT64_C(0xa27abf3670a7e980), UINT64_C(0xb4bcc0db243c6d75),
    UINT64_C(0x23f8d852fdb71513), UINT64_C(0x8f035f4da67d8a08), UINT64_C(0xd89cd0e5b7e8f148),
    UINT64_C(0xf6f4e6bcf7a644ee), UINT64_C(0xaec59ad80f1837f2), UINT64_C(0xc3b2f6154b6694e0),
    UINT64_C(0x9d199062b7bbb3a8),
};

static void message(uint8_t *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m[i] = (uint8_t)i;
}

Test(hash, siphash_2_4_reference_vectors)
{
    uint8_t m[64];
    message(m, sizeof(m));
    for (size_t n = 0; n < 64; n++)
        cr_expect_eq(sampo__siphash(ref_key, m, n, 2, 4), vectors_24[n], "length %zu", n);
}

Test(hash, siphash_1_3_vectors_and_the_tables_hash)
{
    uint8_t m[64];
    message(m, sizeof(m));
    for (size_t n = 0; n < 64; n++) {
        cr_expect_eq(sampo__siphash(ref_key, m, n, 1, 3), vectors_13[n], "length %zu", n);
        cr_expect_eq(sampo__hash(ref_key, m, n), vectors_13[n], "length %zu", n);
    }
    /* CPython 3.11's hash(b"abc") with PYTHONHASHSEED=0 (SipHash-1-3 under
     * the zero key), as an unsigned 64-bit value. */
    sampo__hkey zero = {0, 0};
    cr_expect_eq(sampo__hash(zero, "abc", 3), UINT64_C(0xc03bc3a0042630f2));
}

Test(hash, unaligned_input_hashes_the_same)
{
    uint8_t buf[80];
    for (size_t off = 1; off < 8; off++) {
        message(buf + off, 64);
        for (size_t n = 0; n < 64; n++)
            cr_expect_eq(sampo__hash(ref_key, buf + off, n), vectors_13[n]);
    }
}

Test(hash, a_seed_derives_the_whole_key_deterministically)
{
    sampo__hkey a = sampo__hkey_from_seed(0x5a4d50), b = sampo__hkey_from_seed(0x5a4d50);
    sampo__hkey c = sampo__hkey_from_seed(0x5a4d51);
    cr_expect(a.k0 == b.k0 && a.k1 == b.k1);
    cr_expect(a.k0 != c.k0 && a.k1 != c.k1);
    cr_expect(a.k0 != a.k1);

    sampo_ctx *x = NULL, *y = NULL;
    cr_assert_eq(sampo_ctx_create(&x, NULL), SAMPO_OK);
    cr_assert_eq(sampo_ctx_create(&y, NULL), SAMPO_OK);
    /* random by default: two contexts, two keys (2^-128 to be wrong) */
    cr_expect(x->env.hkey.k0 != y->env.hkey.k0 || x->env.hkey.k1 != y->env.hkey.k1);
    cr_assert_eq(sampo_ctx_set_option(x, SAMPO_OPT_HASH_SEED, 0x5a4d50), SAMPO_OK);
    cr_assert_eq(sampo_ctx_set_option(y, SAMPO_OPT_HASH_SEED, 0x5a4d50), SAMPO_OK);
    cr_expect(x->env.hkey.k0 == a.k0 && x->env.hkey.k1 == a.k1);
    cr_expect(y->env.hkey.k0 == a.k0 && y->env.hkey.k1 == a.k1);
    int64_t v = 0;
    cr_expect_eq(sampo_ctx_get_option(x, SAMPO_OPT_HASH_SEED, &v), SAMPO_OK);
    cr_expect_eq(v, 0x5a4d50);
    /* 0 again: a random key again, not the last seed's */
    cr_assert_eq(sampo_ctx_set_option(x, SAMPO_OPT_HASH_SEED, 0), SAMPO_OK);
    cr_expect(x->env.hkey.k0 != a.k0 || x->env.hkey.k1 != a.k1);
    sampo_ctx_destroy(x);
    sampo_ctx_destroy(y);
}

/* ---- a flood of 5-tuples that collide under a known seed ------------------- */

#define KNOWN_SEED 0x5a4d50 /* sampo-cli's public default until the key was random */
#define OTHER_SEED 0x9e3779b9
#define CRAFTED 1000   /* flows whose hashes share their low CRAFT_BITS bits */
#define CRAFT_BITS 12  /* one bucket up to 4096 buckets */
#define ORDINARY 20000 /* flows after them */

/* Crafted flows come from 10.0.0.0/8, ordinary ones from 172.16.0.0/12, to
 * the same server: both sort first in the canonical key. */
#define CRAFTED_NET 0x0a000000u
#define ORDINARY_NET 0xac100000u
#define SERVER 0xc0000201u /* 192.0.2.1:443 */

static unsigned flow_hash(sampo__hkey k, const tflow *f)
{
    sampo_flow pub = tp_public(f);
    sampo__fkey key;
    int dir;
    sampo__fkey_from_flow(&pub, &key, &dir);
    return sampo__fkey_hash(k, &key);
}

/* What an attacker who knows the seed does offline: walk 5-tuples and keep
 * those whose hash falls in bucket `target` of any table up to
 * 2^CRAFT_BITS buckets (about 2^12 hashes per flow kept). */
static void craft(uint64_t seed, unsigned target, tflow *out, int n)
{
    sampo__hkey k = sampo__hkey_from_seed(seed);
    const unsigned mask = (1u << CRAFT_BITS) - 1;
    for (uint32_t i = 0; n > 0; i++) {
        tflow f = tflow4(CRAFTED_NET + (i >> 4), (uint16_t)(40000 + (i & 15)), SERVER, 443);
        if ((flow_hash(k, &f) & mask) == target)
            out[--n] = f;
    }
}

static void syn(sampo_ctx *ctx, const tflow *f, uint64_t ts)
{
    uint8_t o[40];
    tpkt p = tp_build(f, TH_SYN, 1, 0, o, opt_mpc(o, 1, 4, 0, 0, 0), 0);
    cr_assert_eq(tp_feed(ctx, &p, ts), SAMPO_OK);
}

typedef struct chains {
    unsigned buckets, items;
    int frozen;             /* uthash's noexpand */
    unsigned crafted_max;   /* most crafted flows in one bucket */
    unsigned ordinary_max;  /* most ordinary flows in one bucket */
    double ordinary_lookup; /* mean length of the chain an ordinary flow is in */
} chains;

/* The flow table's chains, read from uthash's own bookkeeping. */
static chains table_chains(const sampo_ctx *ctx)
{
    chains c;
    memset(&c, 0, sizeof(c));
    const UT_hash_table *t = ctx->flows.by_key->hh.tbl;
    c.buckets = t->num_buckets;
    c.items = t->num_items;
    c.frozen = t->noexpand != 0;
    uint64_t ordinary = 0, cost = 0;
    for (unsigned b = 0; b < t->num_buckets; b++) {
        unsigned cr = 0, ord = 0, len = t->buckets[b].count;
        for (const UT_hash_handle *h = t->buckets[b].hh_head; h; h = h->hh_next) {
            const sampo__subflow *sf = (const sampo__subflow *)((const char *)h - t->hho);
            if (sf->key.addr[0][0] == (CRAFTED_NET >> 24))
                cr++;
            else
                ord++;
        }
        cr_assert_eq(cr + ord, len);
        c.crafted_max = cr > c.crafted_max ? cr : c.crafted_max;
        c.ordinary_max = ord > c.ordinary_max ? ord : c.ordinary_max;
        ordinary += ord;
        cost += (uint64_t)ord * len;
    }
    c.ordinary_lookup = ordinary ? (double)cost / (double)ordinary : 0;
    return c;
}

/* Feeds the crafted SYNs, then ORDINARY ordinary ones, into a context with
 * `seed` (and `cap`, if not 0); *after_crafted is the table after the
 * crafted ones, forced[0] and forced[1] the forced expansions then and at
 * the end. */
static chains flood(uint64_t seed, const tflow *crafted, int64_t cap, chains *after_crafted,
                    uint64_t forced[2])
{
    sampo_ctx *ctx = NULL;
    cr_assert_eq(sampo_ctx_create(&ctx, NULL), SAMPO_OK);
    cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_HASH_SEED, (int64_t)seed), SAMPO_OK);
    if (cap)
        cr_assert_eq(sampo_ctx_set_option(ctx, SAMPO_OPT_MAX_MEMORY, cap), SAMPO_OK);
    uint64_t ts = 1000000;
    for (int i = 0; i < CRAFTED; i++)
        syn(ctx, &crafted[i], ts += 1000);
    *after_crafted = table_chains(ctx);
    forced[0] = sampo_ctx_counter(ctx, SAMPO_CNT_HASH_FORCED_EXPANSIONS);
    for (uint32_t i = 0; i < ORDINARY; i++) {
        tflow f = tflow4(ORDINARY_NET + i, (uint16_t)(20000 + (i * 7919u) % 40000), SERVER, 443);
        syn(ctx, &f, ts += 1000);
    }
    chains c = table_chains(ctx);
    forced[1] = sampo_ctx_counter(ctx, SAMPO_CNT_HASH_FORCED_EXPANSIONS);
    cr_expect_eq(sampo_ctx_counter(ctx, SAMPO_CNT_SUBFLOWS_CREATED), CRAFTED + ORDINARY);
    if (cap)
        cr_expect_leq(sampo_ctx_counter(ctx, SAMPO_CNT_MEM_PEAK), (uint64_t)cap);
    sampo_ctx_destroy(ctx);
    return c;
}

/* Asserts on the table's own bookkeeping, never on time: how many buckets
 * for how many items, and how long the chains are that ordinary flows sit
 * in.  The seeds are fixed, so every figure is deterministic. */
Test(hash, colliding_5_tuples_from_a_known_seed_do_not_stop_the_table_growing)
{
    tflow *crafted = malloc(CRAFTED * sizeof(*crafted));
    cr_assert_not_null(crafted);
    craft(KNOWN_SEED, 0x5a4, crafted, CRAFTED);
    chains a0, o0, c0;
    uint64_t fa[2], fo[2], fc[2];

    /* The attacker knew the seed: every crafted flow is in one bucket.
     * uthash could not split it by expanding, froze the table (noexpand)
     * as in issue 9's audit, and the table was doubled past the freeze. */
    chains a = flood(KNOWN_SEED, crafted, 0, &a0, fa);
    cr_expect_eq(a0.crafted_max, CRAFTED);
    cr_expect_gt(fa[0], 0);
    cr_expect_geq(a0.buckets * 4u, a0.items, "%u buckets for %u items", a0.buckets, a0.items);
    /* The table went on growing with the ordinary flows (frozen, it kept
     * 128 buckets: 164 items each), so they sit in short chains, while
     * the crafted ones still share a few long ones (2^15 buckets split 12
     * equal low bits 8 ways). */
    cr_expect_eq(a.items, CRAFTED + ORDINARY);
    cr_expect_geq(a.buckets * 4u, a.items, "%u buckets for %u items", a.buckets, a.items);
    cr_expect_leq(a.ordinary_max, 16u, "an ordinary chain of %u", a.ordinary_max);
    cr_expect_leq(a.ordinary_lookup, 4.0, "ordinary chains of %.1f on average", a.ordinary_lookup);
    cr_expect_geq(a.crafted_max, CRAFTED / 16);

    /* Under another seed the same tuples are ordinary flows: spread over
     * the buckets, nothing frozen, nothing forced. */
    chains o = flood(OTHER_SEED, crafted, 0, &o0, fo);
    cr_expect_leq(o0.crafted_max, 12u, "%u crafted flows in one bucket", o0.crafted_max);
    cr_expect(!o0.frozen && !o.frozen);
    cr_expect_eq(fo[1], 0);
    cr_expect_leq(o.crafted_max, 12u);
    cr_expect_leq(o.ordinary_max, 16u);
    cr_expect_leq(o.ordinary_lookup, 4.0);

    /* Under a memory cap (the crafted flows alone reach it): the cap holds,
     * and the table still grows with what it holds. */
    chains c = flood(KNOWN_SEED, crafted, 1 << 20, &c0, fc);
    cr_expect_gt(fc[0], 0);
    cr_expect_geq(c0.buckets * 4u, c0.items, "%u buckets for %u items", c0.buckets, c0.items);
    cr_expect_geq(c.buckets * 4u, c.items, "%u buckets for %u items", c.buckets, c.items);
    free(crafted);
}

/* ---- the table in isolation: what an insert allocates ---------------------- */

typedef struct entry {
    UT_hash_handle hh;
    uint32_t key;
} entry;

static void *plain_malloc(void *op, size_t n)
{
    (void)op;
    return malloc(n);
}

static void plain_free(void *op, void *p)
{
    (void)op;
    free(p);
}

/* n entries with hash `hv` (or, when hv is 0, their key's SipHash under the
 * reference key), each insert checked against what sampo__hash_reserve()
 * promised before it. */
static void insert_checked(sampo__mem *hmem, entry **head, entry *e, uint32_t first, uint32_t n,
                           unsigned hv)
{
    for (uint32_t i = first; i < first + n; i++) {
        size_t promised = SAMPO__HASH_RESERVE(*head, hh);
        size_t before = hmem->cur;
        hmem->peak = hmem->cur;
        e[i].key = i;
        bool ok;
        SAMPO__HASH_ADD(hh, *head, &e[i].key, sizeof(e[i].key),
                        hv ? hv : sampo__hash_u32(ref_key, i), &e[i], ok);
        cr_assert(ok);
        cr_assert_leq(hmem->peak - before, promised, "insert %u allocated %zu, reserved %zu", i,
                      hmem->peak - before, promised);
    }
}

Test(hash, a_frozen_table_is_doubled_and_the_doubling_reserved)
{
    uint64_t cnt[SAMPO_CNT__COUNT] = {0};
    sampo__mem m = {.hooks = {plain_malloc, plain_free, NULL}, .cnt = cnt};
    sampo__mem *hmem = &m;
    enum { COLLIDING = 600, OTHERS = 20000 };
    entry *e = calloc(COLLIDING + OTHERS, sizeof(*e));
    cr_assert_not_null(e);
    entry *head = NULL;

    /* One hash value for all: uthash freezes the table after two
     * ineffective expansions, at 128 buckets; past 512 entries it is
     * doubled anyway. */
    insert_checked(hmem, &head, e, 0, COLLIDING, 0x5a4);
    const UT_hash_table *t = head->hh.tbl;
    cr_expect_eq(t->num_items, COLLIDING);
    cr_expect_geq(t->num_buckets * 4u, t->num_items);
    cr_expect_gt(cnt[SAMPO_CNT_HASH_FORCED_EXPANSIONS], 0);

    /* A doubling refused by the cap leaves the insert in and the table
     * frozen (uthash's state before), and is tried again later. */
    while (!t->noexpand || !sampo__hash_overloaded(t, 1))
        insert_checked(hmem, &head, e, t->num_items, 1, 0x5a4);
    unsigned buckets = t->num_buckets;
    uint64_t forced = cnt[SAMPO_CNT_HASH_FORCED_EXPANSIONS];
    m.cap = m.cur + 64;
    bool ok;
    uint32_t k = t->num_items;
    e[k].key = k;
    SAMPO__HASH_ADD(hh, head, &e[k].key, sizeof(e[k].key), 0x5a4, &e[k], ok);
    cr_expect(ok);
    cr_expect_eq(t->num_items, k + 1);
    cr_expect(t->noexpand);
    cr_expect_eq(t->num_buckets, buckets);
    cr_expect_eq(cnt[SAMPO_CNT_HASH_FORCED_EXPANSIONS], forced);
    cr_expect_gt(cnt[SAMPO_CNT_MEM_CAP_HITS], 0);
    m.cap = 0;

    /* Ordinary hash values after them: the table keeps up with them. */
    uint32_t n = t->num_items;
    insert_checked(hmem, &head, e, n, COLLIDING + OTHERS - n, 0);
    t = head->hh.tbl;
    cr_expect_eq(t->num_items, COLLIDING + OTHERS);
    cr_expect_geq(t->num_buckets * 4u, t->num_items, "%u buckets for %u items", t->num_buckets,
                  t->num_items);
    HASH_CLEAR(hh, head);
    cr_expect_eq(m.cur, 0);
    free(e);
}
