/*
 * stress.c - the real Duet plugin under concurrent signaling and media, on
 * top of the core stub (tests/stub). Built twice: with ThreadSanitizer
 * (stress-tsan) and with AddressSanitizer + UBSan (stress-asan).
 *
 * Usage: stress [seconds=10] [rooms=200] [signaling threads=4] [media threads=4]
 *
 * Like the core, each handle belongs to one loop thread (a "media thread"
 * here), which alone calls incoming_rtp/rtcp/data, setup_media, data_ready,
 * hangup_media and destroy_session for it; requests arrive from any thread
 * (the transports). For the given time:
 *  - signaling threads send join / offer / answer / configure / message /
 *    hangup / leave / takeovers with a seat's reconnect token / plugin-API
 *    create, edit, allowed / Admin API create, destroy, kick, list,
 *    listparticipants, stats / query_session / garbage, and detach and
 *    attach handles again (destroy_session + create_session), over two
 *    handles per room (plus spares that try to take seats);
 *  - media threads push RTP, RTCP (PLI, FIR, REMB, SR) and data through
 *    their handles, bring PeerConnections up and sometimes close them, and
 *    run what the core queues on their loop (close_pc -> hangup_media,
 *    detach -> destroy_session);
 *  - a clock thread makes time run 10 times faster, so that held seats
 *    expire during the run.
 * Then every handle is detached, held seats expire, created rooms are
 * destroyed, and the final state must be clean: no room left (Admin API
 * list and stats), every plugin session freed, every janus_plugin_session
 * released by the plugin and freed. The sanitizers report the rest (TSan:
 * data races, lock-order inversions; ASan: use-after-free, leaks at exit).
 *
 * Environment: STRESS_TOLERATE=bug,... goes past known plugin bugs
 * (tests/fuzz/crashes/README.md): handle-ref accepts the plugin never
 * releasing its janus_plugin_session references (and releases them on its
 * behalf); late-message keeps messages from racing their handle's detach
 * (the plugin leaks those, which LeakSanitizer reports when the race hits).
 * STRESS_REFUSALS=N: N signaling ops in 1000 make the core refuse every JSEP
 * pushed to a handle until its browser sends one (default 0).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "janus_stub.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

#ifdef UNDER_TSAN
/* glib's own synchronisation is invisible to TSan (futexes): its allocations
 * and frees must not be checked, only the instrumented code (the plugin, the
 * stub, this program), to which the stub shows glib's locks and queues. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) {
	return "ignore_noninstrumented_modules=1:second_deadlock_stack=1";
}
#endif

/* A counter of the stub (the plugin's threads may still write them). */
#define C(field) g_atomic_int_get(&stub_count.field)

typedef struct slot {
	int index;
	GMutex lock;
	pthread_rwlock_t use; /* with STRESS_TOLERATE=late-message: no message races its handle's detach */
	stub_handle *h; /* the slot's reference; NULL between a detach and an attach */
	char *id; /* the last participant id and reconnect token it was given */
	char *token;
	stub_loop *loop;
} slot;

static janus_plugin *duet;
static int seconds = 10, nrooms = 200, nsignal = 4, nmedia = 4, nslots;
static slot *slots;
static stub_loop **loops;
static gint running = 1;
static gint ops, ops_async, api_errors, errors_seen, packets_rtp, packets_rtcp, packets_data, reattaches;
static gint answers[500];

static const char *sdp_offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                               "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
                               "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"
                               "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";

/* ---------------------------------------------------------------------- */
/* Slots                                                                  */

static stub_handle *slot_get(slot *s) {
	g_mutex_lock(&s->lock);
	stub_handle *h = s->h;
	if(h)
		stub_handle_ref(h);
	g_mutex_unlock(&s->lock);
	return h;
}

static void slot_attach(slot *s) {
	stub_handle *h = stub_handle_new(s->loop);
	if(h == NULL) {
		fprintf(stderr, "stress: create_session failed\n");
		exit(1);
	}
	h->user = s;
	g_mutex_lock(&s->lock);
	stub_handle *extra = s->h ? h : NULL;
	if(s->h == NULL)
		s->h = h;
	g_mutex_unlock(&s->lock);
	if(extra) { /* another thread attached one first */
		stub_handle_destroy(extra);
		stub_handle_unref(extra);
	}
}

static gboolean tolerate_late_message;
static int refusals; /* STRESS_REFUSALS: per mille of signaling ops making the core refuse a handle's JSEPs */

