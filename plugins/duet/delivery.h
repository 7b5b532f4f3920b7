/*
 * delivery.h - what one receiver's downlink really delivers, from its
 * transport-wide feedback (twcc.h): the rate at which packets arrived, on
 * the receiver's own clock, and bursts of loss, both several times a
 * second.
 *
 * When the link is the bottleneck, packets leave its queue at the link's
 * rate: the arrival rate is the capacity, whatever was sent into it, the
 * core's retransmissions included. The plugin's relay counters cannot say
 * that: after heavy loss the core resends up to a second of NACKed video,
 * and a link full of it looked, to the relay, like a link of a fraction
 * of its size. Arrivals are counted in packets (the feedback has no sizes)
 * and turned into bits/s with the average size of the video packets
 * relayed meanwhile, plus the other media relayed (audio and data have no
 * transport-wide numbers) at the share of the video that arrived: they
 * cross the same queue.
 *
 * Loss: the feedback says which packets never arrived. A window of at
 * least 10 packets that lost 40 % or more is a burst: the queue overflowed
 * (random loss of a few percent does that once in hours). The receiver
 * reports of loss.c come once a second; a burst is known within a
 * feedback interval.
 * Plain C, no allocation; one writer (the receiver's RTCP path).
 */
#ifndef DUET_DELIVERY_H
#define DUET_DELIVERY_H

#include "twcc.h"

/* What the plugin relayed to this receiver so far (cumulative counters). */
typedef struct duet_relayed {
	guint64 video_packets;
	guint64 video_bytes;
	guint64 other_bytes; /* audio and data */
} duet_relayed;

typedef struct duet_delivery {
	gboolean started;
	guint16 next_seq; /* the first sequence number the next feedback should report on */
	/* The rate window, on the receiver's clock, and the relay counters and
	 * the plugin's clock at its start. */
	gint64 window_start_us;
	gint64 last_arrival_us;
	guint received;
	guint window_reported; /* packets the window's feedback reported on, arrived or not */
	duet_relayed window_relayed;
	gint64 window_now;
	/* The loss window. */
	guint lost;
	guint reported;
	gint64 ignore_until; /* counts no loss before this (plugin's clock) */
	guint64 lost_total; /* video packets reported lost so far */
	/* The latest reading. */
	guint32 rate; /* bits/s; 0 = none yet */
	gint64 rate_time; /* plugin's clock */
} duet_delivery;

void duet_delivery_reset(duet_delivery *d);
/* Counts in one feedback received at `now` (monotonic, us), with what was
 * relayed so far. Returns the loss (1/256) of a burst the feedback
 * completes, or -1. */
gint duet_delivery_add(duet_delivery *d, const duet_twcc *feedback, const duet_relayed *relayed, gint64 now);
/* The bits/s delivered lately: the latest reading if at most 1.5 s old, or 0. */
guint32 duet_delivery_rate(const duet_delivery *d, gint64 now);
/* Video packets the feedback reported lost so far. */
guint64 duet_delivery_lost(const duet_delivery *d);
/* Counts no loss until `until`: what was sent before a cut took effect. */
void duet_delivery_ignore_loss(duet_delivery *d, gint64 until);

#endif
