/*
 * media_events.c - what the media path learns that a participant is told:
 * a slow link (the core's slow_link callback) and a change of the
 * simulcast layer it receives. Both come from outside the request flow,
 * so they take the engine lock only to name the room and the seat, and
 * go into the member's line (pc.h) like every other event, so that none
 * overtakes or follows its `left`, `kicked` or `destroyed`.
 */
#include "engine.h"

/* Runs fill() under the lock for a seated member, then the outbox. */
static void tell(duet_engine *engine, duet_member *member,
    void (*fill)(duet_engine *, duet_outbox *, duet_member *, const void *), const void *what) {
	duet_outbox outbox;
	duet_outbox_init(&outbox);
	g_mutex_lock(&engine->lock);
	if(member->seat && !member->gone)
		fill(engine, &outbox, member, what);
	duet_outbox_commit(&outbox, engine->timers);
	g_mutex_unlock(&engine->lock);
	duet_outbox_deliver(&outbox, engine->host, FALSE);
	duet_outbox_free(&outbox, engine->host);
}

typedef struct slow_link {
	gboolean video;
	gboolean uplink;
} slow_link;

static void fill_slow_link(duet_engine *engine, duet_outbox *outbox, duet_member *member, const void *what) {
	const slow_link *link = what;
	const duet_seat *seat = member->seat;
	const char *media = link->video ? "video" : "audio";
	json_t *event = duet_event_new("slow_link", seat->room);
	json_object_set_new(event, "media", json_string(media));
	json_object_set_new(event, "uplink", json_boolean(link->uplink));
	duet_outbox_event(outbox, engine->host, member, event, NULL);
	if(!engine->settings.events || !duet_outbox_notifies(engine->host))
		return;
	json_t *info = json_pack("{sssssssssb}", "event", "slow_link", "room", seat->room->id, "id", seat->id, "media",
	    media, "uplink", link->uplink);
	duet_outbox_notify(outbox, engine->host, member, info);
}

void duet_engine_slow_link(duet_engine *engine, duet_member *member, gboolean video, gboolean uplink) {
	slow_link link = {video, uplink};
	tell(engine, member, fill_slow_link, &link);
}

static void fill_layer(duet_engine *engine, duet_outbox *outbox, duet_member *member, const void *what) {
	const int *layer = what;
	json_t *event = duet_event_new("simulcast", member->seat->room);
	json_object_set_new(event, "substream", json_integer(layer[0]));
	json_object_set_new(event, "temporal", json_integer(layer[1]));
	duet_outbox_event(outbox, engine->host, member, event, NULL);
}

void duet_engine_layer_changed(duet_engine *engine, duet_member *member, int substream, int temporal) {
	int layer[2] = {substream, temporal};
	tell(engine, member, fill_layer, layer);
}
