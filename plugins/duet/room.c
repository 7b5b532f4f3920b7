/*
 * room.c - rooms, seats and the call state of a pair (see room.h).
 */
#include "room.h"

#include <string.h>
#include <sys/random.h>

/* ---------------------------------------------------------------------- */
/* Identifiers                                                            */

gboolean duet_id_is_valid(const char *id) {
	if(id == NULL || *id == '\0')
		return FALSE;
	size_t len = 0;
	for(const char *c = id; *c; c++, len++) {
		if(len >= DUET_ID_MAX)
			return FALSE;
		if(!g_ascii_isalnum(*c) && *c != '-' && *c != '_')
			return FALSE;
	}
	return TRUE;
}

/* Compares without an early exit, so that timing tells nothing of a secret. */
gboolean duet_secret_equal(const char *given, const char *expected) {
	if(given == NULL || expected == NULL)
		return FALSE;
	size_t len = strlen(expected);
	if(strlen(given) != len)
		return FALSE;
	unsigned char diff = 0;
	for(size_t i = 0; i < len; i++)
		diff |= (unsigned char)(given[i] ^ expected[i]);
	return diff == 0;
}

/* Bytes from the kernel's CSPRNG: tokens must not be guessable. */
static void fill_random(guint8 *buf, size_t len) {
	size_t done = 0;
	while(done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);
		if(n <= 0) {
			/* Not expected on Linux; fall back rather than fail. */
			for(; done < len; done++)
				buf[done] = (guint8)g_random_int();
			return;
		}
		done += (size_t)n;
	}
}

char *duet_id_generate(guint digits) {
	guint8 raw[DUET_ID_MAX];
	digits = MIN(digits, DUET_ID_MAX);
	char *id = g_malloc(digits + 1);
	fill_random(raw, digits);
	for(guint i = 0; i < digits; i++)
		id[i] = (char)('0' + raw[i] % 10);
	if(digits > 0 && id[0] == '0')
		id[0] = '1';
	id[digits] = '\0';
	return id;
}

