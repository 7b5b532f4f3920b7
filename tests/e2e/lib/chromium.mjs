// A Chromium process of its own, as a given Unix user, for the tests and
// benchmarks that shape one participant's link (tests/lib/shape.sh shapes
// by socket owner, so the shaped browser must be a process of the shaped
// user; the shared Chromium of tests/e2e/inside.sh runs as root, like
// Janus). Same flags as inside.sh's (tests/e2e/chromium.flags), plus a
// video clip for the fake camera: Chromium's own fake camera compresses too
// well to need a real bitrate, so a shaped link would not be tested.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const FLAGS_FILE = path.join(here, '..', 'chromium.flags');

/** The flags of tests/e2e/chromium.flags. */
function flags() {
	return fs.readFileSync(FLAGS_FILE, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/**
 * A 640x480 30 fps y4m clip with detail and motion (ffmpeg's testsrc2 with
 * temporal noise, 10 s; Chromium loops it), made once at `file`.
 */
export function ensureClip(file = '/tmp/duet-clip-640x480-30.y4m') {
	if (fs.existsSync(file) && fs.statSync(file).size > 100e6) return file;
	const tmp = `${file}.${process.pid}.tmp`;
	execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=30',
		'-vf', 'noise=alls=10:allf=t', '-t', '10', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', tmp]);
	fs.chmodSync(tmp, 0o644);
	fs.renameSync(tmp, file);
	return file;
}

function uidGid(user) {
	const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
	const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
	return { uid, gid };
}

/** The pids whose process group is `pgid` (from /proc/PID/stat). */
function groupMembers(pgid) {
	const pids = [];
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
		} catch {
			continue; // exited while we looked
		}
		// Fields after the command (which may hold spaces) in parentheses:
		// state, ppid, pgrp.
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(rest[2]) === pgid && rest[0] !== 'Z') pids.push(Number(name));
	}
	return pids;
}

function signalGroup(pgid, signal) {
	try {
		process.kill(-pgid, signal);
	} catch {
		// ESRCH: the group is already empty
	}
}

/**
 * SIGTERM the process group `pgid`, SIGKILL it after 5 s, and return once
 * no live process is left in it.
 */
async function killGroup(pgid) {
	signalGroup(pgid, 'SIGTERM');
	const killAt = Date.now() + 5000;
	let killed = false;
	while (groupMembers(pgid).length) {
		if (!killed && Date.now() > killAt) {
			signalGroup(pgid, 'SIGKILL');
			killed = true;
		}
		await new Promise((r) => setTimeout(r, 50));
	}
}

/**
 * Start /usr/bin/chromium as `user` (root if not given) with a fresh
 * profile it owns, the fake camera playing `video` (a y4m file) if given,
 * and attach over CDP. Returns { browser, pid, close() }; its output goes
 * to `log`.
 */
export async function launchChromium({ user = null, video = null, log = null, extraArgs = [] } = {}) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), `duet-chromium-${user || 'root'}-`));
	const args = [...flags(), `--user-data-dir=${profile}`, ...extraArgs];
	if (video) args.push(`--use-file-for-fake-video-capture=${video}`);
	args.push('about:blank');
	let cmd = '/usr/bin/chromium';
	let argv = args;
	if (user) {
		const { uid, gid } = uidGid(user);
		fs.chownSync(profile, uid, gid);
		// setpriv execs Chromium itself: the pid we get is Chromium's.
		cmd = 'setpriv';
		argv = [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', 'env', `HOME=${profile}`,
			'/usr/bin/chromium', ...args];
	}
	const out = log ? fs.openSync(log, 'a') : 'ignore';
	// A process group of its own: Chromium's zygote, renderers and GPU process
	// are its children, and they keep writing the profile after the browser
	// process dies. Killing the group and waiting until it is empty is what
	// makes removing the profile safe.
	const child = spawn(cmd, argv, { stdio: ['ignore', out, out], detached: true });
	let exited = false;
	child.on('exit', () => { exited = true; });
	const stop = async () => {
		await killGroup(child.pid);
		fs.rmSync(profile, { recursive: true, force: true });
	};
	const portFile = path.join(profile, 'DevToolsActivePort');
	const deadline = Date.now() + 15000;
	let port = null;
	while (!port) {
		if (fs.existsSync(portFile)) port = fs.readFileSync(portFile, 'utf8').split('\n')[0].trim() || null;
		if (port) break;
		if (exited || Date.now() > deadline) {
			await stop();
			throw new Error(`Chromium as ${user || 'root'} did not start${log ? ` (see ${log})` : ''}`);
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
	const close = async () => {
		await browser.close().catch(() => {});
		await stop();
	};
	return { browser, pid: child.pid, close };
}
