/*
 * test_adapt.c - network adaptation without Janus: the loss meter, the
 * bandwidth estimator on synthetic report sequences and a simulated
 * bottleneck, and the simulcast layer chooser (the RTCP readers:
 * test_rtcp.c).
 */
#include "estimate.h"
#include "layers.h"
#include "loss.h"
#include "rtcp_report.h"
#include "tests.h"

#define SEC G_USEC_PER_SEC

/* ---- the loss meter ---------------------------------------------------- */

static duet_rtcp_report blocks2(guint32 video_seq, gint32 video_lost, guint32 audio_seq, gint32 audio_lost) {
	duet_rtcp_report r = {.blocks = 2, .kept = 2};
	r.block[0] = (duet_rtcp_block){.ssrc = 1, .highest_seq = video_seq, .cumulative_lost = video_lost};
	r.block[1] = (duet_rtcp_block){.ssrc = 2, .highest_seq = audio_seq, .cumulative_lost = audio_lost};
	return r;
}

static gint meter_add(duet_loss_meter *m, duet_rtcp_report r, gint64 now) {
	return duet_loss_meter_add(m, &r, now);
}

static void test_loss_meter(void) {
	duet_loss_meter m;
	duet_loss_meter_reset(&m);
	g_assert_cmpint(meter_add(&m, blocks2(1000, 10, 5000, 20), 0), ==, -1); /* first sight: counts nothing */
	/* 100 video packets, 3 lost; 50 audio, none: 3 of 150, summed over streams. */
	g_assert_cmpint(meter_add(&m, blocks2(1100, 13, 5050, 20), SEC), ==, 3 * 256 / 150);
	/* 30 packets, 2 lost: under the window, no reading... */
	g_assert_cmpint(meter_add(&m, blocks2(1120, 15, 5060, 20), 2 * SEC), ==, -1);
	/* ... they count towards the next one: 60 packets, 2 lost. */
	g_assert_cmpint(meter_add(&m, blocks2(1140, 15, 5070, 20), 3 * SEC), ==, 2 * 256 / 60);
	/* A late report (older counters) and a restarted stream count nothing. */
	meter_add(&m, blocks2(1130, 15, 5070, 20), 4 * SEC);
	meter_add(&m, blocks2(90000, 15, 5070, 20), 5 * SEC);
	g_assert_cmpint(m.expected, ==, 0);
	/* Late packets lower the count: a window never reads below 0. */
	g_assert_cmpint(meter_add(&m, blocks2(90060, 5, 5070, 20), 6 * SEC), ==, 0);
	/* All lost. */
	g_assert_cmpint(meter_add(&m, blocks2(90160, 105, 5070, 20), 7 * SEC), ==, 255);
	/* After a restart until 8.5 s: the loss before it, and up to the first
	 * report after it, is not counted. */
	meter_add(&m, blocks2(90180, 110, 5070, 20), 7500000);
	duet_loss_meter_restart(&m, 8500000);
	g_assert_cmpint(meter_add(&m, blocks2(90280, 200, 5070, 20), 8 * SEC), ==, -1);
	g_assert_cmpint(meter_add(&m, blocks2(90380, 260, 5070, 20), 9 * SEC), ==, -1);
	g_assert_cmpint(meter_add(&m, blocks2(90480, 261, 5070, 20), 10 * SEC), ==, 256 / 100);
	/* Counters out of step (more lost than expected) count nothing. */
	g_assert_cmpint(meter_add(&m, blocks2(90600, 400, 5070, 20), 11 * SEC), ==, -1);
	g_assert_cmpint(meter_add(&m, blocks2(90700, 400, 5070, 20), 12 * SEC), ==, 0);
	/* The sequence number wraps (extended: no jump). */
	duet_loss_meter_reset(&m);
	meter_add(&m, blocks2(0xffffffe0, 0, 0, 0), 0);
	g_assert_cmpint(meter_add(&m, blocks2(0x40, 24, 0, 0), SEC), ==, 24 * 256 / 96);
}

