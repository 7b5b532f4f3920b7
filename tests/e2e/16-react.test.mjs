// 16. The React example (examples/react/, served at /react/): two pages of
// the app join one room; the second calls; both show "In call" and decode
// the other's video frames and audio.
import { e2e, uniqueRoom, expectMedia } from './lib/duet.mjs';

e2e('the React example makes a call with frames decoded on both sides', async (open) => {
	const room = uniqueRoom('react');
	const a = await open('Ana', room, { path: `/react/?room=${room}` });
	await a.page.locator('#status', { hasText: 'waiting' }).waitFor({ timeout: 20000 });
	const b = await open('Ben', room, { path: `/react/?room=${room}` });
	await Promise.all([a, b].map((p) => p.page.locator('#status', { hasText: /^In call with / }).waitFor({ timeout: 20000 })));
	await expectMedia(a, b);
	await a.screenshot('react-Ana');
});
