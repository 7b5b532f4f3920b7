/*
 * core.c - the core symbols a Janus plugin resolves at load time, the
 * janus_callbacks table and the handles, for the media benchmark (see
 * core.h). Written from the installed Janus headers; no Janus code copied.
 *
 * Only what the per-packet path calls has to behave like Janus (the RTCP
 * helpers: a PLI, FIR or REMB is found anywhere in a compound packet, and
 * anything else is not one); the rest is as small as the plugins' setup
 * allows: the configuration lives in memory, an SDP "parses" when it starts
 * with v=0, recorders are never created.
 */
#define _GNU_SOURCE
#include "core.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <config.h>
#include <debug.h>
#include <record.h>
#include <refcount.h>
#include <rtcp.h>
#include <sdp-utils.h>
#include <utils.h>

/* ---------------------------------------------------------------------- */
/* Globals the plugins link against                                       */

int janus_log_level = LOG_ERR;
gboolean janus_log_timestamps = FALSE;
gboolean janus_log_colors = FALSE;
char *janus_log_global_prefix = NULL;
int lock_debug = 0;
int refcount_debug = 0;

__thread bench_counts bench_thread_counts;
gboolean bench_verify;

/* JANUS_LOG only calls this for messages at or above janus_log_level. */
void janus_vprintf(const char *format, ...) {
	va_list args;
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
}

gint64 janus_get_monotonic_time(void) {
	return g_get_monotonic_time();
}

gint64 janus_get_real_time(void) {
	return g_get_real_time();
}

gboolean janus_is_true(const char *value) {
	return value && (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcasecmp(value, "1"));
}

/* The text is the plugin's (a static string), as in Janus. */
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
/* Configuration: no file; Duet gets one setting                          */

/* Room for more rooms than the largest run (Duet's default is 10,000);
 * every other setting of every plugin is its default. */
static janus_config_item duet_max_rooms = {janus_config_type_item, "max_rooms", "1000000", NULL};

janus_config *janus_config_parse(const char *config_file) {
	(void)config_file;
	return NULL;
}

janus_config *janus_config_create(const char *name) {
	janus_config *config = g_new0(janus_config, 1);
	config->name = g_strdup(name);
	config->is_jcfg = TRUE;
	return config;
}

janus_config_container *janus_config_get(
    janus_config *config, janus_config_container *parent, janus_config_type type, const char *name) {
	gboolean duet = config && config->name && g_str_has_prefix(config->name, "janus.plugin.duet");
	if(duet && parent && type == janus_config_type_item && name && !strcmp(name, duet_max_rooms.name))
		return &duet_max_rooms;
	return NULL;
}

/* The categories asked for ("general") are kept in the configuration's
 * list, so that janus_config_destroy frees them. */
janus_config_container *janus_config_get_create(
    janus_config *config, janus_config_container *parent, janus_config_type type, const char *name) {
	if(config == NULL || parent != NULL || type != janus_config_type_category)
		return NULL;
	for(GList *l = config->list; l; l = l->next) {
		janus_config_container *c = l->data;
		if(!strcmp(c->name, name))
			return c;
	}
	janus_config_container *c = g_new0(janus_config_container, 1);
	c->type = type;
	c->name = g_strdup(name);
	config->list = g_list_append(config->list, c);
	return c;
}

/* No room sections. */
GList *janus_config_get_categories(janus_config *config, janus_config_container *parent) {
	(void)config;
	(void)parent;
	return NULL;
}

/* Writing (rooms made "permanent") is not part of the benchmark: it fails. */
janus_config_item *janus_config_item_create(const char *name, const char *value) {
	(void)name;
	(void)value;
	return NULL;
}

int janus_config_add(janus_config *config, janus_config_container *parent, janus_config_container *item) {
	(void)config;
	(void)parent;
	(void)item;
	return -1;
}

int janus_config_remove(janus_config *config, janus_config_container *parent, const char *name) {
	(void)config;
	(void)parent;
	(void)name;
	return -1;
}

int janus_config_save(janus_config *config, const char *folder, const char *filename) {
	(void)config;
	(void)folder;
	(void)filename;
	return -1;
}

void janus_config_print(janus_config *config) {
	(void)config;
}

void janus_config_destroy(janus_config *config) {
	if(config == NULL)
		return;
	for(GList *l = config->list; l; l = l->next) {
		janus_config_container *c = l->data;
		g_free((char *)c->name);
		g_free(c);
	}
	g_list_free(config->list);
	g_free((char *)config->name);
	g_free(config);
}

