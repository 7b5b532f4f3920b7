/*
 * janus_stub.c - the Janus core symbols Duet needs, and a small core model
 * (handles, loops, clock) for the fuzz and stress programs. See
 * janus_stub.h for what is modelled and why.
 *
 * Written for these tests from the Janus plugin API (plugin.h and the other
 * installed headers); no Janus source is copied.
 */
#define _GNU_SOURCE
#include "janus_stub.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STUB_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif
#endif

#include <apierror.h>
#include <config.h>
#include <debug.h>
#include <record.h>
#include <refcount.h>
#include <rtcp.h>
#include <sdp-utils.h>
#include <utils.h>

/* ---------------------------------------------------------------------- */
/* Globals the plugin links against                                       */

int janus_log_level = LOG_NONE;
gboolean janus_log_timestamps = FALSE;
gboolean janus_log_colors = FALSE;
char *janus_log_global_prefix = NULL;
int lock_debug = 0;
int refcount_debug = 0;

stub_counters stub_count;

static stub_options opts;
static janus_plugin *plugin;
static gint stopped; /* stub_stop() ran */
static char *sandbox;
static stub_event_hook event_hook;
static stub_notify_hook notify_hook;
static stub_violation_hook violation_hook;
static void *hook_user;

void stub_set_hooks(
    stub_event_hook on_event, stub_notify_hook on_notify, stub_violation_hook on_violation, void *user) {
	event_hook = on_event;
	notify_hook = on_notify;
	violation_hook = on_violation;
	hook_user = user;
}

void stub_violation(const char *fmt, ...) {
	char text[512];
	va_list args;
	va_start(args, fmt);
	g_vsnprintf(text, sizeof(text), fmt, args);
	va_end(args);
	g_atomic_int_inc(&stub_count.violations);
	if(violation_hook) {
		violation_hook(text, hook_user);
	} else {
		fprintf(stderr, "janus_stub: %s\n", text);
		abort();
	}
}

/* ---------------------------------------------------------------------- */
/* Refcount ledger (janus_vprintf sees the debug variants of the macros)  */

typedef struct ledger_entry {
	int count;
	const char *creator; /* __FUNCTION__ of the init: static storage */
	const void *owner; /* the handle being created at the time, or NULL */
} ledger_entry;

static GMutex ledger_lock;
static GHashTable *ledger; /* janus_refcount * -> ledger_entry * */
static __thread stub_handle *creating; /* the handle whose create_session is running */

static void ledger_op(const char *op, const char *func, const void *ref) {
	g_mutex_lock(&ledger_lock);
	if(ledger == NULL)
		ledger = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	ledger_entry *e = g_hash_table_lookup(ledger, ref);
	if(strcmp(op, "init") == 0) {
		if(e == NULL) {
			e = g_new0(ledger_entry, 1);
			g_hash_table_insert(ledger, (gpointer)ref, e);
		}
		e->count = 1;
		e->creator = func;
		e->owner = creating;
	} else if(strcmp(op, "increase") == 0) {
		if(e)
			e->count++;
	} else if(strcmp(op, "decrease") == 0) {
		if(e && --e->count <= 0)
			g_hash_table_remove(ledger, ref);
	}
	g_mutex_unlock(&ledger_lock);
}

static int ledger_count(const char *creator, const void *owner, gboolean any_owner) {
	int n = 0;
	g_mutex_lock(&ledger_lock);
	if(ledger) {
		GHashTableIter iter;
		gpointer value;
		g_hash_table_iter_init(&iter, ledger);
		while(g_hash_table_iter_next(&iter, NULL, &value)) {
			ledger_entry *e = value;
			if((creator == NULL || strcmp(e->creator, creator) == 0) && (any_owner || e->owner == owner))
				n++;
		}
	}
	g_mutex_unlock(&ledger_lock);
	return n;
}

int stub_ledger_alive(const char *creator) {
	return ledger_count(creator, NULL, TRUE);
}

int stub_ledger_alive_for(const char *creator, stub_handle *handle) {
	return ledger_count(creator, handle, FALSE);
}

void stub_ledger_dump(void) {
	g_mutex_lock(&ledger_lock);
	if(ledger) {
		GHashTableIter iter;
		gpointer key, value;
		g_hash_table_iter_init(&iter, ledger);
		while(g_hash_table_iter_next(&iter, &key, &value)) {
			ledger_entry *e = value;
			fprintf(stderr, "  ledger: %p count %d, made by %s for handle %p\n", key, e->count, e->creator, e->owner);
		}
	}
	g_mutex_unlock(&ledger_lock);
}

/* The refcount macros print "[%s:%s:%d:<op>] %p (%d)\n" (file, function,
 * line, object, count); the lock macros print "[%s:%s:%d:lock] %p\n". */
void janus_vprintf(const char *format, ...) {
	static const char prefix[] = "[%s:%s:%d:";
	va_list args;
	va_start(args, format);
	if(strncmp(format, prefix, sizeof(prefix) - 1) == 0) {
		const char *op = format + sizeof(prefix) - 1;
		(void)va_arg(args, const char *); /* file */
		const char *func = va_arg(args, const char *);
		(void)va_arg(args, int); /* line */
		const void *ref = va_arg(args, const void *);
		if(strncmp(op, "init]", 5) == 0)
			ledger_op("init", func, ref);
		else if(strncmp(op, "increase]", 9) == 0)
			ledger_op("increase", func, ref);
		else if(strncmp(op, "decrease]", 9) == 0)
			ledger_op("decrease", func, ref);
	} else if(opts.verbose) {
		vfprintf(stderr, format, args);
	}
	va_end(args);
}

/* ---------------------------------------------------------------------- */
/* Small utilities                                                        */

gboolean janus_is_true(const char *value) {
	return value && (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcasecmp(value, "1"));
}

static gint64 clock_offset;
static const gint64 clock_base = G_GINT64_CONSTANT(1000000000000);

gint64 janus_get_monotonic_time(void) {
	gint64 offset = __atomic_load_n(&clock_offset, __ATOMIC_RELAXED);
	return opts.manual_clock ? clock_base + offset : g_get_monotonic_time() + offset;
}

gint64 stub_clock_now(void) {
	return janus_get_monotonic_time();
}

void stub_clock_advance(gint64 us) {
	__atomic_add_fetch(&clock_offset, us, __ATOMIC_RELAXED);
}

janus_plugin_result *janus_plugin_result_new(janus_plugin_result_type type, const char *text, json_t *content) {
	janus_plugin_result *result = g_new0(janus_plugin_result, 1);
	result->type = type;
	result->text = text;
	result->content = content;
	return result;
}

void janus_plugin_result_destroy(janus_plugin_result *result) {
	if(result == NULL)
		return;
	json_decref(result->content);
	g_free(result);
}

