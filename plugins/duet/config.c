/*
 * config.c - the janus.plugin.duet.jcfg file: general settings, the rooms
 * it declares (room-<id> sections), and rooms written back by requests
 * with "permanent": true.
 *
 * Writes are atomic: the whole configuration is saved to a temporary file
 * in the same folder and renamed over the old one, so that a crash in the
 * middle leaves either the old file or the new one, never half of one.
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

static janus_config *config;
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
	if(config)
		janus_config_destroy(config);
	config = NULL;
	g_free(config_folder);
	config_folder = NULL;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                */

static void add_item(janus_config_category *cat, const char *name, const char *value) {
	if(value)
		janus_config_add(config, cat, janus_config_item_create(name, value));
}

static void add_int(janus_config_category *cat, const char *name, long value) {
	char buf[32];
	g_snprintf(buf, sizeof(buf), "%ld", value);
	add_item(cat, name, buf);
}

/* Saves next to the file, then renames over it. */
static gboolean save_atomically(void) {
	char *tmp = config_path(CONFIG_NAME ".tmp");
	char *path = config_path(CONFIG_NAME);
	gboolean ok = janus_config_save(config, config_folder, CONFIG_NAME ".tmp") == 0;
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

static gboolean save_room(const duet_room *room) {
	char *name = g_strconcat(ROOM_PREFIX, room->id, NULL);
	janus_config_remove(config, NULL, name);
	janus_config_category *cat = janus_config_get_create(config, NULL, janus_config_type_category, name);
	g_free(name);
	const duet_room_settings *s = &room->settings;
	add_item(cat, "description", s->description);
	add_item(cat, "pin", s->pin);
	add_item(cat, "secret", s->secret);
	add_item(cat, "is_private", s->is_private ? "true" : "false");
	add_int(cat, "bitrate", s->bitrate);
	add_item(cat, "record", s->record ? "true" : "false");
	add_item(cat, "rec_dir", s->rec_dir);
	add_int(cat, "reconnect_window", s->reconnect_window);
	add_item(cat, "adaptive", s->adaptive ? "true" : "false");
	return save_atomically();
}

static gboolean remove_room(const char *id) {
	char *name = g_strconcat(ROOM_PREFIX, id, NULL);
	janus_config_remove(config, NULL, name);
	g_free(name);
	return save_atomically();
}

const duet_store duet_config_store = {
    .save_room = save_room,
    .remove_room = remove_room,
};
