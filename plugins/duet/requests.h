/*
 * requests.h - the handlers behind the route table (routes.c).
 *
 * requests_rooms.c manages rooms; requests_call.c is what a participant
 * does in a room. Every handler runs under the engine lock (engine.h).
 */
#ifndef DUET_REQUESTS_H
#define DUET_REQUESTS_H

#include "engine.h"

/* Finds the request's room (455 when unknown). */
duet_error duet_find_room(duet_request *req, duet_room **room);

duet_error duet_handle_create(duet_request *req);
duet_error duet_handle_edit(duet_request *req);
duet_error duet_handle_destroy(duet_request *req);
duet_error duet_handle_exists(duet_request *req);
duet_error duet_handle_list(duet_request *req);
duet_error duet_handle_listparticipants(duet_request *req);
duet_error duet_handle_kick(duet_request *req);
duet_error duet_handle_allowed(duet_request *req);
duet_error duet_handle_stats(duet_request *req);

duet_error duet_handle_join(duet_request *req);
duet_error duet_handle_offer(duet_request *req);
duet_error duet_handle_answer(duet_request *req);
duet_error duet_handle_configure(duet_request *req);
duet_error duet_handle_message(duet_request *req);
duet_error duet_handle_hangup(duet_request *req);
duet_error duet_handle_leave(duet_request *req);

#endif
