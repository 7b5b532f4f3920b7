/*
 * test_delivery.c - what the receiver's transport-wide feedback tells the
 * adaptation, without Janus: the arrival rate and loss bursts it gives
 * (delivery.c; its reader, twcc.c: test_rtcp.c), and how the estimator uses
 * them (estimate.c: cuts to what the link delivered; no cut when the link
 * carries more than the sender was allowed, nor for a queue the downlink
 * does not show; no growth while more is fed into the link than comes
 * out).
 */
#include "delivery.h"
#include "estimate.h"
#include "tests.h"
#include "twcc.h"

#define SEC G_USEC_PER_SEC
#define MS 1000

/* ---- the delivery meter ------------------------------------------------- */

/* A receiver's link as its feedback shows it. */
typedef struct link {
	duet_delivery d;
	guint16 seq;
	gint64 now, arrival;
	duet_relayed relayed;
} link;

/* Feeds `feedbacks` feedbacks, one per 100 ms, of `count` packets of which
 * `lost` never arrived, at `arrival_gap` per packet; the relay sent 1,000
 * bytes per video packet and 4,000 bytes/s of audio. Returns the last
 * burst reading. */
static gint feed(link *l, int feedbacks, guint16 count, guint16 lost, gint64 arrival_gap) {
	gint burst = -1;
	for(int i = 0; i < feedbacks; i++) {
		l->now += 100 * MS;
		l->relayed.video_packets += count;
		l->relayed.video_bytes += count * 1000u;
		l->relayed.other_bytes += 400;
		l->arrival += (count - lost) * arrival_gap;
		duet_twcc fb = {.base_seq = l->seq, .count = count, .received = count - lost, .last_arrival_us = l->arrival};
		l->seq += count;
		gint b = duet_delivery_add(&l->d, &fb, &l->relayed, l->now);
		if(b >= 0)
			burst = b;
	}
	return burst;
}

static void test_delivery_rate(void) {
	link l = {.seq = 65500, .now = SEC, .arrival = 5 * SEC};
	duet_delivery_reset(&l.d);
	/* 5 packets arrive every 20 ms of each 100 ms: 50 packets/s of 1,000
	 * bytes, 400 kbit/s, plus 32 kbit/s of audio. The sequence wraps. */
	g_assert_cmpint(feed(&l, 10, 5, 0, 20 * MS), ==, -1);
	guint32 rate = duet_delivery_rate(&l.d, l.now);
	g_assert_cmpuint(rate, >=, 428000);
	g_assert_cmpuint(rate, <=, 436000);
	/* Twice the packets in the same time: 100 packets/s. */
	feed(&l, 10, 10, 0, 10 * MS);
	g_assert_cmpuint(duet_delivery_rate(&l.d, l.now), >=, 790000);
	/* A reading goes stale after 1.5 s. */
	g_assert_cmpuint(duet_delivery_rate(&l.d, l.now + 2 * SEC), ==, 0);
	/* A feedback lost on the way: the next window starts after it. */
	l.seq += 3;
	feed(&l, 3, 5, 0, 40 * MS);
	g_assert_cmpuint(duet_delivery_rate(&l.d, l.now), >=, 790000); /* not read yet */
	feed(&l, 1, 5, 0, 40 * MS);
	rate = duet_delivery_rate(&l.d, l.now);
	g_assert_cmpuint(rate, >=, 228000); /* 25 packets/s + audio */
	g_assert_cmpuint(rate, <=, 236000);
	/* A late or repeated feedback counts nothing. */
	duet_twcc late = {.base_seq = (guint16)(l.seq - 5), .count = 5, .received = 5, .last_arrival_us = l.arrival};
	duet_delivery d = l.d;
	g_assert_cmpint(duet_delivery_add(&l.d, &late, &l.relayed, l.now), ==, -1);
	g_assert_cmpmem(&d, sizeof(d), &l.d, sizeof(l.d));
}

