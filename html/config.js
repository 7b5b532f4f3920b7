/*
 * The demo page's configuration. Edit it when deploying the page; URL
 * parameters override it (see js/duet-ui.js).
 */
export default {
	// Janus endpoints, tried in order. null: next to the page
	// (ws://HOST:8188 then http://HOST:8088/janus; wss://HOST:8989 and
	// https://HOST:8089/janus when the page is on https).
	servers: null,

	// STUN/TURN servers (RTCIceServer objects) for browsers on restrictive
	// networks, e.g. [{ urls: 'turn:turn.example.org:3478', username: 'u', credential: 'p' }].
	// Media always goes to Janus; with Janus on a public address none is needed.
	iceServers: [],

	// 'npm': janus.js from the npm janus-gateway package, bundled in
	// duet-client's dist/duet-client.js (built by `npm run build -w client`).
	// 'debian': Debian's libjs-janus-gateway and libjs-webrtc-adapter scripts.
	janusjs: 'npm',

	// Send the camera as three simulcast layers (the checkbox on the page).
	simulcast: false,

	// Where the page finds the library and Debian's scripts.
	library: {
		bundle: '/duet-client/dist/duet-client.js',
		core: '/duet-client/src/core.js',
	},
	debianScripts: [
		'/javascript/webrtc-adapter/adapter.js',
		'/javascript/janus-gateway/janus.js',
	],
};
