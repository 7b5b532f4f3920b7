/*
 * sdp_audio.h - the SDP edit that makes both browsers of an adaptive call
 * send their audio with redundancy (Opus RED, RFC 2198).
 *
 * A browser turns Opus's own forward error correction on from the loss
 * its receiver reports. In a Duet call those reports come from the Janus
 * core, about the sender's own clean leg, and the core drops the ones a
 * plugin relays: random loss on the receiver's downlink never reaches
 * the sender, and its audio has no protection. Chromium offers RED
 * (`red/48000/2`) but after Opus; a browser sends the first codec of the
 * answer, and an answer keeps the offer's order. Duet moves RED first in
 * the audio m-line of the offer it forwards: the answerer then sends RED,
 * and so does the offerer once that answer comes back. Each packet then
 * carries the one before it too (about 30 kbit/s more), and one lost
 * packet in a row is recovered (docs/adaptation.md). Plain C, no Janus.
 */
#ifndef DUET_SDP_AUDIO_H
#define DUET_SDP_AUDIO_H

/* The offer with each audio m-line's RED payload type (`red/48000/2`)
 * moved first; NULL when there is none to move (no RED offered, or it is
 * first already). The result is the caller's to g_free. */
char *duet_sdp_prefer_red(const char *offer);

#endif
