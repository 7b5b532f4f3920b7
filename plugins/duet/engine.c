/*
 * engine.c - running requests and reacting to handles (see engine.h).
 *
 * The effects shared by several requests live here: a seat leaving, a call
 * ending, a room being destroyed. Each one updates the registry, the media
 * links and the outbox together, so that what listparticipants reports and
 * what the handles are told can never disagree.
 */
#include "engine.h"

#include <stdarg.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Lifetime                                                               */

duet_engine *duet_engine_new(const duet_settings *settings, const duet_host *host, const duet_store *store) {
	duet_engine *engine = g_new0(duet_engine, 1);
	g_mutex_init(&engine->lock);
	engine->settings = *settings;
	engine->settings.admin_key = g_strdup(settings->admin_key);
	engine->settings.rec_dir = g_strdup(settings->rec_dir);
	engine->registry = duet_registry_new(settings->max_rooms);
	engine->host = host;
	engine->store = store;
	return engine;
}

void duet_engine_free(duet_engine *engine) {
	if(engine == NULL)
		return;
	duet_registry_free(engine->registry);
	g_free(engine->settings.admin_key);
	g_free(engine->settings.rec_dir);
	g_mutex_clear(&engine->lock);
	g_free(engine);
}

duet_error duet_engine_add_config_room(duet_engine *engine, const char *id, const duet_room_settings *settings) {
	g_mutex_lock(&engine->lock);
	duet_error code = duet_registry_add(engine->registry, id, settings, DUET_ORIGIN_CONFIG, NULL);
	g_mutex_unlock(&engine->lock);
	return code;
}

/* ---------------------------------------------------------------------- */
/* Small helpers for handlers                                             */

duet_error duet_fail(duet_request *req, duet_error code, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	g_vsnprintf(req->error, sizeof(req->error), fmt, args);
	va_end(args);
	return code;
}

json_t *duet_error_body(duet_error code, const char *text) {
	return json_pack("{sssiss}", "duet", "event", "error_code", (int)code, "error", text);
}

json_t *duet_event_new(const char *name, const duet_room *room) {
	return json_pack("{ssss}", "duet", name, "room", room->id);
}

json_t *duet_seat_json(const duet_seat *seat) {
	return json_pack("{ssss}", "id", seat->id, "display", seat->display);
}

duet_member *duet_seat_member(const duet_seat *seat) {
	return seat ? seat->owner : NULL;
}

duet_seat *duet_caller_seat(duet_request *req) {
	return req->caller ? req->caller->seat : NULL;
}

void duet_tell(duet_request *req, const duet_seat *seat, json_t *event) {
	duet_member *member = duet_seat_member(seat);
	if(member == NULL) {
		json_decref(event);
		return;
	}
	duet_outbox_event(&req->outbox, req->engine->host, member, event, NULL);
}

void duet_notify(duet_outbox *outbox, duet_engine *engine, duet_member *member, const char *name, const duet_room *room,
    const char *id, const char *reason) {
	if(!engine->settings.events || !duet_outbox_notifies(engine->host))
		return; /* checked before building anything: most deployments load no event handler */
	json_t *info = json_pack("{ssss}", "event", name, "room", room->id);
	if(id)
		json_object_set_new(info, "id", json_string(id));
	if(reason)
		json_object_set_new(info, "reason", json_string(reason));
	duet_outbox_notify(outbox, engine->host, member, info);
}

static void push_to(duet_engine *engine, duet_outbox *outbox, const duet_seat *seat, json_t *event) {
	duet_member *member = duet_seat_member(seat);
	if(member)
		duet_outbox_event(outbox, engine->host, member, event, NULL);
	else
		json_decref(event);
}

/* ---------------------------------------------------------------------- */
/* Shared effects                                                         */

void duet_room_end_call(
    duet_engine *engine, duet_outbox *outbox, duet_room *room, const duet_seat *by, const char *reason) {
	if(!duet_call_end(room))
		return;
	for(int i = 0; i < DUET_SEATS; i++) {
		duet_seat *seat = room->seats[i];
		duet_member *member = duet_seat_member(seat);
		if(member == NULL)
			continue;
		duet_outbox_close(outbox, engine->host, member);
		if(seat == by)
			continue;
		json_t *event = duet_event_new("hangup", room);
		json_object_set_new(event, "from", json_string(by ? by->id : ""));
		json_object_set_new(event, "reason", json_string(reason));
		duet_outbox_event(outbox, engine->host, member, event, NULL);
	}
	duet_notify(outbox, engine, duet_seat_member(by), "hangup", room, by ? by->id : NULL, reason);
}

void duet_room_drop_if_empty(duet_engine *engine, duet_room *room) {
	if(room->origin == DUET_ORIGIN_AUTO && duet_room_count(room) == 0)
		duet_registry_remove(engine->registry, room);
}