/* ---- the estimator ------------------------------------------------------ */

#define LOST(pct) ((guint8)((pct)*256 / 100))

static guint32 report(duet_estimator *e, gint64 now, guint64 *bytes, guint32 bps, guint8 lost, gint rtt) {
	*bytes += (guint64)bps / 8;
	duet_feedback f = {.now = now, .fraction_lost = lost, .rtt_ms = rtt, .relayed_bytes = *bytes};
	return duet_estimator_update(e, &f);
}

/* A fresh estimator whose link was clean at `bps` for a second, then lost
 * half of it: returns the estimate after that first cut. */
static guint32 start_congested(duet_estimator *e, guint64 *bytes, guint32 bps, gint rtt) {
	duet_estimator_reset(e);
	*bytes = 0;
	report(e, 0, bytes, bps, 0, rtt);
	return report(e, SEC, bytes, bps, LOST(50), rtt);
}

static void test_estimate_loss_cuts(void) {
	duet_estimator e;
	duet_estimator_reset(&e);
	guint64 bytes = 0;
	/* Clean at 1.7 Mbit/s: nothing limits the link. */
	for(int s = 0; s < 5; s++)
		g_assert_cmpuint(report(&e, s * SEC, &bytes, 1700000, 0, 5), ==, 0);
	/* 40 % loss: one cut to 85 % of what got through (1.02 Mbit/s). */
	guint32 first = report(&e, 5 * SEC, &bytes, 1700000, LOST(40), 5);
	g_assert_cmpuint(first, >=, 840000);
	g_assert_cmpuint(first, <=, 880000);
	/* Loss goes on at the new rate: it keeps cutting, never below the floor. */
	guint32 previous = first;
	for(int s = 6; s < 40; s++) {
		guint32 now = report(&e, s * SEC, &bytes, previous, LOST(60), 5);
		g_assert_cmpuint(now, <=, previous);
		g_assert_cmpuint(now, >=, DUET_ESTIMATE_FLOOR);
		previous = now;
	}
	g_assert_cmpuint(previous, ==, DUET_ESTIMATE_FLOOR);
}

static void test_estimate_queue_cuts(void) {
	duet_estimator e;
	duet_estimator_reset(&e);
	guint64 bytes = 0;
	report(&e, 0, &bytes, 1000000, 0, 10);
	report(&e, SEC, &bytes, 1000000, 0, 10);
	/* No loss, but the round trip grew by 200 ms in a second: the link
	 * drains 1000/1200 of what it was fed; cut to 85 % of that. */
	guint32 cut = report(&e, 2 * SEC, &bytes, 1000000, 0, 210);
	g_assert_cmpuint(cut, >=, 700000);
	g_assert_cmpuint(cut, <=, 720000);
	/* The queue drains (shrinks by more than 10 ms a report): no further cut. */
	g_assert_cmpuint(report(&e, 3 * SEC, &bytes, cut, 0, 150), ==, cut);
	g_assert_cmpuint(report(&e, 4 * SEC, &bytes, cut, 0, 80), ==, cut);
}

static void test_estimate_grows_slowly(void) {
	duet_estimator e;
	guint64 bytes;
	guint32 est = start_congested(&e, &bytes, 1000000, 5); /* 425 kbit/s */
	/* Clean reports every second, the sender using all it may. */
	for(int s = 2; s < 40; s++) {
		guint32 next = report(&e, s * SEC, &bytes, est, 0, 5);
		g_assert_cmpuint(next, >=, est);
		g_assert_cmpuint(next, <=, est * 1.26 + 1);
		est = next;
	}
	g_assert_cmpuint(est, >, 2000000);
	/* Mild loss (2-10 %) without a queue is the link's noise: it grows on. */
	guint32 noisy = report(&e, 40 * SEC, &bytes, est, LOST(5), 5);
	g_assert_cmpuint(noisy, >, est);
	/* The same loss with the round trip unknown holds it. */
	g_assert_cmpuint(report(&e, 41 * SEC, &bytes, noisy, LOST(5), -1), ==, noisy);
}

