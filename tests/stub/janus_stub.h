/*
 * janus_stub.h - a small stand-in for the Janus core, for programs that
 * drive the real Duet plugin (tests/fuzz, tests/stress) without Janus.
 *
 * The plugin's object files are linked into the test program together with
 * janus_stub.c, which defines every core symbol the plugin resolves at load
 * time (janus_config_*, janus_sdp_*, janus_rtcp_*, janus_recorder_*,
 * janus_plugin_result_*, the log globals, ...) and a janus_callbacks table.
 * Nothing here is copied from Janus; behaviour follows Janus 1.1.x where it
 * matters to a plugin:
 *
 *  - Handles. stub_handle_new() does what attach does: it allocates a
 *    janus_plugin_session whose refcount is 2 (one reference is the core's,
 *    one is the plugin's, which the plugin drops when it frees its own
 *    session, like every bundled plugin does), calls create_session and
 *    marks the handle alive. stub_handle_destroy() does what detach does:
 *    marks it stopped and not alive, then (on the handle's loop) calls
 *    hangup_media if a PeerConnection was not hung up already, then
 *    destroy_session, then drops the core's reference.
 *  - Loops. Like the core, callbacks that Janus runs on a handle's own
 *    loop thread (hangup_media after close_pc, destroy_session after a
 *    detach) are queued on the handle's stub_loop and run by whoever drains
 *    it: the fuzzer drains it synchronously after each step, the stress
 *    program runs one thread per loop. close_pc never calls back into the
 *    plugin synchronously (the plugin may hold its own locks).
 *  - PeerConnection state. Like the core's ALERT flag: a close_pc or a
 *    browser hangup calls hangup_media at most once until a new SDP goes
 *    through the handle (a JSEP pushed to it or sent by it).
 *  - Time. janus_get_monotonic_time() is a virtual clock (manual mode, the
 *    fuzzer) or the real one plus an offset (the stress program); both can
 *    be advanced. In manual mode the plugin's housekeeping thread only runs
 *    a tick when stub_housekeeping_tick() asks, and another plugin thread
 *    that sleeps (waiting for the core) parks until the driver has run the
 *    loops (g_usleep is interposed; in real-clock mode it just sleeps).
 *  - Refcounts. With refcount_debug on, every janus_refcount_* of the
 *    plugin and of the stub goes through janus_vprintf: the stub keeps a
 *    ledger of live counted objects (plugin sessions, SDPs, recorders,
 *    handles), so a program can check that everything was released.
 */
#ifndef DUET_JANUS_STUB_H
#define DUET_JANUS_STUB_H

#include <glib.h>
#include <jansson.h>
#include <plugins/plugin.h>

typedef struct stub_loop stub_loop;

/* One core handle with its plugin session. The plugin only ever sees
 * &handle->session; the rest is the core's bookkeeping. */
typedef struct stub_handle {
	janus_plugin_session session; /* first: (stub_handle *)plugin_session */
	guint64 id;
	stub_loop *loop;
	gint closepc; /* a close_pc is queued */
	gint alert; /* the PeerConnection was hung up: no more hangup_media until a new SDP */
	gint reject_jsep; /* JSEPs pushed to this handle are refused (the core's 465): 1 the next one, 2 all */
	gint detached; /* destroy_session was called */
	/* What the plugin did to this handle. */
	gint events, jseps, rtp, rtcp, data, plis, rembs, closes, hangups;
	guint32 last_remb;
	/* Free for the program driving the handle. */
	void *user;
} stub_handle;

/* What the plugin pushed to a handle (push_event) or notified (notify_event).
 * The hooks run on the plugin's thread; they must not keep the objects
 * without a json_incref. */
typedef void (*stub_event_hook)(stub_handle *handle, const char *transaction, json_t *event, json_t *jsep, void *user);
/* dropped: the core drops this notification, as it names a handle that is
 * not alive (handle is then NULL; stub_count.notifications_dropped). */
typedef void (*stub_notify_hook)(stub_handle *handle, json_t *event, gboolean dropped, void *user);
/* A contract or API misuse the stub noticed (a non-object event, a callback
 * with a handle that is not alive, ...). */
typedef void (*stub_violation_hook)(const char *what, void *user);

typedef struct stub_options {
	gboolean manual_clock; /* virtual time and housekeeping ticks on demand */
	gboolean events_enabled; /* what events_is_enabled() answers */
	gboolean refcount_ledger; /* refcount_debug on, ledger kept (not under TSan: the debug macros read counts racily) */
	gboolean fake_recorders; /* janus_recorder_create returns an in-memory recorder instead of NULL */
	gboolean verbose; /* print the plugin's log (LOG_WARN and worse) */
	/* [general] items of the plugin's configuration, NULL-terminated
	 * name/value pairs; NULL: janus_config_parse finds no file. */
	const char *const *general;
	/* Manual mode: called (on the sleeping thread) when a plugin thread
	 * parks in g_usleep, so that the driver can run the loops and unpark it. */
	void (*on_park)(void);
	/* Manual mode: called when the plugin's worker goes back to waiting for
	 * a request (g_async_queue_pop) and when work is queued on a loop, so
	 * that a driver waiting for either can sleep until it happens instead
	 * of polling (called without any stub lock held). */
	void (*on_change)(void);
} stub_options;

