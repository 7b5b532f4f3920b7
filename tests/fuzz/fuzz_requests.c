/*
 * fuzz_requests.c - libFuzzer target: the real Duet plugin driven through
 * its janus_plugin callbacks, on top of the core stub (tests/stub).
 *
 * Each input is a script (script.h) over 4 handles and a few rooms: built
 * or raw requests with or without a JSEP, Admin API requests, RTP, RTCP and
 * data, PeerConnections coming up and going away, handles detached and
 * attached again, time passing. After every step the run is brought to a
 * quiescent point, so that a given input always does the same thing:
 *
 *  - async requests go through the plugin's single worker thread, in
 *    arrival order. After a step that queued any, the driver queues one
 *    more on a fifth handle that never joins a room ({"request":"leave"},
 *    answered 460) and waits for its answer: once that is pushed, every
 *    request queued before it has been answered and its side effects done;
 *  - what the core would run later on a handle's loop thread (hangup_media
 *    after close_pc, destroy_session after a detach) is run by the driver,
 *    until nothing is left;
 *  - time is virtual and the housekeeping thread runs a tick only when a
 *    step asks for one.
 *
 * Then the driver checks the contract's invariants (a violation aborts, so
 * libFuzzer keeps the input): every answer and event is well formed and
 * every async request is answered exactly once; events reach only handles
 * in the room they name; media reaches only the sender's peer; what
 * list / listparticipants / stats / query_session report agrees with each
 * other and with what the handles were told; no reconnect token, pin or
 * secret leaks; a handle out of a room is not recording. At the end of an
 * input every handle is detached, held seats expire, remaining rooms are
 * destroyed: no room may be left, every plugin session must be freed, and
 * the plugin must have released its reference to every janus_plugin_session
 * (LeakSanitizer reports any other leak).
 *
 * Environment: DUET_FUZZ_TRACE=1 prints each step and what the plugin
 * answered; DUET_FUZZ_TOLERATE=bug,... goes past known plugin bugs
 * (tests/fuzz/crashes/README.md) to fuzz further: handle-ref releases, on the
 * plugin's behalf, the janus_plugin_session references it never drops;
 * replaced-recording accepts a handle that records outside any room;
 * dropped-notification accepts event-handler notifications about a handle
 * being detached (the core drops them); late-message skips OP_LATE_MSG
 * (the plugin leaks such a message).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "janus_stub.h"
#include "script.h"

#define ADMIN_KEY "adm1n-key"
#define WAIT_US (20 * G_USEC_PER_SEC)

static const char *general_config[] = {"admin_key", ADMIN_KEY, "max_rooms", "6", NULL, NULL};

/* ---------------------------------------------------------------------- */
/* State                                                                  */

typedef struct slot {
	int index;
	stub_handle *h; /* NULL while detached */
	char *room; /* the room this handle was told it is in, or NULL */
	char *id; /* its participant id (kept after leaving) */
	char *token; /* its reconnect token (kept after leaving) */
	gboolean touched; /* this step acted on it, or it got an answer or an event */
} slot;

typedef struct pending {
	stub_handle *h;
	char *transaction;
	char *request; /* lowercased, or NULL */
	int answers;
} pending;

static janus_plugin *duet;
static stub_loop *loop;
static slot slots[SLOTS];
static slot barrier_slot = {.index = -1};
static GMutex state_lock; /* what the hooks write: the worker thread calls them */
static GCond state_cond;
static GPtrArray *pendings;
static GPtrArray *issued_tokens; /* every reconnect token handed out in this input */
static char *created_room;
static guint64 barrier_sent, barrier_done, barrier_pops, transactions;
static guint64 effects; /* answers, events and notifications seen: a step with none changed nothing */
static json_t *last_list; /* the admin list after the last step checked */
static gboolean trace;
static char **tolerated; /* DUET_FUZZ_TOLERATE: known plugin bugs not to stop at */
static int step_no;
static gboolean store_failing; /* the configuration file cannot be written (OP_REJECT bit 3) */

static void fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;
static void fail(const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	fprintf(stderr, "\n==duet-fuzz== contract violation at step %d: ", step_no);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fprintf(stderr, "\n==duet-fuzz== (rerun the input with DUET_FUZZ_TRACE=1 to see the steps)\n");
	abort();
}

/* A plugin thread parked in g_usleep, the worker went back to its queue,
 * or work was queued on a loop: wake settle() up. */
static void on_park(void) {
	g_mutex_lock(&state_lock);
	g_cond_broadcast(&state_cond);
	g_mutex_unlock(&state_lock);
}

/* How long the driver has waited for the plugin, for its deadlock checks:
 * the time between two looks counts for at most 200 ms (it looks at least
 * every 100 ms), so that a stop of the process - a long run paused with
 * SIGSTOP while benchmarks run - is not taken for a deadlock. */
typedef struct waited {
	gint64 last, total;
} waited;

static void waited_start(waited *w) {
	w->last = g_get_monotonic_time();
	w->total = 0;
}

static gboolean waited_over(waited *w, gint64 limit_us) {
	gint64 now = g_get_monotonic_time();
	w->total += MIN(now - w->last, 200 * 1000);
	w->last = now;
	return w->total > limit_us;
}

static void on_violation(const char *what, void *user) {
	(void)user;
	fail("core stub: %s", what);
}

/* A known plugin bug the run was asked to go past. */
static gboolean tolerate(const char *bug) {
	return tolerated && g_strv_contains((const char *const *)tolerated, bug);
}

static void set_str(char **field, const char *value) {
	g_free(*field);
	*field = g_strdup(value);
}

static slot *slot_of(stub_handle *h) {
	return h ? h->user : NULL;
}

static char *dump(json_t *json) {
	return json ? json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(null)");
}

/* ---------------------------------------------------------------------- */
/* Shape checks                                                           */

static gboolean known_error(json_int_t code) {
	return (code >= 450 && code <= 466) || code == 499;
}

static const char *answer_of(const char *request) {
	static const char *map[][2] = {{"join", "joined"}, {"offer", "offering"}, {"answer", "answered"},
	    {"configure", "configured"}, {"message", "sent"}, {"hangup", "hungup"}, {"leave", "left"},
	    {"create", "created"}, {"edit", "edited"}, {"destroy", "destroyed"}, {"exists", "success"}, {"list", "success"},
	    {"listparticipants", "success"}, {"kick", "success"}, {"allowed", "success"}, {"stats", "success"}};
	for(size_t i = 0; request && i < G_N_ELEMENTS(map); i++) {
		if(strcmp(map[i][0], request) == 0)
			return map[i][1];
	}
	return NULL;
}

/* Keys that must never be shown to anyone but their owner. */
static void check_no_secret_keys(json_t *json, const char *where) {
	static const char *keys[] = {"pin", "secret", "reconnect_token", "token", "admin_key", "new_pin", "new_secret"};
	if(json_is_object(json)) {
		const char *key;
		json_t *value;
		json_object_foreach(json, key, value) {
			/* (a cheap filter first: this runs on every answer) */
			for(size_t i = 0; strchr("pstrano", key[0]) && i < G_N_ELEMENTS(keys); i++) {
				if(strcmp(key, keys[i]) == 0)
					fail("%s shows a \"%s\"", where, key);
			}
			if(json_is_object(value) || json_is_array(value))
				check_no_secret_keys(value, where);
		}
	} else if(json_is_array(json)) {
		size_t i;
		json_t *value;
		json_array_foreach(json, i, value) {
			if(json_is_object(value) || json_is_array(value))
				check_no_secret_keys(value, where);
		}
	}
}

