/*
 * test_shared.c - rooms in a store shared by a fleet (shared.c): two
 * engines standing for two instances share one fake store (the part
 * store_redis.c plays with Redis), which can be made unreachable. Also
 * the redis_url parser and the JSON form of a room's settings.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"
#include "tests.h"

/* ---------------------------------------------------------------------- */
/* The fake shared store: id -> JSON text                                 */

static GHashTable *shared_rooms;
static gboolean shared_down;
static int shared_reads;

static duet_shared_status fetch(const char *id, duet_room_settings *settings, char *why, size_t len) {
	shared_reads++;
	if(shared_down) {
		g_snprintf(why, len, "down");
		return DUET_SHARED_DOWN;
	}
	const char *text = g_hash_table_lookup(shared_rooms, id);
	if(text == NULL)
		return DUET_SHARED_NONE;
	json_t *json = json_loads(text, 0, NULL);
	gboolean ok = duet_settings_from_json(json, settings);
	json_decref(json);
	return ok ? DUET_SHARED_FOUND : DUET_SHARED_NONE;
}

static duet_shared_status put(
    const char *id, const duet_room_settings *settings, gboolean only_new, char *why, size_t len) {
	if(shared_down) {
		g_snprintf(why, len, "down");
		return DUET_SHARED_DOWN;
	}
	if(settings == NULL) {
		g_hash_table_remove(shared_rooms, id);
		return DUET_SHARED_FOUND;
	}
	if(only_new && g_hash_table_contains(shared_rooms, id))
		return DUET_SHARED_TAKEN;
	json_t *json = duet_settings_to_json(settings);
	char *text = json_dumps(json, JSON_SORT_KEYS);
	json_decref(json);
	g_hash_table_insert(shared_rooms, g_strdup(id), g_strdup(text));
	free(text);
	return DUET_SHARED_FOUND;
}

static duet_store shared_store;

typedef struct fixture {
	duet_engine *one, *two; /* two instances of a fleet */
	fake_member *a, *b, *c;
} fixture;

static void setup(fixture *f, gconstpointer data) {
	(void)data;
	shared_rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	shared_down = FALSE;
	shared_reads = 0;
	shared_store = fake_store;
	shared_store.fetch_room = fetch;
	shared_store.put_room = put;
	f->one = fake_engine_new(TRUE, 0, NULL);
	f->one->store = &shared_store;
	f->two = fake_engine_new(TRUE, 0, NULL);
	f->two->store = &shared_store;
	f->a = fake_member_new();
	f->b = fake_member_new();
	f->c = fake_member_new();
}

static void teardown(fixture *f, gconstpointer data) {
	(void)data;
	duet_engine *engines[] = {f->one, f->two};
	for(int i = 0; i < 2; i++) {
		duet_engine_disconnect(engines[i], &f->a->member);
		duet_engine_disconnect(engines[i], &f->b->member);
		duet_engine_disconnect(engines[i], &f->c->member);
		fake_run_worker(engines[i]);
		duet_engine_free(engines[i]);
	}
	g_assert_cmpint(f->a->refs, ==, 0);
	g_assert_cmpint(f->b->refs, ==, 0);
	fake_member_free(f->a);
	fake_member_free(f->b);
	fake_member_free(f->c);
	g_hash_table_destroy(shared_rooms);
}

static void answer_is(duet_engine *engine, fake_member *m, const char *body, int code) {
	json_t *answer = fake_request(engine, m, body, NULL);
	if(fake_error_code(answer) != code) {
		char *text = json_dumps(answer, 0);
		g_error("%s answered %s, expected %d", body, text, code);
	}
	json_decref(answer);
}

/* ---------------------------------------------------------------------- */
/* Tests                                                                  */

static void test_room_known_by_the_other_instance(fixture *f, gconstpointer data) {
	(void)data;
	answer_is(f->one, NULL, "{\"request\":\"create\",\"room\":\"r1\",\"pin\":\"42\",\"secret\":\"s\"}", 0);
	g_assert_true(g_hash_table_contains(shared_rooms, "r1"));
	/* the second instance has never heard of it: it reads the store */
	g_assert_null(duet_registry_find(f->two->registry, "r1"));
	answer_is(f->two, f->a, "{\"request\":\"join\",\"room\":\"r1\"}", DUET_ERR_UNAUTHORIZED);
	answer_is(f->two, f->a, "{\"request\":\"join\",\"room\":\"r1\",\"pin\":\"41\"}", DUET_ERR_UNAUTHORIZED);
	answer_is(f->two, f->a, "{\"request\":\"join\",\"room\":\"r1\",\"pin\":\"42\"}", 0);
	/* a create of the same id on either instance is 456 */
	answer_is(f->two, NULL, "{\"request\":\"create\",\"room\":\"r1\"}", DUET_ERR_ROOM_EXISTS);
	duet_room *room = duet_registry_find(f->one->registry, "r1");
	duet_registry_remove(f->one->registry, room); /* as if instance one had restarted */
	answer_is(f->one, NULL, "{\"request\":\"create\",\"room\":\"r1\"}", DUET_ERR_ROOM_EXISTS);
	/* auto-created rooms stay local: not in the store */
	answer_is(f->two, f->b, "{\"request\":\"join\",\"room\":\"auto1\"}", 0);
	g_assert_false(g_hash_table_contains(shared_rooms, "auto1"));
}

