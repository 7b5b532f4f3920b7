/*
 * rtcp_report.h - what the bandwidth estimator needs from a receiver's
 * RTCP: its report blocks (loss counters per stream, the timestamps that
 * give the round-trip time). Plain C, no Janus: the parser reads the
 * compound packet itself, so that it can be unit-tested and fuzzed.
 */
#ifndef DUET_RTCP_REPORT_H
#define DUET_RTCP_REPORT_H

#include <glib.h>

/* Report blocks kept per compound packet: a receiver reports one per
 * stream it gets (audio, video); further ones are counted, not kept. */
#define DUET_RTCP_BLOCKS 4

typedef struct duet_rtcp_block {
	guint32 ssrc; /* the stream the block reports on */
	guint8 fraction_lost; /* since the receiver's previous report, 1/256 */
	gint32 cumulative_lost; /* packets lost since the stream began (24-bit, signed) */
	guint32 highest_seq; /* extended highest sequence number received */
	guint32 lsr; /* middle 32 bits of the NTP time of the last SR echoed, 0 = none */
	guint32 dlsr; /* delay since that SR, in 1/65536 s */
} duet_rtcp_block;

typedef struct duet_rtcp_report {
	guint blocks; /* report blocks found (SR and RR) */
	guint kept; /* of which the first DUET_RTCP_BLOCKS are in block[] */
	duet_rtcp_block block[DUET_RTCP_BLOCKS];
	guint8 fraction_lost; /* the worst block's, in 1/256 */
} duet_rtcp_report;

/* Reads the report blocks of a compound RTCP packet. FALSE when it holds
 * none (a lone REMB, NACK, PLI or transport-wide feedback). */
gboolean duet_rtcp_read_report(const guint8 *buf, size_t len, duet_rtcp_report *report);

/* The round-trip time in ms from the sender reports the blocks echo, given
 * the wall clock now (microseconds since the Unix epoch, as
 * g_get_real_time()): the smallest of the blocks', since a report that
 * queued behind a video frame is late by the frame, not by the link; -1
 * when no block echoes one or none makes sense. */
gint duet_rtcp_rtt_ms(const duet_rtcp_report *report, gint64 real_time_us);

#endif
