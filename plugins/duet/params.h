/*
 * params.h - declarative validation of request fields.
 *
 * Each request names its fields in a table of duet_param; one function
 * checks a body against the table and builds the request's arguments:
 * a new object holding only the known fields, with JSON null dropped
 * (null counts as absent) and a numeric room turned into its decimal
 * string. Missing required fields (453) are reported before wrong types
 * (454), in the order the contract gives.
 */
#ifndef DUET_PARAMS_H
#define DUET_PARAMS_H

#include <glib.h>
#include <jansson.h>

#include "errors.h"

typedef enum duet_ptype {
	DUET_P_ROOM, /* room id string, or a non-negative integer */
	DUET_P_ID, /* string of room-id characters, 1-64 */
	DUET_P_STRING, /* string of at most `max` bytes */
	DUET_P_BOOL,
	DUET_P_INT, /* integer in [min, max] */
	DUET_P_TOKENS, /* array of at most `max` strings of at most 256 bytes */
} duet_ptype;

typedef struct duet_param {
	const char *name;
	duet_ptype type;
	gboolean required;
	long long min;
	long long max;
} duet_param;

/* Table terminator. */
#define DUET_PARAMS_END                                                                                                \
	{ NULL, 0, FALSE, 0, 0 }

/* Validates body against params; on success *args is a new object. */
duet_error duet_params_check(const duet_param *params, json_t *body, json_t **args, char *error, size_t error_len);

/* Argument accessors: absent fields give the default. */
const char *duet_arg_str(json_t *args, const char *name);
gboolean duet_arg_bool(json_t *args, const char *name, gboolean fallback);
long long duet_arg_int(json_t *args, const char *name, long long fallback);
gboolean duet_arg_has(json_t *args, const char *name);

#endif
