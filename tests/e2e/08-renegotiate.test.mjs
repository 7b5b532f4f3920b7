// 8. An ICE restart and a screen-share renegotiation keep media flowing.
// Chromium's --use-fake-ui-for-media-stream makes getDisplayMedia return a
// fake 1280x720 screen, so B really receives another picture size.
import { e2e, uniqueRoom, startCall, expectMedia, assert } from './lib/duet.mjs';

function iceUfrags(page) {
	return page.evaluate(() => {
		const pc = window.duet.pc();
		const ufrag = (sdp) => /a=ice-ufrag:(\S+)/.exec(sdp)[1];
		return { local: ufrag(pc.localDescription.sdp), remote: ufrag(pc.remoteDescription.sdp) };
	});
}

async function waitWidth(peer, width, timeout = 20000) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const c = await peer.counters();
		if (c.width === width) return;
		if (Date.now() > deadline) throw new Error(`${peer.name}: remote video is ${c.width}x${c.height}, not ${width} wide`);
		await peer.page.waitForTimeout(100);
	}
}

e2e('ICE restart and screen share renegotiate without stopping the media', async (open) => {
	const room = uniqueRoom('reneg');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);
	await expectMedia(a, b);
	await waitWidth(b, 640);

	// ICE restart offered by A (the callee of this call). It restarts ICE on
	// A's leg to Janus: new credentials on both ends of that leg. (Janus
	// forwards the renegotiation to B, whose own leg keeps its credentials.)
	const before = await iceUfrags(a.page);
	await a.click('#ice-restart-button');
	await a.page.waitForFunction((old) => {
		const pc = window.duet.pc();
		const ufrag = (sdp) => /a=ice-ufrag:(\S+)/.exec(sdp)[1];
		return pc && pc.signalingState === 'stable'
			&& ufrag(pc.localDescription.sdp) !== old.local && ufrag(pc.remoteDescription.sdp) !== old.remote;
	}, before, { timeout: 15000 });
	assert.equal(await a.text('#call-error'), '');
	await expectMedia(a, b);

	// Screen share: B gets the 1280-wide fake screen, then the camera again.
	await a.click('#screen-button');
	await a.page.locator('#screen-button[aria-pressed="true"]').waitFor({ timeout: 15000 });
	await waitWidth(b, 1280);
	await b.expectFlowing('frames');
	await a.click('#screen-button');
	await a.page.locator('#screen-button[aria-pressed="false"]').waitFor({ timeout: 15000 });
	await waitWidth(b, 640);
	await expectMedia(a, b);
	assert.equal(await a.text('#call-error'), '');
	await a.status(/In call with Ben/);
	await b.status(/In call with Ana/);
});
