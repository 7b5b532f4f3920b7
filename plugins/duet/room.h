/*
 * room.h - rooms, seats and the call state of a pair.
 *
 * This is the heart of Duet and it knows nothing of Janus: a registry maps
 * room ids to rooms, a room has at most two seats, and a seat is either
 * connected (it has an owner, the handle that sits in it) or held (its
 * owner vanished and the seat waits for it until held_until). The call
 * state of a room says whether an offer is pending and whether the pair is
 * in a call.
 *
 * None of these functions lock anything: the engine (engine.h) holds its
 * lock around every call. Functions that can fail return a duet_error and
 * change nothing when they do.
 */
#ifndef DUET_ROOM_H
#define DUET_ROOM_H

#include <glib.h>

#include "errors.h"

#define DUET_SEATS 2
#define DUET_ID_MAX 64
#define DUET_TOKEN_LEN 32

typedef struct duet_room duet_room;

/* One participant of a room. */
typedef struct duet_seat {
	char *id;
	char *display;
	char *token; /* reconnect token: only the participant ever sees it */
	void *owner; /* the engine's member sitting here; NULL while held */
	gint64 held_until; /* monotonic time (us) when a held seat is given up */
	GSequenceIter *held_at; /* its place in registry->held, NULL when connected */
	duet_room *room;
} duet_seat;

/* What an operator can set on a room; strings are owned by the room. */
typedef struct duet_room_settings {
	char *description;
	char *pin; /* NULL: no pin */
	char *secret; /* NULL: editable only through the Admin API */
	char *rec_dir;
	gboolean is_private;
	gboolean record;
	guint32 bitrate; /* bits/s, 0 = no cap */
	int reconnect_window;
	gboolean adaptive; /* network adaptation (docs/adaptation.md) */
} duet_room_settings;

typedef enum duet_origin {
	DUET_ORIGIN_CONFIG, /* from the configuration file */
	DUET_ORIGIN_CREATED, /* from a create request */
	DUET_ORIGIN_AUTO, /* from a join of an unknown room */
} duet_origin;

struct duet_room {
	char *id;
	duet_room_settings settings;
	duet_origin origin;
	gboolean shared; /* kept in the shared store (Redis) too */
	GHashTable *allowed; /* token set, made on first use (may be NULL) */
	gboolean allowed_on; /* join needs a token from the set */
	duet_seat *seats[DUET_SEATS];
	gboolean in_call; /* an answer was forwarded and no hangup since */
	duet_seat *offerer; /* whose offer waits for an answer, or NULL */
	gboolean offer_in_call; /* the pending offer renegotiates a call */
	char *offer_sdp; /* the pending offer's SDP, to hand it again after a glare */
	char *offer_layers; /* the pending offer's simulcast layers (the core's JSON), NULL: one stream */
	gboolean offer_clean; /* the answerer's handle was reset for this offer (glare) */
};

typedef struct duet_registry {
	GHashTable *rooms; /* id -> duet_room */
	GSequence *held; /* seats whose owner vanished, by held_until (O(log n)) */
	guint max_rooms;
} duet_registry;

/* Identifiers and secrets. */
gboolean duet_secret_equal(const char *given, const char *expected);
gboolean duet_id_is_valid(const char *id);
char *duet_id_generate(guint digits);
char *duet_token_generate(void);

/* Settings. */
void duet_room_settings_clear(duet_room_settings *settings);
void duet_room_settings_copy(duet_room_settings *dst, const duet_room_settings *src);
void duet_set_string(char **field, const char *value, gboolean empty_is_none);

/* The registry. */
duet_registry *duet_registry_new(guint max_rooms);
void duet_registry_free(duet_registry *registry);
duet_room *duet_registry_find(duet_registry *registry, const char *id);
guint duet_registry_size(duet_registry *registry);
/* Adds a room with a copy of settings; id NULL generates one. */
duet_error duet_registry_add(
    duet_registry *registry, const char *id, const duet_room_settings *settings, duet_origin origin, duet_room **out);
/* Whether a room could be added now (457, 456 or 0). */
duet_error duet_registry_check_add(duet_registry *registry, const char *id);
/* A generated id no room has. */
char *duet_registry_unused_id(duet_registry *registry);
/* Removes and frees a room and its seats (the caller detached the owners). */
void duet_registry_remove(duet_registry *registry, duet_room *room);
/* Rooms sorted by id (a new list of borrowed pointers). */
GList *duet_registry_sorted(duet_registry *registry);

/* The allowed list. */
void duet_room_allow(duet_room *room, const char *token);
void duet_room_disallow(duet_room *room, const char *token);
gboolean duet_room_admits(const duet_room *room, const char *token);

/* Seats. */
guint duet_room_count(const duet_room *room);
duet_seat *duet_room_find_seat(const duet_room *room, const char *id);
duet_seat *duet_room_peer_of(const duet_room *room, const duet_seat *seat);
gboolean duet_room_is_full(const duet_room *room);
/* Seats owner in a free seat (the room must not be full); id NULL generates one. */
duet_seat *duet_room_add_seat(duet_room *room, const char *id, const char *display, void *owner);
/* Frees a seat, ending any call it was part of. */
void duet_room_remove_seat(duet_registry *registry, duet_seat *seat);
/* The owner vanished: hold the seat until now + window. */
void duet_seat_hold(duet_registry *registry, duet_seat *seat, gint64 now);
/* A new owner takes the seat back; it gets a fresh token. */
void duet_seat_take_back(duet_registry *registry, duet_seat *seat, void *owner, const char *display);
/* When the first held seat runs out (0: none held). */
gint64 duet_registry_next_deadline(duet_registry *registry);
/* The first held seat whose time ran out, or NULL. */
duet_seat *duet_registry_next_expired(duet_registry *registry, gint64 now);

/* Call state. */
duet_error duet_call_check_offer(const duet_room *room, const duet_seat *from);
void duet_call_offer(duet_room *room, duet_seat *from, const char *sdp, const char *layers);
duet_error duet_call_check_answer(const duet_room *room, const duet_seat *from);
void duet_call_answer(duet_room *room);
/* Ends the call or pending offer; TRUE when there was one. */
gboolean duet_call_end(duet_room *room);
gboolean duet_call_active(const duet_room *room);

#endif
