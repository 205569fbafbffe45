/*
 * community_id.h - Community ID v1 flow hashes, as Zeek, Suricata and
 * Wireshark compute them (https://github.com/corelight/community-id-spec),
 * so that a subflow record joins the other tools' records of the same
 * connection by one string.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_CLI_COMMUNITY_ID_H
#define SAMPO_CLI_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

#include "sampo.h"

/* "1:" + 28 base64 characters of the 20-byte SHA-1 + NUL. */
#define COMMUNITY_ID_LEN 32

#define COMMUNITY_ID_TCP 6

/*
 * The Community ID v1 of a flow: SHA-1 over seed (2 bytes), the two
 * addresses (4 or 16 bytes each), proto (1 byte), a zero byte and, when
 * `has_ports`, the two ports (2 bytes each), all in network byte order,
 * the endpoints ordered so that the smaller address (then port) comes
 * first; base64 (EVP_EncodeBlock) after "1:".  `family` is 4 or 6.
 * ICMP's type/code mapping is not done: pass its ports as the spec maps
 * them.  @return 0, or -1 for an unknown family or a short buffer
 * (out is then "").
 */
int community_id_v1(int family, const uint8_t *saddr, const uint8_t *daddr, uint16_t sport,
                    uint16_t dport, uint8_t proto, int has_ports, uint16_t seed, char *out,
                    size_t len);

/* The Community ID of a TCP subflow.  @return as community_id_v1(). */
int community_id_flow(const sampo_flow *f, uint16_t seed, char *out, size_t len);

#endif /* SAMPO_CLI_COMMUNITY_ID_H */
