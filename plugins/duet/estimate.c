/*
 * estimate.c - a loss- and delay-based bandwidth estimator for one
 * receiving leg, after Google Congestion Control (draft-ietf-rmcat-gcc):
 * its "back off to 85 % of what got through" and its increase rules
 * (multiplicative far from the link's capacity, additive near it).
 * The design, its constants and why: docs/adaptation.md.
 *
 * Three signals, one per receiver report (about one a second):
 *  - loss: the share lost over the latest 50 packets or more (loss.c);
 *  - queue: the round-trip time above the smallest seen, when it is not
 *    already draining (a queue that shrinks needs no further cut);
 *  - what the link carried: the bytes relayed to the receiver since the
 *    last sample, less what was lost, corrected by how the queue moved.
 * Congested (loss over 10 %, or a queue over 50 ms that the report before
 * saw building too, or over 100 ms at once, or loss over 2 % while such a
 * queue stands): cut to 85 % of what the link carried, at most once per
 * 1.5 s, and again only once the sender follows the last cut (its
 * reaction must show before the next measure). A cut on loss asks the
 * sender for a keyframe once it follows it.
 * Clean (queue under 25 ms, and loss under 10 %, or under 2 % when the
 * round trip is unknown: loss without a queue is the link's noise, not
 * congestion): grow. In between: hold.
 * When the receiver's transport-wide feedback says what the link
 * delivered (smoothed: one reading is off by up to 8 %), growth under a
 * known capacity stops at 90 % of it for 2 s of a short queue, then probes
 * above; a probe that feeds the link 4 % more than it delivers, or meets a
 * standing queue, goes back to 90 % before the link's buffer overflows.
 */
#include "estimate.h"

#define LOSS_HIGH (256 * 10 / 100)
#define LOSS_LOW (256 * 2 / 100)
#define QUEUE_SEVERE_MS 100
#define QUEUE_HIGH_MS 50
#define QUEUE_LOW_MS 25
#define QUEUE_DRAINING_MS 10
#define BACKOFF 0.85
#define DECREASE_INTERVAL_US (1500 * 1000)
#define FOLLOW_WAIT_US (4 * 1000 * 1000) /* how long a sender may take to follow a cut */
#define FOLLOWS 1.15 /* a sender relayed over 1.15x the estimate has not followed it yet */
#define DEEPEST 0.6 /* without a delivered rate, one cut takes at most 40 % off what was allowed, or sent */
#define RATE_INTERVAL_US (400 * 1000)
#define GROW_RECOVER 0.10 /* per second, under 90 % of the capacity: back to where the link was */
#define GROW_NEAR 0.05 /* per second, within 90-110 % of it: probe gently where the link tops out */
#define GROW_NEAR_BITS 15000 /* ... but at least this many bits/s per second */
#define GROW_PROBE 0.08 /* per second, 110-130 % of it: GCC's multiplicative increase */
#define GROW_FREE 0.08 /* per second, past 130 % (the capacity is forgotten): the link got better, */
#define GROW_FREE_RAMP 0.03 /* ... and 3 % faster for every second it stays clean, */
#define GROW_FREE_MAX 0.20 /* up to 20 % */
#define NEAR_LOW 0.90
#define NEAR_HIGH 1.10
#define FORGET 1.30
#define FORGET_DELIVERED 1.15 /* a delivered rate this far over the capacity: the link got better */
#define DELIVERED_WEIGHT 0.3 /* of each new reading of the delivered rate, a few a second */
#define CAPACITY_JUMP 0.40 /* a new measure this far off replaces the capacity; nearer, they average */
#define HEADROOM 1.5 /* never grow past 1.5x what is used (or demanded) */
#define HEADROOM_BITS 50000
#define OVERSHOOT_MAX 1.3
#define OVERSHOOT_WEIGHT 0.1 /* of each new measure, about one a second */
#define OVERSHOOT_SETTLED_US (3 * 1000 * 1000) /* measured only this long after a cut */
#define MAX_STEP_S 2.0 /* a report after a long gap grows as if 2 s had passed */
#define OVERFED 1.10 /* relayed over 1.1x what the link delivers: a queue builds, do not grow */
#define SETTLE 0.90 /* under a known capacity, settle at 90 % of it, */
#define PROBE_WAIT_US (2 * 1000 * 1000) /* ... hold there 2 s, then probe above it, */
#define PROBE_OVERFED 1.04 /* ... back to 90 % when relaying 4 % more than the link delivers, */
#define PROBE_LEAD 1.15 /* ... and never more than 15 % over what is relayed */

