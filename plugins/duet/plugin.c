/*
 * plugin.c - Duet's entry points for the Janus core.
 *
 * This file is glue only: it keeps the table of sessions (one per handle),
 * hands requests to the engine (sync ones at once, async ones through a
 * queue and one worker thread, in arrival order), hands packets to the
 * media path, and starts the housekeeping timer (housekeeping.c). No thread
 * here waits for a room: the worker pops requests and delivers the lines
 * (pc.h) the engine hands it. Behaviour lives in engine.c and
 * requests_*.c; the API reference is docs/api.md.
 */
#include <debug.h>
#include <utils.h>

#include "glue.h"

janus_plugin *create(void) __attribute__((visibility("default")));
static int duet_init(janus_callbacks *callback, const char *config_path);
static void duet_destroy(void);
static int duet_get_api_compatibility(void);
static int duet_get_version(void);
static const char *duet_get_version_string(void);
static const char *duet_get_description(void);
static const char *duet_get_name(void);
static const char *duet_get_author(void);
static const char *duet_get_package(void);
static void duet_create_session(janus_plugin_session *handle, int *error);
static struct janus_plugin_result *duet_handle_message(
    janus_plugin_session *handle, char *transaction, json_t *message, json_t *jsep);
static json_t *duet_handle_admin_message(json_t *message);
static void duet_setup_media(janus_plugin_session *handle);
static void duet_incoming_rtp(janus_plugin_session *handle, janus_plugin_rtp *packet);
static void duet_incoming_rtcp(janus_plugin_session *handle, janus_plugin_rtcp *packet);
static void duet_incoming_data(janus_plugin_session *handle, janus_plugin_data *packet);
static void duet_data_ready(janus_plugin_session *handle);
static void duet_slow_link(janus_plugin_session *handle, int mindex, gboolean video, gboolean uplink);
static void duet_hangup_media(janus_plugin_session *handle);
static void duet_destroy_session(janus_plugin_session *handle, int *error);
static json_t *duet_query_session(janus_plugin_session *handle);

/* Every callback is set, so JANUS_PLUGIN_INIT's NULL defaults are not needed. */
janus_plugin duet_plugin = {
    .init = duet_init,
    .destroy = duet_destroy,
    .get_api_compatibility = duet_get_api_compatibility,
    .get_version = duet_get_version,
    .get_version_string = duet_get_version_string,
    .get_description = duet_get_description,
    .get_name = duet_get_name,
    .get_author = duet_get_author,
    .get_package = duet_get_package,
    .create_session = duet_create_session,
    .handle_message = duet_handle_message,
    .handle_admin_message = duet_handle_admin_message,
    .setup_media = duet_setup_media,
    .incoming_rtp = duet_incoming_rtp,
    .incoming_rtcp = duet_incoming_rtcp,
    .incoming_data = duet_incoming_data,
    .data_ready = duet_data_ready,
    .slow_link = duet_slow_link,
    .hangup_media = duet_hangup_media,
    .destroy_session = duet_destroy_session,
    .query_session = duet_query_session,
};

janus_plugin *create(void) {
	return &duet_plugin;
}

janus_callbacks *duet_gateway;
static duet_engine *engine;
static volatile gint initialized, stopping;
static GHashTable *sessions; /* janus_plugin_session -> duet_session */
static janus_mutex sessions_mutex = JANUS_MUTEX_INITIALIZER;
static GAsyncQueue *messages;
static GThread *worker;

/* An async request waiting for the worker (route NULL: deliver the
 * session's line, which holds a JSEP). */
typedef struct duet_message {
	duet_session *session;
	char *transaction;
	const duet_route *route;
	json_t *body;
	json_t *jsep;
} duet_message;

static duet_message exit_message;

/* ---------------------------------------------------------------------- */
/* Identity                                                               */

static int duet_get_api_compatibility(void) {
	return JANUS_PLUGIN_API_VERSION;
}
static int duet_get_version(void) {
	return DUET_VERSION;
}
static const char *duet_get_version_string(void) {
	return DUET_VERSION_STRING;
}
static const char *duet_get_description(void) {
	return "Duet: private 1:1 calls in named rooms, relayed through Janus.";
}
static const char *duet_get_name(void) {
	return DUET_NAME;
}
static const char *duet_get_author(void) {
	return "The Duet developers";
}
static const char *duet_get_package(void) {
	return DUET_PACKAGE;
}

static gboolean running(void) {
	return g_atomic_int_get(&initialized) && !g_atomic_int_get(&stopping);
}

