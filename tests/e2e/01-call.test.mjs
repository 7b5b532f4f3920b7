// 1. Two pages join one room: media flows both ways, the live figures show,
// and the call setup time (second join -> first remote frame on both sides)
// is printed. Screenshots of the live call go to <out>/screenshots.
import { e2e, uniqueRoom, expectMedia, setupTime, assert, BASE_URL } from './lib/duet.mjs';

e2e('two pages in one room are in a call with media both ways', async (open) => {
	const room = uniqueRoom('call');
	const a = await open('Ana', room);
	const b = await open('Ben', room);

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
	// The live figures: resolution, frame rate, bitrate, round-trip time.
	await a.sees('#remote-stats', /\d+×\d+ · \d+ fps · [\d.]+ [kM]bit\/s · RTT \d+ ms/);
	await b.sees('#remote-stats', /\d+×\d+ · \d+ fps · [\d.]+ [kM]bit\/s · RTT \d+ ms/);
	await a.sees('#local-stats', /\d+×\d+/);

	await a.screenshot('call-Ana');
	await b.screenshot('call-Ben');
});
