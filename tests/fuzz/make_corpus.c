/*
 * make_corpus.c - writes the seed corpus of fuzz_requests (tests/fuzz/corpus)
 * from readable scripts, in the encoding of script.h.
 *
 * Usage: make_corpus DIR   (make fuzz-corpus rebuilds tests/fuzz/corpus)
 *
 * Together the seeds send every request of the contract (plugin API and
 * Admin API), each JSEP shape, media of every kind, and the paths of a
 * call: pairing, offer/answer, renegotiation, glare, hangup, leave, kick,
 * destroy, disconnection with a held seat, takeover (held and live), expiry,
 * recording, a core refusing an SDP, and the errors of the contract.
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "script.h"

static GByteArray *buf;

static void byte(int v) {
	guint8 c = (guint8)v;
	g_byte_array_append(buf, &c, 1);
}

/* Field/value pairs end with -1. */
static void fields(va_list args) {
	GArray *pairs = g_array_new(FALSE, FALSE, sizeof(int));
	for(int f; (f = va_arg(args, int)) >= 0;) {
		int v = va_arg(args, int);
		g_array_append_val(pairs, f);
		g_array_append_val(pairs, v);
	}
	byte((int)pairs->len / 2);
	for(guint i = 0; i < pairs->len; i++)
		byte(g_array_index(pairs, int, i));
	g_array_free(pairs, TRUE);
}

/* A message on a slot: request, JSEP kind, SDP, then field, value, ..., -1. */
static void msg(int slot, int request, int jsep, int sdp, ...) {
	va_list args;
	va_start(args, sdp);
	byte(OP_MSG);
	byte(slot);
	byte(request);
	fields(args);
	byte(jsep);
	byte(sdp);
	va_end(args);
}

static void adm(int request, ...) {
	va_list args;
	va_start(args, request);
	byte(OP_ADMIN);
	byte(request);
	fields(args);
	va_end(args);
}

static void raw(int slot, const char *json, int jsep) {
	byte(OP_MSG_RAW);
	byte(slot);
	byte((int)strlen(json));
	g_byte_array_append(buf, (const guint8 *)json, (guint)strlen(json));
	byte(jsep);
	byte(SDP_AV_DATA);
}

static void raw_admin(const char *json) {
	byte(OP_ADMIN_RAW);
	byte((int)strlen(json));
	g_byte_array_append(buf, (const guint8 *)json, (guint)strlen(json));
}

static void on(int op, int slot) {
	byte(op);
	byte(slot);
}

static void advance(int index) {
	byte(OP_ADVANCE);
	byte(index);
}

static void rtp(int slot, int video, int len) {
	byte(OP_RTP);
	byte(slot);
	byte(video);
	byte(len);
	for(int i = 0; i < len; i++)
		byte(i == 0 ? 0x80 : i);
}