/* ---------------------------------------------------------------------- */
/* glib interposers: the plugin's own calls to these come here first      */
/*                                                                        */
/* - g_mutex_init/clear track the mutexes a plugin session initialises    */
/*   while create_session runs: a cleared one means the session was freed */
/*   (stub_sessions_alive), a view that needs no refcount debugging.      */
/* - Under ThreadSanitizer, GMutex, GCond and GAsyncQueue are futex-based */
/*   inside glib, which TSan cannot see: the wrappers tell it about every */
/*   lock, unlock, wait, push and pop (glib's internal calls to them do   */
/*   not come through here, so nothing is counted twice).                 */

#define REAL(ret, name, params)                                                                                        \
	static ret(*real_##name) params;                                                                                   \
	if(__atomic_load_n((void **)&real_##name, __ATOMIC_ACQUIRE) == NULL)                                               \
		__atomic_store_n((void **)&real_##name, dlsym(RTLD_NEXT, #name), __ATOMIC_RELEASE);                            \
	ret(*name##_fn) params = __atomic_load_n(&real_##name, __ATOMIC_ACQUIRE)

static pthread_mutex_t tracker_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *session_mutexes; /* GMutex * -> the handle being created */

void g_mutex_init(GMutex *mutex) {
	REAL(void, g_mutex_init, (GMutex *));
	g_mutex_init_fn(mutex);
#ifdef STUB_TSAN
	__tsan_mutex_create(mutex, 0);
#endif
	if(creating) {
		pthread_mutex_lock(&tracker_lock);
		if(session_mutexes == NULL)
			session_mutexes = g_hash_table_new(NULL, NULL);
		g_hash_table_insert(session_mutexes, mutex, creating);
		pthread_mutex_unlock(&tracker_lock);
	}
}

void g_mutex_clear(GMutex *mutex) {
	REAL(void, g_mutex_clear, (GMutex *));
#ifdef STUB_TSAN
	__tsan_mutex_destroy(mutex, 0);
#endif
	pthread_mutex_lock(&tracker_lock);
	if(session_mutexes)
		g_hash_table_remove(session_mutexes, mutex);
	pthread_mutex_unlock(&tracker_lock);
	g_mutex_clear_fn(mutex);
}

int stub_sessions_alive(stub_handle *handle) {
	int n = 0;
	pthread_mutex_lock(&tracker_lock);
	if(session_mutexes) {
		GHashTableIter iter;
		gpointer value;
		g_hash_table_iter_init(&iter, session_mutexes);
		while(g_hash_table_iter_next(&iter, NULL, &value))
			n += handle == NULL || value == handle;
	}
	pthread_mutex_unlock(&tracker_lock);
	return n;
}

#ifdef STUB_TSAN
void g_mutex_lock(GMutex *mutex) {
	REAL(void, g_mutex_lock, (GMutex *));
	__tsan_mutex_pre_lock(mutex, 0);
	g_mutex_lock_fn(mutex);
	__tsan_mutex_post_lock(mutex, 0, 0);
}

gboolean g_mutex_trylock(GMutex *mutex) {
	REAL(gboolean, g_mutex_trylock, (GMutex *));
	__tsan_mutex_pre_lock(mutex, __tsan_mutex_try_lock);
	gboolean locked = g_mutex_trylock_fn(mutex);
	__tsan_mutex_post_lock(mutex, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
	return locked;
}

void g_mutex_unlock(GMutex *mutex) {
	REAL(void, g_mutex_unlock, (GMutex *));
	__tsan_mutex_pre_unlock(mutex, 0);
	g_mutex_unlock_fn(mutex);
	__tsan_mutex_post_unlock(mutex, 0);
}

/* The wait unlocks the mutex and locks it again inside glib. */
static void cond_enter(GCond *cond, GMutex *mutex) {
	__tsan_release(cond);
	__tsan_mutex_pre_unlock(mutex, 0);
	__tsan_mutex_post_unlock(mutex, 0);
}

static void cond_leave(GCond *cond, GMutex *mutex) {
	__tsan_mutex_pre_lock(mutex, 0);
	__tsan_mutex_post_lock(mutex, 0, 0);
	__tsan_acquire(cond);
}

void g_cond_wait(GCond *cond, GMutex *mutex) {
	REAL(void, g_cond_wait, (GCond *, GMutex *));
	cond_enter(cond, mutex);
	g_cond_wait_fn(cond, mutex);
	cond_leave(cond, mutex);
}

void g_cond_signal(GCond *cond) {
	REAL(void, g_cond_signal, (GCond *));
	__tsan_release(cond);
	g_cond_signal_fn(cond);
}

void g_cond_broadcast(GCond *cond) {
	REAL(void, g_cond_broadcast, (GCond *));
	__tsan_release(cond);
	g_cond_broadcast_fn(cond);
}

void g_async_queue_push_front(GAsyncQueue *queue, gpointer data) {
	REAL(void, g_async_queue_push_front, (GAsyncQueue *, gpointer));
	__tsan_release(queue);
	g_async_queue_push_front_fn(queue, data);
}

gpointer g_async_queue_try_pop(GAsyncQueue *queue) {
	REAL(gpointer, g_async_queue_try_pop, (GAsyncQueue *));
	gpointer data = g_async_queue_try_pop_fn(queue);
	__tsan_acquire(queue);
	return data;
}

gpointer g_async_queue_timeout_pop(GAsyncQueue *queue, guint64 timeout) {
	REAL(gpointer, g_async_queue_timeout_pop, (GAsyncQueue *, guint64));
	gpointer data = g_async_queue_timeout_pop_fn(queue, timeout);
	__tsan_acquire(queue);
	return data;
}
#endif

/* ---------------------------------------------------------------------- */
/* Housekeeping on demand: g_usleep is interposed for the plugin's        */
/* housekeeping thread in manual mode; every other caller really sleeps.  */

static GMutex hk_lock;
static GCond hk_cond;
static guint64 hk_sleeps, hk_grants, hk_consumed;
static gboolean hk_release;
static __thread int thread_role; /* 0 unknown, 1 housekeeper, 2 other */

/* The plugin names the thread "duet housekeeping", which is too long for
 * pthread_setname_np (15 characters), so glib leaves it unnamed: the
 * thread is recognised by the length of its sleep (plugin.c's TICK_US). */
#define HOUSEKEEPING_TICK_US 250000

static gboolean is_housekeeper(gulong microseconds) {
	if(thread_role == 0) {
		char name[32] = "";
		pthread_getname_np(pthread_self(), name, sizeof(name));
		if(g_str_has_prefix(name, "duet housekeep") || microseconds == HOUSEKEEPING_TICK_US)
			thread_role = 1;
		else
			thread_role = 2;
	}
	return thread_role == 1;
}

static void real_sleep(gulong us) {
	struct timespec ts = {(time_t)(us / G_USEC_PER_SEC), (long)(us % G_USEC_PER_SEC) * 1000};
	while(nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Manual mode: a plugin thread other than the housekeeper sleeps while it
 * waits for the core (for instance for a hangup_media after its close_pc).
 * Virtual time passes by the sleep, and the thread stays parked until the
 * driver has run what the core would have run meanwhile (stub_unpark). */
static guint64 park_requests, park_released;
static int parked;
static __thread gboolean is_driver;
static GPtrArray *all_loops;

static void park(gulong microseconds) {
	stub_clock_advance((gint64)microseconds);
	if(is_driver) {
		/* The driver itself waits: it is the one that runs the loops. */
		for(guint i = 0; all_loops && i < all_loops->len; i++)
			stub_loop_run(all_loops->pdata[i]);
		return;
	}
	g_mutex_lock(&hk_lock);
	guint64 ticket = ++park_requests;
	parked++;
	g_mutex_unlock(&hk_lock);
	if(opts.on_park)
		opts.on_park();
	g_mutex_lock(&hk_lock);
	while(park_released < ticket && !hk_release)
		g_cond_wait(&hk_cond, &hk_lock);
	parked--;
	g_mutex_unlock(&hk_lock);
}

int stub_parked(void) {
	g_mutex_lock(&hk_lock);
	int n = parked;
	g_mutex_unlock(&hk_lock);
	return n;
}

void stub_unpark(void) {
	g_mutex_lock(&hk_lock);
	park_released = park_requests;
	g_cond_broadcast(&hk_cond);
	g_mutex_unlock(&hk_lock);
}

void stub_set_driver_thread(void) {
	is_driver = TRUE;
}

/* The plugin's worker waits for requests in g_async_queue_pop: counting the
 * calls tells when it is back there, done with everything it popped before. */
static guint64 queue_pops;
static int in_pop; /* threads waiting in g_async_queue_pop */
static GAsyncQueue *pop_queue; /* the queue they wait on (the plugin has one) */
/* Messages pushed (g_async_queue_push, counted before they are in the
 * queue) and handed out by g_async_queue_pop (counted once it returned):
 * equal, no message is on its way to the worker. */
static guint64 queue_pushed, queue_popped;

/* What is pushed happens before what pops it (TSan). */
void g_async_queue_push(GAsyncQueue *queue, gpointer data) {
	REAL(void, g_async_queue_push, (GAsyncQueue *, gpointer));
	g_mutex_lock(&hk_lock);
	queue_pushed++;
	g_mutex_unlock(&hk_lock);
#ifdef STUB_TSAN
	__tsan_release(queue);
#endif
	g_async_queue_push_fn(queue, data);
}

gpointer g_async_queue_pop(GAsyncQueue *queue) {
	REAL(gpointer, g_async_queue_pop, (GAsyncQueue *));
	g_mutex_lock(&hk_lock);
	queue_pops++;
	in_pop++;
	pop_queue = queue;
	g_cond_broadcast(&hk_cond);
	g_mutex_unlock(&hk_lock);
	if(opts.manual_clock && opts.on_change)
		opts.on_change();
	gpointer data = g_async_queue_pop_fn(queue);
	g_mutex_lock(&hk_lock);
	in_pop--;
	queue_popped++;
	g_mutex_unlock(&hk_lock);
#ifdef STUB_TSAN
	__tsan_acquire(queue);
#endif
	return data;
}

gboolean stub_worker_idle(void) {
	g_mutex_lock(&hk_lock);
	/* Not the queue's length: it is 0 too while a message just pushed has
	 * not woken the worker yet, and just after the worker took one out. */
	gboolean idle = in_pop > 0 && pop_queue != NULL && queue_pushed == queue_popped;
	g_mutex_unlock(&hk_lock);
	return idle;
}

guint64 stub_queue_pops(void) {
	g_mutex_lock(&hk_lock);
	guint64 n = queue_pops;
	g_mutex_unlock(&hk_lock);
	return n;
}

/* Waits in slices of at most 100 ms and counts at most 200 ms for each, so
 * that a stop of the process (a long fuzz run paused with SIGSTOP) is not
 * taken for a timeout. */
gboolean stub_wait_queue_pops(guint64 more_than, gint64 timeout_us) {
	gint64 left = timeout_us, last = g_get_monotonic_time();
	g_mutex_lock(&hk_lock);
	while(queue_pops <= more_than && left > 0) {
		g_cond_wait_until(&hk_cond, &hk_lock, last + MIN(left, 100 * 1000));
		gint64 now = g_get_monotonic_time();
		left -= MIN(now - last, 200 * 1000);
		last = now;
	}
	gboolean ok = queue_pops > more_than;
	g_mutex_unlock(&hk_lock);
	return ok;
}

void g_usleep(gulong microseconds) {
	if(!opts.manual_clock) {
		real_sleep(microseconds);
		return;
	}
	if(!is_housekeeper(microseconds)) {
		park(microseconds);
		return;
	}
	g_mutex_lock(&hk_lock);
	hk_sleeps++;
	g_cond_broadcast(&hk_cond);
	while(!hk_release && hk_grants == hk_consumed)
		g_cond_wait(&hk_cond, &hk_lock);
	if(hk_grants > hk_consumed)
		hk_consumed++;
	g_mutex_unlock(&hk_lock);
}

/* The plugin's housekeeping thread (a timer) waits for its next deadline
 * in g_cond_wait_until: in manual mode that wait is a tick granted by the
 * driver, like the g_usleep of older plugins; every other wait is real. */
static gboolean housekeeper_thread(void) {
	if(thread_role == 0) {
		char name[32] = "";
		pthread_getname_np(pthread_self(), name, sizeof(name));
		thread_role = g_str_has_prefix(name, "duet-timers") || g_str_has_prefix(name, "duet housekeep") ? 1 : 2;
	}
	return thread_role == 1;
}

static gint64 hk_wants = -1; /* the sleep the timer asked for in its pending wait (under hk_lock) */

static void housekeeper_wait(gint64 wants) {
	g_mutex_lock(&hk_lock);
	hk_wants = wants;
	hk_sleeps++;
	g_cond_broadcast(&hk_cond);
	while(!hk_release && hk_grants == hk_consumed)
		g_cond_wait(&hk_cond, &hk_lock);
	if(hk_grants > hk_consumed)
		hk_consumed++;
	hk_wants = -1;
	g_mutex_unlock(&hk_lock);
}

gint64 stub_housekeeping_wants(void) {
	g_mutex_lock(&hk_lock);
	gint64 wants = hk_wants;
	g_mutex_unlock(&hk_lock);
	return wants;
}

gboolean g_cond_wait_until(GCond *cond, GMutex *mutex, gint64 end_time) {
	REAL(gboolean, g_cond_wait_until, (GCond *, GMutex *, gint64));
	if(opts.manual_clock && housekeeper_thread()) {
		g_mutex_unlock(mutex);
		housekeeper_wait(MAX(0, end_time - g_get_monotonic_time()));
		g_mutex_lock(mutex);
		return FALSE;
	}
#ifdef STUB_TSAN
	cond_enter(cond, mutex);
#endif
	gboolean signalled = g_cond_wait_until_fn(cond, mutex, end_time);
#ifdef STUB_TSAN
	cond_leave(cond, mutex);
#endif
	return signalled;
}

void stub_housekeeping_tick(void) {
	g_mutex_lock(&hk_lock);
	while(hk_sleeps == 0 && !hk_release)
		g_cond_wait(&hk_cond, &hk_lock);
	guint64 target = hk_sleeps + 1;
	hk_grants++;
	g_cond_broadcast(&hk_cond);
	while(hk_sleeps < target && !hk_release)
		g_cond_wait(&hk_cond, &hk_lock);
	g_mutex_unlock(&hk_lock);
}

static void housekeeping_release(void) {
	g_mutex_lock(&hk_lock);
	hk_release = TRUE; /* and parked threads */
	g_cond_broadcast(&hk_cond);
	g_mutex_unlock(&hk_lock);
}

/* ---------------------------------------------------------------------- */
/* Configuration: in memory; janus_config_save writes a small text file   */

janus_config *janus_config_create(const char *name) {
	janus_config *config = g_new0(janus_config, 1);
	config->name = g_strdup(name);
	config->is_jcfg = name && strstr(name, ".jcfg") != NULL;
	return config;
}

static janus_config_container *container_new(janus_config_type type, const char *name, const char *value) {
	janus_config_container *c = g_new0(janus_config_container, 1);
	c->type = type;
	c->name = g_strdup(name);
	c->value = g_strdup(value);
	return c;
}

static void container_free(gpointer data) {
	janus_config_container *c = data;
	g_list_free_full(c->list, container_free);
	g_free((char *)c->name);
	g_free((char *)c->value);
	g_free(c);
}

janus_config_item *janus_config_item_create(const char *name, const char *value) {
	return name ? container_new(janus_config_type_item, name, value) : NULL;
}

janus_config_category *janus_config_category_create(const char *name) {
	return container_new(janus_config_type_category, name, NULL);
}

janus_config_array *janus_config_array_create(const char *name) {
	return container_new(janus_config_type_array, name, NULL);
}

janus_config *janus_config_parse(const char *config_file) {
	if(opts.general == NULL)
		return NULL; /* no file */
	janus_config *config = janus_config_create(config_file);
	janus_config_category *general = janus_config_category_create("general");
	for(const char *const *kv = opts.general; kv[0] && kv[1]; kv += 2)
		general->list = g_list_append(general->list, container_new(janus_config_type_item, kv[0], kv[1]));
	config->list = g_list_append(config->list, general);
	return config;
}

static GList **list_of(janus_config *config, janus_config_container *parent) {
	if(parent == NULL)
		return &config->list;
	if(parent->type != janus_config_type_category && parent->type != janus_config_type_array)
		return NULL;
	return &parent->list;
}

janus_config_container *janus_config_get(
    janus_config *config, janus_config_container *parent, janus_config_type type, const char *name) {
	if(config == NULL || name == NULL)
		return NULL;
	GList **list = list_of(config, parent);
	for(GList *l = list ? *list : NULL; l; l = l->next) {
		janus_config_container *c = l->data;
		if(c->name && strcasecmp(c->name, name) == 0 && (type == janus_config_type_any || c->type == type))
			return c;
	}
	return NULL;
}

janus_config_container *janus_config_get_create(
    janus_config *config, janus_config_container *parent, janus_config_type type, const char *name) {
	janus_config_container *c = janus_config_get(config, parent, type, name);
	if(c || config == NULL || name == NULL || type == janus_config_type_any)
		return c;
	GList **list = list_of(config, parent);
	if(list == NULL)
		return NULL;
	c = container_new(type, name, NULL);
	*list = g_list_append(*list, c);
	return c;
}

int janus_config_remove(janus_config *config, janus_config_container *parent, const char *name) {
	if(config == NULL || name == NULL)
		return -1;
	GList **list = list_of(config, parent);
	if(list == NULL)
		return -2;
	janus_config_container *c = janus_config_get(config, parent, janus_config_type_any, name);
	if(c == NULL)
		return -3;
	*list = g_list_remove(*list, c);
	container_free(c);
	return 0;
}

int janus_config_add(janus_config *config, janus_config_container *parent, janus_config_container *item) {
	if(config == NULL || item == NULL)
		return -1;
	GList **list = list_of(config, parent);
	if(list == NULL)
		return -2;
	if(item->name)
		janus_config_remove(config, parent, item->name);
	*list = g_list_append(*list, item);
	return 0;
}

GList *janus_config_get_categories(janus_config *config, janus_config_container *parent) {
	if(config == NULL)
		return NULL;
	GList **list = list_of(config, parent);
	GList *out = NULL;
	for(GList *l = list ? *list : NULL; l; l = l->next) {
		janus_config_container *c = l->data;
		if(c->type == janus_config_type_category)
			out = g_list_append(out, c);
	}
	return out;
}

static void save_list(GString *out, GList *list, int depth) {
	for(GList *l = list; l; l = l->next) {
		janus_config_container *c = l->data;
		for(int i = 0; i < depth; i++)
			g_string_append_c(out, '\t');
		if(c->type == janus_config_type_item) {
			g_string_append_printf(out, "%s = \"%s\"\n", c->name, c->value ? c->value : "");
		} else {
			g_string_append_printf(out, "%s: {\n", c->name ? c->name : "");
			save_list(out, c->list, depth + 1);
			for(int i = 0; i < depth; i++)
				g_string_append_c(out, '\t');
			g_string_append(out, "}\n");
		}
	}
}

gint stub_config_save_fails;

int janus_config_save(janus_config *config, const char *folder, const char *filename) {
	if(config == NULL || filename == NULL || g_atomic_int_get(&stub_config_save_fails))
		return -1;
	char *path = folder ? g_strdup_printf("%s/%s.%s", folder, filename, config->is_jcfg ? "jcfg" : "cfg")
	                    : g_strdup_printf("%s.%s", filename, config->is_jcfg ? "jcfg" : "cfg");
	GString *text = g_string_new(NULL);
	save_list(text, config->list, 0);
	gboolean ok = g_file_set_contents(path, text->str, (gssize)text->len, NULL);
	g_string_free(text, TRUE);
	g_free(path);
	return ok ? 0 : -1;
}

void janus_config_destroy(janus_config *config) {
	if(config == NULL)
		return;
	g_list_free_full(config->list, container_free);
	g_free((char *)config->name);
	g_free(config);
}

/* ---------------------------------------------------------------------- */
/* SDP: "v=0..." parses; codecs from the first usable m-line's rtpmap     */

typedef struct stub_sdp {
	janus_sdp sdp;
	char *text;
} stub_sdp;

static void sdp_free(const janus_refcount *ref) {
	janus_sdp *sdp = janus_refcount_containerof(ref, janus_sdp, ref);
	stub_sdp *s = (stub_sdp *)sdp;
	g_free(s->text);
	g_free(s);
}

janus_sdp *janus_sdp_parse(const char *sdp, char *error, size_t errlen) {
	if(sdp == NULL || strncmp(sdp, "v=0", 3) != 0 || (sdp[3] != '\r' && sdp[3] != '\n')) {
		if(error && errlen)
			g_snprintf(error, errlen, "%s", sdp == NULL ? "No SDP" : "Invalid SDP (it must start with v=0)");
		g_atomic_int_inc(&stub_count.sdp_rejected);
		return NULL;
	}
	stub_sdp *s = g_new0(stub_sdp, 1);
	s->text = g_strdup(sdp);
	s->sdp.version = 0;
	janus_refcount_init(&s->sdp.ref, sdp_free);
	g_atomic_int_inc(&stub_count.sdp_parsed);
	return &s->sdp;
}

void janus_sdp_destroy(janus_sdp *sdp) {
	if(sdp == NULL || !g_atomic_int_compare_and_exchange(&sdp->destroyed, 0, 1))
		return;
	janus_refcount_decrease(&sdp->ref);
}

static const char *audio_codecs[] = {"opus", "multiopus", "pcmu", "pcma", "g722", "isac32", "isac16", "l16-48", "l16"};
static const char *video_codecs[] = {"vp8", "vp9", "h264", "av1", "h265"};

static const char *preferred(janus_sdp_mtype type, const char *name) {
	const char **list = type == JANUS_SDP_VIDEO ? video_codecs : audio_codecs;
	size_t n = type == JANUS_SDP_VIDEO ? G_N_ELEMENTS(video_codecs) : G_N_ELEMENTS(audio_codecs);
	if(name == NULL || (type != JANUS_SDP_AUDIO && type != JANUS_SDP_VIDEO))
		return NULL;
	for(size_t i = 0; i < n; i++) {
		if(strcasecmp(name, list[i]) == 0)
			return list[i];
	}
	return NULL;
}

/* The codec name of payload type pt in lines [from, to), or NULL. */
static char *rtpmap_name(char **lines, int from, int to, int pt) {
	char want[32];
	g_snprintf(want, sizeof(want), "a=rtpmap:%d ", pt);
	for(int i = from; i < to; i++) {
		if(!g_str_has_prefix(lines[i], want))
			continue;
		const char *name = lines[i] + strlen(want);
		const char *slash = strchr(name, '/');
		return g_strndup(name, slash ? (gsize)(slash - name) : strlen(name));
	}
	return NULL;
}

void janus_sdp_find_first_codec(janus_sdp *sdp, janus_sdp_mtype type, int index, const char **codec) {
	if(sdp == NULL)
		return;
	janus_refcount_increase(&sdp->ref);
	char **lines = g_strsplit_set(((stub_sdp *)sdp)->text, "\r\n", -1);
	int n = (int)g_strv_length(lines), mindex = -1;
	for(int i = 0; i < n; i++) {
		if(!g_str_has_prefix(lines[i], "m="))
			continue;
		mindex++;
		int end = i + 1;
		while(end < n && !g_str_has_prefix(lines[end], "m="))
			end++;
		janus_sdp_mtype t = g_str_has_prefix(lines[i], "m=audio ")   ? JANUS_SDP_AUDIO
		                    : g_str_has_prefix(lines[i], "m=video ") ? JANUS_SDP_VIDEO
		                                                             : JANUS_SDP_OTHER;
		if((index != -1 && index != mindex) || t != type)
			continue;
		int port = 0, pts[2] = {-1, -1};
		char **words = g_strsplit(lines[i], " ", -1);
		if(g_strv_length(words) >= 4) {
			port = atoi(words[1]);
			pts[0] = atoi(words[3]);
			pts[1] = words[4] ? atoi(words[4]) : -1;
		}
		g_strfreev(words);
		gboolean inactive = FALSE;
		for(int j = i + 1; j < end; j++)
			inactive = inactive || strcmp(lines[j], "a=inactive") == 0;
		if(port > 0 && !inactive) {
			char *name = rtpmap_name(lines, i + 1, end, pts[0]);
			if(name && strcasecmp(name, "red") == 0) {
				g_free(name);
				name = rtpmap_name(lines, i + 1, end, pts[1]);
			}
			const char *c = preferred(type, name);
			g_free(name);
			if(c) {
				if(codec)
					*codec = c;
				break;
			}
		}
		if(index != -1)
			break;
	}
	g_strfreev(lines);
	janus_refcount_decrease(&sdp->ref);
}

/* ---------------------------------------------------------------------- */
/* RTCP: a bounds-checked walk over a compound packet                     */

#define RTCP_PSFB 206

/* Calls check on each well-formed RTCP packet; stops when it returns TRUE. */
static gboolean rtcp_walk(
    const char *packet, int len, gboolean (*check)(const guint8 *p, int size, void *out), void *out) {
	const guint8 *buf = (const guint8 *)packet;
	int off = 0;
	while(buf && off + 4 <= len) {
		const guint8 *p = buf + off;
		if((p[0] >> 6) != 2)
			break;
		int size = (((p[2] << 8) | p[3]) + 1) * 4;
		if(off + size > len)
			break;
		if(check(p, size, out))
			return TRUE;
		off += size;
	}
	return FALSE;
}

static gboolean is_pli(const guint8 *p, int size, void *out) {
	(void)size;
	(void)out;
	return p[1] == RTCP_PSFB && (p[0] & 0x1f) == 1;
}

static gboolean is_fir(const guint8 *p, int size, void *out) {
	(void)size;
	(void)out;
	return p[1] == RTCP_PSFB && (p[0] & 0x1f) == 4;
}

static gboolean remb_of(const guint8 *p, int size, void *out) {
	/* header, sender SSRC, media SSRC, "REMB", count, exp+mantissa */
	if(p[1] != RTCP_PSFB || (p[0] & 0x1f) != 15 || size < 20 || memcmp(p + 12, "REMB", 4) != 0)
		return FALSE;
	guint exp = p[17] >> 2;
	guint64 mantissa = ((guint64)(p[17] & 0x03) << 16) | ((guint64)p[18] << 8) | p[19];
	guint64 bitrate = exp >= 46 ? G_MAXUINT32 : mantissa << exp;
	*(guint32 *)out = bitrate > G_MAXUINT32 ? G_MAXUINT32 : (guint32)bitrate;
	return TRUE;
}

gboolean janus_rtcp_has_pli(char *packet, int len) {
	return rtcp_walk(packet, len, is_pli, NULL);
}

gboolean janus_rtcp_has_fir(char *packet, int len) {
	return rtcp_walk(packet, len, is_fir, NULL);
}

uint32_t janus_rtcp_get_remb(char *packet, int len) {
	guint32 bitrate = 0;
	rtcp_walk(packet, len, remb_of, &bitrate);
	return bitrate;
}

/* ---------------------------------------------------------------------- */
/* Recorders: NULL, or an in-memory recorder that counts frames           */

static void recorder_free(const janus_refcount *ref) {
	janus_recorder *r = janus_refcount_containerof(ref, janus_recorder, ref);
	g_free(r->dir);
	g_free(r->filename);
	g_free(r->codec);
	janus_mutex_destroy(&r->mutex);
	g_free(r);
}

janus_recorder *janus_recorder_create(const char *dir, const char *codec, const char *filename) {
	(void)dir;
	if(!opts.fake_recorders || codec == NULL)
		return NULL;
	janus_recorder *r = g_new0(janus_recorder, 1);
	/* The plugin removes empty recordings from r->dir: keep that in the sandbox. */
	r->dir = g_strdup(sandbox);
	r->filename = g_strdup_printf("%s.mjr", filename ? filename : "recording");
	r->codec = g_strdup(codec);
	r->type = strcmp(codec, "text") == 0 ? JANUS_RECORDER_DATA : JANUS_RECORDER_AUDIO;
	r->created = janus_get_monotonic_time();
	g_atomic_int_set(&r->writable, 1);
	janus_mutex_init(&r->mutex);
	janus_refcount_init(&r->ref, recorder_free);
	g_atomic_int_inc(&stub_count.recorders_created);
	return r;
}

int janus_recorder_save_frame(janus_recorder *recorder, char *buffer, uint length) {
	if(recorder == NULL || buffer == NULL || length < 1)
		return -1;
	janus_mutex_lock(&recorder->mutex);
	if(!g_atomic_int_get(&recorder->writable)) {
		janus_mutex_unlock(&recorder->mutex);
		return -2;
	}
	g_atomic_int_set(&recorder->header, 1);
	janus_mutex_unlock(&recorder->mutex);
	g_atomic_int_inc(&stub_count.recorder_frames);
	return 0;
}

int janus_recorder_close(janus_recorder *recorder) {
	if(recorder == NULL)
		return -1;
	janus_mutex_lock(&recorder->mutex);
	g_atomic_int_set(&recorder->writable, 0);
	janus_mutex_unlock(&recorder->mutex);
	return 0;
}

void janus_recorder_destroy(janus_recorder *recorder) {
	if(recorder == NULL || !g_atomic_int_compare_and_exchange(&recorder->destroyed, 0, 1))
		return;
	janus_refcount_decrease(&recorder->ref);
}

/* ---------------------------------------------------------------------- */
/* Loops                                                                  */

typedef enum { WORK_HANGUP, WORK_DETACH, WORK_END_SESSION } work_kind;

typedef struct work {
	work_kind kind;
	stub_handle *handle; /* referenced */
} work;

struct stub_loop {
	GMutex lock;
	GCond cond;
	GQueue items;
};

stub_loop *stub_loop_new(void) {
	stub_loop *loop = g_new0(stub_loop, 1);
	g_mutex_init(&loop->lock);
	g_cond_init(&loop->cond);
	g_queue_init(&loop->items);
	g_mutex_lock(&hk_lock);
	if(all_loops == NULL)
		all_loops = g_ptr_array_new();
	g_ptr_array_add(all_loops, loop);
	g_mutex_unlock(&hk_lock);
	return loop;
}

void stub_loop_free(stub_loop *loop) {
	if(loop == NULL)
		return;
	while(stub_loop_run(loop) > 0)
		;
	g_mutex_lock(&hk_lock);
	g_ptr_array_remove(all_loops, loop);
	g_mutex_unlock(&hk_lock);
	g_mutex_clear(&loop->lock);
	g_cond_clear(&loop->cond);
	g_free(loop);
}

static void loop_push(stub_loop *loop, work_kind kind, stub_handle *handle, gboolean front) {
	work *w = g_new0(work, 1);
	w->kind = kind;
	w->handle = handle;
	stub_handle_ref(handle);
	g_mutex_lock(&loop->lock);
	if(front)
		g_queue_push_head(&loop->items, w);
	else
		g_queue_push_tail(&loop->items, w);
	g_cond_signal(&loop->cond);
	g_mutex_unlock(&loop->lock);
	if(opts.manual_clock && opts.on_change)
		opts.on_change();
}

int stub_loop_pending(stub_loop *loop) {
	g_mutex_lock(&loop->lock);
	int n = (int)g_queue_get_length(&loop->items);
	g_mutex_unlock(&loop->lock);
	return n;
}

/* hangup_media, at most once per PeerConnection (the core's ALERT flag). */
static void hangup_once(stub_handle *h) {
	if(!g_atomic_int_compare_and_exchange(&h->alert, 0, 1))
		return;
	g_atomic_int_inc(&h->hangups);
	g_atomic_int_inc(&stub_count.hangups);
	plugin->hangup_media(&h->session);
}

static void run_work(work *w) {
	stub_handle *h = w->handle;
	switch(w->kind) {
	case WORK_HANGUP:
		/* close_pc: dropped when a new negotiation reset it or the handle stopped */
		if(g_atomic_int_compare_and_exchange(&h->closepc, 1, 0) && !g_atomic_int_get(&h->session.stopped))
			hangup_once(h);
		break;
	case WORK_DETACH: {
		/* The PeerConnection is hung up first, then the plugin session goes. */
		hangup_once(h);
		int error = 0;
		plugin->destroy_session(&h->session, &error);
		g_atomic_int_set(&h->detached, 1);
		g_atomic_int_inc(&stub_count.handles_destroyed);
		janus_refcount_decrease(&h->session.ref); /* the core's own reference */
		break;
	}
	case WORK_END_SESSION:
		stub_handle_destroy(h);
		break;
	}
	stub_handle_unref(h);
	g_free(w);
}

int stub_loop_run(stub_loop *loop) {
	int n = 0;
	for(;;) {
		g_mutex_lock(&loop->lock);
		work *w = g_queue_pop_head(&loop->items);
		g_mutex_unlock(&loop->lock);
		if(w == NULL)
			return n;
		run_work(w);
		n++;
	}
}

int stub_loop_run_wait(stub_loop *loop, gint64 timeout_us) {
	gint64 until = g_get_monotonic_time() + timeout_us;
	g_mutex_lock(&loop->lock);
	while(g_queue_is_empty(&loop->items)) {
		if(!g_cond_wait_until(&loop->cond, &loop->lock, until))
			break;
	}
	g_mutex_unlock(&loop->lock);
	return stub_loop_run(loop);
}

/* ---------------------------------------------------------------------- */
/* Handles                                                                */

static GMutex handles_lock;
static GHashTable *alive; /* janus_plugin_session * of attached, not detached handles */
static GHashTable *unfreed; /* stub_handle * not freed yet */
static guint64 next_handle_id = 1;

/* Like the core: the pointer is looked at first, then the table. */
static gboolean session_alive(janus_plugin_session *ps) {
	if(ps == NULL || ps < (janus_plugin_session *)0x1000 || g_atomic_int_get(&ps->stopped))
		return FALSE;
	g_mutex_lock(&handles_lock);
	gboolean found = alive && g_hash_table_contains(alive, ps);
	g_mutex_unlock(&handles_lock);
	return found;
}

gboolean stub_handle_alive(stub_handle *handle) {
	return session_alive(&handle->session);
}

static void handle_free(const janus_refcount *ref) {
	janus_plugin_session *ps = janus_refcount_containerof(ref, janus_plugin_session, ref);
	stub_handle *h = (stub_handle *)ps;
	g_mutex_lock(&handles_lock);
	g_hash_table_remove(unfreed, h);
	g_mutex_unlock(&handles_lock);
	g_atomic_int_inc(&stub_count.handles_freed);
	g_free(h);
}

void stub_handle_ref(stub_handle *handle) {
	janus_refcount_increase(&handle->session.ref);
}

void stub_handle_unref(stub_handle *handle) {
	janus_refcount_decrease(&handle->session.ref);
}

int stub_handle_refs(stub_handle *handle) {
	return g_atomic_int_get((gint *)&handle->session.ref.count);
}

stub_handle *stub_handle_new(stub_loop *loop) {
	stub_handle *h = g_new0(stub_handle, 1);
	h->loop = loop;
	g_mutex_lock(&handles_lock);
	h->id = next_handle_id++;
	g_mutex_unlock(&handles_lock);
	h->session.gateway_handle = h;
	h->session.plugin_handle = NULL;
	g_atomic_int_set(&h->session.stopped, 0);
	int error = 0;
	creating = h;
	plugin->create_session(&h->session, &error);
	creating = NULL;
	if(error) {
		g_free(h);
		return NULL;
	}
	janus_refcount_init(&h->session.ref, handle_free); /* the core's */
	janus_refcount_increase(&h->session.ref); /* the plugin's: dropped when it frees its session */
	janus_refcount_increase(&h->session.ref); /* the caller's */
	g_mutex_lock(&handles_lock);
	g_hash_table_add(alive, &h->session);
	g_hash_table_add(unfreed, h);
	g_mutex_unlock(&handles_lock);
	g_atomic_int_inc(&stub_count.handles_created);
	return h;
}

void stub_handle_destroy(stub_handle *handle) {
	g_mutex_lock(&handles_lock);
	gboolean found = g_hash_table_remove(alive, &handle->session);
	g_mutex_unlock(&handles_lock);
	if(!found)
		return;
	g_atomic_int_set(&handle->session.stopped, 1);
	loop_push(handle->loop, WORK_DETACH, handle, FALSE);
}

int stub_handles_unreleased(gboolean release) {
	GPtrArray *held = g_ptr_array_new();
	g_mutex_lock(&handles_lock);
	GHashTableIter iter;
	gpointer key;
	g_hash_table_iter_init(&iter, unfreed);
	while(g_hash_table_iter_next(&iter, &key, NULL)) {
		stub_handle *h = key;
		if(g_atomic_int_get(&h->detached))
			g_ptr_array_add(held, h);
	}
	g_mutex_unlock(&handles_lock);
	int n = (int)held->len;
	for(guint i = 0; release && i < held->len; i++) {
		stub_handle *h = held->pdata[i];
		if(stub_handle_refs(h) == 1)
			janus_refcount_decrease(&h->session.ref);
	}
	g_ptr_array_free(held, TRUE);
	return n;
}

void stub_handle_negotiated(stub_handle *handle) {
	g_atomic_int_set(&handle->closepc, 0);
	g_atomic_int_set(&handle->alert, 0);
}

void stub_handle_pc_closed(stub_handle *handle) {
	if(stub_handle_alive(handle))
		hangup_once(handle);
}

void stub_handle_hangup_again(stub_handle *handle) {
	if(!stub_handle_alive(handle))
		return;
	g_atomic_int_set(&handle->alert, 1);
	g_atomic_int_inc(&handle->hangups);
	g_atomic_int_inc(&stub_count.hangups);
	plugin->hangup_media(&handle->session);
}

/* ---------------------------------------------------------------------- */
/* The callbacks                                                          */

static stub_handle *handle_of(janus_plugin_session *ps) {
	return (stub_handle *)ps;
}

static int cb_push_event(
    janus_plugin_session *ps, janus_plugin *p, const char *transaction, json_t *message, json_t *jsep) {
	if(p == NULL || message == NULL)
		return -1;
	if(!session_alive(ps))
		return -2;
	stub_handle *h = handle_of(ps);
	if(p != plugin)
		stub_violation("push_event with another plugin");
	if(!json_is_object(message)) {
		stub_violation("push_event with a body that is not an object");
		return JANUS_ERROR_INVALID_JSON_OBJECT;
	}
	const char *type = json_string_value(json_object_get(jsep, "type"));
	const char *sdp = json_string_value(json_object_get(jsep, "sdp"));
	if(type && sdp) {
		char error[100];
		janus_sdp *parsed = NULL;
		if((strcasecmp(type, "offer") && strcasecmp(type, "answer")) ||
		    g_atomic_int_compare_and_exchange(&h->reject_jsep, 1, 0) || g_atomic_int_get(&h->reject_jsep) == 2 ||
		    (parsed = janus_sdp_parse(sdp, error, sizeof(error))) == NULL) {
			g_atomic_int_inc(&stub_count.push_refused);
			return JANUS_ERROR_JSEP_INVALID_SDP;
		}
		janus_sdp_destroy(parsed);
		stub_handle_negotiated(h);
		g_atomic_int_inc(&h->jseps);
		g_atomic_int_inc(&stub_count.push_jseps);
	}
	g_atomic_int_inc(&h->events);
	g_atomic_int_inc(&stub_count.push_events);
	if(event_hook)
		event_hook(h, transaction, message, type && sdp ? jsep : NULL, hook_user);
	return 0;
}

/* Media callbacks: the core drops them for a stopped handle. */
static stub_handle *media_target(janus_plugin_session *ps) {
	if(ps < (janus_plugin_session *)0x1000 || g_atomic_int_get(&ps->stopped))
		return NULL;
	return handle_of(ps);
}

static void cb_relay_rtp(janus_plugin_session *ps, janus_plugin_rtp *packet) {
	stub_handle *h = media_target(ps);
	if(h == NULL || packet == NULL || packet->buffer == NULL || packet->length < 1)
		return;
	g_atomic_int_inc(&h->rtp);
	g_atomic_int_inc(&stub_count.relayed_rtp);
}

static void cb_relay_rtcp(janus_plugin_session *ps, janus_plugin_rtcp *packet) {
	stub_handle *h = media_target(ps);
	if(h == NULL || packet == NULL || packet->buffer == NULL || packet->length < 1)
		return;
	g_atomic_int_inc(&h->rtcp);
	g_atomic_int_inc(&stub_count.relayed_rtcp);
}

static void cb_relay_data(janus_plugin_session *ps, janus_plugin_data *packet) {
	stub_handle *h = media_target(ps);
	if(h == NULL || packet == NULL || packet->buffer == NULL || packet->length < 1)
		return;
	g_atomic_int_inc(&h->data);
	g_atomic_int_inc(&stub_count.relayed_data);
}

static void cb_send_pli(janus_plugin_session *ps) {
	stub_handle *h = media_target(ps);
	if(h == NULL)
		return;
	g_atomic_int_inc(&h->plis);
	g_atomic_int_inc(&stub_count.plis);
}

static void cb_send_pli_stream(janus_plugin_session *ps, int mindex) {
	(void)mindex;
	cb_send_pli(ps);
}

static void cb_send_remb(janus_plugin_session *ps, guint32 bitrate) {
	stub_handle *h = media_target(ps);
	if(h == NULL)
		return;
	g_atomic_int_inc(&h->rembs);
	g_atomic_int_set((gint *)&h->last_remb, (gint)bitrate);
	g_atomic_int_inc(&stub_count.rembs);
}

static void cb_close_pc(janus_plugin_session *ps) {
	if(!session_alive(ps))
		return;
	stub_handle *h = handle_of(ps);
	g_atomic_int_inc(&h->closes);
	g_atomic_int_inc(&stub_count.close_pcs);
	if(g_atomic_int_compare_and_exchange(&h->closepc, 0, 1))
		loop_push(h->loop, WORK_HANGUP, h, FALSE);
}

static void cb_end_session(janus_plugin_session *ps) {
	if(!session_alive(ps))
		return;
	g_atomic_int_inc(&stub_count.end_sessions);
	stub_handle *h = handle_of(ps);
	loop_push(h->loop, WORK_END_SESSION, h, FALSE);
}

static gboolean cb_events_is_enabled(void) {
	return opts.events_enabled;
}

static void cb_notify_event(janus_plugin *p, janus_plugin_session *ps, json_t *event) {
	if(p == NULL || event == NULL || !json_is_object(event)) {
		stub_violation("notify_event without a plugin or with a body that is not an object");
		return;
	}
	if(ps != NULL && !session_alive(ps)) {
		/* The core drops notifications about a handle that is going away. */
		g_atomic_int_inc(&stub_count.notifications_dropped);
		if(notify_hook)
			notify_hook(NULL, event, TRUE, hook_user);
		json_decref(event);
		return;
	}
	g_atomic_int_inc(&stub_count.notifications);
	if(notify_hook)
		notify_hook(ps ? handle_of(ps) : NULL, event, FALSE, hook_user);
	json_decref(event);
}

static gboolean cb_auth_is_signed(void) {
	return FALSE;
}

static gboolean cb_auth_is_signature_valid(janus_plugin *p, const char *token) {
	(void)p;
	(void)token;
	return FALSE;
}

static gboolean cb_auth_signature_contains(janus_plugin *p, const char *token, const char *descriptor) {
	(void)p;
	(void)token;
	(void)descriptor;
	return FALSE;
}

static janus_callbacks callbacks = {
    .push_event = cb_push_event,
    .relay_rtp = cb_relay_rtp,
    .relay_rtcp = cb_relay_rtcp,
    .relay_data = cb_relay_data,
    .send_pli = cb_send_pli,
    .send_pli_stream = cb_send_pli_stream,
    .send_remb = cb_send_remb,
    .close_pc = cb_close_pc,
    .end_session = cb_end_session,
    .events_is_enabled = cb_events_is_enabled,
    .notify_event = cb_notify_event,
    .auth_is_signed = cb_auth_is_signed,
    .auth_is_signature_valid = cb_auth_is_signature_valid,
    .auth_signature_contains = cb_auth_signature_contains,
};

/* ---------------------------------------------------------------------- */
/* Lifetime                                                               */

janus_plugin *create(void);

const char *stub_config_folder(void) {
	return sandbox;
}

janus_plugin *stub_start(const stub_options *options) {
	opts = *options;
	refcount_debug = opts.refcount_ledger ? 1 : 0;
	janus_log_level = opts.verbose ? LOG_WARN : LOG_NONE;
	alive = g_hash_table_new(NULL, NULL);
	unfreed = g_hash_table_new(NULL, NULL);
	const char *tmp = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
	sandbox = g_build_filename(tmp, "duet-stub-XXXXXX", NULL);
	if(g_mkdtemp(sandbox) == NULL) {
		fprintf(stderr, "janus_stub: cannot create %s: %s\n", sandbox, g_strerror(errno));
		abort();
	}
	plugin = create();
	g_atomic_int_set(&stopped, 0);
	if(plugin == NULL || plugin->get_api_compatibility() != JANUS_PLUGIN_API_VERSION) {
		fprintf(stderr, "janus_stub: create() gave no plugin of API %d\n", JANUS_PLUGIN_API_VERSION);
		abort();
	}
	if(plugin->init(&callbacks, sandbox) < 0) {
		fprintf(stderr, "janus_stub: the plugin's init failed\n");
		abort();
	}
	return plugin;
}

void stub_stop(void) {
	if(plugin == NULL || stopped)
		return;
	housekeeping_release();
	/* Like the core, loops may still call the plugin during and after its
	 * destroy(): plugin stays set (the plugin's code stays loaded). */
	g_atomic_int_set(&stopped, 1);
	plugin->destroy();
	GDir *dir = g_dir_open(sandbox, 0, NULL);
	const char *name;
	while(dir && (name = g_dir_read_name(dir)) != NULL) {
		char *path = g_build_filename(sandbox, name, NULL);
		unlink(path);
		g_free(path);
	}
	if(dir)
		g_dir_close(dir);
	rmdir(sandbox);
	g_free(sandbox);
	sandbox = NULL;
}
