/*
 * Duet demo page: the UI. Reads the room from the URL, drives one DuetCall
 * of the duet-client library (client/) from the buttons and renders what it
 * reports. The call flow (join, who offers, answers, glare, taking a seat
 * back, reconnecting) is the library's; this file only shows it.
 *
 * Configuration: ../config.js (Janus endpoints, ICE servers, which janus.js),
 * overridden by URL parameters:
 *   room=<id>        the room to join (a random one, with an invite link, when absent)
 *   janus=<url>      a Janus server URL (repeatable; tried in order)
 *   fleet=<url>      a fleet behind HAProxy (scripts/fleet-config.sh, docs/deployment.md),
 *                    e.g. http://localhost:8000: the room goes into the endpoints
 *                    (ws://…/room/<id>, http://…/room/<id>/janus) so that both
 *                    participants land on the instance that owns the room
 *   ice=<url>        a STUN/TURN server URL (repeatable; iceuser= / icepass= for TURN)
 *   janusjs=npm      the npm janus-gateway build bundled in duet-client (dist/duet-client.js)
 *   janusjs=debian   Debian's /javascript/janus-gateway/janus.js, loaded as a script
 *   simulcast=1      send the camera as three simulcast layers
 *   debug=1          janus.js console logging
 */
import config from '../config.js';
import { CallStats, describe as describeFigures } from './duet-stats.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const lib = await loadLibrary(params.get('janusjs') || config.janusjs || 'npm');
const { DuetCall, ErrorCode, SEAT_KEY, defaultServers } = lib.module;

/** duet-client with the janus.js asked for: npm's (bundled) or Debian's script-tag one. */
async function loadLibrary(flavour) {
	if (flavour === 'debian') {
		for (const src of config.debianScripts) await loadScript(src);
		return { flavour, module: await import(config.library.core), Janus: window.Janus, adapter: window.adapter };
	}
	return { flavour: 'npm', module: await import(config.library.bundle) };
}

function loadScript(src) {
	return new Promise((resolve, reject) => {
		const s = document.createElement('script');
		s.src = src;
		s.onload = resolve;
		s.onerror = () => reject(new Error(`could not load ${src}`));
		document.head.append(s);
	});
}

const ROOM_RE = /^[A-Za-z0-9_-]{1,64}$/;

// Readable text for every error code of the contract; the server's own
// wording is appended for detail. `ctx` is the request that failed.
const ERROR_TEXT = {
	450: () => 'The server received an empty request.',
	451: () => 'The server could not read the request.',
	452: () => 'The server does not know this request — is the Duet plugin up to date?',
	453: () => 'A required field was missing from the request.',
	454: (ctx) => ctx === 'join'
		? 'That room name is not valid: use 1–64 letters, digits, “-” or “_”.'
		: ctx === 'message' ? 'That message cannot be sent (too long?).' : 'A value in the request was not valid.',
	455: (ctx, room) => `Room ${room} does not exist, and this server does not create rooms on join.`,
	456: (ctx, room) => `Room ${room} already exists.`,
	457: (ctx, room) => `Room ${room} is full — two people are already in it. Pick another room.`,
	458: (ctx) => ctx === 'join'
		? 'Wrong PIN — this room needs the right PIN (or an invitation token) to join.'
		: 'Not authorized to do that.',
	459: () => 'You are already in this room (maybe in another tab).',
	460: () => 'You are not in a room any more — join again.',
	461: (ctx) => ctx === 'message'
		? 'Nobody to send it to yet: you are alone in the room.'
		: 'Nobody else is in the room yet.',
	462: () => 'The call setup carried no session description.',
	463: () => 'The server rejected this browser\'s session description.',
	464: () => 'The call is in the wrong state for that (both sides may have acted at once) — try again.',
	465: () => 'There is no such participant in the room.',
	466: () => 'The server has reached its limit of rooms — try again later.',
	499: () => 'The server hit an unexpected error.',
};

const ui = {
	call: null,
	room: null,
	stats: null,
	statsTimer: null,
	busy: false,
	switchingScreen: false,
	remoteFlow: null,     // when the peer's video/audio last moved (see trackRemoteFlow)
};

