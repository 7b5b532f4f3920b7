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
	GPtrArray *answers; /* json_t answers to its async requests, in order */
	int closes;
	int closes_expecting_hangup; /* closes of a PeerConnection the engine knew of */
	int bitrate_updates;
	int recordings; /* starts minus stops */
} fake_member;

extern const duet_host fake_host;
extern gint64 fake_now;
extern int fake_push_result; /* what push returns for JSEP forwards */
extern GPtrArray *fake_notifications;
/* A close of a known PeerConnection gets its hangup callback at once (TRUE,
 * the default) or only when the test calls duet_engine_media_closed. */
extern gboolean fake_auto_hangup;
/* The store: the "file" (room id -> settings as JSON) and a switch that
 * makes every write fail. */
extern const duet_store fake_store;
extern GHashTable *fake_store_file;
extern gboolean fake_store_fails;
extern int fake_store_writes;
/* Lines the engine asked the worker to deliver (host->schedule). */
int fake_scheduled(void);
/* Delivers them, as the worker would; returns how many. */
int fake_run_worker(duet_engine *engine);
/* The old ICE agent is gone (DUET_PC_SETTLE_US on): the timer and then the
 * worker deliver what waited for it; returns the lines the worker ran. */
int fake_settle(duet_engine *engine);
/* The settings the store holds for a room, as JSON text (NULL: none); caller frees. */
char *fake_store_room(const char *id);

fake_member *fake_member_new(void);
void fake_member_free(fake_member *m);
/* Removes and returns the oldest event in the inbox (caller decrefs), or NULL. */
json_t *fake_next_event(fake_member *m);
/* The oldest event named `name`, removed from the inbox, or NULL. */
json_t *fake_take_event(fake_member *m, const char *name);
void fake_reset(void);

duet_engine *fake_engine_new(gboolean auto_create, guint max_rooms, const char *admin_key);
/* The same with the fake store. */
duet_engine *fake_engine_new_stored(gboolean auto_create, guint max_rooms, const char *admin_key);
/* Runs a request given as JSON text; returns the answer (caller decrefs).
 * An async request runs as on the worker; its answer is taken from the
 * caller's line, or is {"duet":"pending"} while it waits there. */
json_t *fake_request(duet_engine *engine, fake_member *caller, const char *body_json, json_t *jsep);
/* The error code of an answer, 0 when it is not an error. */
int fake_error_code(json_t *answer);
#endif
