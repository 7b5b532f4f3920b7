/*
 * simulcast.h - relaying one layer of a simulcasting sender (Janus glue).
 *
 * A sender that offered simulcast sends up to three encodings of its
 * video. Its peer is offered a single stream and gets exactly one of them
 * at a time, rewritten (SSRC, sequence numbers, timestamps, VP8 picture
 * ids) by the core's helpers so that it sees one continuous stream; the
 * layer is the one the peer's estimate and its `configure` allow
 * (layers.c). State of the direction sender -> peer, in the sender's
 * session, guarded by the sender's link_lock like the rest of its relay.
 */
#ifndef DUET_SIMULCAST_H
#define DUET_SIMULCAST_H

#include <plugins/plugin.h>
#include <rtp.h>
#include <utils.h>

#include "layers.h"

typedef struct duet_simulcast {
	uint32_t ssrcs[DUET_LAYERS];
	char *rids[DUET_LAYERS];
	janus_mutex rid_mutex;
	janus_videocodec vcodec;
	janus_rtp_simulcasting_context context;
	janus_rtp_switching_context switching;
	janus_vp8_simulcast_context vp8;
	int target; /* the substream asked of the context now */
	/* Per-layer bytes and frames (written by the sender's RTP path only)
	 * and the rates the housekeeping tick samples from them (atomics). */
	guint64 bytes[DUET_LAYERS];
	guint64 frames[DUET_LAYERS];
	guint64 last_bytes[DUET_LAYERS];
	guint64 last_frames[DUET_LAYERS];
	gint64 last_sample;
	gint rates[DUET_LAYERS];
	gint fps[DUET_LAYERS];
} duet_simulcast;

struct duet_session;

void duet_simulcast_init(duet_simulcast *sim);
void duet_simulcast_clear(duet_simulcast *sim);
/* The sender's offer was answered: simulcast is the core's description
 * of its layers (the offer's "simulcast"), NULL when it sends one stream
 * (or its PeerConnection closed). */
void duet_simulcast_setup(struct duet_session *sender, json_t *simulcast, const char *answer_sdp);
/* Relays a video packet of a simulcasting sender to `to` (the caller
 * holds the sender's link_lock). */
void duet_simulcast_relay(struct duet_session *sender, janus_plugin_rtp *packet, janus_plugin_session *to);
/* Samples the layers' rates (housekeeping tick, about once a second). */
void duet_simulcast_sample(duet_simulcast *sim, gint64 now);
/* The layers' rates now; FALSE when the sender does not simulcast. */
gboolean duet_simulcast_rates(duet_simulcast *sim, duet_layer_rates *rates);

#endif
