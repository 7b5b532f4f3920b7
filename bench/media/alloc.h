/*
 * alloc.h - per-thread counting of heap calls (malloc, calloc, realloc,
 * free, the aligned variants) for the media benchmark; see alloc.c.
 */
#ifndef DUET_BENCH_ALLOC_H
#define DUET_BENCH_ALLOC_H

/* Counts this thread's heap calls from now on. */
void alloc_count_start(void);
/* Stops counting; returns how many calls this thread made since the start. */
unsigned long long alloc_count_stop(void);

#endif
