/*
 * fuzz/fuzz_acpi.c - binary ACPI tables through mapper/acpi.c; built twice,
 * as fuzz_dmar (FZ_TABLE "DMAR") and fuzz_ivrs (FZ_TABLE "IVRS").
 *
 * Each input is parsed as it is (so the header checks are fuzzed too) and
 * again with signature, length and checksum made right (so the fuzzer
 * spends its time in the structures). Both times from a buffer of exactly
 * the input's size, so AddressSanitizer sees any read past the table.
 *
 * Checks: success gives sane entries (last >= base, hops within
 * ACPI_PATH_MAX, scopes where nscope says, offsets inside the table,
 * formatters within their buffers); failure leaves the list empty and an
 * error naming the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mapper/acpi.h"
#include "harness.h"

#ifndef FZ_TABLE
#define FZ_TABLE "DMAR"
#endif

#ifndef FZ_NAME
#define FZ_NAME "fuzz_acpi"
#endif
const char fuzz_name[] = FZ_NAME;

void fuzz_init(void)
{
}

static void check_rdm(const struct acpi_rdm *r, size_t len)
{
	char buf[64];

	FZ_CHECK(r->range.last >= r->range.base, "entry at 0x%x: range 0x%llx-0x%llx backwards", r->offset,
		 (unsigned long long)r->range.base, (unsigned long long)r->range.last);
	FZ_CHECK(r->offset < len, "entry offset 0x%x beyond the table (%zu bytes)", r->offset, len);
	FZ_CHECK(!r->nscope || r->scope, "entry at 0x%x: %zu scopes, no array", r->offset, r->nscope);
	for (size_t k = 0; k < r->nscope; k++) {
		FZ_CHECK(r->scope[k].nhops <= ACPI_PATH_MAX, "entry at 0x%x: %u hops", r->offset,
			 r->scope[k].nhops);
		FZ_CHECK(strlen(acpi_scope_format(&r->scope[k], buf)) < sizeof(buf), "scope text too long");
	}
	FZ_CHECK(strlen(acpi_ivmd_scope_format(r, buf)) < sizeof(buf), "IVMD scope text too long");
	FZ_CHECK(strlen(acpi_ivmd_flags_format(r->ivmd_flags, buf)) < 48, "IVMD flags text too long");
}

static void parse(const uint8_t *buf, size_t len, struct acpi_rdm_list *all)
{
	struct acpi_rdm_list l;
	struct vt_err err = { { 0 } };
	int rc = !strcmp(FZ_TABLE, "DMAR") ? acpi_dmar_parse(buf, len, &l, &err)
					   : acpi_ivrs_parse(buf, len, &l, &err);

	if (fz_verbose)
		fprintf(stderr, "  %s: %s\n", rc ? "error" : "ok", rc ? err.msg : "parsed");
	if (rc) {
		FZ_CHECK(rc < 0, "parse returned %d", rc);
		FZ_CHECK(!l.n && !l.rdm, "a failed parse leaves %zu entries", l.n);
		FZ_CHECK(!strncmp(err.msg, FZ_TABLE, 4), "error does not name the table: '%s'", err.msg);
		return;
	}
	for (size_t i = 0; i < l.n; i++)
		check_rdm(&l.rdm[i], len);
	if (acpi_rdm_list_append(all, &l))
		abort();
	FZ_CHECK(!l.n, "append left %zu entries behind", l.n);
	acpi_rdm_list_free(&l);
}

int fuzz_one(const uint8_t *data, size_t len)
{
	struct acpi_rdm_list all = { 0 };
	uint8_t *buf = malloc(len ? len : 1), sum = 0;

	if (!buf)
		abort();
	memcpy(buf, data, len);
	parse(buf, len, &all);
	if (len >= 36) {
		memcpy(buf, FZ_TABLE, 4);
		vt_le_put(buf + 4, 4, (uint32_t)len);
		buf[9] = 0;
		for (size_t i = 0; i < len; i++)
			sum = (uint8_t)(sum + buf[i]);
		buf[9] = (uint8_t)-sum;
		parse(buf, len, &all);
	}
	acpi_rdm_list_free(&all);
	free(buf);
	return 0;
}
