/*
 * loss.c - packet loss of one receiver's downlink over windows of at least
 * 50 packets, from its report blocks' cumulative counters (loss.h says why).
 */
#include "loss.h"

/* A sequence jump this large is a restarted stream, not traffic. */
#define MAX_JUMP 30000

void duet_loss_meter_reset(duet_loss_meter *meter) {
	*meter = (duet_loss_meter){0};
}

static duet_loss_stream *stream_of(duet_loss_meter *meter, guint32 ssrc) {
	for(guint i = 0; i < DUET_LOSS_STREAMS; i++) {
		if(meter->streams[i].seen && meter->streams[i].ssrc == ssrc)
			return &meter->streams[i];
	}
	for(guint i = 0; i < DUET_LOSS_STREAMS; i++) {
		if(!meter->streams[i].seen)
			return &meter->streams[i];
	}
	duet_loss_stream *oldest = &meter->streams[meter->next];
	meter->next = (meter->next + 1) % DUET_LOSS_STREAMS;
	oldest->seen = FALSE;
	return oldest;
}

/* What one block adds since the stream's previous block: nothing for the
 * first block of a stream, an older report arriving late, or a restart. */
static void count_block(duet_loss_meter *meter, const duet_rtcp_block *block, gboolean ignored) {
	duet_loss_stream *stream = stream_of(meter, block->ssrc);
	guint32 expected = block->highest_seq - stream->highest_seq; /* modulo 2^32 */
	gboolean counts = stream->seen && expected <= MAX_JUMP && !ignored;
	if(stream->seen && expected > G_MAXINT32) /* went backwards: a late report */
		return;
	gint64 lost = (gint64)block->cumulative_lost - stream->cumulative_lost;
	if(counts && lost <= (gint64)expected) { /* more lost than sent: counters out of step, skip */
		meter->expected += expected;
		meter->lost += lost;
	}
	*stream = (duet_loss_stream){
	    .ssrc = block->ssrc,
	    .highest_seq = block->highest_seq,
	    .cumulative_lost = block->cumulative_lost,
	    .seen = TRUE,
	};
}

gint duet_loss_meter_add(duet_loss_meter *meter, const duet_rtcp_report *report, gint64 now) {
	gboolean waiting = now < meter->ignore_until;
	for(guint i = 0; i < report->kept; i++)
		count_block(meter, &report->block[i], waiting || meter->resync);
	if(!waiting)
		meter->resync = FALSE;
	if(meter->expected < DUET_LOSS_WINDOW)
		return -1;
	gint64 lost = CLAMP(meter->lost, 0, meter->expected);
	gint fraction = (gint)MIN(lost * 256 / meter->expected, 255);
	meter->expected = 0;
	meter->lost = 0;
	return fraction;
}

void duet_loss_meter_restart(duet_loss_meter *meter, gint64 until) {
	meter->expected = 0;
	meter->lost = 0;
	meter->ignore_until = until;
	meter->resync = TRUE;
}
