/*
 * media.c - the per-packet path: relay RTP, RTCP and data to the peer.
 *
 * Called from each handle's loop thread, concurrently with signaling. It
 * allocates nothing and takes no global lock: a packet reads the sender's
 * relay flags (atomics), then holds the sender's own link_lock while it
 * hands the packet to the peer's handle, so that the peer cannot be
 * unlinked (and its handle destroyed) in the middle. Counters are per
 * sender and written only here. Recording (recording.c) saves the packet
 * under the same lock.
 */
#include "glue.h"

#include <rtcp.h>

/* Janus's own convention for "no cap" in a REMB. */
#define UNCAPPED_BITRATE 10000000

void duet_media_rtp(duet_session *session, janus_plugin_rtp *packet) {
	duet_member *m = &session->member;
	duet_kind kind = packet->video ? DUET_VIDEO : DUET_AUDIO;
	if(!g_atomic_int_get(&m->relay[kind]))
		return;
	g_mutex_lock(&m->link_lock);
	janus_plugin_session *to = m->peer_handle;
	if(session->recording.files[kind])
		janus_recorder_save_frame(session->recording.files[kind], packet->buffer, packet->length);
	if(to) {
		duet_gateway->relay_rtp(to, packet);
		duet_member_count(m, kind, packet->length);
	}
	g_mutex_unlock(&m->link_lock);
}

/* Keyframe requests go to the sender as the core's own PLI; the receiver's
 * bandwidth estimate goes to the sender capped by the sender's limit. */
void duet_media_rtcp(duet_session *session, janus_plugin_rtcp *packet) {
	duet_member *m = &session->member;
	g_mutex_lock(&m->link_lock);
	janus_plugin_session *to = m->peer_handle;
	if(to) {
		gboolean wants_keyframe =
		    janus_rtcp_has_pli(packet->buffer, packet->length) || janus_rtcp_has_fir(packet->buffer, packet->length);
		guint32 estimate = janus_rtcp_get_remb(packet->buffer, packet->length);
		if(wants_keyframe)
			duet_gateway->send_pli(to);
		if(estimate > 0) {
			guint32 cap = duet_member_cap(m->peer);
			duet_gateway->send_remb(to, cap > 0 ? MIN(cap, estimate) : estimate);
		}
		if(!wants_keyframe && estimate == 0)
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
 * a keyframe, so that each side's first frame can be decoded at once. */
void duet_media_up(duet_session *session) {
	duet_member *m = &session->member;
	g_atomic_int_set(&m->webrtc_up, 1);
	g_mutex_lock(&m->link_lock);
	duet_member *peer = m->peer;
	if(peer && g_atomic_int_get(&peer->webrtc_up)) {
		duet_gateway->send_pli(session->handle);
		duet_gateway->send_pli(duet_session_of(peer)->handle);
	}
	g_mutex_unlock(&m->link_lock);
	if(duet_member_cap(m) > 0)
		duet_media_apply_bitrate(session);
}

void duet_media_apply_bitrate(duet_session *session) {
	guint32 cap = duet_member_cap(&session->member);
	duet_gateway->send_remb(session->handle, cap > 0 ? cap : UNCAPPED_BITRATE);
}
