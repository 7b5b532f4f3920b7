/*
 * media_bench.c - the media path micro-benchmark (issue 6, benchmark 1).
 *
 * Loads a built plugin (Duet's libjanus_duet.so, or Janus's VideoCall for
 * comparison) on the benchmark's own core (core.c), pairs 2 x N handles in
 * N rooms through the plugin's real request path (join/join/offer/answer
 * for Duet, register/register/call/accept for VideoCall, then setup_media
 * on every handle), checks once that each handle's packets reach its peer
 * and only it, and then times pushing pre-built packets through
 * incoming_rtp / incoming_rtcp, round-robin over the handles in a fixed
 * shuffled order, from 1 or more threads on disjoint handles (thread t
 * sends for the handles i with i % threads == t, like Janus's handle loop
 * threads). The core's relay callbacks only count.
 *
 * The loop does per packet what the core does around the plugin: it looks
 * at the sender's handle (is it stopped) and calls incoming_rtp/rtcp with
 * it; the core's relay callbacks look at the target handle, then count.
 * The floor (--floor) is the same loop over the same order calling the
 * core's relay_rtp / relay_rtcp directly with the sender's peer: what is
 * left of a packet when the plugin does nothing.
 *
 * Packets: RTP 3 of 4 video (1200 bytes), 1 of 4 audio (100 bytes); RTCP a
 * browser-like compound receiver report (RR + SDES CNAME, 60 bytes), with
 * a PLI appended to 1 packet in 64 and a REMB appended to 1 in 64. The
 * plugin relays every RTP packet and the plain reports; Duet turns a PLI
 * into the core's send_pli and a REMB into send_remb, VideoCall a REMB.
 *
 * Output: one tab-separated row per measured point (see print_header).
 * Exit status: 0, or 1 if any point relayed other than what it should have.
 *
 * Usage: media_bench --plugin SO --name duet|videocall [--floor]
 *            [--rooms 1,100,1000,10000] [--threads 1,2] [--packets rtp,rtcp]
 *            [--seconds 1] [--warmup 0.2] [--reps 5]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "core.h"

#define MAX_LIST 8
#define BATCH 4096
#define REPLY_WAIT_US (300 * G_USEC_PER_SEC)

typedef enum { STYLE_DUET, STYLE_VIDEOCALL } plugin_style;
typedef enum { PACKETS_RTP, PACKETS_RTCP } packet_kind;

typedef struct options {
	const char *path;
	const char *name;
	plugin_style style;
	gboolean floor;
	int rooms[MAX_LIST], n_rooms;
	int threads[MAX_LIST], n_threads;
	gboolean rtp, rtcp;
	double seconds, warmup;
	int reps;
} options;

static janus_plugin *plugin;
static bench_handle **handles; /* 2k: first to join (answers), 2k+1: second (offers) */

