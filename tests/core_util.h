/*
 * tests/core_util.h - helpers shared by the core's CUnit suites
 * (test_common, test_mapper, test_vpci, test_traps, test_replay).
 *
 * Running: tu_main() registers a table of suites, runs them in basic mode
 * so CUnit's summary prints, and returns 1 if anything failed (never the
 * raw count: 77 and 99 mean skip and hard error to automake).
 */
#ifndef VT_TESTS_CORE_UTIL_H
#define VT_TESTS_CORE_UTIL_H

#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/event.h"
#include "../common/vt.h"
#include "../mapper/mapper.h"
#include "../vpci/vpci.h"

int tu_main(CU_SuiteInfo *suites);

/* An assertion with a formatted message (shown by CUnit on failure). */
void tu_check(bool ok, unsigned line, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define TU_CHECK(cond, ...) tu_check((cond), __LINE__, __FILE__, __VA_ARGS__)
/* Strings equal, with both in the message. */
#define TU_STREQ(got, want) \
	tu_check(!strcmp((got), (want)), __LINE__, __FILE__, "got '%s' want '%s'", (got), (want))
#define TU_EQ(got, want)                                                                \
	tu_check((uint64_t)(got) == (uint64_t)(want), __LINE__, __FILE__,              \
		 "%s: got 0x%llx want 0x%llx", #got, (unsigned long long)(got),          \
		 (unsigned long long)(want))

/*
 * Event capture: every event as CONTRACT §6 text (no line prefix), in
 * order; tu_ev_str() joins them with " | " for messages and comparisons.
 */
struct tu_ev {
	struct vt_events ev;
	char (*text)[200];
	unsigned long *line;
	size_t n, cap;
};
void tu_ev_init(struct tu_ev *t);
void tu_ev_clear(struct tu_ev *t);
void tu_ev_free(struct tu_ev *t);
/* All events joined by " | " (static buffer, valid until the next call). */
const char *tu_ev_str(const struct tu_ev *t);
/* How many events start with prefix ("map ", "unmap 0000:00:02.0 bar0"...). */
size_t tu_ev_count(const struct tu_ev *t, const char *prefix);
bool tu_ev_has(const struct tu_ev *t, const char *text);
/* Assert the events since the last clear are exactly `want` (joined by " | "), then clear. */
#define TU_EVENTS(t, want)                                                           \
	do {                                                                         \
		tu_check(!strcmp(tu_ev_str(t), (want)), __LINE__, __FILE__,         \
			 "events: got '%s' want '%s'", tu_ev_str(t), (want));         \
		tu_ev_clear(t);                                                      \
	} while (0)

/*
 * Config space builder: a type 0 or type 1 header with IDs set, then BARs
 * and bus numbers poked in by the test.
 */
void tu_desc(struct vpci_dev_desc *d, const char *path, uint16_t vendor, uint16_t device,
	     uint8_t hdr_type);
void tu_put(struct vpci_dev_desc *d, unsigned reg, unsigned size, uint32_t val);
/* A bridge with bus numbers primary/secondary/subordinate. */
void tu_bridge(struct vpci_dev_desc *d, const char *path, uint8_t pri, uint8_t sec, uint8_t sub);
/* Append the desc as machine-file text (device line, hex rows, bar/rom lines) to buf. */
void tu_desc_text(const struct vpci_dev_desc *d, char *buf, size_t len);

/* Feed machine text to a parser line by line as vpci_machine_load does. */
int tu_machine_text(struct vpci_machine *m, const char *file, const char *text, struct vt_err *err);

/* A temp dir for files a test writes; removed by tu_tmp_cleanup(). */
const char *tu_tmpdir(void);
/* Write text to tmpdir/name; returns the path (static ring of buffers). */
const char *tu_write(const char *name, const char *text);
void tu_tmp_cleanup(void);

/* Deterministic random numbers (xorshift64*). */
uint64_t tu_rand(uint64_t *state);

#endif
