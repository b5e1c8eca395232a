/*
 * fuzz/driver.c - the main() of every harness.
 *
 * Built with afl-clang-fast / afl-cc (which define __AFL_HAVE_MANUAL_CONTROL)
 * and started by afl-fuzz without arguments, it loops in persistent mode
 * over AFL++'s shared-memory test case. Given arguments, or built with a
 * plain compiler, it runs each file once (a directory: every file in it,
 * recursively, in name order) and exits 0, so the regression corpus and the
 * seed corpora run anywhere. Without arguments and without AFL++: stdin.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#ifdef __AFL_HAVE_MANUAL_CONTROL
__AFL_FUZZ_INIT();
#endif

static const char *current = "<none>";
static unsigned long files;
int fz_verbose;

void fz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: INVARIANT BROKEN at %s:%d (input %s): ", fuzz_name, file, line, current);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Name the input that crashed; then die of the same signal. */
static void on_signal(int sig)
{
	static const char msg[] = ": crashed on input ";

	if (write(2, fuzz_name, strlen(fuzz_name)) < 0 || write(2, msg, sizeof(msg) - 1) < 0 ||
	    write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
		_exit(128 + sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", fuzz_name, path, strerror(errno));
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!nb)
				abort();
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	current = path;
	if (fz_verbose)
		fprintf(stderr, "%s: %s (%zu bytes)\n", fuzz_name, path, len);
	fuzz_one(buf, len);
	free(buf);
	files++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path);

static int run_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "%s: %s: %s\n", fuzz_name, path, strerror(errno));
		return 1;
	}
	while ((e = readdir(d))) {
		char **nn;
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.txt") ||
		    !(nn = realloc(names, (n + 1) * sizeof(*names))))
			continue;
		names = nn;
		if (asprintf(&names[n], "%s/%s", path, e->d_name) >= 0)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		rc |= run_path(names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s: %s\n", fuzz_name, path, strerror(errno));
		return 1;
	}
	return S_ISDIR(st.st_mode) ? run_dir(path) : run_file(path);
}

static int run_plain(int argc, char **argv)
{
	int rc = 0;

	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			fz_verbose = 1;
		else
			rc |= run_path(argv[i]);
	}
	if (argc < 2 || (argc == 2 && fz_verbose))
		rc |= run_file("/dev/stdin");
	fprintf(stderr, "%s: %lu input%s run, no invariant broken\n", fuzz_name, files,
		files == 1 ? "" : "s");
	return rc;
}

int main(int argc, char **argv)
{
	fuzz_init();
#ifdef __AFL_HAVE_MANUAL_CONTROL
	if (argc < 2 && getenv("__AFL_SHM_ID")) {
		current = "<afl test case>";
		__AFL_INIT();
		const uint8_t *buf = __AFL_FUZZ_TESTCASE_BUF;
		while (__AFL_LOOP(100000))
			fuzz_one(buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
		return 0;
	}
#endif
	return run_plain(argc, argv);
}