void duet_estimator_reset(duet_estimator *e) {
	*e = (duet_estimator){0};
	e->overshoot = 1.0;
	e->min_rtt_ms = -1;
	e->queue_ms = -1;
}

/* The rate relayed towards the receiver, sampled over at least 400 ms. */
static void sample_rate(duet_estimator *e, const duet_feedback *f) {
	if(!e->started || f->relayed_bytes < e->rate_bytes) {
		e->rate_time = f->now;
		e->rate_bytes = f->relayed_bytes;
		return;
	}
	gint64 elapsed = f->now - e->rate_time;
	if(elapsed < RATE_INTERVAL_US)
		return;
	e->rate = (guint32)MIN((f->relayed_bytes - e->rate_bytes) * 8 * G_USEC_PER_SEC / (guint64)elapsed, G_MAXUINT32);
	e->rate_time = f->now;
	e->rate_bytes = f->relayed_bytes;
}

/* Queueing delay now (-1: unknown), from the round trip over the smallest seen. */
static gint queue_of(duet_estimator *e, gint rtt_ms) {
	if(rtt_ms < 0)
		return -1;
	if(e->min_rtt_ms < 0 || rtt_ms < e->min_rtt_ms)
		e->min_rtt_ms = rtt_ms;
	return rtt_ms - e->min_rtt_ms;
}

/* A queue that stands: long, not draining since the last report, and
 * either very long or already building at that report (one report alone
 * may have queued behind a keyframe). */
static gboolean queue_stands(const duet_estimator *e, gint queue_ms) {
	if(queue_ms < 0 || (e->queue_ms >= 0 && queue_ms < e->queue_ms - QUEUE_DRAINING_MS))
		return FALSE;
	return queue_ms > QUEUE_SEVERE_MS || (queue_ms > QUEUE_HIGH_MS && e->queue_ms > QUEUE_LOW_MS);
}

/* What the link carried lately: the rate relayed less what was lost,
 * corrected by the queue: one that grew by q ms in t ms was fed (t + q) / t
 * times faster than the link drains it, one that shrank was fed slower. */
static double link_rate(const duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	double carried = (double)e->rate * (256 - MAX(f->fraction_lost, 0)) / 256;
	gint64 elapsed_ms = (f->now - e->last_update) / 1000;
	if(queue_ms >= 0 && e->queue_ms >= 0 && elapsed_ms > 0) {
		double fed = (double)(elapsed_ms + queue_ms - e->queue_ms) / elapsed_ms;
		carried /= CLAMP(fed, 0.5, 2.0);
	}
	return carried;
}

/* The link's capacity, from what it carried at each congestion: averaged
 * while the measures agree, replaced when the link clearly changed. */
static void measure_capacity(duet_estimator *e, double carried) {
	if(e->capacity == 0 || ABS(carried - e->capacity) > e->capacity * CAPACITY_JUMP)
		e->capacity = (guint32)carried;
	else
		e->capacity = (guint32)((e->capacity + carried) / 2);
}

/* A sender that still sends well over its estimate has not followed the
 * last cut yet (its encoder lags, its queue drains): cutting again would
 * measure the lag, not the link. */
static gboolean sender_follows(const duet_estimator *e, const duet_feedback *f) {
	if(e->decreases == 0 || f->now - e->last_decrease >= FOLLOW_WAIT_US)
		return TRUE;
	return e->rate <= e->estimate * FOLLOWS;
}

/* What the link carried lately: what its receiver saw arrive, when its
 * transport-wide feedback says; else what was relayed, less what was lost,
 * corrected by the queue's movement. */
static double carried_rate(const duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	return f->delivered > 0 ? MIN((double)f->delivered, e->delivered) : link_rate(e, f, queue_ms);
}

