/*
 * sdp_simulcast.h - the SDP edit that lets a simulcasting offerer send its
 * layers although the other browser wrote the answer.
 *
 * The Janus core strips the rid header extensions from every offer a
 * plugin hands to a peer, so the answering browser never accepts them,
 * and the core drops the offerer's rids when the answer it gets back
 * lacks them: the offerer then sends one layer only. Duet puts the
 * offerer's own rid and repaired-rid extmap lines back into the answer it
 * forwards; the core then answers the layers itself (a=rid recv,
 * a=simulcast). Plain C, no Janus.
 */
#ifndef DUET_SDP_SIMULCAST_H
#define DUET_SDP_SIMULCAST_H

#include <glib.h>

/* The answer with, in each m-section it accepts, the rid extmap lines of
 * the offer's m-section at the same index that it lacks; NULL when there
 * is nothing to add. The result is the caller's to g_free. */
char *duet_sdp_accept_rids(const char *offer, const char *answer);

#endif
