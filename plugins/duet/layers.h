/*
 * layers.h - which simulcast layer to relay to a receiver.
 *
 * A simulcasting sender sends up to three encodings of its video (0 the
 * lowest). The receiver gets one: the highest that fits its downlink's
 * estimate and is not starved (its browser fills layers from the lowest
 * up, so one above the relayed layer gets what is left, and shows it as
 * a lower rate or fewer frames than the layer under it), never above the
 * highest it asked for (`configure` substream). Down at once when the
 * current one no longer qualifies; up only once the better one has
 * qualified for UP_HOLD, so that a brief good spell does not make it
 * flap. The sender is held to the estimate plus the layers under the one
 * it should feed with it: the relayed one, or the one above when the
 * estimate has room for it (duet_layers_ask). Plain C, no Janus.
 */
#ifndef DUET_LAYERS_H
#define DUET_LAYERS_H

#include <glib.h>

#define DUET_LAYERS 3
/* Audio and overheads that share the link with the video layer: Opus
 * with redundancy (RED, sdp_audio.h) relays about 75 kbit/s. */
#define DUET_LAYER_MARGIN 90000
/* A layer is relayed over the one under it only if it carries this many
 * times that one's rate, and this share of its frames (layers.c, worth). */
#define DUET_LAYER_WORTH 1.5
#define DUET_LAYER_WORTH_FPS 0.6

/* What arrives of each substream now (0: not arriving). */
typedef struct duet_layer_rates {
	guint32 bits[DUET_LAYERS]; /* bits/s */
	guint32 fps[DUET_LAYERS]; /* frames/s */
} duet_layer_rates;

typedef struct duet_layers {
	int current; /* the substream chosen, -1 = none yet */
	gint64 up_since; /* when a higher layer started to fit, 0 = none does */
} duet_layers;

void duet_layers_reset(duet_layers *layers);
/* estimate 0 = nothing limits the link. Returns the substream to relay. */
int duet_layers_choose(
    duet_layers *layers, const duet_layer_rates *rates, guint32 estimate, int max_substream, gint64 now);
/* The limit to ask of the sender (REMB; 0 = none): the estimate, for the
 * layer it should feed with it, plus the rates of the layers under that
 * one. A browser fills its layers from the lowest up within what it is
 * allowed, so the fed layer gets the estimate whichever it is; the layers
 * above it get what is left, or stop. Unlimited, a sender whose lowest
 * layer did not fit the link (two layers of a 640x480 camera: 320x240 at
 * up to 300 kbit/s is the lowest) flooded it: 38 % loss and no picture at
 * 300 kbit/s. The fed layer is the relayed one, or the one above it (at
 * most max_substream) when the estimate has room for a layer worth
 * relaying over it: held to the estimate with the relayed layer under
 * it, the layer above gets what is left of the estimate, and starved it
 * never shows it could be relayed (640x480 at 12-24 fps beside 320x240
 * relayed at 30, for a whole call on a 1000 kbit/s link). Fed, it ends
 * at Janus until it is chosen; the relayed layer, already within the
 * estimate by half its rate and the audio, is not squeezed, so it does
 * not grow with the ask. */
guint32 duet_layers_ask(const duet_layers *layers, const duet_layer_rates *rates, guint32 estimate, int max_substream);
/* The rate the receiver would get one layer up (for the estimator's headroom). */
guint32 duet_layers_demand(const duet_layers *layers, const duet_layer_rates *rates, int max_substream);

#endif
