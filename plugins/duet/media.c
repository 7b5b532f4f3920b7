/*
 * media.c - the per-packet path: relay RTP, RTCP and data to the peer.
 *
 * Called from each handle's loop thread, concurrently with signaling. It
 * allocates nothing and takes no global lock: a packet reads the sender's
 * relay flags (atomics), then holds the sender's own link_lock while it
 * hands the packet to the peer's handle, so that the peer cannot be
 * unlinked (and its handle destroyed) in the middle. Counters are per
 * sender and written only here. Recording (recording.c) saves the packet
 * under the same lock; a simulcasting sender's video goes through
 * simulcast.c. A receiver's reports feed the estimate of its downlink
 * (adapt.c), about once a second, never per RTP packet.
 */
#include "glue.h"

#include <rtcp.h>

/* Keyframe requests from a receiver reach its sender at most this often. */
#define KEYFRAME_INTERVAL_US (500 * 1000)

void duet_media_rtp(duet_session *session, janus_plugin_rtp *packet) {
	duet_member *m = &session->member;
	duet_kind kind = packet->video ? DUET_VIDEO : DUET_AUDIO;
	if(!g_atomic_int_get(&m->relay[kind]))
		return;
	g_mutex_lock(&m->link_lock);
	janus_plugin_session *to = m->peer_handle;
	if(packet->video && g_atomic_int_get(&m->simulcasting)) {
		if(to)
			duet_simulcast_relay(session, packet, to);
	} else {
		if(session->recording.files[kind])
			janus_recorder_save_frame(session->recording.files[kind], packet->buffer, packet->length);
		if(to) {
			duet_gateway->relay_rtp(to, packet);
			duet_member_count(m, kind, packet->length);
		}
	}
	g_mutex_unlock(&m->link_lock);
}

void duet_media_keyframe(duet_session *sender, gboolean always) {
	duet_member *m = &sender->member;
	gint64 now = janus_get_monotonic_time();
	gint64 last = __atomic_load_n(&m->last_keyframe_request, __ATOMIC_RELAXED);
	if(!always && last != 0 && now - last < KEYFRAME_INTERVAL_US)
		return;
	__atomic_store_n(&m->last_keyframe_request, now, __ATOMIC_RELAXED);
	duet_gateway->send_pli(sender->handle);
}

/* Keyframe requests go to the sender as the core's own PLI, at most every
 * 500 ms; a receiver's reports feed its downlink's estimate, which steers
 * the sender (adaptive rooms); without adaptation its REMB goes to the
 * sender capped by the sender's limit. Anything else is relayed. */
void duet_media_rtcp(duet_session *session, janus_plugin_rtcp *packet) {
	duet_member *m = &session->member;
	g_mutex_lock(&m->link_lock);
	janus_plugin_session *to = m->peer_handle;
	if(to) {
		gboolean wants_keyframe =
		    janus_rtcp_has_pli(packet->buffer, packet->length) || janus_rtcp_has_fir(packet->buffer, packet->length);
		guint32 remb = janus_rtcp_get_remb(packet->buffer, packet->length);
		if(wants_keyframe)
			duet_media_keyframe(duet_session_of(m->peer), FALSE);
		gboolean adapted = g_atomic_int_get(&m->adaptive) && duet_adapt_feedback(session, packet, remb);
		if(remb > 0 && !adapted) {
			guint32 cap = duet_member_cap(m->peer);
			duet_gateway->send_remb(to, cap > 0 ? MIN(cap, remb) : remb);
		}
		if(!wants_keyframe && remb == 0)
			duet_gateway->relay_rtcp(to, packet);
	}
	g_mutex_unlock(&m->link_lock);
}

void duet_media_data(duet_session *session, janus_plugin_data *packet) {
	duet_member *m = &session->member;
	if(!g_atomic_int_get(&m->relay[DUET_DATA]) || packet->buffer == NULL || packet->length == 0)
		return;
	g_mutex_lock(&m->link_lock);
	duet_member *peer = m->peer;
	if(session->recording.files[DUET_DATA])
		janus_recorder_save_frame(session->recording.files[DUET_DATA], packet->buffer, packet->length);
	if(peer && g_atomic_int_get(&peer->data_ready)) {
		duet_gateway->relay_data(duet_session_of(peer)->handle, packet);
		duet_member_count(m, DUET_DATA, packet->length);
	}
	g_mutex_unlock(&m->link_lock);
}

/* Whichever PeerConnection of a pair comes up second asks both senders for
 * a keyframe, so that each side's first frame can be decoded at once. A
 * new PeerConnection starts with nothing learnt about its downlink. */
void duet_media_up(duet_session *session) {
	duet_member *m = &session->member;
	duet_member_reset_adaptation(m);
	g_atomic_int_set(&m->webrtc_up, 1);
	g_mutex_lock(&m->link_lock);
	duet_member *peer = m->peer;
	if(peer && g_atomic_int_get(&peer->webrtc_up)) {
		duet_media_keyframe(session, TRUE);
		duet_media_keyframe(duet_session_of(peer), TRUE);
	}
	g_mutex_unlock(&m->link_lock);
	if(duet_member_cap(m) > 0)
		duet_media_apply_bitrate(session);
}

/* The sender's limit: its caps, and its peer's estimate when that adapts. */
void duet_media_apply_bitrate(duet_session *session) {
	duet_member *m = &session->member;
	g_mutex_lock(&m->link_lock);
	duet_member *peer = m->peer;
	guint32 estimate = peer && g_atomic_int_get(&peer->adaptive) ? (guint32)g_atomic_int_get(&peer->estimate) : 0;
	if(g_atomic_int_get(&m->simulcasting))
		estimate = 0; /* its layers are chosen per receiver instead */
	g_mutex_unlock(&m->link_lock);
	duet_gateway->send_remb(session->handle, duet_estimate_remb(estimate, duet_member_cap(m)));
}
