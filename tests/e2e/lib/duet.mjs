// Helpers for the end-to-end tests: open peers on the demo page in the
// shared Chromium (started by inside.sh, attached over CDP), read the UI and
// the media counters of their PeerConnections. The pages carry no test
// hooks: page-hooks.js, injected by open(), watches them from outside.
//
// Media assertions use getStats counters (inbound-rtp framesDecoded for
// video, packetsReceived for audio) sampled over time: "flowing" means the
// counter grew by a given amount, "stopped" means it did not grow at all for
// a quiet period while the sender kept sending.
import { chromium } from 'playwright-core';
import { test, after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

export const BASE_URL = process.env.DUET_BASE_URL || 'http://127.0.0.1:8000';
export const OUT = process.env.DUET_E2E_OUT || path.resolve('out/e2e/manual');
/** The tests' instrumentation (see page-hooks.js), injected into every page they open. */
export const HOOKS = path.join(path.dirname(new URL(import.meta.url).pathname), 'page-hooks.js');
/** Which janus.js the demo page runs with in every test (DUET_E2E_JANUSJS=npm|debian; default: the page's). */
const JANUSJS = process.env.DUET_E2E_JANUSJS || '';
const CDP = process.env.DUET_CDP;

let browserPromise = null;

/** The shared Chromium; one CDP connection per test file. */
export function browser() {
	if (!CDP) throw new Error('DUET_CDP is not set: run the tests with tests/e2e/run.sh');
	if (!browserPromise) browserPromise = chromium.connectOverCDP(CDP);
	return browserPromise;
}

export async function disconnect() {
	if (browserPromise) {
		const b = await browserPromise;
		browserPromise = null;
		// Over CDP, close() only drops our connection; Chromium keeps running for the next file.
		await b.close();
	}
}

/** A room name no other test (or earlier run) uses. */
export function uniqueRoom(label) {
	return `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/**
 * A peer: one page in its own browser context (its own window), on the demo
 * page for `room`. Nothing is joined yet; call join().
 */
export class Peer {
	static async open(name, room, { viewport = { width: 1280, height: 860 }, mobile = false, query = '', path: pagePath = null, browser: other = null } = {}) {
		// The shared Chromium, or another Chromium process (lib/chromium.mjs).
		const b = other || await browser();
		const context = await b.newContext(mobile
			? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
			: { viewport });
		await context.addInitScript({ path: HOOKS });
		const page = await context.newPage();
		const peer = new Peer(name, room, context, page);
		if (pagePath) {
			// Another page than the demo (the tests' library page, the React example).
			await page.goto(/^https?:/.test(pagePath) ? pagePath : `${BASE_URL}${pagePath}`);
			return peer;
		}
		const janusjs = JANUSJS && !query.includes('janusjs=') ? `&janusjs=${JANUSJS}` : '';
		await page.goto(`${BASE_URL}/?room=${encodeURIComponent(room)}${query}${janusjs}`);
		// Connected to Janus and attached to the plugin: the Join button is enabled.
		await page.locator('#join-button:not([disabled])').waitFor({ timeout: 15000 });
		return peer;
	}

	constructor(name, room, context, page) {
		this.name = name;
		this.room = room;
		this.context = context;
		this.page = page;
		this.log = [];
		page.on('console', (m) => this.log.push(`[${m.type()}] ${m.text()}`));
		page.on('pageerror', (e) => this.log.push(`[pageerror] ${e.message}`));
	}

	async join({ pin } = {}) {
		await this.page.fill('#display-input', this.name);
		if (pin !== undefined) await this.page.fill('#pin-input', pin);
		await this.page.click('#join-button');
	}

	/** Wait until the status line matches `re`. */
	async status(re, timeout = 20000) {
		try {
			await this.page.locator('#status', { hasText: re }).waitFor({ state: 'visible', timeout });
		} catch (e) {
			throw new Error(`${this.name}: status never matched ${re}; it says "${await this.text('#status')}"`
				+ ` (call error: "${await this.text('#call-error')}", join error: "${await this.text('#join-error')}",`
				+ ` PeerConnection: ${await this.pcState()})`);
		}
	}

	/** Wait until the element `selector` shows text matching `re`. */
	async sees(selector, re, timeout = 20000) {
		try {
			await this.page.locator(selector, { hasText: re }).first().waitFor({ state: 'visible', timeout });
		} catch (e) {
			throw new Error(`${this.name}: ${selector} never showed ${re}; it says "${await this.text(selector)}"`);
		}
	}

	/** "signaling/ICE/connection" states of the page's PeerConnection, for failure messages. */
	async pcState() {
		return this.page.evaluate(() => {
			const pc = window.__duetTest && window.__duetTest.pc();
			return pc ? `${pc.signalingState}/${pc.iceConnectionState}/${pc.connectionState}` : 'none';
		}).catch(() => 'unknown');
	}

	async text(selector) {
		return (await this.page.locator(selector).first().textContent({ timeout: 2000 }).catch(() => '')) || '';
	}

	async click(selector) { await this.page.click(selector); }

	/** Counters of what this peer receives: decoded video frames, audio packets, video size. */
	async counters() {
		return this.page.evaluate(async () => {
			const pc = window.__duetTest && window.__duetTest.pc();
			if (!pc) return { frames: 0, audio: 0, width: 0, height: 0, pc: false };
			const report = await pc.getStats();
			const c = { frames: 0, audio: 0, width: 0, height: 0, pc: true };
			report.forEach((s) => {
				if (s.type === 'inbound-rtp' && s.kind === 'video') {
					c.frames += s.framesDecoded || 0;
					c.width = s.frameWidth || c.width;
					c.height = s.frameHeight || c.height;
				}
				if (s.type === 'inbound-rtp' && s.kind === 'audio') c.audio += s.packetsReceived || 0;
			});
			return c;
		});
	}

	/**
	 * Wait until `kind` ('frames' or 'audio') grows by `by` from now on,
	 * twice in a row (so it keeps flowing, not just a burst).
	 */
	async expectFlowing(kind, { by = kind === 'frames' ? 15 : 40, timeout = 20000 } = {}) {
		const deadline = Date.now() + timeout;
		for (let round = 0; round < 2; round++) {
			let base = (await this.counters())[kind];
			for (;;) {
				const c = (await this.counters())[kind];
				if (c < base) base = c;            // a new PeerConnection starts from 0
				if (c >= base + by) break;
				if (Date.now() > deadline) {
					throw new Error(`${this.name}: ${kind} not flowing (stuck at ${c}, wanted +${by} over ${base}); status "${await this.text('#status')}"`);
				}
				await this.page.waitForTimeout(100);
			}
		}
	}

	/** Wait until `kind` stops growing: no change at all during `quiet` ms. */
	async expectStopped(kind, { quiet = 2000, timeout = 15000 } = {}) {
		const deadline = Date.now() + timeout;
		let last = (await this.counters())[kind];
		let since = Date.now();
		for (;;) {
			await this.page.waitForTimeout(100);
			const c = (await this.counters())[kind];
			if (c !== last) { last = c; since = Date.now(); }
			else if (Date.now() - since >= quiet) return;
			if (Date.now() > deadline) throw new Error(`${this.name}: ${kind} kept flowing (now ${c})`);
		}
	}

	async timings() { return this.page.evaluate(() => window.__duetTest.timings()); }

	async screenshot(name) {
		const dir = path.join(OUT, 'screenshots');
		fs.mkdirSync(dir, { recursive: true });
		const file = path.join(dir, `${name}.png`);
		await this.page.screenshot({ path: file });
		return file;
	}

	async close() {
		const dir = path.join(OUT, 'logs');
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, `${this.room}-${this.name}.log`), this.log.join('\n') + '\n');
		await this.context.close().catch(() => {});
	}
}

/**
 * An end-to-end test: `fn(open)` gets `open(name, room, opts)` to open
 * peers; they are closed afterwards, and screenshotted first when the test
 * failed (under <out>/screenshots/failed-*).
 */
let afterRegistered = false;

export function e2e(name, fn, { timeout = 120000 } = {}) {
	if (!afterRegistered) {
		// Drop the CDP connection when the file is done (Chromium keeps running).
		after(() => disconnect());
		afterRegistered = true;
	}
	test(name, { timeout }, async () => {
		const peers = [];
		const open = async (peerName, room, opts) => {
			const p = await Peer.open(peerName, room, opts);
			peers.push(p);
			return p;
		};
		try {
			await fn(open);
		} catch (err) {
			for (const p of peers) await p.screenshot(`failed-${safe(name)}-${p.name}`).catch(() => {});
			throw err;
		} finally {
			for (const p of peers) await p.close();
		}
	});
}

function safe(s) { return String(s).replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60); }

/** A joins and waits alone, B joins; both end up in a call with each other. */
export async function startCall(a, b, { pin } = {}) {
	await a.join({ pin });
	await a.status(/Waiting for someone to join room/);
	await b.join({ pin });
	await Promise.all([a.status(new RegExp(`In call with ${b.name}`)), b.status(new RegExp(`In call with ${a.name}`))]);
}

/** Both peers receive video and audio. */
export async function expectMedia(...peers) {
	await Promise.all(peers.flatMap((p) => [p.expectFlowing('frames'), p.expectFlowing('audio')]));
}

/**
 * Call setup time: from the second peer's join request to the first remote
 * video frame presented on both sides (requestVideoFrameCallback), in ms.
 */
export async function setupTime(first, second, timeout = 20000) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const [ta, tb] = await Promise.all([first.timings(), second.timings()]);
		if (ta.firstRemoteFrameAt && tb.firstRemoteFrameAt) {
			return Math.max(ta.firstRemoteFrameAt, tb.firstRemoteFrameAt) - tb.joinSentAt;
		}
		if (Date.now() > deadline) throw new Error('no first remote frame on both sides');
		await first.page.waitForTimeout(50);
	}
}

/** A request to the Admin API (tests/e2e/inside.sh's Janus: admin_secret duetadmin). */
export async function admin(body, path = '') {
	const res = await fetch(`http://127.0.0.1:7088/admin${path}`, {
		method: 'POST',
		body: JSON.stringify({ ...body, admin_secret: 'duetadmin', transaction: `hi-${Date.now()}-${Math.random()}` }),
	});
	return res.json();
}

/** The plugin-specific handle info of every Duet handle in `room`, by display name. */
export async function handlesIn(room) {
	const found = [];
	for (const session of (await admin({ janus: 'list_sessions' })).sessions) {
		for (const handle of (await admin({ janus: 'list_handles' }, `/${session}`)).handles) {
			const info = (await admin({ janus: 'handle_info' }, `/${session}/${handle}`)).info;
			if (info && info.plugin === 'janus.plugin.duet' && info.plugin_specific.room === room)
				found.push(info.plugin_specific);
		}
	}
	return found.sort((x, y) => x.display.localeCompare(y.display));
}

export { assert };