static void test_edit_and_destroy_reach_the_other_instance(fixture *f, gconstpointer data) {
	(void)data;
	answer_is(f->one, NULL, "{\"request\":\"create\",\"room\":\"r2\",\"secret\":\"s\"}", 0);
	answer_is(f->two, NULL, "{\"request\":\"edit\",\"room\":\"r2\",\"new_pin\":\"7\"}", 0);
	/* instance one holds r2 empty: it reads it again and sees the pin */
	answer_is(f->one, f->a, "{\"request\":\"join\",\"room\":\"r2\"}", DUET_ERR_UNAUTHORIZED);
	answer_is(f->one, f->a, "{\"request\":\"join\",\"room\":\"r2\",\"pin\":\"7\"}", 0);
	/* a room in use is served from memory, without reading the store */
	int reads = shared_reads;
	answer_is(f->one, f->b, "{\"request\":\"join\",\"room\":\"r2\",\"pin\":\"7\"}", 0);
	g_assert_cmpint(shared_reads, ==, reads);
	answer_is(f->two, NULL, "{\"request\":\"destroy\",\"room\":\"r2\"}", 0);
	g_assert_false(g_hash_table_contains(shared_rooms, "r2"));
	answer_is(f->two, f->c, "{\"request\":\"join\",\"room\":\"r2\",\"pin\":\"7\"}", 0); /* auto-created, no pin */
}

static void test_store_down(fixture *f, gconstpointer data) {
	(void)data;
	answer_is(f->one, NULL, "{\"request\":\"create\",\"room\":\"r3\",\"pin\":\"1\"}", 0);
	answer_is(f->one, f->a, "{\"request\":\"join\",\"room\":\"r3\",\"pin\":\"1\"}", 0);
	shared_down = TRUE;
	/* what needs the store: 499, and nothing is written or held */
	answer_is(f->one, NULL, "{\"request\":\"create\",\"room\":\"r4\"}", DUET_ERR_UNKNOWN);
	g_assert_null(duet_registry_find(f->one->registry, "r4"));
	answer_is(f->two, f->c, "{\"request\":\"join\",\"room\":\"r3\",\"pin\":\"1\"}", DUET_ERR_UNKNOWN);
	g_assert_null(duet_registry_find(f->two->registry, "r3"));
	answer_is(f->one, NULL, "{\"request\":\"edit\",\"room\":\"r3\",\"new_pin\":\"2\"}", DUET_ERR_UNKNOWN);
	g_assert_cmpstr(duet_registry_find(f->one->registry, "r3")->settings.pin, ==, "1");
	answer_is(f->one, NULL, "{\"request\":\"destroy\",\"room\":\"r3\"}", DUET_ERR_UNKNOWN);
	/* a room held here, even empty, is served as it is */
	answer_is(f->two, NULL, "{\"request\":\"create\",\"room\":\"r7\"}", DUET_ERR_UNKNOWN);
	shared_down = FALSE;
	answer_is(f->two, NULL, "{\"request\":\"create\",\"room\":\"r7\",\"pin\":\"3\"}", 0);
	shared_down = TRUE;
	answer_is(f->two, f->c, "{\"request\":\"join\",\"room\":\"r7\"}", DUET_ERR_UNAUTHORIZED);
	answer_is(f->two, f->c, "{\"request\":\"join\",\"room\":\"r7\",\"pin\":\"3\"}", 0);
	answer_is(f->two, f->c, "{\"request\":\"leave\"}", 0);
	/* the room in use goes on: its second participant joins */
	answer_is(f->one, f->b, "{\"request\":\"join\",\"room\":\"r3\",\"pin\":\"1\"}", 0);
	json_t *error = fake_request(f->one, NULL, "{\"request\":\"create\",\"room\":\"r5\"}", NULL);
	g_assert_nonnull(strstr(json_string_value(json_object_get(error, "error")), "unreachable"));
	json_decref(error);
	/* back: everything works again */
	shared_down = FALSE;
	answer_is(f->one, NULL, "{\"request\":\"create\",\"room\":\"r4\"}", 0);
	answer_is(f->two, f->c, "{\"request\":\"join\",\"room\":\"r4\"}", 0);
	g_assert_cmpuint(g_hash_table_size(shared_rooms), ==, 3);
}

