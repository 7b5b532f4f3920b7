/*
 * script.h - the byte encoding of a fuzz input (tests/fuzz/fuzz_requests.c)
 * and of the seed corpus (tests/fuzz/make_corpus.c).
 *
 * An input is a sequence of steps, each an opcode byte (taken modulo
 * OP_COUNT) followed by its operands. Every read past the end of the input
 * gives 0, so any byte string is a valid script. Handles are slots 0-3
 * (operand modulo SLOTS). Values of built requests come from the table
 * below, so that the fuzzer reaches deep states without having to guess
 * JSON text; raw JSON text from the input is available too (OP_MSG_RAW,
 * OP_ADMIN_RAW), helped by the dictionary duet.dict.
 *
 *   OP_MSG        slot, request, nfields, {field, value}*, jsep, sdp
 *   OP_MSG_RAW    slot, len, bytes[len], jsep, sdp
 *   OP_ADMIN      request, nfields, {field, value}*
 *   OP_ADMIN_RAW  len, bytes[len]
 *   OP_RTP        slot, flags (bit 0 video), len, bytes[len]
 *   OP_RTCP       slot, kind, a, b, len, bytes[len]   (kind: RTCP_*)
 *   OP_DATA       slot, flags (bit 0 binary, bit 1 no buffer), len, bytes[len]
 *   OP_SETUP      slot                 the PeerConnection is up (setup_media)
 *   OP_PC_CLOSED  slot                 the browser's PeerConnection went away (slot operand
 *                                      bit 2 set: a hangup_media whatever the state, the late
 *                                      callback of an older PeerConnection or a duplicate)
 *   OP_DATA_READY slot
 *   OP_REATTACH   slot                 detach (destroy_session) and attach again
 *   OP_DETACH     slot                 detach only; OP_REATTACH attaches again
 *   OP_ADVANCE    seconds-index        time passes (ADVANCE_SECONDS), one housekeeping tick
 *   OP_QUERY      slot                 query_session
 *   OP_REJECT     slot                 the core refuses the next JSEP pushed to the slot (slot
 *                                      operand bit 2 set: every one, until the slot's own
 *                                      browser sends an SDP; bit 3 set instead: the
 *                                      configuration file cannot be written from now on,
 *                                      or can again - permanent requests then answer 499)
 *   OP_LATE_MSG   slot, request, nfields, {field, value}*, jsep, sdp
 *                                      a message the core had accepted when the handle was
 *                                      detached: handle_message after destroy_session (a
 *                                      race of the real core), then the slot is attached again
 *
 * A value operand picks an entry of the value table: with bit 7 set, a
 * value suited to the field (the byte's low bits index the field's own
 * choices); otherwise any entry of the table (the low bits, modulo V_COUNT).
 */
#ifndef DUET_FUZZ_SCRIPT_H
#define DUET_FUZZ_SCRIPT_H

#define SLOTS 4
#define MAX_STEPS 32
#define MAX_FIELDS 6

enum {
	OP_MSG,
	OP_MSG_RAW,
	OP_ADMIN,
	OP_ADMIN_RAW,
	OP_RTP,
	OP_RTCP,
	OP_DATA,
	OP_SETUP,
	OP_PC_CLOSED,
	OP_DATA_READY,
	OP_REATTACH,
	OP_DETACH,
	OP_ADVANCE,
	OP_QUERY,
	OP_REJECT,
	OP_LATE_MSG,
	OP_COUNT
};

/* Request names (operand modulo REQ_COUNT). */
#define REQUEST_NAMES                                                                                                  \
	X(REQ_CREATE, "create")                                                                                            \
	X(REQ_EDIT, "edit")                                                                                                \
	X(REQ_DESTROY, "destroy")                                                                                          \
	X(REQ_EXISTS, "exists")                                                                                            \
	X(REQ_LIST, "list")                                                                                                \
	X(REQ_LISTPARTICIPANTS, "listparticipants")                                                                        \
	X(REQ_KICK, "kick")                                                                                                \
	X(REQ_ALLOWED, "allowed")                                                                                          \
	X(REQ_STATS, "stats")                                                                                              \
	X(REQ_JOIN, "join")                                                                                                \
	X(REQ_OFFER, "offer")                                                                                              \
	X(REQ_ANSWER, "answer")                                                                                            \
	X(REQ_CONFIGURE, "configure")                                                                                      \
	X(REQ_MESSAGE, "message")                                                                                          \
	X(REQ_HANGUP, "hangup")                                                                                            \
	X(REQ_LEAVE, "leave")                                                                                              \
	X(REQ_JOIN_UPPER, "JOIN")                                                                                          \
	X(REQ_UNKNOWN, "dance")                                                                                            \
	X(REQ_NUMBER, NULL) /* "request": 7 */                                                                             \
	X(REQ_MISSING, NULL) /* no "request" */                                                                            \
	X(REQ_NULL, NULL) /* "request": null */

#define X(id, name) id,
enum { REQUEST_NAMES REQ_COUNT };
#undef X

