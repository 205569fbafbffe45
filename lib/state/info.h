/* info.h - the public records of subflows and sessions, built from state
 * in the library's own (newest) layout; the API copies what the caller's
 * struct size covers. */
#ifndef SAMPO_STATE_INFO_H
#define SAMPO_STATE_INFO_H

#include "sampo.h"
#include "state/session.h"
#include "state/subflow.h"

void sampo__subflow_info(const sampo__subflow *sf, sampo_subflow_info *out);
void sampo__session_info(const sampo__session *s, sampo_session_info *out);
/* The token identity a connection gives its session (keys_known bits and
 * tokens, as in sampo_session_info); all zero for NULL. */
struct sampo__conn;
void sampo__conn_identity(const struct sampo__conn *c, uint8_t *keys, uint32_t token[2]);

/* The subflow an event is about: flow, id and session. */
void sampo__event_about(sampo_event *ev, const sampo__subflow *sf);
/* The other subflow of a pair event: peer, its id and session. */
void sampo__event_peer(sampo_event *ev, const sampo__subflow *sf);

#endif
