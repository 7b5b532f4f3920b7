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

/* What a shared store (Redis) answers. */
typedef enum duet_shared_status {
	DUET_SHARED_FOUND, /* the room is there (fetch), or the write was done (put) */
	DUET_SHARED_NONE, /* no such room */
	DUET_SHARED_TAKEN, /* put with only_new: the id is taken */
	DUET_SHARED_DOWN, /* the store cannot be reached: nothing was changed */
} duet_shared_status;

/* Persistence of rooms; the plugin supplies it (may be NULL). Called
 * without the engine lock; writes one request at a time (store_lock).
 *
 * save_room/revert keep permanent rooms in the configuration file. The
 * optional fetch_room/put_room (both NULL without general.redis_url) keep
 * rooms made by create, and permanent ones, in a store shared by every
 * instance of a fleet (store_redis.c, shared.c): any instance asked for a
 * room it does not hold looks it up there. They may block for a short
 * timeout and are never called with the engine lock held. */
typedef struct duet_store {
	/* Writes the configuration with room `id` set to settings (NULL:
	 * removed): a copy is built and saved, and replaces the one in memory
	 * only once the file is written. FALSE: nothing changed. */
	gboolean (*save_room)(const char *id, const duet_room_settings *settings);
	/* Puts back the configuration (memory and file) as it was before the
	 * last successful save_room: its request could not be applied. */
	void (*revert)(void);
	/* Reads room id into *settings (FOUND; the caller clears them). error
	 * says why when DOWN. */
	duet_shared_status (*fetch_room)(const char *id, duet_room_settings *settings, char *error, size_t error_len);
	/* Writes room id (settings NULL: deletes it); with only_new, TAKEN
	 * when it exists. FOUND when done. */
	duet_shared_status (*put_room)(
	    const char *id, const duet_room_settings *settings, gboolean only_new, char *error, size_t error_len);
} duet_store;

typedef struct duet_engine {
	GMutex lock;
	GMutex store_lock; /* taken before lock, by requests that persist */
	duet_registry *registry;
	duet_settings settings;
	const duet_host *host;
	const duet_store *store;
	duet_pc_timers *timers;
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
	/* Runs under the lock; must check everything before changing anything.
	 * With req->dry_run (a permanent request), it only checks and fills
	 * req->change; it runs again, to apply, once the file is written. */
	duet_error (*handle)(duet_request *req);
	/* The request may carry "permanent": true. */
	gboolean persists;
	/* Its room, when not held here, is looked up in the shared store. */
	gboolean lookup;
} duet_route;

/* What a create, edit or destroy writes to the configuration file
 * (permanent) and to the shared store. */
typedef struct duet_change {
	gboolean wanted; /* file or shared */
	gboolean file; /* "permanent": true */
	gboolean shared; /* the room is (or becomes) a shared one */
	gboolean create;
	char *room_id; /* the room (a generated id is kept for the apply run) */
	gboolean remove;
	duet_room_settings settings;
	duet_room_settings before; /* edit, destroy: to put the shared store back */
	gboolean wrote_shared; /* done: undone if the request fails after all */
} duet_change;

struct duet_request {
	duet_engine *engine;
	const duet_route *route;
	duet_member *caller; /* NULL on the Admin API */
	gboolean admin;
	json_t *args; /* the checked fields */
	json_t *jsep;
	json_t *result; /* the answer, set by the handler */
	duet_outbox outbox;
	struct duet_fwd *forward; /* the JSEP this request forwards to the peer, if any */
	gboolean keep_outbox; /* commit the outbox even though the request failed */
	gboolean dry_run; /* check and fill change only (see duet_route) */
	duet_change change;
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
/* Runs an async request on the worker: its answer goes into the caller's
 * line (pc.h) with the transaction, in order with what the caller is told. */
void duet_engine_run_async(duet_engine *engine, const duet_route *route, duet_member *caller, json_t *body,
    json_t *jsep, const char *transaction);
/* The worker was asked to deliver a member's line (host->schedule). */
void duet_engine_deliver(duet_engine *engine, duet_member *member);
/* Shutdown: every line is delivered (to handles that are gone) and emptied. */
void duet_engine_drop_line(duet_engine *engine, duet_member *member);
/* An error body {"duet":"event","error_code":N,"error":"..."}. */
json_t *duet_error_body(duet_error code, const char *text);

/* Callbacks from the core. */
void duet_engine_media_closed(duet_engine *engine, duet_member *member);
void duet_engine_disconnect(duet_engine *engine, duet_member *member);
/* Gives up held seats whose window ended and handles the lines' deadlines
 * (closes without a hangup, JSEPs to try again); call a few times a second. */
void duet_engine_expire(duet_engine *engine);

/* The earliest deadline (monotonic us) expire() has work for, or 0. */
gint64 duet_engine_next_deadline(duet_engine *engine);

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
/* Forwards a JSEP to the peer for a request (offer, answer); undo runs
 * under the lock if the peer's side refuses it. */
void duet_request_forward(duet_request *req, duet_member *peer, json_t *event, json_t *jsep, duet_seat *from,
    void (*undo)(duet_engine *engine, duet_outbox *outbox, duet_room *room, duet_seat *seat), gboolean negotiated);
/* forward.c: the request's answer waits in the caller's line for the forward. */
void duet_forward_attach_answer(struct duet_fwd *forward, duet_action *answer);
/* confine.c: rec_dir and filename given through the plugin API (454). */
duet_error duet_confine_check(duet_request *req);
/* Whether path lies inside base once ".." and symbolic links are resolved. */
gboolean duet_path_inside(const char *path, const char *base);
/* shared.c: the request's room, unknown here (or held here empty), is
 * read from the shared store first (499 when it is unreachable). */
duet_error duet_shared_lookup(duet_request *req);
/* The dry run's change, written to the shared store (456, 499) / undone. */
duet_error duet_shared_write(duet_request *req);
void duet_shared_undo(duet_request *req);
/* A room's settings as the shared store keeps them, and back. */
json_t *duet_settings_to_json(const duet_room_settings *settings);
gboolean duet_settings_from_json(json_t *json, duet_room_settings *settings);
/* A parsed general.redis_url: redis://[[user]:password@]host[:port][/db]. */
typedef struct duet_redis_url {
	char *host;
	int port;
	char *password; /* NULL: no AUTH */
	int db;
} duet_redis_url;
gboolean duet_redis_url_parse(const char *text, duet_redis_url *url);
void duet_redis_url_clear(duet_redis_url *url);
/* Removes an auto-created room once nobody is left in it. */
void duet_room_drop_if_empty(duet_engine *engine, duet_room *room);

#endif
