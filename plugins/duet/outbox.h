/*
 * outbox.h - what a request does to other handles, done after the lock.
 *
 * Requests run under the engine lock, but pushing an event into Janus can
 * block (an offer with a JSEP makes the core set up ICE), so handlers only
 * record what must happen: events to push, PeerConnections to close,
 * notifications for event handlers. The engine flushes the outbox once
 * the lock is released, in the order things were recorded.
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
} duet_action_kind;

typedef struct duet_action {
	duet_action_kind kind;
	duet_member *member; /* referenced while queued */
	json_t *event;
	json_t *jsep;
	gboolean expect_hangup; /* DUET_ACT_CLOSE_MEDIA */
} duet_action;

/* How the outbox reaches the outside world; the plugin supplies these. */
typedef struct duet_host {
	void (*ref)(duet_member *member);
	void (*unref)(duet_member *member);
	/* Returns 0, or an error when the core refused the event (bad SDP). */
	int (*push)(duet_member *member, const char *transaction, json_t *event, json_t *jsep);
	/* Pushes an event carrying a JSEP for the member's PeerConnection (may wait
	 * for the core to finish closing the previous one); 0 or an error. */
	int (*push_jsep)(duet_member *member, json_t *event, json_t *jsep);
	/* Closes the member's PeerConnection. expect_hangup: the core holds one
	 * we know of, so its hangup callback will follow; until then the host
	 * holds back the member's events (see host.c). */
	void (*close_media)(duet_member *member, gboolean expect_hangup);
	/* Closes the PeerConnection and returns once the core has begun tearing it down. */
	void (*reset_media)(duet_member *member);
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
	GArray *actions;
} duet_outbox;

void duet_outbox_init(duet_outbox *outbox);
/* The event and jsep are stolen. */
void duet_outbox_event(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *event, json_t *jsep);
void duet_outbox_close(duet_outbox *outbox, const duet_host *host, duet_member *member);
void duet_outbox_reset(duet_outbox *outbox, const duet_host *host, duet_member *member);
void duet_outbox_bitrate(duet_outbox *outbox, const duet_host *host, duet_member *member);
/* Whether the core has an event handler to notify (else notifications are not built). */
gboolean duet_outbox_notifies(const duet_host *host);
void duet_outbox_notify(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *info);
void duet_outbox_record(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *how);
void duet_outbox_keyframe(duet_outbox *outbox, const duet_host *host, duet_member *member);
/* Performs every action, then empties the outbox. */
void duet_outbox_flush(duet_outbox *outbox, const duet_host *host);
/* Drops what was not flushed (a request that failed) and frees the outbox. */
void duet_outbox_free(duet_outbox *outbox, const duet_host *host);

#endif
