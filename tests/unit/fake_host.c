/*
 * fake_host.c - a recording duet_host for unit tests (see fake_host.h).
 */
#include "fake_host.h"

#include <stdlib.h>
#include <string.h>

gint64 fake_now = 1000000;
int fake_push_result = 0;
GPtrArray *fake_notifications;
gboolean fake_auto_hangup = TRUE;
GHashTable *fake_store_file;
gboolean fake_store_fails;
int fake_store_writes;
static duet_engine *current_engine;
static GPtrArray *scheduled;

static fake_member *fake_of(duet_member *m) {
	return (fake_member *)m;
}

static void ref(duet_member *m) {
	fake_of(m)->refs++;
}

static void unref(duet_member *m) {
	fake_of(m)->refs--;
}

static int push(duet_member *m, const char *transaction, json_t *event, json_t *jsep) {
	(void)transaction;
	json_t *copy = json_deep_copy(event);
	if(jsep)
		json_object_set_new(copy, "jsep", json_deep_copy(jsep));
	if(jsep && fake_push_result != 0) {
		json_decref(copy);
		return fake_push_result;
	}
	g_ptr_array_add(transaction ? fake_of(m)->answers : fake_of(m)->inbox, copy);
	return 0;
}

static int push_jsep(duet_member *m, json_t *event, json_t *jsep) {
	return push(m, NULL, event, jsep);
}

static void close_media(duet_member *m, gboolean expect_hangup) {
	fake_of(m)->closes++;
	fake_of(m)->closes_expecting_hangup += expect_hangup ? 1 : 0;
	if(expect_hangup && fake_auto_hangup && current_engine) {
		/* A core that closed it at once, ICE agent included: its hangup
		 * came DUET_PC_SETTLE_US ago (tests of the settling call
		 * duet_engine_media_closed themselves, and fake_settle). */
		gint64 now = fake_now;
		fake_now -= DUET_PC_SETTLE_US;
		duet_engine_media_closed(current_engine, m);
		fake_now = now;
	}
}

int fake_settle(duet_engine *engine) {
	fake_now += DUET_PC_SETTLE_US;
	duet_engine_expire(engine);
	return fake_run_worker(engine);
}

static void schedule(duet_member *m) {
	if(scheduled == NULL)
		scheduled = g_ptr_array_new();
	ref(m);
	g_ptr_array_add(scheduled, m);
}

int fake_scheduled(void) {
	return scheduled ? (int)scheduled->len : 0;
}

int fake_run_worker(duet_engine *engine) {
	int n = 0;
	while(scheduled && scheduled->len > 0) {
		duet_member *m = g_ptr_array_steal_index(scheduled, 0);
		duet_engine_deliver(engine, m);
		unref(m);
		n++;
	}
	return n;
}

static void apply_bitrate(duet_member *m) {
	fake_of(m)->bitrate_updates++;
}

static void notify(duet_member *m, json_t *info) {
	(void)m;
	if(fake_notifications == NULL)
		fake_notifications = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	g_ptr_array_add(fake_notifications, json_incref(info));
}

static void record(duet_member *m, json_t *how) {
	fake_of(m)->recordings += json_is_true(json_object_get(how, "on")) ? 1 : -1;
}

static gboolean events_enabled(void) {
	return TRUE;
}

static gboolean sdp_valid(const char *sdp, char *error, size_t len) {
	if(strncmp(sdp, "v=0", 3) == 0)
		return TRUE;
	g_snprintf(error, len, "no v= line");
	return FALSE;
}

static gint64 now(void) {
	return fake_now;
}

const duet_host fake_host = {
    .ref = ref,
    .unref = unref,
    .push = push,
    .push_jsep = push_jsep,
    .close_media = close_media,
    .schedule = schedule,
    .apply_bitrate = apply_bitrate,
    .notify = notify,
    .record = record,
    .events_enabled = events_enabled,
    .sdp_valid = sdp_valid,
    .now = now,
};

fake_member *fake_member_new(void) {
	fake_member *m = g_new0(fake_member, 1);
	duet_member_init(&m->member, m);
	m->inbox = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	m->answers = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
	return m;
}

void fake_member_free(fake_member *m) {
	g_ptr_array_free(m->inbox, TRUE);
	g_ptr_array_free(m->answers, TRUE);
	duet_member_clear(&m->member);
	g_free(m);
}

json_t *fake_next_event(fake_member *m) {
	if(m->inbox->len == 0)
		return NULL;
	return g_ptr_array_steal_index(m->inbox, 0);
}

