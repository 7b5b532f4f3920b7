/*
 * layers.c - the simulcast layer chooser (see layers.h).
 */
#include "layers.h"

#define UP_HOLD_US (3 * G_USEC_PER_SEC)

void duet_layers_reset(duet_layers *layers) {
	layers->current = -1;
	layers->up_since = 0;
}

/* Whether layer i fits the estimate. The relayed layer (i at most the
 * current one) needs only to stay within it: its sender is held to the
 * estimate plus the layers under it (duet_layers_ask), so its browser
 * squeezes it into what is left beside the audio. A layer above needs
 * room for the audio and overheads too. */
static gboolean fits(guint32 rate, guint32 estimate, gboolean above) {
	return estimate == 0 || (guint64)rate + (above ? DUET_LAYER_MARGIN : 0) <= estimate;
}

/* Whether layer i is worth relaying instead of `below`, the arriving
 * layer under it (-1: none): it fits, and it is not starved. A browser
 * fills its layers from the lowest up within what it is allowed, so a
 * layer above the one relayed gets what is left, and a layer of four
 * times the pixels at less than WORTH times the lower one's rate shows
 * fewer frames, not a better picture (640x480 at 200 kbit/s: 10 fps).
 * The rate says nothing while the estimate is unknown (the start of a
 * call), and a 640x480 layer at 2-13 fps went through then, for seconds,
 * beside a 320x240 one at 30 fps: its frames count too, always. */
static gboolean worth(const duet_layer_rates *rates, int i, int below, guint32 estimate, int current) {
	if(!fits(rates->bits[i], estimate, i > current))
		return FALSE;
	if(below < 0)
		return TRUE;
	if(rates->fps[i] < rates->fps[below] * DUET_LAYER_WORTH_FPS)
		return FALSE;
	return estimate == 0 || rates->bits[i] >= rates->bits[below] * DUET_LAYER_WORTH;
}

/* The best layer for the estimate: going up from the lowest arriving one,
 * each arriving layer worth relaying instead of the one under it;
 * max_substream when none arrives yet. */
static int best_layer(const duet_layer_rates *rates, guint32 estimate, int max_substream, int current) {
	int best = -1;
	for(int i = 0; i <= max_substream; i++) {
		if(rates->bits[i] == 0)
			continue;
		if(best >= 0 && !worth(rates, i, best, estimate, current))
			break;
		best = i;
	}
	return best >= 0 ? best : max_substream;
}

int duet_layers_choose(
    duet_layers *layers, const duet_layer_rates *rates, guint32 estimate, int max_substream, gint64 now) {
	max_substream = CLAMP(max_substream, 0, DUET_LAYERS - 1);
	int best = best_layer(rates, estimate, max_substream, layers->current);
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

/* The layer one above the relayed one, at most max_substream (so the
 * relayed one itself when it is the highest allowed). */
static int one_up(const duet_layers *layers, int max_substream) {
	return MIN(MAX(layers->current, 0) + 1, CLAMP(max_substream, 0, DUET_LAYERS - 1));
}

guint32 duet_layers_demand(const duet_layers *layers, const duet_layer_rates *rates, int max_substream) {
	int next = one_up(layers, max_substream);
	return rates->bits[next] > 0 ? rates->bits[next] + DUET_LAYER_MARGIN : 0;
}

/* The layer the sender should feed with the estimate (layers.h). */
static int fed_layer(const duet_layers *layers, const duet_layer_rates *rates, guint32 estimate, int max_substream) {
	int current = layers->current, next = one_up(layers, max_substream);
	if(current < 0 || next <= current || rates->bits[next] == 0)
		return current;
	guint64 room = (guint64)(rates->bits[current] * DUET_LAYER_WORTH) + DUET_LAYER_MARGIN;
	return estimate >= room ? next : current;
}

guint32 duet_layers_ask(const duet_layers *layers, const duet_layer_rates *rates, guint32 estimate, int max_substream) {
	if(estimate == 0)
		return 0;
	guint64 ask = estimate;
	int fed = fed_layer(layers, rates, estimate, max_substream);
	for(int i = 0; i < fed && i < DUET_LAYERS; i++)
		ask += rates->bits[i];
	return (guint32)MIN(ask, G_MAXUINT32);
}