static void die(const char *what, const char *detail) {
	fprintf(stderr, "media_bench: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	exit(2);
}

static gint64 clock_ns(clockid_t id) {
	struct timespec ts;
	clock_gettime(id, &ts);
	return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---------------------------------------------------------------------- */
/* Packets                                                                */

#define RTP_MIX 4
#define RTCP_MIX 64
#define RTCP_PLI_AT 0 /* position in the RTCP mix of the report with a PLI */
#define RTCP_REMB_AT 32 /* and of the one with a REMB */

static char audio_buf[100], video_buf[1200];
static char rr_buf[60], rr_pli_buf[72], rr_remb_buf[84];
static janus_plugin_rtp audio_rtp, video_rtp;
static janus_plugin_rtcp rr_rtcp, rr_pli_rtcp, rr_remb_rtcp;
static janus_plugin_rtp *rtp_mix[RTP_MIX];
static janus_plugin_rtcp *rtcp_mix[RTCP_MIX];

static void put16(char *p, guint16 v) {
	p[0] = (char)(v >> 8);
	p[1] = (char)v;
}

static void put32(char *p, guint32 v) {
	put16(p, (guint16)(v >> 16));
	put16(p + 2, (guint16)v);
}

/* An RTP header (version 2, no CSRC, no extension) and a filled payload. */
static void make_rtp(janus_plugin_rtp *packet, char *buf, guint16 len, gboolean video) {
	memset(buf, 0x5a, len);
	buf[0] = (char)0x80;
	buf[1] = (char)(video ? 96 : 111);
	put16(buf + 2, 1234);
	put32(buf + 4, 90000);
	put32(buf + 8, video ? 0x1111 : 0x2222);
	memset(packet, 0, sizeof(*packet));
	packet->mindex = video ? 1 : 0;
	packet->video = video;
	packet->buffer = buf;
	packet->length = len;
	/* As janus_plugin_rtp_extensions_reset: no extension. */
	packet->extensions.audio_level = -1;
	packet->extensions.video_rotation = -1;
	packet->extensions.min_delay = -1;
	packet->extensions.max_delay = -1;
}

/* Receiver report with one report block (32 bytes) + SDES CNAME (28). */
static int put_report(char *p) {
	memset(p, 0, 60);
	p[0] = (char)0x81; /* V=2, one report block */
	p[1] = (char)201;
	put16(p + 2, 32 / 4 - 1);
	put32(p + 4, 0x3333);
	put32(p + 8, 0x1111);
	p[32] = (char)0x81; /* V=2, one chunk */
	p[33] = (char)202;
	put16(p + 34, 28 / 4 - 1);
	put32(p + 36, 0x3333);
	p[40] = 1; /* CNAME */
	p[41] = 16;
	memcpy(p + 42, "duet-bench-cname", 16);
	return 60; /* p[58] ends the items, p[59] pads */
}

static int put_pli(char *p) {
	p[0] = (char)0x81; /* V=2, FMT 1 */
	p[1] = (char)206;
	put16(p + 2, 12 / 4 - 1);
	put32(p + 4, 0x3333);
	put32(p + 8, 0x1111);
	return 12;
}

/* 1,000,000 bits/s = 250,000 x 2^2. */
static int put_remb(char *p) {
	p[0] = (char)0x8f; /* V=2, FMT 15 */
	p[1] = (char)206;
	put16(p + 2, 24 / 4 - 1);
	put32(p + 4, 0x3333);
	put32(p + 8, 0);
	memcpy(p + 12, "REMB", 4);
	p[16] = 1;
	p[17] = (char)((2 << 2) | (250000 >> 16));
	put16(p + 18, 250000 & 0xffff);
	put32(p + 20, 0x1111);
	return 24;
}

static void make_rtcp(janus_plugin_rtcp *packet, char *buf, int (*extra)(char *)) {
	int len = put_report(buf);
	if(extra)
		len += extra(buf + len);
	memset(packet, 0, sizeof(*packet));
	packet->mindex = 1;
	packet->video = TRUE;
	packet->buffer = buf;
	packet->length = (guint16)len;
}

static void make_packets(void) {
	make_rtp(&audio_rtp, audio_buf, sizeof(audio_buf), FALSE);
	make_rtp(&video_rtp, video_buf, sizeof(video_buf), TRUE);
	for(int i = 0; i < RTP_MIX; i++)
		rtp_mix[i] = i == RTP_MIX - 1 ? &audio_rtp : &video_rtp;
	make_rtcp(&rr_rtcp, rr_buf, NULL);
	make_rtcp(&rr_pli_rtcp, rr_pli_buf, put_pli);
	make_rtcp(&rr_remb_rtcp, rr_remb_buf, put_remb);
	for(int i = 0; i < RTCP_MIX; i++)
		rtcp_mix[i] = i == RTCP_PLI_AT ? &rr_pli_rtcp : i == RTCP_REMB_AT ? &rr_remb_rtcp : &rr_rtcp;
}

/* How many of the first n packets of the RTCP mix sit at position at. */
static guint64 mix_count(guint64 n, int at) {
	return (n + RTCP_MIX - 1 - at) / RTCP_MIX;
}

/* ---------------------------------------------------------------------- */
/* Pairing through the plugin's requests                                  */

#define OFFER_SDP                                                                                                      \
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"                                        \
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n"    \
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendrecv\r\na=rtpmap:96 VP8/90000\r\n"
#define ANSWER_SDP OFFER_SDP

static int replies_expected;

static void send_request(bench_handle *h, json_t *body, const char *jsep_type) {
	json_t *jsep = NULL;
	if(jsep_type)
		jsep = json_pack("{ssss}", "type", jsep_type, "sdp", strcmp(jsep_type, "offer") ? ANSWER_SDP : OFFER_SDP);
	replies_expected += bench_send(h, body, jsep);
}

static void finish_phase(const char *what) {
	const char *first = NULL;
	if(!bench_wait_replies(replies_expected, REPLY_WAIT_US))
		die("timed out waiting for the replies of", what);
	if(bench_errors(&first) > 0)
		die(what, first);
}

/* The rooms do not adapt: every RTCP packet of the mix carries a receiver
 * report, which in an adaptive room would also run the estimator (about
 * once a second per participant in a real call, not once per packet); the
 * relay path measured is the same, and the RTP path is the same either way. */
static void pair_duet(int pairs) {
	char room[32];
	for(int k = 0; k < pairs; k++) {
		g_snprintf(room, sizeof(room), "bench-%d", k);
		send_request(handles[2 * k], json_pack("{sssssb}", "request", "create", "room", room, "adaptive", 0), NULL);
	}
	finish_phase("create");
	for(int side = 0; side < 2; side++) {
		for(int k = 0; k < pairs; k++) {
			g_snprintf(room, sizeof(room), "bench-%d", k);
			send_request(handles[2 * k + side], json_pack("{ssss}", "request", "join", "room", room), NULL);
		}
		finish_phase(side == 0 ? "join (first)" : "join (second)");
	}
	for(int k = 0; k < pairs; k++)
		send_request(handles[2 * k + 1], json_pack("{ss}", "request", "offer"), "offer");
	finish_phase("offer");
	for(int k = 0; k < pairs; k++)
		send_request(handles[2 * k], json_pack("{ss}", "request", "answer"), "answer");
	finish_phase("answer");
}

static void pair_videocall(int pairs) {
	char name[32];
	for(int i = 0; i < 2 * pairs; i++) {
		g_snprintf(name, sizeof(name), "user-%d", i);
		send_request(handles[i], json_pack("{ssss}", "request", "register", "username", name), NULL);
	}
	finish_phase("register");
	for(int k = 0; k < pairs; k++) {
		g_snprintf(name, sizeof(name), "user-%d", 2 * k);
		send_request(handles[2 * k + 1], json_pack("{ssss}", "request", "call", "username", name), "offer");
	}
	finish_phase("call");
	for(int k = 0; k < pairs; k++)
		send_request(handles[2 * k], json_pack("{ss}", "request", "accept"), "answer");
	finish_phase("accept");
}

static void set_up(const options *o, int pairs) {
	gint64 start = g_get_monotonic_time();
	handles = g_new0(bench_handle *, 2 * pairs);
	for(int i = 0; i < 2 * pairs; i++)
		handles[i] = bench_attach();
	if(o->style == STYLE_DUET)
		pair_duet(pairs);
	else
		pair_videocall(pairs);
	for(int i = 0; i < 2 * pairs; i++)
		plugin->setup_media(&handles[i]->session);
	fprintf(
	    stderr, "media_bench: %s: %d pairs set up in %.1f s\n", o->name, pairs, (g_get_monotonic_time() - start) / 1e6);
}

/* One side of every pair sends a report and two RTP packets: each peer, and
 * no one else, must have them. Then the other side. */
static void verify(int pairs) {
	bench_verify = TRUE;
	for(int side = 0; side < 2; side++) {
		for(int k = 0; k < pairs; k++) {
			janus_plugin_session *from = &handles[2 * k + side]->session;
			plugin->incoming_rtp(from, &audio_rtp);
			plugin->incoming_rtp(from, &video_rtp);
			plugin->incoming_rtcp(from, &rr_rtcp);
		}
		for(int i = 0; i < 2 * pairs; i++) {
			bench_handle *h = handles[i];
			guint64 want = side == 1 || i % 2 == 1 ? 1 : 0; /* the first senders got nothing yet */
			if(h->rtp_in != 2 * want || h->rtcp_in != want)
				die("a packet did not reach the sender's peer (or reached someone else)", NULL);
		}
	}
	bench_verify = FALSE;
}

/* ---------------------------------------------------------------------- */
/* Timed loops                                                            */

typedef void (*push_rtp_fn)(janus_plugin_session *, janus_plugin_rtp *);
typedef void (*push_rtcp_fn)(janus_plugin_session *, janus_plugin_rtcp *);

/* One measuring thread and what it measured. */
typedef struct lane {
	janus_plugin_session **from; /* the senders */
	janus_plugin_session **to; /* what push is given: the senders, or for the floor their peers */
	size_t count;
	packet_kind kind;
	push_rtp_fn push_rtp;
	push_rtcp_fn push_rtcp;
	double seconds, warmup;
	pthread_barrier_t *start;
	guint64 packets;
	gint64 wall_ns, cpu_ns;
	bench_counts counts;
	unsigned long long allocs;
} lane;

/* BATCH packets from position *pos of the lane, packet kinds from the mix
 * at *seq. One loop for both kinds (the branch on the kind always goes the
 * same way), so that the plugin and the floor run the same code. */
static void push_batch(const lane *l, guint64 *seq, size_t *pos) {
	janus_plugin_session *const *from = l->from, *const *to = l->to;
	push_rtp_fn push_rtp = l->push_rtp;
	push_rtcp_fn push_rtcp = l->push_rtcp;
	gboolean rtp = l->kind == PACKETS_RTP;
	size_t i = *pos, n = l->count;
	guint64 s = *seq;
	for(int k = 0; k < BATCH; k++, s++) {
		/* The core looks at the sender's handle before it calls the plugin. */
		if(!g_atomic_int_get(&from[i]->stopped)) {
			if(rtp)
				push_rtp(to[i], rtp_mix[s % RTP_MIX]);
			else
				push_rtcp(to[i], rtcp_mix[s % RTCP_MIX]);
		}
		if(++i == n)
			i = 0;
	}
	*pos = i;
	*seq = s;
}

/* Pushes batches until `seconds` have passed; returns the packets pushed.
 * The clock is read once a batch (about 1 to 10 microseconds). */
static guint64 push_for(const lane *l, double seconds, gint64 *wall_ns) {
	guint64 seq = 0;
	size_t pos = 0;
	gint64 start = clock_ns(CLOCK_MONOTONIC), end = start + (gint64)(seconds * 1e9), now;
	do {
		push_batch(l, &seq, &pos);
		now = clock_ns(CLOCK_MONOTONIC);
	} while(now < end);
	*wall_ns = now - start;
	return seq;
}

static void *lane_thread(void *data) {
	lane *l = data;
	gint64 ignored;
	pthread_barrier_wait(l->start);
	push_for(l, l->warmup, &ignored);
	memset(&bench_thread_counts, 0, sizeof(bench_thread_counts));
	gint64 cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	alloc_count_start();
	l->packets = push_for(l, l->seconds, &l->wall_ns);
	l->allocs = alloc_count_stop();
	l->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
	l->counts = bench_thread_counts;
	return NULL;
}

/* The handles lane t of `threads` sends for, in a shuffled order that
 * depends only on (pairs, threads, t), so that the plugin and the floor
 * see the same; with peers, the handle each one's packets go to. */
static janus_plugin_session **lane_handles(int pairs, int threads, int t, gboolean peers, size_t *count) {
	GPtrArray *list = g_ptr_array_new();
	for(int i = t; i < 2 * pairs; i += threads)
		g_ptr_array_add(list, &handles[peers ? i ^ 1 : i]->session);
	GRand *rand = g_rand_new_with_seed((guint32)(pairs * 16 + threads * 4 + t));
	for(guint i = list->len; i > 1; i--) {
		guint j = (guint)g_rand_int_range(rand, 0, (gint32)i);
		gpointer tmp = list->pdata[i - 1];
		list->pdata[i - 1] = list->pdata[j];
		list->pdata[j] = tmp;
	}
	g_rand_free(rand);
	*count = list->len;
	return (janus_plugin_session **)g_ptr_array_free(list, FALSE);
}

/* What the core must have seen for n packets of this kind. */
static gboolean counts_right(const options *o, gboolean floor, packet_kind kind, guint64 n, const bench_counts *c) {
	if(kind == PACKETS_RTP)
		return c->rtp == n && c->rtcp == 0;
	guint64 plis = mix_count(n, RTCP_PLI_AT), rembs = mix_count(n, RTCP_REMB_AT);
	if(floor)
		return c->rtcp == n && c->plis == 0 && c->rembs == 0;
	/* Duet passes a receiver's keyframe requests on at most every 500 ms per sender. */
	if(o->style == STYLE_DUET)
		return c->rtcp == n - plis - rembs && c->plis <= plis && c->rembs == rembs;
	return c->rtcp == n - rembs && c->plis == 0 && c->rembs == rembs;
}

static void print_header(void) {
	printf("target\tpackets\trooms\tthreads\trep\tns_per_packet\tcpu_ns_per_packet\tpackets_per_s\t"
	       "allocs_per_packet\tpushed\trelayed\tok\n");
}

/* Measures one point and prints its row; FALSE if the core did not see
 * what it should have, or the loop allocated. */
static gboolean measure(const options *o, gboolean floor, packet_kind kind, int pairs, int threads, int rep) {
	lane lanes[MAX_LIST];
	pthread_t ids[MAX_LIST];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, (unsigned)threads);
	for(int t = 0; t < threads; t++) {
		lane *l = &lanes[t];
		memset(l, 0, sizeof(*l));
		l->from = lane_handles(pairs, threads, t, FALSE, &l->count);
		l->to = floor ? lane_handles(pairs, threads, t, TRUE, &l->count) : l->from;
		l->kind = kind;
		l->push_rtp = floor ? bench_callbacks.relay_rtp : plugin->incoming_rtp;
		l->push_rtcp = floor ? bench_callbacks.relay_rtcp : plugin->incoming_rtcp;
		l->seconds = o->seconds;
		l->warmup = o->warmup;
		l->start = &start;
		if(pthread_create(&ids[t], NULL, lane_thread, l) != 0)
			die("cannot start a thread", NULL);
	}
	guint64 packets = 0, relayed = 0;
	gint64 wall = 0, cpu = 0;
	double rate = 0;
	unsigned long long allocs = 0;
	gboolean ok = TRUE;
	for(int t = 0; t < threads; t++) {
		pthread_join(ids[t], NULL);
		lane *l = &lanes[t];
		packets += l->packets;
		wall += l->wall_ns;
		cpu += l->cpu_ns;
		rate += l->packets / (l->wall_ns / 1e9);
		allocs += l->allocs;
		relayed += kind == PACKETS_RTP ? l->counts.rtp : l->counts.rtcp;
		ok = ok && counts_right(o, floor, kind, l->packets, &l->counts);
		if(l->to != l->from)
			g_free(l->to);
		g_free(l->from);
	}
	pthread_barrier_destroy(&start);
	/* Per packet: thread time over packets, so that a flat figure from 1
	 * to 2 threads means no contention; packets/s: all threads together. */
	printf("%s\t%s\t%d\t%d\t%d\t%.2f\t%.2f\t%.0f\t%.4f\t%llu\t%llu\t%d\n", floor ? "floor" : o->name,
	    kind == PACKETS_RTP ? "rtp" : "rtcp", pairs, threads, rep, (double)wall / packets, (double)cpu / packets, rate,
	    (double)allocs / packets, (unsigned long long)packets, (unsigned long long)relayed, ok && allocs == 0);
	fflush(stdout);
	return ok && allocs == 0;
}

/* ---------------------------------------------------------------------- */
/* Options and main                                                       */

static int parse_list(const char *text, int *out) {
	int n = 0;
	char **parts = g_strsplit(text, ",", -1);
	for(int i = 0; parts[i] && n < MAX_LIST; i++) {
		out[n] = atoi(parts[i]);
		if(out[n] < 1)
			die("not a positive count", parts[i]);
		n++;
	}
	g_strfreev(parts);
	return n;
}

static void parse_packets(const char *text, options *o) {
	char **parts = g_strsplit(text, ",", -1);
	o->rtp = o->rtcp = FALSE;
	for(int i = 0; parts[i]; i++) {
		if(!strcmp(parts[i], "rtp"))
			o->rtp = TRUE;
		else if(!strcmp(parts[i], "rtcp"))
			o->rtcp = TRUE;
		else
			die("not a packet kind (rtp, rtcp)", parts[i]);
	}
	g_strfreev(parts);
}

static options parse_options(int argc, char **argv) {
	options o = {.seconds = 1.0, .warmup = 0.2, .reps = 5, .rtp = TRUE, .rtcp = TRUE};
	o.n_rooms = parse_list("1,100,1000,10000", o.rooms);
	o.n_threads = parse_list("1,2", o.threads);
	for(int i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
		if(!strcmp(arg, "--floor")) {
			o.floor = TRUE;
			continue;
		}
		if(value == NULL)
			die("missing value for", arg);
		i++;
		if(!strcmp(arg, "--plugin"))
			o.path = value;
		else if(!strcmp(arg, "--name"))
			o.name = value;
		else if(!strcmp(arg, "--rooms"))
			o.n_rooms = parse_list(value, o.rooms);
		else if(!strcmp(arg, "--threads"))
			o.n_threads = parse_list(value, o.threads);
		else if(!strcmp(arg, "--packets"))
			parse_packets(value, &o);
		else if(!strcmp(arg, "--seconds"))
			o.seconds = atof(value);
		else if(!strcmp(arg, "--warmup"))
			o.warmup = atof(value);
		else if(!strcmp(arg, "--reps"))
			o.reps = atoi(value);
		else
			die("unknown option", arg);
	}
	if(o.path == NULL || o.name == NULL || (strcmp(o.name, "duet") && strcmp(o.name, "videocall")))
		die("usage", "media_bench --plugin SO --name duet|videocall [--floor] [--rooms 1,100,1000,10000] "
		             "[--threads 1,2] [--packets rtp,rtcp] [--seconds 1] [--warmup 0.2] [--reps 5]");
	o.style = strcmp(o.name, "duet") ? STYLE_VIDEOCALL : STYLE_DUET;
	return o;
}

int main(int argc, char **argv) {
	options o = parse_options(argc, argv);
	int pairs = 0;
	for(int i = 0; i < o.n_rooms; i++)
		pairs = MAX(pairs, o.rooms[i]);
	make_packets();
	plugin = bench_load(o.path);
	set_up(&o, pairs);
	verify(pairs);
	print_header();
	gboolean all_ok = TRUE;
	/* Repetitions outermost, and the plugin right next to its floor, so
	 * that a noisy moment spreads over every configuration. */
	for(int rep = 1; rep <= o.reps; rep++) {
		for(int r = 0; r < o.n_rooms; r++) {
			for(packet_kind kind = PACKETS_RTP; kind <= PACKETS_RTCP; kind++) {
				if(!(kind == PACKETS_RTP ? o.rtp : o.rtcp))
					continue;
				for(int t = 0; t < o.n_threads; t++) {
					all_ok &= measure(&o, FALSE, kind, o.rooms[r], o.threads[t], rep);
					if(o.floor)
						all_ok &= measure(&o, TRUE, kind, o.rooms[r], o.threads[t], rep);
				}
			}
		}
	}
	bench_unload();
	return all_ok ? 0 : 1;
}