/* ---------------------------------------------------------------- */
/* Start-up                                                          */
/* ---------------------------------------------------------------- */

function init() {
	resetRemoteFlow();
	const params = new URLSearchParams(location.search);
	ui.room = params.get('room') || randomRoom();
	if (!params.get('room')) setUrlRoom(ui.room);   // so reload and the invite link keep it
	$('room-input').value = ui.room;
	$('display-input').value = localStorage.getItem('duet.display') || '';
	if (params.get('room')) {
		$('join-title').textContent = `Join room ${ui.room}`;
		$('join-hint').textContent = 'You were invited to a call. Enter your name and join.';
	}

	ui.call = new DuetCall(callOptions());
	bindCallEvents(ui.call);
	bindControls();
	connect();
}

/** The call's options: config.js, then the URL. */
function callOptions() {
	const servers = params.get('fleet') ? fleetServers(params.get('fleet'), ui.room) : params.getAll('janus');
	const ice = params.getAll('ice');
	const iceServers = ice.length
		? [{ urls: ice, username: params.get('iceuser') || undefined, credential: params.get('icepass') || undefined }]
		: (config.iceServers || []);
	const simulcast = params.has('simulcast') ? params.get('simulcast') === '1' : !!config.simulcast;
	$('simulcast-input').checked = simulcast;
	return {
		server: servers.length ? servers : (config.servers || defaultServers(location)),
		iceServers,
		simulcast,
		Janus: lib.Janus,
		adapter: lib.adapter,
		debug: params.get('debug') === '1',
	};
}

async function connect() {
	try {
		await ui.call.open();
	} catch (err) {
		return;   // the "failed" state already shows it
	}
	setServerState('connected', 'connected');
	$('server-state').dataset.server = ui.call.server;
	$('server-state').dataset.janusjs = lib.flavour;
	$('server-state').title = `${ui.call.server} (janus.js: ${lib.flavour})`;
	$('join-button').disabled = false;
	// A reload while in a room: the library takes the seat back with the saved token.
	const seat = savedSeat();
	if (seat && seat.room === ui.room) join({ rejoin: true, display: seat.display });
}

function savedSeat() {
	try { return JSON.parse(sessionStorage.getItem(SEAT_KEY)); } catch (e) { return null; }
}

function randomRoom() {
	const bytes = crypto.getRandomValues(new Uint8Array(6));
	return Array.from(bytes, (b) => 'abcdefghijkmnpqrstuvwxyz23456789'[b % 32]).join('');
}

/** A room's endpoints in a fleet: HAProxy hashes /room/<id> to an instance and strips it. */
function fleetServers(base, room) {
	const url = new URL(base);
	const ws = `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}/room/${room}`;
	return [ws, `${url.protocol}//${url.host}/room/${room}/janus`];
}

function setUrlRoom(room) {
	const url = new URL(location.href);
	url.searchParams.set('room', room);
	history.replaceState(null, '', url);
}

function inviteLink(room) {
	const url = new URL(location.href);
	url.search = '';
	url.hash = '';
	url.searchParams.set('room', room);
	if (params.get('fleet')) url.searchParams.set('fleet', params.get('fleet'));
	return url.toString();
}

/* ---------------------------------------------------------------- */
/* Joining                                                           */
/* ---------------------------------------------------------------- */

async function join(opts) {
	opts = opts || {};
	const room = $('room-input').value.trim();
	const display = opts.rejoin ? (opts.display || '') : $('display-input').value.trim();
	const pin = $('pin-input').value;
	hide('join-error');
	if (!ROOM_RE.test(room)) {
		showJoinError('A room name is 1–64 letters, digits, “-” or “_”.');
		return;
	}
	if (room !== ui.room && params.get('fleet')) {
		setUrlRoom(room);   // another room may live on another instance: connect there
		location.reload();
		return;
	}
	if (room !== ui.room) { ui.room = room; setUrlRoom(room); }
	localStorage.setItem('duet.display', display);
	$('join-button').disabled = true;
	$('join-button').textContent = 'Joining…';
	try {
		await ui.call.join({ room, display, pin });
	} catch (err) {
		if (opts.rejoin) sessionStorage.removeItem(SEAT_KEY);
		showJoinError(describeError(err, 'join', room));
	} finally {
		$('join-button').disabled = false;
		$('join-button').textContent = 'Join room';
	}
}

