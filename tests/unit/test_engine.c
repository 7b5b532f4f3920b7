/*
 * test_engine.c - the request engine and route table, end to end, with a
 * recording host instead of Janus: what each request answers, what the
 * other participant is told, and that errors change nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_host.h"
#include "tests.h"

typedef struct fixture {
	duet_engine *engine;
	fake_member *a, *b, *c;
} fixture;

static void setup(fixture *f, gconstpointer data) {
	(void)data;
	f->engine = fake_engine_new(TRUE, 0, NULL);
	f->a = fake_member_new();
	f->b = fake_member_new();
	f->c = fake_member_new();
}

static void teardown(fixture *f, gconstpointer data) {
	(void)data;
	duet_engine_disconnect(f->engine, &f->a->member);
	duet_engine_disconnect(f->engine, &f->b->member);
	duet_engine_disconnect(f->engine, &f->c->member);
	duet_engine_free(f->engine);
	/* every reference the engine took was given back */
	g_assert_cmpint(f->a->refs, ==, 0);
	g_assert_cmpint(f->b->refs, ==, 0);
	fake_member_free(f->a);
	fake_member_free(f->b);
	fake_member_free(f->c);
}

/* Runs a request and checks its answer names `expected` (or an error code). */
static json_t *expect(fixture *f, fake_member *m, const char *body, const char *expected) {
	json_t *answer = fake_request(f->engine, m, body, NULL);
	if(g_strcmp0(json_string_value(json_object_get(answer, "duet")), expected) != 0)
		g_error("%s answered %s, expected %s", body, json_dumps(answer, 0), expected);
	return answer;
}

static void expect_error(fixture *f, fake_member *m, const char *body, int code) {
	json_t *answer = fake_request(f->engine, m, body, NULL);
	if(fake_error_code(answer) != code)
		g_error("%s answered %s, expected error %d", body, json_dumps(answer, 0), code);
	json_decref(answer);
}

static void drop(json_t *j) {
	json_decref(j);
}

/* The member got an event named `name`; returns it (caller decrefs). */
static json_t *got(fake_member *m, const char *name) {
	json_t *event = fake_take_event(m, name);
	if(event == NULL)
		g_error("no '%s' event in the inbox", name);
	return event;
}

static void pair(fixture *f, const char *room) {
	char body[128];
	g_snprintf(body, sizeof(body), "{\"request\":\"join\",\"room\":\"%s\",\"display\":\"A\"}", room);
	drop(expect(f, f->a, body, "joined"));
	g_snprintf(body, sizeof(body), "{\"request\":\"join\",\"room\":\"%s\",\"display\":\"B\"}", room);
	drop(expect(f, f->b, body, "joined"));
	drop(got(f->a, "peer_joined"));
}

static json_t *jsep(const char *type, const char *sdp) {
	return json_pack("{ssss}", "type", type, "sdp", sdp);
}

static json_t *send_signal(fixture *f, fake_member *m, const char *request, const char *type) {
	char body[64];
	g_snprintf(body, sizeof(body), "{\"request\":\"%s\"}", request);
	json_t *j = jsep(type, "v=0\r\n");
	json_t *answer = fake_request(f->engine, m, body, j);
	json_decref(j);
	return answer;
}

static void call(fixture *f, const char *room) {
	pair(f, room);
	drop(send_signal(f, f->b, "offer", "offer"));
	drop(got(f->a, "offer"));
	drop(send_signal(f, f->a, "answer", "answer"));
	drop(got(f->b, "answer"));
}

/* ---------------------------------------------------------------------- */

static void test_join_pairs_caller_and_callee(fixture *f, gconstpointer data) {
	(void)data;
	json_t *first = expect(f, f->a, "{\"request\":\"join\",\"room\":1234,\"display\":\"Ana\"}", "joined");
	g_assert_cmpstr(json_string_value(json_object_get(first, "room")), ==, "1234");
	g_assert_true(json_is_null(json_object_get(first, "peer")));
	g_assert_cmpuint(strlen(json_string_value(json_object_get(first, "reconnect_token"))), ==, 32);
	json_t *second = expect(f, f->b, "{\"request\":\"join\",\"room\":\"1234\",\"display\":\"Bo\"}", "joined");
	json_t *peer = json_object_get(second, "peer");
	g_assert_cmpstr(json_string_value(json_object_get(peer, "display")), ==, "Ana");
	json_t *joined = got(f->a, "peer_joined");
	g_assert_cmpstr(json_string_value(json_object_get(json_object_get(joined, "peer"), "display")), ==, "Bo");
	g_assert_true(f->a->member.peer == &f->b->member);
	expect_error(f, f->c, "{\"request\":\"join\",\"room\":\"1234\"}", DUET_ERR_ROOM_FULL);
	expect_error(f, f->a, "{\"request\":\"join\",\"room\":\"other\"}", DUET_ERR_ALREADY_JOINED);
	g_assert_cmpuint(f->c->inbox->len, ==, 0);
	drop(first);
	drop(second);
	drop(joined);
}

