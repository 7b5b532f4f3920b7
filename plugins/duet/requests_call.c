/*
 * requests_call.c - what a participant does in a room: join, offer,
 * answer, configure, message, hangup, leave.
 *
 * The second participant to join is the caller: it learns the first in its
 * `joined` and sends the offer; the first answers. An offer or answer is
 * checked and recorded under the lock, and its JSEP goes into the peer's
 * line (pc.h, forward.c): the worker pushes it once the lock is released
 * and the peer's previous PeerConnection, if it was being closed, is gone.
 */
#include <string.h>

#include "requests.h"
#include "sdp_audio.h"
#include "sdp_simulcast.h"

/* ---------------------------------------------------------------------- */
/* join                                                                   */

static duet_error check_takeover(duet_request *req, const duet_seat *seat) {
	if(!duet_secret_equal(duet_arg_str(req->args, "reconnect_token"), seat->token))
		return duet_fail(req, DUET_ERR_UNAUTHORIZED, "Seat %s is taken: its reconnect_token is needed", seat->id);
	return DUET_OK;
}

static duet_error check_admission(duet_request *req, const duet_room *room) {
	const char *pin = room->settings.pin;
	if(pin && !duet_secret_equal(duet_arg_str(req->args, "pin"), pin))
		return duet_fail(req, DUET_ERR_UNAUTHORIZED, "Unauthorized (wrong pin)");
	if(!duet_room_admits(room, duet_arg_str(req->args, "token")))
		return duet_fail(req, DUET_ERR_UNAUTHORIZED, "Unauthorized (token not allowed in this room)");
	return DUET_OK;
}

/* Checks a join in the contract's order; *seat is the seat to take back, if any. */
static duet_error check_join(duet_request *req, duet_room *room, duet_seat **seat) {
	if(room == NULL && !req->engine->settings.auto_create)
		return duet_fail(req, DUET_ERR_NO_SUCH_ROOM, "No such room (%s)", duet_arg_str(req->args, "room"));
	*seat = room ? duet_room_find_seat(room, duet_arg_str(req->args, "id")) : NULL;
	duet_error code = DUET_OK;
	if(*seat)
		code = check_takeover(req, *seat);
	else if(room)
		code = check_admission(req, room);
	if(code != DUET_OK)
		return code;
	if(req->caller->seat)
		return duet_fail(req, DUET_ERR_ALREADY_JOINED, "Already in room %s", req->caller->seat->room->id);
	if(*seat == NULL && room && duet_room_is_full(room))
		return duet_fail(req, DUET_ERR_ROOM_FULL, "Room %s is full", room->id);
	return DUET_OK;
}

static duet_error auto_create(duet_request *req, duet_room **room) {
	const duet_settings *defaults = &req->engine->settings;
	duet_room_settings settings = {0};
	settings.rec_dir = defaults->rec_dir;
	settings.reconnect_window = defaults->reconnect_window;
	settings.adaptive = defaults->adaptive;
	duet_error code =
	    duet_registry_add(req->engine->registry, duet_arg_str(req->args, "room"), &settings, DUET_ORIGIN_AUTO, room);
	if(code != DUET_OK)
		return duet_fail(req, code, "Too many rooms (max_rooms is %u)", defaults->max_rooms);
	return DUET_OK;
}

/* The old handle of a seat taken back is told, unlinked and hung up. */
static void evict_old_owner(duet_request *req, duet_seat *seat) {
	duet_member *old = duet_seat_member(seat);
	duet_room_end_call(req->engine, &req->outbox, seat->room, seat, "closed");
	if(old == NULL)
		return;
	json_t *event = duet_event_new("peer_left", seat->room);
	json_object_set_new(event, "peer", duet_seat_json(seat));
	json_object_set_new(event, "reason", json_string("replaced"));
	duet_outbox_event(&req->outbox, req->engine->host, old, event, NULL);
	duet_notify(&req->outbox, req->engine, old, "left", seat->room, seat->id, "replaced");
	duet_member_detach(req->engine, &req->outbox, old);
}

static void announce_to_peer(duet_request *req, duet_seat *seat, gboolean took_back) {
	duet_seat *peer = duet_room_peer_of(seat->room, seat);
	json_t *event = duet_event_new(took_back ? "peer_reconnected" : "peer_joined", seat->room);
	json_object_set_new(event, "peer", duet_seat_json(seat));
	duet_tell(req, peer, event);
	if(duet_seat_member(peer))
		duet_member_link(req->caller, duet_seat_member(peer));
}

