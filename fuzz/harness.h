/*
 * fuzz/harness.h - what every harness provides and what the driver gives it.
 *
 * A harness is one fuzz_one() over an input of any bytes. It must return
 * for every input (errors in the input are fine, they are the point); it
 * calls abort() through FZ_FAIL only when an invariant of the code under
 * test is broken. driver.c runs it in AFL++'s persistent mode or, built
 * without AFL++, once per file given.
 */
#ifndef VT_FUZZ_HARNESS_H
#define VT_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/* Name of the harness (for messages) and its one-time set-up. */
extern const char fuzz_name[];
void fuzz_init(void);
/* One input; 0 always (a broken invariant aborts instead). */
int fuzz_one(const uint8_t *buf, size_t len);

/* -v given to the plain driver: harnesses say what their input did. */
extern int fz_verbose;

/* Report a broken invariant and abort(): AFL++ and the sanitizers see a crash. */
void fz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
#define FZ_FAIL(...) fz_fail(__FILE__, __LINE__, __VA_ARGS__)
#define FZ_CHECK(cond, ...)            \
	do {                           \
		if (!(cond))           \
			FZ_FAIL(__VA_ARGS__); \
	} while (0)

/*
 * The parsers under test read files by path: an input is handed to them as
 * an in-memory file (memfd), reused across iterations, named by its
 * /proc/self/fd path.
 */
struct fz_file {
	int fd;
	char path[40];
};
int fz_file_open(struct fz_file *f, const char *tag);
/* Replace the contents; returns the path to open. */
const char *fz_file_set(struct fz_file *f, const void *buf, size_t len);
/* Empty it and return a stream writing it (fclose it; then open f->path). */
FILE *fz_file_writer(struct fz_file *f);

/* A cursor over the input bytes; reads past the end yield zeros. */
struct fz_in {
	const uint8_t *p;
	size_t n, i;
};
static inline int fz_left(const struct fz_in *in)
{
	return in->i < in->n;
}
static inline uint8_t fz_u8(struct fz_in *in)
{
	return in->i < in->n ? in->p[in->i++] : 0;
}
static inline uint16_t fz_u16(struct fz_in *in)
{
	return (uint16_t)(fz_u8(in) | fz_u8(in) << 8);
}
static inline uint32_t fz_u32(struct fz_in *in)
{
	return (uint32_t)fz_u16(in) | (uint32_t)fz_u16(in) << 16;
}

#endif
