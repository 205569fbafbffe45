/* fuzz_mptcp_opt.c - libFuzzer target for the MPTCP option parser.
 *
 * Input: byte 0 = TCP flags, the rest = the TCP option area.  Beyond
 * memory safety (ASan/UBSan), checks the parser's own promises: every
 * kind-30 option lands in at most one counter, the return value is the
 * number of kept suboptions, and a suboption that is not present left its
 * fields zero. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/mptcp_opt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)  \
    do {             \
        if (!(cond)) \
            abort(); \
    } while (0)

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sampo__mptcp_opts o;

    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    size_t len = size - 1;
    /* An exact-size copy, so that ASan sees a read one byte past the end
     * even when the fuzzer's buffer is larger. */
    uint8_t *opts = malloc(len ? len : 1);
    if (opts == NULL)
        return 0;
    memcpy(opts, data + 1, len);

    int kept = sampo__mptcp_parse(opts, len, flags, &o);

    int bits = 0;
    for (uint32_t v = o.present; v; v &= v - 1)
        bits++;
    CHECK(kept == bits);
    CHECK((o.present & ~0x1ffu) == 0);
    CHECK(o.reserved == 0);
    /* No double counting while the counters are far from saturation. */
    if (o.n_mptcp < UINT16_MAX)
        CHECK((unsigned)bits + o.n_malformed + o.n_truncated + o.n_unknown + o.n_duplicate <=
              o.n_mptcp);
    CHECK(o.n_truncated <= 1); /* a cut option is always the last one */

    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_CAPABLE))
        CHECK(all_zero(&o.mpc, sizeof o.mpc));
    else
        CHECK(o.mpc.len == 4 || o.mpc.len == 12 || o.mpc.len == 20 || o.mpc.len == 22 ||
              o.mpc.len == 24);
    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_JOIN))
        CHECK(all_zero(&o.join, sizeof o.join));
    else
        CHECK(o.join.len == 12 || o.join.len == 16 || o.join.len == 24);
    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_DSS))
        CHECK(all_zero(&o.dss, sizeof o.dss));
    else
        CHECK(o.dss.len >= 4 && o.dss.len <= 28);
    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_ADD_ADDR))
        CHECK(all_zero(&o.add_addr, sizeof o.add_addr));
    else
        CHECK(o.add_addr.family == 4 || o.add_addr.family == 6);
    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_REMOVE_ADDR))
        CHECK(all_zero(&o.rm_addr, sizeof o.rm_addr));
    else
        CHECK(o.rm_addr.n >= 1 && o.rm_addr.n <= SAMPO__MAX_RM_IDS);
    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_PRIO))
        CHECK(all_zero(&o.prio, sizeof o.prio));
    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_FAIL))
        CHECK(all_zero(&o.fail, sizeof o.fail));
    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_FASTCLOSE))
        CHECK(all_zero(&o.fastclose, sizeof o.fastclose));
    if (!SAMPO__HAS(&o, SAMPO__MPTCP_SUB_TCPRST))
        CHECK(all_zero(&o.tcprst, sizeof o.tcprst));

    /* Pure function: the same input gives the same output. */
    sampo__mptcp_opts again;
    CHECK(sampo__mptcp_parse(opts, len, flags, &again) == kept);
    CHECK(memcmp(&o, &again, sizeof o) == 0);

    free(opts);
    return 0;
}