static json_t *joined_result(const duet_seat *seat) {
	const duet_seat *peer = duet_room_peer_of(seat->room, seat);
	json_t *result = duet_event_new("joined", seat->room);
	json_object_set_new(result, "id", json_string(seat->id));
	json_object_set_new(result, "display", json_string(seat->display));
	json_object_set_new(result, "reconnect_token", json_string(seat->token));
	json_object_set_new(result, "peer", peer && peer->owner ? duet_seat_json(peer) : json_null());
	return result;
}

duet_error duet_handle_join(duet_request *req) {
	duet_room *room = duet_registry_find(req->engine->registry, duet_arg_str(req->args, "room"));
	duet_seat *seat = NULL;
	duet_error code = check_join(req, room, &seat);
	if(code == DUET_OK && room == NULL)
		code = auto_create(req, &room);
	if(code != DUET_OK)
		return code;
	gboolean took_back = seat != NULL;
	if(took_back) {
		evict_old_owner(req, seat);
		duet_seat_take_back(req->engine->registry, seat, req->caller, duet_arg_str(req->args, "display"));
	} else {
		seat = duet_room_add_seat(room, duet_arg_str(req->args, "id"), duet_arg_str(req->args, "display"), req->caller);
	}
	req->caller->seat = seat;
	duet_member_room_settings(req->caller, room->settings.bitrate, room->settings.adaptive);
	announce_to_peer(req, seat, took_back);
	req->result = joined_result(seat);
	if(room->settings.record)
		duet_member_record(req->engine, &req->outbox, req->caller, TRUE, NULL);
	duet_notify(&req->outbox, req->engine, req->caller, "joined", room, seat->id, NULL);
	return DUET_OK;
}

/* ---------------------------------------------------------------------- */
/* offer / answer                                                         */

static void undo_offer(duet_engine *engine, duet_outbox *outbox, duet_room *room, duet_seat *seat) {
	(void)engine;
	(void)outbox;
	if(room->offerer == seat)
		room->offerer = NULL;
}

/* An answer the caller's side refused leaves no call behind. */
static void undo_answer(duet_engine *engine, duet_outbox *outbox, duet_room *room, duet_seat *seat) {
	duet_room_end_call(engine, outbox, room, seat, "closed");
}

static duet_error require_seat(duet_request *req, duet_seat **seat) {
	*seat = duet_caller_seat(req);
	if(*seat == NULL)
		return duet_fail(req, DUET_ERR_NOT_JOINED, "Not in a room: join first");
	return DUET_OK;
}

static duet_error check_jsep(duet_request *req, const char *type) {
	const char *sdp = json_string_value(json_object_get(req->jsep, "sdp"));
	if(req->jsep == NULL || sdp == NULL)
		return duet_fail(req, DUET_ERR_MISSING_SDP, "This request must carry a JSEP %s", type);
	const char *given = json_string_value(json_object_get(req->jsep, "type"));
	if(given == NULL || g_ascii_strcasecmp(given, type) != 0)
		return duet_fail(req, DUET_ERR_INVALID_SDP, "The JSEP must be of type %s", type);
	char reason[200] = "";
	if(!req->engine->host->sdp_valid(sdp, reason, sizeof(reason)))
		return duet_fail(req, DUET_ERR_INVALID_SDP, "Invalid SDP: %s", reason);
	return DUET_OK;
}

static duet_error check_signal(duet_request *req, const char *type, duet_seat **seat) {
	duet_error code = require_seat(req, seat);
	if(code == DUET_OK)
		code = check_jsep(req, type);
	return code;
}

/* The JSEP for the peer goes into its line (forward.c); the request is
 * answered once the peer's side took it. The caller's own JSEP already
 * went through the core: its PeerConnection is live from here on. sdp:
 * the request's own, when NULL. */
static void forward_to_peer(duet_request *req, duet_seat *from, json_t *event, const char *type, const char *sdp,
    void (*undo)(duet_engine *, duet_outbox *, duet_room *, duet_seat *)) {
	duet_member *peer = duet_seat_member(duet_room_peer_of(from->room, from));
	if(sdp == NULL)
		sdp = json_string_value(json_object_get(req->jsep, "sdp"));
	json_t *jsep = json_pack("{ssss}", "type", type, "sdp", sdp);
	if(json_is_true(json_object_get(req->jsep, "e2ee")))
		json_object_set_new(jsep, "e2ee", json_true());
	duet_outbox_own_jsep(&req->outbox, req->engine->host, req->caller);
	duet_request_forward(req, peer, event, jsep, from, undo, strcmp(type, "answer") == 0);
}

