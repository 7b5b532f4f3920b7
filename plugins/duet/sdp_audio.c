/*
 * sdp_audio.c - put Opus RED first in an offer's audio m-lines (see
 * sdp_audio.h). Works on the SDP text line by line: the m-line names its
 * payload types before the rtpmap lines say which one is RED, so a first
 * pass finds RED's type in each section and a second rewrites the m-lines.
 */
#include <string.h>

#include <glib.h>

#include "sdp_audio.h"

#define RED_CODEC "red/48000/2"

/* RED's payload type in each m-section, by index (NULL: none, or not audio). */
static GPtrArray *red_types(char **lines) {
	GPtrArray *types = g_ptr_array_new_with_free_func(g_free);
	gboolean audio = FALSE;
	for(char **l = lines; *l; l++) {
		if(g_str_has_prefix(*l, "m=")) {
			g_ptr_array_add(types, NULL);
			audio = g_str_has_prefix(*l, "m=audio ");
			continue;
		}
		const char *space = strchr(*l, ' ');
		if(!audio || !g_str_has_prefix(*l, "a=rtpmap:") || space == NULL || types->len == 0)
			continue;
		if(g_ascii_strncasecmp(space + 1, RED_CODEC, strlen(RED_CODEC)) == 0 && types->pdata[types->len - 1] == NULL)
			types->pdata[types->len - 1] = g_strndup(*l + strlen("a=rtpmap:"), space - *l - strlen("a=rtpmap:"));
	}
	return types;
}

/* The m-line with `type` moved first among its formats (the fourth word
 * on: "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9"); NULL when it is not among
 * them, or first already. */
static char *red_first(const char *m_line, const char *type) {
	char **words = g_strsplit(m_line, " ", -1);
	guint n = g_strv_length(words), at = 0;
	for(guint i = 3; i < n && at == 0; i++)
		if(strcmp(words[i], type) == 0)
			at = i;
	char *line = NULL;
	if(at > 3) {
		char *red = words[at];
		memmove(&words[4], &words[3], (at - 3) * sizeof(char *));
		words[3] = red;
		line = g_strjoinv(" ", words);
	}
	g_strfreev(words);
	return line;
}

char *duet_sdp_prefer_red(const char *offer) {
	if(offer == NULL || strstr(offer, "m=audio ") == NULL)
		return NULL;
	char **lines = g_strsplit(offer, "\n", -1);
	GPtrArray *types = red_types(lines);
	GString *out = g_string_new(NULL);
	gboolean moved = FALSE;
	int section = -1;
	for(char **l = lines; *l; l++) {
		char *line = g_strchomp(*l);
		char *edited = NULL;
		if(g_str_has_prefix(line, "m=") && ++section < (int)types->len && types->pdata[section] != NULL)
			edited = red_first(line, types->pdata[section]);
		if(*line != '\0')
			g_string_append_printf(out, "%s\r\n", edited ? edited : line);
		moved |= edited != NULL;
		g_free(edited);
	}
	g_ptr_array_free(types, TRUE);
	g_strfreev(lines);
	return g_string_free(out, !moved);
}