/* The first reconnect token handed out in this input found in a string
 * (or a key) of json, or NULL. */
static const char *token_in(json_t *json) {
	if(json_is_string(json)) {
		const char *text = json_string_value(json);
		for(guint i = 0; json_string_length(json) >= 32 && i < issued_tokens->len; i++) {
			if(strstr(text, issued_tokens->pdata[i]))
				return issued_tokens->pdata[i];
		}
	} else if(json_is_object(json)) {
		const char *key;
		json_t *value;
		json_object_foreach(json, key, value) {
			for(guint i = 0; strlen(key) >= 32 && i < issued_tokens->len; i++) {
				if(strstr(key, issued_tokens->pdata[i]))
					return issued_tokens->pdata[i];
			}
			const char *found = token_in(value);
			if(found)
				return found;
		}
	} else if(json_is_array(json)) {
		size_t i;
		json_t *value;
		json_array_foreach(json, i, value) {
			const char *found = token_in(value);
			if(found)
				return found;
		}
	}
	return NULL;
}

/* No reconnect token handed out in this input may appear in json. */
static void check_no_tokens(json_t *json, const char *where) {
	const char *token = issued_tokens->len ? token_in(json) : NULL;
	if(token) {
		char *text = dump(json);
		fail("%s leaks the reconnect token %s: %s", where, token, text);
	}
}

/* A Duet answer: {"duet": name, ...} or an error event. Returns the name. */
static const char *check_body(json_t *body, const char *where) {
	if(!json_is_object(body))
		fail("%s is not an object", where);
	const char *name = json_string_value(json_object_get(body, "duet"));
	if(name == NULL)
		fail("%s has no \"duet\" name", where);
	if(strcmp(name, "event") == 0) {
		json_t *code = json_object_get(body, "error_code");
		if(!json_is_integer(code) || !known_error(json_integer_value(code)) ||
		    !json_is_string(json_object_get(body, "error")))
			fail("%s is a malformed error", where);
		const char *text = json_string_value(json_object_get(body, "error"));
		if(json_integer_value(code) == 499 && !(store_failing && strstr(text, "configuration file")))
			fail("%s is an unexpected 499: %s", where, text);
	}
	return name;
}

static json_int_t error_code(json_t *body) {
	return json_integer_value(json_object_get(body, "error_code"));
}

/* An answer to `request` (lowercase name, or NULL when the body had none). */
static void check_answer(json_t *body, const char *request, gboolean admin, const char *where) {
	const char *name = check_body(body, where);
	if(strcmp(name, "event") == 0)
		return;
	const char *expected = answer_of(request);
	if(expected == NULL || strcmp(name, expected) != 0)
		fail("%s: \"%s\" answered \"%s\"", where, request ? request : "(none)", name);
	if(strcmp(name, "stats") == 0 && !admin)
		fail("%s: stats answered on the plugin API", where);
}

/* ---------------------------------------------------------------------- */
/* Hooks (any thread)                                                     */

static pending *find_pending(stub_handle *h, const char *transaction) {
	for(guint i = 0; i < pendings->len; i++) {
		pending *p = pendings->pdata[i];
		if(p->h == h && strcmp(p->transaction, transaction) == 0)
			return p;
	}
	return NULL;
}

static void track_joined(slot *s, json_t *event) {
	const char *room = json_string_value(json_object_get(event, "room"));
	const char *id = json_string_value(json_object_get(event, "id"));
	const char *token = json_string_value(json_object_get(event, "reconnect_token"));
	json_t *peer = json_object_get(event, "peer");
	if(!room || !id || !token || strlen(token) != 32 || !json_is_string(json_object_get(event, "display")) ||
	    !(json_is_null(peer) || json_is_object(peer)))
		fail("malformed joined");
	if(s->room)
		fail("slot %d joined %s while in %s", s->index, room, s->room);
	set_str(&s->room, room);
	set_str(&s->id, id);
	set_str(&s->token, token);
	g_ptr_array_add(issued_tokens, g_strdup(token));
}

static void on_answer(slot *s, pending *p, json_t *event) {
	char where[96];
	g_snprintf(where, sizeof(where), "the answer to %s on slot %d", p->request ? p->request : "?", s->index);
	if(p->answers < 0)
		fail("%s came as an event after a synchronous answer", where);
	if(++p->answers > 1)
		fail("%s came twice", where);
	check_answer(event, p->request, FALSE, where);
	const char *name = json_string_value(json_object_get(event, "duet"));
	if(strcmp(name, "event") != 0) {
		const char *room = json_string_value(json_object_get(event, "room"));
		if(strcmp(name, "joined") == 0) {
			track_joined(s, event);
		} else if(room == NULL || s->room == NULL || strcmp(room, s->room) != 0) {
			fail("%s names room %s, the slot is in %s", where, room ? room : "(none)", s->room ? s->room : "(none)");
		} else if(strcmp(name, "left") == 0) {
			set_str(&s->room, NULL);
		}
	}
	/* Only the joined answer carries the participant's own token. */
	if(strcmp(name, "joined") != 0)
		check_no_tokens(event, where);
}

static void on_pushed_event(slot *s, json_t *event, json_t *jsep) {
	static const char *names[] = {"peer_joined", "offer", "answer", "hangup", "peer_disconnected", "peer_reconnected",
	    "peer_left", "message", "kicked", "destroyed"};
	char where[96];
	const char *name = check_body(event, "an event");
	g_snprintf(where, sizeof(where), "event %s to slot %d", name, s->index);
	gboolean known = FALSE;
	for(size_t i = 0; i < G_N_ELEMENTS(names); i++)
		known = known || strcmp(name, names[i]) == 0;
	if(!known)
		fail("%s: not an event of the contract", where);
	const char *room = json_string_value(json_object_get(event, "room"));
	if(room == NULL || s->room == NULL || strcmp(room, s->room) != 0)
		fail("%s names room %s, the slot is in %s", where, room ? room : "(none)", s->room ? s->room : "(none)");
	gboolean signal = strcmp(name, "offer") == 0 || strcmp(name, "answer") == 0;
	if(signal != (jsep != NULL))
		fail("%s %s a JSEP", where, jsep ? "carries" : "lacks");
	if(jsep && strcmp(json_string_value(json_object_get(jsep, "type")), name) != 0)
		fail("%s carries a JSEP of type %s", where, json_string_value(json_object_get(jsep, "type")));
	check_no_tokens(event, where);
	const char *reason = json_string_value(json_object_get(event, "reason"));
	const char *about = json_string_value(json_object_get(json_object_get(event, "peer"), "id"));
	if(strcmp(name, "kicked") == 0 || strcmp(name, "destroyed") == 0 ||
	    (strcmp(name, "peer_left") == 0 && reason && strcmp(reason, "replaced") == 0 && about && s->id &&
	        strcmp(about, s->id) == 0))
		set_str(&s->room, NULL);
}

