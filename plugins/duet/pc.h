/*
 * pc.h - the one owner of a participant's PeerConnection and of what is
 * delivered to its handle.
 *
 * Every effect the engine decides for a handle (an event, the answer to an
 * async request, a JSEP for its PeerConnection, a close, a bitrate or
 * recording change) goes into the handle's line, under the engine lock, in
 * the order the engine decided it. Whichever thread comes next delivers the
 * line in that order; nobody ever waits for anybody:
 *  - a close of a PeerConnection we know of blocks the line until the
 *    core's hangup callback for that generation (or HOLD_US): what follows
 *    (events, answers, the next JSEP) stays parked, and is delivered by the
 *    hangup callback or the housekeeping timer;
 *  - a JSEP is only pushed by the worker (the core sets ICE up in the push;
 *    a hangup callback cannot push one, the core would wait for itself), so
 *    another thread that meets one asks the host to schedule the worker;
 *  - an answer that depends on a JSEP forwarded to the peer waits in line
 *    (pending) until that forward is done, then goes out as success or
 *    error;
 *  - a JSEP goes out no sooner than SETTLE_US after the core's hangup
 *    callback for the handle (the core still frees the old ICE agent);
 *  - a JSEP the core refuses within RETRY_FOR_US of this handle's last
 *    close (the core's "no PeerConnection yet") is tried again by the timer
 *    (the housekeeping timer, woken for the deadline); any other refusal is final.
 * The PeerConnection state (none, live generation N, closing N, hangups of
 * older generations still to come) changes only as the line is delivered,
 * so a late or duplicated hangup can never clear a newer generation.
 */
#ifndef DUET_PC_H
#define DUET_PC_H

#include <glib.h>
#include <jansson.h>

struct duet_member;
struct duet_host;
struct duet_action;

typedef enum duet_pc_state {
	DUET_PC_NONE, /* no PeerConnection we know of */
	DUET_PC_LIVE, /* generation `gen` went through the handle */
	DUET_PC_CLOSING, /* we asked the core to close `gen`: its hangup is awaited */
} duet_pc_state;

/* The set of lines that wait for a deadline (owned by the engine). */
typedef struct duet_pc_timers {
	GMutex lock;
	GHashTable *members; /* duet_member* -> itself, referenced */
	const struct duet_host *host;
} duet_pc_timers;

typedef struct duet_pc {
	GMutex lock;
	GQueue line; /* duet_action*, oldest first */
	gboolean busy; /* a thread is delivering the line */
	gboolean gone; /* the handle was destroyed: nothing blocks any more */
	duet_pc_state state;
	guint gen; /* generation of the current (or last) PeerConnection */
	gint64 wait_until; /* CLOSING: hangup deadline; retrying: next try (0: none) */
	gboolean retrying; /* the head JSEP was refused and is tried again at wait_until */
	gint64 retry_until; /* give up retrying after this */
	gint64 closed_at; /* when the last close was confirmed (0: never) */
	gint64 settle_until; /* a JSEP waits until then: the core frees the old ICE agent (SETTLE_US) */
	guint late_hangups; /* closes that timed out: their hangup may still come */
	gint64 late_until;
	guint hangups_ignored; /* late or duplicated hangups seen (for tests and info) */
	duet_pc_timers *timers;
} duet_pc;

/* What a hangup callback was. */
typedef enum duet_pc_hangup {
	DUET_HANGUP_EXPECTED, /* the close we asked for */
	DUET_HANGUP_STALE, /* of an older generation, or a duplicate: ignored */
	DUET_HANGUP_UNEXPECTED, /* the live PeerConnection went away (the browser, ICE) */
} duet_pc_hangup;

#define DUET_PC_HOLD_US (2 * G_USEC_PER_SEC)
#define DUET_PC_RETRY_US (50 * 1000)
/* After its hangup callback, the core frees the PeerConnection's ICE agent
 * asynchronously; a JSEP pushed before that gets a new agent that the old
 * one's close callback then unrefs (a segfault in the core, 1.1.2 to 1.4.1;
 * docs/api.md, "Known issues of the Janus core"). A JSEP for the handle
 * waits this long after a confirmed close. */
#define DUET_PC_SETTLE_US (100 * 1000)
#define DUET_PC_RETRY_FOR_US (3 * G_USEC_PER_SEC)
#define DUET_PC_LATE_US (10 * G_USEC_PER_SEC)
/* Result given to a forward's completion when its target left its seat. */
#define DUET_PC_CANCELLED (-1)

void duet_pc_init(duet_pc *pc);
void duet_pc_clear(duet_pc *pc);

duet_pc_timers *duet_pc_timers_new(const struct duet_host *host);
void duet_pc_timers_free(duet_pc_timers *timers);
/* Handles the deadlines that passed (from the housekeeping timer). */
void duet_pc_timers_run(duet_pc_timers *timers, gint64 now);
/* The earliest deadline of the lines, or 0. Call it from the thread that
 * runs duet_pc_timers_run (only that one drops members from the set). */
gint64 duet_pc_timers_next(duet_pc_timers *timers);

/* Appends a copy of the action to its member's line (under the engine
 * lock); the action's references move to the copy. */
void duet_pc_enqueue(duet_pc_timers *timers, struct duet_action *action);
/* Delivers the line as far as it can. jsep_ok: this thread may push JSEPs
 * (the worker); otherwise a JSEP at the head makes the host schedule it. */
void duet_pc_deliver(struct duet_member *member, const struct duet_host *host, gboolean jsep_ok);
/* The core's hangup callback (under the engine lock). */
duet_pc_hangup duet_pc_hangup_seen(struct duet_member *member, gint64 now);
/* The member left its seat: JSEPs not pushed yet are dropped (their
 * requests complete with DUET_PC_CANCELLED). Under the engine lock. */
void duet_pc_cancel_jseps(struct duet_member *member);
/* The handle is gone: nothing blocks any more (deliver afterwards). */
void duet_pc_set_gone(struct duet_member *member);
/* An answer item waiting for a forward is done: it goes out in its turn. */
void duet_pc_answer_ready(struct duet_member *member, struct duet_action *answer, json_t *body);
/* Releases every queued action without delivering it (shutdown). */
void duet_pc_drop(struct duet_member *member, const struct duet_host *host);
/* State for info and tests. */
duet_pc_state duet_pc_get_state(struct duet_member *member, guint *gen);

#endif
