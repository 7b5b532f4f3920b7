/* test_main.c - runs every unit test group (GLib's GTest; `--tap` for TAP). */
#include <glib.h>

#include "tests.h"

int main(int argc, char **argv) {
	g_test_init(&argc, &argv, NULL);
	register_room_tests();
	register_params_tests();
	register_engine_tests();
	register_adapt_tests();
	register_delivery_tests();
	register_lifecycle_tests();
	register_shared_tests();
	register_sdp_tests();
	register_rtcp_tests();
	return g_test_run();
}
