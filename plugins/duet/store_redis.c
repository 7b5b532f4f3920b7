/*
 * store_redis.c - the shared room store of a fleet, in Redis (hiredis).
 *
 * With general.redis_url set, each room made by create (and each permanent
 * room) is the key "duet:room:<id>" holding its settings as JSON
 * (shared.c). One connection, guarded by its own mutex (never the engine
 * lock); every command has a short timeout (DUET_REDIS_TIMEOUT_MS), so a
 * request that needs Redis waits at most that long on its own thread.
 *
 * Redis unreachable: the command fails (the request answers 499 and changes
 * nothing) and the connection is dropped. The next request that needs Redis
 * connects again by itself, at most every DUET_REDIS_RETRY_MS in between
 * so that an outage costs requests no connection timeout each; a
 * connection found broken (Redis restarted) is retried once at once.
 */
#include <debug.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "glue.h"

#define DUET_REDIS_TIMEOUT_MS 300
#define DUET_REDIS_RETRY_MS 500
#define KEY_PREFIX "duet:room:"

static GMutex lock;
static redisContext *context;
static duet_redis_url url;
static gint64 retry_at; /* monotonic us before which no connection is tried */
static gboolean was_up = TRUE; /* to log each change only once */

static struct timeval timeout(void) {
	struct timeval tv = {DUET_REDIS_TIMEOUT_MS / 1000, (DUET_REDIS_TIMEOUT_MS % 1000) * 1000};
	return tv;
}

static void disconnect(const char *why) {
	if(context)
		redisFree(context);
	context = NULL;
	if(was_up)
		JANUS_LOG(LOG_ERR, "[duet] Redis %s:%d unreachable (%s): requests that need it answer 499\n", url.host,
		    url.port, why);
	was_up = FALSE;
}

/* A command whose reply must not be an error; NULL when it failed. */
static redisReply *setup_command(const char *what, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	redisReply *reply = redisvCommand(context, fmt, args);
	va_end(args);
	if(reply && reply->type != REDIS_REPLY_ERROR)
		return reply;
	JANUS_LOG(LOG_ERR, "[duet] Redis %s failed: %s\n", what, reply ? reply->str : context->errstr);
	if(reply)
		freeReplyObject(reply);
	return NULL;
}

static gboolean authenticate(void) {
	redisReply *reply = NULL;
	if(url.password && (reply = setup_command("AUTH", "AUTH %s", url.password)) == NULL)
		return FALSE;
	if(reply)
		freeReplyObject(reply);
	if(url.db > 0 && (reply = setup_command("SELECT", "SELECT %d", url.db)) == NULL)
		return FALSE;
	if(url.db > 0)
		freeReplyObject(reply);
	return TRUE;
}

static gboolean connect_now(char *why, size_t why_len) {
	if(context)
		return TRUE;
	gint64 now = g_get_monotonic_time();
	if(now < retry_at) {
		g_snprintf(why, why_len, "not connected");
		return FALSE;
	}
	retry_at = now + DUET_REDIS_RETRY_MS * 1000;
	context = redisConnectWithTimeout(url.host, url.port, timeout());
	if(context == NULL || context->err) {
		g_snprintf(why, why_len, "%s", context ? context->errstr : "out of memory");
		disconnect(why);
		return FALSE;
	}
	redisSetTimeout(context, timeout());
	if(!authenticate()) {
		g_snprintf(why, why_len, "AUTH or SELECT refused");
		disconnect(why);
		return FALSE;
	}
	if(!was_up)
		JANUS_LOG(LOG_INFO, "[duet] Redis %s:%d reachable again\n", url.host, url.port);
	was_up = TRUE;
	return TRUE;
}

/* Runs a command, connecting first if needed; a connection that turns out
 * broken is replaced once. NULL: Redis cannot be reached (why says why). */
static redisReply *command(char *why, size_t why_len, const char *fmt, ...) {
	for(int attempt = 0; attempt < 2; attempt++) {
		gboolean fresh = context == NULL;
		if(!connect_now(why, why_len))
			return NULL;
		va_list args;
		va_start(args, fmt);
		redisReply *reply = redisvCommand(context, fmt, args);
		va_end(args);
		if(reply && reply->type == REDIS_REPLY_ERROR) {
			g_snprintf(why, why_len, "%s", reply->str);
			freeReplyObject(reply);
			return NULL;
		}
		if(reply)
			return reply;
		g_snprintf(why, why_len, "%s", context->errstr);
		disconnect(why);
		if(fresh)
			break;
		retry_at = 0; /* the connection was stale (Redis restarted?): at once */
	}
	return NULL;
}

static char *key_of(const char *id) {
	return g_strconcat(KEY_PREFIX, id, NULL);
}

static duet_shared_status fetch_room(const char *id, duet_room_settings *settings, char *why, size_t why_len) {
	char *key = key_of(id);
	g_mutex_lock(&lock);
	redisReply *reply = command(why, why_len, "GET %s", key);
	g_mutex_unlock(&lock);
	g_free(key);
	if(reply == NULL)
		return DUET_SHARED_DOWN;
	duet_shared_status status = DUET_SHARED_NONE;
	if(reply->type == REDIS_REPLY_STRING) {
		json_t *json = json_loadb(reply->str, reply->len, 0, NULL);
		if(duet_settings_from_json(json, settings))
			status = DUET_SHARED_FOUND;
		else
			JANUS_LOG(LOG_WARN, "[duet] Ignoring room %s in Redis: not a room's settings\n", id);
		json_decref(json);
	}
	freeReplyObject(reply);
	return status;
}

static duet_shared_status put_room(
    const char *id, const duet_room_settings *settings, gboolean only_new, char *why, size_t why_len) {
	char *key = key_of(id);
	char *text = NULL;
	if(settings) {
		json_t *json = duet_settings_to_json(settings);
		text = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(json);
	}
	g_mutex_lock(&lock);
	redisReply *reply = text == NULL ? command(why, why_len, "DEL %s", key)
	                    : only_new   ? command(why, why_len, "SET %s %s NX", key, text)
	                                 : command(why, why_len, "SET %s %s", key, text);
	g_mutex_unlock(&lock);
	free(text);
	g_free(key);
	if(reply == NULL)
		return DUET_SHARED_DOWN;
	duet_shared_status status = reply->type == REDIS_REPLY_NIL ? DUET_SHARED_TAKEN : DUET_SHARED_FOUND;
	freeReplyObject(reply);
	return status;
}

gboolean duet_redis_open(const char *redis_url) {
	if(!duet_redis_url_parse(redis_url, &url)) {
		JANUS_LOG(LOG_FATAL,
		    "[duet] Invalid general.redis_url \"%s\" (expected redis://[:password@]host[:port][/db])\n", redis_url);
		return FALSE;
	}
	char why[128];
	g_mutex_lock(&lock);
	retry_at = 0;
	was_up = TRUE;
	if(connect_now(why, sizeof(why)))
		JANUS_LOG(LOG_INFO, "[duet] Rooms are shared through Redis %s:%d, db %d\n", url.host, url.port, url.db);
	g_mutex_unlock(&lock);
	return TRUE; /* not reachable yet: it will be tried again when needed */
}

void duet_redis_close(void) {
	g_mutex_lock(&lock);
	if(context)
		redisFree(context);
	context = NULL;
	duet_redis_url_clear(&url);
	g_mutex_unlock(&lock);
}

void duet_redis_fill_store(duet_store *store) {
	store->fetch_room = fetch_room;
	store->put_room = put_room;
}
