/* ctx.h - the context: the engine owns every part of it and hands the
 * lower layers what they need (core/env.h). */
#ifndef SAMPO_ENGINE_CTX_H
#define SAMPO_ENGINE_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "assoc/run.h"
#include "core/env.h"
#include "core/events.h"
#include "sampo.h"
#include "state/conn.h"
#include "state/session.h"
#include "state/source.h"
#include "state/table.h"

struct sampo_ctx {
    sampo__mem mem;
    uint64_t cnt[SAMPO_CNT__COUNT];
    sampo__opts opt;
    sampo__env env; /* the lower layers' view of the above */
    sampo__evq evq;
    bool active;      /* a packet was fed: options are frozen */
    bool in_callback; /* events are being delivered */
    uint64_t now_ns, next_run_ns;
    size_t room_margin; /* bound on what a packet of a known subflow allocates
                         * (sampo__lc_packet_margin), refreshed at each creation */

    sampo__table flows;
    sampo__conns conns;
    sampo__sessions sessions;
    sampo__sources sources;
    sampo__assoc assoc;

    char err[160];
};

#endif
