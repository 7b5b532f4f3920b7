/*
 * errors.c - names of the contract's error codes.
 */
#include "errors.h"

#include <stddef.h>

static const struct {
	duet_error code;
	const char *name;
} error_names[] = {
    {DUET_OK, "OK"},
    {DUET_ERR_NO_MESSAGE, "NO_MESSAGE"},
    {DUET_ERR_INVALID_JSON, "INVALID_JSON"},
    {DUET_ERR_INVALID_REQUEST, "INVALID_REQUEST"},
    {DUET_ERR_MISSING_ELEMENT, "MISSING_ELEMENT"},
    {DUET_ERR_INVALID_ELEMENT, "INVALID_ELEMENT"},
    {DUET_ERR_NO_SUCH_ROOM, "NO_SUCH_ROOM"},
    {DUET_ERR_ROOM_EXISTS, "ROOM_EXISTS"},
    {DUET_ERR_ROOM_FULL, "ROOM_FULL"},
    {DUET_ERR_UNAUTHORIZED, "UNAUTHORIZED"},
    {DUET_ERR_ALREADY_JOINED, "ALREADY_JOINED"},
    {DUET_ERR_NOT_JOINED, "NOT_JOINED"},
    {DUET_ERR_NO_PEER, "NO_PEER"},
    {DUET_ERR_MISSING_SDP, "MISSING_SDP"},
    {DUET_ERR_INVALID_SDP, "INVALID_SDP"},
    {DUET_ERR_WRONG_STATE, "WRONG_STATE"},
    {DUET_ERR_NO_SUCH_PARTICIPANT, "NO_SUCH_PARTICIPANT"},
    {DUET_ERR_LIMIT_REACHED, "LIMIT_REACHED"},
    {DUET_ERR_UNKNOWN, "UNKNOWN_ERROR"},
};

const char *duet_error_name(duet_error code) {
	for(size_t i = 0; i < sizeof(error_names) / sizeof(error_names[0]); i++) {
		if(error_names[i].code == code)
			return error_names[i].name;
	}
	return "UNKNOWN_ERROR";
}
