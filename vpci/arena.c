/*
 * vpci/arena.c - where a machine's devices live: chunks that only grow and
 * go with the machine.
 *
 * A device is about 5.4 KiB (its header masks and handlers, then its config
 * bytes), read on every access. A machine of 65536 functions spreads its
 * devices over 350 MiB; with 4 KiB pages, accesses that move among many
 * functions miss the TLB, and each access costs 10-20% more than on a small
 * machine (docs/performance.md). Chunks of the largest size are 2 MiB
 * aligned and advised for transparent huge pages, one TLB entry each. Small
 * machines stay small: chunks start at 64 KiB and double up to 2 MiB.
 *
 * Under AddressSanitizer every device is its own heap block instead, so an
 * access past a device's end is still caught.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "private.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_MALLOC 1
#endif
#endif

#define CHUNK_FIRST (64u << 10)
#define CHUNK_HUGE (2u << 20)

struct vpci_chunk {
	struct vpci_chunk *next;
	size_t size;
};

/* A 2 MiB chunk on a 2 MiB boundary (a huge page can back it): map twice the size, keep the aligned half. */
static void *map_chunk(size_t size)
{
	size_t span = size == CHUNK_HUGE ? 2 * size : size;
	uint8_t *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	if (span == size)
		return p;
	a = ((uintptr_t)p + size - 1) & ~(uintptr_t)(size - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((uint8_t *)a + size, (uintptr_t)p + span - (a + size));
#ifdef MADV_HUGEPAGE
	madvise((void *)a, size, MADV_HUGEPAGE); /* a hint: without THP, small pages */
#endif
	return (void *)a;
}

/* A chunk of `size` bytes, zero: under ASan a heap block (redzones around it), else mapped. */
static struct vpci_chunk *new_chunk(size_t size)
{
#ifdef ARENA_MALLOC
	void *p = aligned_alloc(64, size);

	return p ? memset(p, 0, size) : NULL;
#else
	return map_chunk(size);
#endif
}

void *vpci_arena_alloc(struct vpci_arena *a, size_t size)
{
	const size_t hdr = 64; /* the chunk header, one cache line: allocations stay 64-aligned */
	struct vpci_chunk *c;
	size_t csize;
	void *p;

	size = (size + 63) & ~(size_t)63;
	if (size > a->left) {
#ifdef ARENA_MALLOC
		csize = size + hdr; /* one chunk per allocation */
#else
		csize = a->next_size ? a->next_size : CHUNK_FIRST;
		while (csize < size + hdr)
			csize *= 2;
#endif
		if (!(c = new_chunk(csize)))
			return NULL;
		c->next = a->chunks;
		c->size = csize;
		a->chunks = c;
		a->cur = (uint8_t *)c + hdr;
		a->left = csize - hdr;
		a->bytes += csize;
		a->next_size = csize < CHUNK_HUGE ? csize * 2 : CHUNK_HUGE;
	}
	p = a->cur; /* never handed out before: zero */
	a->cur += size;
	a->left -= size;
	return p;
}

void vpci_arena_free(struct vpci_arena *a)
{
	while (a->chunks) {
		struct vpci_chunk *c = a->chunks;
		a->chunks = c->next;
#ifdef ARENA_MALLOC
		free(c);
#else
		munmap(c, c->size);
#endif
	}
	memset(a, 0, sizeof(*a));
}

size_t vpci_arena_mapped(const struct vpci_arena *a)
{
#ifdef ARENA_MALLOC
	return 0; /* heap blocks: malloc's statistics count them */
#else
	return a->bytes;
#endif
}
