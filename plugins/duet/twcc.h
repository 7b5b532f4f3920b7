/*
 * twcc.h - what the bandwidth estimator needs from a receiver's
 * transport-wide congestion control feedback (RTPFB 15,
 * draft-holmer-rmcat-transport-wide-cc-extensions): how many of the video
 * packets it reports on arrived, and when the last of them arrived.
 *
 * The Janus core numbers every video packet it sends to a participant
 * (retransmissions included) with the transport-wide sequence number and
 * passes the participant's feedback on to the plugin (it strips only the
 * NACKs). The feedback comes every 50-250 ms, where receiver reports come
 * once a second, and it counts what the link really carried, the core's
 * retransmissions included, which the plugin's relay counters never see.
 * Plain C, no Janus: the parser can be unit-tested and fuzzed.
 */
#ifndef DUET_TWCC_H
#define DUET_TWCC_H

#include <glib.h>

typedef struct duet_twcc {
	guint16 base_seq; /* the first transport-wide sequence number reported on */
	guint16 count; /* packets reported on, from base_seq on */
	guint16 received; /* of which arrived */
	gint64 last_arrival_us; /* receiver's clock: when the last arrived one did; valid when received > 0 */
} duet_twcc;

/* Reads the first transport-wide feedback of a (compound) RTCP packet.
 * FALSE when there is none, or it is malformed. */
gboolean duet_twcc_read(const guint8 *buf, size_t len, duet_twcc *feedback);

#endif
