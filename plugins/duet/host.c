/*
 * host.c - the engine's duet_host, backed by the Janus core.
 */
#include <apierror.h>
#include <sdp-utils.h>
#include <utils.h>

#include "glue.h"

static void host_ref(duet_member *member) {
	janus_refcount_increase(&duet_session_of(member)->ref);
}

static void host_unref(duet_member *member) {
	janus_refcount_decrease(&duet_session_of(member)->ref);
}

static gboolean gone(duet_session *session) {
	return g_atomic_int_get(&session->destroyed) || g_atomic_int_get(&session->handle->stopped);
}

static int push_now(duet_session *session, const char *transaction, json_t *event, json_t *jsep) {
	if(gone(session))
		return JANUS_ERROR_HANDLE_NOT_FOUND;
	return duet_gateway->push_event(session->handle, &duet_plugin, transaction, event, jsep);
}

/* ---------------------------------------------------------------------- */
/* Holding events back while a close is pending                           */

/* close_pc only schedules the close: the core runs it on its watchdog loop
 * at the next whole second. Whoever is told that a call ended may offer
 * again at once (the contract says so), and an offer the core applies
 * before the close runs is torn down with the old PeerConnection. So from
 * the moment the plugin asks the core to close a PeerConnection it knows
 * of, until the core's hangup callback (HOLD_US at most), events and
 * answers to that participant are held back; they go out afterwards, in
 * order. A JSEP for it waits for the close (only an immediate new offer
 * meets that wait); nothing else blocks. */
#define HOLD_US (2 * G_USEC_PER_SEC)

typedef struct held_event {
	char *transaction;
	json_t *event;
} held_event;

static void held_event_free(gpointer data) {
	held_event *held = data;
	g_free(held->transaction);
	json_decref(held->event);
	g_free(held);
}

static void hold_begin(duet_session *session) {
	janus_mutex_lock(&session->hold_lock);
	session->holding = TRUE;
	session->hold_until = janus_get_monotonic_time() + HOLD_US;
	janus_mutex_unlock(&session->hold_lock);
}

/* Queues the event if the session is holding; FALSE if it is not. */
static gboolean hold_event(duet_session *session, const char *transaction, json_t *event) {
	janus_mutex_lock(&session->hold_lock);
	gboolean holding = session->holding;
	if(holding) {
		held_event *held = g_new(held_event, 1);
		held->transaction = g_strdup(transaction);
		/* A copy: the caller's object may be freed on its own thread (jansson's
		 * decref reads the count without an atomic, which is a data race). */
		held->event = json_deep_copy(event);
		g_queue_push_tail(&session->held, held);
	}
	janus_mutex_unlock(&session->hold_lock);
	return holding;
}

void duet_host_release(duet_session *session, gboolean timed_out_only) {
	janus_mutex_lock(&session->hold_lock);
	if(session->holding && (!timed_out_only || janus_get_monotonic_time() >= session->hold_until)) {
		session->holding = FALSE;
		/* Pushed under the lock, so that a concurrent push comes after them. */
		held_event *held;
		while((held = g_queue_pop_head(&session->held)) != NULL) {
			push_now(session, held->transaction, held->event, NULL);
			held_event_free(held);
		}
	}
	janus_mutex_unlock(&session->hold_lock);
}

void duet_host_clear(duet_session *session) {
	janus_mutex_lock(&session->hold_lock);
	session->holding = FALSE;
	g_queue_clear_full(&session->held, held_event_free);
	janus_mutex_unlock(&session->hold_lock);
}

/* Returns once the pending close is done and the held events are out. */
static void wait_release(duet_session *session) {
	for(;;) {
		janus_mutex_lock(&session->hold_lock);
		gboolean holding = session->holding;
		gint64 until = session->hold_until;
		janus_mutex_unlock(&session->hold_lock);
		if(!holding || gone(session))
			return;
		if(janus_get_monotonic_time() >= until) {
			duet_host_release(session, TRUE);
			return;
		}
		g_usleep(5000);
	}
}

/* ---------------------------------------------------------------------- */

