/*
 * layers.h - which simulcast layer to relay to a receiver.
 *
 * A simulcasting sender sends up to three encodings of its video (0 the
 * lowest). The receiver gets one: the highest that fits its downlink's
 * estimate, never above the highest it asked for (`configure` substream).
 * Down at once when the current one no longer fits; up only once the
 * estimate has held for UP_HOLD, so that a brief good spell does not
 * make it flap. Plain C, no Janus.
 */
#ifndef DUET_LAYERS_H
#define DUET_LAYERS_H

#include <glib.h>

#define DUET_LAYERS 3
/* Audio and overheads that share the link with the video layer. */
#define DUET_LAYER_MARGIN 60000

typedef struct duet_layers {
	int current; /* the substream chosen, -1 = none yet */
	gint64 up_since; /* when a higher layer started to fit, 0 = none does */
} duet_layers;

void duet_layers_reset(duet_layers *layers);
/* rates[i]: bits/s of substream i now (0 = not arriving); estimate 0 =
 * nothing limits the link. Returns the substream to relay. */
int duet_layers_choose(
    duet_layers *layers, const guint32 rates[DUET_LAYERS], guint32 estimate, int max_substream, gint64 now);
/* The rate the receiver would get one layer up (for the estimator's headroom). */
guint32 duet_layers_demand(const duet_layers *layers, const guint32 rates[DUET_LAYERS], int max_substream);

#endif