/* Global counters (atomics), for reports. */
typedef struct stub_counters {
	gint push_events, push_jseps, push_refused, notifications, notifications_dropped, relayed_rtp, relayed_rtcp,
	    relayed_data, plis, rembs, close_pcs, hangups, end_sessions, handles_created, handles_destroyed, handles_freed,
	    sdp_parsed, sdp_rejected, recorders_created, recorder_frames, violations;
} stub_counters;
extern stub_counters stub_count;

/* Sets up the stub; loads the plugin through its create() and init(). */
janus_plugin *stub_start(const stub_options *options);
/* Calls the plugin's destroy() and removes the sandbox folder. */
void stub_stop(void);
/* The folder the plugin was given as its configuration folder. */
const char *stub_config_folder(void);

void stub_set_hooks(stub_event_hook on_event, stub_notify_hook on_notify, stub_violation_hook on_violation, void *user);

/* Loops: work the core would run on a handle's loop thread. */
stub_loop *stub_loop_new(void);
void stub_loop_free(stub_loop *loop);
/* Runs what is queued (without waiting); returns how many items ran. */
int stub_loop_run(stub_loop *loop);
/* Waits up to timeout_us for work, then runs it; returns how many ran. */
int stub_loop_run_wait(stub_loop *loop, gint64 timeout_us);
int stub_loop_pending(stub_loop *loop);

/* attach: a new handle on loop (the caller owns one reference). NULL when
 * create_session failed. */
stub_handle *stub_handle_new(stub_loop *loop);
/* detach: the handle stops at once; hangup_media/destroy_session run on
 * its loop. Does not drop the caller's reference. */
void stub_handle_destroy(stub_handle *handle);
void stub_handle_ref(stub_handle *handle);
void stub_handle_unref(stub_handle *handle);
gboolean stub_handle_alive(stub_handle *handle);
/* The refcount of the handle's plugin session, as the core sees it. */
int stub_handle_refs(stub_handle *handle);

/* The core's side of media, as it would call the plugin. */
/* An SDP went through the handle (clears the hung-up state). */
void stub_handle_negotiated(stub_handle *handle);
/* The PeerConnection closed on the browser's side: hangup_media, once. */
void stub_handle_pc_closed(stub_handle *handle);
/* A hangup_media whatever the handle's state: the late callback of an
 * older PeerConnection, or a duplicate (the plugin must ignore it or end
 * the call, never lose track of the current PeerConnection). */
void stub_handle_hangup_again(stub_handle *handle);

/* Clock. */
gint64 stub_clock_now(void);
void stub_clock_advance(gint64 us);
/* Manual mode: lets the housekeeping thread run one tick, and waits for it. */
void stub_housekeeping_tick(void);
/* Manual mode: how long (us of virtual time) the housekeeping timer asked
 * to sleep in its current wait for a tick (g_cond_wait_until: its next
 * deadline, at most a second away), or -1 if it is not waiting or did not
 * say (a g_usleep tick). */
gint64 stub_housekeeping_wants(void);
/* Manual mode: another plugin thread sleeping in g_usleep (waiting for the
 * core) is parked: virtual time passes by its sleep, and it stays parked
 * until stub_unpark(), so that the driver can first run what the core
 * would have done meanwhile. The driver's own thread never parks (its
 * sleeps run every loop instead): call stub_set_driver_thread() from it. */
int stub_parked(void);
void stub_unpark(void);
void stub_set_driver_thread(void);
/* How many times a plugin thread called g_async_queue_pop (the worker, each
 * time it is done with a request and waits for the next one); waiting until
 * the count passes a value read while the worker was busy tells when it is
 * done (FALSE on timeout). */
guint64 stub_queue_pops(void);
/* The worker waits in g_async_queue_pop and its queue is empty: only a
 * timer (a housekeeping tick) can make the plugin do anything more. */
gboolean stub_worker_idle(void);
/* Non-zero: janus_config_save fails (a read-only configuration folder). */
extern gint stub_config_save_fails;
/* timeout_us counts the time waited while the process runs: a stop
 * (SIGSTOP, a suspended machine) does not use it up. */
gboolean stub_wait_queue_pops(guint64 more_than, gint64 timeout_us);

/* Ledger (refcount_ledger mode): how many counted objects are alive,
 * by the function that created them ("duet_create_session", ...). */
int stub_ledger_alive(const char *creator);
/* Objects created by `creator` on behalf of a handle (the handle being
 * created when they were made) still alive. */
int stub_ledger_alive_for(const char *creator, stub_handle *handle);
/* Prints the live objects of the ledger to stderr. */
void stub_ledger_dump(void);

/* Plugin sessions not freed yet, as seen without refcount debugging: the
 * mutexes the plugin initialised while a create_session ran and has not
 * cleared (g_mutex_init/clear are interposed); of one handle, or all. */
int stub_sessions_alive(stub_handle *handle);

/* Handles destroyed whose plugin session is still referenced; with release
 * TRUE, drops one reference (the plugin's) of each one still held only by
 * the plugin, for programs that tolerate a plugin that never releases it. */
int stub_handles_unreleased(gboolean release);

/* Records a violation (calls the violation hook). */
void stub_violation(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
