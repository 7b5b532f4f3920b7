/*
 * estimate.h - how much one participant's downlink can carry, estimated
 * from the feedback its receiver reports give the relay (docs/adaptation.md).
 *
 * Each participant has its own PeerConnection to Janus, so the sender's
 * congestion control sees only its own link to Janus. This estimator
 * stands in for the receiver's: fed with every receiver report (loss,
 * round-trip time) and the bytes relayed to that receiver, it answers how
 * many bits/s to let the sender send (REMB) and which simulcast layer fits,
 * and when the receiver needs a keyframe after an overflow.
 * Between reports, the receiver's transport-wide feedback tells what the
 * link delivered and whether a burst of loss came (delivery.h).
 * Plain C, no Janus, no allocation; one writer (the receiver's RTCP path).
 */
#ifndef DUET_ESTIMATE_H
#define DUET_ESTIMATE_H

#include <glib.h>

/* Never ask a sender for less: audio and a minimal video always fit. */
#define DUET_ESTIMATE_FLOOR 100000
/* How long a sender takes to follow a lower REMB: the REMB's trip, its
 * encoder's next frames, its pacer's queue. */
#define DUET_SENDER_REACTION_US (500 * 1000)
/* What "no cap" means in a REMB (Janus's own convention). */
#define DUET_UNCAPPED_BITRATE 10000000

typedef struct duet_feedback {
	gint64 now; /* monotonic, microseconds */
	gint fraction_lost; /* 1/256, over the 50 packets or more since the last reading (loss.h); -1 = no new reading */
	gint rtt_ms; /* -1: unknown */
	guint64 relayed_bytes; /* all bytes relayed towards this receiver so far */
	guint32
	    delivered; /* bits/s the link delivered lately, the core's retransmissions included (delivery.h); 0 = unknown */
	guint32 demand; /* bits/s the receiver would get unhindered (simulcast: the next layer up); 0 = what it gets */
	guint64 lost_packets; /* video packets its transport-wide feedback reported lost so far (delivery.h) */
} duet_feedback;

typedef struct duet_estimator {
	guint32 estimate; /* bits/s; 0 = nothing limits this link yet */
	guint32 capacity; /* what the link carried at congestion, bits/s; 0 = unknown */
	gint64 forgotten; /* when the capacity was last forgotten (or never known) */
	gboolean started; /* a report came already */
	guint32 rate; /* bits/s relayed towards the receiver lately */
	gint64 rate_time;
	guint64 rate_bytes;
	gint64 last_update;
	gint64 last_decrease;
	gint min_rtt_ms; /* the link's round trip without a queue; -1 = unknown */
	gint queue_ms; /* queueing delay at the last report; -1 = unknown */
	guint decreases; /* how many times congestion cut the estimate */
	gint64 held_since; /* when the estimate reached the settle point (estimate.c, SETTLE); 0 = not there */
	guint32 asked; /* the limit last asked of the sender (REMB), 0 = none */
	double overshoot; /* how much more than asked the sender relays, smoothed (1.0-1.3) */
	double delivered; /* the link's delivered rate, smoothed; 0 = unknown */
	gint64 keyframe_due; /* when to ask the sender for a keyframe after a cut on loss; 0 = no need */
	guint64 lost_packets; /* lost_packets at the last update */
} duet_estimator;

void duet_estimator_reset(duet_estimator *e);
/* Takes one receiver report into account; returns the new estimate
 * (0 = nothing limits the link). */
guint32 duet_estimator_update(duet_estimator *e, const duet_feedback *f);
/* Takes a burst of loss the transport-wide feedback saw between reports
 * into account (it may only cut); returns the new estimate. */
guint32 duet_estimator_burst(duet_estimator *e, const duet_feedback *f);
/* Whether the receiver needs a keyframe now: a cut on loss, once the
 * sender follows it (what an overflow lost is often lost for good). TRUE
 * once per such cut. */
gboolean duet_estimator_keyframe_due(duet_estimator *e, gint64 now);
/* The limit to ask of the sender for it to relay `estimate` (its encoder
 * and headers overshoot what a REMB asks by up to 30 %); remembers it, so
 * that later reports measure the overshoot. 0 stays 0 (no limit). */
guint32 duet_estimator_ask(duet_estimator *e, guint32 estimate);
/* What to ask of the sender: the estimate under the cap (0 = none), or
 * the cap alone, or DUET_UNCAPPED_BITRATE. */
guint32 duet_estimate_remb(guint32 estimate, guint32 cap);

#endif