/* Glare: the peer sent an offer too, and the core already set the peer's
 * handle up as the answerer of it. That offer will get 464, but the handle
 * must be clean before it can take ours: its line closes it first and
 * waits for the hangup callback before our offer goes out (pc.c). */
static void reset_if_glare(duet_request *req, duet_room *room, duet_seat *from) {
	duet_member *peer = duet_seat_member(duet_room_peer_of(room, from));
	if(room->offer_in_call || g_atomic_int_get(&peer->offers_queued) == 0)
		return;
	duet_outbox_reset(&req->outbox, req->engine->host, peer);
	room->offer_clean = TRUE;
}

/* The losing offer of a glare reached us after the winning one was pushed
 * to this handle on top of the core's setup for the losing one: reset the
 * handle and push the winning offer again, so that it can be answered. */
static void repair_glare_loser(duet_request *req, duet_seat *loser) {
	duet_room *room = loser->room;
	if(room->offerer == loser || room->offer_in_call || room->offer_clean || room->offer_sdp == NULL)
		return;
	room->offer_clean = TRUE;
	const duet_host *host = req->engine->host;
	duet_outbox_reset(&req->outbox, host, req->caller);
	json_t *event = duet_event_new("offer", room);
	json_object_set_new(event, "from", json_string(room->offerer->id));
	json_object_set_new(event, "renegotiation", json_false());
	duet_outbox_event(
	    &req->outbox, host, req->caller, event, json_pack("{ssss}", "type", "offer", "sdp", room->offer_sdp));
	req->keep_outbox = TRUE;
}

duet_error duet_handle_offer(duet_request *req) {
	duet_seat *seat;
	duet_error code = check_signal(req, "offer", &seat);
	if(code == DUET_OK && (code = duet_call_check_offer(seat->room, seat)) == DUET_ERR_WRONG_STATE)
		repair_glare_loser(req, seat);
	if(code == DUET_ERR_NO_PEER || code == DUET_ERR_WRONG_STATE)
		return duet_fail(req, code,
		    code == DUET_ERR_NO_PEER ? "Nobody to call in room %s" : "An offer is already pending in room %s",
		    seat->room->id);
	if(code != DUET_OK)
		return code;
	duet_room *room = seat->room;
	/* The core describes a simulcasting offer's layers; the SDP it hands
	 * over (and so the peer's offer) carries one video stream. In an
	 * adaptive room the peer is offered Opus RED first (sdp_audio.h). */
	json_t *layers = json_object_get(req->jsep, "simulcast");
	char *layers_text = json_array_size(layers) > 0 ? json_dumps(layers, JSON_COMPACT) : NULL;
	const char *given = json_string_value(json_object_get(req->jsep, "sdp"));
	char *sdp = room->settings.adaptive ? duet_sdp_prefer_red(given) : NULL;
	duet_call_offer(room, seat, sdp ? sdp : given, layers_text);
	free(layers_text);
	json_t *event = duet_event_new("offer", room);
	json_object_set_new(event, "renegotiation", json_boolean(room->offer_in_call));
	reset_if_glare(req, room, seat);
	forward_to_peer(req, seat, event, "offer", sdp, undo_offer);
	g_free(sdp);
	req->result = duet_event_new("offering", room);
	duet_notify(&req->outbox, req->engine, req->caller, "offer", room, seat->id, NULL);
	return DUET_OK;
}

duet_error duet_handle_answer(duet_request *req) {
	duet_seat *seat;
	duet_error code = check_signal(req, "answer", &seat);
	if(code == DUET_OK && (code = duet_call_check_answer(seat->room, seat)) != DUET_OK)
		return duet_fail(req, code,
		    code == DUET_ERR_NO_PEER ? "Nobody to answer in room %s" : "No offer to answer in room %s", seat->room->id);
	if(code != DUET_OK)
		return code;
	duet_room *room = seat->room;
	/* A simulcasting offerer gets its rid extensions back in the answer,
	 * and its layers are set up, in its line, right before the answer. */
	const char *given = json_string_value(json_object_get(req->jsep, "sdp"));
	char *sdp = room->offer_layers ? duet_sdp_accept_rids(room->offer_sdp, given) : NULL;
	json_t *layers = room->offer_layers ? json_loads(room->offer_layers, 0, NULL) : NULL;
	duet_member *offerer = duet_seat_member(duet_room_peer_of(room, seat));
	duet_outbox_layers(&req->outbox, req->engine->host, offerer, layers, sdp ? sdp : given);
	json_decref(layers);
	duet_call_answer(room);
	forward_to_peer(req, seat, duet_event_new("answer", room), "answer", sdp, undo_answer);
	g_free(sdp);
	req->result = duet_event_new("answered", room);
	duet_notify(&req->outbox, req->engine, req->caller, "answer", room, seat->id, NULL);
	return DUET_OK;
}

