/* fuzz/memfile.c - inputs as in-memory files for parsers that take a path. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

int fz_file_open(struct fz_file *f, const char *tag)
{
	f->fd = memfd_create(tag, 0);
	if (f->fd < 0) {
		char tmpl[] = "/tmp/vpcitrap-fuzz-XXXXXX";
		f->fd = mkstemp(tmpl);
		if (f->fd < 0)
			return -1;
		unlink(tmpl);
	}
	snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
	return 0;
}

const char *fz_file_set(struct fz_file *f, const void *buf, size_t len)
{
	const char *p = buf;
	off_t off = 0;

	if (ftruncate(f->fd, 0))
		abort();
	while ((size_t)off < len) {
		ssize_t n = pwrite(f->fd, p + off, len - (size_t)off, off);
		if (n <= 0)
			abort();
		off += n;
	}
	return f->path;
}

FILE *fz_file_writer(struct fz_file *f)
{
	int fd;
	FILE *w;

	/* the dup shares the offset: back to 0, or the old length becomes a hole */
	if (ftruncate(f->fd, 0) || lseek(f->fd, 0, SEEK_SET) || (fd = dup(f->fd)) < 0)
		abort();
	if (!(w = fdopen(fd, "w")))
		abort();
	return w;
}