/* After a cut, a sender still sending well over its estimate has not
 * followed yet: the loss that goes on is its lag, not a smaller link. */
static void test_estimate_waits_for_sender(void) {
	duet_estimator e;
	guint64 bytes;
	guint32 cut = start_congested(&e, &bytes, 1700000, 5);
	g_assert_cmpuint(cut, <, 800000);
	/* Two more seconds at 1.7 Mbit/s with loss: no second cut. */
	g_assert_cmpuint(report(&e, 2 * SEC, &bytes, 1700000, LOST(50), 5), ==, cut);
	g_assert_cmpuint(report(&e, 3 * SEC, &bytes, 1700000, LOST(50), 5), ==, cut);
	/* Four seconds on, it may cut again, 40 % at most. */
	guint32 again = report(&e, 5 * SEC + 100000, &bytes, 1700000, LOST(90), 5);
	g_assert_cmpuint(again, <, cut);
	g_assert_cmpuint(again, >=, cut * 0.6);
	/* A sender that follows and still loses is cut at once (1.5 s after). */
	guint32 third = report(&e, 7 * SEC, &bytes, again, LOST(30), 5);
	g_assert_cmpuint(third, <, again);
}

/* One report that queued behind a keyframe holds growth; it takes a queue
 * seen building at two reports, or a long one, to cut. */
static void test_estimate_queue_spike(void) {
	duet_estimator e;
	guint64 bytes;
	guint32 est = start_congested(&e, &bytes, 1000000, 10);
	for(int s = 2; s < 5; s++)
		est = report(&e, s * SEC, &bytes, est, 0, 10);
	g_assert_cmpuint(report(&e, 5 * SEC, &bytes, est, 0, 90), ==, est); /* 80 ms once: hold */
	guint32 grown = report(&e, 6 * SEC, &bytes, est, 0, 10);
	g_assert_cmpuint(grown, >, est);
	g_assert_cmpuint(report(&e, 7 * SEC, &bytes, grown, 0, 50), ==, grown); /* 40 ms: hold */
	g_assert_cmpuint(report(&e, 8 * SEC, &bytes, grown, 0, 80), <, grown); /* building: cut */
}

/* A sender that relays 20 % more than its REMB asks is asked that much less. */
static void test_estimate_overshoot(void) {
	duet_estimator e;
	guint64 bytes;
	guint32 est = start_congested(&e, &bytes, 1000000, 10);
	g_assert_cmpuint(duet_estimator_ask(&e, est), ==, est); /* nothing measured yet */
	for(int s = 2; s < 60; s++) {
		guint32 asked = duet_estimator_ask(&e, est);
		est = report(&e, s * SEC, &bytes, (guint32)(asked * 1.2), 0, 30); /* a queue holds it */
	}
	guint32 asked = duet_estimator_ask(&e, est);
	g_assert_cmpfloat((double)est / asked, >=, 1.15);
	g_assert_cmpfloat((double)est / asked, <=, 1.2);
	g_assert_cmpuint(duet_estimator_ask(&e, 0), ==, 0);
	/* A sender that uses less than asked: no correction builds up. */
	duet_estimator_reset(&e);
	for(int s = 0; s < 60; s++) {
		asked = duet_estimator_ask(&e, 500000);
		report(&e, s * SEC, &bytes, 200000, 0, 10);
	}
	g_assert_cmpuint(duet_estimator_ask(&e, 500000), ==, 500000);
}

