/*
 * adapt.c - network adaptation of one receiving leg (Janus glue).
 *
 * Runs on the receiver's RTCP path, under its link_lock, for each RTCP
 * packet of a receiver in an adaptive room: feeds the receiver's reports
 * into its downlink's estimator (estimate.c), then steers the sender: a
 * REMB within the estimate and the caps, or, when the sender simulcasts,
 * the layer that fits (layers.c; simulcast.c relays it). A REMB the
 * receiver's browser sends itself (browsers without transport-wide
 * feedback) is honoured as an upper bound. No allocation; about one
 * update a second. Design and constants: docs/adaptation.md.
 */
#include "glue.h"
#include "rtcp_report.h"

/* How long a sender takes to follow a lower REMB: the REMB's trip, its
 * encoder's next frames, its pacer's queue. */
#define SENDER_REACTION_US (500 * 1000)

static guint32 lower_known(guint32 a, guint32 b) {
	if(a == 0)
		return b;
	return b == 0 ? a : MIN(a, b);
}

/* The estimator's view of one report. */
static guint32 update_estimate(duet_member *receiver, duet_session *sender, const duet_rtcp_report *report) {
	guint32 rates[DUET_LAYERS];
	gboolean layered = duet_simulcast_rates(&sender->sim, rates);
	int ceiling = g_atomic_int_get(&receiver->want_substream);
	gint64 now = janus_get_monotonic_time();
	duet_feedback feedback = {
	    .now = now,
	    .fraction_lost = duet_loss_meter_add(&receiver->loss, report, now),
	    .rtt_ms = duet_rtcp_rtt_ms(report, g_get_real_time()),
	    .relayed_bytes = duet_member_total_bytes(&sender->member),
	    .demand = layered ? duet_layers_demand(&receiver->layers, rates, ceiling) : 0,
	};
	guint decreases = receiver->estimator.decreases;
	guint32 estimate = duet_estimator_update(&receiver->estimator, &feedback);
	if(receiver->estimator.decreases == decreases)
		return estimate;
	/* What the sender sends until it follows the cut is lost on: not news. */
	duet_loss_meter_restart(&receiver->loss, now + SENDER_REACTION_US);
	JANUS_LOG(LOG_VERB,
	    "[duet] downlink of %p congested (loss %d/256, queue %d ms, relayed %u bit/s): estimate %u bit/s, capacity "
	    "%u\n",
	    receiver->handle, feedback.fraction_lost, receiver->estimator.queue_ms, receiver->estimator.rate, estimate,
	    receiver->estimator.capacity);
	return estimate;
}

/* Picks the sender's layer for this receiver, when the sender simulcasts. */
static void choose_layer(duet_member *receiver, duet_session *sender, guint32 estimate) {
	guint32 rates[DUET_LAYERS];
	if(!duet_simulcast_rates(&sender->sim, rates))
		return;
	int ceiling = g_atomic_int_get(&receiver->want_substream);
	int layer = duet_layers_choose(&receiver->layers, rates, estimate, ceiling, janus_get_monotonic_time());
	g_atomic_int_set(&receiver->layer_target, layer);
}

gboolean duet_adapt_feedback(duet_session *receiver_session, janus_plugin_rtcp *packet, guint32 remb) {
	duet_member *receiver = &receiver_session->member;
	duet_session *sender = duet_session_of(receiver->peer);
	duet_rtcp_report report;
	gboolean has_report = duet_rtcp_read_report((const guint8 *)packet->buffer, (size_t)packet->length, &report);
	if(!has_report && remb == 0)
		return TRUE;
	if(remb > 0)
		receiver->receiver_remb = remb;
	guint32 estimate = has_report ? update_estimate(receiver, sender, &report) : receiver->estimator.estimate;
	estimate = lower_known(estimate, receiver->receiver_remb);
	g_atomic_int_set(&receiver->estimate, (gint)estimate);
	choose_layer(receiver, sender, estimate);
	guint32 limit = g_atomic_int_get(&sender->member.simulcasting) ? 0 : estimate;
	limit = duet_estimator_ask(&receiver->estimator, limit);
	duet_gateway->send_remb(sender->handle, duet_estimate_remb(limit, duet_member_cap(&sender->member)));
	return TRUE;
}