static void test_delivery_bursts(void) {
	link l = {.seq = 1, .now = SEC, .arrival = SEC};
	duet_delivery_reset(&l.d);
	feed(&l, 1, 5, 0, 20 * MS); /* sets the counters */
	/* Random loss (1 in 10): no burst. */
	g_assert_cmpint(feed(&l, 20, 10, 1, 10 * MS), ==, -1);
	/* The queue overflows: half of 10 lost. */
	g_assert_cmpint(feed(&l, 1, 10, 5, 10 * MS), ==, 128);
	/* Told to ignore loss for 500 ms (a cut): nothing read until then. */
	duet_delivery_ignore_loss(&l.d, l.now + 500 * MS);
	g_assert_cmpint(feed(&l, 4, 10, 8, 10 * MS), ==, -1);
	g_assert_cmpint(feed(&l, 2, 10, 8, 10 * MS), ==, 204);
}

static void test_delivery_burst_window(void) {
	link l = {.seq = 1, .now = SEC, .arrival = SEC};
	duet_delivery_reset(&l.d);
	feed(&l, 6, 5, 0, 20 * MS);
	g_assert_cmpuint(duet_delivery_rate(&l.d, l.now), >=, 428000);
	/* The link drops: 3 of 10 arrive, 30 ms apart. A burst closes the
	 * window at 200 ms of arrivals instead of 500: the rate is the new
	 * link's (33 packets/s of 1,000 bytes, and the 3 in 10 of the audio
	 * that got through). */
	feed(&l, 2, 10, 7, 30 * MS);
	g_assert_cmpuint(duet_delivery_rate(&l.d, l.now), >=, 428000);
	feed(&l, 1, 10, 7, 30 * MS);
	guint32 rate = duet_delivery_rate(&l.d, l.now);
	g_assert_cmpuint(rate, >=, 270000);
	g_assert_cmpuint(rate, <=, 282000);
}

/* Audio and data have no transport-wide numbers, but they cross the same
 * queue as the video: they are counted delivered at the video's share. A
 * burst at the start of a call (half of it lost) otherwise counted all the
 * audio relayed as delivered, and the link's capacity came out 10 % over
 * what it carries. */
static void test_delivery_other_media(void) {
	link l = {.seq = 1, .now = SEC, .arrival = SEC};
	duet_delivery_reset(&l.d);
	feed(&l, 1, 10, 0, 10 * MS);
	/* 5 of 10 arrive, 20 ms apart: 400 kbit/s of video; half of the 32
	 * kbit/s of audio. */
	feed(&l, 6, 10, 5, 20 * MS);
	guint32 rate = duet_delivery_rate(&l.d, l.now);
	g_assert_cmpuint(rate, >=, 412000);
	g_assert_cmpuint(rate, <=, 420000);
}

/* ---- the estimator with what the link delivered ------------------------- */

static guint32 step(
    duet_estimator *e, gint64 now, guint64 *bytes, guint32 relayed, guint32 delivered, gint lost, gint rtt) {
	*bytes += relayed / 8;
	duet_feedback f = {
	    .now = now, .fraction_lost = lost, .rtt_ms = rtt, .relayed_bytes = *bytes, .delivered = delivered};
	return duet_estimator_update(e, &f);
}

/* A fresh estimator fed `relayed` for a second, clean, then with 40 %
 * loss: returns the estimate after that first cut. */
static guint32 first_cut(duet_estimator *e, guint64 *bytes, guint32 relayed, guint32 delivered) {
	duet_estimator_reset(e);
	*bytes = 0;
	step(e, 0, bytes, relayed, delivered, 0, 10);
	return step(e, SEC, bytes, relayed, delivered, 102, 10);
}

