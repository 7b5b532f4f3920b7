/*
 * member.h - one handle as the engine and the media path see it.
 *
 * A member is embedded in the plugin's per-handle session. It has three
 * parts with three different owners:
 *  - signaling state (seat, PeerConnection bookkeeping): read and written
 *    only under the engine lock;
 *  - media settings and counters: written by one side, read by the other
 *    with relaxed atomics, so that the media path never takes a lock for
 *    them;
 *  - the link to the peer: the only thing the media path locks, and only
 *    its own member's link_lock, never a global one.
 * It knows nothing of Janus: `handle` is opaque here.
 */
#ifndef DUET_MEMBER_H
#define DUET_MEMBER_H

#include <glib.h>
#include <jansson.h>

#include "delivery.h"
#include "estimate.h"
#include "layers.h"
#include "loss.h"
#include "pc.h"

struct duet_seat;

typedef enum duet_kind {
	DUET_AUDIO = 0,
	DUET_VIDEO = 1,
	DUET_DATA = 2,
	DUET_KINDS = 3,
} duet_kind;

typedef struct duet_counter {
	guint64 packets;
	guint64 bytes;
} duet_counter;

typedef struct duet_member {
	void *handle; /* the host's handle (janus_plugin_session) */

	/* Signaling state, under the engine lock. */
	struct duet_seat *seat;
	gboolean gone; /* the handle was destroyed: no request may seat it again */

	/* Settings: written under the engine lock, read by the media path. */
	gint relay[DUET_KINDS]; /* relay this member's outgoing media of that kind */
	/* Its video comes as simulcast layers (simulcast.c). Beside relay[],
	 * which every RTP packet reads: with thousands of rooms a flag in
	 * another cache line would cost a miss per packet. */
	gint simulcasting;
	gint bitrate; /* REMB cap asked by the member, bits/s, 0 = none */
	gint room_bitrate; /* the room's cap, bits/s, 0 = none */
	gint recording;
	gint adaptive; /* the room's network adaptation (docs/adaptation.md) */
	gint want_substream; /* the highest simulcast layers this member wants to receive */
	gint want_temporal;

	/* Media state, atomics. */
	gint webrtc_up;
	gint offers_queued; /* offers the core already applied that wait for the worker */
	gint data_ready;

	/* Counters of what was relayed to the peer; written by this member's media thread only. */
	duet_counter sent[DUET_KINDS];
	gint64 rate_bits; /* bits/s received lately, sampled by the housekeeping tick */
	guint64 rate_last_bytes;
	gint64 rate_last_time;

	/* The peer the media path relays to, guarded by link_lock. peer_handle
	 * is peer->handle, kept here so that an RTP packet reads only its
	 * sender's member: with thousands of rooms the peer's member is rarely
	 * in cache, and the lock's barrier keeps misses from overlapping. */
	GMutex link_lock;
	struct duet_member *peer;
	void *peer_handle;

	/* Network adaptation of this member's downlink, after the fields every
	 * packet reads; under link_lock (its RTCP path holds it): the
	 * estimate, and the layer of the peer's simulcast it should get.
	 * estimate and the rx_ fields are read elsewhere with atomics. */
	duet_loss_meter loss;
	duet_delivery delivery;
	duet_estimator estimator;
	duet_layers layers;
	gint estimate; /* bits/s, 0 = unknown */
	gint delivered; /* bits/s its leg delivered lately (transport-wide feedback); 0 = unknown */
	gint rx_substream; /* the peer's layer relayed to this member now, -1 = the peer does not simulcast */
	gint rx_temporal;
	gint layer_target; /* the layer the estimate allows this member, -1 = no choice made */
	guint32 receiver_remb; /* the member's own REMB, when its browser sends one; 0 = none */
	gint64 last_keyframe_request; /* when a keyframe was last asked of this member (as a sender) */

	/* The PeerConnection and the line of what the handle is told (pc.h). */
	duet_pc pc;
} duet_member;

void duet_member_init(duet_member *member, void *handle);
void duet_member_clear(duet_member *member);
/* Restores the default settings (everything relayed, no cap): at handle
 * creation and whenever the member leaves its seat. */
void duet_member_reset_settings(duet_member *member);

/* Links two members for the media path, or unlinks one and its peer. */
void duet_member_link(duet_member *a, duet_member *b);
void duet_member_unlink(duet_member *member);

/* The room's cap and adaptation setting, as the member applies them. */
void duet_member_room_settings(duet_member *member, guint32 bitrate, gboolean adaptive);
/* Forgets what was learnt about the member's downlink (a new PeerConnection). */
void duet_member_reset_adaptation(duet_member *member);

/* The send cap: the lower of the member's and the room's, 0 = none. */
guint32 duet_member_cap(const duet_member *member);

/* Counters, read with relaxed atomics. */
void duet_member_count(duet_member *member, duet_kind kind, guint64 bytes);
duet_counter duet_member_counter(const duet_member *member, duet_kind kind);
guint64 duet_member_total_bytes(const duet_member *member);
/* {audio: {packets, bytes}, video: ..., data: ...} */
json_t *duet_member_counters_json(const duet_member *member);
/* Adds adaptive, estimate and (when the peer simulcasts) substream and temporal. */
void duet_member_adaptation_json(const duet_member *member, json_t *info);
/* Samples the received bitrate; call about once a second. */
void duet_member_sample_rate(duet_member *member, gint64 now);

#endif
