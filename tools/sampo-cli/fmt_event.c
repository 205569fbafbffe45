/*
 * fmt_event.c - which event members mean something for which event type.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 */
#define _POSIX_C_SOURCE 200809L /* inet_ntop */
#include "format.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define F_SESSION (1u << 0)
#define F_OTHER (1u << 1) /* other_session, when non-zero */
#define F_FLOW (1u << 2)
#define F_PEER (1u << 3)
#define F_METHOD (1u << 4)  /* method and confidence */
#define F_VERDICT (1u << 5) /* verdict */
#define F_REASON (1u << 6)
#define F_VERSION (1u << 7)
#define F_ADDR (1u << 8) /* addr, port, echo */
#define F_ADDR_ID (1u << 9)
#define F_BACKUP (1u << 10)
#define F_DSN (1u << 11)
#define F_OLD_VERDICT (1u << 12)

const char *const event_csv_columns[] = {
    "session", "other_session", "flow",   "peer",        "method",  "confidence",
    "verdict", "old_verdict",   "reason", "reason_code", "version", "addr",
    "port",    "addr_id",       "echo",   "backup",      "dsn",     NULL,
};

static unsigned type_fields(int type)
{
    switch (type) {
    case SAMPO_EV_SESSION_OPENED:
        return F_SESSION | F_FLOW | F_VERSION;
    case SAMPO_EV_SUBFLOW_JOINED:
        return F_SESSION | F_OTHER | F_FLOW | F_METHOD | F_BACKUP;
    case SAMPO_EV_VERDICT_REVISED:
        return F_SESSION | F_FLOW | F_PEER | F_METHOD | F_VERDICT | F_OLD_VERDICT;
    /* The vetoed tie: its verdict (same), method and Φ.  A conflict has no
     * earlier verdict; the library leaves old_verdict zero. */
    case SAMPO_EV_CONFLICT:
        return F_SESSION | F_OTHER | F_FLOW | F_PEER | F_METHOD | F_VERDICT;
    case SAMPO_EV_SESSION_CLOSED:
        return F_SESSION | F_REASON;
    case SAMPO_EV_ADD_ADDR:
        return F_SESSION | F_FLOW | F_ADDR | F_ADDR_ID;
    case SAMPO_EV_REMOVE_ADDR:
        return F_SESSION | F_FLOW | F_ADDR_ID;
    case SAMPO_EV_MP_PRIO:
        return F_SESSION | F_FLOW | F_BACKUP | F_ADDR_ID;
    case SAMPO_EV_MP_FAIL:
        return F_SESSION | F_FLOW | F_DSN;
    case SAMPO_EV_FALLBACK:
        return F_SESSION | F_FLOW;
    case SAMPO_EV_SUBFLOW_CLOSED:
        return F_SESSION | F_FLOW | F_REASON;
    /* End of life: the tie the record ends with, and why it ends. */
    case SAMPO_EV_SUBFLOW_END:
        return F_SESSION | F_FLOW | F_METHOD | F_REASON;
    case SAMPO_EV_SESSION_END:
        return F_SESSION | F_METHOD | F_REASON | F_VERSION;
    default:
        return F_SESSION | F_FLOW;
    }
}

const char *event_name(int type)
{
    const char *name = sampo_event_name(type);

    return name != NULL ? name : "unknown";
}

const char *verdict_name(int v)
{
    switch (v) {
    case SAMPO_VERDICT_UNDECIDED:
        return "undecided";
    case SAMPO_VERDICT_SAME:
        return "same";
    case SAMPO_VERDICT_DISTINCT:
        return "distinct";
    default:
        return "unknown";
    }
}

static void flow_text(const sampo_flow *f, char *buf, size_t len)
{
    if ((f->family != 4 && f->family != 6) || sampo_flow_format(f, buf, len) < 0)
        buf[0] = '\0';
}

static struct evfield *add(struct evfield *f, const char *key, enum evf_kind kind)
{
    memset(f, 0, sizeof *f);
    f->key = key;
    f->kind = kind;
    return f;
}

int event_fields(const sampo_event *ev, struct evfield *out, struct evtext *text)
{
    unsigned m = type_fields(ev->type);
    int n = 0;

    if (m & F_SESSION)
        add(&out[n++], "session", EVF_U64)->u = ev->session_id;
    if ((m & F_OTHER) && ev->other_session_id != 0)
        add(&out[n++], "other_session", EVF_U64)->u = ev->other_session_id;
    if (m & F_FLOW) {
        flow_text(&ev->flow, text->flow, sizeof text->flow);
        if (text->flow[0])
            add(&out[n++], "flow", EVF_STR)->s = text->flow;
        else
            add(&out[n++], "flow", EVF_NULL);
    }
    if (m & F_PEER) {
        flow_text(&ev->peer, text->peer, sizeof text->peer);
        if (text->peer[0])
            add(&out[n++], "peer", EVF_STR)->s = text->peer;
        else
            add(&out[n++], "peer", EVF_NULL);
    }
    if (m & F_METHOD) {
        add(&out[n++], "method", EVF_STR)->s = sampo_method_name(ev->method);
        add(&out[n++], "confidence", EVF_REAL)->r = ev->confidence;
    }
    if (m & F_VERDICT)
        add(&out[n++], "verdict", EVF_STR)->s = verdict_name(ev->verdict);
    if (m & F_OLD_VERDICT)
        add(&out[n++], "old_verdict", EVF_STR)->s = verdict_name(ev->old_verdict);
    if (m & F_REASON) {
        add(&out[n++], "reason", EVF_STR)->s = sampo_close_reason_name(ev->reason);
        add(&out[n++], "reason_code", EVF_INT)->i = ev->reason;
    }
    if (m & F_VERSION) {
        if (ev->mptcp_version <= 1)
            add(&out[n++], "version", EVF_U64)->u = ev->mptcp_version;
        else
            add(&out[n++], "version", EVF_NULL);
    }
    if (m & F_ADDR) {
        int af = ev->addr_family == 6 ? AF_INET6 : AF_INET;
        if ((ev->addr_family == 4 || ev->addr_family == 6) &&
            inet_ntop(af, ev->addr, text->addr, sizeof text->addr) != NULL)
            add(&out[n++], "addr", EVF_STR)->s = text->addr;
        else
            add(&out[n++], "addr", EVF_NULL);
        if (ev->addr_port != 0)
            add(&out[n++], "port", EVF_U64)->u = ev->addr_port;
        else
            add(&out[n++], "port", EVF_NULL);
        add(&out[n++], "echo", EVF_BOOL)->u = ev->echo != 0;
    }
    if (m & F_ADDR_ID)
        add(&out[n++], "addr_id", EVF_U64)->u = ev->addr_id;
    if (m & F_BACKUP)
        add(&out[n++], "backup", EVF_BOOL)->u = ev->backup != 0;
    if (m & F_DSN)
        add(&out[n++], "dsn", EVF_U64)->u = ev->dsn;
    return n;
}

const struct formatter *formatter_get(enum cli_format f)
{
    switch (f) {
    case CLI_FMT_JSON:
        return &fmt_json;
    case CLI_FMT_CSV:
        return &fmt_csv;
    case CLI_FMT_EVE:
        return &fmt_eve;
    case CLI_FMT_TEXT:
    default:
        return &fmt_text;
    }
}
