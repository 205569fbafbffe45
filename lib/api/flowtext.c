/* flowtext.c - "SRC:PORT-DST:PORT" text form of a 5-tuple (public helpers). */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sampo.h"

static int endpoint_format(int family, const uint8_t *addr, uint16_t port, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN];
    if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a)))
        return -1;
    return snprintf(buf, len, family == 6 ? "[%s]:%u" : "%s:%u", a, (unsigned)port);
}

SAMPO_API int sampo_flow_format(const sampo_flow *flow, char *buf, size_t len)
{
    char s[64], d[64];
    if (!flow || !buf || (flow->family != 4 && flow->family != 6))
        return SAMPO_E_INVAL;
    if (endpoint_format(flow->family, flow->src, flow->src_port, s, sizeof(s)) < 0 ||
        endpoint_format(flow->family, flow->dst, flow->dst_port, d, sizeof(d)) < 0)
        return SAMPO_E_INVAL;
    int n = snprintf(buf, len, "%s-%s", s, d);
    if (n < 0 || (size_t)n >= len) {
        if (len)
            buf[0] = '\0';
        return SAMPO_E_NOSPACE;
    }
    return n;
}

/* Parse one "ADDR:PORT" or "[ADDR6]:PORT" from text[0..n). */
static int endpoint_parse(const char *text, size_t n, int *family, uint8_t *addr, uint16_t *port)
{
    char a[INET6_ADDRSTRLEN + 2];
    const char *colon;
    if (n == 0 || n >= sizeof(a) + 8)
        return -1;
    if (text[0] == '[') {
        const char *close = memchr(text, ']', n);
        if (!close || close + 1 >= text + n || close[1] != ':')
            return -1;
        size_t alen = (size_t)(close - text - 1);
        if (alen >= sizeof(a))
            return -1;
        memcpy(a, text + 1, alen);
        a[alen] = '\0';
        if (inet_pton(AF_INET6, a, addr) != 1)
            return -1;
        *family = 6;
        colon = close + 1;
    } else {
        colon = NULL;
        for (const char *c = text; c < text + n; c++)
            if (*c == ':')
                colon = c;
        if (!colon || (size_t)(colon - text) >= sizeof(a))
            return -1;
        memcpy(a, text, (size_t)(colon - text));
        a[colon - text] = '\0';
        if (inet_pton(AF_INET, a, addr) != 1)
            return -1;
        *family = 4;
    }
    const char *p = colon + 1, *end = text + n;
    if (p == end || end - p > 5)
        return -1;
    unsigned v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

SAMPO_API int sampo_flow_parse(const char *text, sampo_flow *out)
{
    if (!text || !out)
        return SAMPO_E_INVAL;
    sampo_flow f;
    memset(&f, 0, sizeof(f));
    size_t len = strlen(text);
    /* The separator is the '-' after the first endpoint's port: the first
     * '-' after a ':' that is not inside brackets (IPv4 and IPv6 addresses
     * contain no '-'). */
    const char *dash = strchr(text, '-');
    if (!dash)
        return SAMPO_E_INVAL;
    int f1, f2;
    if (endpoint_parse(text, (size_t)(dash - text), &f1, f.src, &f.src_port) ||
        endpoint_parse(dash + 1, len - (size_t)(dash - text) - 1, &f2, f.dst, &f.dst_port) ||
        f1 != f2)
        return SAMPO_E_INVAL;
    f.family = (uint8_t)f1;
    *out = f;
    return SAMPO_OK;
}