/* The core does not wait for its session threads before it calls destroy():
 * a handle may be destroyed (or a request may arrive) while the engine is
 * being freed. Every entry point that uses the engine counts itself in, and
 * destroy() waits until the count drops to zero after setting stopping. An
 * entry that comes in after that sees stopping and backs out. */
static volatile gint in_flight;

static gboolean engine_enter(void) {
	g_atomic_int_inc(&in_flight);
	if(running())
		return TRUE;
	g_atomic_int_dec_and_test(&in_flight);
	return FALSE;
}

static void engine_leave(void) {
	g_atomic_int_dec_and_test(&in_flight);
}

static void wait_engine_idle(void) {
	while(g_atomic_int_get(&in_flight) > 0)
		g_usleep(1000);
}

/* ---------------------------------------------------------------------- */
/* Sessions                                                               */

static void session_free(const janus_refcount *ref) {
	duet_session *session = janus_refcount_containerof(ref, duet_session, ref);
	duet_recording_free(session);
	duet_simulcast_clear(&session->sim);
	duet_member_clear(&session->member);
	/* The core gave the plugin a reference to the handle at attach. */
	janus_refcount_decrease(&session->handle->ref);
	g_free(session);
}

static void session_unref(gpointer data) {
	janus_refcount_decrease(&((duet_session *)data)->ref);
}

/* The session of a live handle, with a reference, or NULL. */
static duet_session *session_get(janus_plugin_session *handle) {
	janus_mutex_lock(&sessions_mutex);
	duet_session *session = sessions ? g_hash_table_lookup(sessions, handle) : NULL;
	if(session && !g_atomic_int_get(&session->destroyed)) {
		janus_refcount_increase(&session->ref);
	} else {
		session = NULL;
	}
	janus_mutex_unlock(&sessions_mutex);
	return session;
}

/* For the per-packet path: no table lookup, no lock. */
static duet_session *session_fast(janus_plugin_session *handle) {
	if(handle == NULL || g_atomic_int_get(&handle->stopped) || !running())
		return NULL;
	duet_session *session = handle->plugin_handle;
	return session && !g_atomic_int_get(&session->destroyed) ? session : NULL;
}

void duet_sessions_foreach(void (*fn)(duet_session *session, void *data), void *data) {
	janus_mutex_lock(&sessions_mutex);
	if(sessions) {
		GHashTableIter iter;
		gpointer value;
		g_hash_table_iter_init(&iter, sessions);
		while(g_hash_table_iter_next(&iter, NULL, &value))
			fn(value, data);
	}
	janus_mutex_unlock(&sessions_mutex);
}

static void duet_create_session(janus_plugin_session *handle, int *error) {
	if(!running()) {
		*error = -1;
		return;
	}
	duet_session *session = g_new0(duet_session, 1);
	session->handle = handle;
	duet_member_init(&session->member, handle);
	duet_simulcast_init(&session->sim);
	session->told_substream = session->told_temporal = -1;
	janus_refcount_init(&session->ref, session_free);
	handle->plugin_handle = session;
	janus_mutex_lock(&sessions_mutex);
	g_hash_table_insert(sessions, handle, session);
	janus_mutex_unlock(&sessions_mutex);
	*error = 0;
}

static void duet_destroy_session(janus_plugin_session *handle, int *error) {
	*error = 0;
	if(!engine_enter()) /* shutting down: destroy() drops every session */
		return;
	duet_session *session = session_get(handle);
	if(session == NULL) {
		*error = -2;
		engine_leave();
		return;
	}
	g_atomic_int_set(&session->destroyed, 1);
	duet_engine_disconnect(engine, &session->member);
	duet_recording_close(session);
	janus_mutex_lock(&sessions_mutex);
	g_hash_table_remove(sessions, handle);
	janus_mutex_unlock(&sessions_mutex);
	janus_refcount_decrease(&session->ref);
	engine_leave();
}

static json_t *duet_query_session(janus_plugin_session *handle) {
	if(!engine_enter())
		return NULL;
	duet_session *session = session_get(handle);
	json_t *info = session ? duet_engine_member_info(engine, &session->member) : NULL;
	if(session)
		janus_refcount_decrease(&session->ref);
	engine_leave();
	return info;
}

/* ---------------------------------------------------------------------- */
/* Requests                                                               */

static struct janus_plugin_result *answer_now(json_t *body) {
	return janus_plugin_result_new(JANUS_PLUGIN_OK, NULL, body);
}

