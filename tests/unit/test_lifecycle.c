/*
 * test_lifecycle.c - the defects of issue 12, each with the test that
 * showed it: PeerConnection generations and parked forwards (pc.c), atomic
 * permanent requests against a store that fails on demand, settings reset
 * on leave, event order after kick/destroy, file confinement, held seats.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_host.h"
#include "tests.h"

typedef struct fixture {
	duet_engine *engine;
	fake_member *a, *b, *c;
} fixture;

static void setup(fixture *f, gconstpointer data) {
	(void)data;
	f->engine = fake_engine_new_stored(TRUE, 0, NULL);
	f->a = fake_member_new();
	f->b = fake_member_new();
	f->c = fake_member_new();
}

static void teardown(fixture *f, gconstpointer data) {
	(void)data;
	duet_engine_disconnect(f->engine, &f->a->member);
	duet_engine_disconnect(f->engine, &f->b->member);
	duet_engine_disconnect(f->engine, &f->c->member);
	fake_run_worker(f->engine);
	duet_engine_free(f->engine);
	/* every reference the engine took was given back: nothing leaked */
	g_assert_cmpint(f->a->refs, ==, 0);
	g_assert_cmpint(f->b->refs, ==, 0);
	g_assert_cmpint(f->c->refs, ==, 0);
	fake_member_free(f->a);
	fake_member_free(f->b);
	fake_member_free(f->c);
}

static void drop(json_t *j) {
	json_decref(j);
}

static const char *name_of(json_t *j) {
	return json_string_value(json_object_get(j, "duet"));
}

static json_t *expect(fixture *f, fake_member *m, const char *body, const char *expected) {
	json_t *answer = fake_request(f->engine, m, body, NULL);
	if(g_strcmp0(name_of(answer), expected) != 0)
		g_error("%s answered %s, expected %s", body, json_dumps(answer, 0), expected);
	return answer;
}

static void expect_error(fixture *f, fake_member *m, const char *body, int code) {
	json_t *answer = fake_request(f->engine, m, body, NULL);
	if(fake_error_code(answer) != code)
		g_error("%s answered %s, expected error %d", body, json_dumps(answer, 0), code);
	json_decref(answer);
}

static json_t *got(fake_member *m, const char *name) {
	json_t *event = fake_take_event(m, name);
	if(event == NULL)
		g_error("no '%s' event in the inbox", name);
	return event;
}

static json_t *signal_(fixture *f, fake_member *m, const char *request) {
	char body[64];
	g_snprintf(body, sizeof(body), "{\"request\":\"%s\"}", request);
	json_t *j = json_pack("{ssss}", "type", request, "sdp", "v=0\r\n");
	json_t *answer = fake_request(f->engine, m, body, j);
	json_decref(j);
	return answer;
}

static json_t *answer_of(fake_member *m) {
	if(m->answers->len == 0)
		g_error("no answer in the line");
	return g_ptr_array_steal_index(m->answers, 0);
}

static void pair(fixture *f, const char *room) {
	char body[128];
	g_snprintf(body, sizeof(body), "{\"request\":\"join\",\"room\":\"%s\",\"id\":\"a\"}", room);
	drop(expect(f, f->a, body, "joined"));
	g_snprintf(body, sizeof(body), "{\"request\":\"join\",\"room\":\"%s\",\"id\":\"b\"}", room);
	drop(expect(f, f->b, body, "joined"));
	drop(got(f->a, "peer_joined"));
}

static void call(fixture *f, const char *room) {
	pair(f, room);
	drop(signal_(f, f->b, "offer"));
	drop(got(f->a, "offer"));
	drop(signal_(f, f->a, "answer"));
	drop(got(f->b, "answer"));
}

/* B hangs up while its closes are not confirmed at once: its own answer
 * waits for its close (what the browser is told comes after the core is
 * done), then goes out. */