static void slot_detach(slot *s) {
	if(tolerate_late_message)
		pthread_rwlock_wrlock(&s->use);
	g_mutex_lock(&s->lock);
	stub_handle *h = s->h;
	s->h = NULL;
	g_mutex_unlock(&s->lock);
	if(h) {
		stub_handle_destroy(h);
		stub_handle_unref(h);
	}
	if(tolerate_late_message)
		pthread_rwlock_unlock(&s->use);
}

static void count_answer(json_t *answer);

/* How long async requests wait for their answer (sent_at: by transaction number). */
#define LATENCY_SLOTS (1 << 20)
static gint64 *sent_at;
static gint64 latency_max;
static gint latency_hist[6]; /* < 1 ms, < 10 ms, < 100 ms, < 1 s, < 3 s, more */

static void record_latency(int n) {
	gint64 us = g_get_monotonic_time() - __atomic_load_n(&sent_at[n % LATENCY_SLOTS], __ATOMIC_RELAXED);
	int bucket = us < 1000 ? 0 : us < 10000 ? 1 : us < 100000 ? 2 : us < 1000000 ? 3 : us < 3000000 ? 4 : 5;
	g_atomic_int_inc(&latency_hist[bucket]);
	gint64 max = __atomic_load_n(&latency_max, __ATOMIC_RELAXED);
	while(us > max && !__atomic_compare_exchange_n(&latency_max, &max, us, FALSE, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* The joined answer of a slot's handle: keep its id and token (takeovers). */
static void on_event(stub_handle *h, const char *transaction, json_t *event, json_t *jsep, void *user) {
	(void)jsep;
	(void)user;
	slot *s = h->user;
	const char *name = json_string_value(json_object_get(event, "duet"));
	if(name == NULL || s == NULL) {
		fprintf(stderr, "stress: an event without a name or to an unknown handle\n");
		abort();
	}
	if(transaction) {
		count_answer(event);
		if(transaction[0] == 's')
			record_latency(atoi(transaction + 1));
	}
	if(transaction && strcmp(name, "joined") == 0) {
		g_mutex_lock(&s->lock);
		g_free(s->id);
		g_free(s->token);
		s->id = g_strdup(json_string_value(json_object_get(event, "id")));
		s->token = g_strdup(json_string_value(json_object_get(event, "reconnect_token")));
		g_mutex_unlock(&s->lock);
	}
}

static void on_violation(const char *what, void *user) {
	(void)user;
	fprintf(stderr, "stress: core stub: %s\n", what);
	abort();
}

/* ---------------------------------------------------------------------- */
/* Signaling                                                              */

static char *room_name(int room) {
	return g_strdup_printf("room%d", room);
}

static void count_answer(json_t *answer) {
	json_int_t code = json_integer_value(json_object_get(answer, "error_code"));
	if(code >= 450 && code < 500)
		g_atomic_int_inc(&answers[code]);
	const char *text = json_string_value(json_object_get(answer, "error"));
	/* A request racing with its handle's detach may legitimately get 499,
	 * and so does a permanent one while the configuration cannot be written. */
	if(code == 499 && g_strcmp0(text, "This handle is being destroyed") != 0 &&
	    !(text && strstr(text, "configuration file"))) {
		fprintf(stderr, "stress: answered 499: %s\n", text);
		g_atomic_int_inc(&errors_seen);
	}
}

/* A message on a slot's handle (body and jsep are handed over). Like in
 * Janus, it may reach the plugin after the handle's detach has run to the
 * end (the plugin then answers with an error of the plugin API), unless
 * STRESS_TOLERATE has late-message. */
static void message(slot *s, json_t *body, json_t *jsep) {
	if(tolerate_late_message)
		pthread_rwlock_rdlock(&s->use);
	stub_handle *h = slot_get(s);
	if(h == NULL) {
		json_decref(body);
		json_decref(jsep);
		if(tolerate_late_message)
			pthread_rwlock_unlock(&s->use);
		return;
	}
	if(jsep) {
		stub_handle_negotiated(h);
		g_atomic_int_set(&h->reject_jsep, 0); /* its browser sent an SDP: the core takes JSEPs again */
	}
	static gint transaction;
	int n = g_atomic_int_add(&transaction, 1);
	__atomic_store_n(&sent_at[n % LATENCY_SLOTS], g_get_monotonic_time(), __ATOMIC_RELAXED);
	char *t = g_strdup_printf("s%d", n);
	janus_plugin_result *result = duet->handle_message(&h->session, t, body, jsep);
	if(result == NULL) {
		fprintf(stderr, "stress: handle_message gave no result\n");
		abort();
	}
	if(result->type == JANUS_PLUGIN_OK)
		count_answer(result->content);
	else if(result->type == JANUS_PLUGIN_OK_WAIT)
		g_atomic_int_inc(&ops_async);
	else /* the handle went away meanwhile (the plugin API's own error) */
		g_atomic_int_inc(&api_errors);
	janus_plugin_result_destroy(result);
	stub_handle_unref(h);
	if(tolerate_late_message)
		pthread_rwlock_unlock(&s->use);
}

static json_t *admin(json_t *body) {
	json_t *answer = duet->handle_admin_message(body);
	json_decref(body);
	count_answer(answer);
	return answer;
}

static void slot_identity(slot *s, char **id, char **token) {
	g_mutex_lock(&s->lock);
	*id = g_strdup(s->id);
	*token = g_strdup(s->token);
	g_mutex_unlock(&s->lock);
}

/* The single worker answers async requests in order: keep at most this many
 * waiting, like clients that wait for their answers before the next one. */
#define MAX_QUEUED 256

static void signaling_op(GRand *rand, int n) {
	while(g_atomic_int_get(&ops_async) - (gint64)stub_queue_pops() > MAX_QUEUED && g_atomic_int_get(&running))
		g_usleep(200);
	slot *s = &slots[g_rand_int_range(rand, 0, nslots)];
	int home = (s->index / 2) % nrooms;
	if(refusals && g_rand_int_range(rand, 0, 1000) < refusals) {
		/* The core refuses every JSEP pushed to this handle until its browser sends one. */
		stub_handle *h = slot_get(s);
		if(h) {
			g_atomic_int_set(&h->reject_jsep, 2);
			stub_handle_unref(h);
		}
	}
	int roll = g_rand_int_range(rand, 0, 1000);
	char *room = room_name(g_rand_int_range(rand, 0, 100) < 90 ? home : g_rand_int_range(rand, 0, nrooms));
	if(roll < 200) {
		message(s, json_pack("{ssss}", "request", "join", "room", room), NULL);
	} else if(roll < 340) {
		message(s, json_pack("{ss}", "request", "offer"), json_pack("{ssss}", "type", "offer", "sdp", sdp_offer));
	} else if(roll < 480) {
		message(s, json_pack("{ss}", "request", "answer"), json_pack("{ssss}", "type", "answer", "sdp", sdp_offer));
	} else if(roll < 540) {
		json_t *body = json_pack("{sssbsbsbsi}", "request", "configure", "audio", g_rand_boolean(rand), "video",
		    g_rand_boolean(rand), "data", g_rand_boolean(rand), "bitrate", g_rand_int_range(rand, 0, 3) * 128000);
		if(g_rand_int_range(rand, 0, 4) == 0)
			json_object_set_new(body, "record", json_boolean(g_rand_boolean(rand)));
		message(s, body, NULL);
	} else if(roll < 590) {
		message(s, json_pack("{ssss}", "request", "message", "text", "hello"), NULL);
	} else if(roll < 630) {
		message(s, json_pack("{ss}", "request", "hangup"), NULL);
	} else if(roll < 660) {
		message(s, json_pack("{ss}", "request", "leave"), NULL);
	} else if(roll < 700) {
		/* Takeover: another slot of the room (or this one, re-attached) with a seat's token. */
		int partner = (s->index ^ 1) < nslots ? s->index ^ 1 : s->index;
		slot *owner = &slots[g_rand_boolean(rand) ? partner : s->index];
		char *id, *token;
		slot_identity(owner, &id, &token);
		if(id && token)
			message(
			    s, json_pack("{ssssssss}", "request", "join", "room", room, "id", id, "reconnect_token", token), NULL);
		g_free(id);
		g_free(token);
	} else if(roll < 715) {
		slot_detach(s);
		slot_attach(s);
		g_atomic_int_inc(&reattaches);
	} else if(roll < 725) {
		char *id, *token;
		slot_identity(&slots[g_rand_int_range(rand, 0, nslots)], &id, &token);
		if(id)
			json_decref(admin(json_pack("{ssssss}", "request", "kick", "room", room, "id", id)));
		g_free(id);
		g_free(token);
	} else if(roll < 735) {
		/* now and then the configuration file cannot be written (499, nothing changes) */
		g_atomic_int_set(&stub_config_save_fails, roll % 3 == 0);
		json_decref(admin(json_pack("{sssssb}", "request", "destroy", "room", room, "permanent", roll % 5 == 0)));
	} else if(roll < 760) {
		json_decref(admin(json_pack("{sssssisbsisb}", "request", "create", "room", room, "reconnect_window",
		    g_rand_int_range(rand, 0, 4), "record", roll % 7 == 0, "bitrate", g_rand_int_range(rand, 0, 2) * 500000,
		    "permanent", roll % 11 == 0)));
	} else if(roll < 780) {
		message(s,
		    json_pack("{sssssssssi}", "request", "create", "room", room, "secret", "s", "pin", "", "reconnect_window",
		        g_rand_int_range(rand, 0, 3)),
		    NULL);
	} else if(roll < 795) {
		message(s,
		    json_pack("{sssssssssb}", "request", "edit", "room", room, "secret", "s", "new_description", "edited",
		        "new_is_private", g_rand_boolean(rand)),
		    NULL);
	} else if(roll < 805) {
		message(s,
		    json_pack("{ssssssss}", "request", "allowed", "room", room, "secret", "s", "action",
		        g_rand_boolean(rand) ? "enable" : "disable"),
		    NULL);
	} else if(roll < 840) {
		json_decref(admin(json_pack("{ssss}", "request", "listparticipants", "room", room)));
	} else if(roll < 845) {
		/* (whole-registry answers, built under the engine lock: rarer, like monitoring polls) */
		json_decref(admin(json_pack("{ss}", "request", (n & 1) ? "list" : "stats")));
	} else if(roll < 850) {
		message(s, json_pack("{ss}", "request", "list"), NULL);
	} else if(roll < 950) {
		stub_handle *h = slot_get(s);
		if(h) {
			json_decref(duet->query_session(&h->session));
			stub_handle_unref(h);
		}
	} else {
		static const char *junk[] = {"{}", "[]", "{\"request\":1}", "{\"request\":\"nope\"}",
		    "{\"request\":\"join\",\"room\":\"bad room\"}", "{\"request\":\"offer\"}",
		    "{\"request\":\"answer\",\"x\":null}", "{\"request\":\"message\",\"text\":5}"};
		message(s, json_loads(junk[roll % G_N_ELEMENTS(junk)], JSON_DECODE_ANY, NULL), NULL);
	}
	g_free(room);
	g_atomic_int_inc(&ops);
}

static gpointer signaling_thread(gpointer data) {
	GRand *rand = g_rand_new_with_seed(GPOINTER_TO_UINT(data));
	for(int n = 0; g_atomic_int_get(&running); n++)
		signaling_op(rand, n);
	g_rand_free(rand);
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Media: each thread is the loop of the slots i with i % nmedia == its index */

static void put16(guint8 *p, guint v) {
	p[0] = (guint8)(v >> 8);
	p[1] = (guint8)v;
}

static void media_op(GRand *rand, stub_handle *h) {
	int roll = g_rand_int_range(rand, 0, 1000);
	janus_plugin_session *ps = &h->session;
	if(roll < 600) {
		guint8 buf[1200] = {0x80, 96};
		guint16 len = (guint16)g_rand_int_range(rand, 12, sizeof(buf));
		janus_plugin_rtp rtp = {.mindex = -1, .video = roll & 1, .buffer = (char *)buf, .length = len};
		duet->incoming_rtp(ps, &rtp);
		g_atomic_int_inc(&packets_rtp);
	} else if(roll < 800) {
		guint8 buf[32] = {0};
		int kind = roll % 4, len = 12;
		if(kind == 0) { /* PLI */
			buf[0] = 0x81, buf[1] = 206, put16(buf + 2, 2);
		} else if(kind == 1) { /* FIR */
			buf[0] = 0x84, buf[1] = 206, put16(buf + 2, 4), len = 20;
		} else if(kind == 2) { /* REMB 500 kbps-ish */
			buf[0] = 0x8f, buf[1] = 206, put16(buf + 2, 5), len = 24;
			memcpy(buf + 12, "REMB", 4);
			buf[16] = 1, buf[17] = 0x1c, buf[18] = 0x3d, buf[19] = 0x09;
		} else { /* SR */
			buf[0] = 0x80, buf[1] = 200, put16(buf + 2, 6), len = 28;
		}
		janus_plugin_rtcp rtcp = {.mindex = -1, .video = kind != 3, .buffer = (char *)buf, .length = (guint16)len};
		duet->incoming_rtcp(ps, &rtcp);
		g_atomic_int_inc(&packets_rtcp);
	} else if(roll < 950) {
		char text[64];
		int len = g_snprintf(text, sizeof(text), "message %d", roll);
		janus_plugin_data data = {.label = "chat", .binary = roll & 1, .buffer = text, .length = (guint16)len};
		duet->incoming_data(ps, &data);
		g_atomic_int_inc(&packets_data);
	} else if(roll < 980) {
		stub_handle_negotiated(h);
		duet->setup_media(ps);
	} else if(roll < 995) {
		duet->data_ready(ps);
	} else if(roll < 998) {
		stub_handle_pc_closed(h);
	} else {
		/* a late hangup of an older PeerConnection, or a duplicate (pc.c) */
		stub_handle_hangup_again(h);
	}
}

typedef struct media_args {
	int index;
	guint32 seed;
} media_args;

static gpointer media_thread(gpointer data) {
	media_args *args = data;
	GRand *rand = g_rand_new_with_seed(args->seed);
	stub_loop *loop = loops[args->index];
	int owned = (nslots - args->index + nmedia - 1) / nmedia;
	while(g_atomic_int_get(&running)) {
		stub_loop_run(loop);
		g_usleep(500); /* leave the CPUs to signaling too: at most ~60k packets/s per thread */
		for(int burst = 0; burst < 32; burst++) {
			slot *s = &slots[args->index + nmedia * g_rand_int_range(rand, 0, owned)];
			stub_handle *h = slot_get(s);
			if(h == NULL)
				continue;
			if(stub_handle_alive(h))
				media_op(rand, h);
			stub_handle_unref(h);
		}
	}
	stub_loop_run(loop);
	g_rand_free(rand);
	return NULL;
}

/* Time runs 10 times faster: held seats (windows of 0-15 s) expire during the run. */
static gpointer clock_thread(gpointer data) {
	(void)data;
	while(g_atomic_int_get(&running)) {
		g_usleep(100000);
		stub_clock_advance(900000);
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* The end                                                                */

static int failures;

static void failure(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void failure(const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	fprintf(stderr, "stress: FAIL: ");
	vfprintf(stderr, fmt, args);
	fprintf(stderr, "\n");
	va_end(args);
	failures++;
}

static void run_loops(void) {
	for(int again = 1; again;) {
		again = 0;
		for(int i = 0; i < nmedia; i++)
			again += stub_loop_run(loops[i]);
	}
}

/* Until the worker has answered a request queued after every other one and
 * is back waiting for the next. */
static gint barrier_answered;
static guint64 barrier_pops;

static void on_barrier(stub_handle *h, const char *transaction, json_t *event, json_t *jsep, void *user) {
	if(h->user == NULL && transaction && strcmp(transaction, "barrier") == 0) {
		/* The worker is busy with the barrier: its next pop comes after. */
		__atomic_store_n(&barrier_pops, stub_queue_pops(), __ATOMIC_RELAXED);
		g_atomic_int_set(&barrier_answered, 1);
		return;
	}
	on_event(h, transaction, event, jsep, user);
}

static void wait_worker_idle(stub_handle *barrier) {
	g_atomic_int_set(&barrier_answered, 0);
	janus_plugin_result *result =
	    duet->handle_message(&barrier->session, g_strdup("barrier"), json_pack("{ss}", "request", "leave"), NULL);
	janus_plugin_result_destroy(result);
	gint64 until = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while(!g_atomic_int_get(&barrier_answered) && g_get_monotonic_time() < until) {
		run_loops(); /* an answer may wait in its line for a hangup_media (pc.c) */
		g_usleep(1000);
	}
	if(!g_atomic_int_get(&barrier_answered))
		failure("the worker did not answer within 30 s (deadlock?)");
	if(!stub_wait_queue_pops(__atomic_load_n(&barrier_pops, __ATOMIC_RELAXED), 30 * G_USEC_PER_SEC))
		failure("the worker did not go back to its queue");
}

static int final_checks(stub_handle *barrier, gboolean tolerate_handle_ref) {
	/* The configuration file can be written again (the rooms left are
	 * destroyed with "permanent"). */
	g_atomic_int_set(&stub_config_save_fails, 0);
	/* Every handle goes; held seats expire; created rooms are destroyed. */
	for(int i = 0; i < nslots; i++)
		slot_detach(&slots[i]);
	run_loops();
	wait_worker_idle(barrier);
	run_loops();
	stub_clock_advance((gint64)3601 * G_USEC_PER_SEC);
	/* The housekeeping tick (every 250 ms) expires the held seats. */
	gint64 until = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	for(gboolean seated = TRUE; seated && g_get_monotonic_time() < until;) {
		g_usleep(100000);
		run_loops();
		json_t *rooms = admin(json_pack("{ss}", "request", "list"));
		seated = FALSE;
		size_t r;
		json_t *room;
		json_array_foreach(json_object_get(rooms, "rooms"), r, room) seated =
		    seated || json_integer_value(json_object_get(room, "participants")) != 0;
		json_decref(rooms);
	}
	json_t *list = admin(json_pack("{ss}", "request", "list"));
	size_t i;
	json_t *room;
	int left = 0;
	json_array_foreach(json_object_get(list, "rooms"), i, room) {
		if(json_integer_value(json_object_get(room, "participants")) != 0)
			failure("room %s still has %d participants after every handle went and every seat expired",
			    json_string_value(json_object_get(room, "room")),
			    (int)json_integer_value(json_object_get(room, "participants")));
		json_t *answer =
		    admin(json_pack("{sssOsb}", "request", "destroy", "room", json_object_get(room, "room"), "permanent", 1));
		if(json_object_get(answer, "error_code"))
			failure("destroying room %s failed", json_string_value(json_object_get(room, "room")));
		json_decref(answer);
		left++;
	}
	json_decref(list);
	run_loops();
	list = admin(json_pack("{ss}", "request", "list"));
	if(json_array_size(json_object_get(list, "rooms")) != 0)
		failure("%d rooms are left after destroying them all", (int)json_array_size(json_object_get(list, "rooms")));
	json_decref(list);
	json_t *stats = admin(json_pack("{ss}", "request", "stats"));
	json_t *totals = json_object_get(stats, "totals");
	if(json_integer_value(json_object_get(totals, "rooms")) ||
	    json_integer_value(json_object_get(totals, "participants")))
		failure("stats still count rooms or participants");
	json_decref(stats);
	/* Every plugin session freed but the barrier's: its mutexes cleared (and,
	 * with refcount debugging, its reference count at zero). */
	wait_worker_idle(barrier);
	int sessions = stub_sessions_alive(NULL) - stub_sessions_alive(barrier);
	if(sessions)
		failure("%d plugin sessions were never freed", sessions);
#ifndef UNDER_TSAN
	int counted = stub_ledger_alive("duet_create_session");
	if(counted != 1) {
		stub_ledger_dump();
		failure("%d plugin sessions are still referenced", counted - 1);
	}
	if(stub_ledger_alive("janus_sdp_parse") || stub_ledger_alive("janus_recorder_create"))
		failure("SDP or recorder objects were not released");
#endif
	int unreleased = stub_handles_unreleased(tolerate_handle_ref);
	if(unreleased && !tolerate_handle_ref)
		failure("the plugin never released its reference to %d of %d detached janus_plugin_sessions (each one "
		        "leaks a handle in the core)",
		    unreleased, C(handles_destroyed));
	printf("final: %d rooms destroyed at the end, %d plugin sessions left, %d janus_plugin_sessions unreleased%s\n",
	    left, sessions, unreleased, unreleased && tolerate_handle_ref ? " (released by the stub)" : "");
	return failures;
}

/* The core does not wait for its session threads before it calls the
 * plugin's destroy(): handles are still being detached while the plugin
 * stops, and after it stopped. Seat SHUTDOWN_HANDLES handles in rooms of
 * their own (with a reconnect window, so that a detach holds the seat), then
 * detach them one by one, spread over about half a second (longer than a
 * housekeeping tick, which destroy() waits for), while the main thread stops
 * the plugin. This runs destroy_session before, during and after destroy();
 * a detach caught inside the engine at the moment destroy() frees it (the
 * crash seen on the real Janus with 10,000 held seats) is only hit by
 * chance here, so the run is a smoke test of that path, not a reproducer. */
#define SHUTDOWN_HANDLES 400

typedef struct shutdown_args {
	stub_loop *loop;
	stub_handle **handles;
} shutdown_args;

static gpointer detach_slowly(gpointer data) {
	shutdown_args *args = data;
	for(int i = 0; i < SHUTDOWN_HANDLES; i++) {
		stub_handle_destroy(args->handles[i]);
		stub_loop_run(args->loop);
		g_usleep(1000);
	}
	return NULL;
}

static void on_shutdown_event(stub_handle *h, const char *transaction, json_t *event, json_t *jsep, void *user) {
	(void)h, (void)transaction, (void)event, (void)jsep, (void)user;
}

static void shutdown_race(void) {
	stub_set_hooks(on_shutdown_event, NULL, on_violation, NULL);
	stub_loop *loop = stub_loop_new();
	stub_handle *handles[SHUTDOWN_HANDLES];
	for(int i = 0; i < SHUTDOWN_HANDLES; i++) {
		handles[i] = stub_handle_new(loop);
		char *room = g_strdup_printf("shutdown-%d", i);
		janus_plugin_result_destroy(duet->handle_message(
		    &handles[i]->session, g_strdup("shutdown"), json_pack("{ssss}", "request", "join", "room", room), NULL));
		g_free(room);
	}
	g_usleep(200 * 1000); /* the worker seats most of them */
	shutdown_args args = {loop, handles};
	GThread *detacher = g_thread_new("detach", detach_slowly, &args);
	g_usleep(50 * 1000);
	stub_stop();
	g_thread_join(detacher);
	for(int i = 0; i < SHUTDOWN_HANDLES; i++)
		stub_handle_unref(handles[i]);
	stub_loop_free(loop);
	printf("shutdown: %d handles detached while the plugin was stopping\n", SHUTDOWN_HANDLES);
}

int main(int argc, char **argv) {
	if(argc > 1)
		seconds = atoi(argv[1]);
	if(argc > 2)
		nrooms = atoi(argv[2]);
	if(argc > 3)
		nsignal = atoi(argv[3]);
	if(argc > 4)
		nmedia = atoi(argv[4]);
	if(seconds < 1 || nrooms < 1 || nsignal < 1 || nmedia < 1) {
		fprintf(stderr, "usage: %s [seconds=10] [rooms=200] [signaling threads=4] [media threads=4]\n", argv[0]);
		return 2;
	}
	g_setenv("G_SLICE", "always-malloc", TRUE);
	refusals = g_getenv("STRESS_REFUSALS") ? atoi(g_getenv("STRESS_REFUSALS")) : 0;
	sent_at = g_new0(gint64, LATENCY_SLOTS);
	setvbuf(stdout, NULL, _IOLBF, 0); /* a sanitizer report ends the process without flushing */
	char **tolerated = g_strsplit(g_getenv("STRESS_TOLERATE") ? g_getenv("STRESS_TOLERATE") : "", ",", -1);
	gboolean tolerate_handle_ref = g_strv_contains((const char *const *)tolerated, "handle-ref");
	tolerate_late_message = g_strv_contains((const char *const *)tolerated, "late-message");
	g_strfreev(tolerated);
	static const char *general[] = {"max_rooms", "0", "reconnect_window", "15", NULL, NULL};
	stub_options options = {
	    .manual_clock = FALSE,
	    .events_enabled = TRUE,
#ifndef UNDER_TSAN
	    .refcount_ledger = TRUE, /* its debug macros read counts racily: not under TSan */
#endif
	    .fake_recorders = TRUE,
	    .general = general,
	};
	stub_set_hooks(on_barrier, NULL, on_violation, NULL);
	duet = stub_start(&options);
	nslots = 2 * nrooms + nrooms / 4;
	slots = g_new0(slot, nslots);
	loops = g_new0(stub_loop *, nmedia);
	for(int i = 0; i < nmedia; i++)
		loops[i] = stub_loop_new();
	for(int i = 0; i < nslots; i++) {
		slots[i].index = i;
		g_mutex_init(&slots[i].lock);
		pthread_rwlock_init(&slots[i].use, NULL);
		slots[i].loop = loops[i % nmedia];
		slot_attach(&slots[i]);
	}
	stub_loop *barrier_loop = stub_loop_new();
	stub_handle *barrier = stub_handle_new(barrier_loop);
	printf("stress: %d s, %d rooms, %d handles, %d signaling + %d media threads (%s)\n", seconds, nrooms, nslots,
	    nsignal, nmedia,
#ifdef UNDER_TSAN
	    "ThreadSanitizer"
#else
	    "AddressSanitizer + UBSan"
#endif
	);
	fflush(stdout);
	GPtrArray *threads = g_ptr_array_new();
	media_args *margs = g_new0(media_args, nmedia);
	gint64 start = g_get_monotonic_time();
	for(int i = 0; i < nsignal; i++)
		g_ptr_array_add(threads, g_thread_new("signaling", signaling_thread, GUINT_TO_POINTER(1000 + i)));
	for(int i = 0; i < nmedia; i++) {
		margs[i] = (media_args){i, 2000 + (guint32)i};
		g_ptr_array_add(threads, g_thread_new("media", media_thread, &margs[i]));
	}
	g_ptr_array_add(threads, g_thread_new("clock", clock_thread, NULL));
	g_usleep((gulong)seconds * G_USEC_PER_SEC);
	g_atomic_int_set(&running, 0);
	for(guint i = 0; i < threads->len; i++)
		g_thread_join(threads->pdata[i]);
	double elapsed = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	g_ptr_array_free(threads, TRUE);
	g_free(margs);

	printf("ops: %d requests in %.1f s (%.0f/s, %d async), %d detach+attach; packets pushed: %d RTP, %d RTCP, %d data "
	       "(%.0f/s)\n",
	    g_atomic_int_get(&ops), elapsed, g_atomic_int_get(&ops) / elapsed, g_atomic_int_get(&ops_async),
	    g_atomic_int_get(&reattaches), g_atomic_int_get(&packets_rtp), g_atomic_int_get(&packets_rtcp),
	    g_atomic_int_get(&packets_data),
	    (g_atomic_int_get(&packets_rtp) + g_atomic_int_get(&packets_rtcp) + g_atomic_int_get(&packets_data)) / elapsed);
	printf("plugin: %d events pushed (%d with a JSEP, %d refused), %d notifications (%d dropped: handle gone), relayed "
	       "%d RTP, %d RTCP, %d data, %d PLI, %d REMB, %d close_pc, %d hangup_media, %d recorders (%d frames)\n",
	    C(push_events), C(push_jseps), C(push_refused), C(notifications), C(notifications_dropped), C(relayed_rtp),
	    C(relayed_rtcp), C(relayed_data), C(plis), C(rembs), C(close_pcs), C(hangups), C(recorders_created),
	    C(recorder_frames));
	printf("answers (%d JANUS_PLUGIN_ERROR: messages that reached a detached handle):", g_atomic_int_get(&api_errors));
	for(int code = 450; code < 500; code++) {
		if(g_atomic_int_get(&answers[code]))
			printf(" %d x%d", code, g_atomic_int_get(&answers[code]));
	}
	printf("\n");
	printf("async answers waited: <1 ms %d, <10 ms %d, <100 ms %d, <1 s %d, <3 s %d, more %d; longest %.3f s\n",
	    g_atomic_int_get(&latency_hist[0]), g_atomic_int_get(&latency_hist[1]), g_atomic_int_get(&latency_hist[2]),
	    g_atomic_int_get(&latency_hist[3]), g_atomic_int_get(&latency_hist[4]), g_atomic_int_get(&latency_hist[5]),
	    (double)__atomic_load_n(&latency_max, __ATOMIC_RELAXED) / G_USEC_PER_SEC);
	if(g_atomic_int_get(&errors_seen))
		failure("%d requests answered 499", g_atomic_int_get(&errors_seen));

	int failed = final_checks(barrier, tolerate_handle_ref);
	stub_handle_destroy(barrier);
	stub_loop_run(barrier_loop);
	stub_handle_unref(barrier);
	shutdown_race();
	if(tolerate_handle_ref) /* the plugin is gone: nothing can use the handles any more */
		stub_handles_unreleased(TRUE);
	for(int i = 0; i < nslots; i++) {
		g_free(slots[i].id);
		g_free(slots[i].token);
		g_mutex_clear(&slots[i].lock);
		pthread_rwlock_destroy(&slots[i].use);
	}
	for(int i = 0; i < nmedia; i++)
		stub_loop_free(loops[i]);
	stub_loop_free(barrier_loop);
	g_free(loops);
	g_free(slots);
	g_free(sent_at);
	printf("stress: %s (%d handles created, %d destroyed, %d freed)\n", failed ? "FAILED" : "passed",
	    C(handles_created), C(handles_destroyed), C(handles_freed));
	return failed ? 1 : 0;
}
