/*
 * pc.c - each participant's PeerConnection and delivery line (see pc.h).
 *
 * Locks: the engine lock may be held when a line's lock is taken (enqueue,
 * hangup, cancel), never the other way round; a line's lock is never held
 * while the host is called, so the host may call back into the engine.
 * The timers' lock is taken last.
 */
#include <string.h>

#include "outbox.h"

/* ---------------------------------------------------------------------- */
/* Timers                                                                 */

duet_pc_timers *duet_pc_timers_new(const duet_host *host) {
	duet_pc_timers *timers = g_new0(duet_pc_timers, 1);
	g_mutex_init(&timers->lock);
	timers->members = g_hash_table_new(NULL, NULL);
	timers->host = host;
	return timers;
}

void duet_pc_timers_free(duet_pc_timers *timers) {
	if(timers == NULL)
		return;
	GHashTableIter iter;
	gpointer key;
	g_hash_table_iter_init(&iter, timers->members);
	while(g_hash_table_iter_next(&iter, &key, NULL))
		timers->host->unref(key);
	g_hash_table_destroy(timers->members);
	g_mutex_clear(&timers->lock);
	g_free(timers);
}

static void arm(duet_pc_timers *timers, duet_member *member, gint64 deadline) {
	if(timers == NULL)
		return;
	g_mutex_lock(&timers->lock);
	if(!g_hash_table_contains(timers->members, member)) {
		timers->host->ref(member);
		g_hash_table_add(timers->members, member);
	}
	g_mutex_unlock(&timers->lock);
	if(timers->host->wake)
		timers->host->wake(deadline);
}

static void disarm(duet_pc_timers *timers, duet_member *member) {
	if(timers == NULL)
		return;
	g_mutex_lock(&timers->lock);
	gboolean had = g_hash_table_remove(timers->members, member);
	g_mutex_unlock(&timers->lock);
	if(had)
		timers->host->unref(member);
}

/* A deadline passed: a close that got no hangup, or a JSEP to try again. */
static void expire(duet_member *member, gint64 now) {
	duet_pc *pc = &member->pc;
	g_mutex_lock(&pc->lock);
	if(pc->wait_until != 0 && pc->wait_until <= now) {
		if(pc->state == DUET_PC_CLOSING) {
			pc->state = DUET_PC_NONE;
			pc->closed_at = now;
			pc->late_hangups++;
			pc->late_until = now + DUET_PC_LATE_US;
		}
		pc->retrying = FALSE;
		pc->wait_until = 0;
	}
	g_mutex_unlock(&pc->lock);
}

void duet_pc_timers_run(duet_pc_timers *timers, gint64 now) {
	g_mutex_lock(&timers->lock);
	GList *due = g_hash_table_get_keys(timers->members);
	for(GList *l = due; l; l = l->next)
		timers->host->ref(l->data);
	g_mutex_unlock(&timers->lock);
	for(GList *l = due; l; l = l->next) {
		duet_member *member = l->data;
		expire(member, now);
		g_mutex_lock(&member->pc.lock);
		gboolean waiting = member->pc.wait_until != 0 && !member->pc.gone;
		g_mutex_unlock(&member->pc.lock);
		if(!waiting)
			disarm(timers, member);
		duet_pc_deliver(member, timers->host, FALSE);
		timers->host->unref(member);
	}
	g_list_free(due);
}

gint64 duet_pc_timers_next(duet_pc_timers *timers) {
	g_mutex_lock(&timers->lock);
	GList *armed = g_hash_table_get_keys(timers->members);
	g_mutex_unlock(&timers->lock);
	gint64 next = 0;
	for(GList *l = armed; l; l = l->next) {
		/* Members in the list may leave the set meanwhile but stay alive:
		 * the set's reference goes only in timers_run, on this thread. */
		duet_pc *pc = &((duet_member *)l->data)->pc;
		g_mutex_lock(&pc->lock);
		if(pc->wait_until != 0 && (next == 0 || pc->wait_until < next))
			next = pc->wait_until;
		g_mutex_unlock(&pc->lock);
	}
	g_list_free(armed);
	return next;
}

/* ---------------------------------------------------------------------- */
/* The line                                                               */

void duet_pc_init(duet_pc *pc) {
	g_mutex_init(&pc->lock);
	g_queue_init(&pc->line);
}

void duet_pc_clear(duet_pc *pc) {
	g_mutex_clear(&pc->lock);
}

