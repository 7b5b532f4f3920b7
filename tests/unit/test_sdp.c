/* test_sdp.c - the SDP edits Duet makes to what it forwards: a
 * simulcasting offerer's rids back in the answer (sdp_simulcast.c), Opus
 * RED first in an adaptive call's offer (sdp_audio.c). */
#include <string.h>

#include <glib.h>

#include "sdp_audio.h"
#include "sdp_simulcast.h"
#include "tests.h"

static const char *offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                           "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
                           "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                           "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n"
                           "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                           "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
                           "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n";

static void test_sdp_accept_rids(void) {
	const char *answer = "v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
	                     "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=sendrecv\r\n";
	char *edited = duet_sdp_accept_rids(offer, answer);
	g_assert_nonnull(edited);
	const char *video = strstr(edited, "m=video");
	g_assert_nonnull(video);
	g_assert_nonnull(strstr(video, "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"));
	g_assert_nonnull(strstr(video, "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"));
	g_assert_null(strstr(edited, "rtp-stream-id\r\nm=video")); /* nothing added to audio */
	g_assert_true(g_str_has_suffix(edited, "a=sendrecv\r\na=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
	                                       "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"));
	/* Applied twice: nothing more to add. */
	g_assert_null(duet_sdp_accept_rids(offer, edited));
	g_free(edited);
	/* A rejected video section stays rejected; an offer without rids needs nothing. */
	g_assert_null(duet_sdp_accept_rids(offer, "v=0\r\nm=audio 9 X 111\r\nm=video 0 X 96\r\n"));
	g_assert_null(duet_sdp_accept_rids("v=0\r\nm=video 9 X 96\r\n", answer));
	g_assert_null(duet_sdp_accept_rids(NULL, answer));
}

/* RED moves first in the audio m-line, and nothing else changes. */
static void test_sdp_prefer_red(void) {
	const char *chromium = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	                       "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8\r\na=mid:0\r\n"
	                       "a=rtpmap:111 opus/48000/2\r\na=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n"
	                       "m=video 9 UDP/TLS/RTP/SAVPF 96 63\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n";
	char *edited = duet_sdp_prefer_red(chromium);
	g_assert_nonnull(edited);
	g_assert_nonnull(strstr(edited, "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 63 111 9 0 8\r\na=mid:0\r\n"));
	g_assert_nonnull(strstr(edited, "\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 63\r\n")); /* not audio: untouched */
	g_assert_cmpuint(strlen(edited), ==, strlen(chromium));
	/* Applied twice: RED is first already. */
	g_assert_null(duet_sdp_prefer_red(edited));
	g_free(edited);
	/* Last in the list; lines ending in \n only come back as \r\n. */
	edited = duet_sdp_prefer_red("v=0\nm=audio 9 X 111 0 8 100\na=rtpmap:100 RED/48000/2\n");
	g_assert_cmpstr(edited, ==, "v=0\r\nm=audio 9 X 100 111 0 8\r\na=rtpmap:100 RED/48000/2\r\n");
	g_free(edited);
	/* No RED offered, RED of another clock rate, RED not in the m-line, no audio. */
	g_assert_null(duet_sdp_prefer_red("v=0\r\nm=audio 9 X 111 0\r\na=rtpmap:111 opus/48000/2\r\n"));
	g_assert_null(duet_sdp_prefer_red("v=0\r\nm=audio 9 X 111 98\r\na=rtpmap:98 red/8000\r\n"));
	g_assert_null(duet_sdp_prefer_red("v=0\r\nm=audio 9 X 111 0\r\na=rtpmap:63 red/48000/2\r\n"));
	g_assert_null(duet_sdp_prefer_red("v=0\r\nm=video 9 X 96 63\r\na=rtpmap:63 red/48000/2\r\n"));
	g_assert_null(duet_sdp_prefer_red("a=rtpmap:63 red/48000/2\r\nm=audio 9 X 111 63\r\n"));
	g_assert_null(duet_sdp_prefer_red(NULL));
}

void register_sdp_tests(void) {
	g_test_add_func("/sdp/accept_rids", test_sdp_accept_rids);
	g_test_add_func("/sdp/prefer_red", test_sdp_prefer_red);
}
