// Call setup time over N calls: in a fresh room each time, Ana joins and
// waits, Ben joins; the time from Ben's join request to the first remote
// video frame presented on both pages (requestVideoFrameCallback).
// Run with: tests/e2e/run.sh --bench N
import { Peer, uniqueRoom, setupTime, disconnect } from './lib/duet.mjs';

const n = Number(process.argv[2] || 10);
const times = [];
for (let i = 0; i < n; i++) {
	const room = uniqueRoom('bench');
	const a = await Peer.open('Ana', room);
	const b = await Peer.open('Ben', room);
	try {
		await a.join();
		await a.status(/Waiting for someone/);
		await b.join();
		const ms = await setupTime(a, b);
		times.push(ms);
		console.log(`call ${i + 1}/${n}: ${ms.toFixed(0)} ms`);
	} finally {
		await a.close();
		await b.close();
	}
}
await disconnect();
times.sort((x, y) => x - y);
const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
console.log(`call setup over ${times.length} calls: min ${times[0].toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms`);
