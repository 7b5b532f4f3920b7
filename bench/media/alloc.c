/*
 * alloc.c - counts heap allocations made on a thread while it measures.
 *
 * The benchmark executable defines malloc & co (exported with -rdynamic),
 * so every call from the plugin, glib's g_malloc family (which ends in
 * malloc) and jansson lands here first; each one is passed on to glibc's
 * allocator through its __libc_* entry points (no dlsym, which would itself
 * allocate) and, when the calling thread has counting on, counted. Only the
 * measuring threads turn counting on, so the plugin's own threads (worker,
 * housekeeping) do not add to the per-packet figure.
 */
#include "alloc.h"

#include <errno.h>
#include <stddef.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *ptr);

static __thread int counting;
static __thread unsigned long long calls;

void alloc_count_start(void) {
	calls = 0;
	counting = 1;
}

unsigned long long alloc_count_stop(void) {
	counting = 0;
	return calls;
}

static inline void count(void) {
	if(counting)
		calls++;
}

void *malloc(size_t size) {
	count();
	return __libc_malloc(size);
}

void *calloc(size_t count_, size_t size) {
	count();
	return __libc_calloc(count_, size);
}

void *realloc(void *ptr, size_t size) {
	count();
	return __libc_realloc(ptr, size);
}

void free(void *ptr) {
	if(ptr)
		count();
	__libc_free(ptr);
}

void *memalign(size_t alignment, size_t size) {
	count();
	return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
	count();
	return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
	if(alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
		return EINVAL;
	count();
	void *p = __libc_memalign(alignment, size);
	if(p == NULL && size > 0)
		return ENOMEM;
	*out = p;
	return 0;
}
