/*
 * layers.c - the simulcast layer chooser (see layers.h).
 */
#include "layers.h"

#define UP_HOLD_US (3 * G_USEC_PER_SEC)

void duet_layers_reset(duet_layers *layers) {
	layers->current = -1;
	layers->up_since = 0;
}

static gboolean fits(guint32 rate, guint32 estimate) {
	return estimate == 0 || (guint64)rate + DUET_LAYER_MARGIN <= estimate;
}

/* The best layer for the estimate: the highest arriving one that fits,
 * else the lowest arriving one; max_substream when none arrives yet. */
static int best_layer(const guint32 rates[DUET_LAYERS], guint32 estimate, int max_substream) {
	int lowest = -1;
	for(int i = max_substream; i >= 0; i--) {
		if(rates[i] == 0)
			continue;
		if(fits(rates[i], estimate))
			return i;
		lowest = i;
	}
	return lowest >= 0 ? lowest : max_substream;
}

int duet_layers_choose(
    duet_layers *layers, const guint32 rates[DUET_LAYERS], guint32 estimate, int max_substream, gint64 now) {
	max_substream = CLAMP(max_substream, 0, DUET_LAYERS - 1);
	int best = best_layer(rates, estimate, max_substream);
	if(layers->current < 0 || best < layers->current || layers->current > max_substream) {
		layers->current = best;
		layers->up_since = 0;
	} else if(best == layers->current) {
		layers->up_since = 0;
	} else if(layers->up_since == 0) {
		layers->up_since = now;
	} else if(now - layers->up_since >= UP_HOLD_US) {
		layers->current = best;
		layers->up_since = 0;
	}
	return layers->current;
}

guint32 duet_layers_demand(const duet_layers *layers, const guint32 rates[DUET_LAYERS], int max_substream) {
	int next = MIN(MAX(layers->current, 0) + 1, CLAMP(max_substream, 0, DUET_LAYERS - 1));
	return rates[next] > 0 ? rates[next] + DUET_LAYER_MARGIN : 0;
}

guint32 duet_layers_ask(const duet_layers *layers, const guint32 rates[DUET_LAYERS], guint32 estimate) {
	if(estimate == 0)
		return 0;
	guint64 ask = estimate;
	for(int i = 0; i < layers->current && i < DUET_LAYERS; i++)
		ask += rates[i];
	return (guint32)MIN(ask, G_MAXUINT32);
}