function showJoinError(text) {
	show('join-panel');
	hide('call-panel');
	$('join-error').textContent = text;
	show('join-error');
}

/* ---------------------------------------------------------------- */
/* Rendering the call state                                          */
/* ---------------------------------------------------------------- */

function bindCallEvents(call) {
	call.on('state', render);
	call.on('localStream', onLocalStream);
	call.on('remoteStream', onRemoteStream);
	call.on('message', addChat);
	call.on('muted', renderMuted);
	call.on('screen', renderScreen);
	call.on('glare', () => showCallNotice('Both of you started the call at once — answering the other side.'));
	call.on('error', (err) => showCallError(describeError(err, err.request, ui.room)));
}

function nameOf(p) { return (p && p.display) || 'Your guest'; }

/** The one status line for each state (see DuetCall for the states). */
function statusText(state, info, call) {
	const room = call.room || ui.room;
	const peer = nameOf(call.peer);
	switch (state) {
	case 'joining': return `Joining room ${room}…`;
	case 'waiting': {
		const wait = `waiting for someone to join room ${room} — share this link`;
		if (!info.left) return wait.charAt(0).toUpperCase() + wait.slice(1);
		const who = nameOf(info.left);
		const why = {
			timeout: `${who}'s connection did not come back`,
			kicked: `${who} was removed from the room`,
			disconnected: `${who}'s connection dropped`,
		}[info.reason] || `${who} left`;
		return `${why} — ${wait}`;
	}
	case 'paired': return info.reconnected ? `${peer} is back — connecting…` : `${peer} joined — connecting…`;
	case 'calling': return `Connecting to ${peer}…`;
	case 'in-call': return `In call with ${peer}`;
	case 'ended':
		if (info.by === 'me') return 'Call ended — you hung up. Press “Call again” when ready.';
		if (info.reason === 'hangup') return `Call ended — ${peer} hung up. Press “Call again” when ready.`;
		return `Call ended — the connection with ${peer} closed. Press “Call again” to reconnect.`;
	case 'reconnecting': return 'Lost the server — taking the seat back…';
	case 'peer-dropped': {
		const secs = info.window ? ` for ${info.window} s` : '';
		return `${peer}'s connection dropped — holding the seat${secs}`;
	}
	default: return '';
	}
}

function render(state, info) {
	const call = ui.call;
	$('app').dataset.state = state;
	if (['left', 'kicked', 'destroyed', 'ready', 'connecting'].includes(state)) return renderOutside(state, info);
	if (['replaced', 'failed'].includes(state)) return renderFatal(state, info);

	hide('join-panel');
	show('call-panel');
	if (state !== 'calling') hide('call-error');
	$('status').textContent = statusText(state, info, call);
	$('status-dot').dataset.state = state;
	$('local-name').textContent = call.display ? `${call.display} (you)` : 'You';
	$('remote-name').textContent = call.peer ? nameOf(call.peer) : 'Nobody yet';

	const alone = state === 'waiting' || state === 'joining';
	toggle('invite', alone);
	if (alone && call.room) $('invite-link').value = inviteLink(call.room);

	const live = state === 'calling' || state === 'in-call';
	toggle('hangup-button', live || state === 'paired');
	$('hangup-button').disabled = !live;
	toggle('call-button', state === 'ended');
	$('screen-button').disabled = state !== 'in-call' || !canShareScreen();
	toggle('ice-restart-button', state === 'in-call');   // only meaningful with media up
	$('chat-input').disabled = $('chat-send').disabled = !call.peer || state === 'peer-dropped';
	$('mute-button').disabled = $('camera-button').disabled = state === 'joining';

	renderRemoteOverlay();
	if (live) startStats(); else stopStats();
}

