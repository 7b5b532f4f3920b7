/*
 * core.h - the media benchmark's own minimal Janus core.
 *
 * The benchmark dlopen()s a built plugin (.so) the way Janus does, so the
 * executable must define every core symbol the plugin resolves at load time
 * (core.c: log globals, refcount/lock debug flags, janus_config_*,
 * janus_sdp_*, janus_rtcp_*, janus_recorder_*, ...; core_videocall.c: the
 * extra ones Janus's VideoCall plugin needs) and hand the plugin a
 * janus_callbacks table. It is built -O2 without sanitizers and interposes
 * nothing of glib: only malloc & co (alloc.c), and only to count them.
 *
 * What the callbacks do: push_event counts replies (events that carry a
 * transaction) so that the driver can wait for its async requests; the
 * media callbacks (relay_rtp, relay_rtcp, relay_data, send_pli, send_remb)
 * look at the target handle as the core does first (is it stopped, is its
 * PeerConnection there: one cache line of the target), then only count,
 * into counters of the calling thread, and in verify mode also into the
 * target handle. Nothing is copied from Janus.
 */
#ifndef DUET_BENCH_CORE_H
#define DUET_BENCH_CORE_H

#include <glib.h>
#include <jansson.h>
#include <plugins/plugin.h>

/* One core handle: the plugin only ever sees &handle->session. */
typedef struct bench_handle {
	janus_plugin_session session; /* first: (bench_handle *)plugin_session */
	int index;
	gint closed; /* stands for the core's PeerConnection state, which relay_* look at */
	/* What was relayed to this handle; only counted in verify mode. */
	guint64 rtp_in, rtcp_in, plis, rembs;
} bench_handle;

/* What the media callbacks did on the calling thread. */
typedef struct bench_counts {
	guint64 rtp, rtcp, data, plis, rembs;
} bench_counts;

extern __thread bench_counts bench_thread_counts;
/* Also count per target handle (the correctness pass, not the timed runs). */
extern gboolean bench_verify;

/* The core's callbacks, for the floor loop that calls them directly. */
extern janus_callbacks bench_callbacks;

/* dlopen()s the plugin and runs its create() and init(); exits on failure. */
janus_plugin *bench_load(const char *path);
/* The plugin's destroy(), then dlclose(). */
void bench_unload(void);

/* attach: a new handle with its plugin session. */
bench_handle *bench_attach(void);

/* handle_message with a request (and a JSEP, or NULL); both references are
 * taken. Returns how many async replies this request will push (0 or 1);
 * a synchronous error exits. */
int bench_send(bench_handle *handle, json_t *body, json_t *jsep);
/* Waits until `total` replies were pushed since the start; FALSE on timeout. */
gboolean bench_wait_replies(int total, gint64 timeout_us);
/* Replies and events pushed with an error_code so far, and the first one. */
int bench_errors(const char **first);

#endif
