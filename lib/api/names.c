/* names.c - versions, error messages, names of enums and counters, and
 * the key -> token helper.  All reentrant. */
#include <stddef.h>

#include "sampo.h"
#include "wire/crypto.h"

SAMPO_API unsigned sampo_version_number(void) { return SAMPO_VERSION_NUMBER; }
SAMPO_API const char *sampo_version_string(void) { return SAMPO_VERSION_STRING; }

SAMPO_API const char *sampo_strerror(int code)
{
    switch (code) {
    case SAMPO_OK:
        return "success";
#define SAMPO_XX_(name, val, msg) \
    case SAMPO_E_##name:          \
        return msg;
        SAMPO_ERRNO_MAP(SAMPO_XX_)
#undef SAMPO_XX_
    default:
        return "unknown error";
    }
}

/* Counter numbers are explicit and dense: a hole would leave a NULL name. */
static const char *const counter_names[SAMPO_CNT__COUNT] = {
#define SAMPO_XX_(name, num, lower, desc) [num] = lower,
    SAMPO_COUNTER_TABLE(SAMPO_XX_)
#undef SAMPO_XX_
};
static const char *const counter_descs[SAMPO_CNT__COUNT] = {
#define SAMPO_XX_(name, num, lower, desc) [num] = desc,
    SAMPO_COUNTER_TABLE(SAMPO_XX_)
#undef SAMPO_XX_
};
#define SAMPO_XX_(name, num, lower, desc) +1
_Static_assert(0 SAMPO_COUNTER_TABLE(SAMPO_XX_) == SAMPO_CNT__COUNT,
               "counter numbers must be dense from 0");
#undef SAMPO_XX_

SAMPO_API int sampo_counter_count(void) { return SAMPO_CNT__COUNT; }

SAMPO_API const char *sampo_counter_name(int c)
{
    return c >= 0 && c < SAMPO_CNT__COUNT ? counter_names[c] : NULL;
}

SAMPO_API const char *sampo_counter_description(int c)
{
    return c >= 0 && c < SAMPO_CNT__COUNT ? counter_descs[c] : NULL;
}

#define NAME_OF(table, i)                                                                   \
    ((i) >= 0 && (i) < (int)(sizeof(table) / sizeof((table)[0])) && (table)[i] ? (table)[i] \
                                                                               : "unknown")

SAMPO_API const char *sampo_method_name(int m)
{
    static const char *const n[] = {"none",          "token",       "key-dsn",
                                    "dsn-proximity", "dsn-overlap", "reinjection"};
    return NAME_OF(n, m);
}

SAMPO_API const char *sampo_close_reason_name(int r)
{
    static const char *const n[] = {"none",    "data-fin", "fastclose", "tcprst",  "rst",   "fin",
                                    "timeout", "evicted",  "flush",     "destroy", "reused"};
    return NAME_OF(n, r);
}

SAMPO_API const char *sampo_event_name(int t)
{
    static const char *const n[] = {
        NULL,          "session-opened", "subflow-joined", "verdict-revised",
        "conflict",    "session-closed", "add-addr",       "remove-addr",
        "mp-prio",     "mp-fail",        "fallback",       "subflow-closed",
        "subflow-end", "session-end"};
    return NAME_OF(n, t);
}

SAMPO_API int sampo_key_token(uint64_t key, int version, uint32_t *token, uint64_t *idsn)
{
    return sampo__key_token(key, version, token, idsn);
}
