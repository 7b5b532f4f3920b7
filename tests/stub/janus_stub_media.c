/*
 * janus_stub_media.c - the stand-in core's media helpers that only the
 * adaptation and simulcast paths use: full recorders, the simulcasting
 * and switching contexts, SDP codec details. The stub core never offers
 * simulcast (its JSEPs carry no "simulcast"), so these keep the plugin
 * linkable and behave like a core that relays every packet unchanged;
 * simulcast itself is proved against the real Janus (tests/integration,
 * tests/e2e). Part of the one stub of tests/stub/janus_stub.c.
 */
#include <string.h>

#include <record.h>
#include <rtp.h>
#include <sdp-utils.h>
#include <utils.h>

janus_recorder *janus_recorder_create_full(const char *dir, const char *codec, const char *fmtp, const char *filename) {
	(void)fmtp;
	return janus_recorder_create(dir, codec, filename);
}

int janus_recorder_encrypted(janus_recorder *recorder) {
	return recorder ? 0 : -1;
}

int janus_recorder_opusred(janus_recorder *recorder, int red_pt) {
	(void)red_pt;
	return recorder ? 0 : -1;
}

int janus_sdp_get_codec_pt(janus_sdp *sdp, int index, const char *codec) {
	(void)sdp, (void)index, (void)codec;
	return -1;
}

const char *janus_sdp_get_fmtp(janus_sdp *sdp, int index, int pt) {
	(void)sdp, (void)index, (void)pt;
	return NULL;
}

int janus_sdp_get_opusred_pt(janus_sdp *sdp, int index) {
	(void)sdp, (void)index;
	return -1;
}

janus_videocodec janus_videocodec_from_name(const char *name) {
	(void)name;
	return JANUS_VIDEOCODEC_NONE;
}

char *janus_rtp_payload(char *buf, int len, int *plen) {
	if(buf == NULL || len < RTP_HEADER_SIZE)
		return NULL;
	*plen = len - RTP_HEADER_SIZE;
	return buf + RTP_HEADER_SIZE;
}

void janus_rtp_switching_context_reset(janus_rtp_switching_context *context) {
	memset(context, 0, sizeof(*context));
}

void janus_rtp_header_update(janus_rtp_header *header, janus_rtp_switching_context *context, gboolean video, int step) {
	(void)header, (void)context, (void)video, (void)step;
}

void janus_rtp_simulcasting_context_reset(janus_rtp_simulcasting_context *context) {
	memset(context, 0, sizeof(*context));
	context->substream = context->templayer = -1;
}

void janus_rtp_simulcasting_prepare(json_t *simulcast, int *rid_ext_id, uint32_t *ssrcs, char **rids) {
	(void)simulcast, (void)rid_ext_id, (void)ssrcs, (void)rids;
}

void janus_rtp_simulcasting_cleanup(int *rid_ext_id, uint32_t *ssrcs, char **rids, janus_mutex *rid_mutex) {
	(void)rid_mutex;
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
}

#ifdef DUET_JANUS_SIMULCAST_DD /* Janus >= 1.2 (configure checks the header) */
gboolean janus_rtp_simulcasting_context_process_rtp(janus_rtp_simulcasting_context *context, char *buf, int len,
    uint8_t *dd_content, int dd_len, uint32_t *ssrcs, char **rids, janus_videocodec vcodec,
    janus_rtp_switching_context *sc, janus_mutex *rid_mutex) {
	(void)dd_content, (void)dd_len;
#else
gboolean janus_rtp_simulcasting_context_process_rtp(janus_rtp_simulcasting_context *context, char *buf, int len,
    uint32_t *ssrcs, char **rids, janus_videocodec vcodec, janus_rtp_switching_context *sc, janus_mutex *rid_mutex) {
#endif
	(void)buf, (void)len, (void)ssrcs, (void)rids, (void)vcodec, (void)sc, (void)rid_mutex;
	context->changed_substream = context->changed_temporal = context->need_pli = FALSE;
	return TRUE;
}

void janus_vp8_simulcast_context_reset(janus_vp8_simulcast_context *context) {
	memset(context, 0, sizeof(*context));
}

void janus_vp8_simulcast_descriptor_update(
    char *buffer, int len, janus_vp8_simulcast_context *context, gboolean switched) {
	(void)buffer, (void)len, (void)context, (void)switched;
}
