// The VideoCall side of the call setup benchmark: one participant on
// bench/setup/videocall.html, in its own browser context of the shared
// Chromium (like tests/e2e/lib/duet.mjs's Peer on the Duet page). It offers
// what setupTime() of tests/e2e/lib/duet.mjs reads: timings() and page.
import fs from 'node:fs';
import path from 'node:path';
import { browser, BASE_URL, OUT } from '../../tests/e2e/lib/duet.mjs';

export class VideoCallPeer {
	/** Open the page and wait until it is attached to the VideoCall plugin. */
	static async open(name) {
		const b = await browser();
		// The viewport of the Duet peers, so that both pages render alike.
		const context = await b.newContext({ viewport: { width: 1280, height: 860 } });
		const page = await context.newPage();
		const peer = new VideoCallPeer(name, context, page);
		await page.goto(`${BASE_URL}/bench/setup/videocall.html`);
		await page.locator('#register-button:not([disabled])').waitFor({ timeout: 15000 });
		return peer;
	}

	constructor(name, context, page) {
		this.name = name;
		this.context = context;
		this.page = page;
		this.log = [];
		page.on('console', (m) => this.log.push(`[${m.type()}] ${m.text()}`));
		page.on('pageerror', (e) => this.log.push(`[pageerror] ${e.message}`));
	}

	/** Register as this.name; with `callee`, call that user once registered. */
	async register(callee = '') {
		await this.page.fill('#name-input', this.name);
		await this.page.fill('#callee-input', callee);
		await this.page.click('#register-button');
	}

	/** Wait until the page reaches `state` (see videocall.js: waiting, in-call, ...). */
	async state(wanted, timeout = 20000) {
		try {
			await this.page.waitForFunction((s) => window.vcbench.state() === s, wanted, { timeout });
		} catch (e) {
			const status = await this.page.locator('#status').textContent().catch(() => '');
			throw new Error(`${this.name}: never reached ${wanted}; the page says "${status}"`);
		}
	}

	async timings() { return this.page.evaluate(() => window.vcbench.timings()); }

	async close() {
		const dir = path.join(OUT, 'logs');
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, `videocall-${this.name}.log`), this.log.join('\n') + '\n');
		await this.context.close().catch(() => {});
	}
}