static void on_event(stub_handle *h, const char *transaction, json_t *event, json_t *jsep, void *user) {
	(void)user;
	slot *s = slot_of(h);
	g_mutex_lock(&state_lock);
	if(trace && s != &barrier_slot) {
		char *e = dump(event);
		fprintf(stderr, "    -> slot %d %s%s%s%s\n", s ? s->index : -1, transaction ? "answer " : "event ",
		    transaction ? transaction : "", transaction ? " " : "", e);
		free(e);
	}
	if(s == &barrier_slot) {
		if(transaction == NULL || transaction[0] != 'b' || error_code(event) != 460)
			fail("the barrier handle got %s", transaction ? transaction : "an event");
		barrier_done = g_ascii_strtoull(transaction + 1, NULL, 10);
		barrier_pops = stub_queue_pops(); /* the worker is busy with the barrier now */
	} else if(s == NULL) {
		fail("an event to a handle the driver does not know");
	} else if(transaction) {
		s->touched = TRUE;
		pending *p = find_pending(h, transaction);
		if(p == NULL)
			fail("slot %d got an answer to transaction %s it never sent", s->index, transaction);
		on_answer(s, p, event);
	} else {
		s->touched = TRUE;
		on_pushed_event(s, event, jsep);
	}
	if(transaction == NULL || error_code(event) == 0)
		effects++;
	g_cond_broadcast(&state_cond);
	g_mutex_unlock(&state_lock);
}

static void on_notify(stub_handle *h, json_t *event, gboolean dropped, void *user) {
	(void)h;
	(void)user;
	g_mutex_lock(&state_lock);
	if(dropped && !tolerate("dropped-notification")) {
		char *e = dump(event);
		fail("the core drops the notification %s: the plugin gave it the handle being detached", e);
	}
	static const char *names[] = {
	    "joined", "left", "offer", "answer", "hangup", "configured", "kicked", "created", "destroyed"};
	const char *name = json_string_value(json_object_get(event, "event"));
	gboolean known = FALSE;
	for(size_t i = 0; name && i < G_N_ELEMENTS(names); i++)
		known = known || strcmp(name, names[i]) == 0;
	if(!known || !json_is_string(json_object_get(event, "room")))
		fail("a malformed event-handler notification");
	check_no_secret_keys(event, "a notification");
	check_no_tokens(event, "a notification");
	effects++;
	g_mutex_unlock(&state_lock);
}

/* ---------------------------------------------------------------------- */
/* Reading the script                                                     */

typedef struct reader {
	const uint8_t *p;
	size_t left;
} reader;

static uint8_t get8(reader *r) {
	if(r->left == 0)
		return 0;
	r->left--;
	return *r->p++;
}

/* Up to len bytes (fewer at the end of the input); *got says how many. */
static const uint8_t *get_bytes(reader *r, size_t len, size_t *got) {
	*got = MIN(len, r->left);
	const uint8_t *p = r->p;
	r->p += *got;
	r->left -= *got;
	return p;
}

/* ---------------------------------------------------------------------- */
/* Building requests                                                      */

#define X(id, name) name,
static const char *request_names[] = {REQUEST_NAMES};
static const char *field_names[] = {FIELD_NAMES};
#undef X

static const char *id_of(int k) {
	return slots[k].id ? slots[k].id : "nobody";
}

static const char *token_of(int k) {
	return slots[k].token ? slots[k].token : "00000000000000000000000000000000";
}

static json_t *long_string(size_t len) {
	char *s = g_malloc(len + 1);
	memset(s, 'a', len);
	s[len] = '\0';
	json_t *j = json_string(s);
	g_free(s);
	return j;
}

/* clang-format off */
static json_t *value_json(int v, int field) {
	switch(v) {
	case V_ROOM1: return json_string("r1");
	case V_ROOM2: return json_string("r2");
	case V_ROOM3_INT: return json_integer(3);
	case V_ROOM_CREATED: return json_string(created_room ? created_room : "r1");
	case V_ROOM_BAD: return json_string("no spaces!");
	case V_ROOM_LONG: return long_string(65);
	case V_ID_SLOT0: case V_ID_SLOT1: case V_ID_SLOT2: case V_ID_SLOT3: return json_string(id_of(v - V_ID_SLOT0));
	case V_ID_MINE: return json_string("me");
	case V_TOKEN_SLOT0: case V_TOKEN_SLOT1: case V_TOKEN_SLOT2: case V_TOKEN_SLOT3:
		/* Tokens only ever travel as reconnect_token, so that finding one elsewhere is a leak. */
		return field == F_RECONNECT_TOKEN ? json_string(token_of(v - V_TOKEN_SLOT0)) : json_string("not-a-token");
	case V_TRUE: return json_true();
	case V_FALSE: return json_false();
	case V_NULL: return json_null();
	case V_INT0: return json_integer(0);
	case V_INT1: return json_integer(1);
	case V_INT15: return json_integer(15);
	case V_INT3600: return json_integer(3600);
	case V_INT3601: return json_integer(3601);
	case V_INT_BITRATE: return json_integer(256000);
	case V_INT_BITRATE_MAX: return json_integer(100000000);
	case V_INT_BITRATE_OVER: return json_integer(100000001);
	case V_INT_NEGATIVE: return json_integer(-1);
	case V_INT_HUGE: return json_integer((json_int_t)1 << 62);
	case V_REAL: return json_real(1.5);
	case V_STR_EMPTY: return json_string("");
	case V_STR_PIN: return json_string("1234");
	case V_STR_SECRET: return json_string("s3cret");
	case V_STR_ADMIN_KEY: return json_string(ADMIN_KEY);
	case V_STR_X: return json_string("x");
	case V_STR_129: return long_string(129);
	case V_STR_257: return long_string(257);
	case V_STR_1025: return long_string(1025);
	case V_STR_65537: return long_string(65537);
	case V_STR_UTF8: return json_string("h\xc3\xa9llo \xe2\x82\xac");
	case V_ACTION_ENABLE: return json_string("enable");
	case V_ACTION_DISABLE: return json_string("disable");
	case V_ACTION_ADD: return json_string("add");
	case V_ACTION_REMOVE: return json_string("remove");
	case V_ACTION_BAD: return json_string("toggle");
	case V_TOKENS: return json_pack("[ss]", "t1", "t2");
	case V_TOKENS_BAD: return json_pack("[i]", 1);
	case V_TOKENS_EMPTY: return json_array();
	case V_TOKEN_T1: return json_string("t1");
	case V_OBJECT: return json_object();
	case V_FILENAME_BAD: return json_string("a/b");
	case V_FILENAME_DOT: return json_string(".hidden");
	case V_FILENAME: return json_string("call");
	}
	return json_null();
}
/* clang-format on */