static void test_permanent_file_failure_undoes_the_store(fixture *f, gconstpointer data) {
	(void)data;
	fake_store_fails = TRUE;
	answer_is(f->one, NULL, "{\"request\":\"create\",\"room\":\"r6\",\"permanent\":true}", DUET_ERR_UNKNOWN);
	g_assert_false(g_hash_table_contains(shared_rooms, "r6"));
	fake_store_fails = FALSE;
	answer_is(f->one, NULL, "{\"request\":\"create\",\"room\":\"r6\",\"description\":\"d\"}", 0);
	char *before = g_strdup(g_hash_table_lookup(shared_rooms, "r6"));
	fake_store_fails = TRUE;
	answer_is(f->one, NULL, "{\"request\":\"edit\",\"room\":\"r6\",\"new_description\":\"e\",\"permanent\":true}",
	    DUET_ERR_UNKNOWN);
	g_assert_cmpstr(g_hash_table_lookup(shared_rooms, "r6"), ==, before);
	answer_is(f->one, NULL, "{\"request\":\"destroy\",\"room\":\"r6\",\"permanent\":true}", DUET_ERR_UNKNOWN);
	g_assert_cmpstr(g_hash_table_lookup(shared_rooms, "r6"), ==, before);
	fake_store_fails = FALSE;
	g_free(before);
}

static void test_redis_url(void) {
	duet_redis_url url;
	g_assert_true(duet_redis_url_parse("redis://127.0.0.1:6380/2", &url));
	g_assert_cmpstr(url.host, ==, "127.0.0.1");
	g_assert_cmpint(url.port, ==, 6380);
	g_assert_cmpint(url.db, ==, 2);
	g_assert_null(url.password);
	duet_redis_url_clear(&url);
	g_assert_true(duet_redis_url_parse("redis://:pw@redis.example", &url));
	g_assert_cmpstr(url.host, ==, "redis.example");
	g_assert_cmpint(url.port, ==, 6379);
	g_assert_cmpstr(url.password, ==, "pw");
	duet_redis_url_clear(&url);
	g_assert_true(duet_redis_url_parse("redis://[::1]:7000", &url));
	g_assert_cmpstr(url.host, ==, "::1");
	g_assert_cmpint(url.port, ==, 7000);
	duet_redis_url_clear(&url);
	const char *bad[] = {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/x", "redis://h:p", NULL};
	for(int i = 0; bad[i]; i++) {
		g_assert_false(duet_redis_url_parse(bad[i], &url));
		g_assert_null(url.host);
	}
}

static void test_settings_json(void) {
	duet_room_settings s = {0}, back;
	duet_set_string(&s.description, "Desk", FALSE);
	duet_set_string(&s.pin, "0000", TRUE);
	s.bitrate = 64000;
	s.reconnect_window = 0;
	s.is_private = TRUE;
	s.adaptive = FALSE;
	json_t *json = duet_settings_to_json(&s);
	g_assert_true(duet_settings_from_json(json, &back));
	g_assert_cmpstr(back.description, ==, "Desk");
	g_assert_cmpstr(back.pin, ==, "0000");
	g_assert_null(back.secret);
	g_assert_cmpuint(back.bitrate, ==, 64000);
	g_assert_cmpint(back.reconnect_window, ==, 0);
	g_assert_true(back.is_private);
	g_assert_false(back.adaptive);
	json_decref(json);
	duet_room_settings_clear(&back);
	duet_room_settings_clear(&s);
	json = json_pack("{si}", "bitrate", -1);
	g_assert_false(duet_settings_from_json(json, &back));
	json_decref(json);
	json = json_pack("{si}", "pin", 3);
	g_assert_false(duet_settings_from_json(json, &back));
	json_decref(json);
	g_assert_false(duet_settings_from_json(NULL, &back));
}

void register_shared_tests(void) {
#define ADD(name, fn) g_test_add("/shared/" name, fixture, NULL, setup, fn, teardown)
	ADD("room-known-by-the-other-instance", test_room_known_by_the_other_instance);
	ADD("edit-and-destroy-reach-the-other-instance", test_edit_and_destroy_reach_the_other_instance);
	ADD("store-down", test_store_down);
	ADD("permanent-file-failure-undoes-the-store", test_permanent_file_failure_undoes_the_store);
#undef ADD
	g_test_add_func("/shared/redis-url", test_redis_url);
	g_test_add_func("/shared/settings-json", test_settings_json);
}
