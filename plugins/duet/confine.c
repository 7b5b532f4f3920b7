/*
 * confine.c - where a client may make Janus write (the contract's "Files").
 *
 * A rec_dir given through the plugin API (create) must lie inside the
 * configured general.rec_dir once ".." and symbolic links are resolved:
 * the nearest folder of the path that exists is resolved with realpath(),
 * and what follows it must be plain names. A filename (configure) is a
 * file name, not a path. The Admin API and the configuration file are not
 * confined. Checked with the fields, before the engine lock.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* realpath() of the nearest existing ancestor, with the rest appended;
 * NULL when the rest holds "." or "..". */
static char *resolve(const char *path) {
	char *dir = g_strdup(path);
	GString *rest = g_string_new(NULL);
	char *resolved = NULL;
	for(;;) {
		char buf[PATH_MAX];
		if(realpath(dir, buf) != NULL) {
			resolved = g_strconcat(buf, rest->str, NULL);
			break;
		}
		char *base = g_path_get_basename(dir);
		char *parent = g_path_get_dirname(dir);
		gboolean stuck = strcmp(parent, dir) == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0;
		if(!stuck)
			g_string_prepend(rest, base), g_string_prepend_c(rest, '/');
		g_free(base);
		g_free(dir);
		dir = parent;
		if(stuck)
			break;
	}
	g_free(dir);
	g_string_free(rest, TRUE);
	if(resolved && g_str_has_prefix(resolved, "//"))
		memmove(resolved, resolved + 1, strlen(resolved));
	return resolved;
}

gboolean duet_path_inside(const char *path, const char *base) {
	if(path == NULL || *path == '\0' || base == NULL)
		return FALSE;
	char *p = resolve(path), *b = resolve(base);
	gboolean inside = FALSE;
	if(p && b) {
		size_t n = strlen(b);
		inside = strcmp(b, "/") == 0 || (strncmp(p, b, n) == 0 && (p[n] == '\0' || p[n] == '/'));
	}
	g_free(p);
	g_free(b);
	return inside;
}

static gboolean plain_file_name(const char *name) {
	if(*name == '\0' || *name == '.' || strchr(name, '/'))
		return FALSE;
	for(const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if(*c < 0x20 || *c == 0x7f)
			return FALSE;
	}
	return TRUE;
}

duet_error duet_confine_check(duet_request *req) {
	const char *filename = duet_arg_str(req->args, "filename");
	if(filename && strcmp(req->route->name, "configure") == 0 && !plain_file_name(filename))
		return duet_fail(req, DUET_ERR_INVALID_ELEMENT, "Invalid element (filename must be a plain file name)");
	const char *rec_dir = duet_arg_str(req->args, "rec_dir");
	if(rec_dir && strcmp(req->route->name, "create") == 0 && !duet_path_inside(rec_dir, req->engine->settings.rec_dir))
		return duet_fail(
		    req, DUET_ERR_INVALID_ELEMENT, "Invalid element (rec_dir must lie inside the configured rec_dir)");
	return DUET_OK;
}