char *duet_token_generate(void) {
	static const char hex[] = "0123456789abcdef";
	guint8 raw[DUET_TOKEN_LEN / 2];
	char *token = g_malloc(DUET_TOKEN_LEN + 1);
	fill_random(raw, sizeof(raw));
	for(size_t i = 0; i < sizeof(raw); i++) {
		token[2 * i] = hex[raw[i] >> 4];
		token[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	token[DUET_TOKEN_LEN] = '\0';
	return token;
}

/* ---------------------------------------------------------------------- */
/* Settings                                                               */

void duet_set_string(char **field, const char *value, gboolean empty_is_none) {
	g_free(*field);
	*field = (value == NULL || (empty_is_none && *value == '\0')) ? NULL : g_strdup(value);
}

void duet_room_settings_clear(duet_room_settings *settings) {
	g_free(settings->description);
	g_free(settings->pin);
	g_free(settings->secret);
	g_free(settings->rec_dir);
	memset(settings, 0, sizeof(*settings));
}

void duet_room_settings_copy(duet_room_settings *dst, const duet_room_settings *src) {
	*dst = *src;
	dst->description = g_strdup(src->description ? src->description : "");
	dst->pin = g_strdup(src->pin);
	dst->secret = g_strdup(src->secret);
	dst->rec_dir = g_strdup(src->rec_dir);
}

/* ---------------------------------------------------------------------- */
/* Registry                                                               */

static void seat_free(duet_seat *seat) {
	g_free(seat->id);
	g_free(seat->display);
	g_free(seat->token);
	g_free(seat);
}

static void room_free(duet_room *room) {
	for(int i = 0; i < DUET_SEATS; i++) {
		if(room->seats[i])
			seat_free(room->seats[i]);
	}
	if(room->allowed)
		g_hash_table_destroy(room->allowed);
	duet_room_settings_clear(&room->settings);
	g_free(room->offer_sdp);
	g_free(room->offer_layers);
	g_free(room->id);
	g_free(room);
}

static void unhold(duet_seat *seat);

duet_registry *duet_registry_new(guint max_rooms) {
	duet_registry *registry = g_new0(duet_registry, 1);
	registry->rooms = g_hash_table_new(g_str_hash, g_str_equal);
	registry->held = g_sequence_new(NULL);
	registry->max_rooms = max_rooms;
	return registry;
}

void duet_registry_free(duet_registry *registry) {
	if(registry == NULL)
		return;
	GHashTableIter iter;
	gpointer value;
	g_hash_table_iter_init(&iter, registry->rooms);
	while(g_hash_table_iter_next(&iter, NULL, &value))
		room_free(value);
	g_hash_table_destroy(registry->rooms);
	g_sequence_free(registry->held);
	g_free(registry);
}

duet_room *duet_registry_find(duet_registry *registry, const char *id) {
	return id ? g_hash_table_lookup(registry->rooms, id) : NULL;
}

guint duet_registry_size(duet_registry *registry) {
	return g_hash_table_size(registry->rooms);
}

char *duet_registry_unused_id(duet_registry *registry) {
	for(;;) {
		char *id = duet_id_generate(10);
		if(!g_hash_table_contains(registry->rooms, id))
			return id;
		g_free(id);
	}
}

duet_error duet_registry_check_add(duet_registry *registry, const char *id) {
	if(id && g_hash_table_contains(registry->rooms, id))
		return DUET_ERR_ROOM_EXISTS;
	if(registry->max_rooms > 0 && duet_registry_size(registry) >= registry->max_rooms)
		return DUET_ERR_LIMIT_REACHED;
	return DUET_OK;
}

duet_error duet_registry_add(
    duet_registry *registry, const char *id, const duet_room_settings *settings, duet_origin origin, duet_room **out) {
	duet_error code = duet_registry_check_add(registry, id);
	if(code != DUET_OK)
		return code;
	duet_room *room = g_new0(duet_room, 1);
	room->id = id ? g_strdup(id) : duet_registry_unused_id(registry);
	room->origin = origin;
	duet_room_settings_copy(&room->settings, settings);
	g_hash_table_insert(registry->rooms, room->id, room);
	if(out)
		*out = room;
	return DUET_OK;
}

void duet_registry_remove(duet_registry *registry, duet_room *room) {
	for(int i = 0; i < DUET_SEATS; i++) {
		if(room->seats[i])
			unhold(room->seats[i]);
	}
	g_hash_table_remove(registry->rooms, room->id);
	room_free(room);
}

static gint compare_rooms(gconstpointer a, gconstpointer b) {
	return strcmp(((const duet_room *)a)->id, ((const duet_room *)b)->id);
}

GList *duet_registry_sorted(duet_registry *registry) {
	return g_list_sort(g_hash_table_get_values(registry->rooms), compare_rooms);
}

/* ---------------------------------------------------------------------- */
/* The allowed list                                                       */

void duet_room_allow(duet_room *room, const char *token) {
	if(room->allowed == NULL)
		room->allowed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_add(room->allowed, g_strdup(token));
}

void duet_room_disallow(duet_room *room, const char *token) {
	if(room->allowed)
		g_hash_table_remove(room->allowed, token);
}

gboolean duet_room_admits(const duet_room *room, const char *token) {
	if(!room->allowed_on)
		return TRUE;
	return token != NULL && room->allowed != NULL && g_hash_table_contains(room->allowed, token);
}

/* ---------------------------------------------------------------------- */
/* Seats                                                                  */

guint duet_room_count(const duet_room *room) {
	guint count = 0;
	for(int i = 0; i < DUET_SEATS; i++)
		count += room->seats[i] != NULL;
	return count;
}

gboolean duet_room_is_full(const duet_room *room) {
	return duet_room_count(room) == DUET_SEATS;
}

duet_seat *duet_room_find_seat(const duet_room *room, const char *id) {
	for(int i = 0; id && i < DUET_SEATS; i++) {
		if(room->seats[i] && strcmp(room->seats[i]->id, id) == 0)
			return room->seats[i];
	}
	return NULL;
}

duet_seat *duet_room_peer_of(const duet_room *room, const duet_seat *seat) {
	for(int i = 0; i < DUET_SEATS; i++) {
		if(room->seats[i] && room->seats[i] != seat)
			return room->seats[i];
	}
	return NULL;
}

static char *unused_seat_id(const duet_room *room) {
	for(;;) {
		char *id = duet_token_generate();
		id[12] = '\0';
		if(duet_room_find_seat(room, id) == NULL)
			return id;
		g_free(id);
	}
}

duet_seat *duet_room_add_seat(duet_room *room, const char *id, const char *display, void *owner) {
	for(int i = 0; i < DUET_SEATS; i++) {
		if(room->seats[i] != NULL)
			continue;
		duet_seat *seat = g_new0(duet_seat, 1);
		seat->id = id ? g_strdup(id) : unused_seat_id(room);
		seat->display = g_strdup(display ? display : "");
		seat->token = duet_token_generate();
		seat->owner = owner;
		seat->room = room;
		room->seats[i] = seat;
		return seat;
	}
	return NULL;
}

/* Held seats are ordered by deadline, ties by address (a total order). */
static gint by_deadline(gconstpointer a, gconstpointer b, gpointer data) {
	(void)data;
	const duet_seat *x = a, *y = b;
	if(x->held_until != y->held_until)
		return x->held_until < y->held_until ? -1 : 1;
	return x < y ? -1 : (x > y ? 1 : 0);
}

static void unhold(duet_seat *seat) {
	if(seat->held_at == NULL)
		return;
	g_sequence_remove(seat->held_at);
	seat->held_at = NULL;
}

void duet_room_remove_seat(duet_registry *registry, duet_seat *seat) {
	(void)registry;
	duet_room *room = seat->room;
	if(room->offerer != NULL || room->in_call)
		duet_call_end(room);
	for(int i = 0; i < DUET_SEATS; i++) {
		if(room->seats[i] == seat)
			room->seats[i] = NULL;
	}
	unhold(seat);
	seat_free(seat);
}

void duet_seat_hold(duet_registry *registry, duet_seat *seat, gint64 now) {
	seat->owner = NULL;
	seat->held_until = now + (gint64)seat->room->settings.reconnect_window * G_USEC_PER_SEC;
	duet_call_end(seat->room);
	unhold(seat);
	seat->held_at = g_sequence_insert_sorted(registry->held, seat, by_deadline, NULL);
}

void duet_seat_take_back(duet_registry *registry, duet_seat *seat, void *owner, const char *display) {
	(void)registry;
	unhold(seat);
	seat->owner = owner;
	seat->held_until = 0;
	if(display)
		duet_set_string(&seat->display, display, FALSE);
	g_free(seat->token);
	seat->token = duet_token_generate();
	duet_call_end(seat->room);
}

gint64 duet_registry_next_deadline(duet_registry *registry) {
	GSequenceIter *first = g_sequence_get_begin_iter(registry->held);
	return g_sequence_iter_is_end(first) ? 0 : ((duet_seat *)g_sequence_get(first))->held_until;
}

duet_seat *duet_registry_next_expired(duet_registry *registry, gint64 now) {
	GSequenceIter *first = g_sequence_get_begin_iter(registry->held);
	if(g_sequence_iter_is_end(first))
		return NULL;
	duet_seat *seat = g_sequence_get(first);
	return seat->held_until <= now ? seat : NULL;
}

/* ---------------------------------------------------------------------- */
/* Call state                                                             */

static gboolean peer_is_connected(const duet_room *room, const duet_seat *seat) {
	const duet_seat *peer = duet_room_peer_of(room, seat);
	return peer != NULL && peer->owner != NULL;
}

duet_error duet_call_check_offer(const duet_room *room, const duet_seat *from) {
	if(!peer_is_connected(room, from))
		return DUET_ERR_NO_PEER;
	if(room->offerer != NULL)
		return DUET_ERR_WRONG_STATE; /* glare, or a second offer before the answer */
	return DUET_OK;
}

void duet_call_offer(duet_room *room, duet_seat *from, const char *sdp, const char *layers) {
	room->offerer = from;
	duet_set_string(&room->offer_sdp, sdp, FALSE);
	duet_set_string(&room->offer_layers, layers, TRUE);
	room->offer_clean = FALSE;
	room->offer_in_call = room->in_call;
}

duet_error duet_call_check_answer(const duet_room *room, const duet_seat *from) {
	if(!peer_is_connected(room, from))
		return DUET_ERR_NO_PEER;
	if(room->offerer == NULL || room->offerer == from)
		return DUET_ERR_WRONG_STATE;
	return DUET_OK;
}

void duet_call_answer(duet_room *room) {
	room->offerer = NULL;
	duet_set_string(&room->offer_sdp, NULL, FALSE);
	duet_set_string(&room->offer_layers, NULL, FALSE);
	room->in_call = TRUE;
}

gboolean duet_call_end(duet_room *room) {
	gboolean was_active = duet_call_active(room);
	room->offerer = NULL;
	room->offer_in_call = FALSE;
	duet_set_string(&room->offer_sdp, NULL, FALSE);
	duet_set_string(&room->offer_layers, NULL, FALSE);
	room->in_call = FALSE;
	return was_active;
}

gboolean duet_call_active(const duet_room *room) {
	return room->in_call || room->offerer != NULL;
}