/* The values that suit a field. */
static int typed_value(int field, uint8_t b) {
	static const int room[] = {V_ROOM1, V_ROOM2, V_ROOM3_INT, V_ROOM_CREATED};
	static const int text[] = {V_STR_X, V_STR_UTF8, V_STR_EMPTY, V_STR_1025};
	static const int pin[] = {V_STR_PIN, V_STR_EMPTY};
	static const int secret[] = {V_STR_SECRET, V_STR_EMPTY};
	static const int boolean[] = {V_TRUE, V_FALSE};
	static const int bitrate[] = {V_INT0, V_INT_BITRATE, V_INT_BITRATE_MAX};
	static const int window[] = {V_INT0, V_INT1, V_INT15, V_INT3600};
	static const int admin_key[] = {V_STR_ADMIN_KEY};
	static const int id[] = {V_ID_SLOT0, V_ID_SLOT1, V_ID_SLOT2, V_ID_SLOT3, V_ID_MINE};
	static const int action[] = {V_ACTION_ENABLE, V_ACTION_DISABLE, V_ACTION_ADD, V_ACTION_REMOVE};
	static const int tokens[] = {V_TOKENS};
	static const int display[] = {V_STR_X, V_STR_UTF8, V_STR_EMPTY};
	static const int token[] = {V_TOKEN_T1};
	static const int reconnect[] = {V_TOKEN_SLOT0, V_TOKEN_SLOT1, V_TOKEN_SLOT2, V_TOKEN_SLOT3};
	static const int filename[] = {V_FILENAME};
	static const int message[] = {V_STR_X, V_STR_UTF8};
	const int *choices = text;
	size_t n = G_N_ELEMENTS(text);
#define CHOOSE(list)                                                                                                   \
	do {                                                                                                               \
		choices = list;                                                                                                \
		n = G_N_ELEMENTS(list);                                                                                        \
	} while(0)
	/* clang-format off */
	switch(field) {
	case F_ROOM: CHOOSE(room); break;
	case F_PIN: case F_NEW_PIN: CHOOSE(pin); break;
	case F_SECRET: case F_NEW_SECRET: CHOOSE(secret); break;
	case F_IS_PRIVATE: case F_RECORD: case F_PERMANENT: case F_NEW_IS_PRIVATE: case F_NEW_RECORD:
	case F_AUDIO: case F_VIDEO: case F_DATA: CHOOSE(boolean); break;
	case F_BITRATE: case F_NEW_BITRATE: CHOOSE(bitrate); break;
	case F_RECONNECT_WINDOW: case F_NEW_RECONNECT_WINDOW: CHOOSE(window); break;
	case F_ADMIN_KEY: CHOOSE(admin_key); break;
	case F_ID: CHOOSE(id); break;
	case F_ACTION: CHOOSE(action); break;
	case F_ALLOWED: CHOOSE(tokens); break;
	case F_DISPLAY: CHOOSE(display); break;
	case F_TOKEN: CHOOSE(token); break;
	case F_RECONNECT_TOKEN: CHOOSE(reconnect); break;
	case F_FILENAME: CHOOSE(filename); break;
	case F_TEXT: CHOOSE(message); break;
	default: break;
	}
	/* clang-format on */
#undef CHOOSE
	return choices[(b & 0x7f) % n];
}

static json_t *build_body(reader *r) {
	int req = get8(r) % REQ_COUNT;
	json_t *body = json_object();
	if(req == REQ_NUMBER)
		json_object_set_new(body, "request", json_integer(7));
	else if(req == REQ_NULL)
		json_object_set_new(body, "request", json_null());
	else if(request_names[req])
		json_object_set_new(body, "request", json_string(request_names[req]));
	int nfields = get8(r) % (MAX_FIELDS + 1);
	for(int i = 0; i < nfields; i++) {
		int field = get8(r) % FIELD_COUNT;
		uint8_t b = get8(r);
		int v = (b & 0x80) ? typed_value(field, b) : b % V_COUNT;
		json_object_set_new(body, field_names[field], value_json(v, field));
	}
	return body;
}

static const char *sdp_text(int which) {
	static const char *sdps[SDP_COUNT] = {
	    [SDP_AV_DATA] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n"
	                    "a=sendrecv\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=sendrecv\r\n"
	                    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:5000\r\n",
	    [SDP_AUDIO_RED] = "v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                      "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\na=rtpmap:63 red/48000/2\r\n"
	                      "a=rtpmap:111 opus/48000/2\r\n",
	    [SDP_VIDEO_INACTIVE] = "v=0\r\no=- 3 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                           "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n"
	                           "m=video 9 UDP/TLS/RTP/SAVPF 98\r\na=rtpmap:98 VP9/90000\r\na=inactive\r\n",
	    [SDP_H264_ONLY] = "v=0\r\no=- 4 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\n",
	    [SDP_DATA_ONLY] = "v=0\r\no=- 5 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:5000\r\n",
	};
	return sdps[which % SDP_COUNT];
}

/* The JSEP a message carries; *valid when the core would have taken it. */
static json_t *build_jsep(reader *r, gboolean *valid) {
	int kind = get8(r) % JSEP_COUNT;
	const char *sdp = sdp_text(get8(r));
	*valid = kind == JSEP_OFFER || kind == JSEP_ANSWER || kind == JSEP_OFFER_E2EE;
	/* clang-format off */
	switch(kind) {
	case JSEP_OFFER: return json_pack("{ssss}", "type", "offer", "sdp", sdp);
	case JSEP_ANSWER: return json_pack("{ssss}", "type", "answer", "sdp", sdp);
	case JSEP_OFFER_E2EE: return json_pack("{sssssb}", "type", "offer", "sdp", sdp, "e2ee", 1);
	case JSEP_OFFER_GARBAGE: return json_pack("{ssss}", "type", "offer", "sdp", "not an sdp");
	case JSEP_ANSWER_GARBAGE: return json_pack("{ssss}", "type", "answer", "sdp", "v=1\r\n");
	case JSEP_TYPE_BAD: return json_pack("{ssss}", "type", "pranswer", "sdp", sdp);
	case JSEP_TYPE_MISSING: return json_pack("{ss}", "sdp", sdp);
	case JSEP_SDP_MISSING: return json_pack("{ss}", "type", "offer");
	case JSEP_NOT_STRINGS: return json_pack("{sisi}", "type", 1, "sdp", 2);
	case JSEP_NOT_OBJECT: return json_array();
	default: return NULL;
	}
	/* clang-format on */
}

/* ---------------------------------------------------------------------- */
/* Driving the plugin                                                     */

static char *request_of(json_t *body) {
	const char *name = json_string_value(json_object_get(body, "request"));
	return name ? g_ascii_strdown(name, -1) : NULL;
}

static void send_message(slot *s, json_t *body, json_t *jsep, gboolean jsep_valid) {
	if(s->h == NULL) {
		json_decref(body);
		json_decref(jsep);
		return;
	}
	if(jsep_valid) {
		stub_handle_negotiated(s->h); /* the core set up the PeerConnection for this SDP */
		g_atomic_int_set(&s->h->reject_jsep, 0);
	}
	char *request = request_of(body);
	char *transaction = g_strdup_printf("t%" G_GUINT64_FORMAT, ++transactions);
	pending *p = g_new0(pending, 1);
	p->h = s->h;
	p->transaction = g_strdup(transaction);
	p->request = g_strdup(request);
	g_mutex_lock(&state_lock);
	g_ptr_array_add(pendings, p);
	g_mutex_unlock(&state_lock);
	janus_plugin_result *result = duet->handle_message(&s->h->session, transaction, body, jsep);
	char where[96];
	g_snprintf(where, sizeof(where), "the answer to %s on slot %d", request ? request : "(no request)", s->index);
	if(result == NULL)
		fail("%s is NULL", where);
	if(result->type == JANUS_PLUGIN_OK) {
		if(result->content == NULL)
			fail("%s has no content", where);
		if(trace) {
			char *a = dump(result->content);
			fprintf(stderr, "    => slot %d %s\n", s->index, a);
			free(a);
		}
		g_mutex_lock(&state_lock);
		p->answers = -1; /* answered at once: no event may follow */
		check_answer(result->content, request, FALSE, where);
		json_int_t code = error_code(result->content);
		const char *name = json_string_value(json_object_get(result->content, "duet"));
		if(strcmp(name, "event") != 0 && answer_of(request) && strcmp(answer_of(request), "joined") == 0)
			fail("%s was synchronous", where);
		if(strcmp(name, "created") == 0)
			set_str(&created_room, json_string_value(json_object_get(result->content, "room")));
		if(strcmp(name, "event") != 0 || code == 0) {
			check_no_tokens(result->content, where);
			effects++;
		}
		g_mutex_unlock(&state_lock);
	} else if(result->type != JANUS_PLUGIN_OK_WAIT) {
		fail("%s is an error of the plugin API (%s)", where, result->text ? result->text : "");
	}
	janus_plugin_result_destroy(result);
	g_free(request);
}

