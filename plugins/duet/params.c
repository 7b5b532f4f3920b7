/*
 * params.c - declarative validation of request fields (see params.h).
 */
#include "params.h"

#include <glib.h>
#include <string.h>

#include "room.h"

#define TOKEN_MAX_BYTES 256

static gboolean is_absent(json_t *value) {
	return value == NULL || json_is_null(value);
}

/* A room is a valid id string, or a non-negative integer meaning its decimal string. */
static json_t *normalize_room(json_t *value) {
	if(json_is_integer(value)) {
		json_int_t n = json_integer_value(value);
		if(n < 0)
			return NULL;
		char buf[32];
		g_snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, n);
		return json_string(buf);
	}
	if(json_is_string(value) && duet_id_is_valid(json_string_value(value)))
		return json_incref(value);
	return NULL;
}

static gboolean tokens_valid(json_t *value, long long max) {
	if(!json_is_array(value) || (long long)json_array_size(value) > max)
		return FALSE;
	size_t i;
	json_t *item;
	json_array_foreach(value, i, item) {
		if(!json_is_string(item) || json_string_length(item) > TOKEN_MAX_BYTES)
			return FALSE;
	}
	return TRUE;
}

/* Returns the normalized value (a new reference) or NULL when the type is wrong. */
static json_t *normalize(const duet_param *p, json_t *value) {
	switch(p->type) {
	case DUET_P_ROOM:
		return normalize_room(value);
	case DUET_P_ID:
		return json_is_string(value) && duet_id_is_valid(json_string_value(value)) ? json_incref(value) : NULL;
	case DUET_P_STRING:
		return json_is_string(value) && (long long)json_string_length(value) <= p->max ? json_incref(value) : NULL;
	case DUET_P_BOOL:
		return json_is_boolean(value) ? json_incref(value) : NULL;
	case DUET_P_INT:
		if(!json_is_integer(value))
			return NULL; /* a fraction, or not a number */
		if(json_integer_value(value) < p->min || json_integer_value(value) > p->max)
			return NULL;
		return json_incref(value);
	case DUET_P_TOKENS:
		return tokens_valid(value, p->max) ? json_incref(value) : NULL;
	}
	return NULL;
}

static const char *type_hint(const duet_param *p) {
	switch(p->type) {
	case DUET_P_ROOM:
		return "a room id (1-64 of A-Z a-z 0-9 - _) or a non-negative integer";
	case DUET_P_ID:
		return "an id (1-64 of A-Z a-z 0-9 - _)";
	case DUET_P_STRING:
		return "a string (too long?)";
	case DUET_P_BOOL:
		return "a boolean";
	case DUET_P_INT:
		return "an integer in range";
	case DUET_P_TOKENS:
		return "an array of token strings";
	}
	return "valid";
}

duet_error duet_params_check(const duet_param *params, json_t *body, json_t **args, char *error, size_t error_len) {
	for(const duet_param *p = params; p->name; p++) {
		if(p->required && is_absent(json_object_get(body, p->name))) {
			g_snprintf(error, error_len, "Missing element (%s)", p->name);
			return DUET_ERR_MISSING_ELEMENT;
		}
	}
	json_t *out = json_object();
	for(const duet_param *p = params; p->name; p++) {
		json_t *value = json_object_get(body, p->name);
		if(is_absent(value))
			continue;
		json_t *normal = normalize(p, value);
		if(normal == NULL) {
			g_snprintf(error, error_len, "Invalid element (%s should be %s)", p->name, type_hint(p));
			json_decref(out);
			return DUET_ERR_INVALID_ELEMENT;
		}
		json_object_set_new(out, p->name, normal);
	}
	*args = out;
	return DUET_OK;
}

const char *duet_arg_str(json_t *args, const char *name) {
	return json_string_value(json_object_get(args, name));
}

gboolean duet_arg_bool(json_t *args, const char *name, gboolean fallback) {
	json_t *value = json_object_get(args, name);
	return value ? json_is_true(value) : fallback;
}

long long duet_arg_int(json_t *args, const char *name, long long fallback) {
	json_t *value = json_object_get(args, name);
	return value ? json_integer_value(value) : fallback;
}

gboolean duet_arg_has(json_t *args, const char *name) {
	return json_object_get(args, name) != NULL;
}
