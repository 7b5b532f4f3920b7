/*
 * fake_host.c - a recording duet_host for unit tests (see fake_host.h).
 */
#include "fake_host.h"

#include <string.h>

gint64 fake_now = 1000000;
int fake_push_result = 0;
GPtrArray *fake_notifications;

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
	g_ptr_array_add(fake_of(m)->inbox, copy);
	return 0;
}

static int push_jsep(duet_member *m, json_t *event, json_t *jsep) {
	return push(m, NULL, event, jsep);
}

static void close_media(duet_member *m, gboolean expect_hangup) {
	fake_of(m)->closes++;
	fake_of(m)->closes_expecting_hangup += expect_hangup ? 1 : 0;
}

static void reset_media(duet_member *m) {
	close_media(m, TRUE);
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
    .reset_media = reset_media,
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
	return m;
}

void fake_member_free(fake_member *m) {
	g_ptr_array_free(m->inbox, TRUE);
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
	return duet_engine_new(&settings, &fake_host, NULL);
}

json_t *fake_request(duet_engine *engine, fake_member *caller, const char *body_json, json_t *jsep) {
	json_error_t error;
	json_t *body = json_loads(body_json, 0, &error);
	g_assert_nonnull(body);
	duet_error code;
	char text[128];
	unsigned scope = caller ? DUET_FOR_CLIENT : DUET_FOR_ADMIN;
	const duet_route *route = duet_route_find(body, scope, &code, text, sizeof(text));
	json_t *answer = route ? duet_engine_run(engine, route, caller ? &caller->member : NULL, body, jsep)
	                       : duet_error_body(code, text);
	json_decref(body);
	return answer;
}

int fake_error_code(json_t *answer) {
	return (int)json_integer_value(json_object_get(answer, "error_code"));
}