static void b_hangs_up(fixture *f) {
	json_t *r = fake_request(f->engine, f->b, "{\"request\":\"hangup\"}", NULL);
	g_assert_cmpstr(name_of(r), ==, "pending");
	drop(r);
	duet_engine_media_closed(f->engine, &f->b->member);
	r = answer_of(f->b);
	g_assert_cmpstr(name_of(r), ==, "hungup");
	drop(r);
}

static duet_pc_state state_of(fake_member *m, guint *gen) {
	return duet_pc_get_state(&m->member, gen);
}

/* ---------------------------------------------------------------------- */
/* Defect 1: nobody waits for a close                                     */

static void test_forward_parked_not_waited_for(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	fake_auto_hangup = FALSE;
	b_hangs_up(f);
	g_assert_cmpint(state_of(f->a, NULL), ==, DUET_PC_CLOSING);
	/* B offers at once: the request returns, its offer waits in A's line */
	json_t *r = signal_(f, f->b, "offer");
	g_assert_cmpstr(name_of(r), ==, "pending");
	drop(r);
	g_assert_null(fake_take_event(f->a, "offer"));
	/* meanwhile another room goes on */
	drop(expect(f, f->c, "{\"request\":\"join\",\"room\":\"other\"}", "joined"));
	/* A's close is done: the events behind it go out with the hangup
	 * callback; the JSEP waits for the core to free the old ICE agent
	 * (a timer: still nobody waits), then the worker pushes it */
	duet_engine_media_closed(f->engine, &f->a->member);
	drop(got(f->a, "hangup"));
	g_assert_cmpint(fake_scheduled(), ==, 0);
	g_assert_null(fake_take_event(f->a, "offer"));
	fake_now += DUET_PC_SETTLE_US - 1;
	duet_engine_expire(f->engine);
	g_assert_cmpint(fake_scheduled(), ==, 0);
	g_assert_cmpint(fake_settle(f->engine), ==, 1);
	drop(got(f->a, "offer"));
	r = answer_of(f->b);
	g_assert_cmpstr(name_of(r), ==, "offering");
	drop(r);
}

static void test_close_without_hangup_times_out(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	fake_auto_hangup = FALSE;
	b_hangs_up(f);
	drop(signal_(f, f->b, "offer"));
	fake_now += DUET_PC_HOLD_US - 1;
	duet_engine_expire(f->engine);
	g_assert_cmpint(fake_scheduled(), ==, 0);
	fake_now += 1;
	duet_engine_expire(f->engine);
	fake_run_worker(f->engine);
	drop(got(f->a, "hangup"));
	drop(got(f->a, "offer"));
	drop(answer_of(f->b));
}

/* Only a refusal right after a close is the core's "no PeerConnection yet". */
static void test_retry_only_right_after_a_close(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	drop(expect(f, f->b, "{\"request\":\"hangup\"}", "hungup"));
	fake_push_result = 465;
	json_t *r = signal_(f, f->b, "offer");
	g_assert_cmpstr(name_of(r), ==, "pending"); /* A's handle closed just now: tried again */
	drop(r);
	fake_push_result = 0;
	fake_now += DUET_PC_RETRY_US;
	duet_engine_expire(f->engine);
	fake_run_worker(f->engine);
	drop(got(f->a, "offer"));
	r = answer_of(f->b);
	g_assert_cmpstr(name_of(r), ==, "offering");
	drop(r);
	/* a handle that never had a PeerConnection: the refusal is final at once */
	drop(expect(f, f->c, "{\"request\":\"join\",\"room\":\"s\"}", "joined"));
	drop(expect(f, f->a, "{\"request\":\"leave\"}", "left"));
	drop(expect(f, f->a, "{\"request\":\"join\",\"room\":\"s\"}", "joined"));
	fake_now += DUET_PC_RETRY_FOR_US;
	fake_push_result = 465;
	r = signal_(f, f->a, "offer");
	g_assert_cmpint(fake_error_code(r), ==, DUET_ERR_INVALID_SDP);
	drop(r);
	fake_push_result = 0;
}

