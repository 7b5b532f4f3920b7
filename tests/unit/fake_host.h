/*
 * fake_host.h - a duet_host that records what the engine asks of Janus.
 *
 * Unit tests drive the real engine and route table with members made here;
 * every event pushed to a member is kept in its inbox, every PeerConnection
 * close is counted, and time is a variable the test moves.
 */
#ifndef DUET_FAKE_HOST_H
#define DUET_FAKE_HOST_H

#include "engine.h"

typedef struct fake_member {
	duet_member member;
	int refs;
	GPtrArray *inbox; /* json_t events pushed to this member */
	int closes;
	int closes_expecting_hangup; /* closes of a PeerConnection the engine knew of */
	int bitrate_updates;
	int recordings; /* starts minus stops */
} fake_member;

extern const duet_host fake_host;
extern gint64 fake_now;
extern int fake_push_result; /* what push returns for JSEP forwards */
extern GPtrArray *fake_notifications;

fake_member *fake_member_new(void);
void fake_member_free(fake_member *m);
/* Removes and returns the oldest event in the inbox (caller decrefs), or NULL. */
json_t *fake_next_event(fake_member *m);
/* The oldest event named `name`, removed from the inbox, or NULL. */
json_t *fake_take_event(fake_member *m, const char *name);
void fake_reset(void);

duet_engine *fake_engine_new(gboolean auto_create, guint max_rooms, const char *admin_key);
/* Runs a request given as JSON text; returns the answer (caller decrefs). */
json_t *fake_request(duet_engine *engine, fake_member *caller, const char *body_json, json_t *jsep);
/* The error code of an answer, 0 when it is not an error. */
int fake_error_code(json_t *answer);
#endif
