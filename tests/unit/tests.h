/* tests.h - registration of the unit test groups (one per file). */
#ifndef DUET_TESTS_H
#define DUET_TESTS_H
void register_room_tests(void);
void register_params_tests(void);
void register_engine_tests(void);
void register_adapt_tests(void);
void register_delivery_tests(void);
void register_lifecycle_tests(void);
void register_shared_tests(void);
void register_sdp_tests(void);
void register_rtcp_tests(void);
#endif
