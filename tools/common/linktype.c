/*
 * linktype.c - libpcap data link types to libsampo link types.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#include "linktype.h"

#include "sampo.h"

int sampo_tools_linktype(int dlt)
{
    switch (dlt) {
    case 1: /* DLT_EN10MB */
        return SAMPO_LINKTYPE_ETHERNET;
    case 12:  /* DLT_RAW on most systems */
    case 14:  /* DLT_RAW on OpenBSD */
    case 101: /* LINKTYPE_RAW */
        return SAMPO_LINKTYPE_RAW;
    case 113: /* DLT_LINUX_SLL */
        return SAMPO_LINKTYPE_LINUX_SLL;
    case 276: /* DLT_LINUX_SLL2 */
        return SAMPO_LINKTYPE_LINUX_SLL2;
    case 228: /* DLT_IPV4 */
        return SAMPO_LINKTYPE_IPV4;
    case 229: /* DLT_IPV6 */
        return SAMPO_LINKTYPE_IPV6;
    default:
        return 0;
    }
}