static void admin_request(json_t *body) {
	char *request = request_of(body);
	json_t *answer = duet->handle_admin_message(body);
	char where[96];
	g_snprintf(where, sizeof(where), "the admin answer to %s", request ? request : "(no request)");
	if(trace) {
		char *a = dump(answer);
		fprintf(stderr, "    => admin %s\n", a);
		free(a);
	}
	g_mutex_lock(&state_lock);
	check_answer(answer, request, TRUE, where);
	check_no_secret_keys(answer, where);
	check_no_tokens(answer, where);
	const char *name = json_string_value(json_object_get(answer, "duet"));
	if(strcmp(name, "created") == 0)
		set_str(&created_room, json_string_value(json_object_get(answer, "room")));
	if(error_code(answer) == 0)
		effects++;
	g_mutex_unlock(&state_lock);
	json_decref(answer);
	json_decref(body);
	g_free(request);
}

/* An Admin API request built here; returns the answer (caller decrefs). */
static json_t *admin(const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	json_t *body = json_vpack_ex(NULL, 0, fmt, args);
	va_end(args);
	json_t *answer = duet->handle_admin_message(body);
	json_decref(body);
	if(check_body(answer, "an admin answer") && error_code(answer))
		fail("the driver's admin request failed: %s", json_string_value(json_object_get(answer, "error")));
	return answer;
}

static guint unanswered(void) {
	guint n = 0;
	for(guint i = 0; i < pendings->len; i++)
		n += ((pending *)pendings->pdata[i])->answers == 0;
	return n;
}

/* A plugin thread sleeps, waiting for the core (state_lock held): run the
 * loop for it and wake it up. Returns whether it had to. */
static gboolean run_for_parked(void) {
	if(!stub_parked())
		return FALSE;
	g_mutex_unlock(&state_lock);
	stub_loop_run(loop);
	stub_unpark();
	g_mutex_lock(&state_lock);
	return TRUE;
}

/* An answer waits in its line for a deadline (a close whose hangup never
 * comes, a JSEP tried again): with the worker idle and the loop empty only
 * time can move it. state_lock held. Returns FALSE after the longest wait
 * the plugin may have (its close hold), so that a real deadlock fails. */
static int time_passed_us;

static gboolean let_time_pass(void) {
	if(time_passed_us > 4 * G_USEC_PER_SEC)
		return FALSE;
	g_mutex_unlock(&state_lock);
	/* A tick at the present first: the timer then waits for its earliest
	 * deadline, counting any that appeared since its last turn (outside
	 * manual mode it is woken for those). If that turn did something, it is
	 * waited for as any other work (1 ms is counted for it, so that timer
	 * turns that always find work still end in the deadlock check). */
	stub_housekeeping_tick();
	time_passed_us += 1000;
	g_mutex_lock(&state_lock);
	if(unanswered() == 0 || !stub_worker_idle() || stub_loop_pending(loop) != 0 || stub_parked())
		return TRUE;
	g_mutex_unlock(&state_lock);
	/* Nothing happens before that deadline: time jumps to it (whole ms,
	 * at most a second: the timer's longest wait) instead of going there
	 * by 50 ms ticks. */
	gint64 wants = stub_housekeeping_wants();
	gint64 step = wants < 0 ? 50 * 1000 : CLAMP((wants + 999) / 1000 * 1000, 1000, G_USEC_PER_SEC);
	stub_clock_advance(step);
	time_passed_us += (int)step;
	stub_housekeeping_tick();
	g_mutex_lock(&state_lock);
	return TRUE;
}

static void wait_worker(gboolean (*done)(guint64), guint64 arg, const char *what) {
	waited w;
	waited_start(&w);
	while(!done(arg)) {
		if(run_for_parked())
			continue;
		if(!g_cond_wait_until(&state_cond, &state_lock, g_get_monotonic_time() + 100 * 1000) &&
		    waited_over(&w, WAIT_US))
			fail("the worker did not %s within %d s (deadlock?)", what, (int)(WAIT_US / G_USEC_PER_SEC));
	}
}

static gboolean barrier_passed(guint64 n) {
	return barrier_done >= n;
}

/* Every request queued so far answered, and the core's deferred work done.
 *
 * Each async request is answered exactly once, by the worker, after its
 * effects (the worker pushes the answer once the request's outbox is
 * flushed), so waiting for the answers is enough during a step. With
 * idle, the worker is also made to go through a request of the barrier
 * handle, so that it has finished with everything (its last message is
 * freed), before the end-of-input checks. */
static void settle(gboolean idle) {
	time_passed_us = 0;
	for(;;) {
		/* An answer may wait in its line for the hangup callback of a close
		 * (pc.c): the loop runs it, so run the loop while waiting. */
		g_mutex_lock(&state_lock);
		waited w;
		waited_start(&w);
		/* ... and a line may hand a JSEP to the worker (pc.c), with what
		 * follows it: wait for the worker to be idle too. An answer, a
		 * parked thread, the worker back at its queue and work queued on
		 * the loop wake the wait up (on_event, on_park); the 2 ms is only
		 * a safety net, not a poll. */
		while((unanswered() > 0 || !stub_worker_idle()) && stub_loop_pending(loop) == 0) {
			if(run_for_parked())
				continue;
			if(unanswered() > 0 && stub_worker_idle() && let_time_pass())
				continue;
			if(!g_cond_wait_until(&state_cond, &state_lock, g_get_monotonic_time() + 2000) && waited_over(&w, WAIT_US))
				fail("the worker did not answer within %d s (deadlock?)", (int)(WAIT_US / G_USEC_PER_SEC));
		}
		gboolean answered = unanswered() == 0;
		g_mutex_unlock(&state_lock);
		if(stub_loop_run(loop) == 0 && answered && stub_worker_idle())
			break;
	}
	if(!idle)
		return;
	guint64 n = ++barrier_sent;
	janus_plugin_result *result = duet->handle_message(&barrier_slot.h->session,
	    g_strdup_printf("b%" G_GUINT64_FORMAT, n), json_pack("{ss}", "request", "leave"), NULL);
	if(result == NULL || result->type != JANUS_PLUGIN_OK_WAIT)
		fail("the barrier request was not queued");
	janus_plugin_result_destroy(result);
	g_mutex_lock(&state_lock);
	wait_worker(barrier_passed, n, "go idle");
	guint64 pops = barrier_pops;
	g_mutex_unlock(&state_lock);
	/* ... and back in g_async_queue_pop: the barrier's message is freed (so
	 * that the input frees what it allocated: libFuzzer runs an input twice
	 * when it sees more mallocs than frees). */
	if(!stub_wait_queue_pops(pops, WAIT_US))
		fail("the worker did not go back to its queue");
	if(stub_loop_run(loop) != 0)
		fail("the core had work queued after the worker went idle");
}

static void pending_free(gpointer data) {
	pending *p = data;
	g_free(p->transaction);
	g_free(p->request);
	g_free(p);
}

static void attach(slot *s) {
	s->h = stub_handle_new(loop);
	if(s->h == NULL)
		fail("create_session failed");
	s->h->user = s;
}

static void detach(slot *s) {
	if(s->h == NULL)
		return;
	stub_handle_destroy(s->h);
	settle(FALSE);
	stub_handle_unref(s->h);
	s->h = NULL;
	set_str(&s->room, NULL);
}

/* ---------------------------------------------------------------------- */
/* Media                                                                  */

typedef struct media_counts {
	int rtp, rtcp, data, plis, rembs;
} media_counts;