/* The hangup reason a peer sees when the call ends because a seat left. */
static const char *hangup_reason_for(const char *leave_reason) {
	if(strcmp(leave_reason, "leave") == 0)
		return "left";
	if(strcmp(leave_reason, "kicked") == 0)
		return "kicked";
	return "closed";
}

void duet_member_record(
    duet_engine *engine, duet_outbox *outbox, duet_member *member, gboolean on, const char *filename) {
	const duet_seat *seat = member->seat;
	g_atomic_int_set(&member->recording, on);
	json_t *how = json_pack("{sb}", "on", on);
	if(on) {
		char *name = filename ? g_strdup(filename)
		                      : g_strdup_printf("duet-%s-%s-%" G_GINT64_FORMAT, seat->room->id, seat->id,
		                            g_get_real_time() / G_USEC_PER_SEC);
		json_object_set_new(how, "dir", json_string(seat->room->settings.rec_dir ? seat->room->settings.rec_dir : ""));
		json_object_set_new(how, "name", json_string(name));
		g_free(name);
	}
	duet_outbox_record(outbox, engine->host, member, how);
}

void duet_member_detach(duet_engine *engine, duet_outbox *outbox, duet_member *member) {
	if(member == NULL)
		return;
	if(g_atomic_int_get(&member->recording))
		duet_member_record(engine, outbox, member, FALSE, NULL);
	duet_member_unlink(member);
	duet_outbox_close(outbox, engine->host, member);
	member->seat = NULL;
}

void duet_seat_leave(
    duet_engine *engine, duet_outbox *outbox, duet_seat *seat, const char *reason, gboolean tell_self) {
	duet_room *room = seat->room;
	duet_member *member = duet_seat_member(seat);
	duet_room_end_call(engine, outbox, room, seat, hangup_reason_for(reason));
	duet_member_detach(engine, outbox, member);
	if(tell_self && member) {
		json_t *self = duet_event_new("peer_left", room);
		json_object_set_new(self, "peer", duet_seat_json(seat));
		json_object_set_new(self, "reason", json_string(reason));
		duet_outbox_event(outbox, engine->host, member, self, NULL);
	}
	duet_seat *peer = duet_room_peer_of(room, seat);
	json_t *event = duet_event_new("peer_left", room);
	json_object_set_new(event, "peer", duet_seat_json(seat));
	json_object_set_new(event, "reason", json_string(reason));
	push_to(engine, outbox, peer, event);
	duet_notify(outbox, engine, member, "left", room, seat->id, reason);
	duet_room_remove_seat(engine->registry, seat);
	duet_room_drop_if_empty(engine, room);
}

void duet_room_destroy(duet_engine *engine, duet_outbox *outbox, duet_room *room) {
	duet_call_end(room);
	for(int i = 0; i < DUET_SEATS; i++) {
		duet_member *member = duet_seat_member(room->seats[i]);
		if(member == NULL)
			continue;
		duet_outbox_event(outbox, engine->host, member, duet_event_new("destroyed", room), NULL);
		duet_member_detach(engine, outbox, member);
	}
	duet_notify(outbox, engine, NULL, "destroyed", room, NULL, NULL);
	duet_registry_remove(engine->registry, room);
}

void duet_room_apply_bitrate(duet_engine *engine, duet_outbox *outbox, duet_room *room) {
	for(int i = 0; i < DUET_SEATS; i++) {
		duet_member *member = duet_seat_member(room->seats[i]);
		if(member == NULL)
			continue;
		duet_member_room_settings(member, room->settings.bitrate, room->settings.adaptive);
		duet_outbox_bitrate(outbox, engine->host, member);
	}
}

/* ---------------------------------------------------------------------- */
/* Running a request                                                      */

static json_t *finish(duet_request *req, duet_error code) {
	json_t *answer;
	if(code == DUET_OK) {
		answer = req->result ? req->result : json_pack("{ss}", "duet", "success");
		req->result = NULL;
	} else {
		answer = duet_error_body(code, req->error[0] ? req->error : duet_error_name(code));
	}
	json_decref(req->result);
	json_decref(req->args);
	json_decref(req->forward_event);
	json_decref(req->forward_jsep);
	json_decref(req->forward_layers);
	if(req->forward_to)
		req->engine->host->unref(req->forward_to);
	g_free(req->room_id);
	g_free(req->seat_id);
	duet_outbox_free(&req->outbox, req->engine->host);
	return answer;
}

