/*
 * engine.h - the request engine: one lock, one registry, one route table.
 *
 * Every request, whether it comes from a handle or from the Admin API, goes
 * through duet_engine_run(): its fields are checked against the route's
 * parameter table, its handler runs under the engine lock and records what
 * must happen to other handles in an outbox, and once the lock is released
 * the outbox is flushed. The engine also reacts to what the core tells the
 * plugin about handles (a handle vanished, a PeerConnection closed) and
 * expires held seats. It knows nothing of Janus: the plugin reaches it
 * through a duet_host.
 */
#ifndef DUET_ENGINE_H
#define DUET_ENGINE_H

#include <jansson.h>

#include "member.h"
#include "outbox.h"
#include "params.h"
#include "room.h"

/* The [general] section of the configuration. */
typedef struct duet_settings {
	char *admin_key; /* NULL: create needs no key */
	gboolean auto_create;
	guint max_rooms;
	int reconnect_window;
	gboolean events;
	char *rec_dir;
	gboolean adaptive; /* the rooms' default */
} duet_settings;

/* Persistence of permanent rooms; the plugin supplies it (may be NULL). */
typedef struct duet_store {
	gboolean (*save_room)(const duet_room *room);
	gboolean (*remove_room)(const char *id);
} duet_store;

typedef struct duet_engine {
	GMutex lock;
	duet_registry *registry;
	duet_settings settings;
	const duet_host *host;
	const duet_store *store;
} duet_engine;

typedef struct duet_request duet_request;

enum {
	DUET_FOR_CLIENT = 1 << 0,
	DUET_FOR_ADMIN = 1 << 1,
};

/* One row of the route table (routes.c). */
typedef struct duet_route {
	const char *name;
	gboolean async;
	unsigned scope;
	const duet_param *params;
	/* Runs under the lock; must check everything before changing anything. */
	duet_error (*handle)(duet_request *req);
	/* Optional; runs after the lock is released (forwards a JSEP). */
	duet_error (*after)(duet_request *req);
} duet_route;

struct duet_request {
	duet_engine *engine;
	const duet_route *route;
	duet_member *caller; /* NULL on the Admin API */
	gboolean admin;
	json_t *args; /* the checked fields */
	json_t *jsep;
	json_t *result; /* the answer, set by the handler */
	duet_outbox outbox;
	/* A JSEP for the peer, pushed by the route's after hook. */
	duet_member *forward_to;
	gboolean reset_target; /* close forward_to's PeerConnection before pushing */
	gboolean forward_had_pc; /* forward_to's pc_active before this JSEP */
	gboolean keep_outbox; /* flush the outbox even though the request failed */
	json_t *forward_event;
	json_t *forward_jsep;
	json_t *forward_layers; /* an answer's: the offerer's simulcast layers, or NULL */
	char *room_id; /* the room the request acted on, for after hooks */
	char *seat_id;
	char error[256];
};

/* Engine lifetime. settings strings are copied. */
duet_engine *duet_engine_new(const duet_settings *settings, const duet_host *host, const duet_store *store);
void duet_engine_free(duet_engine *engine);
/* Adds a room from the configuration file (before any request). */
duet_error duet_engine_add_config_room(duet_engine *engine, const char *id, const duet_room_settings *settings);

/* Finds the route for a body (checks 450-454 and 452) allowed in scope. */
const duet_route *duet_route_find(json_t *body, unsigned scope, duet_error *code, char *error, size_t error_len);

/* Runs a request and returns its answer body: the result, or an error. */
json_t *duet_engine_run(duet_engine *engine, const duet_route *route, duet_member *caller, json_t *body, json_t *jsep);
/* An error body {"duet":"event","error_code":N,"error":"..."}. */
json_t *duet_error_body(duet_error code, const char *text);

/* Callbacks from the core. */
void duet_engine_media_closed(duet_engine *engine, duet_member *member);
void duet_engine_disconnect(duet_engine *engine, duet_member *member);
/* Gives up held seats whose window ended; call about once a second. */
void duet_engine_expire(duet_engine *engine);

/* Handle info for the Admin API (query_session). */
json_t *duet_engine_member_info(duet_engine *engine, duet_member *member);

/* media_events.c: the core reported a slow link on the member's
 * PeerConnection (uplink: what the member sends arrives badly). */
void duet_engine_slow_link(duet_engine *engine, duet_member *member, gboolean video, gboolean uplink);
/* The simulcast layer relayed to the member changed. */
void duet_engine_layer_changed(duet_engine *engine, duet_member *member, int substream, int temporal);

/* Helpers for the route handlers (requests_*.c). */
duet_error duet_fail(duet_request *req, duet_error code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
json_t *duet_event_new(const char *name, const duet_room *room);
json_t *duet_seat_json(const duet_seat *seat);
void duet_tell(duet_request *req, const duet_seat *seat, json_t *event);
void duet_notify(duet_outbox *outbox, duet_engine *engine, duet_member *member, const char *name, const duet_room *room,
    const char *id, const char *reason);
duet_member *duet_seat_member(const duet_seat *seat);
duet_seat *duet_caller_seat(duet_request *req);
/* Seats a member / frees a seat / ends a call, with every side effect
 * (events, media links, closing PeerConnections, empty auto rooms). */
void duet_seat_leave(duet_engine *engine, duet_outbox *outbox, duet_seat *seat, const char *reason, gboolean tell_self);
void duet_room_end_call(
    duet_engine *engine, duet_outbox *outbox, duet_room *room, const duet_seat *by, const char *reason);
void duet_room_destroy(duet_engine *engine, duet_outbox *outbox, duet_room *room);
void duet_room_apply_bitrate(duet_engine *engine, duet_outbox *outbox, duet_room *room);
/* Takes a member out of its seat: recording off, media unlinked, PeerConnection closed. */
void duet_member_detach(duet_engine *engine, duet_outbox *outbox, duet_member *member);
/* Starts or stops recording a seated member (filename NULL: a generated name). */
void duet_member_record(
    duet_engine *engine, duet_outbox *outbox, duet_member *member, gboolean on, const char *filename);
/* Removes an auto-created room once nobody is left in it. */
void duet_room_drop_if_empty(duet_engine *engine, duet_room *room);

#endif