static void test_estimate_delivered(void) {
	duet_estimator e;
	guint64 bytes;
	/* 1 Mbit/s into a link that delivers 600 kbit/s: the cut is to 85 % of
	 * what was delivered, however much was lost on the way. */
	guint32 cut = first_cut(&e, &bytes, 1000000, 600000);
	g_assert_cmpuint(cut, >=, 509999);
	g_assert_cmpuint(cut, <=, 510000);
	g_assert_cmpuint(e.capacity, ==, 600000);
	/* The core resends the NACKed video: the link is full (a queue stands),
	 * though the sender keeps to its estimate. No second cut. */
	step(&e, 3 * SEC, &bytes, 400000, 600000, 0, 10);
	g_assert_cmpuint(step(&e, 4 * SEC, &bytes, 400000, 600000, 0, 200), ==, cut);
	g_assert_cmpuint(step(&e, 5 * SEC, &bytes, 400000, 600000, 0, 210), ==, cut);
	g_assert_cmpuint(e.decreases, ==, 1);
	/* More fed into the link than comes out: no growth, though clean (the
	 * round trip unknown, the rates alone say it; else the queue must
	 * grow too, test_estimate_recovers). */
	g_assert_cmpuint(step(&e, 6 * SEC, &bytes, 500000, 400000, 0, -1), ==, cut);
	/* What is fed comes out: growth. */
	g_assert_cmpuint(step(&e, 7 * SEC, &bytes, 500000, 500000, 0, 10), >, cut);
}

static void test_estimate_deep_cut(void) {
	duet_estimator e;
	guint64 bytes;
	guint32 first = first_cut(&e, &bytes, 1700000, 1400000);
	g_assert_cmpuint(first, >=, 1189999);
	/* The link drops to 250 kbit/s: what it delivers is measured, so one
	 * cut goes all the way (no 40 % limit, as for a relay measure). */
	guint32 cut = step(&e, 3 * SEC, &bytes, 1200000, 250000, 200, 10);
	g_assert_cmpuint(cut, >=, 212499);
	g_assert_cmpuint(cut, <=, 212500);
	/* Without a delivered rate, a cut takes at most 40 % off what was
	 * allowed or sent (600 kbit/s: 1.2 Mbit over those 2 s). */
	first = first_cut(&e, &bytes, 1700000, 0);
	g_assert_cmpuint(first, >, 600000);
	g_assert_cmpuint(step(&e, 3 * SEC, &bytes, 1200000, 0, 250, 10), >=, 359999);
}

static void test_estimate_uplink_queue(void) {
	duet_estimator e;
	guint64 bytes;
	guint32 cut = first_cut(&e, &bytes, 1000000, 600000);
	/* The round trip grows by 150-300 ms (the receiver's uplink, or a busy
	 * receiver), but the downlink delivers all it is fed: no cut, and
	 * while that queue does not grow, the estimate does. */
	step(&e, 3 * SEC, &bytes, 450000, 460000, 0, 10);
	g_assert_cmpuint(step(&e, 4 * SEC, &bytes, 450000, 460000, 0, 160), ==, cut); /* grew: hold */
	guint32 grown = step(&e, 5 * SEC, &bytes, 450000, 460000, 0, 160);
	g_assert_cmpuint(grown, >, cut);
	g_assert_cmpuint(step(&e, 6 * SEC, &bytes, 450000, 460000, 0, 310), ==, grown);
	g_assert_cmpuint(e.decreases, ==, 1);
	/* The feedback says the downlink is fed 1.2x what it delivers, but the
	 * queue does not grow as that would make it (200 ms a second): what
	 * is delivered lags (a backlog draining after a step down). No cut. */
	g_assert_cmpuint(step(&e, 7 * SEC, &bytes, 540000, 450000, 0, 320), ==, grown);
	/* The queue grows as the feedback says: cut. */
	g_assert_cmpuint(step(&e, 8 * SEC, &bytes, 540000, 450000, 0, 520), <, grown);
	g_assert_cmpuint(e.decreases, ==, 2);
}

/* A queue that stands at the settle point says the link tops out there:
 * no probe above it until the queue is short again, and a probe that meets
 * one goes back. (A capacity measured 10 % high put the settle point at the
 * link's rate: a queue of 100-120 ms stood for seconds, probes went above
 * it, and the next keyframe overflowed the buffer.) */
