/*
 * janus_compat.h - the differences between the Janus releases Duet builds
 * for, in one place: Debian's Janus 1.1.x (plugin API 102) and current
 * releases (1.4.x, API 106). ./configure reads JANUS_PLUGIN_API_VERSION
 * from the headers and checks what the version number does not tell.
 *
 * What changed between 1.1.2 and 1.4.1 in the headers Duet includes (the
 * release and API version that brought it):
 * - janus_rtp_simulcasting_context_process_rtp takes (dd_content, dd_len)
 *   after len (1.2.0, API still 102: configure checks the header and
 *   defines DUET_JANUS_SIMULCAST_DD). duet_simulcast_process_rtp() below
 *   takes the old arguments and passes NULL, 0 for the new ones (no AV1
 *   Dependency Descriptor: VP8/H.264 simulcast is told apart by SSRC/rid).
 * - janus_rtp_simulcasting_context has av1_context[3] after rid_ext_id
 *   (1.2.0): set its fields by name, after janus_rtp_simulcasting_context_reset().
 * - janus_rtcp_context's lost, lost_remote and rr_last_lost are int32_t,
 *   janus_rtcp_context_get_lost_all returns int32_t (1.2.0; were uint32_t).
 * - janus_plugin_rtp_extensions gained abs_capture_ts, spatial_layers and
 *   temporal_layers (1.2.1, API 103): a packet the plugin builds itself must
 *   start from janus_plugin_rtp_extensions_reset(), never a partial copy.
 * - janus_rtp_header_extension_parse_abs_sent_time became
 *   ..._parse_abs_send_time (1.2.1, API 103).
 * - janus_rtp_header's csrc is csrc[0] (1.2.3, API 105; was csrc[16]):
 *   sizeof(janus_rtp_header) is 76 with 1.1 headers and 12 with 1.4 ones,
 *   so find the payload with janus_rtp_payload(), never with sizeof.
 * - janus_rtcp_get_nacks fills a GQueue instead of returning a GSList
 *   (1.3.1, API 106).
 * The plugin and callback tables (janus_plugin, janus_callbacks), config.h,
 * record.h and sdp-utils.h are unchanged.
 */
#ifndef DUET_JANUS_COMPAT_H
#define DUET_JANUS_COMPAT_H

#include <plugins/plugin.h>
#include <rtp.h>

static inline gboolean duet_simulcast_process_rtp(janus_rtp_simulcasting_context *context, char *buf, int len,
    uint32_t *ssrcs, char **rids, janus_videocodec vcodec, janus_rtp_switching_context *sc, janus_mutex *rid_mutex) {
#ifdef DUET_JANUS_SIMULCAST_DD
	return janus_rtp_simulcasting_context_process_rtp(context, buf, len, NULL, 0, ssrcs, rids, vcodec, sc, rid_mutex);
#else
	return janus_rtp_simulcasting_context_process_rtp(context, buf, len, ssrcs, rids, vcodec, sc, rid_mutex);
#endif
}

#endif