static void test_offer_answer_and_glare(fixture *f, gconstpointer data) {
	(void)data;
	pair(f, "r");
	json_t *offering = send_signal(f, f->b, "offer", "offer");
	g_assert_cmpstr(json_string_value(json_object_get(offering, "duet")), ==, "offering");
	json_t *offer = got(f->a, "offer");
	g_assert_false(json_is_true(json_object_get(offer, "renegotiation")));
	g_assert_cmpstr(json_string_value(json_object_get(json_object_get(offer, "jsep"), "type")), ==, "offer");
	/* glare: the callee offers too */
	json_t *glare = send_signal(f, f->a, "offer", "offer");
	g_assert_cmpint(fake_error_code(glare), ==, DUET_ERR_WRONG_STATE);
	json_t *answered = send_signal(f, f->a, "answer", "answer");
	g_assert_cmpstr(json_string_value(json_object_get(answered, "duet")), ==, "answered");
	json_t *answer = got(f->b, "answer");
	g_assert_nonnull(json_object_get(answer, "jsep"));
	g_assert_true(f->a->member.seat->room->in_call);
	/* a second answer has nothing to answer */
	json_t *again = send_signal(f, f->a, "answer", "answer");
	g_assert_cmpint(fake_error_code(again), ==, DUET_ERR_WRONG_STATE);
	/* a renegotiation says so */
	drop(send_signal(f, f->a, "offer", "offer"));
	json_t *reneg = got(f->b, "offer");
	g_assert_true(json_is_true(json_object_get(reneg, "renegotiation")));
	drop(offering);
	drop(offer);
	drop(glare);
	drop(answered);
	drop(answer);
	drop(again);
	drop(reneg);
}

/* The answer to an async request that waited in the caller's line. */
static json_t *answer_of(fake_member *m) {
	if(m->answers->len == 0)
		g_error("no answer in the line");
	return g_ptr_array_steal_index(m->answers, 0);
}

static gboolean is_pending(json_t *answer) {
	gboolean pending = g_strcmp0(json_string_value(json_object_get(answer, "duet")), "pending") == 0;
	json_decref(answer);
	return pending;
}

static void test_glare_resets_the_losers_handle(fixture *f, gconstpointer data) {
	(void)data;
	pair(f, "g");
	fake_auto_hangup = FALSE;
	/* the core already applied A's own offer, still queued for the worker */
	g_atomic_int_set(&f->a->member.offers_queued, 1);
	g_assert_true(is_pending(send_signal(f, f->b, "offer", "offer")));
	g_assert_cmpint(f->a->closes, ==, 1);
	/* B's offer waits in A's line for that close: nobody else waits */
	g_assert_null(fake_take_event(f->a, "offer"));
	duet_engine_media_closed(f->engine, &f->a->member);
	/* a JSEP: it waits for the core to free the old ICE agent (a timer,
	 * nobody waits), then the worker pushes it */
	g_assert_cmpint(fake_scheduled(), ==, 0);
	g_assert_cmpint(fake_settle(f->engine), ==, 1);
	drop(got(f->a, "offer"));
	json_t *offering = answer_of(f->b);
	g_assert_cmpstr(json_string_value(json_object_get(offering, "duet")), ==, "offering");
	drop(offering);
	/* the callback of that close was expected: the pending offer stays */
	g_assert_nonnull(f->a->member.seat->room->offerer);
	g_atomic_int_set(&f->a->member.offers_queued, 0);
	json_t *lost = send_signal(f, f->a, "offer", "offer");
	g_assert_cmpint(fake_error_code(lost), ==, DUET_ERR_WRONG_STATE);
	g_assert_cmpint(f->a->closes, ==, 1); /* already clean: no second reset */
	g_assert_null(fake_take_event(f->a, "offer"));
	drop(lost);
	drop(send_signal(f, f->a, "answer", "answer"));
	drop(got(f->b, "answer"));
}

