// 3. Camera off on A stops B's decoded frames, camera on resumes them; the
// microphone likewise with B's audio packets (the plugin drops the media).
import { e2e, uniqueRoom, startCall, expectMedia, assert } from './lib/duet.mjs';

e2e('camera off/on and mute/unmute stop and resume the media the peer gets', async (open) => {
	const room = uniqueRoom('mute');
	const a = await open('Ana', room);
	const b = await open('Ben', room);
	await startCall(a, b);
	await expectMedia(b);

	await a.click('#camera-button');
	await a.page.locator('#camera-button[aria-pressed="true"]').waitFor();
	await b.expectStopped('frames');
	await b.expectFlowing('audio');               // only the video stopped
	await b.sees('#remote-overlay', /Ana's video is paused/);

	await a.click('#camera-button');
	await a.page.locator('#camera-button[aria-pressed="false"]').waitFor();
	await b.expectFlowing('frames');
	await b.page.locator('#remote-overlay').waitFor({ state: 'hidden' });

	await a.click('#mute-button');
	await a.page.locator('#mute-button[aria-pressed="true"]').waitFor();
	await b.expectStopped('audio');
	await b.expectFlowing('frames');              // only the audio stopped
	await b.page.locator('#remote-muted').waitFor({ state: 'visible' });

	await a.click('#mute-button');
	await a.page.locator('#mute-button[aria-pressed="false"]').waitFor();
	await b.expectFlowing('audio');
	await b.page.locator('#remote-muted').waitFor({ state: 'hidden' });
	assert.equal(await a.text('#call-error'), '');
});