json_t *duet_engine_run(duet_engine *engine, const duet_route *route, duet_member *caller, json_t *body, json_t *jsep) {
	duet_request req = {0};
	req.engine = engine;
	req.route = route;
	req.caller = caller;
	req.admin = caller == NULL;
	req.jsep = jsep;
	duet_outbox_init(&req.outbox);
	duet_error code = duet_params_check(route->params, body, &req.args, req.error, sizeof(req.error));
	if(code != DUET_OK)
		return finish(&req, code);
	g_mutex_lock(&engine->lock);
	if(caller && caller->gone)
		code = duet_fail(&req, DUET_ERR_UNKNOWN, "This handle is being destroyed");
	else
		code = route->handle(&req);
	g_mutex_unlock(&engine->lock);
	if(code != DUET_OK) {
		if(req.keep_outbox) /* repairs the core's state of a handle, nothing of ours */
			duet_outbox_flush(&req.outbox, engine->host);
		g_array_set_size(req.outbox.actions, 0); /* a failed request changes nothing */
		return finish(&req, code);
	}
	if(route->after)
		code = route->after(&req);
	duet_outbox_flush(&req.outbox, engine->host);
	return finish(&req, code);
}

/* ---------------------------------------------------------------------- */
/* What the core tells us about handles                                   */

void duet_engine_media_closed(duet_engine *engine, duet_member *member) {
	duet_outbox outbox;
	duet_outbox_init(&outbox);
	g_mutex_lock(&engine->lock);
	gboolean expected = member->pc_closing;
	member->pc_active = FALSE;
	member->pc_closing = FALSE;
	duet_seat *seat = member->seat;
	if(!expected && seat)
		duet_room_end_call(engine, &outbox, seat->room, seat, "closed");
	g_mutex_unlock(&engine->lock);
	duet_outbox_flush(&outbox, engine->host);
	duet_outbox_free(&outbox, engine->host);
}

static void hold_seat(duet_engine *engine, duet_outbox *outbox, duet_seat *seat) {
	duet_room *room = seat->room;
	duet_seat_hold(engine->registry, seat, engine->host->now());
	json_t *event = duet_event_new("peer_disconnected", room);
	json_object_set_new(event, "peer", duet_seat_json(seat));
	json_object_set_new(event, "reconnect_window", json_integer(room->settings.reconnect_window));
	push_to(engine, outbox, duet_room_peer_of(room, seat), event);
}

void duet_engine_disconnect(duet_engine *engine, duet_member *member) {
	duet_outbox outbox;
	duet_outbox_init(&outbox);
	g_mutex_lock(&engine->lock);
	member->gone = TRUE;
	duet_seat *seat = member->seat;
	if(seat && seat->room->settings.reconnect_window > 0) {
		duet_room_end_call(engine, &outbox, seat->room, seat, "closed");
		duet_member_unlink(member);
		member->seat = NULL;
		hold_seat(engine, &outbox, seat);
	} else if(seat) {
		duet_seat_leave(engine, &outbox, seat, "disconnected", FALSE);
	}
	g_mutex_unlock(&engine->lock);
	duet_outbox_flush(&outbox, engine->host);
	duet_outbox_free(&outbox, engine->host);
}

void duet_engine_expire(duet_engine *engine) {
	duet_outbox outbox;
	duet_outbox_init(&outbox);
	g_mutex_lock(&engine->lock);
	gint64 now = engine->host->now();
	duet_seat *seat;
	while((seat = duet_registry_next_expired(engine->registry, now)) != NULL)
		duet_seat_leave(engine, &outbox, seat, "timeout", FALSE);
	g_mutex_unlock(&engine->lock);
	duet_outbox_flush(&outbox, engine->host);
	duet_outbox_free(&outbox, engine->host);
}

/* ---------------------------------------------------------------------- */
/* Handle info                                                            */

static const char *member_state(const duet_member *member) {
	const duet_seat *seat = member->seat;
	if(seat == NULL)
		return "idle";
	if(seat->room->in_call)
		return "in_call";
	const duet_seat *peer = duet_room_peer_of(seat->room, seat);
	return peer && peer->owner ? "paired" : "waiting";
}

json_t *duet_engine_member_info(duet_engine *engine, duet_member *member) {
	json_t *info = json_object();
	g_mutex_lock(&engine->lock);
	const duet_seat *seat = member->seat;
	if(seat) {
		json_object_set_new(info, "room", json_string(seat->room->id));
		json_object_set_new(info, "id", json_string(seat->id));
		json_object_set_new(info, "display", json_string(seat->display));
	}
	json_object_set_new(info, "state", json_string(member_state(member)));
	g_mutex_unlock(&engine->lock);
	json_object_set_new(info, "audio", json_boolean(g_atomic_int_get(&member->relay[DUET_AUDIO])));
	json_object_set_new(info, "video", json_boolean(g_atomic_int_get(&member->relay[DUET_VIDEO])));
	json_object_set_new(info, "data", json_boolean(g_atomic_int_get(&member->relay[DUET_DATA])));
	json_object_set_new(info, "bitrate", json_integer(g_atomic_int_get(&member->bitrate)));
	json_object_set_new(info, "recording", json_boolean(g_atomic_int_get(&member->recording)));
	duet_member_adaptation_json(member, info);
	json_object_set_new(info, "stats", duet_member_counters_json(member));
	return info;
}