/* ---------------------------------------------------------------------- */
/* Defect 3: a late hangup of generation N after N+1 started              */

static void test_late_hangup_of_old_generation(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	guint gen1;
	g_assert_cmpint(state_of(f->a, &gen1), ==, DUET_PC_LIVE);
	fake_auto_hangup = FALSE;
	b_hangs_up(f);
	/* A's hangup does not come in time: the line goes on */
	fake_now += DUET_PC_HOLD_US;
	duet_engine_expire(f->engine);
	drop(got(f->a, "hangup"));
	drop(signal_(f, f->b, "offer"));
	drop(got(f->a, "offer"));
	guint gen2;
	g_assert_cmpint(state_of(f->a, &gen2), ==, DUET_PC_LIVE);
	g_assert_cmpuint(gen2, ==, gen1 + 1);
	/* now generation 1's hangup arrives: it must not touch generation 2 */
	duet_engine_media_closed(f->engine, &f->a->member);
	g_assert_cmpint(state_of(f->a, NULL), ==, DUET_PC_LIVE);
	g_assert_cmpuint(f->a->member.pc.hangups_ignored, ==, 1);
	g_assert_nonnull(f->a->member.seat->room->offerer); /* the call goes on */
	g_assert_null(fake_take_event(f->b, "hangup"));
	/* and the next close of generation 2 is expected, and waited for */
	int before = f->a->closes_expecting_hangup;
	drop(signal_(f, f->a, "answer"));
	b_hangs_up(f);
	g_assert_cmpint(f->a->closes_expecting_hangup, ==, before + 1);
	g_assert_null(fake_take_event(f->a, "hangup")); /* held until the close is done */
	duet_engine_media_closed(f->engine, &f->a->member);
	drop(got(f->a, "hangup"));
	/* a duplicated hangup is ignored too */
	duet_engine_media_closed(f->engine, &f->a->member);
	g_assert_cmpint(state_of(f->a, NULL), ==, DUET_PC_NONE);
}

/* The scenario that failed at f787e4d: B hangs up, offers again at once,
 * A's old PeerConnection's hangup comes, and B hangs up again before A
 * answered: that close of A's new PeerConnection must be expected. */
static void test_old_hangup_does_not_clear_new_generation(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	fake_auto_hangup = FALSE;
	b_hangs_up(f);
	drop(signal_(f, f->b, "offer")); /* parked behind A's close */
	duet_engine_media_closed(f->engine, &f->a->member); /* generation 1's hangup */
	fake_settle(f->engine);
	drop(got(f->a, "offer"));
	drop(answer_of(f->b)); /* offering */
	g_assert_cmpint(state_of(f->a, NULL), ==, DUET_PC_LIVE);
	int before = f->a->closes_expecting_hangup;
	b_hangs_up(f);
	g_assert_cmpint(f->a->closes_expecting_hangup, ==, before + 1);
}

/* ---------------------------------------------------------------------- */
/* Defects 2 and 5: a permanent request that cannot be written            */

static void assert_store_has(const char *id, gboolean present) {
	char *text = fake_store_room(id);
	if(present)
		g_assert_nonnull(text);
	else
		g_assert_null(text);
	g_free(text);
}

