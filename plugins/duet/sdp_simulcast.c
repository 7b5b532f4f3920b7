/*
 * sdp_simulcast.c - put an offerer's rid extmaps back into the answer
 * (see sdp_simulcast.h). Works on the SDP text line by line.
 */
#include <string.h>

#include "sdp_simulcast.h"

#define RID_URI "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define REPAIRED_RID_URI "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"

static gboolean is_rid_extmap(const char *line) {
	return g_str_has_prefix(line, "a=extmap:") && (strstr(line, RID_URI) || strstr(line, REPAIRED_RID_URI));
}

/* The rid extmap lines of each m-section of the offer, by index. */
static GPtrArray *offer_rid_lines(char **lines) {
	GPtrArray *sections = g_ptr_array_new_with_free_func(g_free);
	GString *current = NULL;
	for(char **l = lines; *l; l++) {
		if(g_str_has_prefix(*l, "m=")) {
			if(current)
				g_ptr_array_add(sections, g_string_free(current, FALSE));
			current = g_string_new(NULL);
		} else if(current && is_rid_extmap(*l)) {
			g_string_append_printf(current, "%s\r\n", g_strchomp(*l));
		}
	}
	if(current)
		g_ptr_array_add(sections, g_string_free(current, FALSE));
	return sections;
}

static gboolean section_rejected(const char *m_line) {
	const char *port = strchr(m_line, ' ');
	return port != NULL && g_str_has_prefix(port, " 0 ");
}

/* Copies the answer, adding the offer's rid lines at the end of each
 * accepted m-section that has none. */
static gboolean rebuild(char **lines, GPtrArray *rids, GString *out) {
	gboolean added = FALSE, has_rid = FALSE, accepted = FALSE;
	int section = -1;
	for(char **l = lines;; l++) {
		gboolean end = *l == NULL || g_str_has_prefix(*l, "m=");
		if(end && section >= 0 && accepted && !has_rid && (guint)section < rids->len &&
		    *(char *)rids->pdata[section] != '\0') {
			g_string_append(out, rids->pdata[section]);
			added = TRUE;
		}
		if(*l == NULL)
			break;
		if(g_str_has_prefix(*l, "m=")) {
			section++;
			has_rid = FALSE;
			accepted = !section_rejected(*l);
		} else if(is_rid_extmap(*l)) {
			has_rid = TRUE;
		}
		if(**l != '\0')
			g_string_append_printf(out, "%s\r\n", g_strchomp(*l));
	}
	return added;
}

char *duet_sdp_accept_rids(const char *offer, const char *answer) {
	if(offer == NULL || answer == NULL || strstr(offer, RID_URI) == NULL)
		return NULL;
	char **offer_lines = g_strsplit(offer, "\n", -1);
	char **answer_lines = g_strsplit(answer, "\n", -1);
	GPtrArray *rids = offer_rid_lines(offer_lines);
	GString *out = g_string_new(NULL);
	gboolean added = rebuild(answer_lines, rids, out);
	g_ptr_array_free(rids, TRUE);
	g_strfreev(offer_lines);
	g_strfreev(answer_lines);
	return g_string_free(out, !added);
}
