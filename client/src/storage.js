/*
 * storage.js - where a page keeps its seat ({room, id, reconnect_token,
 * display}) so that a reload takes the seat back. Any object with
 * getItem/setItem/removeItem (the Web Storage interface, sync or async)
 * works; sessionStorage is the default (per tab: two tabs never fight over
 * one seat), and `null` keeps nothing.
 */
const KEY = 'duet.seat';

/** The default storage: sessionStorage when the page has one. */
export function defaultStorage() {
	try {
		return typeof sessionStorage === 'undefined' ? null : sessionStorage;
	} catch (e) {
		return null;   // storage disabled (e.g. sandboxed iframe)
	}
}

/** An in-memory storage, e.g. for tests or to share one seat between calls of a page. */
export function memoryStorage() {
	const map = new Map();
	return {
		getItem: (k) => (map.has(k) ? map.get(k) : null),
		setItem: (k, v) => { map.set(k, String(v)); },
		removeItem: (k) => { map.delete(k); },
	};
}

/** The seat of one DuetCall: in `storage` (for a reload) and in memory (for a transport drop). */
export class SeatStore {
	constructor(storage) {
		this.storage = storage;
		this.memory = null;
	}

	async load(room) {
		let seat = this.memory;
		if (this.storage) {
			try {
				seat = JSON.parse(await this.storage.getItem(KEY)) || seat;
			} catch (e) {
				// unreadable: keep the one in memory
			}
		}
		return seat && seat.room === room && seat.id && seat.reconnect_token ? seat : null;
	}

	async save(seat) {
		this.memory = seat;
		if (this.storage) await this.storage.setItem(KEY, JSON.stringify(seat));
	}

	async clear() {
		this.memory = null;
		if (this.storage) await this.storage.removeItem(KEY);
	}
}

export const SEAT_KEY = KEY;