static void test_glare_loser_seen_late_gets_the_offer_again(fixture *f, gconstpointer data) {
	(void)data;
	pair(f, "g");
	drop(send_signal(f, f->b, "offer", "offer"));
	drop(got(f->a, "offer"));
	g_assert_cmpint(f->a->closes, ==, 0);
	/* A's own offer arrives after B's was pushed onto A's handle */
	fake_auto_hangup = FALSE;
	g_assert_true(is_pending(send_signal(f, f->a, "offer", "offer")));
	g_assert_cmpint(f->a->closes, ==, 1);
	duet_engine_media_closed(f->engine, &f->a->member);
	fake_settle(f->engine);
	json_t *again = got(f->a, "offer");
	g_assert_nonnull(json_object_get(again, "jsep"));
	json_t *lost = answer_of(f->a);
	g_assert_cmpint(fake_error_code(lost), ==, DUET_ERR_WRONG_STATE);
	g_assert_nonnull(f->a->member.seat->room->offerer);
	drop(send_signal(f, f->a, "answer", "answer"));
	drop(got(f->b, "answer"));
	drop(lost);
	drop(again);
}

static void test_jsep_errors_in_order(fixture *f, gconstpointer data) {
	(void)data;
	json_t *r = send_signal(f, f->a, "offer", "offer");
	g_assert_cmpint(fake_error_code(r), ==, DUET_ERR_NOT_JOINED);
	drop(r);
	drop(expect(f, f->a, "{\"request\":\"join\",\"room\":\"solo\"}", "joined"));
	expect_error(f, f->a, "{\"request\":\"offer\"}", DUET_ERR_MISSING_SDP);
	r = send_signal(f, f->a, "offer", "answer");
	g_assert_cmpint(fake_error_code(r), ==, DUET_ERR_INVALID_SDP);
	drop(r);
	json_t *bad = jsep("offer", "garbage");
	r = fake_request(f->engine, f->a, "{\"request\":\"offer\"}", bad);
	g_assert_cmpint(fake_error_code(r), ==, DUET_ERR_INVALID_SDP);
	drop(r);
	drop(bad);
	r = send_signal(f, f->a, "offer", "offer");
	g_assert_cmpint(fake_error_code(r), ==, DUET_ERR_NO_PEER);
	drop(r);
	expect_error(f, f->a, "{\"request\":\"message\",\"text\":\"hi\"}", DUET_ERR_NO_PEER);
}

static void test_failed_forward_changes_nothing(fixture *f, gconstpointer data) {
	(void)data;
	pair(f, "r");
	fake_push_result = 465;
	json_t *r = send_signal(f, f->b, "offer", "offer");
	g_assert_cmpint(fake_error_code(r), ==, DUET_ERR_INVALID_SDP);
	fake_push_result = 0;
	drop(r);
	/* the offer was undone: a new one is accepted */
	r = send_signal(f, f->b, "offer", "offer");
	g_assert_cmpstr(json_string_value(json_object_get(r, "duet")), ==, "offering");
	drop(r);
}

/* Found by the fuzzer: a refused forward set the peer's PeerConnection up in
 * the engine's eyes, so its next close waited for a hangup callback that the
 * core never makes (its "left" waited 2 s in its line). */
static void test_failed_forward_leaves_no_pc_to_close(fixture *f, gconstpointer data) {
	(void)data;
	pair(f, "r");
	fake_push_result = 465;
	drop(send_signal(f, f->b, "offer", "offer"));
	fake_push_result = 0;
	drop(expect(f, f->a, "{\"request\":\"leave\"}", "left"));
	g_assert_cmpint(f->a->closes, ==, 1);
	g_assert_cmpint(f->a->closes_expecting_hangup, ==, 0);
	/* the offerer's own PeerConnection is real: its close expects the callback */
	drop(expect(f, f->b, "{\"request\":\"leave\"}", "left"));
	g_assert_cmpint(f->b->closes, ==, 1);
	g_assert_cmpint(f->b->closes_expecting_hangup, ==, 1);
}