static void message_free(duet_message *msg) {
	janus_refcount_decrease(&msg->session->ref);
	g_free(msg->transaction);
	json_decref(msg->body);
	json_decref(msg->jsep);
	g_free(msg);
}

/* The core has already applied this JSEP to the handle (see reset_if_glare). */
static gboolean carries_offer(json_t *jsep) {
	const char *type = json_string_value(json_object_get(jsep, "type"));
	return type && g_ascii_strcasecmp(type, "offer") == 0;
}

static struct janus_plugin_result *handle_message(
    janus_plugin_session *handle, char *transaction, json_t *message, json_t *jsep) {
	duet_session *session = session_get(handle); /* running: the caller entered the engine */
	if(session == NULL) {
		/* The handle was detached after the core took the message: what the
		 * core handed over is still ours to free. */
		g_free(transaction);
		json_decref(message);
		json_decref(jsep);
		return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "No session for this handle", NULL);
	}
	duet_error code;
	char error[128];
	const duet_route *route = duet_route_find(message, DUET_FOR_CLIENT, &code, error, sizeof(error));
	json_t *body = NULL;
	if(route == NULL)
		body = duet_error_body(code, error);
	else if(!route->async)
		body = duet_engine_run(engine, route, &session->member, message, jsep);
	if(body) {
		janus_refcount_decrease(&session->ref);
		g_free(transaction);
		json_decref(message);
		json_decref(jsep);
		return answer_now(body);
	}
	if(carries_offer(jsep))
		g_atomic_int_inc(&session->member.offers_queued);
	duet_message *msg = g_new0(duet_message, 1);
	*msg = (duet_message){session, transaction, route, message, jsep};
	g_async_queue_push(messages, msg);
	return janus_plugin_result_new(JANUS_PLUGIN_OK_WAIT, NULL, NULL);
}

static struct janus_plugin_result *duet_handle_message(
    janus_plugin_session *handle, char *transaction, json_t *message, json_t *jsep) {
	if(!engine_enter()) {
		g_free(transaction);
		json_decref(message);
		json_decref(jsep);
		return janus_plugin_result_new(JANUS_PLUGIN_ERROR, "Shutting down", NULL);
	}
	struct janus_plugin_result *result = handle_message(handle, transaction, message, jsep);
	engine_leave();
	return result;
}

/* Async requests run one at a time, in arrival order. */
static void *worker_thread(void *data) {
	(void)data;
	for(;;) {
		duet_message *msg = g_async_queue_pop(messages);
		if(msg == &exit_message)
			break;
		duet_session *session = msg->session;
		if(msg->route == NULL)
			duet_engine_deliver(engine, &session->member);
		else if(!g_atomic_int_get(&session->destroyed))
			duet_engine_run_async(engine, msg->route, &session->member, msg->body, msg->jsep, msg->transaction);
		if(carries_offer(msg->jsep))
			g_atomic_int_add(&session->member.offers_queued, -1);
		message_free(msg);
	}
	return NULL;
}

gboolean duet_plugin_stopping(void) {
	return g_atomic_int_get(&stopping);
}

void duet_plugin_schedule(duet_member *member) {
	if(!g_atomic_int_get(&initialized) || messages == NULL)
		return;
	duet_session *session = duet_session_of(member);
	janus_refcount_increase(&session->ref);
	duet_message *msg = g_new0(duet_message, 1);
	msg->session = session;
	g_async_queue_push(messages, msg);
}

static json_t *duet_handle_admin_message(json_t *message) {
	if(!engine_enter())
		return duet_error_body(DUET_ERR_UNKNOWN, "Shutting down");
	duet_error code;
	char error[128];
	const duet_route *route = duet_route_find(message, DUET_FOR_ADMIN, &code, error, sizeof(error));
	json_t *body = route ? duet_engine_run(engine, route, NULL, message, NULL) : duet_error_body(code, error);
	engine_leave();
	return body;
}

/* ---------------------------------------------------------------------- */
/* Media callbacks                                                        */

static void duet_setup_media(janus_plugin_session *handle) {
	duet_session *session = session_fast(handle);
	if(session)
		duet_media_up(session);
}

static void duet_incoming_rtp(janus_plugin_session *handle, janus_plugin_rtp *packet) {
	duet_session *session = session_fast(handle);
	if(session)
		duet_media_rtp(session, packet);
}

static void duet_incoming_rtcp(janus_plugin_session *handle, janus_plugin_rtcp *packet) {
	duet_session *session = session_fast(handle);
	if(session)
		duet_media_rtcp(session, packet);
}

