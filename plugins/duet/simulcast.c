/*
 * simulcast.c - relaying one layer of a simulcasting sender (simulcast.h).
 *
 * The layer a receiver gets is decided elsewhere (its RTCP path, with
 * layers.c, publishes member.layer_target; `configure` sets the ceiling);
 * this file only asks the core's simulcasting context for it, asks the
 * sender for a keyframe when the target changes (a switch can only happen
 * on one), and rewrites the packets of the layer relayed. It allocates
 * nothing: the `simulcast` event is sent by the housekeeping timer, which
 * it wakes when member.rx_substream changes.
 */
#include <sdp-utils.h>

#include "glue.h"

void duet_simulcast_init(duet_simulcast *sim) {
	janus_mutex_init(&sim->rid_mutex);
}

/* The byte counters go on (the tick samples them): once no layer arrives
 * any more, their rates drop to 0 at the next sample. */
static void forget_layers(duet_session *sender) {
	duet_simulcast *sim = &sender->sim;
	janus_rtp_simulcasting_cleanup(NULL, sim->ssrcs, sim->rids, &sim->rid_mutex);
	g_atomic_int_set(&sender->member.simulcasting, 0);
	for(int i = 0; i < DUET_LAYERS; i++) {
		g_atomic_int_set(&sim->rates[i], 0);
		g_atomic_int_set(&sim->fps[i], 0);
	}
}

void duet_simulcast_clear(duet_simulcast *sim) {
	janus_rtp_simulcasting_cleanup(NULL, sim->ssrcs, sim->rids, NULL);
	janus_mutex_destroy(&sim->rid_mutex);
}

static janus_videocodec video_codec(const char *answer_sdp) {
	char error[100];
	janus_sdp *sdp = answer_sdp ? janus_sdp_parse(answer_sdp, error, sizeof(error)) : NULL;
	const char *name = NULL;
	if(sdp)
		janus_sdp_find_first_codec(sdp, JANUS_SDP_VIDEO, -1, &name);
	janus_videocodec codec = janus_videocodec_from_name(name);
	if(sdp)
		janus_sdp_destroy(sdp);
	return codec;
}

/* The peer of the sender no longer gets any of its layers from this setup. */
static void peer_layer_unknown(duet_member *sender) {
	if(sender->peer) {
		g_atomic_int_set(&sender->peer->rx_substream, -1);
		g_atomic_int_set(&sender->peer->rx_temporal, -1);
	}
}

void duet_simulcast_setup(duet_session *sender, json_t *simulcast, const char *answer_sdp) {
	janus_videocodec codec = video_codec(answer_sdp);
	duet_simulcast *sim = &sender->sim;
	g_mutex_lock(&sender->member.link_lock);
	forget_layers(sender);
	json_t *layers = json_array_get(simulcast, 0);
	if(layers) {
		int rid_ext_id = -1;
		janus_rtp_simulcasting_prepare(layers, &rid_ext_id, sim->ssrcs, sim->rids);
		janus_rtp_simulcasting_context_reset(&sim->context);
		sim->context.rid_ext_id = rid_ext_id;
		sim->context.substream_target = sim->target = DUET_LAYERS - 1;
		sim->context.templayer_target = DUET_LAYERS - 1;
		janus_rtp_switching_context_reset(&sim->switching);
		janus_vp8_simulcast_context_reset(&sim->vp8);
		sim->vcodec = codec;
		g_atomic_int_set(&sender->member.simulcasting, 1);
	}
	peer_layer_unknown(&sender->member);
	g_mutex_unlock(&sender->member.link_lock);
}

