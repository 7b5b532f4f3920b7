/*
 * test_room.c - rooms, seats and the call state machine (room.h), directly.
 */
#include <string.h>

#include "room.h"
#include "tests.h"

static duet_room_settings plain = {.description = (char *)"", .reconnect_window = 5};

static void test_ids(void) {
	g_assert_true(duet_id_is_valid("1234"));
	g_assert_true(duet_id_is_valid("a-B_9"));
	g_assert_false(duet_id_is_valid(""));
	g_assert_false(duet_id_is_valid("room 1"));
	g_assert_false(duet_id_is_valid("räum"));
	char longest[65], too_long[66];
	memset(longest, 'a', 64);
	longest[64] = '\0';
	memset(too_long, 'a', 65);
	too_long[65] = '\0';
	g_assert_true(duet_id_is_valid(longest));
	g_assert_false(duet_id_is_valid(too_long));
	char *id = duet_id_generate(10);
	g_assert_cmpuint(strlen(id), ==, 10);
	g_assert_true(duet_id_is_valid(id));
	g_free(id);
	char *a = duet_token_generate(), *b = duet_token_generate();
	g_assert_cmpuint(strlen(a), ==, DUET_TOKEN_LEN);
	g_assert_cmpstr(a, !=, b);
	g_free(a);
	g_free(b);
}

static void test_secret_equal(void) {
	g_assert_true(duet_secret_equal("abc", "abc"));
	g_assert_false(duet_secret_equal("abd", "abc"));
	g_assert_false(duet_secret_equal("ab", "abc"));
	g_assert_false(duet_secret_equal(NULL, "abc"));
}

static void test_registry(void) {
	duet_registry *reg = duet_registry_new(2);
	duet_room *room = NULL;
	g_assert_cmpint(duet_registry_add(reg, "a", &plain, DUET_ORIGIN_CREATED, &room), ==, DUET_OK);
	g_assert_cmpint(duet_registry_add(reg, "a", &plain, DUET_ORIGIN_CREATED, NULL), ==, DUET_ERR_ROOM_EXISTS);
	g_assert_cmpint(duet_registry_add(reg, NULL, &plain, DUET_ORIGIN_CREATED, &room), ==, DUET_OK);
	g_assert_true(duet_id_is_valid(room->id));
	g_assert_cmpint(duet_registry_add(reg, "c", &plain, DUET_ORIGIN_CREATED, NULL), ==, DUET_ERR_LIMIT_REACHED);
	g_assert_cmpuint(duet_registry_size(reg), ==, 2);
	duet_registry_remove(reg, duet_registry_find(reg, "a"));
	g_assert_null(duet_registry_find(reg, "a"));
	duet_registry_free(reg);
}

static void test_seats_and_call(void) {
	duet_registry *reg = duet_registry_new(0);
	duet_room *room;
	int owner_a, owner_b;
	duet_registry_add(reg, "r", &plain, DUET_ORIGIN_AUTO, &room);
	duet_seat *a = duet_room_add_seat(room, NULL, "A", &owner_a);
	g_assert_cmpint(duet_call_check_offer(room, a), ==, DUET_ERR_NO_PEER);
	duet_seat *b = duet_room_add_seat(room, "bee", NULL, &owner_b);
	g_assert_true(duet_room_is_full(room));
	g_assert_null(duet_room_add_seat(room, NULL, "C", NULL));
	g_assert_true(duet_room_peer_of(room, a) == b);
	g_assert_true(duet_room_find_seat(room, "bee") == b);
	g_assert_cmpstr(b->display, ==, "");
	/* offer, glare, answer */
	g_assert_cmpint(duet_call_check_answer(room, a), ==, DUET_ERR_WRONG_STATE);
	g_assert_cmpint(duet_call_check_offer(room, b), ==, DUET_OK);
	duet_call_offer(room, b, "v=0", NULL);
	g_assert_cmpint(duet_call_check_offer(room, a), ==, DUET_ERR_WRONG_STATE);
	g_assert_cmpint(duet_call_check_answer(room, b), ==, DUET_ERR_WRONG_STATE);
	g_assert_cmpint(duet_call_check_answer(room, a), ==, DUET_OK);
	duet_call_answer(room);
	g_assert_true(room->in_call);
	/* a renegotiation keeps the call */
	duet_call_offer(room, a, "v=0", NULL);
	g_assert_true(room->offer_in_call);
	g_assert_true(room->in_call);
	g_assert_true(duet_call_end(room));
	g_assert_false(duet_call_end(room));
	g_assert_false(room->in_call);
	duet_registry_free(reg);
}

static void test_hold_and_expire(void) {
	duet_registry *reg = duet_registry_new(0);
	duet_room *room;
	int owner;
	duet_registry_add(reg, "r", &plain, DUET_ORIGIN_CREATED, &room);
	duet_seat *a = duet_room_add_seat(room, NULL, "A", &owner);
	char *old_token = g_strdup(a->token);
	duet_seat_hold(reg, a, 100);
	g_assert_null(a->owner);
	g_assert_null(duet_registry_next_expired(reg, 100 + 4 * G_USEC_PER_SEC));
	g_assert_true(duet_registry_next_expired(reg, 100 + 5 * G_USEC_PER_SEC) == a);
	duet_seat_take_back(reg, a, &owner, NULL);
	g_assert_cmpstr(a->display, ==, "A");
	g_assert_cmpstr(a->token, !=, old_token);
	g_assert_null(duet_registry_next_expired(reg, G_MAXINT64));
	duet_seat_hold(reg, a, 0);
	duet_room_remove_seat(reg, a);
	g_assert_null(duet_registry_next_expired(reg, G_MAXINT64));
	g_assert_cmpuint(duet_room_count(room), ==, 0);
	g_free(old_token);
	duet_registry_free(reg);
}

void register_room_tests(void) {
	g_test_add_func("/room/ids", test_ids);
	g_test_add_func("/room/secret_equal", test_secret_equal);
	g_test_add_func("/room/registry", test_registry);
	g_test_add_func("/room/seats_and_call", test_seats_and_call);
	g_test_add_func("/room/hold_and_expire", test_hold_and_expire);
}
