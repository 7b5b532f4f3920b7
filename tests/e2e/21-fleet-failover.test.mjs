// 21. A fleet (issue 15): three Janus instances behind HAProxy, rooms in Redis.
// Two pages in a call through HAProxy (?fleet=: the room in the endpoint);
// the instance holding the room is SIGKILLed; both pages reconnect through
// HAProxy, land together on the room's new instance, join again and show
// video again; a third page still gets 457. The time from the kill to the
// first new frame on both sides is printed ("failover: N ms"); with
// DUET_FLEET_FAILOVERS=N it is done N times in a row (bench/fleet/failover.sh).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { before, after } from 'node:test';
import { e2e, uniqueRoom, startCall, assert, OUT } from './lib/duet.mjs';

const repo = process.env.DUET_REPO || path.resolve('.');
const LB = '127.0.0.1:8500';   // the page server of the suite has 8000
const rounds = Number(process.env.DUET_FLEET_FAILOVERS || 1);
const dir = fs.mkdtempSync('/tmp/duet-e2e-fleet-');
const fleetEnv = (...args) => execFileSync(path.join(repo, 'tests/lib/fleet-env.sh'), [args[0], dir, ...args.slice(1)], { stdio: 'inherit' });

before(() => {
	execFileSync(path.join(repo, 'scripts/fleet-config.sh'), ['--out', dir, '--instances', '3',
		'--plugin', process.env.DUET_PLUGIN, '--interface', '10.99.0.1', '--ice-enforce', 'v0',
		'--redis-url', 'redis://127.0.0.1:6391/0', '--listen', LB, '--base-port', '8600', '--rtp-base', '30000'], { stdio: 'ignore' });
	fleetEnv('start', '--redis', '6391');
});

after(() => {
	fleetEnv('stop');
	for (const f of fs.readdirSync(dir)) {
		if (f.startsWith('duet-')) fs.copyFileSync(path.join(dir, f, 'janus.log'), path.join(OUT, `fleet-${f}.log`));
	}
	fs.rmSync(dir, { recursive: true, force: true });
});

/** The instance whose Admin API holds the room with both participants (duet-fleet). */
function holder(room) {
	// duet-fleet still prints what the live instances hold when one is down,
	// and exits 1 to say so (right after a kill, that one is).
	let out;
	try {
		out = execFileSync(path.join(repo, 'scripts/duet-fleet'), ['--fleet', path.join(dir, 'fleet.tsv'), '--json', 'list'], { stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (e) {
		if (!e.stdout || !e.stdout.length) throw e;
		out = e.stdout;
	}
	const rooms = JSON.parse(out).rooms.filter((r) => r.room === room && r.participants === 2);
	return rooms.length === 1 ? rooms[0].instance : null;
}

/** A tag of the page's current PeerConnection and the frames it decoded. */
function media(peer) {
	return peer.page.evaluate(async () => {
		const pc = window.__duetTest && window.__duetTest.pc();
		if (!pc) return { tag: null, frames: 0 };
		pc.__fleetTag = pc.__fleetTag || Math.random();
		let frames = 0;
		(await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0; });
		return { tag: pc.__fleetTag, frames };
	});
}

/** When (Date.now()) a new PeerConnection of the page shows its first frames. */
async function newFrames(peer, oldTag, deadline) {
	for (;;) {
		const m = await media(peer);
		if (m.tag !== null && m.tag !== oldTag && m.frames >= 1) return Date.now();
		if (Date.now() > deadline) throw new Error(`${peer.name}: no new video after the kill; status "${await peer.text('#status')}"`);
		await peer.page.waitForTimeout(25);
	}
}

e2e('a call survives the loss of its instance (fleet, failover)', async (open) => {
	const room = uniqueRoom('fleet');
	const query = `&fleet=http://${LB}`;
	const a = await open('Ana', room, { query });
	const b = await open('Ben', room, { query });
	await startCall(a, b);
	await Promise.all([a.expectFlowing('frames'), b.expectFlowing('frames')]);
	const times = [];
	for (let i = 0; i < rounds; i++) {
		const dead = holder(room);
		assert.ok(dead, `the room is on exactly one instance (round ${i + 1})`);
		const tags = [(await media(a)).tag, (await media(b)).tag];
		const killed = Date.now();
		fleetEnv('kill', dead.split('-')[1]);
		const [ta, tb] = await Promise.all([newFrames(a, tags[0], killed + 20000), newFrames(b, tags[1], killed + 20000)]);
		times.push(Math.max(ta, tb) - killed);
		console.log(`failover ${i + 1}: ${Math.max(ta, tb) - killed} ms (Ana ${ta - killed}, Ben ${tb - killed}); ${dead} -> ${holder(room)}`);
		await Promise.all([a.expectFlowing('frames'), b.expectFlowing('frames'), a.expectFlowing('audio'), b.expectFlowing('audio')]);
		await a.status(/In call with Ben/);
		await b.status(/In call with Ana/);
		assert.notEqual(holder(room), dead);
		if (i === rounds - 1) {
			// While the room's first instance is still down (once it is back,
			// HAProxy routes the room to it again: docs/deployment.md), a
			// third page meets the pair on the new one: 457.
			const c = await open('Cai', room, { query });
			await c.join();
			await c.sees('#join-error', /is full/);
			assert.match(await c.text('#join-error'), /error 457/);
			await a.status(/In call with Ben/);
			await b.expectFlowing('frames');
		}
		fleetEnv('start-instance', dead.split('-')[1]);   // three instances again for the next round
	}
	const sorted = [...times].sort((x, y) => x - y);
	console.log(`failover: median ${sorted[Math.floor((sorted.length - 1) / 2)]} ms over ${times.length} (${times.join(', ')})`);
	fs.writeFileSync(path.join(OUT, 'fleet-failover.json'), JSON.stringify({ times }) + '\n');

}, { timeout: 60000 + rounds * 40000 });
