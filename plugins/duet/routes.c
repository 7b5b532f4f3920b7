/*
 * routes.c - the request table: name -> fields -> handler.
 *
 * This is the one place that says which requests exist, whether they are
 * answered at once (sync) or by an event (async), where they may be used
 * (a handle, the Admin API, or both) and what fields they take. To add a
 * request, add its field table and a row below.
 */
#include <string.h>

#include "requests.h"

#define STR_MAX 256
#define DESCRIPTION_MAX 1024
#define DISPLAY_MAX 128
#define TEXT_MAX 65536
#define BITRATE_MAX 100000000
#define WINDOW_MAX 3600
#define TOKENS_MAX 1024
#define LAYER_MAX 2

/* The tables below are kept aligned by hand. */
/* clang-format off */
#define ROOM {"room", DUET_P_ROOM, TRUE, 0, 0}
#define ROOM_OPTIONAL {"room", DUET_P_ROOM, FALSE, 0, 0}
#define STRING(name) {name, DUET_P_STRING, FALSE, 0, STR_MAX}
#define BOOL(name) {name, DUET_P_BOOL, FALSE, 0, 0}
#define INT(name, max) {name, DUET_P_INT, FALSE, 0, max}
#define END DUET_PARAMS_END

static const duet_param no_params[] = {END};

static const duet_param create_params[] = {
	ROOM_OPTIONAL,
	{"description", DUET_P_STRING, FALSE, 0, DESCRIPTION_MAX},
	STRING("pin"),
	STRING("secret"),
	BOOL("is_private"),
	INT("bitrate", BITRATE_MAX),
	BOOL("record"),
	STRING("rec_dir"),
	INT("reconnect_window", WINDOW_MAX),
	BOOL("adaptive"),
	BOOL("permanent"),
	STRING("admin_key"),
	END,
};

static const duet_param edit_params[] = {
	ROOM,
	STRING("secret"),
	{"new_description", DUET_P_STRING, FALSE, 0, DESCRIPTION_MAX},
	STRING("new_pin"),
	STRING("new_secret"),
	BOOL("new_is_private"),
	INT("new_bitrate", BITRATE_MAX),
	BOOL("new_record"),
	INT("new_reconnect_window", WINDOW_MAX),
	BOOL("new_adaptive"),
	BOOL("permanent"),
	END,
};

static const duet_param destroy_params[] = {ROOM, STRING("secret"), BOOL("permanent"), END};
static const duet_param room_params[] = {ROOM, END};
static const duet_param kick_params[] = {ROOM, STRING("secret"), {"id", DUET_P_ID, TRUE, 0, 0}, END};

static const duet_param allowed_params[] = {
	ROOM,
	STRING("secret"),
	{"action", DUET_P_STRING, TRUE, 0, STR_MAX},
	{"allowed", DUET_P_TOKENS, FALSE, 0, TOKENS_MAX},
	END,
};

static const duet_param join_params[] = {
	ROOM,
	{"display", DUET_P_STRING, FALSE, 0, DISPLAY_MAX},
	STRING("pin"),
	STRING("token"),
	{"id", DUET_P_ID, FALSE, 0, 0},
	STRING("reconnect_token"),
	END,
};

static const duet_param configure_params[] = {
	BOOL("audio"),
	BOOL("video"),
	BOOL("data"),
	INT("bitrate", BITRATE_MAX),
	BOOL("record"),
	STRING("filename"),
	INT("substream", LAYER_MAX),
	INT("temporal", LAYER_MAX),
	END,
};

static const duet_param message_params[] = {{"text", DUET_P_STRING, TRUE, 0, TEXT_MAX}, END};

#define CLIENT DUET_FOR_CLIENT
#define ADMIN DUET_FOR_ADMIN
#define BOTH (DUET_FOR_CLIENT | DUET_FOR_ADMIN)
#define SYNC FALSE
#define ASYNC TRUE

static const duet_route routes[] = {
	/* name             kind   scope   fields            handler                        permanent? lookup? */
	{"create",           SYNC,  BOTH,   create_params,    duet_handle_create,            TRUE,  TRUE },
	{"edit",             SYNC,  BOTH,   edit_params,      duet_handle_edit,              TRUE,  TRUE },
	{"destroy",          SYNC,  BOTH,   destroy_params,   duet_handle_destroy,           TRUE,  TRUE },
	{"exists",           SYNC,  CLIENT, room_params,      duet_handle_exists,            FALSE, TRUE },
	{"list",             SYNC,  BOTH,   no_params,        duet_handle_list,              FALSE, FALSE},
	{"listparticipants", SYNC,  BOTH,   room_params,      duet_handle_listparticipants,  FALSE, TRUE },
	{"kick",             SYNC,  BOTH,   kick_params,      duet_handle_kick,              FALSE, TRUE },
	{"allowed",          SYNC,  BOTH,   allowed_params,   duet_handle_allowed,           FALSE, TRUE },
	{"stats",            SYNC,  ADMIN,  no_params,        duet_handle_stats,             FALSE, FALSE},
	{"join",             ASYNC, CLIENT, join_params,      duet_handle_join,              FALSE, TRUE },
	{"offer",            ASYNC, CLIENT, no_params,        duet_handle_offer,             FALSE, FALSE},
	{"answer",           ASYNC, CLIENT, no_params,        duet_handle_answer,            FALSE, FALSE},
	{"configure",        ASYNC, CLIENT, configure_params, duet_handle_configure,         FALSE, FALSE},
	{"message",          ASYNC, CLIENT, message_params,   duet_handle_message,           FALSE, FALSE},
	{"hangup",           ASYNC, CLIENT, no_params,        duet_handle_hangup,            FALSE, FALSE},
	{"leave",            ASYNC, CLIENT, no_params,        duet_handle_leave,             FALSE, FALSE},
};

/* clang-format on */

const duet_route *duet_route_find(json_t *body, unsigned scope, duet_error *code, char *error, size_t error_len) {
	*code = DUET_OK;
	if(body == NULL) {
		*code = DUET_ERR_NO_MESSAGE;
		g_snprintf(error, error_len, "No message");
	} else if(!json_is_object(body)) {
		*code = DUET_ERR_INVALID_JSON;
		g_snprintf(error, error_len, "The body must be a JSON object");
	} else if(json_object_get(body, "request") == NULL || json_is_null(json_object_get(body, "request"))) {
		*code = DUET_ERR_MISSING_ELEMENT;
		g_snprintf(error, error_len, "Missing element (request)");
	} else if(!json_is_string(json_object_get(body, "request"))) {
		*code = DUET_ERR_INVALID_ELEMENT;
		g_snprintf(error, error_len, "Invalid element (request should be a string)");
	}
	if(*code != DUET_OK)
		return NULL;
	const char *name = json_string_value(json_object_get(body, "request"));
	for(size_t i = 0; i < G_N_ELEMENTS(routes); i++) {
		if((routes[i].scope & scope) && g_ascii_strcasecmp(routes[i].name, name) == 0)
			return &routes[i];
	}
	*code = DUET_ERR_INVALID_REQUEST;
	g_snprintf(error, error_len, "Unknown request '%.64s'", name);
	return NULL;
}