/** Back at the join form: after leaving, being kicked, the room closing. */
function renderOutside(state, info) {
	stopStats();
	hide('call-panel');
	show('join-panel');
	$('join-button').disabled = state === 'connecting';
	if (state === 'left') {
		$('join-title').textContent = `You left room ${info.room}`;
		$('join-hint').textContent = 'Join again, or pick another room.';
	} else if (state === 'kicked') {
		showJoinError(`You were removed from room ${info.room}.`);
	} else if (state === 'destroyed') {
		showJoinError(`Room ${info.room} was closed by its owner.`);
	}
	$('chat-log').replaceChildren();
}

function renderFatal(state, info) {
	stopStats();
	hide('join-panel');
	hide('call-panel');
	show('fatal-panel');
	if (state === 'replaced') {
		$('fatal-title').textContent = 'The call moved';
		$('fatal-message').textContent = 'This seat was taken over by another tab or window — the call continues there.';
		setServerState('idle', 'not in a room');
		return;
	}
	const err = info.error;
	const noPlugin = err && /\b460\b|No such plugin/i.test(String(err.message));
	$('fatal-title').textContent = noPlugin ? 'Duet is not installed on this server'
		: info.lost || info.detached ? 'Lost the server' : 'Cannot reach the server';
	$('reload-button').textContent = 'Try again';
	$('fatal-message').textContent = info.detached
		? 'The Janus server closed this connection.'
		: describeError(err, 'connect', ui.room);
	setServerState('down', 'disconnected');
}

/** `muted`: {audio, video}, what the library stopped sending (here and at the server). */
function renderMuted(muted) {
	const relay = { audio: !muted.audio, video: !muted.video };
	setPressed('mute-button', !relay.audio, relay.audio ? 'Mute' : 'Unmute', 'mute-label');
	setPressed('camera-button', !relay.video, relay.video ? 'Camera off' : 'Camera on', 'camera-label');
	$('mute-button').title = relay.audio ? 'Mute microphone' : 'Unmute microphone';
	$('camera-button').title = relay.video ? 'Turn camera off' : 'Turn camera on';
	const off = [];
	if (!relay.video) off.push('camera off');
	if (!relay.audio) off.push('muted');
	$('local-overlay').textContent = off.length ? `You: ${off.join(', ')}` : '';
	toggle('local-overlay', off.length > 0);
	$('local-tile').classList.toggle('video-off', !relay.video);
}

function renderScreen(on) {
	setPressed('screen-button', on, on ? 'Stop sharing' : 'Share screen', 'screen-label');
	$('local-tile').classList.toggle('screen', on);
}

function renderRemoteOverlay() {
	const state = ui.call.state;
	const hasVideo = ui.call.remoteStream.getVideoTracks().length > 0;
	let text = '';
	if (state === 'waiting' || state === 'joining') text = 'Nobody here yet';
	else if (state === 'ended') text = 'Call ended';
	else if (state === 'peer-dropped') text = 'Connection dropped…';
	else if (state === 'paired' || state === 'calling') text = 'Connecting…';
	else if (!hasVideo || ui.remoteFlow.videoPaused) text = `${nameOf(ui.call.peer)}'s video is paused`;
	$('remote-overlay').textContent = text;
	toggle('remote-overlay', text !== '');
	$('remote-tile').classList.toggle('video-paused', text !== '');
	toggle('remote-muted', state === 'in-call' && ui.remoteFlow.audioPaused);
}

/**
 * The peer turning camera or microphone off is not an event of the
 * plugin: its media just stops arriving. Notice that from the counters
 * (no new frame / audio packet for 2 s) and say so on the peer's tile.
 */
function trackRemoteFlow(fig) {
	const f = ui.remoteFlow;
	const t = Date.now();
	const frames = fig.in.video ? fig.in.video.framesDecoded : 0;
	const packets = fig.in.audio ? fig.in.audio.packets : 0;
	if (frames !== f.frames) { f.frames = frames; f.framesAt = t; }
	if (packets !== f.packets) { f.packets = packets; f.packetsAt = t; }
	f.videoPaused = t - f.framesAt > 2000;
	f.audioPaused = t - f.packetsAt > 2000;
}

function resetRemoteFlow() {
	const t = Date.now();
	ui.remoteFlow = { frames: 0, framesAt: t, packets: 0, packetsAt: t, videoPaused: false, audioPaused: false };
}

