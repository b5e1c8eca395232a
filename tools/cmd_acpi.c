/*
 * tools/cmd_acpi.c - `vpcitrap dmar FILE` and `vpcitrap ivrs FILE`
 * (CONTRACT §4): the reserved-memory ranges of a binary ACPI table, one
 * line each, in table order. Format in docs/acpi.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mapper/acpi.h"
#include "cmds.h"

/* rmrr BASE-LAST scope PATH[ PATH...] */
static void print_rmrr(const struct acpi_rdm *r)
{
	char range[48], path[64];

	printf("rmrr %s scope", vt_fmt_range(&r->range, range));
	for (size_t i = 0; i < r->nscope; i++)
		printf(" %s", acpi_scope_format(&r->scope[i], path));
	if (r->nscope == 0)
		printf(" none");
	printf("\n");
}

/* ivmd BASE-LAST scope all|BB:DD.F|BB:DD.F-BB:DD.F flags=unity,ir,iw,exclusion */
static void print_ivmd(const struct acpi_rdm *r)
{
	char range[48], scope[64], flags[48];

	printf("ivmd %s scope %s flags=%s\n", vt_fmt_range(&r->range, range),
	       acpi_ivmd_scope_format(r, scope), acpi_ivmd_flags_format(r->ivmd_flags, flags));
}

static int acpi_cmd(int argc, char **argv,
		    int (*parse)(const uint8_t *buf, size_t len, struct acpi_rdm_list *out,
				 struct vt_err *err),
		    void (*print)(const struct acpi_rdm *r))
{
	struct acpi_rdm_list l;
	struct vt_err err;
	uint8_t *buf;
	size_t len;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: vpcitrap %s FILE\n", argv[0]);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: vpcitrap %s FILE\n", argv[0]);
		return 2;
	}
	if (acpi_file_read(argv[1], &buf, &len, &err) < 0) {
		fprintf(stderr, "vpcitrap %s: %s\n", argv[0], err.msg);
		return 2;
	}
	rc = parse(buf, len, &l, &err);
	free(buf);
	if (rc < 0) {
		fprintf(stderr, "vpcitrap %s: %s: %s\n", argv[0], argv[1], err.msg);
		return 2;
	}
	for (size_t i = 0; i < l.n; i++)
		print(&l.rdm[i]);
	acpi_rdm_list_free(&l);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("vpcitrap: stdout");
		return 2;
	}
	return 0;
}

int cmd_dmar(int argc, char **argv)
{
	return acpi_cmd(argc, argv, acpi_dmar_parse, print_rmrr);
}

int cmd_ivrs(int argc, char **argv)
{
	return acpi_cmd(argc, argv, acpi_ivrs_parse, print_ivmd);
}