static media_counts counts_of(stub_handle *h) {
	media_counts c = {0};
	if(h) {
		c.rtp = g_atomic_int_get(&h->rtp);
		c.rtcp = g_atomic_int_get(&h->rtcp);
		c.data = g_atomic_int_get(&h->data);
		c.plis = g_atomic_int_get(&h->plis);
		c.rembs = g_atomic_int_get(&h->rembs);
	}
	return c;
}

/* Whatever a packet from `from` caused may only reach its peer (and, for
 * PLI and REMB, itself). */
static void check_media_reach(slot *from, const media_counts before[SLOTS], const char *what) {
	for(int i = 0; i < SLOTS; i++) {
		media_counts now = counts_of(slots[i].h);
		gboolean relayed = now.rtp != before[i].rtp || now.rtcp != before[i].rtcp || now.data != before[i].data;
		gboolean feedback = now.plis != before[i].plis || now.rembs != before[i].rembs;
		if(&slots[i] == from) {
			if(relayed)
				fail("%s from slot %d was relayed back to it", what, from->index);
			continue;
		}
		if((relayed || feedback) &&
		    (from->room == NULL || slots[i].room == NULL || strcmp(from->room, slots[i].room) != 0))
			fail("%s from slot %d (room %s) reached slot %d (room %s)", what, from->index,
			    from->room ? from->room : "none", i, slots[i].room ? slots[i].room : "none");
	}
}

static void put16(guint8 *p, guint v) {
	p[0] = (guint8)(v >> 8);
	p[1] = (guint8)v;
}

static void send_rtcp(reader *r, slot *s) {
	int kind = get8(r) % RTCP_COUNT;
	uint8_t a = get8(r), b = get8(r);
	guint8 buf[64] = {0};
	size_t len = 0;
	guint8 *p = buf;
	if(kind == RTCP_SR || kind == RTCP_COMPOUND) {
		p[0] = 0x80, p[1] = 200, put16(p + 2, 6);
		p += 28;
	}
	if(kind == RTCP_PLI || (kind == RTCP_COMPOUND && (a & 1))) {
		p[0] = 0x81, p[1] = 206, put16(p + 2, 2);
		p += 12;
	} else if(kind == RTCP_FIR) {
		p[0] = 0x84, p[1] = 206, put16(p + 2, 4);
		p += 20;
	} else if(kind == RTCP_REMB || kind == RTCP_COMPOUND) {
		p[0] = 0x8f, p[1] = 206, put16(p + 2, 5);
		memcpy(p + 12, "REMB", 4);
		p[16] = 1, p[17] = a, p[18] = b, p[19] = 0x10;
		p += 24;
	}
	len = (size_t)(p - buf);
	size_t n;
	const uint8_t *raw = kind == RTCP_RAW ? get_bytes(r, get8(r), &n) : NULL;
	char *packet = g_malloc(kind == RTCP_RAW ? MAX(n, 1) : len);
	if(kind == RTCP_RAW)
		memcpy(packet, raw, n), len = n;
	else
		memcpy(packet, buf, len);
	if(len > 0) {
		janus_plugin_rtcp rtcp = {.mindex = -1, .video = a & 1, .buffer = packet, .length = (uint16_t)len};
		duet->incoming_rtcp(&s->h->session, &rtcp);
	}
	g_free(packet);
}

/* ---------------------------------------------------------------------- */
/* Invariants at a quiescent point                                        */

static json_t *find_room(json_t *rooms, const char *id) {
	size_t i;
	json_t *room;
	json_array_foreach(rooms, i, room) {
		if(g_strcmp0(json_string_value(json_object_get(room, "room")), id) == 0)
			return room;
	}
	return NULL;
}

/* with_stats: also cross-check the Admin API's stats (costly: at the end
 * of an input); quiet: the step seemed to change nothing, so only the list
 * is compared with the last one (the rest is checked if it differs). */
static void check_state(gboolean with_stats, gboolean quiet) {
	json_t *list = admin("{ss}", "request", "list");
	gboolean same = last_list && json_equal(list, last_list);
	json_decref(last_list);
	last_list = json_incref(list);
	if(quiet && same) {
		json_decref(list);
		return;
	}
	json_t *stats = with_stats ? admin("{ss}", "request", "stats") : NULL;
	json_t *rooms = json_object_get(list, "rooms");
	check_no_secret_keys(list, "list");
	check_no_tokens(list, "list");
	if(stats) {
		check_no_secret_keys(stats, "stats");
		check_no_tokens(stats, "stats");
	}
	json_t *parts = json_object(); /* room -> listparticipants answer */
	int connected = 0, seats = 0;
	size_t i;
	json_t *room;
	json_array_foreach(rooms, i, room) {
		const char *id = json_string_value(json_object_get(room, "room"));
		json_t *answer = admin("{ssss}", "request", "listparticipants", "room", id);
		json_t *people = json_object_get(answer, "participants");
		check_no_secret_keys(answer, "listparticipants");
		check_no_tokens(answer, "listparticipants");
		if(json_integer_value(json_object_get(room, "participants")) != (json_int_t)json_array_size(people))
			fail("room %s: list counts %d participants, listparticipants shows %d", id,
			    (int)json_integer_value(json_object_get(room, "participants")), (int)json_array_size(people));
		if(json_array_size(people) > 2)
			fail("room %s has %d participants", id, (int)json_array_size(people));
		size_t j;
		json_t *person;
		json_array_foreach(people, j, person) {
			if(json_is_true(json_object_get(person, "in_call")) != json_is_true(json_object_get(room, "in_call")))
				fail("room %s: in_call differs between list and listparticipants", id);
			connected += json_is_true(json_object_get(person, "connected"));
			seats++;
		}
		if(json_array_size(people) == 2 &&
		    g_strcmp0(json_string_value(json_object_get(json_array_get(people, 0), "id")),
		        json_string_value(json_object_get(json_array_get(people, 1), "id"))) == 0)
			fail("room %s has two participants with one id", id);
		json_object_set_new(parts, id, answer);
	}
	json_t *totals = json_object_get(stats, "totals");
	if(stats && (json_integer_value(json_object_get(totals, "rooms")) != (json_int_t)json_array_size(rooms) ||
	                json_integer_value(json_object_get(totals, "participants")) != seats))
		fail("stats totals (%d rooms, %d participants) differ from list (%d, %d)",
		    (int)json_integer_value(json_object_get(totals, "rooms")),
		    (int)json_integer_value(json_object_get(totals, "participants")), (int)json_array_size(rooms), seats);
	int seated = 0;
	for(int k = 0; k < SLOTS; k++) {
		slot *s = &slots[k];
		if(s->h == NULL)
			continue;
		/* A handle out of any room that nothing happened to in this step is
		 * as it was (a silent change of it would still show in the count of
		 * connected participants below). */
		if(s->room == NULL && !s->touched && !with_stats)
			continue;
		json_t *info = duet->query_session(&s->h->session);
		if(info == NULL)
			fail("query_session of slot %d gave nothing", k);
		check_no_secret_keys(info, "query_session");
		check_no_tokens(info, "query_session");
		const char *in = json_string_value(json_object_get(info, "room"));
		const char *id = json_string_value(json_object_get(info, "id"));
		const char *state = json_string_value(json_object_get(info, "state"));
		if(state == NULL)
			fail("query_session of slot %d has no state", k);
		if(g_strcmp0(in, s->room) != 0)
			fail("slot %d was told it is in room %s, query_session says %s", k, s->room ? s->room : "(none)",
			    in ? in : "(none)");
		if(in == NULL) {
			if(strcmp(state, "idle") != 0)
				fail("slot %d is in no room but its state is %s", k, state);
			if(json_is_true(json_object_get(info, "recording")) && !tolerate("replaced-recording"))
				fail("slot %d is in no room but is still recording", k);
		} else {
			seated++;
			if(g_strcmp0(id, s->id) != 0)
				fail("slot %d was told its id is %s, query_session says %s", k, s->id, id);
			json_t *answer = json_object_get(parts, in);
			if(answer == NULL)
				fail("slot %d is in room %s, which list does not show", k, in);
			json_t *people = json_object_get(answer, "participants");
			json_t *me = NULL;
			int others = 0;
			size_t j;
			json_t *person;
			json_array_foreach(people, j, person) {
				if(g_strcmp0(json_string_value(json_object_get(person, "id")), id) == 0)
					me = person;
				else
					others += json_is_true(json_object_get(person, "connected"));
			}
			if(me == NULL || !json_is_true(json_object_get(me, "connected")))
				fail("slot %d (room %s, id %s) is not a connected participant of listparticipants", k, in, id);
			gboolean in_call = json_is_true(json_object_get(find_room(rooms, in), "in_call"));
			const char *expected = in_call ? "in_call" : others ? "paired" : "waiting";
			if(strcmp(state, expected) != 0)
				fail("slot %d state is %s, the room says %s", k, state, expected);
		}
		json_decref(info);
	}
	if(seated != connected)
		fail("%d handles are seated but listparticipants shows %d connected participants", seated, connected);
	json_decref(parts);
	json_decref(list);
	json_decref(stats);
}