/* ---------------------------------------------------------------------- */
/* SDP: "v=0" parses; the text is kept for janus_sdp_find_first_codec    */

typedef struct bench_sdp {
	janus_sdp sdp; /* first */
	char *text;
} bench_sdp;

static void sdp_free(const janus_refcount *ref) {
	bench_sdp *s = (bench_sdp *)janus_refcount_containerof(ref, janus_sdp, ref);
	g_free(s->text);
	g_free(s);
}

janus_sdp *janus_sdp_parse(const char *sdp, char *error, size_t errlen) {
	if(sdp == NULL || strncmp(sdp, "v=0", 3) != 0) {
		if(error && errlen)
			g_snprintf(error, errlen, "Invalid SDP");
		return NULL;
	}
	bench_sdp *s = g_new0(bench_sdp, 1);
	s->text = g_strdup(sdp);
	janus_refcount_init(&s->sdp.ref, sdp_free);
	return &s->sdp;
}

void janus_sdp_destroy(janus_sdp *sdp) {
	if(sdp && g_atomic_int_compare_and_exchange(&sdp->destroyed, 0, 1))
		janus_refcount_decrease(&sdp->ref);
}

/* The encoding name of the first payload type of the first m-line of that
 * type ("opus", "VP8", ...), lowercased into name; FALSE if none. */
static gboolean first_codec(const char *text, janus_sdp_mtype type, char *name, size_t size) {
	const char *m = strstr(text, type == JANUS_SDP_AUDIO ? "m=audio " : "m=video ");
	int pt = -1;
	if(m == NULL || sscanf(m, "m=%*s %*d %*s %d", &pt) != 1)
		return FALSE;
	char want[32];
	g_snprintf(want, sizeof(want), "a=rtpmap:%d ", pt);
	const char *map = strstr(m, want);
	if(map == NULL)
		return FALSE;
	map += strlen(want);
	size_t len = strcspn(map, "/\r\n");
	if(len == 0 || len >= size)
		return FALSE;
	for(size_t i = 0; i < len; i++)
		name[i] = g_ascii_tolower(map[i]);
	name[len] = '\0';
	return TRUE;
}

void janus_sdp_find_first_codec(janus_sdp *sdp, janus_sdp_mtype type, int index, const char **codec) {
	(void)index;
	char name[32];
	if(sdp == NULL || codec == NULL || !first_codec(((bench_sdp *)sdp)->text, type, name, sizeof(name)))
		return;
	/* The answer must be a static string, as Janus's is. */
	if(type == JANUS_SDP_AUDIO && janus_audiocodec_from_name(name) != JANUS_AUDIOCODEC_NONE)
		*codec = janus_audiocodec_name(janus_audiocodec_from_name(name));
	else if(type == JANUS_SDP_VIDEO && janus_videocodec_from_name(name) != JANUS_VIDEOCODEC_NONE)
		*codec = janus_videocodec_name(janus_videocodec_from_name(name));
}

int janus_sdp_get_opusred_pt(janus_sdp *sdp, int index) {
	(void)sdp;
	(void)index;
	return -1;
}

int janus_sdp_get_codec_pt(janus_sdp *sdp, int index, const char *codec) {
	(void)sdp;
	(void)index;
	(void)codec;
	return -1;
}

