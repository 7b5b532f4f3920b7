/*
 * housekeeping.c - the plugin's one timer thread.
 *
 * It waits for the earliest deadline (a held seat's end, a line's close
 * timeout or JSEP retry, pc.c) or the next bitrate sample, whichever comes
 * first, and is woken when an earlier deadline appears or when the media
 * path reports a new simulcast layer for someone (who then gets its
 * `simulcast` event from here, off the media path). It never waits for a
 * room.
 */
#include "glue.h"

static duet_engine *engine;
static GThread *thread;
static GMutex hk_mutex;
static GCond hk_cond;
static gboolean hk_wake, hk_stop;
static gint64 hk_planned; /* janus time the thread will next wake at (under hk_mutex) */
/* Set by the media path when a relayed layer changes. */
static volatile gint layers_dirty;

void duet_plugin_wake(gint64 deadline) {
	g_mutex_lock(&hk_mutex);
	if(hk_planned == 0 || deadline < hk_planned) { /* 0: busy, it may have computed its wait already */
		hk_wake = TRUE;
		g_cond_signal(&hk_cond);
	}
	g_mutex_unlock(&hk_mutex);
}

void duet_plugin_layer_changed(void) {
	g_atomic_int_set(&layers_dirty, 1);
	duet_plugin_wake(janus_get_monotonic_time());
}

/* Whether the layer relayed to the session changed since it was told;
 * only this thread reads and writes the told_ fields. */
static gboolean layer_changed(duet_session *session) {
	int substream = g_atomic_int_get(&session->member.rx_substream);
	int temporal = g_atomic_int_get(&session->member.rx_temporal);
	if(substream < 0 || (substream == session->told_substream && temporal == session->told_temporal))
		return FALSE;
	session->told_substream = substream;
	session->told_temporal = temporal;
	return TRUE;
}

typedef struct visit {
	gint64 now;
	gboolean sample, layers;
	GSList *changed; /* sessions to tell of a new layer, referenced */
} visit;

static void visit_session(duet_session *session, void *data) {
	visit *v = data;
	if(v->sample) {
		duet_member_sample_rate(&session->member, v->now);
		duet_simulcast_sample(&session->sim, v->now);
	}
	if(v->layers && layer_changed(session)) {
		janus_refcount_increase(&session->ref);
		v->changed = g_slist_prepend(v->changed, session);
	}
}

/* Samples the rates (once a second) and tells whom of a new layer; the
 * events take the engine lock, so they go out after the table's lock. */
static void visit_sessions(gboolean sample) {
	visit v = {janus_get_monotonic_time(), sample, g_atomic_int_compare_and_exchange(&layers_dirty, 1, 0), NULL};
	if(!v.sample && !v.layers)
		return;
	duet_sessions_foreach(visit_session, &v);
	for(GSList *l = v.changed; l; l = l->next) {
		duet_session *session = l->data;
		duet_engine_layer_changed(engine, &session->member, session->told_substream, session->told_temporal);
		janus_refcount_decrease(&session->ref);
	}
	g_slist_free(v.changed);
}

/* One wait per turn (woken early, it returns at once). */
static gboolean wait_next(gint64 next) {
	g_mutex_lock(&hk_mutex);
	gint64 left = MAX(0, next - janus_get_monotonic_time());
	hk_planned = hk_wake ? 0 : next;
	gint64 end = g_get_monotonic_time() + (hk_wake ? 0 : MIN(left, G_USEC_PER_SEC));
	if(!hk_stop)
		g_cond_wait_until(&hk_cond, &hk_mutex, end);
	hk_wake = FALSE;
	hk_planned = 0;
	gboolean go_on = !hk_stop;
	g_mutex_unlock(&hk_mutex);
	return go_on;
}

static void *housekeeping_thread(void *data) {
	(void)data;
	gint64 last_sample = janus_get_monotonic_time();
	for(;;) {
		gint64 next = last_sample + G_USEC_PER_SEC;
		gint64 due = duet_engine_next_deadline(engine);
		if(!wait_next(due != 0 && due < next ? due : next))
			break;
		duet_engine_expire(engine);
		gboolean sample = janus_get_monotonic_time() - last_sample >= G_USEC_PER_SEC;
		visit_sessions(sample);
		if(sample)
			last_sample = janus_get_monotonic_time();
	}
	return NULL;
}

gboolean duet_housekeeping_start(duet_engine *with, GError **error) {
	engine = with;
	hk_stop = FALSE;
	thread = g_thread_try_new("duet-timers", housekeeping_thread, NULL, error);
	return thread != NULL;
}

void duet_housekeeping_stop(void) {
	if(thread == NULL)
		return;
	g_mutex_lock(&hk_mutex);
	hk_stop = TRUE;
	hk_wake = TRUE;
	g_cond_broadcast(&hk_cond);
	g_mutex_unlock(&hk_mutex);
	g_thread_join(thread);
	thread = NULL;
}