/* ---------------------------------------------------------------------- */
/* configure / message / hangup / leave                                   */

duet_error duet_handle_configure(duet_request *req) {
	duet_seat *seat;
	duet_error code = require_seat(req, &seat);
	if(code != DUET_OK)
		return code;
	static const char *kinds[DUET_KINDS] = {"audio", "video", "data"};
	duet_member *m = req->caller;
	gboolean video_was_on = g_atomic_int_get(&m->relay[DUET_VIDEO]);
	for(int k = 0; k < DUET_KINDS; k++) {
		gboolean on = duet_arg_bool(req->args, kinds[k], g_atomic_int_get(&m->relay[k]));
		g_atomic_int_set(&m->relay[k], on);
	}
	/* The peer's decoder needs a keyframe to show this member's video again. */
	if(!video_was_on && g_atomic_int_get(&m->relay[DUET_VIDEO]))
		duet_outbox_keyframe(&req->outbox, req->engine->host, m);
	g_atomic_int_set(
	    &m->want_substream, (gint)duet_arg_int(req->args, "substream", g_atomic_int_get(&m->want_substream)));
	g_atomic_int_set(&m->want_temporal, (gint)duet_arg_int(req->args, "temporal", g_atomic_int_get(&m->want_temporal)));
	if(duet_arg_has(req->args, "bitrate")) {
		g_atomic_int_set(&m->bitrate, (gint)duet_arg_int(req->args, "bitrate", 0));
		duet_outbox_bitrate(&req->outbox, req->engine->host, m);
	}
	if(duet_arg_has(req->args, "record"))
		duet_member_record(req->engine, &req->outbox, m, duet_arg_bool(req->args, "record", FALSE),
		    duet_arg_str(req->args, "filename"));
	req->result = duet_event_new("configured", seat->room);
	for(int k = 0; k < DUET_KINDS; k++)
		json_object_set_new(req->result, kinds[k], json_boolean(g_atomic_int_get(&m->relay[k])));
	json_object_set_new(req->result, "bitrate", json_integer(g_atomic_int_get(&m->bitrate)));
	json_object_set_new(req->result, "recording", json_boolean(g_atomic_int_get(&m->recording)));
	json_object_set_new(req->result, "substream", json_integer(g_atomic_int_get(&m->want_substream)));
	json_object_set_new(req->result, "temporal", json_integer(g_atomic_int_get(&m->want_temporal)));
	duet_notify(&req->outbox, req->engine, m, "configured", seat->room, seat->id, NULL);
	return DUET_OK;
}

duet_error duet_handle_message(duet_request *req) {
	duet_seat *seat;
	duet_error code = require_seat(req, &seat);
	if(code != DUET_OK)
		return code;
	duet_seat *peer = duet_room_peer_of(seat->room, seat);
	if(duet_seat_member(peer) == NULL)
		return duet_fail(req, DUET_ERR_NO_PEER, "Nobody to message in room %s", seat->room->id);
	json_t *event = duet_event_new("message", seat->room);
	json_object_set_new(event, "from", json_string(seat->id));
	json_object_set(event, "text", json_object_get(req->args, "text"));
	duet_tell(req, peer, event);
	req->result = duet_event_new("sent", seat->room);
	return DUET_OK;
}

duet_error duet_handle_hangup(duet_request *req) {
	duet_seat *seat;
	duet_error code = require_seat(req, &seat);
	if(code != DUET_OK)
		return code;
	duet_room_end_call(req->engine, &req->outbox, seat->room, seat, "hangup");
	req->result = duet_event_new("hungup", seat->room);
	return DUET_OK;
}

duet_error duet_handle_leave(duet_request *req) {
	duet_seat *seat;
	duet_error code = require_seat(req, &seat);
	if(code != DUET_OK)
		return code;
	req->result = duet_event_new("left", seat->room);
	duet_seat_leave(req->engine, &req->outbox, seat, "leave", FALSE);
	return DUET_OK;
}
