/*
 * outbox.h - what a request does to handles, delivered after the lock.
 *
 * Requests run under the engine lock, but pushing an event into Janus can
 * block (an offer with a JSEP makes the core set up ICE), so handlers only
 * record what must happen: events to push, PeerConnections to close,
 * notifications for event handlers. A request that fails discards its
 * outbox (every reference released); one that succeeds commits it, still
 * under the lock: each action joins its handle's line (pc.h), so that what
 * a handle is told keeps the engine's order across threads. The lines are
 * delivered once the lock is released.
 */
#ifndef DUET_OUTBOX_H
#define DUET_OUTBOX_H

#include <jansson.h>

#include "member.h"

typedef enum duet_action_kind {
	DUET_ACT_EVENT, /* push event (+ jsep) to the member */
	DUET_ACT_CLOSE_MEDIA, /* close the member's PeerConnection */
	DUET_ACT_RESET_MEDIA, /* close it and wait until the core has (before a new offer) */
	DUET_ACT_BITRATE, /* the member's send cap changed: tell its browser */
	DUET_ACT_NOTIFY, /* event-handler notification about the member (may be NULL) */
	DUET_ACT_RECORD, /* start or stop recording: event is {on, dir, name} */
	DUET_ACT_KEYFRAME, /* ask the member's browser for a keyframe */
	DUET_ACT_ANSWER, /* the answer to the member's async request (transaction) */
	DUET_ACT_OWN_JSEP, /* the member's own JSEP went through the core: its PeerConnection is live */
	DUET_ACT_LAYERS, /* event: {"simulcast", "sdp"}: the member's layers, before its answer is pushed */
} duet_action_kind;

struct duet_forward;

/* A JSEP pushed for a request: told how the push went (0, an error, or
 * DUET_PC_CANCELLED), on the delivering thread, without any lock held. */
typedef struct duet_forward {
	void (*done)(struct duet_forward *forward, int result, gboolean jsep_ok);
	/* Frees it unsent and untold (its request failed before committing). */
	void (*drop)(struct duet_forward *forward);
} duet_forward;

typedef struct duet_action {
	duet_action_kind kind;
	duet_member *member; /* referenced while queued */
	json_t *event;
	json_t *jsep;
	char *transaction; /* DUET_ACT_ANSWER */
	gboolean pending; /* DUET_ACT_ANSWER: waits for a forward's result */
	gboolean cancelled; /* a JSEP whose target left its seat before it went out */
	duet_forward *forward; /* DUET_ACT_EVENT with a JSEP, for a request */
	struct duet_action **placed; /* told where the action lives once in its line */
} duet_action;

/* How the outbox reaches the outside world; the plugin supplies these. */
typedef struct duet_host {
	void (*ref)(duet_member *member);
	void (*unref)(duet_member *member);
	/* Returns 0, or an error when the core refused the event (bad SDP). */
	int (*push)(duet_member *member, const char *transaction, json_t *event, json_t *jsep);
	/* Pushes an event carrying a JSEP for the member's PeerConnection; 0 or
	 * an error. Never waits: pc.c only calls it when the line is free. */
	int (*push_jsep)(duet_member *member, json_t *event, json_t *jsep);
	/* Closes the member's PeerConnection. expect_hangup: the core holds one
	 * we know of, so its hangup callback will follow (pc.c waits for it). */
	void (*close_media)(duet_member *member, gboolean expect_hangup);
	/* Asks the worker to deliver the member's line (it holds a JSEP). */
	void (*schedule)(duet_member *member);
	/* A line has a new deadline (monotonic us): the timer should not sleep
	 * past it (may be NULL: the engine's expire is then called often enough). */
	void (*wake)(gint64 deadline);
	void (*apply_bitrate)(duet_member *member);
	void (*notify)(duet_member *member, json_t *info);
	/* Starts ({"on":true,"dir","name"}) or stops recording the member's media. */
	void (*record)(duet_member *member, json_t *how);
	/* An answer went through: both sides' media is now known. */
	void (*negotiated)(duet_member *a, duet_member *b, const char *answer_sdp, gboolean e2ee);
	/* The offerer's answer is about to go out: simulcast is the core's
	 * description of the layers its offer sends (NULL: one stream). */
	void (*layers)(duet_member *offerer, json_t *simulcast, const char *answer_sdp);
	void (*keyframe)(duet_member *member);
	gboolean (*events_enabled)(void);
	/* Checks an SDP; returns FALSE and fills error when it does not parse. */
	gboolean (*sdp_valid)(const char *sdp, char *error, size_t error_len);
	gint64 (*now)(void);
} duet_host;

typedef struct duet_outbox {
	GArray *actions; /* staged, until commit */
	GPtrArray *touched; /* members whose line got actions, referenced */
	GArray *direct; /* actions without a member (notifications), done after the lock */
} duet_outbox;

void duet_outbox_init(duet_outbox *outbox);
/* The event and jsep are stolen. */
void duet_outbox_event(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *event, json_t *jsep);
void duet_outbox_close(duet_outbox *outbox, const duet_host *host, duet_member *member);
/* Closes the PeerConnection even if none is known (glare: the core set one up) and waits for its hangup. */
void duet_outbox_reset(duet_outbox *outbox, const duet_host *host, duet_member *member);
void duet_outbox_bitrate(duet_outbox *outbox, const duet_host *host, duet_member *member);
/* Whether the core has an event handler to notify (else notifications are not built). */
gboolean duet_outbox_notifies(const duet_host *host);
void duet_outbox_notify(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *info);
void duet_outbox_record(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *how);
void duet_outbox_keyframe(duet_outbox *outbox, const duet_host *host, duet_member *member);
/* The offerer's simulcast layers (NULL: one stream), set up right before its answer goes out. */
void duet_outbox_layers(
    duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *simulcast, const char *sdp);
/* The answer to an async request, delivered in the caller's line; pending:
 * it waits for the request's forward (duet_pc_answer_ready). */
duet_action *duet_outbox_answer(
    duet_outbox *outbox, const duet_host *host, duet_member *member, const char *transaction, json_t *body);
/* A JSEP for member's PeerConnection, with its request's completion. */
void duet_outbox_forward(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *event, json_t *jsep,
    duet_forward *forward);
void duet_outbox_own_jsep(duet_outbox *outbox, const duet_host *host, duet_member *member);
/* Releases every staged action (a request that failed changes nothing). */
void duet_outbox_discard(duet_outbox *outbox, const duet_host *host);
/* Under the engine lock: the staged actions join their members' lines. */
void duet_outbox_commit(duet_outbox *outbox, duet_pc_timers *timers);
/* After the lock: notifications, then the touched lines are delivered. */
void duet_outbox_deliver(duet_outbox *outbox, const duet_host *host, gboolean jsep_ok);
/* Releases what is left and frees the outbox. */
void duet_outbox_free(duet_outbox *outbox, const duet_host *host);
/* Performs one action now (pc.c) / releases its references. */
int duet_action_perform(const duet_action *action, const duet_host *host);
void duet_action_release(duet_action *action, const duet_host *host);

#endif