static void test_estimate_headroom(void) {
	duet_estimator e;
	guint64 bytes;
	start_congested(&e, &bytes, 1000000, 5);
	/* The sender sends only 200 kbit/s: the estimate stops at 1.5x that + 50k. */
	guint32 est = 0;
	for(int s = 2; s < 60; s++)
		est = report(&e, s * SEC, &bytes, 200000, 0, 5);
	g_assert_cmpuint(est, <=, 425000);
	/* Unless more is demanded (a simulcast layer up at 900 kbit/s). */
	for(int s = 60; s < 80; s++) {
		bytes += 200000 / 8;
		duet_feedback f = {.now = s * SEC, .relayed_bytes = bytes, .rtt_ms = 5, .demand = 900000};
		est = duet_estimator_update(&e, &f);
	}
	g_assert_cmpuint(est, >=, 900000);
}

static void test_estimate_remb(void) {
	g_assert_cmpuint(duet_estimate_remb(0, 0), ==, DUET_UNCAPPED_BITRATE);
	g_assert_cmpuint(duet_estimate_remb(0, 300000), ==, 300000);
	g_assert_cmpuint(duet_estimate_remb(500000, 300000), ==, 300000);
	g_assert_cmpuint(duet_estimate_remb(200000, 300000), ==, 200000);
	g_assert_cmpuint(duet_estimate_remb(200000, 0), ==, 200000);
}

/* A bottleneck of `capacity` bits/s with a 250 ms drop-tail buffer, fed by
 * a sender that sends min(estimate, 1.7 Mbit/s), one report a second. */
typedef struct link_sim {
	guint32 capacity;
	double queue_ms;
} link_sim;

static void link_step(link_sim *link, guint32 send, guint8 *lost, gint *rtt) {
	double excess_ms = ((double)send - link->capacity) / link->capacity * 1000;
	double room = 250 - link->queue_ms;
	double dropped_ms = excess_ms > room ? excess_ms - room : 0;
	link->queue_ms = CLAMP(link->queue_ms + excess_ms, 0, 250);
	*lost = (guint8)CLAMP(dropped_ms / 1000 * link->capacity / send * 256, 0, 255);
	*rtt = 20 + (gint)link->queue_ms;
}

static guint32 sender_rate(guint32 estimate) {
	return estimate == 0 ? 1700000 : MIN(estimate, 1700000);
}

/* On a steady link the estimate probes in a gentle saw-tooth around the
 * link rate (AIMD): bounded, without loss and with a short queue, and its
 * cuts do not come faster over time. */
static void test_estimate_settles(void) {
	duet_estimator e;
	duet_estimator_reset(&e);
	link_sim link = {.capacity = 500000};
	guint64 bytes = 0;
	guint32 est = 0, low = G_MAXUINT32, high = 0;
	guint decreases_at_20 = 0, decreases_at_60 = 0, lost_after_20 = 0;
	double sent = 0, queue = 0;
	for(int s = 0; s < 100; s++) {
		guint32 send = sender_rate(est);
		guint8 lost;
		gint rtt;
		link_step(&link, send, &lost, &rtt);
		est = report(&e, s * SEC, &bytes, send, lost, rtt);
		decreases_at_20 = s == 20 ? e.decreases : decreases_at_20;
		decreases_at_60 = s == 60 ? e.decreases : decreases_at_60;
		if(s > 20) {
			low = MIN(low, est);
			high = MAX(high, est);
			lost_after_20 += lost;
			sent += send;
			queue += link.queue_ms;
		}
	}
	g_assert_cmpuint(low, >=, 375000);
	g_assert_cmpuint(high, <=, 550000);
	g_assert_cmpuint(lost_after_20, ==, 0);
	g_assert_cmpfloat(sent / 79, >=, 425000); /* 85 % of the link on average */
	g_assert_cmpfloat(queue / 79, <=, 60);
	g_assert_cmpuint(decreases_at_60 - decreases_at_20, <=, 10); /* at most one cut per 4 s */
	g_assert_cmpuint(e.decreases - decreases_at_60, <=, decreases_at_60 - decreases_at_20 + 1);
}