/* Smooths the delivered rate. One reading is off by up to 8 % either way
 * (500 ms windows of arrivals, the sizes of the packets in them): a cut
 * measured on a high one set the capacity above the link, and a high one
 * forgot the capacity; the settle point and the probes then overflowed a
 * 300 kbit/s link every few seconds. A cut takes the lower of the reading
 * and the smoothed rate (after a step down the reading is the news). */
static void note_delivered(duet_estimator *e, const duet_feedback *f) {
	if(f->delivered == 0)
		return;
	e->delivered = e->delivered == 0 ? f->delivered : e->delivered + (f->delivered - e->delivered) * DELIVERED_WEIGHT;
}

/* Cuts to 85 % of what the link carried. A link that carries more than the
 * estimate asks is congested by something other than the sender (the
 * core's retransmissions after a burst of loss): no cut, the sender
 * already keeps within what fits. */
static void decrease(duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	if(e->rate == 0) /* nothing measured yet to back off from */
		return;
	if(e->decreases > 0 && f->now - e->last_decrease < DECREASE_INTERVAL_US)
		return;
	if(!sender_follows(e, f))
		return;
	double carried = carried_rate(e, f, queue_ms);
	double target = carried * BACKOFF;
	measure_capacity(e, carried);
	if(e->estimate != 0 && f->delivered == 0) /* a relay measure spoilt by a burst of loss cuts no deeper */
		target = MAX(target, MIN(e->estimate, e->rate) * DEEPEST);
	if(e->estimate != 0 && target >= e->estimate)
		return;
	e->estimate = MAX((guint32)target, DUET_ESTIMATE_FLOOR);
	e->held_since = 0;
	e->last_decrease = f->now;
	e->decreases++;
	if(f->fraction_lost > LOSS_LOW || f->lost_packets > e->lost_packets)
		e->keyframe_due = f->now + DUET_SENDER_REACTION_US; /* once the sender follows the cut */
}

/* Bits/s to add per second at this estimate. */
static double growth(const duet_estimator *e, gint64 now) {
	double capacity = e->capacity;
	if(capacity == 0) {
		double clean_s = (double)(now - e->forgotten) / G_USEC_PER_SEC;
		return e->estimate * MIN(GROW_FREE + GROW_FREE_RAMP * clean_s, GROW_FREE_MAX);
	}
	if(e->estimate < capacity * NEAR_LOW)
		return e->estimate * GROW_RECOVER;
	if(e->estimate <= capacity * NEAR_HIGH)
		return MAX(e->estimate * GROW_NEAR, GROW_NEAR_BITS);
	return e->estimate * GROW_PROBE;
}

/* Whether the rates say more is relayed into the link than it delivers,
 * by over `excess` (0.10: 10 % more). FALSE when the delivered rate is
 * unknown. */
static gboolean rates_overfed(const duet_estimator *e, const duet_feedback *f, double excess) {
	return f->delivered > 0 && e->rate > f->delivered * (1 + excess);
}

/* Whether the queue grew as a link fed `excess` more than it delivers
 * makes it grow: 10 % over for a second queues 100 ms more. */
static gboolean queue_grows(const duet_estimator *e, const duet_feedback *f, gint queue_ms, double excess) {
	gint64 elapsed_ms = (f->now - e->last_update) / 1000;
	return e->queue_ms >= 0 && queue_ms - e->queue_ms >= elapsed_ms * excess;
}

/* Whether a queue builds on the downlink itself: the rates say it is
 * overfed, and the queue does not say otherwise. A short queue that does
 * not grow (by half what the overfeeding would make) says otherwise: the
 * two rates are read over different windows (what was relayed since the
 * last report, what arrived in the feedback's last 500 ms), so a sender
 * that ramps up, or whose frames vary by a few percent from one second to
 * the next, looks overfed when it is not. On the rates alone, probes on a
 * link that had recovered stopped at the old settle point for 12 s,
 * and growth paused every other second. A standing queue proves nothing
 * either way (a backlog draining after a step down): the rates decide. */
static gboolean overfed(const duet_estimator *e, const duet_feedback *f, gint queue_ms, double excess) {
	if(!rates_overfed(e, f, excess))
		return FALSE;
	if(queue_ms < 0 || e->queue_ms < 0 || queue_ms >= QUEUE_LOW_MS)
		return TRUE;
	return queue_grows(e, f, queue_ms, excess / 2);
}