/* ---------------------------------------------------------------------- */
/* One input                                                              */

static const int advance_seconds[] = ADVANCE_SECONDS;

static void step(reader *r) {
	int op = get8(r) % OP_COUNT;
	slot *s = NULL;
	uint8_t slot_byte = 0;
	if(op != OP_ADMIN && op != OP_ADMIN_RAW && op != OP_ADVANCE) {
		slot_byte = get8(r);
		s = &slots[slot_byte % SLOTS];
	}
	if(s && s->h == NULL && op != OP_REATTACH && op != OP_MSG && op != OP_MSG_RAW) {
		if(trace)
			fprintf(stderr, "step %d: op %d on detached slot %d: skipped\n", step_no, op, s->index);
		return; /* only a message (dropped) or an attach make sense on a detached slot */
	}
	media_counts before[SLOTS];
	for(int i = 0; i < SLOTS; i++) {
		before[i] = counts_of(slots[i].h);
		slots[i].touched = FALSE;
	}
	if(s)
		s->touched = TRUE;
	g_mutex_lock(&state_lock);
	guint64 effects_before = effects;
	g_mutex_unlock(&state_lock);
	int closes_before = g_atomic_int_get(&stub_count.close_pcs);
	int hangups_before = g_atomic_int_get(&stub_count.hangups);
	int recorders_before = g_atomic_int_get(&stub_count.recorders_created);
	switch(op) {
	case OP_MSG: {
		json_t *body = build_body(r);
		gboolean valid;
		json_t *jsep = build_jsep(r, &valid);
		if(trace) {
			char *b = dump(body), *j = dump(jsep);
			fprintf(stderr, "step %d: slot %d message %s jsep %s\n", step_no, s->index, b, j);
			free(b), free(j);
		}
		send_message(s, body, jsep, valid);
		break;
	}
	case OP_MSG_RAW: {
		size_t n;
		const uint8_t *text = get_bytes(r, get8(r), &n);
		json_t *body = json_loadb((const char *)text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		gboolean valid;
		json_t *jsep = build_jsep(r, &valid);
		if(trace)
			fprintf(stderr, "step %d: slot %d raw message %.*s\n", step_no, s->index, (int)n, text);
		send_message(s, body, jsep, valid);
		break;
	}
	case OP_ADMIN: {
		json_t *body = build_body(r);
		if(trace) {
			char *b = dump(body);
			fprintf(stderr, "step %d: admin %s\n", step_no, b);
			free(b);
		}
		admin_request(body);
		break;
	}
	case OP_ADMIN_RAW: {
		size_t n;
		const uint8_t *text = get_bytes(r, get8(r), &n);
		json_t *body = json_loadb((const char *)text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		if(trace)
			fprintf(stderr, "step %d: raw admin %.*s\n", step_no, (int)n, text);
		if(body == NULL || !json_is_object(body)) {
			/* The core answers those itself: the plugin never sees them. */
			json_decref(body);
			break;
		}
		admin_request(body);
		break;
	}
	case OP_RTP: {
		uint8_t flags = get8(r);
		size_t n;
		const uint8_t *bytes = get_bytes(r, get8(r), &n);
		size_t len = MAX(n, 12); /* the core hands over RTP packets with a header */
		char *buf = g_malloc0(len);
		memcpy(buf, bytes, n);
		buf[0] = (char)((buf[0] & 0x3f) | 0x80);
		janus_plugin_rtp rtp = {.mindex = -1, .video = flags & 1, .buffer = buf, .length = (uint16_t)len};
		if(trace)
			fprintf(
			    stderr, "step %d: slot %d rtp %s %zu bytes\n", step_no, s->index, rtp.video ? "video" : "audio", len);
		duet->incoming_rtp(&s->h->session, &rtp);
		g_free(buf);
		check_media_reach(s, before, "RTP");
		break;
	}
	case OP_RTCP:
		if(trace)
			fprintf(stderr, "step %d: slot %d rtcp\n", step_no, s->index);
		send_rtcp(r, s);
		check_media_reach(s, before, "RTCP");
		break;
	case OP_DATA: {
		uint8_t flags = get8(r);
		size_t n;
		const uint8_t *bytes = get_bytes(r, get8(r), &n);
		char *buf = (flags & 2) ? NULL : g_malloc0(n + 1);
		if(buf)
			memcpy(buf, bytes, n);
		janus_plugin_data data = {
		    .label = "chat", .protocol = NULL, .binary = flags & 1, .buffer = buf, .length = (uint16_t)n};
		if(trace)
			fprintf(stderr, "step %d: slot %d data %zu bytes\n", step_no, s->index, n);
		duet->incoming_data(&s->h->session, &data);
		g_free(buf);
		check_media_reach(s, before, "data");
		break;
	}
	case OP_SETUP:
		if(trace)
			fprintf(stderr, "step %d: slot %d setup_media\n", step_no, s->index);
		duet->setup_media(&s->h->session);
		check_media_reach(s, before, "setup_media");
		break;
	case OP_PC_CLOSED:
		if(trace)
			fprintf(stderr, "step %d: slot %d %s\n", step_no, s->index,
			    (slot_byte & 4) ? "late or duplicated hangup_media" : "PeerConnection closed");
		if(slot_byte & 4)
			stub_handle_hangup_again(s->h);
		else
			stub_handle_pc_closed(s->h);
		break;
	case OP_DATA_READY:
		if(trace)
			fprintf(stderr, "step %d: slot %d data_ready\n", step_no, s->index);
		duet->data_ready(&s->h->session);
		break;
	case OP_REATTACH:
	case OP_DETACH:
		if(trace)
			fprintf(stderr, "step %d: slot %d %s\n", step_no, s->index, op == OP_DETACH ? "detach" : "reattach");
		detach(s);
		if(op == OP_REATTACH)
			attach(s);
		break;
	case OP_ADVANCE: {
		int seconds = advance_seconds[get8(r) % G_N_ELEMENTS(advance_seconds)];
		if(trace)
			fprintf(stderr, "step %d: %d s pass\n", step_no, seconds);
		stub_clock_advance((gint64)seconds * G_USEC_PER_SEC);
		stub_housekeeping_tick();
		break;
	}
	case OP_QUERY: {
		json_t *info = duet->query_session(&s->h->session);
		if(info == NULL)
			fail("query_session of a live handle gave nothing");
		check_no_secret_keys(info, "query_session");
		json_decref(info);
		break;
	}
	case OP_REJECT: {
		if(slot_byte & 8) {
			store_failing = !store_failing;
			g_atomic_int_set(&stub_config_save_fails, store_failing);
			if(trace)
				fprintf(stderr, "step %d: the configuration file %s\n", step_no,
				    store_failing ? "cannot be written" : "can be written again");
			break;
		}
		int mode = (slot_byte & 4) ? 2 : 1;
		if(trace)
			fprintf(stderr, "step %d: slot %d refuses %s\n", step_no, s->index,
			    mode == 2 ? "every JSEP until its browser sends one" : "the next JSEP");
		g_atomic_int_set(&s->h->reject_jsep, mode);
		break;
	}
	case OP_LATE_MSG: {
		json_t *body = build_body(r);
		gboolean valid;
		json_t *jsep = build_jsep(r, &valid);
		if(trace) {
			char *b = dump(body);
			fprintf(stderr, "step %d: slot %d detached, then its late message %s\n", step_no, s->index, b);
			free(b);
		}
		if(tolerate("late-message")) {
			json_decref(body);
			json_decref(jsep);
			break;
		}
		/* The core looked the handle up, then the detach ran to the end
		 * (destroy_session), then the core hands the message over. */
		stub_handle *stale = s->h;
		stub_handle_ref(stale);
		detach(s);
		janus_plugin_result *result =
		    duet->handle_message(&stale->session, g_strdup("late"), body, jsep); /* the plugin owns them now */
		if(result == NULL)
			fail("handle_message of a detached handle gave no result");
		if(result->type == JANUS_PLUGIN_OK_WAIT)
			fail("handle_message of a detached handle queued the request");
		janus_plugin_result_destroy(result);
		stub_handle_unref(stale);
		attach(s);
		break;
	}
	}
	settle(FALSE);
	if(trace && g_atomic_int_get(&stub_count.recorders_created) != recorders_before)
		fprintf(
		    stderr, "    (recorders opened: %d)\n", g_atomic_int_get(&stub_count.recorders_created) - recorders_before);
	/* Media, setup_media, data_ready, query_session and a refused SDP to
	 * come change no room state (check_media_reach checked the media). */
	if(op != OP_MSG && op != OP_MSG_RAW && op != OP_ADMIN && op != OP_ADMIN_RAW && op != OP_PC_CLOSED &&
	    op != OP_REATTACH && op != OP_DETACH && op != OP_ADVANCE)
		return;
	/* A step that produced no answer but errors, no event, no notification
	 * and no close changed nothing, unless the list says otherwise: then
	 * the full check is skipped (it is what costs most). */
	gboolean quiet = effects == effects_before && g_atomic_int_get(&stub_count.close_pcs) == closes_before &&
	                 g_atomic_int_get(&stub_count.hangups) == hangups_before && op != OP_REATTACH && op != OP_DETACH &&
	                 op != OP_ADVANCE;
	check_state(FALSE, quiet);
}

/* Back to a clean plugin: no handle, no seat, no room. */
static void finish_input(void) {
	store_failing = FALSE;
	g_atomic_int_set(&stub_config_save_fails, 0);
	check_state(TRUE, FALSE);
	json_decref(last_list);
	last_list = NULL;
	step_no = -1;
	for(int k = 0; k < SLOTS; k++)
		detach(&slots[k]);
	/* Held seats expire, auto-created rooms vanish with their last seat. */
	stub_clock_advance((gint64)3601 * G_USEC_PER_SEC);
	stub_housekeeping_tick();
	settle(FALSE);
	json_t *list = admin("{ss}", "request", "list");
	size_t i;
	json_t *room;
	json_array_foreach(json_object_get(list, "rooms"), i, room) {
		if(json_integer_value(json_object_get(room, "participants")) != 0)
			fail("room %s still has participants after every handle left and every seat expired",
			    json_string_value(json_object_get(room, "room")));
		json_decref(admin("{sssOsb}", "request", "destroy", "room", json_object_get(room, "room"), "permanent", 1));
	}
	json_decref(list);
	settle(TRUE);
	list = admin("{ss}", "request", "list");
	if(json_array_size(json_object_get(list, "rooms")) != 0)
		fail("rooms are left after destroying them all");
	json_decref(list);
	/* Every plugin session but the barrier's is freed. */
	int sessions = stub_ledger_alive("duet_create_session");
	if(sessions != 1) {
		stub_ledger_dump();
		fail("%d plugin sessions are still referenced after every handle was detached", sessions - 1);
	}
	if(stub_sessions_alive(NULL) != stub_sessions_alive(barrier_slot.h))
		fail("%d plugin sessions kept their mutexes after every handle was detached",
		    stub_sessions_alive(NULL) - stub_sessions_alive(barrier_slot.h));
	if(stub_ledger_alive("janus_sdp_parse") || stub_ledger_alive("janus_recorder_create"))
		fail("SDP or recorder objects were not released");
	int unreleased = stub_handles_unreleased(tolerate("handle-ref"));
	if(unreleased && !tolerate("handle-ref"))
		fail("the plugin never released its reference to %d detached janus_plugin_session(s): "
		     "every handle leaks in the core (see tests/fuzz/crashes/README.md)",
		    unreleased);
	g_mutex_lock(&state_lock);
	g_ptr_array_set_size(pendings, 0);
	g_ptr_array_set_size(issued_tokens, 0);
	for(int k = 0; k < SLOTS; k++) {
		set_str(&slots[k].room, NULL);
		set_str(&slots[k].id, NULL);
		set_str(&slots[k].token, NULL);
	}
	set_str(&created_room, NULL);
	g_mutex_unlock(&state_lock);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	(void)argc;
	(void)argv;
	g_setenv("G_SLICE", "always-malloc", TRUE); /* every allocation freed is freed (LeakSanitizer) */
	trace = g_strcmp0(g_getenv("DUET_FUZZ_TRACE"), "1") == 0;
	tolerated = g_strsplit(g_getenv("DUET_FUZZ_TOLERATE") ? g_getenv("DUET_FUZZ_TOLERATE") : "", ",", -1);
	stub_options options = {
	    .manual_clock = TRUE,
	    .events_enabled = TRUE,
	    .refcount_ledger = TRUE,
	    .fake_recorders = TRUE,
	    .verbose = g_strcmp0(g_getenv("DUET_FUZZ_VERBOSE"), "1") == 0,
	    .general = general_config,
	    .on_park = on_park,
	    .on_change = on_park,
	};
	stub_set_driver_thread();
	stub_set_hooks(on_event, on_notify, on_violation, NULL);
	duet = stub_start(&options);
	loop = stub_loop_new();
	pendings = g_ptr_array_new_with_free_func(pending_free);
	issued_tokens = g_ptr_array_new_with_free_func(g_free);
	for(int k = 0; k < SLOTS; k++)
		slots[k].index = k;
	attach(&barrier_slot);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	reader r = {data, size};
	for(int k = 0; k < SLOTS; k++)
		attach(&slots[k]);
	for(step_no = 0; r.left > 0 && step_no < MAX_STEPS; step_no++)
		step(&r);
	finish_input();
	return 0;
}