static void test_estimate_step(void) {
	duet_estimator e;
	duet_estimator_reset(&e);
	link_sim link = {.capacity = 300000};
	guint64 bytes = 0;
	guint32 est = 0;
	for(int s = 0; s < 30; s++) {
		guint32 send = sender_rate(est);
		guint8 lost;
		gint rtt;
		link_step(&link, send, &lost, &rtt);
		est = report(&e, s * SEC, &bytes, send, lost, rtt);
	}
	g_assert_cmpuint(est, <=, 400000);
	/* The link recovers: the sender is back at full rate within 15 s. */
	link.capacity = 20000000;
	int s = 30;
	for(; s < 60 && sender_rate(est) < 1700000; s++) {
		guint32 send = sender_rate(est);
		guint8 lost;
		gint rtt;
		link_step(&link, send, &lost, &rtt);
		est = report(&e, s * SEC, &bytes, send, lost, rtt);
	}
	g_assert_cmpint(s - 30, <=, 15);
}

/* ---- the layer chooser -------------------------------------------------- */

/* Every layer at full frame rate. */
#define FLUID                                                                                                          \
	{ 30, 30, 30 }

static void test_layers(void) {
	duet_layers l;
	duet_layers_reset(&l);
	const duet_layer_rates rates = {{150000, 500000, 1500000}, FLUID};
	g_assert_cmpint(duet_layers_choose(&l, &rates, 0, 2, 0), ==, 2); /* nothing limits */
	g_assert_cmpint(duet_layers_choose(&l, &rates, 700000, 2, SEC), ==, 1); /* down at once */
	g_assert_cmpint(duet_layers_choose(&l, &rates, 100000, 2, 2 * SEC), ==, 0); /* nothing fits: lowest */
	/* Up only after the estimate held for 3 s. */
	g_assert_cmpint(duet_layers_choose(&l, &rates, 2000000, 2, 3 * SEC), ==, 0);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 2000000, 2, 5 * SEC), ==, 0);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 600000, 2, 5500000), ==, 0); /* held since 3 s: fits 1 */
	g_assert_cmpint(duet_layers_choose(&l, &rates, 2000000, 2, 6 * SEC), ==, 2);
	/* A brief good spell is not enough. */
	g_assert_cmpint(duet_layers_choose(&l, &rates, 700000, 2, 7 * SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 2000000, 2, 8 * SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 700000, 2, 9 * SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 2000000, 2, 10 * SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 2000000, 2, 12 * SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 2000000, 2, 13 * SEC), ==, 2);
	/* The receiver's own ceiling wins, at once. */
	g_assert_cmpint(duet_layers_choose(&l, &rates, 0, 0, 14 * SEC), ==, 0);
	/* Layers not arriving are never chosen. */
	const duet_layer_rates two = {{150000, 500000, 0}, FLUID};
	duet_layers_reset(&l);
	g_assert_cmpint(duet_layers_choose(&l, &two, 0, 2, 0), ==, 1);
	g_assert_cmpuint(duet_layers_demand(&l, &rates, 2), ==, 1500000 + DUET_LAYER_MARGIN);
}

/* A layer above the one relayed gets what its browser has left: starved
 * (under 1.5x the rate of the one under it), it is not switched to, and a
 * relayed layer that becomes starved is left at once. The relayed layer
 * needs only to stay within the estimate; a layer above needs room for
 * the audio too. */
