// 1. Two pages join one room: media flows both ways (audio as Opus RED
// both ways, the room being adaptive), the live figures show, and the call
// setup time (second join -> first remote frame on both sides)
// is printed. Screenshots of the live call go to <out>/screenshots.
// It runs twice: with the npm janus-gateway (1.4.x) build bundled in
// duet-client, and with Debian's janus.js (1.1.2) loaded as a script.
import { e2e, uniqueRoom, expectMedia, setupTime, assert, BASE_URL } from './lib/duet.mjs';
import { sample } from './lib/rtcstats.mjs';

for (const janusjs of ['npm', 'debian']) e2e(`two pages in one room are in a call with media both ways (janus.js: ${janusjs})`, async (open) => {
	const room = uniqueRoom(`call-${janusjs}`);
	const a = await open('Ana', room, { query: `&janusjs=${janusjs}` });
	const b = await open('Ben', room, { query: `&janusjs=${janusjs}` });
	for (const p of [a, b]) assert.equal(await p.page.getAttribute('#server-state', 'data-janusjs'), janusjs);
	const version = await a.page.evaluate(() => window.Janus ? 'Debian janus.js (window.Janus)' : 'npm janus-gateway (bundled)');
	console.log(`janus.js: ${version}`);

	await a.join();
	await a.status(/Waiting for someone to join room/);
	const link = await a.page.inputValue('#invite-link');
	assert.match(link, new RegExp(`\\?room=${room}$`));
	await a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
	await a.click('#copy-link-button');
	await a.sees('#copy-link-button', 'Copied!');
	assert.equal(await a.page.evaluate(() => navigator.clipboard.readText()), link);

	await b.join();
	await Promise.all([a.status(/In call with Ben/), b.status(/In call with Ana/)]);
	const ms = await setupTime(a, b);
	console.log(`call setup time: ${ms.toFixed(0)} ms (Ben's join -> first remote frame on both sides)`);

	await expectMedia(a, b);
	// An adaptive room (the default) has both browsers send Opus with
	// redundancy (the offer Duet forwards puts RED first): each packet
	// carries the frame before it again, which the receiver's jitter buffer
	// discards (getStats still names the codec audio/opus).
	for (const p of [a, b]) {
		const audio = (await sample(p.page, 'duet')).inA;
		assert.ok(audio.packetsReceived >= 50 && audio.packetsDiscarded >= 0.8 * audio.packetsReceived, JSON.stringify(audio));
	}
	// The live figures: resolution, frame rate, bitrate, round-trip time.
	await a.sees('#remote-stats', /\d+×\d+ · \d+ fps · [\d.]+ [kM]bit\/s · RTT \d+ ms/);
	await b.sees('#remote-stats', /\d+×\d+ · \d+ fps · [\d.]+ [kM]bit\/s · RTT \d+ ms/);
	await a.sees('#local-stats', /\d+×\d+/);

	await a.screenshot(`call-Ana-${janusjs}`);
	await b.screenshot(`call-Ben-${janusjs}`);
});
