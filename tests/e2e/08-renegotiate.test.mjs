// 8. An ICE restart and a screen-share renegotiation keep media flowing.
// Chromium's --use-fake-ui-for-media-stream makes getDisplayMedia return a
// fake 1280x720 screen, so B really receives another picture shape.
import { e2e, uniqueRoom, startCall, expectMedia, assert } from './lib/duet.mjs';

function iceUfrags(page) {
	return page.evaluate(() => {
		const pc = window.__duetTest.pc();
		const ufrag = (sdp) => /a=ice-ufrag:(\S+)/.exec(sdp)[1];
		return { local: ufrag(pc.localDescription.sdp), remote: ufrag(pc.remoteDescription.sdp) };
	});
}

// The picture B receives: the fake camera is 4:3 (640x480), the fake screen
// 16:9 (1280x720). Compare shapes, not sizes: a busy machine makes Chromium's
// encoder scale the resolution down.
const CAMERA = 4 / 3;
const SCREEN = 16 / 9;

async function waitShape(peer, ratio, timeout = 20000) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const c = await peer.counters();
		if (c.height && Math.abs(c.width / c.height - ratio) < 0.05) return;
		if (Date.now() > deadline) throw new Error(`${peer.name}: remote video is ${c.width}x${c.height}, not ${ratio.toFixed(2)}:1`);
		await peer.page.waitForTimeout(100);
	}
}

e2e('ICE restart and screen share renegotiate without stopping the media', async (open) => {
	const room = uniqueRoom('reneg');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);
	await expectMedia(a, b);
	await waitShape(b, CAMERA);

	// ICE restart offered by A (the callee of this call). It restarts ICE on
	// A's leg to Janus: new credentials on both ends of that leg. (Janus
	// forwards the renegotiation to B, whose own leg keeps its credentials.)
	const before = await iceUfrags(a.page);
	await a.click('#ice-restart-button');
	await a.page.waitForFunction((old) => {
		const pc = window.__duetTest.pc();
		const ufrag = (sdp) => /a=ice-ufrag:(\S+)/.exec(sdp)[1];
		return pc && pc.signalingState === 'stable'
			&& ufrag(pc.localDescription.sdp) !== old.local && ufrag(pc.remoteDescription.sdp) !== old.remote;
	}, before, { timeout: 15000 });
	assert.equal(await a.text('#call-error'), '');
	await expectMedia(a, b);

	// Screen share: B gets the 16:9 fake screen, then the 4:3 camera again.
	await a.click('#screen-button');
	await a.page.locator('#screen-button[aria-pressed="true"]').waitFor({ timeout: 15000 });
	await waitShape(b, SCREEN);
	await b.expectFlowing('frames');
	await a.click('#screen-button');
	await a.page.locator('#screen-button[aria-pressed="false"]').waitFor({ timeout: 15000 });
	await waitShape(b, CAMERA);
	await expectMedia(a, b);
	assert.equal(await a.text('#call-error'), '');
	await a.status(/In call with Ben/);
	await b.status(/In call with Ana/);
});
