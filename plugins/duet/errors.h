/*
 * errors.h - the error codes of the Duet contract.
 *
 * Every error a client can see is one of these codes, sent inside the
 * plugin's data as {"duet": "event", "error_code": N, "error": "..."}.
 * The numbers are part of the API (see docs/api.md); never renumber them.
 */
#ifndef DUET_ERRORS_H
#define DUET_ERRORS_H

typedef enum duet_error {
	DUET_OK = 0,
	DUET_ERR_NO_MESSAGE = 450,
	DUET_ERR_INVALID_JSON = 451,
	DUET_ERR_INVALID_REQUEST = 452,
	DUET_ERR_MISSING_ELEMENT = 453,
	DUET_ERR_INVALID_ELEMENT = 454,
	DUET_ERR_NO_SUCH_ROOM = 455,
	DUET_ERR_ROOM_EXISTS = 456,
	DUET_ERR_ROOM_FULL = 457,
	DUET_ERR_UNAUTHORIZED = 458,
	DUET_ERR_ALREADY_JOINED = 459,
	DUET_ERR_NOT_JOINED = 460,
	DUET_ERR_NO_PEER = 461,
	DUET_ERR_MISSING_SDP = 462,
	DUET_ERR_INVALID_SDP = 463,
	DUET_ERR_WRONG_STATE = 464,
	DUET_ERR_NO_SUCH_PARTICIPANT = 465,
	DUET_ERR_LIMIT_REACHED = 466,
	DUET_ERR_UNKNOWN = 499,
} duet_error;

/* The symbolic name of a code ("ROOM_FULL"), for logs and docs. */
const char *duet_error_name(duet_error code);

#endif
