/*
 * recording.c - a participant's media written to Janus .mjr files.
 *
 * Recording is wanted (configure "record", or a room with record = true)
 * independently of whether media flows: the files are opened once an
 * answer has told which codecs the call uses, and closed when the
 * PeerConnection goes away or recording is turned off. Each call gets its
 * own files; janus-pp-rec turns them into playable media. Like VideoCall,
 * the files carry the codecs' fmtp, the Opus RED payload type and the
 * end-to-end encryption mark, and a new video file asks the sender for a
 * keyframe so that it starts decodable.
 */
#include <debug.h>
#include <sdp-utils.h>
#include <string.h>
#include <unistd.h>

#include "glue.h"

static const char *suffix[DUET_KINDS] = {"audio", "video", "data"};

/* A file that never got a packet has no header and no use (janus-pp-rec
 * rejects it): remove it rather than leave it behind. */
static void close_file(janus_recorder *file) {
	gboolean empty = !g_atomic_int_get(&file->header);
	char *path = empty ? g_strdup_printf("%s/%s", file->dir ? file->dir : ".", file->filename) : NULL;
	janus_recorder_close(file);
	if(path && unlink(path) == 0)
		JANUS_LOG(LOG_VERB, "[duet] Removed the empty recording %s\n", path);
	g_free(path);
	janus_recorder_destroy(file);
}

static void close_files(duet_recording *rec) {
	for(int k = 0; k < DUET_KINDS; k++) {
		if(rec->files[k] == NULL)
			continue;
		close_file(rec->files[k]);
		rec->files[k] = NULL;
	}
}

static const char *codec_of(const duet_recording *rec, int kind) {
	return kind == DUET_DATA ? (rec->has_data ? "text" : NULL) : rec->codec[kind];
}

static janus_recorder *open_file(const duet_recording *rec, int kind, const char *codec, const char *name) {
	const char *fmtp = kind == DUET_DATA ? NULL : rec->fmtp[kind];
	janus_recorder *file = janus_recorder_create_full(rec->dir, codec, fmtp, name);
	if(file == NULL) {
		JANUS_LOG(LOG_ERR, "[duet] Could not open a recording %s/%s\n", rec->dir, name);
		return NULL;
	}
	if(kind == DUET_AUDIO && rec->opusred_pt > 0)
		janus_recorder_opusred(file, rec->opusred_pt);
	if(kind != DUET_DATA && rec->e2ee)
		janus_recorder_encrypted(file);
	return file;
}

/* Opens a file per kind the call negotiated; each call gets fresh names. */
static void open_files(duet_recording *rec) {
	gboolean new_call = rec->calls > 0;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	for(int k = 0; k < DUET_KINDS; k++) {
		const char *codec = codec_of(rec, k);
		if(codec == NULL || rec->files[k] != NULL)
			continue;
		char *name = new_call ? g_strdup_printf("%s-%" G_GINT64_FORMAT "-%s", rec->name, now, suffix[k])
		                      : g_strdup_printf("%s-%s", rec->name, suffix[k]);
		rec->files[k] = open_file(rec, k, codec, name);
		g_free(name);
	}
	if(rec->files[DUET_AUDIO] || rec->files[DUET_VIDEO] || rec->files[DUET_DATA])
		rec->calls++;
}

/* The caller holds the link lock: send_pli does not block. */
static void open_and_ask_keyframe(duet_session *session) {
	duet_recording *rec = &session->recording;
	gboolean had_video = rec->files[DUET_VIDEO] != NULL;
	open_files(rec);
	if(!had_video && rec->files[DUET_VIDEO] != NULL)
		duet_media_keyframe(session, TRUE);
}

static void read_codecs(duet_recording *rec, janus_sdp *sdp) {
	static const janus_sdp_mtype types[2] = {JANUS_SDP_AUDIO, JANUS_SDP_VIDEO};
	for(int k = 0; k < 2; k++) {
		rec->codec[k] = NULL;
		g_clear_pointer(&rec->fmtp[k], g_free);
		if(sdp == NULL)
			continue;
		janus_sdp_find_first_codec(sdp, types[k], -1, &rec->codec[k]);
		int pt = rec->codec[k] ? janus_sdp_get_codec_pt(sdp, -1, rec->codec[k]) : -1;
		const char *fmtp = pt >= 0 ? janus_sdp_get_fmtp(sdp, -1, pt) : NULL;
		rec->fmtp[k] = g_strdup(fmtp);
	}
	rec->opusred_pt = sdp ? MAX(janus_sdp_get_opusred_pt(sdp, -1), 0) : 0;
}

void duet_recording_set(duet_session *session, json_t *how) {
	duet_recording *rec = &session->recording;
	g_mutex_lock(&session->member.link_lock);
	close_files(rec);
	rec->wanted = json_is_true(json_object_get(how, "on"));
	if(rec->wanted) {
		g_free(rec->dir);
		g_free(rec->name);
		rec->dir = g_strdup(json_string_value(json_object_get(how, "dir")));
		rec->name = g_strdup(json_string_value(json_object_get(how, "name")));
		open_and_ask_keyframe(session);
	}
	g_mutex_unlock(&session->member.link_lock);
}

void duet_recording_negotiated(duet_session *session, const char *answer_sdp, gboolean e2ee) {
	duet_recording *rec = &session->recording;
	char error[100];
	janus_sdp *sdp = answer_sdp ? janus_sdp_parse(answer_sdp, error, sizeof(error)) : NULL;
	g_mutex_lock(&session->member.link_lock);
	close_files(rec);
	read_codecs(rec, sdp);
	rec->e2ee = e2ee;
	rec->has_data = answer_sdp && strstr(answer_sdp, "m=application") != NULL;
	if(rec->wanted)
		open_and_ask_keyframe(session);
	g_mutex_unlock(&session->member.link_lock);
	if(sdp)
		janus_sdp_destroy(sdp);
}

void duet_recording_close(duet_session *session) {
	g_mutex_lock(&session->member.link_lock);
	close_files(&session->recording);
	g_mutex_unlock(&session->member.link_lock);
}

void duet_recording_free(duet_session *session) {
	close_files(&session->recording);
	g_free(session->recording.dir);
	g_free(session->recording.name);
	g_free(session->recording.fmtp[0]);
	g_free(session->recording.fmtp[1]);
}