const char *janus_sdp_get_fmtp(janus_sdp *sdp, int index, int pt) {
	(void)sdp;
	(void)index;
	(void)pt;
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* RTCP: walks a compound packet, as the media path needs                 */

#define RTCP_PT_PSFB 206
#define PSFB_PLI 1
#define PSFB_FIR 4
#define PSFB_AFB 15

/* The next well-formed RTCP packet at *offset (advanced past it), or NULL. */
static const guint8 *rtcp_next(const char *packet, int len, int *offset) {
	if(packet == NULL || *offset + 4 > len)
		return NULL;
	const guint8 *p = (const guint8 *)packet + *offset;
	if((p[0] >> 6) != 2)
		return NULL;
	int size = (((p[2] << 8) | p[3]) + 1) * 4;
	if(*offset + size > len)
		return NULL;
	*offset += size;
	return p;
}

static gboolean rtcp_has_psfb(const char *packet, int len, int fmt) {
	int offset = 0;
	const guint8 *p;
	while((p = rtcp_next(packet, len, &offset)) != NULL) {
		if(p[1] == RTCP_PT_PSFB && (p[0] & 0x1f) == fmt)
			return TRUE;
	}
	return FALSE;
}

gboolean janus_rtcp_has_pli(char *packet, int len) {
	return rtcp_has_psfb(packet, len, PSFB_PLI);
}

gboolean janus_rtcp_has_fir(char *packet, int len) {
	return rtcp_has_psfb(packet, len, PSFB_FIR);
}

/* REMB (draft-alvestrand-rmcat-remb): an application-layer feedback whose
 * FCI starts with "REMB", then the SSRC count, a 6-bit exponent and an
 * 18-bit mantissa. */
uint32_t janus_rtcp_get_remb(char *packet, int len) {
	int offset = 0;
	const guint8 *p;
	while((p = rtcp_next(packet, len, &offset)) != NULL) {
		int size = (((p[2] << 8) | p[3]) + 1) * 4;
		if(p[1] != RTCP_PT_PSFB || (p[0] & 0x1f) != PSFB_AFB || size < 20 || memcmp(p + 12, "REMB", 4) != 0)
			continue;
		guint exponent = p[17] >> 2;
		guint64 mantissa = ((guint64)(p[17] & 0x03) << 16) | ((guint64)p[18] << 8) | p[19];
		guint64 bitrate = exponent >= 46 ? G_MAXUINT32 : mantissa << exponent;
		return bitrate > G_MAXUINT32 ? G_MAXUINT32 : (uint32_t)bitrate;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Recorders: the benchmark never records                                 */

janus_recorder *janus_recorder_create(const char *dir, const char *codec, const char *filename) {
	(void)dir;
	(void)codec;
	(void)filename;
	return NULL;
}

janus_recorder *janus_recorder_create_full(const char *dir, const char *codec, const char *fmtp, const char *filename) {
	(void)fmtp;
	return janus_recorder_create(dir, codec, filename);
}

int janus_recorder_save_frame(janus_recorder *recorder, char *buffer, uint length) {
	(void)buffer;
	(void)length;
	return recorder ? 0 : -1;
}

int janus_recorder_close(janus_recorder *recorder) {
	return recorder ? 0 : -1;
}

void janus_recorder_destroy(janus_recorder *recorder) {
	(void)recorder;
}

/* ---------------------------------------------------------------------- */
/* Callbacks                                                              */

static janus_plugin *plugin;
static void *library;
static GMutex replies_lock;
static GCond replies_cond;
static int replies, errors;
static char *first_error;

static void note_error(json_t *event) {
	/* Duet and VideoCall both put error_code at the top of the body. */
	if(json_object_get(event, "error_code") == NULL)
		return;
	errors++;
	if(first_error == NULL)
		first_error = json_dumps(event, JSON_COMPACT);
}

/* Replies are what carries a transaction; events to the peer carry none. */
static int cb_push_event(
    janus_plugin_session *handle, janus_plugin *p, const char *transaction, json_t *message, json_t *jsep) {
	(void)handle;
	(void)jsep;
	if(p != plugin || message == NULL)
		return -1;
	g_mutex_lock(&replies_lock);
	note_error(message);
	if(transaction)
		replies++;
	g_cond_broadcast(&replies_cond);
	g_mutex_unlock(&replies_lock);
	return 0;
}

/* Like the core, a media callback first looks at its target: a stopped
 * handle, or one without a PeerConnection, gets nothing. */
static inline bench_handle *media_target(janus_plugin_session *session) {
	if(session < (janus_plugin_session *)0x1000 || g_atomic_int_get(&session->stopped))
		return NULL;
	bench_handle *h = session->gateway_handle;
	return h && !g_atomic_int_get(&h->closed) ? h : NULL;
}

/* One more packet for the calling thread, and when verifying for the target. */
static inline void count(guint64 *for_thread, guint64 *for_target) {
	(*for_thread)++;
	if(bench_verify)
		(*for_target)++;
}

static void cb_relay_rtp(janus_plugin_session *session, janus_plugin_rtp *packet) {
	bench_handle *h = media_target(session);
	if(h && packet)
		count(&bench_thread_counts.rtp, &h->rtp_in);
}

static void cb_relay_rtcp(janus_plugin_session *session, janus_plugin_rtcp *packet) {
	bench_handle *h = media_target(session);
	if(h && packet)
		count(&bench_thread_counts.rtcp, &h->rtcp_in);
}

static void cb_relay_data(janus_plugin_session *session, janus_plugin_data *packet) {
	if(media_target(session) && packet)
		bench_thread_counts.data++;
}

static void cb_send_pli(janus_plugin_session *session) {
	bench_handle *h = media_target(session);
	if(h)
		count(&bench_thread_counts.plis, &h->plis);
}

static void cb_send_pli_stream(janus_plugin_session *session, int mindex) {
	(void)mindex;
	cb_send_pli(session);
}

static void cb_send_remb(janus_plugin_session *session, guint32 bitrate) {
	(void)bitrate;
	bench_handle *h = media_target(session);
	if(h)
		count(&bench_thread_counts.rembs, &h->rembs);
}

static void cb_close_pc(janus_plugin_session *handle) {
	(void)handle;
}

static void cb_end_session(janus_plugin_session *handle) {
	(void)handle;
}

static gboolean cb_events_is_enabled(void) {
	return FALSE;
}

static void cb_notify_event(janus_plugin *p, janus_plugin_session *handle, json_t *event) {
	(void)p;
	(void)handle;
	json_decref(event);
}

/* Neither Duet nor VideoCall uses the token authentication callbacks
 * (auth_*): they are left NULL. */
janus_callbacks bench_callbacks = {
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
};

/* ---------------------------------------------------------------------- */
/* Plugin, handles, requests                                              */

static void die(const char *what, const char *detail) {
	fprintf(stderr, "media_bench: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(2);
}

janus_plugin *bench_load(const char *path) {
	library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if(library == NULL)
		die("cannot load the plugin", dlerror());
	janus_plugin *(*create)(void) = (janus_plugin * (*)(void)) dlsym(library, "create");
	if(create == NULL || (plugin = create()) == NULL)
		die("the plugin has no create()", path);
	if(plugin->get_api_compatibility() != JANUS_PLUGIN_API_VERSION)
		die("the plugin was built for another plugin API", path);
	/* The configuration folder is never read (janus_config_parse is ours). */
	if(plugin->init(&bench_callbacks, "/nonexistent") < 0)
		die("the plugin's init failed", path);
	return plugin;
}

void bench_unload(void) {
	if(plugin)
		plugin->destroy();
	plugin = NULL;
	/* Not dlclose()d: the plugin's threads are joined, but glib may still
	 * hold pointers into it (thread names, quarks) until exit. */
}

static void handle_free(const janus_refcount *ref) {
	g_free(janus_refcount_containerof(ref, janus_plugin_session, ref));
}

bench_handle *bench_attach(void) {
	static int next_index;
	bench_handle *h = g_new0(bench_handle, 1);
	h->index = next_index++;
	h->session.gateway_handle = h;
	/* One reference is the core's, one the plugin's (it drops it when it
	 * frees its session). */
	janus_refcount_init(&h->session.ref, handle_free);
	janus_refcount_increase(&h->session.ref);
	int error = 0;
	plugin->create_session(&h->session, &error);
	if(error)
		die("create_session failed", NULL);
	return h;
}

int bench_send(bench_handle *handle, json_t *body, json_t *jsep) {
	janus_plugin_result *result = plugin->handle_message(&handle->session, g_strdup("bench"), body, jsep);
	if(result == NULL || result->type == JANUS_PLUGIN_ERROR)
		die("handle_message failed", result ? result->text : NULL);
	int async = result->type == JANUS_PLUGIN_OK_WAIT;
	if(!async) {
		g_mutex_lock(&replies_lock);
		note_error(result->content);
		g_mutex_unlock(&replies_lock);
	}
	janus_plugin_result_destroy(result);
	return async;
}

gboolean bench_wait_replies(int total, gint64 timeout_us) {
	gint64 until = g_get_monotonic_time() + timeout_us;
	gboolean ok = TRUE;
	g_mutex_lock(&replies_lock);
	while(replies < total && ok)
		ok = g_cond_wait_until(&replies_cond, &replies_lock, until);
	ok = replies >= total;
	g_mutex_unlock(&replies_lock);
	return ok;
}

int bench_errors(const char **first) {
	g_mutex_lock(&replies_lock);
	int n = errors;
	if(first)
		*first = first_error;
	g_mutex_unlock(&replies_lock);
	return n;
}