/* The settle point (0: none): a known capacity, and a delivered rate to
 * end a probe with. */
static double settle_point(const duet_estimator *e, const duet_feedback *f) {
	return f->delivered > 0 ? e->capacity * SETTLE : 0;
}

/* Where growth stops for now: at 90 % of a known capacity (SETTLE)
 * until the estimate has held there PROBE_WAIT with a short queue (a
 * link's buffer that overflows loses a burst, and the receiver's video
 * freezes for seconds until a keyframe gets through), past it after that
 * (a probe). A queue that stands at the settle point says the link tops
 * out there already (a capacity measured high): no probe then. Only when
 * the link's delivered rate is known: that is what ends a probe before the
 * buffer overflows (probe_ends). */
static double hold(duet_estimator *e, const duet_feedback *f, double next, gint queue_ms) {
	double top = settle_point(e, f);
	if(top == 0 || e->estimate > top || next <= top)
		return next;
	if(e->held_since == 0 || queue_ms >= QUEUE_HIGH_MS)
		e->held_since = f->now;
	return f->now - e->held_since >= PROBE_WAIT_US ? next : top;
}

/* A probe above SETTLE that feeds the link more than it delivers, or
 * meets a standing queue, has found where the link tops out: back to
 * SETTLE before the buffer overflows, and hold there again. Not a cut:
 * nothing was lost. */
static gboolean probe_ends(duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	double top = settle_point(e, f);
	if(top == 0 || e->estimate <= top)
		return FALSE;
	if(!queue_stands(e, queue_ms) && !overfed(e, f, queue_ms, PROBE_OVERFED - 1))
		return FALSE;
	e->estimate = (guint32)top;
	e->held_since = f->now;
	return TRUE;
}

/* How far growth may go past what is used: HEADROOM, so that an encoder
 * has room to ramp up; but a probe above the settle point leads what is
 * relayed by PROBE_LEAD at most. A probe is measured by what the sender
 * sends into the link: one that ran ahead of an encoder slow to follow
 * reached 1.3x the capacity with nothing above the link relayed yet, and
 * the encoder's next jump to that limit overflowed the buffer. */
static double ceiling_of(const duet_estimator *e, const duet_feedback *f) {
	double used = MAX((double)e->rate, (double)f->demand / HEADROOM);
	double ceiling = used * HEADROOM + HEADROOM_BITS;
	double top = settle_point(e, f);
	return top == 0 ? ceiling : MIN(ceiling, MAX(top, e->rate * PROBE_LEAD));
}

static void increase(duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	if(e->estimate == 0)
		return;
	double ceiling = ceiling_of(e, f);
	if(e->estimate >= ceiling)
		return;
	double seconds = MIN((double)(f->now - e->last_update) / G_USEC_PER_SEC, MAX_STEP_S);
	/* Compounding within a report interval hardly differs: linear is enough. */
	double next = hold(e, f, e->estimate + growth(e, f->now) * seconds, queue_ms);
	e->estimate = (guint32)MIN(MIN(next, ceiling), (double)G_MAXUINT32);
	/* Well past it without congestion, or the link delivers well past it: forget it. */
	if(e->capacity != 0 && (e->estimate > e->capacity * FORGET || e->delivered > e->capacity * FORGET_DELIVERED)) {
		e->capacity = 0;
		e->forgotten = f->now;
	}
}

/* A standing queue in the round trip congests the downlink only if the
 * downlink shows it, when what it delivers is known: the round trip also
 * holds the receiver's uplink (its own video) and its scheduling (a busy
 * receiver answers late), which a cut of what it receives cannot help.
 * And only if the queue grows as the downlink's overfeeding says: after a
 * step down, the backlog drains for seconds while what is delivered lags
 * what is relayed (retransmissions, packets lost), and a cut on that alone
 * took the estimate to the floor on a link three times wider. */
static gboolean queue_congests(const duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	if(!queue_stands(e, queue_ms))
		return FALSE;
	return f->delivered == 0 || (rates_overfed(e, f, OVERFED - 1) && queue_grows(e, f, queue_ms, OVERFED - 1));
}

