/*
 * shared.c - rooms kept in a store shared by the instances of a fleet
 * (general.redis_url; the store itself is store_redis.c).
 *
 * Rooms made by create, and rooms written by a permanent request, are
 * written to the shared store before they change in memory, so that any
 * instance asked later for the room knows it. A request naming a room this
 * instance does not hold (or holds but nobody sits in, so that an edit or
 * destroy made on another instance is seen) reads it from the store first:
 * a small synchronous read on the request's own thread, before and without
 * the engine lock, bounded by the store's short timeout. Seats and calls
 * are never stored: they live and die with their instance.
 *
 * When the store cannot be reached, requests that need it answer 499 and
 * change nothing; rooms already held here (and being used) go on working.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define DOWN_MESSAGE "The room store (Redis) is unreachable, try again later"

/* ---------------------------------------------------------------------- */
/* A room's settings as JSON                                              */

json_t *duet_settings_to_json(const duet_room_settings *s) {
	return json_pack("{s:s?,s:s?,s:s?,s:s?,s:b,s:b,s:I,s:i,s:b}", "description", s->description, "pin", s->pin,
	    "secret", s->secret, "rec_dir", s->rec_dir, "is_private", s->is_private, "record", s->record, "bitrate",
	    (json_int_t)s->bitrate, "reconnect_window", s->reconnect_window, "adaptive", s->adaptive);
}

static gboolean get_string(json_t *json, const char *name, char **field, gboolean empty_is_none) {
	json_t *value = json_object_get(json, name);
	if(value == NULL || json_is_null(value))
		return TRUE;
	if(!json_is_string(value))
		return FALSE;
	duet_set_string(field, json_string_value(value), empty_is_none);
	return TRUE;
}

static gboolean get_int(json_t *json, const char *name, json_int_t max, json_int_t *out) {
	json_t *value = json_object_get(json, name);
	if(value == NULL)
		return TRUE;
	if(!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > max)
		return FALSE;
	*out = json_integer_value(value);
	return TRUE;
}