static void test_estimate_standing_queue(void) {
	duet_estimator e;
	guint64 bytes;
	first_cut(&e, &bytes, 1000000, 600000);
	g_assert_cmpuint(step(&e, 2 * SEC, &bytes, 510000, 510000, 0, 10), ==, 540000); /* the settle point */
	gint64 now = 3 * SEC;
	for(; now < 12 * SEC; now += SEC)
		g_assert_cmpuint(step(&e, now, &bytes, 540000, 540000, 0, 80), <=, 540000);
	/* The queue drained: the probe comes 2 s later. */
	for(; now < 16 * SEC; now += SEC)
		step(&e, now, &bytes, e.estimate, e.estimate, 0, 10);
	g_assert_cmpuint(e.estimate, >, 540000);
	/* A probe that meets a standing queue ends. */
	step(&e, now, &bytes, e.estimate, e.estimate, 0, 70);
	g_assert_cmpuint(step(&e, now + SEC, &bytes, e.estimate, e.estimate, 0, 75), ==, 540000);
	g_assert_cmpuint(e.decreases, ==, 1);
}

/* A probe leads what the sender relays by 15 % at most: one that ran
 * ahead of an encoder slow to follow reached 1.3x the capacity (which
 * forgot it) with nothing relayed above the link, and the encoder's next
 * jump to that limit overflowed the buffer. */
static void test_estimate_probe_leads(void) {
	duet_estimator e;
	guint64 bytes;
	first_cut(&e, &bytes, 1000000, 600000);
	g_assert_cmpuint(step(&e, 2 * SEC, &bytes, 510000, 510000, 0, 10), ==, 540000);
	for(gint64 now = 3 * SEC; now < 15 * SEC; now += SEC)
		step(&e, now, &bytes, 500000, 500000, 0, 10);
	g_assert_cmpuint(e.estimate, <=, 575000);
	g_assert_cmpuint(e.capacity, ==, 600000);
	/* The sender follows: so does the probe. */
	for(gint64 now = 15 * SEC; now < 18 * SEC; now += SEC)
		step(&e, now, &bytes, e.estimate, e.estimate, 0, 10);
	g_assert_cmpuint(e.estimate, >, 580000);
}

/* A cut on loss asks the sender for a keyframe once it has followed the
 * cut: what the overflow lost is often lost for good (its retransmissions
 * went into the same full buffer, and the core keeps sent packets only a
 * round trip and 100 ms), and the receiver asks for a keyframe itself only
 * after 3 s without a decodable frame. A cut on a queue alone lost nothing. */
static void test_estimate_keyframe_after_loss(void) {
	duet_estimator e;
	guint64 bytes;
	first_cut(&e, &bytes, 1000000, 600000);
	g_assert_false(duet_estimator_keyframe_due(&e, SEC + 400 * MS));
	g_assert_true(duet_estimator_keyframe_due(&e, SEC + 500 * MS));
	g_assert_false(duet_estimator_keyframe_due(&e, SEC + 600 * MS)); /* once */
	/* A queue building for two reports: a cut without loss. */
	step(&e, 3 * SEC, &bytes, 560000, 450000, 0, 80);
	g_assert_cmpuint(step(&e, 4 * SEC, &bytes, 560000, 450000, 0, 400), <, 510000);
	g_assert_cmpuint(e.decreases, ==, 2);
	g_assert_false(duet_estimator_keyframe_due(&e, 6 * SEC));
	/* The same, but the transport-wide feedback reported packets lost since
	 * the last report (the report itself had no loss reading yet). */
	bytes += 400000 * 3 / 2 / 8; /* 1.5 s at 400 kbit/s */
	duet_feedback f = {.now = 5500 * MS,
	    .fraction_lost = -1,
	    .rtt_ms = 800,
	    .relayed_bytes = bytes,
	    .delivered = 300000,
	    .lost_packets = 4};
	guint32 before = e.estimate;
	g_assert_cmpuint(duet_estimator_update(&e, &f), <, before);
	g_assert_true(duet_estimator_keyframe_due(&e, 6 * SEC));
}

