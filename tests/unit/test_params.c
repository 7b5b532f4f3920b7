/*
 * test_params.c - declarative field validation (params.h).
 */
#include "params.h"
#include "tests.h"

static const duet_param params[] = {
    {"room", DUET_P_ROOM, TRUE, 0, 0},
    {"display", DUET_P_STRING, FALSE, 0, 4},
    {"n", DUET_P_INT, FALSE, 0, 10},
    {"flag", DUET_P_BOOL, FALSE, 0, 0},
    {"list", DUET_P_TOKENS, FALSE, 0, 2},
    DUET_PARAMS_END,
};

static duet_error check(const char *text, json_t **args) {
	json_t *body = json_loads(text, 0, NULL);
	char error[256];
	json_t *out = NULL;
	duet_error code = duet_params_check(params, body, &out, error, sizeof(error));
	json_decref(body);
	if(args)
		*args = out;
	else
		json_decref(out);
	return code;
}

static void test_presence_before_type(void) {
	g_assert_cmpint(check("{}", NULL), ==, DUET_ERR_MISSING_ELEMENT);
	g_assert_cmpint(check("{\"room\": null}", NULL), ==, DUET_ERR_MISSING_ELEMENT);
	/* a wrong type elsewhere does not hide the missing room */
	g_assert_cmpint(check("{\"n\": \"x\"}", NULL), ==, DUET_ERR_MISSING_ELEMENT);
}

static void test_types(void) {
	g_assert_cmpint(check("{\"room\": -1}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(check("{\"room\": 1.5}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(check("{\"room\": \"a b\"}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(check("{\"room\": \"r\", \"display\": \"12345\"}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(check("{\"room\": \"r\", \"n\": 2.0}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(check("{\"room\": \"r\", \"n\": 11}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(check("{\"room\": \"r\", \"flag\": 1}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(check("{\"room\": \"r\", \"list\": [\"a\", \"b\", \"c\"]}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
	g_assert_cmpint(check("{\"room\": \"r\", \"list\": [1]}", NULL), ==, DUET_ERR_INVALID_ELEMENT);
}

static void test_normalized_args(void) {
	json_t *args = NULL;
	g_assert_cmpint(check("{\"room\": 1234, \"display\": null, \"n\": 3, \"other\": 1}", &args), ==, DUET_OK);
	g_assert_cmpstr(duet_arg_str(args, "room"), ==, "1234");
	g_assert_false(duet_arg_has(args, "display"));
	g_assert_false(duet_arg_has(args, "other"));
	g_assert_cmpint(duet_arg_int(args, "n", 0), ==, 3);
	g_assert_true(duet_arg_bool(args, "flag", TRUE));
	json_decref(args);
}

void register_params_tests(void) {
	g_test_add_func("/params/presence_before_type", test_presence_before_type);
	g_test_add_func("/params/types", test_types);
	g_test_add_func("/params/normalized_args", test_normalized_args);
}