/* Field names (operand modulo FIELD_COUNT). */
#define FIELD_NAMES                                                                                                    \
	X(F_ROOM, "room")                                                                                                  \
	X(F_DESCRIPTION, "description")                                                                                    \
	X(F_PIN, "pin")                                                                                                    \
	X(F_SECRET, "secret")                                                                                              \
	X(F_IS_PRIVATE, "is_private")                                                                                      \
	X(F_BITRATE, "bitrate")                                                                                            \
	X(F_RECORD, "record")                                                                                              \
	X(F_REC_DIR, "rec_dir")                                                                                            \
	X(F_RECONNECT_WINDOW, "reconnect_window")                                                                          \
	X(F_PERMANENT, "permanent")                                                                                        \
	X(F_ADMIN_KEY, "admin_key")                                                                                        \
	X(F_NEW_DESCRIPTION, "new_description")                                                                            \
	X(F_NEW_PIN, "new_pin")                                                                                            \
	X(F_NEW_SECRET, "new_secret")                                                                                      \
	X(F_NEW_IS_PRIVATE, "new_is_private")                                                                              \
	X(F_NEW_BITRATE, "new_bitrate")                                                                                    \
	X(F_NEW_RECORD, "new_record")                                                                                      \
	X(F_NEW_RECONNECT_WINDOW, "new_reconnect_window")                                                                  \
	X(F_ID, "id")                                                                                                      \
	X(F_ACTION, "action")                                                                                              \
	X(F_ALLOWED, "allowed")                                                                                            \
	X(F_DISPLAY, "display")                                                                                            \
	X(F_TOKEN, "token")                                                                                                \
	X(F_RECONNECT_TOKEN, "reconnect_token")                                                                            \
	X(F_AUDIO, "audio")                                                                                                \
	X(F_VIDEO, "video")                                                                                                \
	X(F_DATA, "data")                                                                                                  \
	X(F_FILENAME, "filename")                                                                                          \
	X(F_TEXT, "text")                                                                                                  \
	X(F_REQUEST, "request")

#define X(id, name) id,
enum { FIELD_NAMES FIELD_COUNT };
#undef X

/* Values (see value_json() in fuzz_requests.c). */
enum {
	V_ROOM1, /* "r1" */
	V_ROOM2, /* "r2" */
	V_ROOM3_INT, /* 3 (room "3") */
	V_ROOM_CREATED, /* the id of the last room created without one ("r1" before) */
	V_ROOM_BAD, /* "no spaces!" */
	V_ROOM_LONG, /* 65 characters */
	V_ID_SLOT0, /* the participant id slot 0 got in its last joined ("nobody" before) */
	V_ID_SLOT1,
	V_ID_SLOT2,
	V_ID_SLOT3,
	V_ID_MINE, /* "me" */
	V_TOKEN_SLOT0, /* the reconnect token slot 0 got last (only ever sent as reconnect_token) */
	V_TOKEN_SLOT1,
	V_TOKEN_SLOT2,
	V_TOKEN_SLOT3,
	V_TRUE,
	V_FALSE,
	V_NULL,
	V_INT0,
	V_INT1,
	V_INT15,
	V_INT3600,
	V_INT3601,
	V_INT_BITRATE, /* 256000 */
	V_INT_BITRATE_MAX, /* 100000000 */
	V_INT_BITRATE_OVER, /* 100000001 */
	V_INT_NEGATIVE, /* -1 */
	V_INT_HUGE, /* 2^62 */
	V_REAL, /* 1.5 */
	V_STR_EMPTY,
	V_STR_PIN, /* "1234" */
	V_STR_SECRET, /* "s3cret" */
	V_STR_ADMIN_KEY, /* the configured admin_key */
	V_STR_X, /* "x" */
	V_STR_129, /* 129 bytes (display limit is 128) */
	V_STR_257, /* 257 bytes (string limit is 256) */
	V_STR_1025, /* 1025 bytes (description limit is 1024) */
	V_STR_65537, /* 65537 bytes (text limit is 65536) */
	V_STR_UTF8, /* non-ASCII text */
	V_ACTION_ENABLE,
	V_ACTION_DISABLE,
	V_ACTION_ADD,
	V_ACTION_REMOVE,
	V_ACTION_BAD,
	V_TOKENS, /* ["t1", "t2"] */
	V_TOKENS_BAD, /* [1] */
	V_TOKENS_EMPTY, /* [] */
	V_TOKEN_T1, /* "t1" */
	V_OBJECT, /* {} */
	V_FILENAME_BAD, /* "a/b" */
	V_FILENAME_DOT, /* ".hidden" */
	V_FILENAME, /* "call" */
	V_COUNT
};

/* JSEP operand (modulo JSEP_COUNT). */
enum {
	JSEP_NONE,
	JSEP_NONE2,
	JSEP_NONE3,
	JSEP_OFFER,
	JSEP_ANSWER,
	JSEP_OFFER_E2EE,
	JSEP_OFFER_GARBAGE, /* SDP that does not parse */
	JSEP_ANSWER_GARBAGE,
	JSEP_TYPE_BAD, /* "pranswer" */
	JSEP_TYPE_MISSING,
	JSEP_SDP_MISSING,
	JSEP_NOT_STRINGS, /* {"type": 1, "sdp": 2} */
	JSEP_NOT_OBJECT, /* [] */
	JSEP_COUNT
};

/* SDP operand (modulo SDP_COUNT): which valid SDP a JSEP carries. */
enum { SDP_AV_DATA, SDP_AUDIO_RED, SDP_VIDEO_INACTIVE, SDP_H264_ONLY, SDP_DATA_ONLY, SDP_COUNT };

/* RTCP kinds (modulo RTCP_COUNT). */
enum { RTCP_PLI, RTCP_FIR, RTCP_REMB, RTCP_SR, RTCP_COMPOUND, RTCP_RAW, RTCP_COUNT };

/* OP_ADVANCE: seconds-index modulo 8. */
/* clang-format off */
#define ADVANCE_SECONDS {0, 1, 5, 14, 15, 16, 60, 3601}
/* clang-format on */

#endif
