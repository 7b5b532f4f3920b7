/*
 * loss.h - the share of packets lost on one receiver's downlink, from the
 * cumulative counters of its report blocks.
 *
 * A report block's own "fraction lost" covers only the packets since the
 * receiver's previous report of that stream: at a few hundred kbit/s that
 * is 30-80 packets, so one or two random losses read as 3-7 %, and the
 * worst of the audio and video blocks is biased upwards (audio is never
 * retransmitted). The meter sums, over every stream the receiver reports,
 * the packets expected (extended highest sequence number) and lost
 * (cumulative lost) since its last reading, and reads only once at least
 * DUET_LOSS_WINDOW packets were expected: at 3 % random loss a 50-packet
 * window reads over 10 % with a probability under 1 %. Each reading is
 * given once: between readings the loss is not known anew.
 *
 * After the estimator cut, the packets the sender sent before it followed
 * the cut are still being lost: the meter can be told to count nothing
 * until a given time, so that its next reading is of the sender's new rate.
 * Plain C, no allocation; one writer (the receiver's RTCP path).
 */
#ifndef DUET_LOSS_H
#define DUET_LOSS_H

#include "rtcp_report.h"

#define DUET_LOSS_STREAMS 4
#define DUET_LOSS_WINDOW 50

typedef struct duet_loss_stream {
	guint32 ssrc;
	guint32 highest_seq;
	gint32 cumulative_lost;
	gboolean seen;
} duet_loss_stream;

typedef struct duet_loss_meter {
	duet_loss_stream streams[DUET_LOSS_STREAMS];
	guint next; /* the slot a new stream takes when all are in use */
	gint64 expected; /* since the last reading, all streams */
	gint64 lost; /* the same; may go down (late packets, duplicates) */
	gint64 ignore_until; /* counts nothing before this (monotonic, us), */
	gboolean resync; /* ... nor at the first report after it (it only sets the counters) */
} duet_loss_meter;

void duet_loss_meter_reset(duet_loss_meter *meter);
/* Counts in the blocks of one report received at `now`; returns the loss
 * (1/256) of the window it completes (at least DUET_LOSS_WINDOW packets),
 * or -1 when it completes none. */
gint duet_loss_meter_add(duet_loss_meter *meter, const duet_rtcp_report *report, gint64 now);
/* Drops what was counted so far and counts again from the first report
 * at or after `until` (its counters start the next window). */
void duet_loss_meter_restart(duet_loss_meter *meter, gint64 until);

#endif
