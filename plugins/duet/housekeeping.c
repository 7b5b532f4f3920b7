/*
 * housekeeping.c - the plugin's timer thread.
 *
 * It waits for the earliest deadline the engine has - a held seat's end,
 * a participant's line waiting for a close or a JSEP retry (pc.h) - or for
 * the next bitrate sample (once a second), whichever comes first, and is
 * woken when an earlier deadline appears (duet_plugin_wake). It never
 * waits for a room, and never polls.
 */
#include <utils.h>

#include "glue.h"

static GThread *thread;
static duet_engine *engine;
static GMutex lock;
static GCond cond;
static gboolean woken;
static gboolean stop;
static gint64 planned; /* janus time of the next wake; 0 while a turn runs */

void duet_plugin_wake(gint64 deadline) {
	g_mutex_lock(&lock);
	if(planned == 0 || deadline < planned) { /* 0: it may have computed its wait already */
		woken = TRUE;
		g_cond_signal(&cond);
	}
	g_mutex_unlock(&lock);
}

/* One wait per turn (woken early, it returns at once). */
static gboolean wait_next(gint64 next) {
	g_mutex_lock(&lock);
	gint64 left = MAX(0, next - janus_get_monotonic_time());
	planned = woken ? 0 : next;
	gint64 end = g_get_monotonic_time() + (woken ? 0 : MIN(left, G_USEC_PER_SEC));
	if(!stop)
		g_cond_wait_until(&cond, &lock, end);
	woken = FALSE;
	planned = 0;
	gboolean go_on = !stop;
	g_mutex_unlock(&lock);
	return go_on;
}

static void *run(void *data) {
	(void)data;
	gint64 last_sample = janus_get_monotonic_time();
	for(;;) {
		gint64 next = last_sample + G_USEC_PER_SEC;
		gint64 due = duet_engine_next_deadline(engine);
		if(!wait_next(due != 0 && due < next ? due : next))
			break;
		duet_engine_expire(engine);
		if(janus_get_monotonic_time() - last_sample >= G_USEC_PER_SEC) {
			duet_plugin_sample_rates();
			last_sample = janus_get_monotonic_time();
		}
	}
	return NULL;
}

void duet_housekeeping_start(duet_engine *e, GError **error) {
	engine = e;
	stop = FALSE;
	/* The name fits a thread name (15 characters): tests/stub knows it. */
	thread = g_thread_try_new("duet-timers", run, NULL, error);
}

void duet_housekeeping_stop(void) {
	if(thread == NULL)
		return;
	g_mutex_lock(&lock);
	stop = TRUE;
	g_cond_broadcast(&cond);
	g_mutex_unlock(&lock);
	g_thread_join(thread);
	thread = NULL;
	engine = NULL;
}
