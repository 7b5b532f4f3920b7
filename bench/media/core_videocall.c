/*
 * core_videocall.c - the core symbols Janus's VideoCall plugin resolves at
 * load time beyond those Duet needs (core.c), so that the media benchmark
 * can dlopen it for comparison: codec names, the JSON validation helpers,
 * and the simulcast/RTP-rewriting helpers.
 *
 * The benchmark never simulcasts, so VideoCall's per-packet path takes its
 * plain branch (save_frame on no recorder, relay_rtp) and the simulcast
 * helpers only have to leave a context in a sane state. Written from the
 * installed headers; no Janus code copied.
 */
#include <string.h>
#include <strings.h>

#include <apierror.h>
#include <record.h>
#include <rtp.h>
#include <utils.h>

/* ---------------------------------------------------------------------- */
/* Codec names (also used by core.c's janus_sdp_find_first_codec)         */

static const char *audio_names[] = {
    [JANUS_AUDIOCODEC_OPUS] = "opus",
    [JANUS_AUDIOCODEC_MULTIOPUS] = "multiopus",
    [JANUS_AUDIOCODEC_OPUSRED] = "red",
    [JANUS_AUDIOCODEC_PCMU] = "pcmu",
    [JANUS_AUDIOCODEC_PCMA] = "pcma",
    [JANUS_AUDIOCODEC_G722] = "g722",
    [JANUS_AUDIOCODEC_ISAC_32K] = "isac32",
    [JANUS_AUDIOCODEC_ISAC_16K] = "isac16",
    [JANUS_AUDIOCODEC_L16_48K] = "l16-48",
    [JANUS_AUDIOCODEC_L16_16K] = "l16",
};

static const char *video_names[] = {
    [JANUS_VIDEOCODEC_VP8] = "vp8",
    [JANUS_VIDEOCODEC_VP9] = "vp9",
    [JANUS_VIDEOCODEC_H264] = "h264",
    [JANUS_VIDEOCODEC_AV1] = "av1",
    [JANUS_VIDEOCODEC_H265] = "h265",
};

/* Index of name in names[1..count), or 0 (the codec enums' NONE). */
static int codec_index(const char **names, int count, const char *name) {
	for(int i = 1; name && i < count; i++) {
		if(!strcasecmp(names[i], name))
			return i;
	}
	return 0;
}

const char *janus_audiocodec_name(janus_audiocodec acodec) {
	return acodec > 0 && (size_t)acodec < G_N_ELEMENTS(audio_names) ? audio_names[acodec] : NULL;
}

janus_audiocodec janus_audiocodec_from_name(const char *name) {
	return (janus_audiocodec)codec_index(audio_names, G_N_ELEMENTS(audio_names), name);
}

const char *janus_videocodec_name(janus_videocodec vcodec) {
	return vcodec > 0 && (size_t)vcodec < G_N_ELEMENTS(video_names) ? video_names[vcodec] : NULL;
}

janus_videocodec janus_videocodec_from_name(const char *name) {
	return (janus_videocodec)codec_index(video_names, G_N_ELEMENTS(video_names), name);
}

/* Only asked when a JSEP announces simulcast, which the benchmark's never do. */
int janus_get_codec_pt(const char *sdp, const char *codec) {
	(void)sdp;
	(void)codec;
	return -1;
}

const char *janus_get_api_error(int error) {
	return error == 0 ? "Success" : "Error";
}

/* ---------------------------------------------------------------------- */
/* JSON validation (JANUS_VALIDATE_JSON_OBJECT)                           */

gboolean janus_json_is_valid(json_t *val, json_type jtype, unsigned int flags) {
	gboolean positive = (flags & JANUS_JSON_PARAM_POSITIVE) != 0;
	gboolean nonempty = (flags & JANUS_JSON_PARAM_NONEMPTY) != 0;
	switch(jtype) {
	case JANUS_JSON_BOOL:
		return json_is_boolean(val);
	case JSON_INTEGER:
		return json_is_integer(val) && (!positive || json_integer_value(val) >= 0);
	case JSON_REAL:
		return json_is_number(val) && (!positive || json_number_value(val) >= 0);
	case JSON_STRING:
		return json_is_string(val) && (!nonempty || json_string_length(val) > 0);
	case JSON_ARRAY:
		return json_is_array(val) && (!nonempty || json_array_size(val) > 0);
	default:
		return json_typeof(val) == jtype;
	}
}

