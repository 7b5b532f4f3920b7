/*
 * outbox.c - deferred actions of a request (see outbox.h).
 */
#include "outbox.h"

#include <string.h>

void duet_outbox_init(duet_outbox *outbox) {
	outbox->actions = g_array_new(FALSE, FALSE, sizeof(duet_action));
	outbox->touched = g_ptr_array_new();
	outbox->direct = g_array_new(FALSE, FALSE, sizeof(duet_action));
}

static duet_action *add(duet_outbox *outbox, const duet_host *host, duet_action_kind kind, duet_member *member,
    json_t *event, json_t *jsep) {
	if(member)
		host->ref(member);
	duet_action action = {.kind = kind, .member = member, .event = event, .jsep = jsep};
	g_array_append_val(outbox->actions, action);
	return &g_array_index(outbox->actions, duet_action, outbox->actions->len - 1);
}

void duet_outbox_event(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *event, json_t *jsep) {
	add(outbox, host, DUET_ACT_EVENT, member, event, jsep);
}

void duet_outbox_close(duet_outbox *outbox, const duet_host *host, duet_member *member) {
	add(outbox, host, DUET_ACT_CLOSE_MEDIA, member, NULL, NULL);
}

void duet_outbox_reset(duet_outbox *outbox, const duet_host *host, duet_member *member) {
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

void duet_outbox_layers(
    duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *simulcast, const char *sdp) {
	if(host->layers == NULL)
		return;
	json_t *what = json_pack("{sOss}", "simulcast", simulcast ? simulcast : json_null(), "sdp", sdp ? sdp : "");
	add(outbox, host, DUET_ACT_LAYERS, member, what, NULL);
}

duet_action *duet_outbox_answer(
    duet_outbox *outbox, const duet_host *host, duet_member *member, const char *transaction, json_t *body) {
	duet_action *a = add(outbox, host, DUET_ACT_ANSWER, member, body, NULL);
	a->transaction = g_strdup(transaction);
	return a;
}

void duet_outbox_forward(duet_outbox *outbox, const duet_host *host, duet_member *member, json_t *event, json_t *jsep,
    duet_forward *forward) {
	add(outbox, host, DUET_ACT_EVENT, member, event, jsep)->forward = forward;
}

void duet_outbox_own_jsep(duet_outbox *outbox, const duet_host *host, duet_member *member) {
	add(outbox, host, DUET_ACT_OWN_JSEP, member, NULL, NULL);
}

int duet_action_perform(const duet_action *a, const duet_host *host) {
	switch(a->kind) {
	case DUET_ACT_EVENT:
		if(a->jsep)
			return host->push_jsep(a->member, a->event, a->jsep);
		return host->push(a->member, NULL, a->event, NULL);
	case DUET_ACT_ANSWER:
		return host->push(a->member, a->transaction, a->event, NULL);
	case DUET_ACT_CLOSE_MEDIA:
	case DUET_ACT_RESET_MEDIA:
	case DUET_ACT_OWN_JSEP:
		return 0; /* pc.c decides */
	case DUET_ACT_BITRATE:
		host->apply_bitrate(a->member);
		return 0;
	case DUET_ACT_NOTIFY:
		host->notify(a->member, a->event);
		return 0;
	case DUET_ACT_RECORD:
		host->record(a->member, a->event);
		return 0;
	case DUET_ACT_KEYFRAME:
		host->keyframe(a->member);
		return 0;
	case DUET_ACT_LAYERS:
		host->layers(
		    a->member, json_object_get(a->event, "simulcast"), json_string_value(json_object_get(a->event, "sdp")));
		return 0;
	}
	return 0;
}

void duet_action_release(duet_action *a, const duet_host *host) {
	json_decref(a->event);
	json_decref(a->jsep);
	g_free(a->transaction);
	if(a->member)
		host->unref(a->member);
	a->event = a->jsep = NULL;
	a->transaction = NULL;
	a->member = NULL;
}

/* A forward of a request that failed is freed with it (may run under the lock). */
static void release_with_forward(duet_action *a, const duet_host *host) {
	duet_forward *forward = a->forward;
	a->forward = NULL;
	duet_action_release(a, host);
	if(forward)
		forward->drop(forward);
}

void duet_outbox_discard(duet_outbox *outbox, const duet_host *host) {
	for(guint i = 0; i < outbox->actions->len; i++)
		release_with_forward(&g_array_index(outbox->actions, duet_action, i), host);
	g_array_set_size(outbox->actions, 0);
}

static void touch(duet_outbox *outbox, duet_member *member, const duet_host *host) {
	for(guint i = 0; i < outbox->touched->len; i++) {
		if(outbox->touched->pdata[i] == member)
			return;
	}
	host->ref(member);
	g_ptr_array_add(outbox->touched, member);
}

void duet_outbox_commit(duet_outbox *outbox, duet_pc_timers *timers) {
	for(guint i = 0; i < outbox->actions->len; i++) {
		duet_action *a = &g_array_index(outbox->actions, duet_action, i);
		if(a->member == NULL) {
			g_array_append_val(outbox->direct, *a);
			continue;
		}
		touch(outbox, a->member, timers->host);
		duet_pc_enqueue(timers, a);
	}
	g_array_set_size(outbox->actions, 0);
}

void duet_outbox_deliver(duet_outbox *outbox, const duet_host *host, gboolean jsep_ok) {
	for(guint i = 0; i < outbox->direct->len; i++) {
		duet_action *a = &g_array_index(outbox->direct, duet_action, i);
		duet_action_perform(a, host);
		duet_action_release(a, host);
	}
	g_array_set_size(outbox->direct, 0);
	for(guint i = 0; i < outbox->touched->len; i++) {
		duet_member *member = outbox->touched->pdata[i];
		duet_pc_deliver(member, host, jsep_ok);
		host->unref(member);
	}
	g_ptr_array_set_size(outbox->touched, 0);
}

void duet_outbox_free(duet_outbox *outbox, const duet_host *host) {
	duet_outbox_discard(outbox, host);
	for(guint i = 0; i < outbox->direct->len; i++)
		duet_action_release(&g_array_index(outbox->direct, duet_action, i), host);
	for(guint i = 0; i < outbox->touched->len; i++)
		host->unref(outbox->touched->pdata[i]);
	g_array_free(outbox->actions, TRUE);
	g_array_free(outbox->direct, TRUE);
	g_ptr_array_free(outbox->touched, TRUE);
	outbox->actions = NULL;
}
