/*
 * estimate.c - a loss- and delay-based bandwidth estimator for one
 * receiving leg, after the loss-based half of Google Congestion Control
 * (draft-ietf-rmcat-gcc) and its "back off to 85 % of what got through".
 * The design, its constants and why: docs/adaptation.md.
 *
 * Three signals, one per receiver report (about one a second):
 *  - loss: the report's worst fraction lost;
 *  - queue: the round-trip time above the smallest seen, when it is not
 *    already draining (a queue that shrinks needs no further cut);
 *  - what the link carried: the bytes relayed to the receiver since the
 *    last sample, less what was lost and less what only filled the queue.
 * Congested (loss > 10 %, or a standing queue over 60 ms): cut to 85 % of
 * what the link carried, at most once per 800 ms. Clean (loss < 2 %, queue under
 * 25 ms): grow, fast below the capacity last measured, gently around it,
 * faster again once past it (the link got better). In between: hold.
 */
#include "estimate.h"

#define LOSS_HIGH (256 * 10 / 100)
#define LOSS_LOW (256 * 2 / 100)
#define QUEUE_HIGH_MS 60
#define QUEUE_LOW_MS 25
#define QUEUE_DRAINING_MS 10
#define BACKOFF 0.85
#define DECREASE_INTERVAL_US (800 * 1000)
#define RATE_INTERVAL_US (400 * 1000)
#define GROW_BELOW 1.15 /* per second, under 95 % of the capacity */
#define GROW_NEAR 1.05 /* per second, within 95-115 % of it */
#define GROW_ABOVE 1.25 /* per second, past it: the link got better */
#define NEAR_LOW 0.95
#define NEAR_HIGH 1.15
#define HEADROOM 1.5 /* never grow past 1.5x what is used (or demanded) */
#define HEADROOM_BITS 50000
#define MAX_STEP_S 2.0 /* a report after a long gap grows as if 2 s had passed */

void duet_estimator_reset(duet_estimator *e) {
	*e = (duet_estimator){0};
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

/* Queueing delay now, and whether it stands (not draining since the last report). */
static gboolean queue_stands(duet_estimator *e, gint rtt_ms, gint *queue_ms) {
	*queue_ms = -1;
	if(rtt_ms < 0)
		return FALSE;
	if(e->min_rtt_ms < 0 || rtt_ms < e->min_rtt_ms)
		e->min_rtt_ms = rtt_ms;
	*queue_ms = rtt_ms - e->min_rtt_ms;
	gboolean draining = e->queue_ms >= 0 && *queue_ms < e->queue_ms - QUEUE_DRAINING_MS;
	return *queue_ms > QUEUE_HIGH_MS && !draining;
}

/* What the link carried lately: the rate relayed less what was lost, and
 * less what only filled the queue (a queue that grew by q ms in t ms was
 * fed (t + q) / t times faster than the link drains it). */
static double link_rate(const duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	double carried = (double)e->rate * (256 - f->fraction_lost) / 256;
	gint64 elapsed_ms = (f->now - e->last_update) / 1000;
	if(queue_ms > 0 && e->queue_ms >= 0 && queue_ms > e->queue_ms && elapsed_ms > 0)
		carried = carried * elapsed_ms / (elapsed_ms + queue_ms - e->queue_ms);
	return carried;
}

static void decrease(duet_estimator *e, const duet_feedback *f, gint queue_ms) {
	if(e->rate == 0) /* nothing measured yet to back off from */
		return;
	if(e->decreases > 0 && f->now - e->last_decrease < DECREASE_INTERVAL_US)
		return;
	double capacity = link_rate(e, f, queue_ms);
	guint32 target = (guint32)(capacity * BACKOFF);
	if(e->estimate == 0 || target < e->estimate)
		e->estimate = MAX(target, DUET_ESTIMATE_FLOOR);
	e->capacity = (guint32)capacity;
	e->last_decrease = f->now;
	e->decreases++;
}

static double growth(const duet_estimator *e) {
	if(e->capacity == 0 || e->estimate > e->capacity * NEAR_HIGH)
		return GROW_ABOVE;
	return e->estimate < e->capacity * NEAR_LOW ? GROW_BELOW : GROW_NEAR;
}

static void increase(duet_estimator *e, const duet_feedback *f) {
	if(e->estimate == 0)
		return;
	double used = MAX((double)e->rate, (double)f->demand / HEADROOM);
	double ceiling = used * HEADROOM + HEADROOM_BITS;
	if(e->estimate >= ceiling)
		return;
	double seconds = MIN((double)(f->now - e->last_update) / G_USEC_PER_SEC, MAX_STEP_S);
	/* Compounding within a report interval hardly differs: linear is enough. */
	double next = e->estimate * (1 + (growth(e) - 1) * seconds);
	e->estimate = (guint32)MIN(MIN(next, ceiling), (double)G_MAXUINT32);
	if(e->capacity != 0 && e->estimate > e->capacity * NEAR_HIGH * NEAR_HIGH)
		e->capacity = 0; /* well past it without congestion: forget it */
}

guint32 duet_estimator_update(duet_estimator *e, const duet_feedback *f) {
	sample_rate(e, f);
	gint queue_ms;
	gboolean standing = queue_stands(e, f->rtt_ms, &queue_ms);
	if(f->fraction_lost > LOSS_HIGH || standing)
		decrease(e, f, queue_ms);
	else if(f->fraction_lost < LOSS_LOW && (queue_ms < 0 || queue_ms < QUEUE_LOW_MS))
		increase(e, f);
	e->queue_ms = queue_ms;
	e->last_update = f->now;
	e->started = TRUE;
	return e->estimate;
}

guint32 duet_estimate_remb(guint32 estimate, guint32 cap) {
	if(estimate == 0)
		return cap > 0 ? cap : DUET_UNCAPPED_BITRATE;
	return cap > 0 ? MIN(estimate, cap) : estimate;
}
