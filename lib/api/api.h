/* api.h - what the public entry points share: the error of the last call,
 * the callback guard, the delivery of events, and size-tolerant structs. */
#ifndef SAMPO_API_API_H
#define SAMPO_API_API_H

#include <stddef.h>
#include <string.h>

#include "engine/ctx.h"

/* The smallest size a caller's struct may declare: its first released
 * layout, up to the end of that layout's last member. */
#define SAMPO__MIN_SIZE(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))
#define SAMPO__V01_PACKET SAMPO__MIN_SIZE(sampo_packet, source_id)
#define SAMPO__V01_BOUNDS SAMPO__MIN_SIZE(sampo_bounds, rdefault)
#define SAMPO__V01_EVENT SAMPO__MIN_SIZE(sampo_event, dsn)
#define SAMPO__V01_SUBFLOW_INFO SAMPO__MIN_SIZE(sampo_subflow_info, est_bytes)
#define SAMPO__V01_SESSION_INFO SAMPO__MIN_SIZE(sampo_session_info, est_bytes)
#define SAMPO__V01_PAIR_INFO SAMPO__MIN_SIZE(sampo_pair_info, updated_ns)
#define SAMPO__V02_RESULT SAMPO__MIN_SIZE(sampo_result, payload_dsn)

/* Copy the library's struct `src` (of `size`) into the caller's `dst`,
 * whose first member is the size it declared: no byte past it is written,
 * and its size member keeps the caller's value. */
static inline void sampo__copy_out(void *dst, const void *src, size_t size)
{
    size_t want;
    memcpy(&want, dst, sizeof(want));
    memcpy(dst, src, want < size ? want : size);
    memcpy(dst, &want, sizeof(want));
}

/* The detail of the last call: set on failure (returns rc), cleared on
 * success.  The context is never a const object: the error text is its
 * one mutable part even for calls that only read it. */
int sampo__fail(const sampo_ctx *ctx, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sampo__succeed(const sampo_ctx *ctx, int rc);

/* Calls that change the context are refused from inside a callback. */
#define SAMPO__MUTATOR(ctx)                                                              \
    do {                                                                                 \
        if (!(ctx))                                                                      \
            return SAMPO_E_INVAL;                                                        \
        if ((ctx)->in_callback)                                                          \
            return sampo__fail((ctx), SAMPO_E_BUSY, "%s: not allowed inside a callback", \
                               __func__);                                                \
    } while (0)

#endif
