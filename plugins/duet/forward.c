/*
 * forward.c - a JSEP forwarded to the peer for a request (offer, answer).
 *
 * The JSEP goes into the peer's line (pc.h), and the request's answer into
 * the caller's line, pending: it goes out once the forward is done, as the
 * handler's result or, when the peer's side refused the JSEP, as an error
 * after the handler's effects were undone under the lock. Nothing waits
 * for the push: whichever thread delivers the peer's line completes it.
 */
#include "engine.h"

typedef struct duet_fwd {
	duet_forward base; /* first: pc.c sees only this */
	duet_engine *engine;
	duet_member *requester; /* referenced */
	duet_member *target; /* referenced */
	duet_action *answer; /* the pending answer in requester's line (under the engine lock) */
	char *room_id;
	char *seat_id;
	char *sdp; /* an answer's SDP, for host->negotiated */
	gboolean e2ee; /* the call's media is end-to-end encrypted */
	void (*undo)(duet_engine *engine, duet_outbox *outbox, duet_room *room, duet_seat *seat);
} duet_fwd;

static void fwd_free(duet_fwd *fwd) {
	const duet_host *host = fwd->engine->host;
	host->unref(fwd->requester);
	host->unref(fwd->target);
	g_free(fwd->room_id);
	g_free(fwd->seat_id);
	g_free(fwd->sdp);
	g_free(fwd);
}

/* The peer's side refused the JSEP: the request's effects are undone. */
static duet_action *undo(duet_fwd *fwd, gboolean jsep_ok) {
	duet_engine *engine = fwd->engine;
	duet_outbox outbox;
	duet_outbox_init(&outbox);
	g_mutex_lock(&engine->lock);
	duet_room *room = duet_registry_find(engine->registry, fwd->room_id);
	duet_seat *seat = room ? duet_room_find_seat(room, fwd->seat_id) : NULL;
	if(seat && seat->owner == fwd->requester)
		fwd->undo(engine, &outbox, room, seat);
	duet_action *answer = fwd->answer;
	duet_outbox_commit(&outbox, engine->timers);
	g_mutex_unlock(&engine->lock);
	duet_outbox_deliver(&outbox, engine->host, jsep_ok);
	duet_outbox_free(&outbox, engine->host);
	return answer;
}

static void done(duet_forward *base, int result, gboolean jsep_ok) {
	duet_fwd *fwd = (duet_fwd *)base;
	duet_engine *engine = fwd->engine;
	const duet_host *host = engine->host;
	json_t *body = NULL;
	duet_action *answer;
	if(result != 0 && result != DUET_PC_CANCELLED) {
		answer = undo(fwd, jsep_ok);
		char text[128];
		g_snprintf(text, sizeof(text), "The peer's side could not take this SDP (error %d)", result);
		body = duet_error_body(DUET_ERR_INVALID_SDP, text);
	} else {
		g_mutex_lock(&engine->lock);
		answer = fwd->answer;
		g_mutex_unlock(&engine->lock);
		if(result == 0 && fwd->sdp && host->negotiated)
			host->negotiated(fwd->requester, fwd->target, fwd->sdp, fwd->e2ee);
	}
	if(answer) {
		duet_pc_answer_ready(fwd->requester, answer, body);
		duet_pc_deliver(fwd->requester, host, jsep_ok);
	} else {
		json_decref(body);
	}
	fwd_free(fwd);
}

static void drop(duet_forward *base) {
	fwd_free((duet_fwd *)base);
}

void duet_request_forward(duet_request *req, duet_member *peer, json_t *event, json_t *jsep, duet_seat *from,
    void (*undo_fn)(duet_engine *engine, duet_outbox *outbox, duet_room *room, duet_seat *seat), gboolean negotiated) {
	const duet_host *host = req->engine->host;
	duet_fwd *fwd = g_new0(duet_fwd, 1);
	fwd->base.done = done;
	fwd->base.drop = drop;
	fwd->engine = req->engine;
	host->ref(req->caller);
	fwd->requester = req->caller;
	host->ref(peer);
	fwd->target = peer;
	fwd->room_id = g_strdup(from->room->id);
	fwd->seat_id = g_strdup(from->id);
	fwd->undo = undo_fn;
	if(negotiated)
		fwd->sdp = g_strdup(json_string_value(json_object_get(jsep, "sdp")));
	fwd->e2ee = json_is_true(json_object_get(jsep, "e2ee"));
	json_object_set_new(event, "from", json_string(from->id));
	req->forward = fwd;
	duet_outbox_forward(&req->outbox, host, peer, event, jsep, &fwd->base);
}

void duet_forward_attach_answer(struct duet_fwd *fwd, duet_action *answer) {
	if(fwd == NULL)
		return;
	answer->pending = TRUE;
	answer->placed = &fwd->answer;
}
