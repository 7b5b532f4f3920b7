/*
 * requests_rooms.c - requests that manage rooms: create, edit, destroy,
 * exists, list, listparticipants, kick, allowed, and the Admin API's stats.
 *
 * Each handler runs under the engine lock and follows the contract's error
 * order: room and participant lookups (455, 465), then authorization
 * (458), then capacity (456, 466). Nothing changes before every check
 * passed.
 */
#include <string.h>

#include "requests.h"

/* ---------------------------------------------------------------------- */
/* Checks shared by the handlers                                          */

duet_error duet_find_room(duet_request *req, duet_room **room) {
	const char *id = duet_arg_str(req->args, "room");
	*room = duet_registry_find(req->engine->registry, id);
	if(*room == NULL)
		return duet_fail(req, DUET_ERR_NO_SUCH_ROOM, "No such room (%s)", id);
	return DUET_OK;
}

/* A room without a secret is managed only through the Admin API. */
static duet_error check_secret(duet_request *req, const duet_room *room) {
	if(req->admin)
		return DUET_OK;
	if(room->settings.secret == NULL)
		return duet_fail(req, DUET_ERR_UNAUTHORIZED, "This room has no secret: manage it through the Admin API");
	if(!duet_secret_equal(duet_arg_str(req->args, "secret"), room->settings.secret))
		return duet_fail(req, DUET_ERR_UNAUTHORIZED, "Unauthorized (wrong secret)");
	return DUET_OK;
}

static duet_error find_room_as_owner(duet_request *req, duet_room **room) {
	duet_error code = duet_find_room(req, room);
	return code != DUET_OK ? code : check_secret(req, *room);
}

/* The dry run of a create, edit or destroy: what the file (permanent) and
 * the shared store (rooms made by create, and permanent ones) will hold.
 * room: the room as it is, NULL for a create. */
static void describe_change(
    duet_request *req, const char *id, const duet_room_settings *settings, const duet_room *room) {
	const duet_store *store = req->engine->store;
	duet_change *c = &req->change;
	c->file = duet_arg_bool(req->args, "permanent", FALSE);
	c->shared = store && store->put_room && (room == NULL || room->shared || c->file);
	c->create = room == NULL;
	c->wanted = c->file || c->shared;
	g_free(c->room_id);
	c->room_id = g_strdup(id);
	c->remove = settings == NULL;
	duet_room_settings_clear(&c->settings);
	if(settings)
		duet_room_settings_copy(&c->settings, settings);
	duet_room_settings_clear(&c->before);
	if(room)
		duet_room_settings_copy(&c->before, &room->settings);
}

/* ---------------------------------------------------------------------- */
/* create / edit / destroy                                                */

static void settings_from_args(duet_request *req, duet_room_settings *s) {
	const duet_settings *defaults = &req->engine->settings;
	json_t *a = req->args;
	memset(s, 0, sizeof(*s));
	duet_set_string(&s->description, duet_arg_str(a, "description"), FALSE);
	duet_set_string(&s->pin, duet_arg_str(a, "pin"), TRUE);
	duet_set_string(&s->secret, duet_arg_str(a, "secret"), TRUE);
	duet_set_string(&s->rec_dir, duet_arg_has(a, "rec_dir") ? duet_arg_str(a, "rec_dir") : defaults->rec_dir, TRUE);
	s->is_private = duet_arg_bool(a, "is_private", FALSE);
	s->record = duet_arg_bool(a, "record", FALSE);
	s->bitrate = (guint32)duet_arg_int(a, "bitrate", 0);
	s->reconnect_window = (int)duet_arg_int(a, "reconnect_window", defaults->reconnect_window);
	s->adaptive = duet_arg_bool(a, "adaptive", defaults->adaptive);
}

static duet_error create_failure(duet_request *req, duet_error code) {
	if(code == DUET_ERR_ROOM_EXISTS)
		return duet_fail(req, code, "Room %s already exists", duet_arg_str(req->args, "room"));
	return duet_fail(req, code, "Too many rooms (max_rooms is %u)", req->engine->settings.max_rooms);
}

