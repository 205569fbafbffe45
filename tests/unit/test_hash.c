/* test_hash.c - the tables' keyed hash (core/hash.c) and what a flood of
 * colliding keys costs (core/uthash_cfg.h). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "engine/ctx.h"
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
    sampo_ctx_destroy(x);
    sampo_ctx_destroy(y);
}