/* ---------------------------------------------------------------- */
/* Media elements                                                    */
/* ---------------------------------------------------------------- */

/** Our camera: the preview before a call, the call's own tracks during it. */
function onLocalStream(stream) {
	const tracks = stream.getVideoTracks();
	showVideo('local-video', tracks);
	// The browser's own "Stop sharing" ends the screen track: go back to the camera.
	const ended = tracks.length === 0 || tracks.every((t) => t.readyState === 'ended');
	if (ended && ui.call.screenSharing && !ui.switchingScreen && ui.call.state === 'in-call') toggleScreen();
}

/**
 * Show these video tracks in the element `id`, unless it shows just these
 * already: the call hands over the very camera track the preview shows,
 * and a new srcObject would restart the element's player for nothing, a
 * cost the page pays in the middle of the call setup.
 */
function showVideo(id, tracks) {
	const video = $(id);
	const shown = video.srcObject ? video.srcObject.getVideoTracks() : [];
	if (shown.length === tracks.length && shown.every((t, i) => t === tracks[i])) return;
	video.srcObject = tracks.length ? new MediaStream(tracks) : null;
}

function onRemoteStream(stream) {
	const tracks = stream.getTracks();
	// A new MediaStream object makes the element pick up added/removed tracks reliably.
	$('remote-video').srcObject = tracks.length ? new MediaStream(tracks) : null;
	if (!tracks.length) {
		$('remote-stats').textContent = '';
		$('local-stats').textContent = '';
		ui.stats = null;
	}
	renderRemoteOverlay();
}

/* ---------------------------------------------------------------- */
/* Live figures                                                      */
/* ---------------------------------------------------------------- */

function startStats() {
	if (ui.statsTimer) return;
	ui.statsTimer = setInterval(updateStats, 1000);
}

function stopStats() {
	clearInterval(ui.statsTimer);
	ui.statsTimer = null;
}

async function updateStats() {
	const pc = ui.call.peerConnection;
	if (!pc) return;
	if (!ui.stats || ui.stats.pc !== pc) { ui.stats = new CallStats(pc); resetRemoteFlow(); }
	let fig;
	try { fig = await ui.stats.sample(); } catch (e) { return; }
	trackRemoteFlow(fig);
	renderRemoteOverlay();
	const rtt = typeof fig.rttMs === 'number' ? ` · RTT ${Math.round(fig.rttMs)} ms` : '';
	$('remote-stats').textContent = describeFigures(fig.in.video, fig.in.kbps) + rtt;
	$('local-stats').textContent = describeFigures(fig.out.video, fig.out.kbps);
}

/* ---------------------------------------------------------------- */
/* Controls                                                          */
/* ---------------------------------------------------------------- */

function bindControls() {
	$('join-form').addEventListener('submit', (e) => { e.preventDefault(); join(); });
	$('mute-button').addEventListener('click', () => run('mute-button', () => (ui.call.muted.audio ? ui.call.unmute('audio') : ui.call.mute('audio'))));
	$('camera-button').addEventListener('click', () => run('camera-button', () => (ui.call.muted.video ? ui.call.unmute('video') : ui.call.mute('video'))));
	$('screen-button').addEventListener('click', toggleScreen);
	$('hangup-button').addEventListener('click', () => run('hangup-button', () => ui.call.hangup()));
	$('call-button').addEventListener('click', () => run('call-button', () => ui.call.call()));
	$('leave-button').addEventListener('click', () => run('leave-button', () => ui.call.leave()));
	$('ice-restart-button').addEventListener('click', () => run('ice-restart-button', () => ui.call.restartIce()));
	$('copy-link-button').addEventListener('click', copyInvite);
	$('chat-form').addEventListener('submit', sendChat);
	$('simulcast-input').addEventListener('change', (e) => { ui.call.simulcast = e.target.checked; });
	$('reload-button').addEventListener('click', () => location.reload());
	$('call-error').addEventListener('click', () => hide('call-error'));
	if (!canShareScreen()) $('screen-button').title = 'This browser cannot share its screen';
}

