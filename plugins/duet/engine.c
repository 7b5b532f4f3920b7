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
	g_mutex_init(&engine->store_lock);
	engine->settings = *settings;
	engine->settings.admin_key = g_strdup(settings->admin_key);
	engine->settings.rec_dir = g_strdup(settings->rec_dir);
	engine->registry = duet_registry_new(settings->max_rooms);
	engine->host = host;
	engine->store = store;
	engine->timers = duet_pc_timers_new(host);
	return engine;
}

void duet_engine_free(duet_engine *engine) {
	if(engine == NULL)
		return;
	duet_registry_free(engine->registry);
	duet_pc_timers_free(engine->timers);
	g_mutex_clear(&engine->store_lock);
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
	duet_pc_cancel_jseps(member); /* an offer not pushed yet no longer has a room */
	duet_outbox_close(outbox, engine->host, member);
	duet_member_reset_settings(member); /* the next seat starts with everything relayed */
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

/* Commits under the lock, delivers after it. */
static void commit_and_unlock(duet_engine *engine, duet_outbox *outbox, gboolean jsep_ok) {
	duet_outbox_commit(outbox, engine->timers);
	g_mutex_unlock(&engine->lock);
	duet_outbox_deliver(outbox, engine->host, jsep_ok);
}

static json_t *answer_of(duet_request *req, duet_error code) {
	json_t *answer;
	if(code == DUET_OK) {
		answer = req->result ? req->result : json_pack("{ss}", "duet", "success");
		req->result = NULL;
	} else {
		answer = duet_error_body(code, req->error[0] ? req->error : duet_error_name(code));
	}
	return answer;
}

static void request_free(duet_request *req) {
	json_decref(req->result);
	json_decref(req->args);
	g_free(req->change.room_id);
	duet_room_settings_clear(&req->change.settings);
	duet_room_settings_clear(&req->change.before);
	duet_outbox_free(&req->outbox, req->engine->host);
}

/* A permanent request, or (with a shared store) any create, edit or
 * destroy: its handler decides in its dry run what gets written. */
static gboolean wants_persist(const duet_request *req) {
	const duet_store *store = req->engine->store;
	if(!req->route->persists || store == NULL)
		return FALSE;
	return store->put_room != NULL || duet_arg_bool(req->args, "permanent", FALSE);
}

/* Checked, then written without the engine lock (other requests go on):
 * the shared store first, then the file; applied only after both. */
static duet_error persist_first(duet_request *req) {
	duet_engine *engine = req->engine;
	g_mutex_lock(&engine->lock);
	req->dry_run = TRUE;
	duet_error code = req->caller && req->caller->gone ? DUET_ERR_UNKNOWN : req->route->handle(req);
	req->dry_run = FALSE;
	g_mutex_unlock(&engine->lock);
	if(code != DUET_OK || !req->change.wanted)
		return code;
	code = duet_shared_write(req);
	if(code != DUET_OK)
		return code;
	const duet_change *c = &req->change;
	if(c->file && !engine->store->save_room(c->room_id, c->remove ? NULL : &c->settings)) {
		duet_shared_undo(req);
		return duet_fail(req, DUET_ERR_UNKNOWN, "Could not write the configuration file");
	}
	return DUET_OK;
}

/* Runs the request; returns its answer (async: NULL, the answer went into
 * the caller's line). */
static json_t *run(duet_engine *engine, const duet_route *route, duet_member *caller, json_t *body, json_t *jsep,
    const char *transaction) {
	duet_request req = {0};
	req.engine = engine;
	req.route = route;
	req.caller = caller;
	req.admin = caller == NULL;
	req.jsep = jsep;
	duet_outbox_init(&req.outbox);
	duet_error code = duet_params_check(route->params, body, &req.args, req.error, sizeof(req.error));
	if(code == DUET_OK && !req.admin)
		code = duet_confine_check(&req);
	if(code == DUET_OK)
		code = duet_shared_lookup(&req);
	gboolean store_locked = code == DUET_OK && wants_persist(&req);
	if(store_locked) {
		g_mutex_lock(&engine->store_lock);
		code = persist_first(&req);
	}
	gboolean saved = store_locked && code == DUET_OK && req.change.file;
	g_mutex_lock(&engine->lock);
	if(code == DUET_OK)
		code = caller && caller->gone ? duet_fail(&req, DUET_ERR_UNKNOWN, "This handle is being destroyed")
		                              : route->handle(&req);
	if(code != DUET_OK)
		req.forward = NULL; /* freed with the outbox */
	if(code != DUET_OK && !req.keep_outbox) /* a failed request changes nothing */
		duet_outbox_discard(&req.outbox, engine->host);
	if(code != DUET_OK && saved)
		engine->store->revert(); /* the room changed between the check and now */
	json_t *answer = answer_of(&req, code);
	if(transaction) {
		duet_action *a = duet_outbox_answer(&req.outbox, engine->host, caller, transaction, answer);
		duet_forward_attach_answer(req.forward, a);
		answer = NULL;
	}
	commit_and_unlock(engine, &req.outbox, transaction != NULL);
	if(code != DUET_OK)
		duet_shared_undo(&req); /* likewise, without the engine lock */
	if(store_locked)
		g_mutex_unlock(&engine->store_lock);
	request_free(&req);
	return answer;
}

json_t *duet_engine_run(duet_engine *engine, const duet_route *route, duet_member *caller, json_t *body, json_t *jsep) {
	return run(engine, route, caller, body, jsep, NULL);
}

void duet_engine_run_async(duet_engine *engine, const duet_route *route, duet_member *caller, json_t *body,
    json_t *jsep, const char *transaction) {
	run(engine, route, caller, body, jsep, transaction ? transaction : "");
}

void duet_engine_deliver(duet_engine *engine, duet_member *member) {
	duet_pc_deliver(member, engine->host, TRUE);
}

void duet_engine_drop_line(duet_engine *engine, duet_member *member) {
	duet_pc_set_gone(member);
	duet_pc_deliver(member, engine->host, TRUE);
}

/* ---------------------------------------------------------------------- */
/* What the core tells us about handles                                   */

void duet_engine_media_closed(duet_engine *engine, duet_member *member) {
	duet_outbox outbox;
	duet_outbox_init(&outbox);
	g_mutex_lock(&engine->lock);
	duet_pc_hangup what = duet_pc_hangup_seen(member, engine->host->now());
	duet_seat *seat = member->seat;
	if(what == DUET_HANGUP_UNEXPECTED && seat)
		duet_room_end_call(engine, &outbox, seat->room, seat, "closed");
	commit_and_unlock(engine, &outbox, FALSE);
	/* That PeerConnection's simulcast layers are gone with it; a stale
	 * hangup must not undo the layers of a newer one. */
	if(what != DUET_HANGUP_STALE && engine->host->layers)
		engine->host->layers(member, NULL, NULL);
	duet_pc_deliver(member, engine->host, FALSE); /* what waited for this close */
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
		duet_pc_cancel_jseps(member);
		member->seat = NULL;
		hold_seat(engine, &outbox, seat);
	} else if(seat) {
		duet_seat_leave(engine, &outbox, seat, "disconnected", FALSE);
	}
	duet_pc_set_gone(member); /* nothing waits for this handle's hangups any more */
	commit_and_unlock(engine, &outbox, FALSE);
	duet_pc_deliver(member, engine->host, FALSE);
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
	commit_and_unlock(engine, &outbox, FALSE);
	duet_outbox_free(&outbox, engine->host);
	duet_pc_timers_run(engine->timers, now);
}

gint64 duet_engine_next_deadline(duet_engine *engine) {
	g_mutex_lock(&engine->lock);
	gint64 next = duet_registry_next_deadline(engine->registry);
	g_mutex_unlock(&engine->lock);
	gint64 line = duet_pc_timers_next(engine->timers);
	return line != 0 && (next == 0 || line < next) ? line : next;
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