duet_error duet_handle_create(duet_request *req) {
	const char *key = req->engine->settings.admin_key;
	if(key && !req->admin && !duet_secret_equal(duet_arg_str(req->args, "admin_key"), key))
		return duet_fail(req, DUET_ERR_UNAUTHORIZED, "Unauthorized (wrong or missing admin_key)");
	/* A permanent create keeps the id its dry run chose. */
	const char *id = req->change.room_id ? req->change.room_id : duet_arg_str(req->args, "room");
	duet_registry *registry = req->engine->registry;
	duet_error code = duet_registry_check_add(registry, id);
	if(code != DUET_OK)
		return create_failure(req, code);
	duet_room_settings settings;
	settings_from_args(req, &settings);
	if(req->dry_run) {
		char *chosen = id ? g_strdup(id) : duet_registry_unused_id(registry);
		describe_change(req, chosen, &settings, NULL);
		g_free(chosen);
		duet_room_settings_clear(&settings);
		return DUET_OK;
	}
	duet_room *room = NULL;
	code = duet_registry_add(registry, id, &settings, DUET_ORIGIN_CREATED, &room);
	duet_room_settings_clear(&settings);
	if(code != DUET_OK)
		return create_failure(req, code);
	room->shared = req->change.shared;
	gboolean permanent = duet_arg_bool(req->args, "permanent", FALSE);
	req->result = json_pack("{sssssb}", "duet", "created", "room", room->id, "permanent", permanent);
	duet_notify(&req->outbox, req->engine, NULL, "created", room, NULL, NULL);
	return DUET_OK;
}

static void edit_settings(duet_request *req, duet_room_settings *s) {
	json_t *a = req->args;
	if(duet_arg_has(a, "new_description"))
		duet_set_string(&s->description, duet_arg_str(a, "new_description"), FALSE);
	if(duet_arg_has(a, "new_pin"))
		duet_set_string(&s->pin, duet_arg_str(a, "new_pin"), TRUE);
	if(duet_arg_has(a, "new_secret"))
		duet_set_string(&s->secret, duet_arg_str(a, "new_secret"), TRUE);
	s->is_private = duet_arg_bool(a, "new_is_private", s->is_private);
	s->record = duet_arg_bool(a, "new_record", s->record);
	s->reconnect_window = (int)duet_arg_int(a, "new_reconnect_window", s->reconnect_window);
	if(duet_arg_has(a, "new_bitrate"))
		s->bitrate = (guint32)duet_arg_int(a, "new_bitrate", 0);
	s->adaptive = duet_arg_bool(a, "new_adaptive", s->adaptive);
}

duet_error duet_handle_edit(duet_request *req) {
	duet_room *room;
	duet_error code = find_room_as_owner(req, &room);
	if(code != DUET_OK)
		return code;
	if(req->dry_run) {
		duet_room_settings edited;
		duet_room_settings_copy(&edited, &room->settings);
		edit_settings(req, &edited);
		describe_change(req, room->id, &edited, room);
		duet_room_settings_clear(&edited);
		return DUET_OK;
	}
	edit_settings(req, &room->settings);
	room->shared = room->shared || req->change.shared;
	if(duet_arg_has(req->args, "new_bitrate") || duet_arg_has(req->args, "new_adaptive"))
		duet_room_apply_bitrate(req->engine, &req->outbox, room);
	req->result = json_pack("{ssss}", "duet", "edited", "room", room->id);
	return DUET_OK;
}

duet_error duet_handle_destroy(duet_request *req) {
	duet_room *room;
	duet_error code = find_room_as_owner(req, &room);
	if(code != DUET_OK)
		return code;
	if(req->dry_run) {
		describe_change(req, room->id, NULL, room);
		return DUET_OK;
	}
	req->result = json_pack("{ssss}", "duet", "destroyed", "room", room->id);
	duet_room_destroy(req->engine, &req->outbox, room);
	return DUET_OK;
}