static void rtcp(int slot, int kind, int a, int b) {
	byte(OP_RTCP);
	byte(slot);
	byte(kind);
	byte(a);
	byte(b);
	if(kind == RTCP_RAW) {
		static const guint8 rr[] = {
		    0x81, 201, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
		byte(sizeof(rr));
		g_byte_array_append(buf, rr, sizeof(rr));
	}
}

static void data(int slot, int flags, const char *text) {
	byte(OP_DATA);
	byte(slot);
	byte(flags);
	byte((int)strlen(text));
	g_byte_array_append(buf, (const guint8 *)text, (guint)strlen(text));
}

#define END -1
#define NOJSEP JSEP_NONE, 0

/* Two handles in room r1, in a call: 1 offered, 0 answered. */
static void call(void) {
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, F_DISPLAY, V_STR_X, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, F_DISPLAY, V_STR_UTF8, END);
	msg(1, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	msg(0, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	on(OP_SETUP, 0);
	on(OP_SETUP, 1);
	on(OP_DATA_READY, 0);
	on(OP_DATA_READY, 1);
}

static const char *folder;
static int written;

static void save(const char *name) {
	char *path = g_strdup_printf("%s/%s", folder, name);
	GError *error = NULL;
	if(!g_file_set_contents(path, (const char *)buf->data, buf->len, &error)) {
		fprintf(stderr, "%s\n", error->message);
		exit(1);
	}
	g_free(path);
	g_byte_array_set_size(buf, 0);
	written++;
}

int main(int argc, char **argv) {
	if(argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	folder = argv[1];
	g_mkdir_with_parents(folder, 0755);
	buf = g_byte_array_new();

	/* A whole call with media, then configure, message, renegotiation, hangup, leave. */
	call();
	rtp(0, 0, 20);
	rtp(1, 1, 40);
	rtcp(0, RTCP_PLI, 0, 0);
	rtcp(1, RTCP_FIR, 0, 0);
	rtcp(0, RTCP_REMB, 0x10, 0x20);
	rtcp(1, RTCP_SR, 0, 0);
	rtcp(0, RTCP_COMPOUND, 1, 0);
	rtcp(1, RTCP_RAW, 0, 0);
	data(0, 0, "hello");
	data(1, 1, "\x01\x02\x03");
	msg(0, REQ_CONFIGURE, NOJSEP, F_AUDIO, V_FALSE, F_VIDEO, V_TRUE, F_DATA, V_FALSE, F_BITRATE, V_INT_BITRATE, END);
	rtp(0, 0, 20);
	data(0, 0, "dropped");
	rtcp(1, RTCP_REMB, 0x40, 0);
	msg(1, REQ_MESSAGE, NOJSEP, F_TEXT, V_STR_UTF8, END);
	msg(0, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	msg(1, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	msg(0, REQ_HANGUP, NOJSEP, END);
	msg(0, REQ_HANGUP, NOJSEP, END);
	msg(1, REQ_OFFER, JSEP_OFFER, SDP_AUDIO_RED, END);
	msg(0, REQ_ANSWER, JSEP_ANSWER, SDP_AUDIO_RED, END);
	on(OP_QUERY, 0);
	msg(1, REQ_LEAVE, NOJSEP, END);
	msg(0, REQ_LEAVE, NOJSEP, END);
	save("call");

	/* Rooms on the plugin API: create with everything, edit, exists, list, allowed, kick, destroy. */
	msg(0, REQ_CREATE, NOJSEP, F_ROOM, V_ROOM2, F_DESCRIPTION, V_STR_X, F_PIN, V_STR_PIN, F_SECRET, V_STR_SECRET,
	    F_ADMIN_KEY, V_STR_ADMIN_KEY, F_BITRATE, V_INT_BITRATE, END);
	msg(0, REQ_EDIT, NOJSEP, F_ROOM, V_ROOM2, F_SECRET, V_STR_SECRET, F_NEW_DESCRIPTION, V_STR_UTF8, F_NEW_IS_PRIVATE,
	    V_TRUE, F_NEW_BITRATE, V_INT_BITRATE_MAX, F_NEW_RECONNECT_WINDOW, V_INT1, F_PERMANENT, V_TRUE, END);
	msg(0, REQ_EXISTS, NOJSEP, F_ROOM, V_ROOM2, END);
	msg(0, REQ_LIST, NOJSEP, END);
	msg(0, REQ_ALLOWED, NOJSEP, F_ROOM, V_ROOM2, F_SECRET, V_STR_SECRET, F_ACTION, V_ACTION_ENABLE, END);
	msg(0, REQ_ALLOWED, NOJSEP, F_ROOM, V_ROOM2, F_SECRET, V_STR_SECRET, F_ACTION, V_ACTION_ADD, F_ALLOWED, V_TOKENS,
	    END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM2, F_PIN, V_STR_PIN, F_TOKEN, V_TOKEN_T1, END);
	msg(2, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM2, F_PIN, V_STR_PIN, END);
	msg(2, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM2, F_PIN, V_STR_PIN, F_TOKEN, V_TOKEN_T1, F_ID, V_ID_MINE, END);
	msg(0, REQ_LISTPARTICIPANTS, NOJSEP, F_ROOM, V_ROOM2, END);
	msg(0, REQ_KICK, NOJSEP, F_ROOM, V_ROOM2, F_SECRET, V_STR_SECRET, F_ID, V_ID_SLOT1, END);
	msg(0, REQ_ALLOWED, NOJSEP, F_ROOM, V_ROOM2, F_SECRET, V_STR_SECRET, F_ACTION, V_ACTION_REMOVE, F_ALLOWED, V_TOKENS,
	    END);
	msg(0, REQ_ALLOWED, NOJSEP, F_ROOM, V_ROOM2, F_SECRET, V_STR_SECRET, F_ACTION, V_ACTION_DISABLE, END);
	msg(0, REQ_DESTROY, NOJSEP, F_ROOM, V_ROOM2, F_SECRET, V_STR_SECRET, F_PERMANENT, V_TRUE, END);
	msg(0, REQ_CREATE, NOJSEP, F_ADMIN_KEY, V_STR_ADMIN_KEY, F_IS_PRIVATE, V_TRUE, F_PERMANENT, V_TRUE, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM_CREATED, END);
	msg(0, REQ_DESTROY, NOJSEP, F_ROOM, V_ROOM_CREATED, END);
	save("rooms");

	/* The Admin API: every request it takes, and one it does not. */
	adm(REQ_CREATE, F_ROOM, V_ROOM1, F_RECONNECT_WINDOW, V_INT15, F_RECORD, V_FALSE, END);
	adm(REQ_CREATE, F_IS_PRIVATE, V_TRUE, END);
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, F_ID, V_ID_MINE, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	adm(REQ_LIST, END);
	adm(REQ_LISTPARTICIPANTS, F_ROOM, V_ROOM1, END);
	adm(REQ_STATS, END);
	adm(REQ_EDIT, F_ROOM, V_ROOM1, F_NEW_PIN, V_STR_PIN, F_NEW_SECRET, V_STR_SECRET, F_NEW_RECORD, V_TRUE, END);
	adm(REQ_ALLOWED, F_ROOM, V_ROOM1, F_ACTION, V_ACTION_ENABLE, END);
	adm(REQ_KICK, F_ROOM, V_ROOM1, F_ID, V_ID_SLOT0, END);
	adm(REQ_JOIN, F_ROOM, V_ROOM1, END);
	adm(REQ_EXISTS, F_ROOM, V_ROOM1, END);
	adm(REQ_DESTROY, F_ROOM, V_ROOM1, END);
	adm(REQ_DESTROY, F_ROOM, V_ROOM_CREATED, F_PERMANENT, V_TRUE, END);
	raw_admin("{\"request\":\"list\"}");
	save("admin");

	/* A handle vanishes: its seat is held, taken back by a new handle with its token, then expires. */
	call();
	on(OP_REATTACH, 0);
	adm(REQ_LISTPARTICIPANTS, F_ROOM, V_ROOM1, END);
	msg(2, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, F_ID, V_ID_SLOT0, F_RECONNECT_TOKEN, V_TOKEN_SLOT0, END);
	msg(0, REQ_OFFER, JSEP_OFFER, SDP_H264_ONLY, END);
	on(OP_DETACH, 1);
	advance(4);
	advance(5);
	advance(7);
	save("disconnect");

	/* Takeover of a live seat: the old handle is told it was replaced. */
	call();
	msg(0, REQ_CONFIGURE, NOJSEP, F_VIDEO, V_FALSE, F_FILENAME, V_FILENAME, END);
	msg(2, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, F_ID, V_ID_SLOT0, F_RECONNECT_TOKEN, V_TOKEN_SLOT1, END);
	msg(2, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, F_ID, V_ID_SLOT0, F_RECONNECT_TOKEN, V_TOKEN_SLOT0, END);
	msg(2, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	msg(1, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM2, END);
	save("takeover");

	/* A room with a window of 0 and one of 1 second; a PeerConnection closing mid-call. */
	adm(REQ_CREATE, F_ROOM, V_ROOM2, F_RECONNECT_WINDOW, V_INT0, END);
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM2, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM2, END);
	msg(0, REQ_OFFER, JSEP_OFFER, SDP_VIDEO_INACTIVE, END);
	msg(1, REQ_ANSWER, JSEP_ANSWER, SDP_VIDEO_INACTIVE, END);
	on(OP_PC_CLOSED, 1);
	on(OP_REATTACH, 1);
	msg(2, REQ_CREATE, NOJSEP, F_ROOM, V_ROOM3_INT, F_ADMIN_KEY, V_STR_ADMIN_KEY, F_RECONNECT_WINDOW, V_INT1, END);
	msg(2, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM3_INT, END);
	msg(3, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM3_INT, END);
	on(OP_REATTACH, 3);
	advance(1);
	advance(2);
	save("windows");

	/* Recording: a room that records, codecs from the answer, frames, off again. */
	adm(REQ_CREATE, F_ROOM, V_ROOM1, F_RECORD, V_TRUE, F_REC_DIR, V_STR_X, END);
	call();
	rtp(0, 0, 30);
	rtp(1, 1, 30);
	data(1, 0, "saved");
	msg(1, REQ_CONFIGURE, NOJSEP, F_RECORD, V_FALSE, END);
	msg(1, REQ_CONFIGURE, NOJSEP, F_RECORD, V_TRUE, F_FILENAME, V_FILENAME_BAD, END);
	msg(1, REQ_CONFIGURE, NOJSEP, F_RECORD, V_TRUE, F_FILENAME, V_FILENAME_DOT, END);
	msg(0, REQ_HANGUP, NOJSEP, END);
	msg(0, REQ_OFFER, JSEP_OFFER, SDP_DATA_ONLY, END);
	msg(1, REQ_ANSWER, JSEP_ANSWER, SDP_DATA_ONLY, END);
	adm(REQ_DESTROY, F_ROOM, V_ROOM1, END);
	save("recording");

	/* The core refuses the SDP on the peer's side: the offer, then the answer, is undone. */
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	on(OP_REJECT, 0);
	msg(1, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	msg(1, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	on(OP_REJECT, 1);
	msg(0, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	msg(0, REQ_OFFER, JSEP_OFFER_E2EE, SDP_AV_DATA, END);
	/* A refusal that lasts: the plugin's retries give up, the offer, then the answer, is undone. */
	msg(1, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	on(OP_REJECT, 1 + 4);
	msg(0, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	msg(1, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	msg(1, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	on(OP_REJECT, 1 + 4);
	msg(0, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	save("refused-sdp");

	/* Glare, answers out of turn, and every JSEP shape on offer and answer. */
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(0, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	for(int j = 0; j < JSEP_COUNT; j++)
		msg(0, REQ_OFFER, j, SDP_AV_DATA, END);
	msg(1, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	for(int j = 0; j < JSEP_COUNT; j++)
		msg(1, REQ_ANSWER, j, SDP_AV_DATA, END);
	msg(0, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	msg(0, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	save("jsep");

	/* Errors of the body and of the fields (450-454), lookups, authorization, membership, capacity. */
	raw(0, "{}", JSEP_NONE);
	raw(0, "[]", JSEP_NONE);
	raw(0, "\"join\"", JSEP_NONE);
	raw(0, "{\"request\":5}", JSEP_NONE);
	raw(0, "{\"request\":\"nope\"}", JSEP_NONE);
	raw(0, "{\"request\":\"join\"}", JSEP_NONE);
	raw(0, "{\"request\":\"join\",\"room\":1.5}", JSEP_NONE);
	raw(0, "{\"request\":\"join\",\"room\":\"a b\"}", JSEP_NONE);
	raw(0, "{\"request\":\"stats\"}", JSEP_NONE);
	raw(0, "{\"request\":\"Join\",\"room\":\"r1\",\"display\":null}", JSEP_OFFER);
	raw(0, "{\"request\":\"join\",\"room\":\"r1\"}", JSEP_NONE);
	save("errors-body");

	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(1, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	msg(0, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM2, END);
	msg(0, REQ_MESSAGE, NOJSEP, F_TEXT, V_STR_X, END);
	msg(0, REQ_MESSAGE, NOJSEP, F_TEXT, V_STR_65537, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, F_DISPLAY, V_STR_129, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, F_ID, V_ID_SLOT0, END);
	msg(1, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(2, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(2, REQ_CREATE, NOJSEP, F_ROOM, V_ROOM1, F_ADMIN_KEY, V_STR_ADMIN_KEY, END);
	msg(2, REQ_CREATE, NOJSEP, F_ROOM, V_ROOM2, END);
	msg(2, REQ_EDIT, NOJSEP, F_ROOM, V_ROOM1, F_SECRET, V_STR_SECRET, END);
	msg(2, REQ_KICK, NOJSEP, F_ROOM, V_ROOM1, F_ID, V_ID_SLOT3, END);
	msg(2, REQ_DESTROY, NOJSEP, F_ROOM, V_ROOM_BAD, END);
	msg(2, REQ_EXISTS, NOJSEP, F_ROOM, V_ROOM_LONG, END);
	msg(2, REQ_CONFIGURE, NOJSEP, F_BITRATE, V_INT_BITRATE_OVER, END);
	msg(2, REQ_HANGUP, NOJSEP, END);
	msg(2, REQ_LEAVE, NOJSEP, END);
	msg(2, REQ_UNKNOWN, NOJSEP, END);
	msg(2, REQ_NUMBER, NOJSEP, END);
	msg(2, REQ_MISSING, NOJSEP, END);
	msg(2, REQ_NULL, NOJSEP, END);
	msg(2, REQ_JOIN_UPPER, NOJSEP, F_ROOM, V_REAL, END);
	msg(2, REQ_ALLOWED, NOJSEP, F_ROOM, V_ROOM1, F_ACTION, V_ACTION_BAD, END);
	msg(2, REQ_ALLOWED, NOJSEP, F_ROOM, V_ROOM1, F_ACTION, V_ACTION_ADD, END);
	save("errors-fields");

	/* max_rooms (6 in the fuzzer's configuration): 466. */
	for(int i = 0; i < 6; i++)
		adm(REQ_CREATE, END);
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(0, REQ_CREATE, NOJSEP, F_ADMIN_KEY, V_STR_ADMIN_KEY, END);
	save("max-rooms");

	/* Kick and destroy in a call; a peer that hangs up, and one that offers again. */
	call();
	msg(1, REQ_HANGUP, NOJSEP, END);
	msg(0, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	adm(REQ_KICK, F_ROOM, V_ROOM1, F_ID, V_ID_SLOT0, END);
	msg(2, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	msg(2, REQ_OFFER, JSEP_OFFER, SDP_AV_DATA, END);
	msg(1, REQ_ANSWER, JSEP_ANSWER, SDP_AV_DATA, END);
	adm(REQ_DESTROY, F_ROOM, V_ROOM1, END);
	msg(1, REQ_MESSAGE, NOJSEP, F_TEXT, V_STR_X, END);
	save("kick-destroy");

	/* Media before and without a peer; data with no buffer. */
	rtp(0, 0, 12);
	on(OP_SETUP, 0);
	msg(0, REQ_JOIN, NOJSEP, F_ROOM, V_ROOM1, END);
	rtp(0, 1, 12);
	rtcp(0, RTCP_PLI, 0, 0);
	data(0, 2, "xx");
	data(0, 0, "");
	on(OP_PC_CLOSED, 0);
	on(OP_PC_CLOSED, 0);
	save("media-alone");

	g_byte_array_free(buf, TRUE);
	printf("%d seeds written to %s\n", written, folder);
	return 0;
}
