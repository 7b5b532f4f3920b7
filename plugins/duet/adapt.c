/*
 * adapt.c - network adaptation of one receiving leg (Janus glue).
 *
 * Runs on the receiver's RTCP path, under its link_lock, for each RTCP
 * packet of a receiver in an adaptive room: feeds the receiver's reports
 * and transport-wide feedback (delivery.c) into its downlink's estimator
 * (estimate.c), then steers the sender: a
 * REMB within the estimate and the caps, or, when the sender simulcasts,
 * the layer that fits (layers.c; simulcast.c relays it), and, after a cut
 * on loss, a keyframe once the sender follows it. A REMB the
 * receiver's browser sends itself (browsers without transport-wide
 * feedback) is honoured as an upper bound. No allocation; one update a
 * second, and a few cheap counts per second between. Design and constants: docs/adaptation.md.
 */
#include "glue.h"
#include "rtcp_report.h"
#include "twcc.h"

static guint32 lower_known(guint32 a, guint32 b) {
	if(a == 0)
		return b;
	return b == 0 ? a : MIN(a, b);
}

/* What the sender relayed to this receiver so far. */
static duet_relayed relayed_by(duet_session *sender) {
	duet_counter video = duet_member_counter(&sender->member, DUET_VIDEO);
	return (duet_relayed){
	    .video_packets = video.packets,
	    .video_bytes = video.bytes,
	    .other_bytes = duet_member_total_bytes(&sender->member) - video.bytes,
	};
}

/* Counts a transport-wide feedback in; returns the loss of a burst it
 * completes, or -1. */
static gint count_delivery(duet_member *receiver, duet_session *sender, janus_plugin_rtcp *packet, gint64 now) {
	duet_twcc twcc;
	if(!duet_twcc_read((const guint8 *)packet->buffer, (size_t)packet->length, &twcc))
		return -1;
	duet_relayed relayed = relayed_by(sender);
	return duet_delivery_add(&receiver->delivery, &twcc, &relayed, now);
}

/* The estimator's input, less the report's own loss and round trip. */
static duet_feedback feedback_at(duet_member *receiver, duet_session *sender, gint64 now) {
	duet_layer_rates rates;
	gboolean layered = duet_simulcast_rates(&sender->sim, &rates);
	int ceiling = g_atomic_int_get(&receiver->want_substream);
	return (duet_feedback){
	    .now = now,
	    .fraction_lost = -1,
	    .rtt_ms = -1,
	    .relayed_bytes = duet_member_total_bytes(&sender->member),
	    .delivered = duet_delivery_rate(&receiver->delivery, now),
	    .demand = layered ? duet_layers_demand(&receiver->layers, &rates, ceiling) : 0,
	    .lost_packets = duet_delivery_lost(&receiver->delivery),
	};
}

/* After a cut, what the sender sends until it follows it is lost on: not news. */
static void after_cut(duet_member *receiver, const duet_feedback *feedback, guint32 estimate, const char *why) {
	duet_loss_meter_restart(&receiver->loss, feedback->now + DUET_SENDER_REACTION_US);
	duet_delivery_ignore_loss(&receiver->delivery, feedback->now + DUET_SENDER_REACTION_US);
	JANUS_LOG(LOG_VERB,
	    "[duet] downlink of %p congested (%s: loss %d/256, queue %d ms, relayed %u bit/s, delivered %u bit/s): "
	    "estimate %u bit/s, capacity %u\n",
	    receiver->handle, why, feedback->fraction_lost, receiver->estimator.queue_ms, receiver->estimator.rate,
	    feedback->delivered, estimate, receiver->estimator.capacity);
}

/* The estimator's view of one report. */
static guint32 update_estimate(
    duet_member *receiver, duet_session *sender, const duet_rtcp_report *report, gint64 now) {
	duet_feedback feedback = feedback_at(receiver, sender, now);
	feedback.fraction_lost = duet_loss_meter_add(&receiver->loss, report, now);
	feedback.rtt_ms = duet_rtcp_rtt_ms(report, g_get_real_time());
	guint decreases = receiver->estimator.decreases;
	guint32 estimate = duet_estimator_update(&receiver->estimator, &feedback);
	if(receiver->estimator.decreases != decreases)
		after_cut(receiver, &feedback, estimate, "report");
	JANUS_LOG(LOG_HUGE,
	    "[duet] downlink of %p: loss %d/256, queue %d ms, relayed %u bit/s, delivered %u bit/s: estimate %u bit/s, "
	    "capacity %u\n",
	    receiver->handle, feedback.fraction_lost, receiver->estimator.queue_ms, receiver->estimator.rate,
	    feedback.delivered, estimate, receiver->estimator.capacity);
	return estimate;
}

/* The estimator's view of a burst of loss between reports. */
static guint32 take_burst(duet_member *receiver, duet_session *sender, gint loss, gint64 now) {
	duet_feedback feedback = feedback_at(receiver, sender, now);
	feedback.fraction_lost = loss;
	guint decreases = receiver->estimator.decreases;
	guint32 estimate = duet_estimator_burst(&receiver->estimator, &feedback);
	if(receiver->estimator.decreases != decreases)
		after_cut(receiver, &feedback, estimate, "burst");
	return estimate;
}

/* Picks the sender's layer for this receiver, when the sender simulcasts;
 * returns what to let the sender send for it (layers.h). */
static guint32 choose_layer(duet_member *receiver, duet_session *sender, guint32 estimate) {
	duet_layer_rates rates;
	if(!duet_simulcast_rates(&sender->sim, &rates))
		return estimate;
	int ceiling = g_atomic_int_get(&receiver->want_substream);
	int layer = duet_layers_choose(&receiver->layers, &rates, estimate, ceiling, janus_get_monotonic_time());
	g_atomic_int_set(&receiver->layer_target, layer);
	return duet_layers_ask(&receiver->layers, &rates, estimate, ceiling);
}

gboolean duet_adapt_feedback(duet_session *receiver_session, janus_plugin_rtcp *packet, guint32 remb) {
	duet_member *receiver = &receiver_session->member;
	duet_session *sender = duet_session_of(receiver->peer);
	gint64 now = janus_get_monotonic_time();
	gint burst = count_delivery(receiver, sender, packet, now);
	g_atomic_int_set(&receiver->delivered, (gint)MIN(duet_delivery_rate(&receiver->delivery, now), G_MAXINT));
	if(duet_estimator_keyframe_due(&receiver->estimator, now))
		duet_media_keyframe(sender, FALSE);
	duet_rtcp_report report;
	gboolean has_report = duet_rtcp_read_report((const guint8 *)packet->buffer, (size_t)packet->length, &report);
	if(!has_report && remb == 0 && burst < 0)
		return TRUE;
	if(remb > 0)
		receiver->receiver_remb = remb;
	guint32 estimate = receiver->estimator.estimate;
	if(has_report)
		estimate = update_estimate(receiver, sender, &report, now);
	else if(burst >= 0)
		estimate = take_burst(receiver, sender, burst, now);
	estimate = lower_known(estimate, receiver->receiver_remb);
	g_atomic_int_set(&receiver->estimate, (gint)estimate);
	guint32 limit = choose_layer(receiver, sender, estimate);
	limit = duet_estimator_ask(&receiver->estimator, limit);
	duet_gateway->send_remb(sender->handle, duet_estimate_remb(limit, duet_member_cap(&sender->member)));
	return TRUE;
}
