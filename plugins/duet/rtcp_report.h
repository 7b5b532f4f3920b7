/*
 * rtcp_report.h - what the bandwidth estimator needs from a receiver's
 * RTCP: the worst "fraction lost" of its report blocks and the timestamps
 * that give the round-trip time. Plain C, no Janus: the parser reads the
 * compound packet itself, so that it can be unit-tested and fuzzed.
 */
#ifndef DUET_RTCP_REPORT_H
#define DUET_RTCP_REPORT_H

#include <glib.h>

typedef struct duet_rtcp_report {
	guint blocks; /* report blocks found (SR and RR) */
	guint8 fraction_lost; /* the worst block's, in 1/256 */
	guint32 lsr; /* middle 32 bits of the NTP time of the last SR echoed, 0 = none */
	guint32 dlsr; /* delay since that SR, in 1/65536 s */
} duet_rtcp_report;

/* Reads the report blocks of a compound RTCP packet. FALSE when it holds
 * none (a lone REMB, NACK, PLI or transport-wide feedback). */
gboolean duet_rtcp_read_report(const guint8 *buf, size_t len, duet_rtcp_report *report);

/* The round-trip time in ms from an echoed sender report, given the wall
 * clock now (microseconds since the Unix epoch, as g_get_real_time());
 * -1 when the report echoes none or the result makes no sense. */
gint duet_rtcp_rtt_ms(const duet_rtcp_report *report, gint64 real_time_us);

#endif
