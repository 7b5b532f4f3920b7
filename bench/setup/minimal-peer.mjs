// One participant of the call setup benchmark on bench/setup/minimal.html
// (VideoCall or Duet), in its own browser context of the shared Chromium,
// like tests/e2e/lib/duet.mjs's Peer on the Duet demo page. It offers what
// setupTime() of tests/e2e/lib/duet.mjs reads: timings() and page.
import fs from 'node:fs';
import path from 'node:path';
import { browser, BASE_URL, OUT } from '../../tests/e2e/lib/duet.mjs';

export class MinimalPeer {
	/**
	 * Open the page for `plugin` ('videocall' or 'duet') and wait until it is
	 * attached; in the shared Chromium, or in `options.browser` (another
	 * Chromium process, e.g. bench/network's shaped one); `options.query`
	 * is added to the page's address (e.g. '&simulcast=1').
	 */
	static async open(name, plugin, options = {}) {
		const b = options.browser || await browser();
		// The viewport of the Duet demo page's peers.
		const context = await b.newContext({ viewport: { width: 1280, height: 860 } });
		const page = await context.newPage();
		const peer = new MinimalPeer(name, plugin, context, page);
		await page.goto(`${BASE_URL}/bench/setup/minimal.html?plugin=${plugin}${options.query || ''}`);
		try {
			await page.locator('#enter-button:not([disabled])').waitFor({ timeout: 15000 });
		} catch (e) {
			// Say why: e.g. "attach: ... No such plugin" when Janus lacks VideoCall.
			throw new Error(`${name}: the page never got ready; it says "${await peer.status()}"`);
		}
		return peer;
	}

	constructor(name, plugin, context, page) {
		this.name = name;
		this.plugin = plugin;
		this.context = context;
		this.page = page;
		this.log = [];
		page.on('console', (m) => this.log.push(`[${m.type()}] ${m.text()}`));
		page.on('pageerror', (e) => this.log.push(`[pageerror] ${e.message}`));
	}

	/**
	 * Register (VideoCall) or join (Duet) as this.name. `target` is, for
	 * VideoCall, whom to call once registered ('' = wait for a call); for
	 * Duet, the room.
	 */
	async enter(target = '') {
		await this.page.fill('#name-input', this.name);
		await this.page.fill('#target-input', target);
		await this.page.click('#enter-button');
	}

	/** Wait until the page reaches `state` (see minimal.js: waiting, in-call, ...). */
	async state(wanted, timeout = 20000) {
		try {
			await this.page.waitForFunction((s) => window.vcbench.state() === s, wanted, { timeout });
		} catch (e) {
			throw new Error(`${this.name}: never reached ${wanted}; the page says "${await this.status()}"`);
		}
	}

	/** The page's status line. */
	async status() { return (await this.page.locator('#status').textContent().catch(() => '')) || ''; }

	async timings() { return this.page.evaluate(() => window.vcbench.timings()); }

	async close() {
		const dir = path.join(OUT, 'logs');
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, `${this.plugin}-${this.name}.log`), this.log.join('\n') + '\n');
		await this.context.close().catch(() => {});
	}
}