/* Loss over 2 % while a queue stands: the link's buffer overflows, which
 * no noise does. A settle point above the link (its capacity measured high
 * during the flood a call starts with) kept a full buffer and lost 6 % in
 * every other report: loss under 10 %, a queue that did not grow, rates
 * within 10 % of each other, so none of the other signals cut. */
static gboolean overflows(const duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	return f->fraction_lost > LOSS_LOW && queue_stands(e, queue_ms);
}

/* Loss alone, without a queue, is the link's noise (radio, a policer's
 * random drops) rather than congestion: it may grow through up to 10 %.
 * Without a new loss reading, the queue decides; without either, hold. */
static gboolean clean(const duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	if(overfed(e, f, queue_ms, OVERFED - 1))
		return FALSE;
	if(queue_ms < 0)
		return f->fraction_lost >= 0 && f->fraction_lost < LOSS_LOW;
	if(f->fraction_lost > LOSS_HIGH)
		return FALSE;
	if(queue_ms < QUEUE_LOW_MS)
		return TRUE;
	/* A queue the downlink does not show (it delivers what it is fed, and
	 * no more: retransmissions would fill it) holds the growth only while
	 * it grows. */
	gboolean in_step = f->delivered > 0 && e->rate * OVERFED >= f->delivered;
	return in_step && e->queue_ms >= 0 && queue_ms <= e->queue_ms + QUEUE_DRAINING_MS;
}

/* How much more than asked the sender relays, once it had time to settle
 * on what it was asked (never less than asked: a sender that sends less
 * is limited by its source, not by the REMB). */
static void measure_overshoot(duet_estimator *e, const duet_feedback *f) {
	if(e->asked == 0 || e->rate == 0 || (e->decreases > 0 && f->now - e->last_decrease < OVERSHOOT_SETTLED_US))
		return;
	double ratio = CLAMP((double)e->rate / e->asked, 1.0, OVERSHOOT_MAX);
	e->overshoot += (ratio - e->overshoot) * OVERSHOOT_WEIGHT;
}

guint32 duet_estimator_ask(duet_estimator *e, guint32 estimate) {
	e->asked = estimate == 0 ? 0 : MAX((guint32)(estimate / e->overshoot), DUET_ESTIMATE_FLOOR);
	return e->asked;
}

guint32 duet_estimator_update(duet_estimator *e, const duet_feedback *f) {
	note_delivered(e, f);
	sample_rate(e, f);
	measure_overshoot(e, f);
	gint queue_ms = queue_of(e, f->rtt_ms);
	if(f->fraction_lost > LOSS_HIGH || queue_congests(e, f, queue_ms) || overflows(e, f, queue_ms))
		decrease(e, f, queue_ms);
	else if(!probe_ends(e, f, queue_ms) && clean(e, f, queue_ms))
		increase(e, f, queue_ms);
	e->queue_ms = queue_ms;
	e->last_update = f->now;
	e->lost_packets = f->lost_packets;
	e->started = TRUE;
	return e->estimate;
}

guint32 duet_estimator_burst(duet_estimator *e, const duet_feedback *f) {
	note_delivered(e, f);
	if(e->started && f->fraction_lost > LOSS_HIGH)
		decrease(e, f, -1);
	e->lost_packets = f->lost_packets;
	return e->estimate;
}

/* What an overflow lost is often lost for good: its retransmissions went
 * into the same full buffer, and the Janus core keeps what it sent only a
 * round trip and 100 ms. The receiver then asks for a keyframe itself only
 * after 3 s without a decodable frame (Chromium): a freeze of 3 s after
 * every overflow, in the benchmark's 300 kbit/s calls. Asked once the
 * sender follows the cut, the keyframe comes at the new rate. */
gboolean duet_estimator_keyframe_due(duet_estimator *e, gint64 now) {
	if(e->keyframe_due == 0 || now < e->keyframe_due)
		return FALSE;
	e->keyframe_due = 0;
	return TRUE;
}

guint32 duet_estimate_remb(guint32 estimate, guint32 cap) {
	if(estimate == 0)
		return cap > 0 ? cap : DUET_UNCAPPED_BITRATE;
	return cap > 0 ? MIN(estimate, cap) : estimate;
}