static void test_hangup_and_reoffer(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	drop(expect(f, f->b, "{\"request\":\"hangup\"}", "hungup"));
	json_t *hangup = got(f->a, "hangup");
	g_assert_cmpstr(json_string_value(json_object_get(hangup, "reason")), ==, "hangup");
	g_assert_cmpint(f->a->closes, ==, 1);
	g_assert_cmpint(f->b->closes, ==, 1);
	/* the callbacks of those closes are expected and end nothing */
	duet_engine_media_closed(f->engine, &f->a->member);
	duet_engine_media_closed(f->engine, &f->b->member);
	/* a hangup outside a call tells the peer nothing */
	drop(expect(f, f->a, "{\"request\":\"hangup\"}", "hungup"));
	g_assert_null(fake_take_event(f->b, "hangup"));
	drop(send_signal(f, f->b, "offer", "offer"));
	json_t *offer = got(f->a, "offer");
	g_assert_false(json_is_true(json_object_get(offer, "renegotiation")));
	drop(hangup);
	drop(offer);
}

static void test_pc_closed_by_browser_ends_call(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	duet_engine_media_closed(f->engine, &f->b->member);
	json_t *hangup = got(f->a, "hangup");
	g_assert_cmpstr(json_string_value(json_object_get(hangup, "reason")), ==, "closed");
	g_assert_cmpint(f->a->closes, ==, 1);
	drop(hangup);
}

static void test_message(fixture *f, gconstpointer data) {
	(void)data;
	pair(f, "r");
	drop(expect(f, f->a, "{\"request\":\"message\",\"text\":\"héllo\"}", "sent"));
	json_t *message = got(f->b, "message");
	g_assert_cmpstr(json_string_value(json_object_get(message, "text")), ==, "héllo");
	expect_error(f, f->a, "{\"request\":\"message\"}", DUET_ERR_MISSING_ELEMENT);
	expect_error(f, f->a, "{\"request\":\"message\",\"text\":5}", DUET_ERR_INVALID_ELEMENT);
	drop(message);
}

static void test_leave_and_auto_room_vanishes(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	drop(expect(f, f->a, "{\"request\":\"leave\"}", "left"));
	json_t *hangup = got(f->b, "hangup");
	g_assert_cmpstr(json_string_value(json_object_get(hangup, "reason")), ==, "left");
	json_t *left = got(f->b, "peer_left");
	g_assert_cmpstr(json_string_value(json_object_get(left, "reason")), ==, "leave");
	g_assert_null(f->b->member.peer);
	expect_error(f, f->a, "{\"request\":\"leave\"}", DUET_ERR_NOT_JOINED);
	drop(expect(f, f->b, "{\"request\":\"leave\"}", "left"));
	json_t *exists = expect(f, f->a, "{\"request\":\"exists\",\"room\":\"r\"}", "success");
	g_assert_false(json_is_true(json_object_get(exists, "exists")));
	drop(hangup);
	drop(left);
	drop(exists);
}

static void test_rooms_with_secret(fixture *f, gconstpointer data) {
	(void)data;
	drop(expect(f, f->a, "{\"request\":\"create\",\"room\":\"s\",\"secret\":\"x\",\"pin\":\"1\",\"is_private\":true}",
	    "created"));
	expect_error(f, f->a, "{\"request\":\"create\",\"room\":\"s\"}", DUET_ERR_ROOM_EXISTS);
	expect_error(f, f->a, "{\"request\":\"join\",\"room\":\"s\"}", DUET_ERR_UNAUTHORIZED);
	expect_error(f, f->a, "{\"request\":\"join\",\"room\":\"s\",\"pin\":\"2\"}", DUET_ERR_UNAUTHORIZED);
	drop(expect(f, f->a, "{\"request\":\"join\",\"room\":\"s\",\"pin\":\"1\"}", "joined"));
	json_t *list = expect(f, f->c, "{\"request\":\"list\"}", "success");
	g_assert_cmpuint(json_array_size(json_object_get(list, "rooms")), ==, 0);
	json_t *admin_list = expect(f, NULL, "{\"request\":\"list\"}", "success");
	g_assert_cmpuint(json_array_size(json_object_get(admin_list, "rooms")), ==, 1);
	expect_error(f, f->c, "{\"request\":\"edit\",\"room\":\"s\",\"secret\":\"no\"}", DUET_ERR_UNAUTHORIZED);
	drop(expect(f, f->c, "{\"request\":\"edit\",\"room\":\"s\",\"secret\":\"x\",\"new_is_private\":false}", "edited"));
	json_t *list2 = expect(f, f->c, "{\"request\":\"list\"}", "success");
	json_t *entry = json_array_get(json_object_get(list2, "rooms"), 0);
	g_assert_true(json_is_true(json_object_get(entry, "pin_required")));
	g_assert_null(json_object_get(entry, "pin"));
	drop(expect(f, f->c, "{\"request\":\"destroy\",\"room\":\"s\",\"secret\":\"x\"}", "destroyed"));
	drop(got(f->a, "destroyed"));
	g_assert_null(f->a->member.seat);
	expect_error(f, f->c, "{\"request\":\"destroy\",\"room\":\"s\",\"secret\":\"x\"}", DUET_ERR_NO_SUCH_ROOM);
	drop(list);
	drop(admin_list);
	drop(list2);
}

