/*
 * fuzz_feedback.c - libFuzzer target for what the network adaptation reads
 * from the network: receiver RTCP (report blocks, round-trip time, and
 * transport-wide feedback through the delivery meter) fed into the
 * estimator and the layer chooser, and the answer SDP edit for
 * simulcast (an answer is any text a client sends). Plain C, no stub core.
 *
 * Input: first byte picks the part; for RTCP, the rest is a series of
 * packets, each a length byte then that many bytes, one per simulated
 * 300 ms; for SDP, offer and answer split at the first NUL.
 * Invariants: no crash or sanitizer report; an estimate is 0 or at least
 * the floor; a loss reading is -1 or 0..255; a chosen layer is within 0..ceiling; an edited answer has the rid extmap.
 */
#include <stdlib.h>
#include <string.h>

#include "delivery.h"
#include "estimate.h"
#include "layers.h"
#include "loss.h"
#include "rtcp_report.h"
#include "sdp_audio.h"
#include "sdp_simulcast.h"
#include "twcc.h"

static void fuzz_rtcp(const guint8 *data, size_t size) {
	duet_estimator estimator;
	duet_layers layers;
	duet_loss_meter loss;
	duet_delivery delivery;
	duet_relayed relayed_media = {0};
	duet_delivery_reset(&delivery);
	duet_estimator_reset(&estimator);
	duet_loss_meter_reset(&loss);
	duet_layers_reset(&layers);
	guint64 relayed = 0;
	gint64 now = G_USEC_PER_SEC, wall = (gint64)1700000000 * G_USEC_PER_SEC;
	while(size > 0) {
		size_t len = MIN((size_t)data[0], size - 1);
		const guint8 *packet = data + 1;
		duet_rtcp_report report;
		duet_twcc twcc;
		if(duet_twcc_read(packet, len, &twcc)) {
			relayed_media.video_packets += len;
			relayed_media.video_bytes += len * 1100u;
			relayed_media.other_bytes += 400;
			gint burst = duet_delivery_add(&delivery, &twcc, &relayed_media, now);
			if(burst < -1 || burst > 255 || twcc.received > twcc.count)
				abort();
			duet_feedback f = {.now = now,
			    .fraction_lost = burst,
			    .rtt_ms = -1,
			    .relayed_bytes = relayed,
			    .delivered = duet_delivery_rate(&delivery, now)};
			guint32 estimate = duet_estimator_burst(&estimator, &f);
			if(estimate != 0 && estimate < DUET_ESTIMATE_FLOOR)
				abort();
		}
		if(duet_rtcp_read_report(packet, len, &report)) {
			relayed += 1000 + (len > 0 ? packet[0] * 997u : 0);
			duet_feedback f = {.now = now,
			    .fraction_lost = duet_loss_meter_add(&loss, &report, now),
			    .rtt_ms = duet_rtcp_rtt_ms(&report, wall),
			    .relayed_bytes = relayed,
			    .delivered = duet_delivery_rate(&delivery, now),
			    .demand = len > 1 ? packet[1] * 10000u : 0};
			if(f.fraction_lost < -1 || f.fraction_lost > 255)
				abort();
			guint decreases = estimator.decreases;
			guint32 estimate = duet_estimator_update(&estimator, &f);
			if(estimator.decreases != decreases)
				duet_loss_meter_restart(&loss, now + DUET_SENDER_REACTION_US);
			if(estimate != 0 && estimate < DUET_ESTIMATE_FLOOR)
				abort();
			duet_layer_rates rates = {{len * 1000u, len * 5000u, len > 2 ? packet[2] * 20000u : 0},
			    {30, len > 4 ? packet[4] % 31u : 30, len > 5 ? packet[5] % 31u : 30}};
			int ceiling = len > 3 ? packet[3] % DUET_LAYERS : 2;
			int layer = duet_layers_choose(&layers, &rates, estimate, ceiling, now);
			if(layer < 0 || layer > ceiling)
				abort();
			guint32 ask = duet_layers_ask(&layers, &rates, estimate, ceiling);
			if((ask == 0) != (estimate == 0) || ask < estimate) /* the layer relayed always gets the estimate */
				abort();
		}
		data += len + 1;
		size -= len + 1;
		now += 300 * 1000;
		wall += 300 * 1000;
	}
}

static void fuzz_sdp(const guint8 *data, size_t size) {
	char *text = g_strndup((const char *)data, size);
	size_t offer_len = strlen(text);
	const char *answer = offer_len < size ? (const char *)data + offer_len + 1 : "";
	char *answer_text = g_strndup(answer, size - MIN(size, offer_len + 1));
	char *edited = duet_sdp_accept_rids(text, answer_text);
	if(edited && strstr(edited, "rtp-stream-id") == NULL) /* it claimed to add a rid extmap */
		abort();
	g_free(edited);
	edited = duet_sdp_prefer_red(text);
	if(edited && strstr(edited, "m=audio ") == NULL) /* it claimed to move RED in an audio m-line */
		abort();
	g_free(edited);
	g_free(answer_text);
	g_free(text);
}

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size) {
	if(size == 0)
		return 0;
	if(data[0] & 1)
		fuzz_sdp(data + 1, size - 1);
	else
		fuzz_rtcp(data + 1, size - 1);
	return 0;
}