/* At most 19 characters, as the header asks of callers' buffers. */
void janus_get_json_type_name(int jtype, unsigned int flags, char *type_name) {
	gboolean positive = (flags & JANUS_JSON_PARAM_POSITIVE) != 0;
	const char *name = "a valid value";
	if(jtype == JANUS_JSON_BOOL)
		name = "a boolean";
	else if(jtype == JSON_INTEGER)
		name = positive ? "a positive integer" : "an integer";
	else if(jtype == JSON_REAL)
		name = positive ? "a positive number" : "a number";
	else if(jtype == JSON_STRING)
		name = "a string";
	else if(jtype == JSON_ARRAY)
		name = "an array";
	else if(jtype == JSON_OBJECT)
		name = "an object";
	g_strlcpy(type_name, name, 20);
}

/* ---------------------------------------------------------------------- */
/* Recorder options (never a recorder here)                               */

int janus_recorder_encrypted(janus_recorder *recorder) {
	return recorder ? 0 : -1;
}

int janus_recorder_opusred(janus_recorder *recorder, int red_pt) {
	(void)red_pt;
	return recorder ? 0 : -1;
}

/* ---------------------------------------------------------------------- */
/* RTP rewriting and simulcast contexts                                   */

void janus_rtp_switching_context_reset(janus_rtp_switching_context *context) {
	if(context)
		memset(context, 0, sizeof(*context));
}

void janus_rtp_simulcasting_context_reset(janus_rtp_simulcasting_context *context) {
	if(context == NULL)
		return;
	memset(context, 0, sizeof(*context));
	context->rid_ext_id = -1;
	context->substream = -1;
	context->templayer = -1;
}

void janus_vp8_simulcast_context_reset(janus_vp8_simulcast_context *context) {
	if(context)
		memset(context, 0, sizeof(*context));
}

/* The benchmark's JSEPs carry no simulcast object: nothing to prepare. */
void janus_rtp_simulcasting_prepare(json_t *simulcast, int *rid_ext_id, uint32_t *ssrcs, char **rids) {
	(void)simulcast;
	(void)rid_ext_id;
	(void)ssrcs;
	(void)rids;
}

void janus_rtp_simulcasting_cleanup(int *rid_ext_id, uint32_t *ssrcs, char **rids, janus_mutex *rid_mutex) {
	if(rid_mutex)
		janus_mutex_lock(rid_mutex);
	if(rid_ext_id)
		*rid_ext_id = -1;
	for(int i = 0; i < 3; i++) {
		if(ssrcs)
			ssrcs[i] = 0;
		if(rids) {
			g_free(rids[i]);
			rids[i] = NULL;
		}
	}
	if(rid_mutex)
		janus_mutex_unlock(rid_mutex);
}

/* Without simulcast SSRCs or rids VideoCall never gets here; relay as is. */
gboolean janus_rtp_simulcasting_context_process_rtp(janus_rtp_simulcasting_context *context, char *buf, int len,
    uint32_t *ssrcs, char **rids, janus_videocodec vcodec, janus_rtp_switching_context *sc, janus_mutex *rid_mutex) {
	(void)context;
	(void)buf;
	(void)len;
	(void)ssrcs;
	(void)rids;
	(void)vcodec;
	(void)sc;
	(void)rid_mutex;
	return TRUE;
}

void janus_rtp_header_update(janus_rtp_header *header, janus_rtp_switching_context *context, gboolean video, int step) {
	(void)header;
	(void)context;
	(void)video;
	(void)step;
}

/* The payload after the fixed header, the CSRCs and any extension. */
char *janus_rtp_payload(char *buf, int len, int *plen) {
	if(buf == NULL || len < 12)
		return NULL;
	const guint8 *p = (const guint8 *)buf;
	int offset = 12 + (p[0] & 0x0f) * 4;
	if((p[0] & 0x10) && offset + 4 <= len)
		offset += 4 + ((p[offset + 2] << 8) | p[offset + 3]) * 4;
	if(offset > len)
		return NULL;
	if(plen)
		*plen = len - offset;
	return buf + offset;
}

void janus_vp8_simulcast_descriptor_update(
    char *buffer, int len, janus_vp8_simulcast_context *context, gboolean switched) {
	(void)buffer;
	(void)len;
	(void)context;
	(void)switched;
}