static void test_estimate_burst(void) {
	duet_estimator e;
	duet_estimator_reset(&e);
	guint64 bytes = 0;
	duet_feedback f = {.now = 0, .fraction_lost = 128, .rtt_ms = -1, .delivered = 450000};
	/* Before any report, a burst cannot cut: nothing measured. */
	g_assert_cmpuint(duet_estimator_burst(&e, &f), ==, 0);
	step(&e, 0, &bytes, 1700000, 0, 0, 10);
	step(&e, SEC, &bytes, 1700000, 0, 0, 10);
	/* A burst between reports cuts to 85 % of what was delivered. */
	f.now = SEC + 300 * MS;
	guint32 cut = duet_estimator_burst(&e, &f);
	g_assert_cmpuint(cut, >=, 382499);
	g_assert_cmpuint(cut, <=, 382500);
	/* Loss under 10 % is no burst; another within 1.5 s does not cut. */
	f.now += 2 * SEC, f.fraction_lost = 20;
	g_assert_cmpuint(duet_estimator_burst(&e, &f), ==, cut);
	f.now = SEC + SEC, f.fraction_lost = 200, f.delivered = 200000;
	g_assert_cmpuint(duet_estimator_burst(&e, &f), ==, cut);
}

/* A bottleneck of `capacity` bits/s with a 250 ms drop-tail buffer, one
 * report a second, whose receiver's feedback says what came out of it.
 * As in a real call, that feedback lags what was relayed: it reads a
 * window that ended before the report (delivery.c), here the average of
 * the last two seconds. */
typedef struct fed_link {
	guint32 capacity;
	double queue_bits;
	guint32 out; /* bits/s out of the link over the last second */
	guint32 delivered; /* what the feedback says it delivered */
	double noise; /* the feedback's error: + and - this share in turn */
	gint lost; /* 1/256 */
	gint rtt_ms;
	int steps;
} fed_link;

static void fed_link_step(fed_link *l, guint32 send) {
	double out = MIN((double)l->capacity, send + l->queue_bits);
	double queue = l->queue_bits + send - out;
	double buffer = l->capacity / 4.0;
	double dropped = MAX(queue - buffer, 0);
	l->queue_bits = queue - dropped;
	double delivered = l->out == 0 ? out : (out + l->out) / 2;
	l->delivered = (guint32)(delivered * (l->steps++ % 2 ? 1 + l->noise : 1 - l->noise));
	l->out = (guint32)out;
	l->lost = (gint)CLAMP(dropped / send * 256, 0, 255);
	l->rtt_ms = 20 + (gint)(l->queue_bits * 1000 / l->capacity);
}

/* What a sender allowed `estimate` sends in second `s`: a video encoder
 * sends 5 % over or under its target from one second to the next
 * (keyframes, motion). */
static guint32 send_rate(guint32 estimate, int s) {
	double target = estimate == 0 ? 1700000 : MIN(estimate, 1700000);
	return (guint32)(target * (s % 2 ? 1.05 : 0.95));
}

/* A call over a fed_link: the estimator, the link, the seconds so far. */
typedef struct fed_call {
	duet_estimator e;
	fed_link l;
	guint64 bytes;
	int s;
} fed_call;

static void fed_start(fed_call *c, guint32 capacity) {
	*c = (fed_call){.l = {.capacity = capacity}};
	duet_estimator_reset(&c->e);
}

/* One second on the link: returns what was sent. */
static guint32 fed_second(fed_call *c) {
	guint32 send = send_rate(c->e.estimate, c->s);
	fed_link_step(&c->l, send);
	step(&c->e, c->s * SEC, &c->bytes, send, c->l.delivered, c->l.lost, c->l.rtt_ms);
	c->s++;
	return send;
}

