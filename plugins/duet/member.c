/*
 * member.c - per-handle state shared by the engine and the media path.
 */
#include "member.h"

void duet_member_init(duet_member *member, void *handle) {
	member->handle = handle;
	g_mutex_init(&member->link_lock);
	duet_pc_init(&member->pc);
	duet_member_reset_settings(member);
}

void duet_member_clear(duet_member *member) {
	duet_pc_clear(&member->pc);
	g_mutex_clear(&member->link_lock);
}

void duet_member_reset_settings(duet_member *member) {
	for(int k = 0; k < DUET_KINDS; k++)
		g_atomic_int_set(&member->relay[k], 1);
	g_atomic_int_set(&member->bitrate, 0);
	g_atomic_int_set(&member->want_substream, DUET_LAYERS - 1);
	g_atomic_int_set(&member->want_temporal, DUET_LAYERS - 1);
	g_atomic_int_set(&member->room_bitrate, 0);
	duet_member_reset_adaptation(member);
}

void duet_member_room_settings(duet_member *member, guint32 bitrate, gboolean adaptive) {
	g_atomic_int_set(&member->room_bitrate, (gint)bitrate);
	g_atomic_int_set(&member->adaptive, adaptive ? 1 : 0);
}

/* The estimator and layer state belong to the member's RTCP path, which
 * runs under its link_lock: so does this. */
void duet_member_reset_adaptation(duet_member *member) {
	g_mutex_lock(&member->link_lock);
	duet_loss_meter_reset(&member->loss);
	duet_delivery_reset(&member->delivery);
	duet_estimator_reset(&member->estimator);
	duet_layers_reset(&member->layers);
	g_atomic_int_set(&member->estimate, 0);
	g_atomic_int_set(&member->delivered, 0);
	g_atomic_int_set(&member->rx_substream, -1);
	g_atomic_int_set(&member->rx_temporal, -1);
	g_atomic_int_set(&member->layer_target, -1);
	member->receiver_remb = 0;
	g_mutex_unlock(&member->link_lock);
}

/* Both links change under both link locks, taken in address order so that
 * two engine calls can never deadlock; the media path only ever takes one. */
static void lock_pair(duet_member *a, duet_member *b) {
	duet_member *first = a < b ? a : b, *second = a < b ? b : a;
	g_mutex_lock(&first->link_lock);
	if(second != first)
		g_mutex_lock(&second->link_lock);
}

static void unlock_pair(duet_member *a, duet_member *b) {
	g_mutex_unlock(&a->link_lock);
	if(b != a)
		g_mutex_unlock(&b->link_lock);
}

void duet_member_link(duet_member *a, duet_member *b) {
	lock_pair(a, b);
	a->peer = b;
	a->peer_handle = b->handle;
	b->peer = a;
	b->peer_handle = a->handle;
	unlock_pair(a, b);
}

void duet_member_unlink(duet_member *member) {
	g_mutex_lock(&member->link_lock);
	duet_member *peer = member->peer;
	g_mutex_unlock(&member->link_lock);
	if(peer == NULL)
		return;
	/* Links only change under the engine lock, so peer is still ours. */
	lock_pair(member, peer);
	member->peer = NULL;
	member->peer_handle = NULL;
	if(peer->peer == member) {
		peer->peer = NULL;
		peer->peer_handle = NULL;
	}
	unlock_pair(member, peer);
}

guint32 duet_member_cap(const duet_member *member) {
	guint32 own = (guint32)g_atomic_int_get(&member->bitrate);
	guint32 room = (guint32)g_atomic_int_get(&member->room_bitrate);
	if(own == 0)
		return room;
	if(room == 0)
		return own;
	return MIN(own, room);
}

/* Each counter has a single writer (the handle's media thread), so a
 * relaxed load and store is enough: no locked read-modify-write. */
void duet_member_count(duet_member *member, duet_kind kind, guint64 bytes) {
	duet_counter *c = &member->sent[kind];
	__atomic_store_n(&c->packets, __atomic_load_n(&c->packets, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->bytes, __atomic_load_n(&c->bytes, __ATOMIC_RELAXED) + bytes, __ATOMIC_RELAXED);
}

duet_counter duet_member_counter(const duet_member *member, duet_kind kind) {
	duet_counter c;
	c.packets = __atomic_load_n(&member->sent[kind].packets, __ATOMIC_RELAXED);
	c.bytes = __atomic_load_n(&member->sent[kind].bytes, __ATOMIC_RELAXED);
	return c;
}

guint64 duet_member_total_bytes(const duet_member *member) {
	guint64 total = 0;
	for(int k = 0; k < DUET_KINDS; k++)
		total += duet_member_counter(member, k).bytes;
	return total;
}

void duet_member_sample_rate(duet_member *member, gint64 now) {
	guint64 bytes = duet_member_total_bytes(member);
	gint64 elapsed = now - member->rate_last_time;
	if(member->rate_last_time != 0 && elapsed > 0) {
		gint64 bits = (gint64)((bytes - member->rate_last_bytes) * 8 * G_USEC_PER_SEC / (guint64)elapsed);
		__atomic_store_n(&member->rate_bits, bits, __ATOMIC_RELAXED);
	}
	member->rate_last_bytes = bytes;
	member->rate_last_time = now;
}

void duet_member_adaptation_json(const duet_member *member, json_t *info) {
	json_object_set_new(info, "adaptive", json_boolean(g_atomic_int_get(&member->adaptive)));
	json_object_set_new(info, "estimate", json_integer(g_atomic_int_get(&member->estimate)));
	json_object_set_new(info, "delivered", json_integer(g_atomic_int_get(&member->delivered)));
	int substream = g_atomic_int_get(&member->rx_substream);
	if(substream < 0)
		return;
	json_object_set_new(info, "substream", json_integer(substream));
	json_object_set_new(info, "temporal", json_integer(MAX(g_atomic_int_get(&member->rx_temporal), 0)));
}

json_t *duet_member_counters_json(const duet_member *member) {
	static const char *names[DUET_KINDS] = {"audio", "video", "data"};
	json_t *counters = json_object();
	for(int k = 0; k < DUET_KINDS; k++) {
		duet_counter c = duet_member_counter(member, k);
		json_object_set_new(
		    counters, names[k], json_pack("{sIsI}", "packets", (json_int_t)c.packets, "bytes", (json_int_t)c.bytes));
	}
	return counters;
}