/* ---------------------------------------------------------------------- */
/* exists / list / listparticipants                                       */

duet_error duet_handle_exists(duet_request *req) {
	const char *id = duet_arg_str(req->args, "room");
	gboolean exists = duet_registry_find(req->engine->registry, id) != NULL;
	req->result = json_pack("{sssssb}", "duet", "success", "room", id, "exists", exists);
	return DUET_OK;
}

static json_t *room_summary(const duet_room *room, gboolean admin) {
	json_t *entry =
	    json_pack("{sssssbsisb}", "room", room->id, "description", room->settings.description, "pin_required",
	        room->settings.pin != NULL, "participants", (int)duet_room_count(room), "in_call", room->in_call);
	if(admin)
		json_object_set_new(entry, "is_private", json_boolean(room->settings.is_private));
	return entry;
}

duet_error duet_handle_list(duet_request *req) {
	json_t *rooms = json_array();
	GList *all = duet_registry_sorted(req->engine->registry);
	for(GList *l = all; l; l = l->next) {
		const duet_room *room = l->data;
		if(room->settings.is_private && !req->admin)
			continue;
		json_array_append_new(rooms, room_summary(room, req->admin));
	}
	g_list_free(all);
	req->result = json_pack("{ssso}", "duet", "success", "rooms", rooms);
	return DUET_OK;
}

duet_error duet_handle_listparticipants(duet_request *req) {
	duet_room *room;
	duet_error code = duet_find_room(req, &room);
	if(code != DUET_OK)
		return code;
	json_t *list = json_array();
	for(int i = 0; i < DUET_SEATS; i++) {
		const duet_seat *seat = room->seats[i];
		if(seat == NULL)
			continue;
		json_t *entry = duet_seat_json(seat);
		json_object_set_new(entry, "connected", json_boolean(seat->owner != NULL));
		json_object_set_new(entry, "in_call", json_boolean(room->in_call));
		json_array_append_new(list, entry);
	}
	req->result = json_pack("{ssssso}", "duet", "success", "room", room->id, "participants", list);
	return DUET_OK;
}

/* ---------------------------------------------------------------------- */
/* kick / allowed                                                         */

duet_error duet_handle_kick(duet_request *req) {
	duet_room *room;
	duet_error code = duet_find_room(req, &room);
	if(code != DUET_OK)
		return code;
	const char *id = duet_arg_str(req->args, "id");
	duet_seat *seat = duet_room_find_seat(room, id);
	if(seat == NULL)
		return duet_fail(req, DUET_ERR_NO_SUCH_PARTICIPANT, "No such participant (%s)", id);
	code = check_secret(req, room);
	if(code != DUET_OK)
		return code;
	req->result = json_pack("{ssss}", "duet", "success", "room", room->id);
	duet_notify(&req->outbox, req->engine, duet_seat_member(seat), "kicked", room, seat->id, NULL);
	duet_tell(req, seat, duet_event_new("kicked", room));
	duet_seat_leave(req->engine, &req->outbox, seat, "kicked", FALSE);
	return DUET_OK;
}

typedef enum { ALLOW_ENABLE, ALLOW_DISABLE, ALLOW_ADD, ALLOW_REMOVE, ALLOW_INVALID } allow_action;

static allow_action parse_allow_action(const char *action) {
	static const char *names[] = {"enable", "disable", "add", "remove"};
	for(int i = 0; i < ALLOW_INVALID; i++) {
		if(g_ascii_strcasecmp(action, names[i]) == 0)
			return (allow_action)i;
	}
	return ALLOW_INVALID;
}

static void apply_allowed(duet_room *room, allow_action action, json_t *tokens) {
	size_t i;
	json_t *token;
	if(action == ALLOW_ENABLE || action == ALLOW_DISABLE)
		room->allowed_on = action == ALLOW_ENABLE;
	json_array_foreach(tokens, i, token) {
		if(action == ALLOW_REMOVE)
			duet_room_disallow(room, json_string_value(token));
		else
			duet_room_allow(room, json_string_value(token));
	}
}

