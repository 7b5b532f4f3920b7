/*
 * twcc.c - reads a receiver's transport-wide feedback (twcc.h says why).
 *
 * Layout after the RTCP header and the two SSRCs: base sequence number (16
 * bits), packet status count (16), reference time (24, in 64 ms), feedback
 * packet count (8); then the packet status chunks, then one receive delta
 * (in 250 us) per arrived packet: one byte for a "small delta" symbol, two
 * (signed) for a "large or negative" one. The statuses are walked twice,
 * once to find where the deltas start and once to read them, so that no
 * packet count needs a buffer.
 */
#include "twcc.h"

#define RTCP_RTPFB 205
#define FMT_TWCC 15
#define FIXED_LEN 20 /* header, two SSRCs, base, count, reference, feedback count */
#define CHUNK_LEN 2
#define REFERENCE_US 64000
#define DELTA_US 250

enum { NOT_RECEIVED = 0, SMALL_DELTA = 1, LARGE_DELTA = 2, RESERVED = 3 };

/* Walks the statuses of one feedback's chunks. */
typedef struct walk {
	const guint8 *chunks;
	size_t len; /* bytes of chunks and deltas */
	size_t at; /* the next chunk's offset */
	guint16 chunk;
	guint left; /* symbols left in the current chunk */
	guint index; /* the next symbol's index in a status vector chunk */
} walk;

static guint16 read16(const guint8 *p) {
	return (guint16)((p[0] << 8) | p[1]);
}

static gboolean next_chunk(walk *w) {
	if(w->at + CHUNK_LEN > w->len)
		return FALSE;
	w->chunk = read16(w->chunks + w->at);
	w->at += CHUNK_LEN;
	w->index = 0;
	if(!(w->chunk & 0x8000))
		w->left = w->chunk & 0x1fff; /* run length */
	else
		w->left = (w->chunk & 0x4000) ? 7 : 14; /* two-bit or one-bit symbols */
	return TRUE;
}

/* The next packet's status, or -1 when the chunks end first. */
static gint next_status(walk *w) {
	while(w->left == 0) {
		if(!next_chunk(w))
			return -1;
	}
	w->left--;
	if(!(w->chunk & 0x8000))
		return (w->chunk >> 13) & 0x3;
	guint i = w->index++;
	if(w->chunk & 0x4000)
		return (w->chunk >> (12 - 2 * i)) & 0x3;
	return (w->chunk >> (13 - i)) & 0x1;
}

/* Counts the arrivals and sums their deltas; FALSE if the packet is short. */
static gboolean read_deltas(const guint8 *packet, size_t len, duet_twcc *feedback) {
	walk w = {.chunks = packet + FIXED_LEN, .len = len - FIXED_LEN};
	for(guint i = 0; i < feedback->count; i++) {
		if(next_status(&w) < 0)
			return FALSE;
	}
	size_t delta_at = w.at;
	walk again = {.chunks = w.chunks, .len = w.len};
	gint64 arrival = (gint64)(((guint32)packet[16] << 16) | ((guint32)packet[17] << 8) | packet[18]) * REFERENCE_US;
	for(guint i = 0; i < feedback->count; i++) {
		gint status = next_status(&again);
		size_t size = status == SMALL_DELTA ? 1 : 2;
		if(status == RESERVED || (status != NOT_RECEIVED && delta_at + size > w.len))
			return FALSE;
		if(status == NOT_RECEIVED)
			continue;
		const guint8 *delta = w.chunks + delta_at;
		arrival += (status == SMALL_DELTA ? delta[0] : (gint16)read16(delta)) * (gint64)DELTA_US;
		delta_at += size;
		feedback->received++;
		feedback->last_arrival_us = arrival;
	}
	return TRUE;
}

static gboolean read_feedback(const guint8 *packet, size_t len, duet_twcc *feedback) {
	if(len < FIXED_LEN)
		return FALSE;
	*feedback = (duet_twcc){.base_seq = read16(packet + 12), .count = read16(packet + 14)};
	return read_deltas(packet, len, feedback);
}

gboolean duet_twcc_read(const guint8 *buf, size_t len, duet_twcc *feedback) {
	size_t offset = 0;
	while(buf != NULL && offset + 4 <= len) {
		const guint8 *packet = buf + offset;
		if((packet[0] >> 6) != 2)
			return FALSE;
		size_t packet_len = ((size_t)read16(packet + 2) + 1) * 4;
		if(offset + packet_len > len)
			packet_len = len - offset;
		if(packet[1] == RTCP_RTPFB && (packet[0] & 0x1f) == FMT_TWCC)
			return read_feedback(packet, packet_len, feedback);
		offset += packet_len;
	}
	return FALSE;
}