static void test_layers_starved(void) {
	duet_layers l;
	duet_layers_reset(&l);
	/* 500 kbit/s link: 320x240 at 300 kbit/s, 640x480 gets 50 kbit/s. */
	const duet_layer_rates low = {{0, 300000, 50000}, FLUID};
	g_assert_cmpint(duet_layers_choose(&l, &low, 425000, 2, SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &low, 425000, 2, 9 * SEC), ==, 1);
	/* 1 Mbit/s: the upper layer gets 475 kbit/s; after 3 s, up. */
	const duet_layer_rates fed = {{0, 300000, 475000}, FLUID};
	g_assert_cmpint(duet_layers_choose(&l, &fed, 850000, 2, 10 * SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &fed, 850000, 2, 13 * SEC), ==, 2);
	/* Relayed, it gets the estimate less the audio: it stays. */
	const duet_layer_rates relayed = {{0, 300000, 775000}, FLUID};
	g_assert_cmpint(duet_layers_choose(&l, &relayed, 850000, 2, 14 * SEC), ==, 2);
	/* The link drops: squeezed to 350 kbit/s, under 1.5x the lower
	 * layer's 300: down at once. */
	const duet_layer_rates squeezed = {{0, 300000, 350000}, FLUID};
	g_assert_cmpint(duet_layers_choose(&l, &squeezed, 425000, 2, 15 * SEC), ==, 1);
	/* A relayed layer over the estimate itself (a browser that ignores the
	 * REMB) is left too. */
	duet_layers_reset(&l);
	const duet_layer_rates over = {{100000, 300000, 900000}, FLUID};
	g_assert_cmpint(duet_layers_choose(&l, &over, 0, 2, SEC), ==, 2);
	g_assert_cmpint(duet_layers_choose(&l, &over, 800000, 2, 2 * SEC), ==, 1);
}

/* A layer above that shows fewer frames than the one under it is starved
 * too, whatever its rate, and also while the estimate is unknown (the
 * start of a call: 640x480 at 2-13 fps went through for seconds). */
static void test_layers_few_frames(void) {
	duet_layers l;
	duet_layers_reset(&l);
	const duet_layer_rates start = {{0, 110000, 190000}, {0, 30, 8}};
	g_assert_cmpint(duet_layers_choose(&l, &start, 600000, 2, SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &start, 0, 2, 2 * SEC), ==, 1); /* nothing limits: the same */
	/* The upper layer at full frame rate: up after 3 s. */
	const duet_layer_rates fed = {{0, 150000, 500000}, {0, 30, 28}};
	g_assert_cmpint(duet_layers_choose(&l, &fed, 800000, 2, 3 * SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &fed, 800000, 2, 6 * SEC), ==, 2);
	/* Its frames fall under 60 % of the lower one's: down at once. */
	const duet_layer_rates dropping = {{0, 150000, 480000}, {0, 30, 17}};
	g_assert_cmpint(duet_layers_choose(&l, &dropping, 800000, 2, 7 * SEC), ==, 1);
	/* A layer that sends only padding (bytes, no frames) is never chosen. */
	duet_layers_reset(&l);
	const duet_layer_rates padding = {{100000, 300000, 200000}, {30, 30, 0}};
	g_assert_cmpint(duet_layers_choose(&l, &padding, 0, 2, SEC), ==, 1);
}

/* What a simulcasting sender is asked for: the estimate for the layer
 * relayed, plus the layers under it, which its browser fills first. */
static void test_layers_ask(void) {
	duet_layers l;
	duet_layers_reset(&l);
	const duet_layer_rates rates = {{150000, 500000, 1500000}, FLUID};
	g_assert_cmpuint(duet_layers_ask(&l, &rates, 0, 2), ==, 0); /* nothing limits */
	g_assert_cmpint(duet_layers_choose(&l, &rates, 100000, 2, 0), ==, 0);
	g_assert_cmpuint(duet_layers_ask(&l, &rates, 100000, 2), ==, 100000); /* the lowest does not fit */
	g_assert_cmpint(duet_layers_choose(&l, &rates, 700000, 1, SEC), ==, 0);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 700000, 1, 5 * SEC), ==, 1);
	g_assert_cmpuint(duet_layers_ask(&l, &rates, 700000, 1), ==, 850000);
	duet_layers_reset(&l);
	g_assert_cmpint(duet_layers_choose(&l, &rates, 3000000, 2, 0), ==, 2);
	g_assert_cmpuint(duet_layers_ask(&l, &rates, 3000000, 2), ==, 3650000);
	/* The lowest arriving layer is 1 (a browser sends two layers of a small
	 * camera): nothing under it. */
	const duet_layer_rates two = {{0, 250000, 800000}, FLUID};
	duet_layers_reset(&l);
	g_assert_cmpint(duet_layers_choose(&l, &two, 230000, 2, 0), ==, 1);
	g_assert_cmpuint(duet_layers_ask(&l, &two, 230000, 2), ==, 230000);
}

