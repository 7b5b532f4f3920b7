"""Real SDP for the signaling benchmark, made by aiortc before timing starts.

Each pair is an aiortc offer (audio, video and a data channel, host
candidates only) and aiortc's answer to it, made by two PeerConnections
that are closed right away. The benchmark sends the offer as the caller and
the answer as the callee: Janus rewrites the offer it forwards (its own
ICE credentials, fingerprint and candidates) but keeps the m-lines, mids
and payload types, so an answer made to the original offer fits it. Making
the SDP up front means the benchmark times Janus, not aiortc.
"""

import asyncio

from aiortc import RTCConfiguration, RTCPeerConnection


async def make_pair():
    """One (offer, answer) pair of JSEP dicts."""
    caller = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    callee = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        caller.addTransceiver("audio", "sendrecv")
        caller.addTransceiver("video", "sendrecv")
        caller.createDataChannel("bench")
        await caller.setLocalDescription(await caller.createOffer())
        offer = caller.localDescription
        await callee.setRemoteDescription(offer)
        await callee.setLocalDescription(await callee.createAnswer())
        answer = callee.localDescription
        return {"type": "offer", "sdp": offer.sdp}, {"type": "answer", "sdp": answer.sdp}
    finally:
        await caller.close()
        await callee.close()


def without_candidates(jsep):
    """The JSEP as a trickling browser first sends it: no candidates yet."""
    lines = jsep["sdp"].split("\r\n")
    kept = [line for line in lines if not line.startswith(("a=candidate:", "a=end-of-candidates"))]
    return {"type": jsep["type"], "sdp": "\r\n".join(kept)}


async def make_pool(size):
    """`size` pairs, made one after the other (aiortc gathers per pair).

    Run it on an event loop of its own: the closed PeerConnections leave
    ICE check tasks and STUN retry timers behind that fail noisily (they
    find their sockets gone); this loop's handler drops those reports and
    the timers die with the loop.
    """
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
    return [await make_pair() for _ in range(size)]


if __name__ == "__main__":
    offer, answer = asyncio.run(make_pair())
    print(offer["sdp"])
    print(answer["sdp"])
