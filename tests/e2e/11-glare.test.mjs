// 11. Glare: after a hangup both press "Call again" and both offers reach
// Janus at the same moment (the pages hold their offers until both are ready,
// then send them together). One offer is forwarded; the other is refused —
// by the plugin with 464, or by the Janus core (490) when the winning offer
// was already pushed to that handle. The page whose offer lost answers the
// peer's offer, shows no error, and the call comes up.
import { e2e, uniqueRoom, startCall, expectMedia, assert } from './lib/duet.mjs';

e2e('both calling at once ends in one call', async (open) => {
	const room = uniqueRoom('glare');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);

	for (let round = 0; round < 6; round++) {
		await a.click('#hangup-button');
		await Promise.all([a.status(/Call ended/), b.status(/Call ended/)]);
		for (const p of [a, b]) await p.page.evaluate(() => window.__duetTest.holdOffers());
		await a.click('#call-button');
		await b.click('#call-button');
		for (const p of [a, b]) await p.page.waitForFunction(() => window.__duetTest.offerHeld(), null, { timeout: 10000 });
		await Promise.all([a.page.evaluate(() => window.__duetTest.releaseOffers()), b.page.evaluate(() => window.__duetTest.releaseOffers())]);

		await Promise.all([a.status(/In call with Ben/), b.status(/In call with Ana/)]);
		await expectMedia(a, b);
		const glares = await Promise.all([a, b].map((p) => p.page.evaluate(() => window.__duetTest.glares())));
		assert.equal(glares[0] + glares[1], round + 1, `exactly one of the two offers lost each round (got ${glares})`);
		for (const p of [a, b]) {
			assert.equal(await p.page.evaluate(() => document.getElementById('call-error').classList.contains('notice')
				|| document.getElementById('call-error').hidden), true, `${p.name} shows an error: ${await p.text('#call-error')}`);
		}
	}
});