static void duet_incoming_data(janus_plugin_session *handle, janus_plugin_data *packet) {
	duet_session *session = session_fast(handle);
	if(session)
		duet_media_data(session, packet);
}

static void duet_data_ready(janus_plugin_session *handle) {
	duet_session *session = session_fast(handle);
	if(session)
		g_atomic_int_set(&session->member.data_ready, 1);
}

static void duet_hangup_media(janus_plugin_session *handle) {
	if(!engine_enter())
		return;
	duet_session *session = session_get(handle);
	if(session) {
		g_atomic_int_set(&session->member.webrtc_up, 0);
		g_atomic_int_set(&session->member.data_ready, 0);
		duet_recording_close(session);
		duet_engine_media_closed(engine, &session->member);
		janus_refcount_decrease(&session->ref);
	}
	engine_leave();
}

/* The core counts a "slow link" from NACKs: its uplink is Janus -> peer.
 * The contract's uplink is the participant's own: what it sends. */
static void duet_slow_link(janus_plugin_session *handle, int mindex, gboolean video, gboolean uplink) {
	(void)mindex;
	if(!engine_enter())
		return;
	duet_session *session = session_get(handle);
	if(session) {
		duet_engine_slow_link(engine, &session->member, video, !uplink);
		janus_refcount_decrease(&session->ref);
	}
	engine_leave();
}

/* ---------------------------------------------------------------------- */
/* Lifetime                                                               */

static int duet_init(janus_callbacks *callback, const char *config_path) {
	if(callback == NULL || config_path == NULL)
		return -1;
	duet_settings settings = {0};
	if(!duet_config_load(config_path, &settings)) {
		g_free(settings.admin_key);
		g_free(settings.rec_dir);
		duet_config_unload();
		return -1;
	}
	duet_gateway = callback;
	engine = duet_engine_new(&settings, &duet_janus_host, &duet_config_store);
	g_free(settings.admin_key);
	g_free(settings.rec_dir);
	duet_config_add_rooms(engine);
	sessions = g_hash_table_new_full(NULL, NULL, NULL, session_unref);
	messages = g_async_queue_new();
	g_atomic_int_set(&stopping, 0);
	g_atomic_int_set(&initialized, 1);
	GError *error = NULL;
	worker = g_thread_try_new("duet worker", worker_thread, NULL, &error);
	if(worker)
		duet_housekeeping_start(engine, &error);
	if(error) {
		JANUS_LOG(LOG_ERR, "[duet] Could not start a thread: %s\n", error->message);
		g_error_free(error);
		duet_destroy();
		return -1;
	}
	JANUS_LOG(LOG_INFO, "%s initialized (%u rooms from the configuration)\n", DUET_NAME,
	    duet_registry_size(engine->registry));
	return 0;
}

/* What is still in the participants' lines goes nowhere now; twice, as an
 * answer may wait for a forward in another line. */
static void drop_lines(void) {
	for(int pass = 0; pass < 2; pass++) {
		janus_mutex_lock(&sessions_mutex);
		GList *all = g_hash_table_get_values(sessions);
		for(GList *l = all; l; l = l->next)
			janus_refcount_increase(&((duet_session *)l->data)->ref);
		janus_mutex_unlock(&sessions_mutex);
		for(GList *l = all; l; l = l->next) {
			duet_session *session = l->data;
			duet_engine_drop_line(engine, &session->member);
			if(pass == 1)
				duet_pc_drop(&session->member, &duet_janus_host);
			janus_refcount_decrease(&session->ref);
		}
		g_list_free(all);
	}
}

static void duet_destroy(void) {
	if(!g_atomic_int_get(&initialized))
		return;
	g_atomic_int_set(&stopping, 1);
	if(worker) {
		g_async_queue_push(messages, &exit_message);
		g_thread_join(worker);
		worker = NULL;
	}
	duet_housekeeping_stop();
	wait_engine_idle();
	drop_lines();
	janus_mutex_lock(&sessions_mutex);
	g_hash_table_destroy(sessions);
	sessions = NULL;
	janus_mutex_unlock(&sessions_mutex);
	duet_message *msg;
	while((msg = g_async_queue_try_pop(messages)) != NULL)
		message_free(msg);
	g_async_queue_unref(messages);
	duet_engine_free(engine);
	engine = NULL;
	duet_config_unload();
	g_atomic_int_set(&initialized, 0);
	JANUS_LOG(LOG_INFO, "%s destroyed\n", DUET_NAME);
}