json_t *fake_take_event(fake_member *m, const char *name) {
	for(guint i = 0; i < m->inbox->len; i++) {
		json_t *event = g_ptr_array_index(m->inbox, i);
		if(g_strcmp0(json_string_value(json_object_get(event, "duet")), name) == 0)
			return g_ptr_array_steal_index(m->inbox, i);
	}
	return NULL;
}

void fake_reset(void) {
	fake_now = 1000000;
	fake_push_result = 0;
	fake_auto_hangup = TRUE;
	fake_store_fails = FALSE;
	fake_store_writes = 0;
	if(fake_store_file)
		g_hash_table_remove_all(fake_store_file);
	if(fake_notifications)
		g_ptr_array_set_size(fake_notifications, 0);
}

duet_engine *fake_engine_new(gboolean auto_create, guint max_rooms, const char *admin_key) {
	duet_settings settings = {
	    .admin_key = (char *)admin_key,
	    .auto_create = auto_create,
	    .max_rooms = max_rooms,
	    .reconnect_window = 15,
	    .events = TRUE,
	    .rec_dir = (char *)"/tmp",
	    .adaptive = TRUE,
	};
	fake_reset();
	current_engine = duet_engine_new(&settings, &fake_host, NULL);
	return current_engine;
}

duet_engine *fake_engine_new_stored(gboolean auto_create, guint max_rooms, const char *admin_key) {
	duet_engine *engine = fake_engine_new(auto_create, max_rooms, admin_key);
	engine->store = &fake_store;
	return engine;
}

/* ---------------------------------------------------------------------- */
/* The store: a table standing for the file, swapped only on success      */

static GHashTable *store_previous;

static GHashTable *store_copy(GHashTable *from) {
	GHashTable *copy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if(from) {
		GHashTableIter iter;
		gpointer k, v;
		g_hash_table_iter_init(&iter, from);
		while(g_hash_table_iter_next(&iter, &k, &v))
			g_hash_table_insert(copy, g_strdup(k), g_strdup(v));
	}
	return copy;
}

static char *settings_text(const duet_room_settings *s) {
	json_t *j = json_pack("{s:s?,s:s?,s:s?,s:s?,s:b,s:b,s:i,s:i}", "description", s->description, "pin", s->pin,
	    "secret", s->secret, "rec_dir", s->rec_dir, "is_private", s->is_private, "record", s->record, "bitrate",
	    (int)s->bitrate, "reconnect_window", s->reconnect_window);
	char *text = json_dumps(j, JSON_SORT_KEYS);
	json_decref(j);
	char *copy = g_strdup(text);
	free(text);
	return copy;
}

static gboolean store_save(const char *id, const duet_room_settings *settings) {
	if(fake_store_fails)
		return FALSE;
	fake_store_writes++;
	GHashTable *next = store_copy(fake_store_file);
	if(settings)
		g_hash_table_insert(next, g_strdup(id), settings_text(settings));
	else
		g_hash_table_remove(next, id);
	if(store_previous)
		g_hash_table_destroy(store_previous);
	store_previous = fake_store_file;
	fake_store_file = next;
	return TRUE;
}

static void store_revert(void) {
	if(store_previous == NULL)
		return;
	if(fake_store_file)
		g_hash_table_destroy(fake_store_file);
	fake_store_file = store_previous;
	store_previous = NULL;
}

const duet_store fake_store = {
    .save_room = store_save,
    .revert = store_revert,
};

char *fake_store_room(const char *id) {
	const char *text = fake_store_file ? g_hash_table_lookup(fake_store_file, id) : NULL;
	return g_strdup(text);
}

json_t *fake_request(duet_engine *engine, fake_member *caller, const char *body_json, json_t *jsep) {
	json_error_t error;
	json_t *body = json_loads(body_json, 0, &error);
	g_assert_nonnull(body);
	duet_error code;
	char text[128];
	unsigned scope = caller ? DUET_FOR_CLIENT : DUET_FOR_ADMIN;
	const duet_route *route = duet_route_find(body, scope, &code, text, sizeof(text));
	json_t *answer = NULL;
	if(route == NULL) {
		answer = duet_error_body(code, text);
	} else if(route->async && caller) {
		guint before = caller->answers->len;
		duet_engine_run_async(engine, route, &caller->member, body, jsep, "t");
		answer = caller->answers->len > before ? g_ptr_array_steal_index(caller->answers, before)
		                                       : json_pack("{ss}", "duet", "pending");
	} else {
		answer = duet_engine_run(engine, route, caller ? &caller->member : NULL, body, jsep);
	}
	json_decref(body);
	return answer;
}

int fake_error_code(json_t *answer) {
	return (int)json_integer_value(json_object_get(answer, "error_code"));
}