/* A layer above the relayed one that the estimate has room for is fed
 * with it (the relayed one under it added to the ask), so that it can show
 * it is worth relaying; starved by the relayed layer's ask, it never did. */
static void test_layers_feed_next(void) {
	duet_layers l;
	duet_layers_reset(&l);
	/* 1000 kbit/s link, estimate 751 kbit/s: 640x480 gets what 320x240 leaves. */
	const duet_layer_rates starved = {{0, 300000, 300000}, {0, 30, 14}};
	g_assert_cmpint(duet_layers_choose(&l, &starved, 751000, 2, SEC), ==, 1);
	g_assert_cmpuint(duet_layers_ask(&l, &starved, 751000, 2), ==, 1051000);
	g_assert_cmpuint(duet_layers_ask(&l, &starved, 751000, 1), ==, 751000); /* the receiver's ceiling */
	g_assert_cmpuint(duet_layers_ask(&l, &starved, 400000, 2), ==, 400000); /* no room for it */
	/* Fed, it runs at full frame rate within the estimate: up after 3 s,
	 * and the ask does not change with the switch. */
	const duet_layer_rates fed = {{0, 300000, 640000}, {0, 30, 30}};
	g_assert_cmpint(duet_layers_choose(&l, &fed, 751000, 2, 2 * SEC), ==, 1);
	g_assert_cmpint(duet_layers_choose(&l, &fed, 751000, 2, 5 * SEC), ==, 2);
	g_assert_cmpuint(duet_layers_ask(&l, &fed, 751000, 2), ==, 1051000);
	/* The top layer has nothing above it to feed. */
	const duet_layer_rates three = {{150000, 500000, 1500000}, FLUID};
	duet_layers_reset(&l);
	g_assert_cmpint(duet_layers_choose(&l, &three, 0, 2, 0), ==, 2);
	g_assert_cmpuint(duet_layers_ask(&l, &three, 3000000, 2), ==, 3650000);
}

void register_adapt_tests(void) {
	g_test_add_func("/adapt/loss_meter", test_loss_meter);
	g_test_add_func("/adapt/estimate_loss_cuts", test_estimate_loss_cuts);
	g_test_add_func("/adapt/estimate_queue_cuts", test_estimate_queue_cuts);
	g_test_add_func("/adapt/estimate_grows_slowly", test_estimate_grows_slowly);
	g_test_add_func("/adapt/estimate_waits_for_sender", test_estimate_waits_for_sender);
	g_test_add_func("/adapt/estimate_queue_spike", test_estimate_queue_spike);
	g_test_add_func("/adapt/estimate_overshoot", test_estimate_overshoot);
	g_test_add_func("/adapt/estimate_headroom", test_estimate_headroom);
	g_test_add_func("/adapt/estimate_remb", test_estimate_remb);
	g_test_add_func("/adapt/estimate_settles", test_estimate_settles);
	g_test_add_func("/adapt/estimate_step", test_estimate_step);
	g_test_add_func("/adapt/layers", test_layers);
	g_test_add_func("/adapt/layers_starved", test_layers_starved);
	g_test_add_func("/adapt/layers_few_frames", test_layers_few_frames);
	g_test_add_func("/adapt/layers_ask", test_layers_ask);
	g_test_add_func("/adapt/layers_feed_next", test_layers_feed_next);
}