void duet_pc_enqueue(duet_pc_timers *timers, duet_action *action) {
	duet_pc *pc = &action->member->pc;
	duet_action *copy = g_memdup2(action, sizeof(*action));
	memset(action, 0, sizeof(*action));
	if(copy->placed) {
		*copy->placed = copy;
		copy->placed = NULL;
	}
	g_mutex_lock(&pc->lock);
	pc->timers = timers;
	g_queue_push_tail(&pc->line, copy);
	g_mutex_unlock(&pc->lock);
}

static gboolean is_jsep(const duet_action *a) {
	return a->kind == DUET_ACT_EVENT && a->jsep != NULL;
}

/* Why the head cannot go out now (0: it can). */
enum { GO, STOP, STOP_SCHEDULE, STOP_SETTLE };

static int blocked(duet_pc *pc, const duet_action *head, gboolean jsep_ok, gint64 now) {
	if(head == NULL)
		return STOP;
	if(pc->gone)
		return head->pending ? STOP : GO;
	if(pc->state == DUET_PC_CLOSING || pc->retrying || head->pending)
		return STOP;
	if(!is_jsep(head) || head->cancelled)
		return GO;
	if(now < pc->settle_until)
		return STOP_SETTLE;
	return jsep_ok ? GO : STOP_SCHEDULE;
}

/* A JSEP waits for the old ICE agent to go: the timer delivers the line
 * once it has settled. Returns the deadline to arm (0: already armed). */
static gint64 settle(duet_pc *pc) {
	if(pc->wait_until != 0)
		return 0;
	pc->wait_until = pc->settle_until;
	return pc->wait_until;
}

/* A close, decided when it comes to the head of the line: it waits for the
 * hangup only when the core holds a PeerConnection (known, or a reset). */
static gboolean begin_close(duet_pc *pc, const duet_action *a, gint64 now) {
	if(pc->gone || pc->state == DUET_PC_CLOSING)
		return FALSE;
	if(pc->state != DUET_PC_LIVE && a->kind != DUET_ACT_RESET_MEDIA)
		return FALSE;
	pc->state = DUET_PC_CLOSING;
	pc->wait_until = now + DUET_PC_HOLD_US;
	return TRUE;
}

/* After a JSEP push: live on success; a refusal right after a close is the
 * core's "no PeerConnection yet" and is tried again (TRUE: keep the item). */
static gboolean after_jsep(duet_pc *pc, int result, gint64 now) {
	if(result == 0) {
		if(pc->state == DUET_PC_NONE) {
			pc->gen++;
			pc->state = DUET_PC_LIVE;
		}
		pc->retry_until = 0;
		return FALSE;
	}
	if(pc->gone || pc->state != DUET_PC_NONE || pc->closed_at == 0)
		return FALSE;
	if(pc->retry_until == 0)
		pc->retry_until = pc->closed_at + DUET_PC_RETRY_FOR_US;
	if(now >= pc->retry_until) {
		pc->retry_until = 0;
		return FALSE;
	}
	pc->retrying = TRUE;
	pc->wait_until = now + DUET_PC_RETRY_US;
	return TRUE;
}

/* Performs the head (popped) without the line's lock; returns TRUE when it
 * must stay at the head (a retry). jsep_ok: as for duet_pc_deliver (a
 * JSEP reaches here on another thread only cancelled or for a gone handle). */
static gboolean perform(duet_member *member, duet_action *a, const duet_host *host, gboolean jsep_ok) {
	duet_pc *pc = &member->pc;
	int result = 0;
	if(a->kind == DUET_ACT_CLOSE_MEDIA || a->kind == DUET_ACT_RESET_MEDIA) {
		g_mutex_lock(&pc->lock);
		gboolean expect = begin_close(pc, a, host->now());
		duet_pc_timers *timers = pc->timers;
		gint64 deadline = pc->wait_until;
		g_mutex_unlock(&pc->lock);
		host->close_media(member, expect);
		if(expect)
			arm(timers, member, deadline);
		return FALSE;
	}
	if(a->kind == DUET_ACT_OWN_JSEP) {
		g_mutex_lock(&pc->lock);
		after_jsep(pc, 0, 0);
		g_mutex_unlock(&pc->lock);
		return FALSE;
	}
	if(is_jsep(a) && a->cancelled)
		result = DUET_PC_CANCELLED;
	else
		result = duet_action_perform(a, host);
	if(!is_jsep(a) || result == DUET_PC_CANCELLED)
		goto done;
	g_mutex_lock(&pc->lock);
	gboolean again = after_jsep(pc, result, host->now());
	duet_pc_timers *timers = pc->timers;
	gint64 deadline = pc->wait_until;
	g_mutex_unlock(&pc->lock);
	if(again) {
		arm(timers, member, deadline);
		return TRUE;
	}
done:
	if(a->forward) {
		duet_forward *forward = a->forward;
		a->forward = NULL;
		forward->done(forward, result, jsep_ok);
	}
	return FALSE;
}