/* Runs the call to its 100th second; returns what the link lost after
 * the first 20 (1/256 per second, summed). */
static gint lost_until_100(fed_call *c) {
	gint lost = 0;
	while(c->s < 100) {
		fed_second(c);
		if(c->s > 20)
			lost += c->l.lost;
	}
	return lost;
}

/* What the link delivers tells the estimator where it tops out: after the
 * first cut it settles under the link and probes above it without
 * overflowing the buffer (a loss burst there freezes the receiver's
 * video for seconds), and still uses most of the link. */
static void test_estimate_no_overflow(void) {
	fed_call c;
	fed_start(&c, 500000);
	double sent = 0;
	gint lost = 0;
	while(c.s < 100) {
		guint32 send = fed_second(&c);
		if(c.s > 20)
			sent += send, lost += c.l.lost;
	}
	g_assert_cmpint(lost, ==, 0);
	g_assert_cmpfloat(sent / 80, >=, 0.85 * c.l.capacity);
}

/* The same at 300 kbit/s, with feedback whose delivered rate is off by
 * 8 % either way (its 500 ms windows, the sizes of the packets in them):
 * that is no sign the link got better, and growing on it overflowed the
 * buffer (a benchmark run: 9 and 21 % of the window frozen). */
static void test_estimate_noisy_feedback(void) {
	fed_call c;
	fed_start(&c, 300000);
	c.l.noise = 0.08;
	g_assert_cmpint(lost_until_100(&c), ==, 0);
}

/* The first cut of a call measures the link during a flood (the sender
 * starts at its full rate), in 200 ms of feedback with most of it lost:
 * that capacity can be 15 % off either way. The link corrects it without
 * overflowing its buffer. */
static void test_estimate_first_measure_off(void) {
	for(int sign = -1; sign <= 1; sign += 2) {
		fed_call c;
		fed_start(&c, 300000);
		while(c.e.decreases == 0)
			fed_second(&c);
		c.e.capacity = (guint32)(c.e.capacity * (1 + sign * 0.15));
		g_assert_cmpint(lost_until_100(&c), ==, 0);
	}
}

/* After the link recovers, probes find it out: the sender is back at its
 * full rate within 15 s. */
static void test_estimate_recovers(void) {
	fed_call c;
	fed_start(&c, 300000);
	while(c.s < 40)
		fed_second(&c);
	g_assert_cmpuint(c.e.estimate, <=, 330000);
	c.l.capacity = 20000000;
	while(c.s < 80 && (c.e.estimate != 0 && c.e.estimate < 1700000))
		fed_second(&c);
	g_assert_cmpint(c.s - 40, <=, 16);
}

void register_delivery_tests(void) {
	g_test_add_func("/delivery/rate", test_delivery_rate);
	g_test_add_func("/delivery/bursts", test_delivery_bursts);
	g_test_add_func("/delivery/burst_window", test_delivery_burst_window);
	g_test_add_func("/delivery/other_media", test_delivery_other_media);
	g_test_add_func("/delivery/estimate_delivered", test_estimate_delivered);
	g_test_add_func("/delivery/estimate_deep_cut", test_estimate_deep_cut);
	g_test_add_func("/delivery/estimate_uplink_queue", test_estimate_uplink_queue);
	g_test_add_func("/delivery/estimate_standing_queue", test_estimate_standing_queue);
	g_test_add_func("/delivery/estimate_probe_leads", test_estimate_probe_leads);
	g_test_add_func("/delivery/estimate_keyframe_after_loss", test_estimate_keyframe_after_loss);
	g_test_add_func("/delivery/estimate_burst", test_estimate_burst);
	g_test_add_func("/delivery/estimate_no_overflow", test_estimate_no_overflow);
	g_test_add_func("/delivery/estimate_noisy_feedback", test_estimate_noisy_feedback);
	g_test_add_func("/delivery/estimate_first_measure_off", test_estimate_first_measure_off);
	g_test_add_func("/delivery/estimate_recovers", test_estimate_recovers);
}