static void test_room_without_secret_is_admin_only(fixture *f, gconstpointer data) {
	(void)data;
	pair(f, "auto");
	json_t *parts = expect(f, f->c, "{\"request\":\"listparticipants\",\"room\":\"auto\"}", "success");
	g_assert_cmpuint(json_array_size(json_object_get(parts, "participants")), ==, 2);
	char *text = json_dumps(parts, 0);
	g_assert_null(strstr(text, "token"));
	free(text);
	expect_error(f, f->c, "{\"request\":\"kick\",\"room\":\"auto\",\"id\":\"nobody\"}", DUET_ERR_NO_SUCH_PARTICIPANT);
	const char *id = f->b->member.seat->id;
	char body[128];
	g_snprintf(body, sizeof(body), "{\"request\":\"kick\",\"room\":\"auto\",\"id\":\"%s\"}", id);
	expect_error(f, f->c, body, DUET_ERR_UNAUTHORIZED);
	drop(expect(f, NULL, body, "success"));
	drop(got(f->b, "kicked"));
	json_t *left = got(f->a, "peer_left");
	g_assert_cmpstr(json_string_value(json_object_get(left, "reason")), ==, "kicked");
	g_assert_null(f->b->member.seat);
	drop(parts);
	drop(left);
}

static void test_disconnect_holds_then_times_out(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	duet_engine_disconnect(f->engine, &f->b->member);
	json_t *held = got(f->a, "peer_disconnected");
	g_assert_cmpint(json_integer_value(json_object_get(held, "reconnect_window")), ==, 15);
	expect_error(f, f->c, "{\"request\":\"join\",\"room\":\"r\"}", DUET_ERR_ROOM_FULL);
	json_t *parts = expect(f, f->c, "{\"request\":\"listparticipants\",\"room\":\"r\"}", "success");
	json_t *b = json_array_get(json_object_get(parts, "participants"), 1);
	g_assert_false(json_is_true(json_object_get(b, "connected")));
	g_assert_false(json_is_true(json_object_get(b, "in_call")));
	fake_now += 14 * G_USEC_PER_SEC;
	duet_engine_expire(f->engine);
	g_assert_null(fake_take_event(f->a, "peer_left"));
	fake_now += 2 * G_USEC_PER_SEC;
	duet_engine_expire(f->engine);
	json_t *left = got(f->a, "peer_left");
	g_assert_cmpstr(json_string_value(json_object_get(left, "reason")), ==, "timeout");
	drop(held);
	drop(parts);
	drop(left);
}

