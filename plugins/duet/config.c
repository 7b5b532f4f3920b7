/*
 * config.c - the janus.plugin.duet.jcfg file: general settings, the rooms
 * it declares (room-<id> sections), and rooms written back by requests
 * with "permanent": true.
 *
 * Writes are atomic: the whole configuration is saved to a temporary file
 * in the same folder and renamed over the old one, so that a crash in the
 * middle leaves either the old file or the new one, never half of one.
 * A write works on a copy of the configuration, which replaces the one in
 * memory only once the file is written: a failed write changes nothing.
 * The engine calls the store one request at a time, without its lock.
 * general.redis_url adds the shared store of a fleet (store_redis.c).
 */
#include <config.h>
#include <debug.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <utils.h>

#include "glue.h"

#define CONFIG_NAME "janus.plugin.duet"
#define ROOM_PREFIX "room-"
#define DEFAULT_REC_DIR "/var/lib/janus/recordings"

duet_store duet_config_store;
static janus_config *config;
static janus_config *previous; /* before the last save (revert) */
static char *config_folder;

/* ---------------------------------------------------------------------- */
/* Reading                                                                */

static const char *item(janus_config_category *cat, const char *name) {
	janus_config_item *it = janus_config_get(config, cat, janus_config_type_item, name);
	return it && it->value ? it->value : NULL;
}

static gboolean item_bool(janus_config_category *cat, const char *name, gboolean fallback) {
	const char *value = item(cat, name);
	return value ? janus_is_true(value) : fallback;
}

static long item_int(janus_config_category *cat, const char *name, long fallback, long min, long max) {
	const char *value = item(cat, name);
	if(value == NULL)
		return fallback;
	char *end = NULL;
	long n = strtol(value, &end, 10);
	if(end == value || *end != '\0' || n < min || n > max) {
		JANUS_LOG(LOG_WARN, "[duet] Ignoring %s = \"%s\" (expected an integer in %ld..%ld)\n", name, value, min, max);
		return fallback;
	}
	return n;
}

static char *config_path(const char *name) {
	return g_strdup_printf("%s/%s.jcfg", config_folder, name);
}

gboolean duet_config_load(const char *folder, duet_settings *s) {
	config_folder = g_strdup(folder);
	char *path = config_path(CONFIG_NAME);
	config = janus_config_parse(path);
	g_free(path);
	if(config == NULL) {
		JANUS_LOG(LOG_WARN, "[duet] No configuration file, using defaults\n");
		config = janus_config_create(CONFIG_NAME ".jcfg");
	}
	janus_config_category *general = janus_config_get_create(config, NULL, janus_config_type_category, "general");
	const char *admin_key = item(general, "admin_key");
	s->admin_key = admin_key && *admin_key ? g_strdup(admin_key) : NULL;
	s->auto_create = item_bool(general, "auto_create", TRUE);
	s->max_rooms = (guint)item_int(general, "max_rooms", 10000, 0, G_MAXINT);
	s->reconnect_window = (int)item_int(general, "reconnect_window", 15, 0, 3600);
	s->events = item_bool(general, "events", TRUE);
	s->rec_dir = g_strdup(item(general, "rec_dir") ? item(general, "rec_dir") : DEFAULT_REC_DIR);
	s->adaptive = item_bool(general, "adaptive", TRUE);
	const char *redis_url = item(general, "redis_url");
	if(redis_url && *redis_url) {
		if(!duet_redis_open(redis_url))
			return FALSE;
		duet_redis_fill_store(&duet_config_store);
	}
	return TRUE;
}

static void room_settings(janus_config_category *cat, const duet_settings *defaults, duet_room_settings *s) {
	memset(s, 0, sizeof(*s));
	duet_set_string(&s->description, item(cat, "description"), FALSE);
	duet_set_string(&s->pin, item(cat, "pin"), TRUE);
	duet_set_string(&s->secret, item(cat, "secret"), TRUE);
	duet_set_string(&s->rec_dir, item(cat, "rec_dir") ? item(cat, "rec_dir") : defaults->rec_dir, TRUE);
	s->is_private = item_bool(cat, "is_private", FALSE);
	s->record = item_bool(cat, "record", FALSE);
	s->bitrate = (guint32)item_int(cat, "bitrate", 0, 0, 100000000);
	s->reconnect_window = (int)item_int(cat, "reconnect_window", defaults->reconnect_window, 0, 3600);
	s->adaptive = item_bool(cat, "adaptive", defaults->adaptive);
}

