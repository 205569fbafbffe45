/*
 * linktype.h - libpcap data link types to libsampo link types, for the
 * programs that read captures (sampo-cli, the Python module).
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#ifndef SAMPO_TOOLS_LINKTYPE_H
#define SAMPO_TOOLS_LINKTYPE_H

/* @return the SAMPO_LINKTYPE_* for a pcap DLT_* value, 0 if unsupported. */
int sampo_tools_linktype(int dlt);

#endif