static void test_failed_writes_change_nothing(fixture *f, gconstpointer data) {
	(void)data;
	drop(expect(f, NULL, "{\"request\":\"create\",\"room\":\"p\",\"bitrate\":1000,\"permanent\":true}", "created"));
	char *before = fake_store_room("p");
	call(f, "p");
	int updates = f->a->bitrate_updates;
	int writes = fake_store_writes;
	fake_store_fails = TRUE;
	/* edit: the answer is an error, and nothing of it is applied */
	expect_error(
	    f, NULL, "{\"request\":\"edit\",\"room\":\"p\",\"new_bitrate\":64000,\"permanent\":true}", DUET_ERR_UNKNOWN);
	duet_room *room = duet_registry_find(f->engine->registry, "p");
	g_assert_cmpuint(room->settings.bitrate, ==, 1000);
	g_assert_cmpint(f->a->bitrate_updates, ==, updates);
	g_assert_cmpint(g_atomic_int_get(&f->a->member.room_bitrate), ==, 1000);
	/* create: no room, nothing in the file */
	expect_error(f, NULL, "{\"request\":\"create\",\"room\":\"q\",\"permanent\":true}", DUET_ERR_UNKNOWN);
	g_assert_null(duet_registry_find(f->engine->registry, "q"));
	/* destroy: the room and its call stay */
	expect_error(f, NULL, "{\"request\":\"destroy\",\"room\":\"p\",\"permanent\":true}", DUET_ERR_UNKNOWN);
	g_assert_nonnull(duet_registry_find(f->engine->registry, "p"));
	g_assert_true(room->in_call);
	g_assert_null(fake_take_event(f->a, "destroyed"));
	g_assert_cmpint(fake_store_writes, ==, writes);
	/* the file is what it was; the next good write does not bring q back */
	fake_store_fails = FALSE;
	char *after = fake_store_room("p");
	g_assert_cmpstr(before, ==, after);
	drop(expect(f, NULL, "{\"request\":\"create\",\"room\":\"z\",\"permanent\":true}", "created"));
	assert_store_has("q", FALSE);
	assert_store_has("z", TRUE);
	g_assert_cmpuint(g_hash_table_size(fake_store_file), ==, 2);
	g_free(before);
	g_free(after);
}

/* Every persisting request, with and without an error before the write. */
static void test_permanent_requests_write_then_apply(fixture *f, gconstpointer data) {
	(void)data;
	json_t *r = expect(f, NULL, "{\"request\":\"create\",\"permanent\":true}", "created");
	const char *id = json_string_value(json_object_get(r, "room"));
	assert_store_has(id, TRUE); /* the generated id is the one written */
	g_assert_nonnull(duet_registry_find(f->engine->registry, id));
	expect_error(f, NULL, "{\"request\":\"edit\",\"room\":\"nope\",\"permanent\":true}", DUET_ERR_NO_SUCH_ROOM);
	g_assert_cmpint(fake_store_writes, ==, 1);
	char body[160];
	g_snprintf(
	    body, sizeof(body), "{\"request\":\"edit\",\"room\":\"%s\",\"new_description\":\"x\",\"permanent\":true}", id);
	drop(expect(f, NULL, body, "edited"));
	char *text = fake_store_room(id);
	g_assert_nonnull(strstr(text, "\"description\": \"x\""));
	g_free(text);
	g_snprintf(body, sizeof(body), "{\"request\":\"destroy\",\"room\":\"%s\",\"permanent\":true}", id);
	drop(expect(f, NULL, body, "destroyed"));
	assert_store_has(id, FALSE);
	g_assert_null(duet_registry_find(f->engine->registry, id));
	drop(r);
}

/* ---------------------------------------------------------------------- */
/* Defect 4: settings survive leave and re-join                           */

static void test_settings_reset_on_leave(fixture *f, gconstpointer data) {
	(void)data;
	pair(f, "r");
	drop(expect(f, f->a, "{\"request\":\"configure\",\"audio\":false,\"bitrate\":64000}", "configured"));
	g_assert_cmpint(g_atomic_int_get(&f->a->member.relay[DUET_AUDIO]), ==, 0);
	drop(expect(f, f->a, "{\"request\":\"leave\"}", "left"));
	drop(expect(f, f->a, "{\"request\":\"join\",\"room\":\"r\"}", "joined"));
	g_assert_cmpint(g_atomic_int_get(&f->a->member.relay[DUET_AUDIO]), ==, 1);
	g_assert_cmpint(g_atomic_int_get(&f->a->member.bitrate), ==, 0);
	json_t *r = expect(f, f->a, "{\"request\":\"configure\"}", "configured");
	g_assert_true(json_is_true(json_object_get(r, "audio")));
	drop(r);
}