void duet_pc_deliver(duet_member *member, const duet_host *host, gboolean jsep_ok) {
	duet_pc *pc = &member->pc;
	int why = STOP;
	g_mutex_lock(&pc->lock);
	if(pc->busy) {
		g_mutex_unlock(&pc->lock);
		return; /* the thread delivering it will see what was added */
	}
	pc->busy = TRUE;
	while((why = blocked(pc, g_queue_peek_head(&pc->line), jsep_ok, host->now())) == GO) {
		duet_action *a = g_queue_pop_head(&pc->line);
		g_mutex_unlock(&pc->lock);
		gboolean keep = perform(member, a, host, jsep_ok);
		if(!keep) {
			duet_action_release(a, host);
			g_free(a);
		}
		g_mutex_lock(&pc->lock);
		if(keep)
			g_queue_push_head(&pc->line, a);
	}
	pc->busy = FALSE;
	gint64 deadline = why == STOP_SETTLE ? settle(pc) : 0;
	duet_pc_timers *timers = pc->timers;
	g_mutex_unlock(&pc->lock);
	if(why == STOP_SCHEDULE)
		host->schedule(member);
	if(deadline != 0)
		arm(timers, member, deadline);
}

duet_pc_hangup duet_pc_hangup_seen(duet_member *member, gint64 now) {
	duet_pc *pc = &member->pc;
	duet_pc_hangup what = DUET_HANGUP_STALE;
	g_mutex_lock(&pc->lock);
	if(pc->state == DUET_PC_CLOSING) {
		what = DUET_HANGUP_EXPECTED;
		pc->state = DUET_PC_NONE;
		pc->wait_until = 0;
		pc->closed_at = now;
	} else if(pc->late_hangups > 0 && now < pc->late_until) {
		pc->late_hangups--; /* the close of an older generation, after all */
	} else if(pc->state == DUET_PC_LIVE) {
		what = DUET_HANGUP_UNEXPECTED;
		pc->state = DUET_PC_NONE;
		pc->closed_at = now;
	}
	if(what == DUET_HANGUP_STALE)
		pc->hangups_ignored++;
	else
		pc->settle_until = now + DUET_PC_SETTLE_US;
	if(pc->late_hangups > 0 && now >= pc->late_until)
		pc->late_hangups = 0;
	g_mutex_unlock(&pc->lock);
	return what;
}

void duet_pc_cancel_jseps(duet_member *member) {
	duet_pc *pc = &member->pc;
	g_mutex_lock(&pc->lock);
	for(GList *l = pc->line.head; l; l = l->next) {
		duet_action *a = l->data;
		if(is_jsep(a))
			a->cancelled = TRUE;
	}
	g_mutex_unlock(&pc->lock);
}

void duet_pc_set_gone(duet_member *member) {
	duet_pc *pc = &member->pc;
	g_mutex_lock(&pc->lock);
	pc->gone = TRUE;
	pc->retrying = FALSE;
	pc->wait_until = 0;
	g_mutex_unlock(&pc->lock);
}

void duet_pc_answer_ready(duet_member *member, duet_action *answer, json_t *body) {
	duet_pc *pc = &member->pc;
	g_mutex_lock(&pc->lock);
	if(body) {
		json_decref(answer->event);
		answer->event = body;
	}
	answer->pending = FALSE;
	g_mutex_unlock(&pc->lock);
}

void duet_pc_drop(duet_member *member, const duet_host *host) {
	duet_pc *pc = &member->pc;
	duet_pc_set_gone(member);
	for(;;) {
		g_mutex_lock(&pc->lock);
		duet_action *a = g_queue_pop_head(&pc->line);
		g_mutex_unlock(&pc->lock);
		if(a == NULL)
			break;
		duet_forward *forward = a->forward;
		a->forward = NULL;
		if(forward)
			forward->done(forward, DUET_PC_CANCELLED, FALSE);
		duet_action_release(a, host);
		g_free(a);
	}
	g_mutex_lock(&pc->lock);
	duet_pc_timers *timers = pc->timers;
	g_mutex_unlock(&pc->lock);
	disarm(timers, member);
}

duet_pc_state duet_pc_get_state(duet_member *member, guint *gen) {
	g_mutex_lock(&member->pc.lock);
	duet_pc_state state = member->pc.state;
	if(gen)
		*gen = member->pc.gen;
	g_mutex_unlock(&member->pc.lock);
	return state;
}