/* A counter only this thread writes; the tick reads it. */
static void add(guint64 *counter, guint64 n) {
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/* A video frame ends on the packet with the marker bit. */
static void count_layer(duet_simulcast *sim, const janus_rtp_header *header, guint64 length) {
	uint32_t ssrc = ntohl(header->ssrc);
	for(int i = 0; i < DUET_LAYERS; i++) {
		if(sim->ssrcs[i] == ssrc) {
			add(&sim->bytes[i], length);
			add(&sim->frames[i], header->markerbit);
			return;
		}
	}
}

/* The receiver's layer: the one its estimate chose (when the room adapts)
 * under the ceiling it configured. A new target needs a keyframe. */
static void retarget(duet_session *sender, const duet_member *receiver) {
	duet_simulcast *sim = &sender->sim;
	int target = g_atomic_int_get(&receiver->want_substream);
	int chosen = g_atomic_int_get(&receiver->layer_target);
	if(g_atomic_int_get(&receiver->adaptive) && chosen >= 0)
		target = MIN(target, chosen);
	sim->context.templayer_target = g_atomic_int_get(&receiver->want_temporal);
	if(target == sim->target)
		return;
	sim->target = sim->context.substream_target = target;
	duet_media_keyframe(sender, TRUE);
}

static void publish_layer(duet_simulcast *sim, duet_member *receiver) {
	if(!sim->context.changed_substream && !sim->context.changed_temporal)
		return;
	g_atomic_int_set(&receiver->rx_substream, sim->context.substream);
	g_atomic_int_set(&receiver->rx_temporal, MAX(sim->context.templayer, 0));
	duet_plugin_layer_changed();
}

void duet_simulcast_relay(duet_session *sender, janus_plugin_rtp *packet, janus_plugin_session *to) {
	duet_simulcast *sim = &sender->sim;
	duet_member *receiver = sender->member.peer;
	janus_rtp_header *header = (janus_rtp_header *)packet->buffer;
	uint32_t ssrc = ntohl(header->ssrc), timestamp = ntohl(header->timestamp);
	uint16_t seq = ntohs(header->seq_number);
	count_layer(sim, header, packet->length);
	retarget(sender, receiver);
	gboolean relay = duet_simulcast_process_rtp(&sim->context, packet->buffer, packet->length, sim->ssrcs, sim->rids,
	    sim->vcodec, &sim->switching, &sim->rid_mutex);
	if(sim->context.need_pli)
		duet_media_keyframe(sender, TRUE);
	if(!relay)
		return;
	publish_layer(sim, receiver);
	janus_rtp_header_update(header, &sim->switching, TRUE, 0);
	if(sim->vcodec == JANUS_VIDEOCODEC_VP8) {
		int length = 0;
		char *payload = janus_rtp_payload(packet->buffer, packet->length, &length);
		janus_vp8_simulcast_descriptor_update(payload, length, &sim->vp8, sim->context.changed_substream);
	}
	header->ssrc = htonl(1); /* one stream in the recording whatever the layer */
	if(sender->recording.files[DUET_VIDEO])
		janus_recorder_save_frame(sender->recording.files[DUET_VIDEO], packet->buffer, packet->length);
	duet_gateway->relay_rtp(to, packet);
	duet_member_count(&sender->member, DUET_VIDEO, packet->length);
	/* The core's own statistics read the header after us. */
	header->ssrc = htonl(ssrc);
	header->timestamp = htonl(timestamp);
	header->seq_number = htons(seq);
}

/* Per second of `elapsed`, how much `counter` grew since `last`. */
static void sample(const guint64 *counter, guint64 *last, gint *rate, guint64 scale, gint64 elapsed) {
	guint64 now = __atomic_load_n(counter, __ATOMIC_RELAXED);
	if(elapsed > 0 && now >= *last)
		g_atomic_int_set(rate, (gint)((now - *last) * scale * G_USEC_PER_SEC / elapsed));
	*last = now;
}

void duet_simulcast_sample(duet_simulcast *sim, gint64 now) {
	gint64 elapsed = sim->last_sample != 0 ? now - sim->last_sample : 0;
	for(int i = 0; i < DUET_LAYERS; i++) {
		sample(&sim->bytes[i], &sim->last_bytes[i], &sim->rates[i], 8, elapsed);
		sample(&sim->frames[i], &sim->last_frames[i], &sim->fps[i], 1, elapsed);
	}
	sim->last_sample = now;
}

gboolean duet_simulcast_rates(duet_simulcast *sim, duet_layer_rates *rates) {
	gboolean any = FALSE;
	for(int i = 0; i < DUET_LAYERS; i++) {
		rates->bits[i] = (guint32)g_atomic_int_get(&sim->rates[i]);
		rates->fps[i] = (guint32)g_atomic_int_get(&sim->fps[i]);
		any = any || rates->bits[i] > 0;
	}
	return any;
}
