// A janode handle for janus.plugin.duet, the way janode's own plugin
// modules (videoroom, audiobridge, ...) are written: every answer closes the
// transaction of its own request (sync: the success response; async: the
// event carrying the transaction), errors reject with the contract's code,
// and pushed events are emitted as 'duet_<name>' (e.g. 'duet_kicked').
import JanodeHandle from 'janode/handle';

export const PLUGIN_ID = 'janus.plugin.duet';

export class DuetError extends Error {
	constructor(code, message) {
		super(`${code} ${message}`);
		this.name = 'DuetError';
		this.code = code;
	}
}

export class DuetHandle extends JanodeHandle {
	handleMessage(message) {
		const { plugindata, transaction } = message;
		if (!plugindata || plugindata.plugin !== PLUGIN_ID || !plugindata.data) return null;
		const data = plugindata.data;
		if (transaction && this.ownsTransaction(transaction)) {
			if (data.error_code) this.closeTransactionWithError(transaction, new DuetError(data.error_code, data.error));
			else this.closeTransactionWithSuccess(transaction, data);
			return data;
		}
		this.emit(`duet_${data.duet}`, data);
		this.emit('duet_event', data);
		return data;
	}

	/** A request of the plugin (sync or async); resolves with its answer's body. */
	async request(body) {
		const answer = await this.message(body);
		// A sync answer arrives as the whole Janus response; an async one as the event's data.
		return answer && answer.plugindata ? answer.plugindata.data : answer;
	}
}
