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

/* A handle being destroyed, or the plugin shutting down: what is still in
 * a line (pc.c) is dropped rather than pushed into a core that is going. */
static gboolean gone(duet_session *session) {
	return g_atomic_int_get(&session->destroyed) || g_atomic_int_get(&session->handle->stopped) ||
	       duet_plugin_stopping();
}

static int push_now(duet_session *session, const char *transaction, json_t *event, json_t *jsep) {
	if(gone(session))
		return JANUS_ERROR_HANDLE_NOT_FOUND;
	return duet_gateway->push_event(session->handle, &duet_plugin, transaction, event, jsep);
}

/* Nothing here waits: a close only asks the core (it runs the close on its
 * watchdog loop, then makes the hangup callback), and whatever must wait
 * for that callback waits in the participant's line (pc.c), not here. */

static int host_push(duet_member *member, const char *transaction, json_t *event, json_t *jsep) {
	return push_now(duet_session_of(member), transaction, event, jsep);
}

static int host_push_jsep(duet_member *member, json_t *event, json_t *jsep) {
	return push_now(duet_session_of(member), NULL, event, jsep);
}

/* The call's media ends here: its recordings end with it, at once, rather
 * than when the core gets round to the hangup callback. */
static void host_close_media(duet_member *member, gboolean expect_hangup) {
	(void)expect_hangup;
	duet_session *session = duet_session_of(member);
	duet_recording_close(session);
	if(!gone(session))
		duet_gateway->close_pc(session->handle);
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
    .schedule = duet_plugin_schedule,
    .wake = duet_plugin_wake,
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