static void test_takeover_with_token(fixture *f, gconstpointer data) {
	(void)data;
	drop(expect(f, f->a, "{\"request\":\"join\",\"room\":\"t\",\"display\":\"A\"}", "joined"));
	json_t *bj = expect(f, f->b, "{\"request\":\"join\",\"room\":\"t\",\"display\":\"B\"}", "joined");
	char *id = g_strdup(json_string_value(json_object_get(bj, "id")));
	char *token = g_strdup(json_string_value(json_object_get(bj, "reconnect_token")));
	char body[256];
	g_snprintf(
	    body, sizeof(body), "{\"request\":\"join\",\"room\":\"t\",\"id\":\"%s\",\"reconnect_token\":\"nope\"}", id);
	expect_error(f, f->c, body, DUET_ERR_UNAUTHORIZED);
	g_assert_null(f->c->member.seat);
	/* the old handle is still alive: it is replaced */
	g_snprintf(body, sizeof(body), "{\"request\":\"join\",\"room\":\"t\",\"id\":\"%s\",\"reconnect_token\":\"%s\"}", id,
	    token);
	json_t *cj = expect(f, f->c, body, "joined");
	g_assert_cmpstr(json_string_value(json_object_get(cj, "display")), ==, "B");
	g_assert_cmpstr(json_string_value(json_object_get(cj, "reconnect_token")), !=, token);
	json_t *replaced = got(f->b, "peer_left");
	g_assert_cmpstr(json_string_value(json_object_get(replaced, "reason")), ==, "replaced");
	g_assert_null(f->b->member.seat);
	drop(got(f->a, "peer_reconnected"));
	g_assert_true(f->a->member.peer == &f->c->member);
	json_t *note = g_ptr_array_index(fake_notifications, fake_notifications->len - 2);
	g_assert_cmpstr(json_string_value(json_object_get(note, "event")), ==, "left");
	g_assert_cmpstr(json_string_value(json_object_get(note, "reason")), ==, "replaced");
	/* the old token stopped working */
	expect_error(f, f->b, body, DUET_ERR_UNAUTHORIZED);
	g_free(id);
	g_free(token);
	drop(bj);
	drop(cj);
	drop(replaced);
}

static void test_limits_and_auto_create_off(fixture *f, gconstpointer data) {
	(void)data;
	duet_engine_free(f->engine);
	f->engine = fake_engine_new(FALSE, 1, "key");
	expect_error(f, f->a, "{\"request\":\"join\",\"room\":\"x\"}", DUET_ERR_NO_SUCH_ROOM);
	/* a missing field comes before the unknown room */
	expect_error(f, f->a, "{\"request\":\"join\"}", DUET_ERR_MISSING_ELEMENT);
	expect_error(f, f->a, "{\"request\":\"create\",\"room\":\"x\"}", DUET_ERR_UNAUTHORIZED);
	drop(expect(f, f->a, "{\"request\":\"create\",\"room\":\"x\",\"admin_key\":\"key\"}", "created"));
	expect_error(f, f->a, "{\"request\":\"create\",\"admin_key\":\"key\"}", DUET_ERR_LIMIT_REACHED);
	expect_error(f, f->a, "{\"request\":\"create\",\"room\":\"x\",\"admin_key\":\"key\"}", DUET_ERR_ROOM_EXISTS);
}

static void test_body_errors(fixture *f, gconstpointer data) {
	(void)data;
	duet_error code;
	char error[128];
	g_assert_null(duet_route_find(NULL, DUET_FOR_CLIENT, &code, error, sizeof(error)));
	g_assert_cmpint(code, ==, DUET_ERR_NO_MESSAGE);
	json_t *array = json_array();
	g_assert_null(duet_route_find(array, DUET_FOR_CLIENT, &code, error, sizeof(error)));
	g_assert_cmpint(code, ==, DUET_ERR_INVALID_JSON);
	json_decref(array);
	expect_error(f, f->a, "{}", DUET_ERR_MISSING_ELEMENT);
	expect_error(f, f->a, "{\"request\":5}", DUET_ERR_INVALID_ELEMENT);
	expect_error(f, f->a, "{\"request\":\"dance\"}", DUET_ERR_INVALID_REQUEST);
	expect_error(f, f->a, "{\"request\":\"stats\"}", DUET_ERR_INVALID_REQUEST);
	expect_error(f, NULL, "{\"request\":\"join\",\"room\":\"r\"}", DUET_ERR_INVALID_REQUEST);
	drop(expect(f, f->a, "{\"request\":\"LIST\"}", "success"));
}

