#!/usr/bin/env node
// Operating Duet from a backend with Meetecho's Node client, janode:
// create a room with a PIN, list rooms, let a guest in, list the room's
// participants, read the relay counters through the Admin API, kick the
// guest, destroy the room. Prints one line per step, "step: {json}", so a
// script (or the integration test) can read what happened.
//
// Usage: node admin.mjs [--janus ws://127.0.0.1:8188] [--admin ws://127.0.0.1:7188]
//                       [--admin-secret SECRET] [--room ID] [--pin PIN] [--secret SECRET]
// (the Admin API part needs Janus's admin WebSocket: admin_ws = true in
// janus.transport.websockets.jcfg; without --admin it is skipped)
import Janode from 'janode';
import { DuetHandle, PLUGIN_ID } from './duet-handle.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, v, i, all) => (i % 2 ? acc : acc.concat([[v.replace(/^--/, ''), all[i + 1]]])), []));
const opts = {
	janus: args.janus || 'ws://127.0.0.1:8188',
	admin: args.admin,
	adminSecret: args['admin-secret'] || 'duetadmin',
	room: args.room || `ops-${Date.now().toString(36)}`,
	pin: args.pin || '4321',
	secret: args.secret || 'roomsecret',
};
Janode.Logger.setLevel('none');

const print = (step, value) => console.log(`${step}: ${JSON.stringify(value)}`);

async function main() {
	const connection = await Janode.connect({ address: { url: opts.janus }, retry_time_secs: 1, max_retries: 2 });
	const session = await connection.create();
	const ops = await session.attach({ id: PLUGIN_ID, Handle: DuetHandle });
	const guestSession = await connection.create();
	const guest = await guestSession.attach({ id: PLUGIN_ID, Handle: DuetHandle });
	try {
		const created = await ops.request({ request: 'create', room: opts.room, description: 'Support desk', pin: opts.pin, secret: opts.secret });
		print('created', created);
		const { rooms } = await ops.request({ request: 'list' });
		print('rooms', rooms.filter((r) => r.room === opts.room));

		const refused = await guest.request({ request: 'join', room: opts.room, display: 'guest', pin: 'wrong' }).catch((e) => ({ error_code: e.code }));
		print('wrong-pin', refused);
		const joined = await guest.request({ request: 'join', room: opts.room, display: 'guest', pin: opts.pin });
		print('joined', { room: joined.room, id: joined.id, display: joined.display, peer: joined.peer });
		const { participants } = await ops.request({ request: 'listparticipants', room: opts.room });
		print('participants', participants);

		if (opts.admin) {
			const admin = await Janode.connect({ is_admin: true, address: { url: opts.admin, apisecret: opts.adminSecret } });
			const res = await admin.sendRequest({ janus: 'message_plugin', plugin: PLUGIN_ID, request: { request: 'stats' } });
			const stats = res.response;
			print('stats', { totals: stats.totals, room: stats.rooms.find((r) => r.room === opts.room) });
			const sessions = await admin.listSessions();
			print('admin-sessions', { count: sessions.sessions.length });
			await admin.close();
		}

		const kicked = new Promise((resolve) => guest.once('duet_kicked', resolve));
		print('kick', await ops.request({ request: 'kick', room: opts.room, secret: opts.secret, id: joined.id }));
		print('guest-got', await kicked);
		print('participants-after', (await ops.request({ request: 'listparticipants', room: opts.room })).participants);
		print('destroyed', await ops.request({ request: 'destroy', room: opts.room, secret: opts.secret }));
	} finally {
		await guest.detach().catch(() => {});
		await ops.detach().catch(() => {});
		await guestSession.destroy().catch(() => {});
		await session.destroy().catch(() => {});
		await connection.close().catch(() => {});
	}
}

main().then(() => process.exit(0), (err) => { console.error(`error: ${err.message}`); process.exit(1); });