/* ---------------------------------------------------------------------- */
/* Defect 6: nothing of a room after `kicked` / `destroyed`               */

/* The last room event in the inbox is `last`, and no JSEP came after it. */
static void assert_last_event(fake_member *m, const char *last) {
	g_assert_cmpuint(m->inbox->len, >, 0);
	json_t *tail = g_ptr_array_index(m->inbox, m->inbox->len - 1);
	g_assert_cmpstr(name_of(tail), ==, last);
}

static void kick_or_destroy_racing_an_offer(fixture *f, const char *request, const char *last) {
	call(f, "r");
	fake_auto_hangup = FALSE;
	b_hangs_up(f);
	drop(signal_(f, f->b, "offer")); /* parked in A's line */
	drop(expect(f, NULL, request, "success"));
	duet_engine_media_closed(f->engine, &f->a->member);
	fake_run_worker(f->engine);
	fake_now += DUET_PC_HOLD_US;
	duet_engine_expire(f->engine);
	fake_run_worker(f->engine);
	assert_last_event(f->a, last);
	g_assert_null(fake_take_event(f->a, "offer"));
	g_assert_null(f->a->member.seat);
	g_assert_cmpint(state_of(f->a, NULL), !=, DUET_PC_LIVE); /* no PeerConnection set up */
}

static void test_kick_racing_an_offer(fixture *f, gconstpointer data) {
	(void)data;
	kick_or_destroy_racing_an_offer(f, "{\"request\":\"kick\",\"room\":\"r\",\"id\":\"a\"}", "kicked");
	json_t *r = answer_of(f->b); /* B's offer request is answered all the same */
	g_assert_nonnull(name_of(r));
	drop(r);
}

static json_t *expect_destroyed(fixture *f) {
	return expect(f, NULL, "{\"request\":\"destroy\",\"room\":\"r\"}", "destroyed");
}

static void test_destroy_racing_an_offer(fixture *f, gconstpointer data) {
	(void)data;
	call(f, "r");
	fake_auto_hangup = FALSE;
	b_hangs_up(f);
	drop(signal_(f, f->b, "offer"));
	drop(expect_destroyed(f));
	duet_engine_media_closed(f->engine, &f->a->member);
	fake_run_worker(f->engine);
	assert_last_event(f->a, "destroyed");
	g_assert_null(fake_take_event(f->a, "offer"));
	/* B's answer went out before its `destroyed` */
	assert_last_event(f->b, "destroyed");
	g_assert_cmpuint(f->b->answers->len, ==, 1);
}

/* ---------------------------------------------------------------------- */
/* Defect 7: files                                                        */