static json_t *allowed_json(const duet_room *room) {
	json_t *list = json_array();
	if(room->allowed) {
		GList *tokens = g_list_sort(g_hash_table_get_keys(room->allowed), (GCompareFunc)strcmp);
		for(GList *l = tokens; l; l = l->next)
			json_array_append_new(list, json_string(l->data));
		g_list_free(tokens);
	}
	return list;
}

duet_error duet_handle_allowed(duet_request *req) {
	allow_action action = parse_allow_action(duet_arg_str(req->args, "action"));
	if(action == ALLOW_INVALID)
		return duet_fail(
		    req, DUET_ERR_INVALID_ELEMENT, "Invalid element (action should be enable, disable, add or remove)");
	json_t *tokens = json_object_get(req->args, "allowed");
	if((action == ALLOW_ADD || action == ALLOW_REMOVE) && tokens == NULL)
		return duet_fail(req, DUET_ERR_MISSING_ELEMENT, "Missing element (allowed)");
	duet_room *room;
	duet_error code = find_room_as_owner(req, &room);
	if(code != DUET_OK)
		return code;
	apply_allowed(room, action, tokens);
	req->result = json_pack("{ssss}", "duet", "success", "room", room->id);
	if(room->allowed_on)
		json_object_set_new(req->result, "allowed", allowed_json(room));
	return DUET_OK;
}

/* ---------------------------------------------------------------------- */
/* stats (Admin API only)                                                 */

static void add_counters(json_t *totals, json_t *counters) {
	const char *kind;
	json_t *c;
	json_object_foreach(counters, kind, c) {
		json_t *t = json_object_get(totals, kind);
		json_int_t packets = json_integer_value(json_object_get(t, "packets"));
		json_int_t bytes = json_integer_value(json_object_get(t, "bytes"));
		json_object_set_new(t, "packets", json_integer(packets + json_integer_value(json_object_get(c, "packets"))));
		json_object_set_new(t, "bytes", json_integer(bytes + json_integer_value(json_object_get(c, "bytes"))));
	}
}

/* A held seat has nobody sending: it shows zeros and connected false. */
static json_t *participant_stats(const duet_seat *seat, json_t *totals) {
	const duet_member *member = duet_seat_member(seat);
	duet_member idle = {0};
	json_t *counters = duet_member_counters_json(member ? member : &idle);
	add_counters(totals, counters);
	json_object_set_new(counters, "id", json_string(seat->id));
	json_object_set_new(counters, "connected", json_boolean(member != NULL));
	gint64 rate = member ? __atomic_load_n(&member->rate_bits, __ATOMIC_RELAXED) : 0;
	json_object_set_new(counters, "bitrate", json_integer(rate));
	json_object_set_new(counters, "estimate", json_integer(member ? g_atomic_int_get(&member->estimate) : 0));
	return counters;
}

duet_error duet_handle_stats(duet_request *req) {
	json_t *totals = json_pack("{s{sisi}s{sisi}s{sisi}}", "audio", "packets", 0, "bytes", 0, "video", "packets", 0,
	    "bytes", 0, "data", "packets", 0, "bytes", 0);
	json_t *rooms = json_array();
	int participants = 0;
	GList *all = duet_registry_sorted(req->engine->registry);
	for(GList *l = all; l; l = l->next) {
		const duet_room *room = l->data;
		json_t *list = json_array();
		for(int i = 0; i < DUET_SEATS; i++) {
			if(room->seats[i] == NULL)
				continue;
			participants++;
			json_array_append_new(list, participant_stats(room->seats[i], totals));
		}
		json_array_append_new(rooms, json_pack("{ssso}", "room", room->id, "participants", list));
	}
	json_object_set_new(totals, "rooms", json_integer(g_list_length(all)));
	json_object_set_new(totals, "participants", json_integer(participants));
	g_list_free(all);
	req->result = json_pack("{sssoso}", "duet", "success", "totals", totals, "rooms", rooms);
	return DUET_OK;
}