void duet_config_add_rooms(duet_engine *engine) {
	GList *categories = janus_config_get_categories(config, NULL);
	for(GList *l = categories; l; l = l->next) {
		janus_config_category *cat = l->data;
		if(cat->name == NULL || !g_str_has_prefix(cat->name, ROOM_PREFIX))
			continue;
		const char *id = cat->name + strlen(ROOM_PREFIX);
		if(!duet_id_is_valid(id)) {
			JANUS_LOG(LOG_WARN, "[duet] Skipping section %s: not a valid room id\n", cat->name);
			continue;
		}
		duet_room_settings settings;
		room_settings(cat, &engine->settings, &settings);
		duet_error code = duet_engine_add_config_room(engine, id, &settings);
		duet_room_settings_clear(&settings);
		if(code != DUET_OK)
			JANUS_LOG(LOG_WARN, "[duet] Skipping room %s: %s\n", id, duet_error_name(code));
	}
	g_list_free(categories);
}

void duet_config_unload(void) {
	if(duet_config_store.fetch_room)
		duet_redis_close();
	duet_config_store.fetch_room = NULL;
	duet_config_store.put_room = NULL;
	if(config)
		janus_config_destroy(config);
	config = NULL;
	if(previous)
		janus_config_destroy(previous);
	previous = NULL;
	g_free(config_folder);
	config_folder = NULL;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                */

static void add_item(janus_config *cfg, janus_config_category *cat, const char *name, const char *value) {
	if(value)
		janus_config_add(cfg, cat, janus_config_item_create(name, value));
}

static void add_int(janus_config *cfg, janus_config_category *cat, const char *name, long value) {
	char buf[32];
	g_snprintf(buf, sizeof(buf), "%ld", value);
	add_item(cfg, cat, name, buf);
}

/* A deep copy of a container list into parent of cfg. */
static void copy_list(janus_config *cfg, janus_config_container *parent, GList *list) {
	for(GList *l = list; l; l = l->next) {
		janus_config_container *c = l->data, *copy = NULL;
		if(c->type == janus_config_type_item)
			copy = janus_config_item_create(c->name, c->value);
		else if(c->type == janus_config_type_category)
			copy = janus_config_category_create(c->name);
		else if(c->type == janus_config_type_array)
			copy = janus_config_array_create(c->name);
		if(copy == NULL)
			continue;
		janus_config_add(cfg, parent, copy);
		if(c->type != janus_config_type_item)
			copy_list(cfg, copy, c->list);
	}
}

static janus_config *copy_config(janus_config *from) {
	janus_config *cfg = janus_config_create(CONFIG_NAME ".jcfg");
	copy_list(cfg, NULL, from->list);
	return cfg;
}

/* Saves next to the file, then renames over it. */
static gboolean save_atomically(janus_config *cfg) {
	char *tmp = config_path(CONFIG_NAME ".tmp");
	char *path = config_path(CONFIG_NAME);
	gboolean ok = janus_config_save(cfg, config_folder, CONFIG_NAME ".tmp") == 0;
	if(ok && rename(tmp, path) < 0) {
		JANUS_LOG(LOG_ERR, "[duet] Could not replace %s: %s\n", path, g_strerror(errno));
		ok = FALSE;
	}
	if(!ok)
		unlink(tmp);
	g_free(tmp);
	g_free(path);
	return ok;
}

static void set_room(janus_config *cfg, const char *id, const duet_room_settings *s) {
	char *name = g_strconcat(ROOM_PREFIX, id, NULL);
	janus_config_remove(cfg, NULL, name);
	if(s) {
		janus_config_category *cat = janus_config_get_create(cfg, NULL, janus_config_type_category, name);
		add_item(cfg, cat, "description", s->description);
		add_item(cfg, cat, "pin", s->pin);
		add_item(cfg, cat, "secret", s->secret);
		add_item(cfg, cat, "is_private", s->is_private ? "true" : "false");
		add_int(cfg, cat, "bitrate", s->bitrate);
		add_item(cfg, cat, "record", s->record ? "true" : "false");
		add_item(cfg, cat, "rec_dir", s->rec_dir);
		add_int(cfg, cat, "reconnect_window", s->reconnect_window);
		add_item(cfg, cat, "adaptive", s->adaptive ? "true" : "false");
	}
	g_free(name);
}

static gboolean save_room(const char *id, const duet_room_settings *settings) {
	janus_config *next = copy_config(config);
	set_room(next, id, settings);
	if(!save_atomically(next)) {
		janus_config_destroy(next);
		return FALSE;
	}
	if(previous)
		janus_config_destroy(previous);
	previous = config;
	config = next;
	return TRUE;
}

static void revert(void) {
	if(previous == NULL)
		return;
	if(!save_atomically(previous))
		JANUS_LOG(LOG_ERR, "[duet] Could not put the configuration file back\n");
	janus_config_destroy(config);
	config = previous;
	previous = NULL;
}

/* The shared store's functions are added by duet_config_load when
 * general.redis_url is set (store_redis.c). */
duet_store duet_config_store = {
    .save_room = save_room,
    .revert = revert,
};
