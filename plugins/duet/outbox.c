/*
 * outbox.c - deferred actions of a request (see outbox.h).
 */
#include "outbox.h"

void duet_outbox_init(duet_outbox *outbox) {
	outbox->actions = g_array_new(FALSE, FALSE, sizeof(duet_action));
}

static duet_action *add(duet_outbox *outbox, const duet_host *host, duet_action_kind kind, duet_member *member,
    json_t *event, json_t *jsep) {
	if(member)
		host->ref(member);
	duet_action action = {kind, member, event, jsep, FALSE};
	g_array_append_val(outbox->actions, action);
	return &g_array_index(outbox->actions, duet_action, outbox->actions->len - 1);
}

void duet_outbox_event(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *event, json_t *jsep) {
	add(outbox, host, DUET_ACT_EVENT, member, event, jsep);
}

void duet_outbox_close(duet_outbox *outbox, const duet_host *host, duet_member *member) {
	/* The hangup callback that follows is ours, not the browser's. */
	gboolean expect_hangup = member->pc_active && !member->pc_closing;
	if(member->pc_active)
		member->pc_closing = TRUE;
	add(outbox, host, DUET_ACT_CLOSE_MEDIA, member, NULL, NULL)->expect_hangup = expect_hangup;
}

void duet_outbox_reset(duet_outbox *outbox, const duet_host *host, duet_member *member) {
	member->pc_closing = TRUE; /* the core may hold a PeerConnection we never saw */
	add(outbox, host, DUET_ACT_RESET_MEDIA, member, NULL, NULL);
}

void duet_outbox_bitrate(duet_outbox *outbox, const duet_host *host, duet_member *member) {
	add(outbox, host, DUET_ACT_BITRATE, member, NULL, NULL);
}

gboolean duet_outbox_notifies(const duet_host *host) {
	return host->events_enabled != NULL && host->events_enabled();
}

void duet_outbox_notify(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *info) {
	if(!duet_outbox_notifies(host)) {
		json_decref(info);
		return;
	}
	add(outbox, host, DUET_ACT_NOTIFY, member, info, NULL);
}

void duet_outbox_record(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *how) {
	add(outbox, host, DUET_ACT_RECORD, member, how, NULL);
}

void duet_outbox_keyframe(duet_outbox *outbox, const duet_host *host, duet_member *member) {
	if(host->keyframe)
		add(outbox, host, DUET_ACT_KEYFRAME, member, NULL, NULL);
}

static void perform(const duet_action *a, const duet_host *host) {
	switch(a->kind) {
	case DUET_ACT_EVENT:
		if(a->jsep)
			host->push_jsep(a->member, a->event, a->jsep);
		else
			host->push(a->member, NULL, a->event, NULL);
		break;
	case DUET_ACT_CLOSE_MEDIA:
		host->close_media(a->member, a->expect_hangup);
		break;
	case DUET_ACT_RESET_MEDIA:
		host->reset_media(a->member);
		break;
	case DUET_ACT_BITRATE:
		host->apply_bitrate(a->member);
		break;
	case DUET_ACT_NOTIFY:
		host->notify(a->member, a->event);
		break;
	case DUET_ACT_RECORD:
		host->record(a->member, a->event);
		break;
	case DUET_ACT_KEYFRAME:
		host->keyframe(a->member);
		break;
	}
}

static void release(duet_action *a, const duet_host *host) {
	json_decref(a->event);
	json_decref(a->jsep);
	if(a->member)
		host->unref(a->member);
}

void duet_outbox_flush(duet_outbox *outbox, const duet_host *host) {
	for(guint i = 0; i < outbox->actions->len; i++) {
		duet_action *a = &g_array_index(outbox->actions, duet_action, i);
		perform(a, host);
		release(a, host);
	}
	g_array_set_size(outbox->actions, 0);
}

void duet_outbox_free(duet_outbox *outbox, const duet_host *host) {
	for(guint i = 0; i < outbox->actions->len; i++)
		release(&g_array_index(outbox->actions, duet_action, i), host);
	g_array_free(outbox->actions, TRUE);
	outbox->actions = NULL;
}
