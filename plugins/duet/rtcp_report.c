/*
 * rtcp_report.c - report blocks and round-trip time from a receiver's RTCP.
 *
 * The Janus core sends each participant a sender report every second,
 * stamped with its wall clock. The participant's receiver reports echo it
 * (LSR) with the delay they held it (DLSR), so the plugin, on the same
 * clock, gets the round-trip time of the participant's downlink without
 * asking the core: its growth is the queue building up on that link.
 * The blocks' loss counters feed the loss meter (loss.c).
 */
#include "rtcp_report.h"

#define RTCP_SR 200
#define RTCP_RR 201
#define HEADER_LEN 4
#define SSRC_LEN 4
#define SENDER_INFO_LEN 20
#define BLOCK_LEN 24
#define NTP_UNIX_OFFSET 2208988800u
#define RTT_MAX_MS 10000

static guint32 read32(const guint8 *p) {
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static void read_block(const guint8 *p, duet_rtcp_report *report) {
	guint8 lost = p[4];
	if(report->blocks == 0 || lost > report->fraction_lost)
		report->fraction_lost = lost;
	report->blocks++;
	if(report->kept == DUET_RTCP_BLOCKS)
		return;
	guint32 cumulative = ((guint32)p[5] << 16) | ((guint32)p[6] << 8) | p[7];
	report->block[report->kept++] = (duet_rtcp_block){
	    .ssrc = read32(p),
	    .fraction_lost = lost,
	    .cumulative_lost = (gint32)(cumulative << 8) >> 8, /* sign-extend 24 bits */
	    .highest_seq = read32(p + 8),
	    .lsr = read32(p + 16),
	    .dlsr = read32(p + 20),
	};
}

/* One SR or RR: its report blocks, as far as the packet really holds them. */
static void read_reports(const guint8 *packet, size_t len, guint8 type, guint count, duet_rtcp_report *report) {
	size_t offset = HEADER_LEN + SSRC_LEN + (type == RTCP_SR ? SENDER_INFO_LEN : 0);
	for(guint i = 0; i < count && offset + BLOCK_LEN <= len; i++, offset += BLOCK_LEN)
		read_block(packet + offset, report);
}

gboolean duet_rtcp_read_report(const guint8 *buf, size_t len, duet_rtcp_report *report) {
	*report = (duet_rtcp_report){0};
	size_t offset = 0;
	while(buf != NULL && offset + HEADER_LEN <= len) {
		const guint8 *packet = buf + offset;
		if((packet[0] >> 6) != 2)
			break;
		size_t packet_len = ((size_t)((packet[2] << 8) | packet[3]) + 1) * 4;
		if(offset + packet_len > len)
			packet_len = len - offset;
		if(packet[1] == RTCP_SR || packet[1] == RTCP_RR)
			read_reports(packet, packet_len, packet[1], packet[0] & 0x1f, report);
		offset += packet_len;
	}
	return report->blocks > 0;
}

static gint block_rtt_ms(const duet_rtcp_block *block, guint32 now) {
	if(block->lsr == 0)
		return -1;
	guint32 units = now - block->lsr - block->dlsr; /* 1/65536 s, modulo 2^32 */
	gint64 ms = ((gint64)units * 1000) >> 16;
	return ms <= RTT_MAX_MS ? (gint)ms : -1;
}

gint duet_rtcp_rtt_ms(const duet_rtcp_report *report, gint64 real_time_us) {
	if(real_time_us <= 0)
		return -1;
	guint64 seconds = (guint64)(real_time_us / G_USEC_PER_SEC) + NTP_UNIX_OFFSET;
	guint64 fraction = ((guint64)(real_time_us % G_USEC_PER_SEC) << 32) / G_USEC_PER_SEC;
	guint32 now = (guint32)(((seconds & 0xffff) << 16) | (fraction >> 16));
	gint best = -1;
	for(guint i = 0; i < report->kept; i++) {
		gint rtt = block_rtt_ms(&report->block[i], now);
		if(rtt >= 0 && (best < 0 || rtt < best))
			best = rtt;
	}
	return best;
}
