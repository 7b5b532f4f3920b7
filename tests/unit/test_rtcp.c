/*
 * test_rtcp.c - the RTCP readers of the network adaptation, without Janus:
 * receiver report blocks and the round trip they give (rtcp_report.c),
 * and the transport-wide feedback (twcc.c).
 */
#include <string.h>

#include "rtcp_report.h"
#include "tests.h"
#include "twcc.h"

#define SEC G_USEC_PER_SEC
#define MS 1000

/* ---- RTCP report blocks ------------------------------------------------ */

static void put32(guint8 *p, guint32 v) {
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* An RR with one block, then an SR with one block, then a REMB-like PSFB. */
static size_t compound(guint8 *buf, guint8 rr_lost, guint8 sr_lost, guint32 lsr, guint32 dlsr) {
	memset(buf, 0, 128);
	buf[0] = 0x81, buf[1] = 201, buf[3] = 7; /* RR: 8 words */
	put32(buf + 8, 0xa1b2c3d4);
	put32(buf + 8 + 4, ((guint32)rr_lost << 24) | 0xfffffe); /* cumulative lost: -2 */
	put32(buf + 8 + 8, 0x0001fffe);
	put32(buf + 8 + 16, lsr);
	put32(buf + 8 + 20, dlsr);
	guint8 *sr = buf + 32;
	sr[0] = 0x81, sr[1] = 200, sr[3] = 12; /* SR: 13 words */
	put32(sr + 28 + 4, ((guint32)sr_lost << 24) | 0x123456);
	guint8 *fb = sr + 52;
	fb[0] = 0x8f, fb[1] = 206, fb[3] = 4; /* 5 words, no blocks */
	return 32 + 52 + 20;
}

static void test_rtcp_report(void) {
	guint8 buf[128];
	duet_rtcp_report r;
	size_t len = compound(buf, 10, 77, 0x12345678, 0x10000);
	g_assert_true(duet_rtcp_read_report(buf, len, &r));
	g_assert_cmpuint(r.blocks, ==, 2);
	g_assert_cmpuint(r.fraction_lost, ==, 77);
	g_assert_cmpuint(r.kept, ==, 2);
	g_assert_cmpuint(r.block[0].lsr, ==, 0x12345678);
	g_assert_cmpuint(r.block[0].dlsr, ==, 0x10000);
	g_assert_cmpuint(r.block[0].ssrc, ==, 0xa1b2c3d4);
	g_assert_cmpint(r.block[0].cumulative_lost, ==, -2); /* 24-bit, signed */
	g_assert_cmpuint(r.block[0].highest_seq, ==, 0x0001fffe);
	g_assert_cmpint(r.block[1].cumulative_lost, ==, 0x123456);
	g_assert_cmpuint(r.block[1].lsr, ==, 0);
	/* Truncated: the SR's block is cut off, the RR's still counts. */
	g_assert_true(duet_rtcp_read_report(buf, 40, &r));
	g_assert_cmpuint(r.blocks, ==, 1);
	g_assert_cmpuint(r.fraction_lost, ==, 10);
	/* No blocks: a lone feedback message, garbage, nothing. */
	g_assert_false(duet_rtcp_read_report(buf + 84, 20, &r));
	g_assert_false(duet_rtcp_read_report((const guint8 *)"\x00\x01\x02\x03\x04", 5, &r));
	g_assert_false(duet_rtcp_read_report(NULL, 0, &r));
}

static void test_rtt(void) {
	/* The SR left at wall-clock t, the receiver held it 0.25 s, now is t + 0.3 s. */
	gint64 t = (gint64)1700000000 * SEC + 123456;
	guint64 seconds = (guint64)(t / SEC) + 2208988800u;
	guint64 fraction = ((guint64)(t % SEC) << 32) / SEC;
	guint32 lsr = (guint32)(((seconds & 0xffff) << 16) | (fraction >> 16));
	duet_rtcp_report r = {.blocks = 2, .kept = 2};
	r.block[0] = (duet_rtcp_block){.lsr = lsr, .dlsr = 16384};
	r.block[1] = (duet_rtcp_block){.lsr = lsr, .dlsr = 13107}; /* held 0.2 s: 100 ms, it queued */
	gint rtt = duet_rtcp_rtt_ms(&r, t + 300000);
	g_assert_cmpint(rtt, >=, 49); /* the smallest of the two */
	g_assert_cmpint(rtt, <=, 51);
	r.block[0].lsr = r.block[1].lsr = 0;
	g_assert_cmpint(duet_rtcp_rtt_ms(&r, t), ==, -1);
}

/* ---- transport-wide feedback ------------------------------------------------ */

static void put16(guint8 *p, guint16 v) {
	p[0] = v >> 8;
	p[1] = v;
}

/* A transport-wide feedback's fixed part; returns its length so far. */
static size_t header(guint8 *buf, guint16 base, guint16 count, guint32 reference) {
	memset(buf, 0, 256);
	buf[0] = 0x80 | 15, buf[1] = 205;
	put16(buf + 12, base);
	put16(buf + 14, count);
	buf[16] = reference >> 16, buf[17] = reference >> 8, buf[18] = reference;
	return 20;
}

static size_t finish(guint8 *buf, size_t len) {
	while(len % 4)
		buf[len++] = 0;
	put16(buf + 2, (guint16)(len / 4 - 1));
	return len;
}

static void test_twcc_read(void) {
	guint8 buf[256];
	duet_twcc fb;
	/* 20 packets from 1000: a run of 3 received (small deltas), then a
	 * one-bit vector of 14 (received, lost, received x12), then a two-bit
	 * vector of 7 of which 3 count: large delta, lost, small delta. */
	size_t len = header(buf, 1000, 20, 10); /* reference: 640 ms */
	put16(buf + len, (1 << 13) | 3), len += 2;
	put16(buf + len, 0x8000 | (1 << 13) | 0x0fff), len += 2;
	put16(buf + len, 0xc000 | (2 << 12) | (0 << 10) | (1 << 8)), len += 2;
	for(int i = 0; i < 3 + 13; i++)
		buf[len++] = 4; /* 1 ms each */
	put16(buf + len, (guint16)-8), len += 2; /* -2 ms */
	buf[len++] = 40; /* 10 ms */
	len = finish(buf, len);
	g_assert_true(duet_twcc_read(buf, len, &fb));
	g_assert_cmpuint(fb.base_seq, ==, 1000);
	g_assert_cmpuint(fb.count, ==, 20);
	g_assert_cmpuint(fb.received, ==, 18);
	g_assert_cmpint(fb.last_arrival_us, ==, 640 * MS + 16 * MS - 2 * MS + 10 * MS);
	/* Found after a receiver report in a compound packet. */
	guint8 compound[300] = {0x80, 201, 0, 1};
	memcpy(compound + 8, buf, len);
	g_assert_true(duet_twcc_read(compound, 8 + len, &fb));
	g_assert_cmpuint(fb.received, ==, 18);
	/* Cut short anywhere: refused, never read past the end. */
	for(size_t cut = 0; cut < len - 3; cut++) {
		guint8 *copy = g_memdup2(buf, cut);
		g_assert_false(duet_twcc_read(copy, cut, &fb));
		g_free(copy);
	}
	/* A reserved status symbol: refused. */
	len = header(buf, 7, 1, 0);
	put16(buf + len, (3 << 13) | 1), len += 2;
	buf[len++] = 1;
	g_assert_false(duet_twcc_read(buf, finish(buf, len), &fb));
	/* A PLI is no feedback. */
	guint8 pli[12] = {0x81, 206, 0, 2};
	g_assert_false(duet_twcc_read(pli, sizeof(pli), &fb));
}

void register_rtcp_tests(void) {
	g_test_add_func("/rtcp/report", test_rtcp_report);
	g_test_add_func("/rtcp/rtt", test_rtt);
	g_test_add_func("/rtcp/twcc_read", test_twcc_read);
}
