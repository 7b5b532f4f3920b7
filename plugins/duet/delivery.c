/*
 * delivery.c - the arrival rate and loss bursts of one receiver's downlink,
 * from its transport-wide feedback (delivery.h says why).
 *
 * The rate is read over windows of at least 500 ms of arrivals (200 ms
 * when a burst of loss says the link just changed, so that the cut it
 * brings is measured on the new link), on the receiver's clock (the time the packets took to drain out of the link's
 * queue, not the time their feedback took to come back). A feedback that
 * does not start where the last one ended (one lost on the way, a restart)
 * starts a new window: its packets' arrivals would be missing from the
 * count, and the link would look slower than it is.
 */
#include "delivery.h"

#define WINDOW_US (500 * 1000)
#define BURST_WINDOW_US (200 * 1000) /* a burst closes the window early: the link just changed */
#define MAX_AGE_US (1500 * 1000)
#define BURST_PACKETS 10
#define BURST_LOSS (256 * 40 / 100)

void duet_delivery_reset(duet_delivery *d) {
	*d = (duet_delivery){0};
}

void duet_delivery_ignore_loss(duet_delivery *d, gint64 until) {
	d->ignore_until = until;
	d->lost = d->reported = 0;
}

guint64 duet_delivery_lost(const duet_delivery *d) {
	return d->lost_total;
}

guint32 duet_delivery_rate(const duet_delivery *d, gint64 now) {
	return d->rate != 0 && now - d->rate_time <= MAX_AGE_US ? d->rate : 0;
}

static void start_window(duet_delivery *d, const duet_relayed *relayed, gint64 now) {
	d->window_start_us = d->last_arrival_us;
	d->received = 0;
	d->window_reported = 0;
	d->window_relayed = *relayed;
	d->window_now = now;
}

/* Relay counters that went backwards belong to another PeerConnection. */
static gboolean counters_run(const duet_delivery *d, const duet_relayed *relayed) {
	return relayed->video_packets >= d->window_relayed.video_packets &&
	       relayed->video_bytes >= d->window_relayed.video_bytes &&
	       relayed->other_bytes >= d->window_relayed.other_bytes;
}

/* Closes the window once its arrivals span `window_us`: the video packets that
 * arrived, at the average size of those relayed meanwhile, and the other
 * media relayed meanwhile at the share of the video that arrived. Counted
 * in full, the audio relayed into a burst at the start of a call (half
 * of it lost) made the link's capacity 10 % more than it carries, and the
 * settle point came out at the link's rate. */
static void read_rate(duet_delivery *d, const duet_relayed *relayed, gint64 now, gint64 window_us) {
	gint64 span = d->last_arrival_us - d->window_start_us;
	if(span < window_us)
		return;
	guint64 packets = relayed->video_packets - d->window_relayed.video_packets;
	gint64 elapsed = now - d->window_now;
	if(packets > 0 && elapsed > 0) {
		double size = (double)(relayed->video_bytes - d->window_relayed.video_bytes) / (double)packets;
		double video = d->received * size * 8 * G_USEC_PER_SEC / (double)span;
		double arrived = d->window_reported > 0 ? (double)d->received / d->window_reported : 1;
		double other = arrived * (double)(relayed->other_bytes - d->window_relayed.other_bytes) * 8 * G_USEC_PER_SEC /
		               (double)elapsed;
		d->rate = (guint32)MIN(video + other, (double)G_MAXUINT32);
		d->rate_time = now;
	}
	start_window(d, relayed, now);
}

/* The loss of the packets reported since the last reading, once there are
 * enough of them; given only when it is a burst. */
static gint read_burst(duet_delivery *d, gint64 now) {
	if(now < d->ignore_until) {
		d->lost = d->reported = 0;
		return -1;
	}
	if(d->reported < BURST_PACKETS)
		return -1;
	gint loss = (gint)MIN((guint64)d->lost * 256 / d->reported, 255);
	d->lost = d->reported = 0;
	return loss >= BURST_LOSS ? loss : -1;
}

/* Starts over from this feedback: it sets the clock and counters only. */
static void restart(duet_delivery *d, const duet_twcc *feedback, const duet_relayed *relayed, gint64 now) {
	d->started = feedback->received > 0;
	d->next_seq = (guint16)(feedback->base_seq + feedback->count);
	d->last_arrival_us = feedback->last_arrival_us;
	d->lost = d->reported = 0;
	start_window(d, relayed, now);
}

gint duet_delivery_add(duet_delivery *d, const duet_twcc *feedback, const duet_relayed *relayed, gint64 now) {
	gint16 ahead = (gint16)(feedback->base_seq - d->next_seq);
	if(d->started && ahead < 0)
		return -1; /* late, or already counted */
	gboolean back_in_time = feedback->received > 0 && feedback->last_arrival_us < d->last_arrival_us;
	if(!d->started || ahead > 0 || back_in_time || !counters_run(d, relayed)) {
		restart(d, feedback, relayed, now);
		return -1;
	}
	d->next_seq = (guint16)(feedback->base_seq + feedback->count);
	d->reported += feedback->count;
	d->lost += (guint)(feedback->count - feedback->received);
	d->lost_total += (guint)(feedback->count - feedback->received);
	d->window_reported += feedback->count;
	if(feedback->received > 0) {
		d->received += feedback->received;
		d->last_arrival_us = feedback->last_arrival_us;
	}
	gint burst = read_burst(d, now);
	read_rate(d, relayed, now, burst >= 0 ? BURST_WINDOW_US : WINDOW_US);
	return burst;
}