/** Run a control's action with the button disabled; show any error. */
async function run(buttonId, action) {
	const button = $(buttonId);
	button.disabled = true;
	try {
		await action();
	} catch (err) {
		showCallError(describeError(err, err && err.request, ui.room));
	} finally {
		button.disabled = false;
		render(ui.call.state, ui.call.info);
	}
}

function canShareScreen() {
	return !!(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
}

async function toggleScreen() {
	ui.switchingScreen = true;
	try {
		await run('screen-button', () => ui.call.shareScreen(!ui.call.screenSharing));
	} finally {
		ui.switchingScreen = false;
	}
}

async function copyInvite() {
	const link = $('invite-link').value;
	try {
		await navigator.clipboard.writeText(link);
	} catch (e) {
		// No clipboard permission (e.g. plain http on another host): select it instead.
		$('invite-link').select();
		document.execCommand('copy');
	}
	const b = $('copy-link-button');
	b.textContent = 'Copied!';
	setTimeout(() => { b.textContent = 'Copy invite link'; }, 1500);
}

async function sendChat(e) {
	e.preventDefault();
	const input = $('chat-input');
	const text = input.value.trim();
	if (!text) return;
	try {
		await ui.call.send(text);
		input.value = '';
	} catch (err) {
		showCallError(describeError(err, 'message', ui.room));
	}
	input.focus();
}

function addChat({ from, text, at }) {
	const li = document.createElement('li');
	li.className = `msg ${from}`;
	li.dataset.from = from;
	li.dataset.testid = 'chat-message';
	const who = document.createElement('span');
	who.className = 'who';
	who.textContent = from === 'me' ? 'You' : nameOf(ui.call.peer);
	const body = document.createElement('span');
	body.className = 'text';
	body.textContent = text;   // never innerHTML: the text comes from the other side
	const time = document.createElement('time');
	time.textContent = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
	li.append(who, body, time);
	$('chat-log').append(li);
	li.scrollIntoView({ block: 'nearest' });
}

/* ---------------------------------------------------------------- */
/* Messages                                                          */
/* ---------------------------------------------------------------- */

function describeError(err, ctx, room) {
	if (!err) return 'Something went wrong.';
	if (err.name === 'NotAllowedError') return 'The browser was not allowed to use the camera, microphone or screen (permission denied or cancelled).';
	if (err.name === 'NotFoundError') return 'No camera or microphone was found.';
	if (err.name === 'NotReadableError') return 'The camera or microphone is busy in another program.';
	const code = err.code;
	if (err.source === 'duet' && ERROR_TEXT[code]) {
		// The server's own words add detail where ours are generic.
		const generic = [452, 453, 454, 463, 499].includes(code) && err.message;
		return ERROR_TEXT[code](ctx, room) + (generic ? ` (${err.message}, error ${code})` : ` (error ${code})`);
	}
	const text = String(err.message || err);
	if (/460|plugin not found|No such plugin/i.test(text)) {
		return 'The Janus server is up but has no Duet plugin (janus.plugin.duet is not loaded).';
	}
	if (/server is down|Lost connection|Error connecting/i.test(text)) {
		return `Could not talk to the Janus server (${text}). Is Janus running on ${location.hostname}, ports 8188 (WebSocket) / 8088 (HTTP)?`;
	}
	return text;
}

function showCallError(text) {
	$('call-error').textContent = text;
	$('call-error').classList.remove('notice');
	show('call-error');
}

function showCallNotice(text) {
	$('call-error').textContent = text;
	$('call-error').classList.add('notice');
	show('call-error');
}

/* ---------------------------------------------------------------- */
/* Small helpers                                                     */
/* ---------------------------------------------------------------- */

function show(id) { $(id).hidden = false; }
function hide(id) { $(id).hidden = true; }
function toggle(id, on) { $(id).hidden = !on; }

function setPressed(id, pressed, label, labelId) {
	$(id).setAttribute('aria-pressed', String(pressed));
	$(labelId).textContent = label;
}

function setServerState(state, text) {
	const el = $('server-state');
	el.dataset.state = state;
	el.textContent = text;
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
