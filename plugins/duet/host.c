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

static int host_push(duet_member *member, const char *transaction, json_t *event, json_t *jsep) {
	duet_session *session = duet_session_of(member);
	if(gone(session))
		return JANUS_ERROR_HANDLE_NOT_FOUND;
	return duet_gateway->push_event(session->handle, &duet_plugin, transaction, event, jsep);
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
	gint64 give_up = janus_get_monotonic_time() + JSEP_RETRY_FOR_US;
	int res;
	while((res = host_push(member, NULL, event, jsep)) != 0 && !gone(duet_session_of(member)) &&
	      janus_get_monotonic_time() < give_up)
		g_usleep(JSEP_RETRY_US);
	return res;
}

static void host_close_media(duet_member *member) {
	duet_session *session = duet_session_of(member);
	duet_recording_close(session);
	if(!gone(session))
		duet_gateway->close_pc(session->handle);
}

/* close_pc only schedules the close on the core's watchdog loop; an offer
 * pushed before it runs lands on the old ICE agent and is then torn down
 * with it. Wait for the hangup callback, which the core makes after it has
 * marked the handle as cleaning (a later push then waits for the cleanup). */
#define RESET_WAIT_US (2 * G_USEC_PER_SEC)

static void host_reset_media(duet_member *member) {
	duet_session *session = duet_session_of(member);
	if(gone(session))
		return;
	g_atomic_int_set(&session->resetting, 1);
	duet_gateway->close_pc(session->handle);
	gint64 deadline = janus_get_monotonic_time() + RESET_WAIT_US;
	while(g_atomic_int_get(&session->resetting) && janus_get_monotonic_time() < deadline)
		g_usleep(5000);
	g_atomic_int_set(&session->resetting, 0);
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

static void host_negotiated(duet_member *a, duet_member *b, const char *answer_sdp) {
	duet_recording_negotiated(duet_session_of(a), answer_sdp);
	duet_recording_negotiated(duet_session_of(b), answer_sdp);
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
    .events_enabled = host_events_enabled,
    .sdp_valid = host_sdp_valid,
    .now = janus_get_monotonic_time,
};