static int host_push(duet_member *member, const char *transaction, json_t *event, json_t *jsep) {
	duet_session *session = duet_session_of(member);
	if(jsep == NULL && hold_event(session, transaction, event))
		return 0;
	return push_now(session, transaction, event, jsep);
}

/* The call's media ends here: its recordings end with it, at once, rather
 * than when the core gets round to the hangup callback. */
/* After a PeerConnection closes, the core clears its "cleaning" flag before
 * its ICE agent is really gone (libnice closes it asynchronously); an offer
 * pushed in between fails with "No WebRTC PeerConnection" and changes
 * nothing. So a JSEP push that fails is tried again for a short while. */
#define JSEP_RETRY_US (50 * 1000)
#define JSEP_RETRY_FOR_US (3 * G_USEC_PER_SEC)

static int host_push_jsep(duet_member *member, json_t *event, json_t *jsep) {
	duet_session *session = duet_session_of(member);
	wait_release(session);
	gint64 give_up = janus_get_monotonic_time() + JSEP_RETRY_FOR_US;
	int res;
	while((res = push_now(session, NULL, event, jsep)) != 0 && !gone(session) && janus_get_monotonic_time() < give_up)
		g_usleep(JSEP_RETRY_US);
	return res;
}

static void host_close_media(duet_member *member, gboolean expect_hangup) {
	duet_session *session = duet_session_of(member);
	duet_recording_close(session);
	if(gone(session))
		return;
	if(expect_hangup)
		hold_begin(session);
	duet_gateway->close_pc(session->handle);
}

/* Waits for the hangup callback, which the core makes after it has marked
 * the handle as cleaning (a later push then waits for the cleanup). */
static void host_reset_media(duet_member *member) {
	host_close_media(member, TRUE);
	wait_release(duet_session_of(member));
}

static void host_apply_bitrate(duet_member *member) {
	duet_session *session = duet_session_of(member);
	if(!gone(session))
		duet_media_apply_bitrate(session);
}

static void host_notify(duet_member *member, json_t *info) {
	/* The core drops notifications about a handle it is detaching: the
	 * ones a detach causes go out without a handle (they name room and id). */
	duet_session *session = member ? duet_session_of(member) : NULL;
	janus_plugin_session *handle = session && !gone(session) ? session->handle : NULL;
	/* The core takes its own reference away with it. */
	duet_gateway->notify_event(&duet_plugin, handle, json_incref(info));
}

static void host_record(duet_member *member, json_t *how) {
	duet_recording_set(duet_session_of(member), how);
}

static void host_negotiated(duet_member *a, duet_member *b, const char *answer_sdp, gboolean e2ee) {
	duet_recording_negotiated(duet_session_of(a), answer_sdp, e2ee);
	duet_recording_negotiated(duet_session_of(b), answer_sdp, e2ee);
}

static void host_layers(duet_member *offerer, json_t *simulcast, const char *answer_sdp) {
	duet_simulcast_setup(duet_session_of(offerer), simulcast, answer_sdp);
}

static void host_keyframe(duet_member *member) {
	duet_session *session = duet_session_of(member);
	if(!gone(session))
		duet_media_keyframe(session, TRUE);
}

static gboolean host_events_enabled(void) {
	return duet_gateway->events_is_enabled();
}

static gboolean host_sdp_valid(const char *sdp, char *error, size_t error_len) {
	janus_sdp *parsed = janus_sdp_parse(sdp, error, error_len);
	if(parsed == NULL)
		return FALSE;
	janus_sdp_destroy(parsed);
	return TRUE;
}

const duet_host duet_janus_host = {
    .ref = host_ref,
    .unref = host_unref,
    .push = host_push,
    .push_jsep = host_push_jsep,
    .close_media = host_close_media,
    .reset_media = host_reset_media,
    .apply_bitrate = host_apply_bitrate,
    .notify = host_notify,
    .record = host_record,
    .negotiated = host_negotiated,
    .layers = host_layers,
    .keyframe = host_keyframe,
    .events_enabled = host_events_enabled,
    .sdp_valid = host_sdp_valid,
    .now = janus_get_monotonic_time,
};
