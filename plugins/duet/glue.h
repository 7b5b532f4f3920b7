/*
 * glue.h - what the Janus-facing files (plugin.c, host.c, media.c,
 * config.c) share: the per-handle session and the core's callbacks.
 *
 * A session is what Janus's handle->plugin_handle points to. It embeds the
 * member the engine and the media path work with, and it is refcounted:
 * the core's handle holds one reference, and so does every queued message
 * or outbox action that names it.
 */
#ifndef DUET_GLUE_H
#define DUET_GLUE_H

#include <plugins/plugin.h>
#include <record.h>

#include "engine.h"
#include "member.h"
#include "janus_compat.h"
#include "simulcast.h"

#define DUET_PACKAGE "janus.plugin.duet"
#define DUET_NAME "JANUS Duet plugin"
#define DUET_VERSION 1
#define DUET_VERSION_STRING "0.1.0"

/* Recorders of one participant; guarded by member.link_lock, which the
 * media path already holds when it saves a packet. */
typedef struct duet_recording {
	janus_recorder *files[DUET_KINDS];
	gboolean wanted;
	char *dir;
	char *name;
	const char *codec[2]; /* audio, video: from the last answer */
	char *fmtp[2]; /* their fmtp lines (profiles), or NULL */
	int opusred_pt; /* Opus RED's payload type, 0 = none */
	gboolean e2ee; /* the call's media is end-to-end encrypted (insertable streams) */
	gboolean has_data;
	guint calls; /* calls recorded so far: later ones get timestamped names */
} duet_recording;

typedef struct duet_session {
	janus_plugin_session *handle;
	duet_member member;
	duet_recording recording;
	duet_simulcast sim; /* this participant's layers, when it simulcasts */
	int told_substream, told_temporal; /* the layer it was last told it receives (housekeeping only) */
	gint destroyed;
	janus_refcount ref;
} duet_session;

extern janus_callbacks *duet_gateway;
extern janus_plugin duet_plugin;

static inline duet_session *duet_session_of(duet_member *member) {
	return (duet_session *)((char *)member - offsetof(duet_session, member));
}

/* host.c: the engine's way out to the core. */
extern const duet_host duet_janus_host;

/* plugin.c: asks the worker to deliver a member's line (it holds a JSEP). */
void duet_plugin_schedule(duet_member *member);
/* housekeeping.c: a line deadline appeared: the timer wakes if it is
 * earlier than its next wake. */
void duet_plugin_wake(gint64 deadline);
/* The simulcast layer relayed to someone changed: the timer tells them. */
void duet_plugin_layer_changed(void);

/* housekeeping.c: the timer thread (deadlines, rate samples, layer events). */
gboolean duet_housekeeping_start(duet_engine *engine, GError **error);
void duet_housekeeping_stop(void);
/* plugin.c: every live session, under the table's lock. */
void duet_sessions_foreach(void (*fn)(duet_session *session, void *data), void *data);
/* destroy() has begun. */
gboolean duet_plugin_stopping(void);

/* media.c: the per-packet path, called from each handle's loop thread. */
void duet_media_rtp(duet_session *session, janus_plugin_rtp *packet);
void duet_media_rtcp(duet_session *session, janus_plugin_rtcp *packet);
void duet_media_data(duet_session *session, janus_plugin_data *packet);
void duet_media_up(duet_session *session);
void duet_media_apply_bitrate(duet_session *session);
/* Asks the sender for a keyframe; unless always, at most every 500 ms. */
void duet_media_keyframe(duet_session *sender, gboolean always);

/* adapt.c: a receiver's RTCP in an adaptive room steers its sender (the
 * caller holds the receiver's link_lock and it has a peer); TRUE when the
 * packet's REMB, if any, was taken into account. */
gboolean duet_adapt_feedback(duet_session *receiver, janus_plugin_rtcp *packet, guint32 remb);

/* recording.c: .mjr files of a participant's media. */
void duet_recording_set(duet_session *session, json_t *how);
void duet_recording_negotiated(duet_session *session, const char *answer_sdp, gboolean e2ee);
void duet_recording_close(duet_session *session);
/* Closes and frees everything (the session is being freed). */
void duet_recording_free(duet_session *session);

/* config.c: the janus.plugin.duet.jcfg file. */
gboolean duet_config_load(const char *folder, duet_settings *settings);
/* Adds the file's room-<id> sections to the engine. */
void duet_config_add_rooms(duet_engine *engine);
void duet_config_unload(void);
extern duet_store duet_config_store;

/* store_redis.c: the shared room store (general.redis_url). open: FALSE
 * when the URL is invalid (an unreachable Redis is tried again later). */
gboolean duet_redis_open(const char *redis_url);
void duet_redis_fill_store(duet_store *store);
void duet_redis_close(void);

#endif