/* FALSE (and settings cleared) when json is not a room's settings. */
gboolean duet_settings_from_json(json_t *json, duet_room_settings *s) {
	memset(s, 0, sizeof(*s));
	json_int_t bitrate = 0, window = 15;
	gboolean ok = json_is_object(json) && get_string(json, "description", &s->description, FALSE) &&
	              get_string(json, "pin", &s->pin, TRUE) && get_string(json, "secret", &s->secret, TRUE) &&
	              get_string(json, "rec_dir", &s->rec_dir, TRUE) && get_int(json, "bitrate", 100000000, &bitrate) &&
	              get_int(json, "reconnect_window", 3600, &window);
	if(!ok) {
		duet_room_settings_clear(s);
		return FALSE;
	}
	if(s->description == NULL)
		duet_set_string(&s->description, "", FALSE);
	s->is_private = json_is_true(json_object_get(json, "is_private"));
	s->record = json_is_true(json_object_get(json, "record"));
	s->adaptive = !json_is_false(json_object_get(json, "adaptive")); /* on unless said otherwise */
	s->bitrate = (guint32)bitrate;
	s->reconnect_window = (int)window;
	return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Lookup                                                                 */

static gboolean has_shared_store(const duet_engine *engine) {
	return engine->store && engine->store->fetch_room && engine->store->put_room;
}

/* Whether the store must be asked: the room is not here, or it is a shared
 * room nobody sits in (what is here may be older than the store). */
static gboolean needs_fetch(duet_engine *engine, const char *id, gboolean *held) {
	g_mutex_lock(&engine->lock);
	duet_room *room = duet_registry_find(engine->registry, id);
	*held = room != NULL;
	gboolean needed = room == NULL || (room->shared && duet_room_count(room) == 0);
	g_mutex_unlock(&engine->lock);
	return needed;
}

/* Under the lock: what the store said becomes what this instance holds. */
static duet_error adopt(duet_engine *engine, const char *id, const duet_room_settings *stored) {
	duet_room *room = duet_registry_find(engine->registry, id);
	gboolean replaceable = room && room->shared && duet_room_count(room) == 0;
	if(stored == NULL) {
		if(replaceable) /* destroyed by another instance */
			duet_registry_remove(engine->registry, room);
		return DUET_OK;
	}
	if(replaceable) {
		duet_room_settings_clear(&room->settings);
		duet_room_settings_copy(&room->settings, stored);
		return DUET_OK;
	}
	if(room) /* a room of this instance's own (file, auto, or in use) */
		return DUET_OK;
	duet_error code = duet_registry_add(engine->registry, id, stored, DUET_ORIGIN_CREATED, &room);
	if(code == DUET_OK)
		room->shared = TRUE;
	return code;
}

duet_error duet_shared_lookup(duet_request *req) {
	duet_engine *engine = req->engine;
	const char *id = duet_arg_str(req->args, "room");
	gboolean held = FALSE;
	if(!has_shared_store(engine) || !req->route->lookup || id == NULL || !needs_fetch(engine, id, &held))
		return DUET_OK;
	duet_room_settings stored;
	memset(&stored, 0, sizeof(stored));
	char why[128] = "";
	/* store_lock: a create's write and its apply are one step for lookups
	 * (a lookup in between would adopt the room the create then adds). */
	g_mutex_lock(&engine->store_lock);
	duet_shared_status status = engine->store->fetch_room(id, &stored, why, sizeof(why));
	duet_error code = DUET_OK;
	if(status != DUET_SHARED_DOWN) {
		g_mutex_lock(&engine->lock);
		code = adopt(engine, id, status == DUET_SHARED_FOUND ? &stored : NULL);
		g_mutex_unlock(&engine->lock);
	}
	g_mutex_unlock(&engine->store_lock);
	duet_room_settings_clear(&stored);
	if(status == DUET_SHARED_DOWN && !held) /* a room held here is served as it is */
		return duet_fail(req, DUET_ERR_UNKNOWN, DOWN_MESSAGE " (%s)", why);
	if(code != DUET_OK)
		return duet_fail(req, code, "Too many rooms (max_rooms is %u)", engine->settings.max_rooms);
	return DUET_OK;
}

/* ---------------------------------------------------------------------- */
/* Writes                                                                 */

duet_error duet_shared_write(duet_request *req) {
	duet_change *c = &req->change;
	if(!c->shared || !has_shared_store(req->engine))
		return DUET_OK;
	char why[128] = "";
	duet_shared_status status =
	    req->engine->store->put_room(c->room_id, c->remove ? NULL : &c->settings, c->create, why, sizeof(why));
	if(status == DUET_SHARED_TAKEN)
		return duet_fail(req, DUET_ERR_ROOM_EXISTS, "Room %s already exists", c->room_id);
	if(status != DUET_SHARED_FOUND)
		return duet_fail(req, DUET_ERR_UNKNOWN, DOWN_MESSAGE " (%s)", why);
	c->wrote_shared = TRUE;
	return DUET_OK;
}

/* The store as it was: a created room deleted, an edited or destroyed one
 * written back. */
void duet_shared_undo(duet_request *req) {
	duet_change *c = &req->change;
	if(!c->wrote_shared)
		return;
	c->wrote_shared = FALSE;
	char why[128] = "";
	const duet_room_settings *before = c->create ? NULL : &c->before;
	/* If the store went away meanwhile, there is nothing more to do here:
	 * the store logs it. */
	(void)req->engine->store->put_room(c->room_id, before, FALSE, why, sizeof(why));
}

/* ---------------------------------------------------------------------- */
/* redis://[:password@]host[:port][/db]                                   */

void duet_redis_url_clear(duet_redis_url *url) {
	g_free(url->host);
	g_free(url->password);
	memset(url, 0, sizeof(*url));
}

static gboolean parse_number(const char *text, long max, int *out) {
	char *end = NULL;
	long n = strtol(text, &end, 10);
	if(*text == '\0' || *end != '\0' || n < 0 || n > max)
		return FALSE;
	*out = (int)n;
	return TRUE;
}

static gboolean parse_host_port(const char *text, duet_redis_url *url) {
	const char *colon = strrchr(text, ':');
	if(colon && strchr(text, ']') > colon)
		colon = NULL; /* [::1] */
	url->host = colon ? g_strndup(text, colon - text) : g_strdup(text);
	url->port = 6379;
	if(colon && !parse_number(colon + 1, 65535, &url->port))
		return FALSE;
	if(url->host[0] == '[' && url->host[strlen(url->host) - 1] == ']') {
		char *inner = g_strndup(url->host + 1, strlen(url->host) - 2);
		g_free(url->host);
		url->host = inner;
	}
	return url->host[0] != '\0' && url->port > 0;
}

gboolean duet_redis_url_parse(const char *text, duet_redis_url *url) {
	memset(url, 0, sizeof(*url));
	if(text == NULL || !g_str_has_prefix(text, "redis://"))
		return FALSE;
	char *rest = g_strdup(text + strlen("redis://"));
	char *slash = strchr(rest, '/');
	gboolean ok = TRUE;
	if(slash) {
		*slash = '\0';
		ok = slash[1] == '\0' || parse_number(slash + 1, 1000000, &url->db);
	}
	char *at = strrchr(rest, '@');
	char *hostport = rest;
	if(at) {
		*at = '\0';
		const char *colon = strchr(rest, ':'); /* user:password, Redis 6 ACL users ignored */
		url->password = g_strdup(colon ? colon + 1 : rest);
		hostport = at + 1;
	}
	ok = ok && parse_host_port(hostport, url);
	g_free(rest);
	if(!ok)
		duet_redis_url_clear(url);
	return ok;
}