static void test_configure(fixture *f, gconstpointer data) {
	(void)data;
	expect_error(f, f->a, "{\"request\":\"configure\",\"audio\":false}", DUET_ERR_NOT_JOINED);
	pair(f, "r");
	json_t *r = expect(f, f->a, "{\"request\":\"configure\",\"audio\":false,\"bitrate\":500000}", "configured");
	g_assert_false(json_is_true(json_object_get(r, "audio")));
	g_assert_true(json_is_true(json_object_get(r, "video")));
	g_assert_cmpint(json_integer_value(json_object_get(r, "bitrate")), ==, 500000);
	g_assert_cmpint(f->a->bitrate_updates, ==, 1);
	g_assert_cmpint(g_atomic_int_get(&f->a->member.relay[DUET_AUDIO]), ==, 0);
	expect_error(f, f->a, "{\"request\":\"configure\",\"bitrate\":1.5}", DUET_ERR_INVALID_ELEMENT);
	expect_error(
	    f, f->a, "{\"request\":\"configure\",\"record\":true,\"filename\":\"../x\"}", DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(f->a->recordings, ==, 0);
	json_t *rec = expect(f, f->a, "{\"request\":\"configure\",\"record\":true}", "configured");
	g_assert_true(json_is_true(json_object_get(rec, "recording")));
	g_assert_cmpint(f->a->recordings, ==, 1);
	drop(expect(f, f->a, "{\"request\":\"leave\"}", "left"));
	g_assert_cmpint(f->a->recordings, ==, 0);
	drop(rec);
	drop(r);
}

static void test_allowed_list(fixture *f, gconstpointer data) {
	(void)data;
	drop(expect(f, f->c, "{\"request\":\"create\",\"room\":\"v\",\"secret\":\"s\"}", "created"));
	expect_error(f, f->c, "{\"request\":\"allowed\",\"room\":\"v\",\"secret\":\"s\",\"action\":\"add\"}",
	    DUET_ERR_MISSING_ELEMENT);
	expect_error(f, f->c, "{\"request\":\"allowed\",\"room\":\"v\",\"secret\":\"s\",\"action\":\"dance\"}",
	    DUET_ERR_INVALID_ELEMENT);
	json_t *r = expect(f, f->c,
	    "{\"request\":\"allowed\",\"room\":\"v\",\"secret\":\"s\",\"action\":\"enable\",\"allowed\":[\"t1\"]}",
	    "success");
	g_assert_cmpuint(json_array_size(json_object_get(r, "allowed")), ==, 1);
	expect_error(f, f->a, "{\"request\":\"join\",\"room\":\"v\",\"token\":\"t2\"}", DUET_ERR_UNAUTHORIZED);
	drop(expect(f, f->a, "{\"request\":\"join\",\"room\":\"v\",\"token\":\"t1\"}", "joined"));
	drop(r);
}

static void test_event_handler_notifications(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "n");
	g_assert_nonnull(fake_notifications);
	const char *expected[] = {"joined", "joined", "offer", "answer"};
	g_assert_cmpuint(fake_notifications->len, ==, G_N_ELEMENTS(expected));
	for(guint i = 0; i < G_N_ELEMENTS(expected); i++) {
		json_t *info = g_ptr_array_index(fake_notifications, i);
		g_assert_cmpstr(json_string_value(json_object_get(info, "event")), ==, expected[i]);
		g_assert_cmpstr(json_string_value(json_object_get(info, "room")), ==, "n");
		g_assert_nonnull(json_object_get(info, "id"));
	}
}

#define ADD(path, fn) g_test_add("/engine/" path, fixture, NULL, setup, fn, teardown)

void register_engine_tests(void) {
	ADD("join_pairs_caller_and_callee", test_join_pairs_caller_and_callee);
	ADD("offer_answer_and_glare", test_offer_answer_and_glare);
	ADD("jsep_errors_in_order", test_jsep_errors_in_order);
	ADD("glare_resets_the_losers_handle", test_glare_resets_the_losers_handle);
	ADD("glare_loser_seen_late_gets_the_offer_again", test_glare_loser_seen_late_gets_the_offer_again);
	ADD("failed_forward_changes_nothing", test_failed_forward_changes_nothing);
	ADD("failed_forward_leaves_no_pc_to_close", test_failed_forward_leaves_no_pc_to_close);
	ADD("hangup_and_reoffer", test_hangup_and_reoffer);
	ADD("pc_closed_by_browser_ends_call", test_pc_closed_by_browser_ends_call);
	ADD("message", test_message);
	ADD("leave_and_auto_room_vanishes", test_leave_and_auto_room_vanishes);
	ADD("rooms_with_secret", test_rooms_with_secret);
	ADD("room_without_secret_is_admin_only", test_room_without_secret_is_admin_only);
	ADD("disconnect_holds_then_times_out", test_disconnect_holds_then_times_out);
	ADD("takeover_with_token", test_takeover_with_token);
	ADD("limits_and_auto_create_off", test_limits_and_auto_create_off);
	ADD("body_errors", test_body_errors);
	ADD("configure", test_configure);
	ADD("allowed_list", test_allowed_list);
	ADD("event_handler_notifications", test_event_handler_notifications);
}