static void test_rec_dir_and_filename_confined(fixture *f, gconstpointer data) {
	(void)data;
	char *base = g_dir_make_tmp("duet-rec-XXXXXX", NULL);
	char *inside = g_build_filename(base, "calls", NULL);
	char *link = g_build_filename(base, "out", NULL);
	g_assert_cmpint(symlink("/etc", link), ==, 0);
	g_free(f->engine->settings.rec_dir);
	f->engine->settings.rec_dir = g_strdup(base);
	char body[512];
	const char *bad[] = {"/etc", "%s/../x", "%s/out", "%s-sibling", "%s/calls/../../x", "", "relative"};
	for(guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *dir = g_strdup_printf(bad[i], base);
		g_snprintf(body, sizeof(body), "{\"request\":\"create\",\"room\":\"x\",\"rec_dir\":\"%s\"}", dir);
		expect_error(f, f->a, body, DUET_ERR_INVALID_ELEMENT);
		g_free(dir);
	}
	g_assert_null(duet_registry_find(f->engine->registry, "x"));
	const char *good[] = {"%s", "%s/calls", "%s/calls/new/deeper", "%s/./calls"};
	for(guint i = 0; i < G_N_ELEMENTS(good); i++) {
		char *dir = g_strdup_printf(good[i], base);
		g_snprintf(body, sizeof(body), "{\"request\":\"create\",\"room\":\"g%u\",\"rec_dir\":\"%s\"}", i, dir);
		drop(expect(f, f->a, body, "created"));
		g_free(dir);
	}
	/* the Admin API may name any folder */
	drop(expect(f, NULL, "{\"request\":\"create\",\"room\":\"adm\",\"rec_dir\":\"/etc\"}", "created"));
	/* filename: a plain file name */
	drop(expect(f, f->a, "{\"request\":\"join\",\"room\":\"g0\"}", "joined"));
	const char *names[] = {"a/b", ".hidden", "..", "bad\\u0001name", "tab\\tname", "del\\u007f"};
	for(guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_snprintf(body, sizeof(body), "{\"request\":\"configure\",\"record\":true,\"filename\":\"%s\"}", names[i]);
		expect_error(f, f->a, body, DUET_ERR_INVALID_ELEMENT);
	}
	g_assert_cmpint(f->a->recordings, ==, 0);
	drop(expect(f, f->a, "{\"request\":\"configure\",\"record\":true,\"filename\":\"call-1.mjr\"}", "configured"));
	unlink(link);
	rmdir(base);
	g_free(link);
	g_free(inside);
	g_free(base);
}

/* ---------------------------------------------------------------------- */
/* Defect 8: held seats in deadline order                                 */

static void test_held_seats_expire_by_deadline(fixture *f, gconstpointer data) {
	(void)data;
	drop(expect(f, NULL, "{\"request\":\"create\",\"room\":\"long\",\"reconnect_window\":60}", "created"));
	drop(expect(f, NULL, "{\"request\":\"create\",\"room\":\"short\",\"reconnect_window\":1}", "created"));
	drop(expect(f, f->a, "{\"request\":\"join\",\"room\":\"long\",\"id\":\"l\"}", "joined"));
	drop(expect(f, f->b, "{\"request\":\"join\",\"room\":\"short\",\"id\":\"s\"}", "joined"));
	duet_engine_disconnect(f->engine, &f->a->member); /* held first, expires last */
	duet_engine_disconnect(f->engine, &f->b->member);
	fake_now += 2 * G_USEC_PER_SEC;
	duet_engine_expire(f->engine);
	g_assert_null(duet_room_find_seat(duet_registry_find(f->engine->registry, "short"), "s"));
	g_assert_nonnull(duet_room_find_seat(duet_registry_find(f->engine->registry, "long"), "l"));
	fake_now += 60 * G_USEC_PER_SEC;
	duet_engine_expire(f->engine);
	g_assert_null(duet_room_find_seat(duet_registry_find(f->engine->registry, "long"), "l"));
}

#define ADD(name, fn) g_test_add("/lifecycle/" name, fixture, NULL, setup, fn, teardown)

void register_lifecycle_tests(void) {
	ADD("forward_parked_not_waited_for", test_forward_parked_not_waited_for);
	ADD("close_without_hangup_times_out", test_close_without_hangup_times_out);
	ADD("retry_only_right_after_a_close", test_retry_only_right_after_a_close);
	ADD("late_hangup_of_old_generation", test_late_hangup_of_old_generation);
	ADD("old_hangup_does_not_clear_new_generation", test_old_hangup_does_not_clear_new_generation);
	ADD("failed_writes_change_nothing", test_failed_writes_change_nothing);
	ADD("permanent_requests_write_then_apply", test_permanent_requests_write_then_apply);
	ADD("settings_reset_on_leave", test_settings_reset_on_leave);
	ADD("kick_racing_an_offer", test_kick_racing_an_offer);
	ADD("destroy_racing_an_offer", test_destroy_racing_an_offer);
	ADD("rec_dir_and_filename_confined", test_rec_dir_and_filename_confined);
	ADD("held_seats_expire_by_deadline", test_held_seats_expire_by_deadline);
}
