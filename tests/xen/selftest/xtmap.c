/* xtmap - the lab's self-test helper (tests/xen, scenario s0): grants and maps machine
 * frames 1:1 into a domain with libxenctrl, without vpcitrap, so that a failure of s0 means
 * the lab is broken rather than vpcitrap.
 *   xtmap add|remove DOMID MFN NR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

int main(int argc, char **argv)
{
	xc_interface *xch;
	unsigned long dom, mfn, nr;
	int add, rc1, rc2;

	if (argc != 5 || (strcmp(argv[1], "add") && strcmp(argv[1], "remove"))) {
		fprintf(stderr, "usage: xtmap add|remove DOMID MFN NR\n");
		return 2;
	}
	add = !strcmp(argv[1], "add");
	dom = strtoul(argv[2], NULL, 0);
	mfn = strtoul(argv[3], NULL, 0);
	nr = strtoul(argv[4], NULL, 0);
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		perror("xc_interface_open");
		return 1;
	}
	if (add) {
		rc1 = xc_domain_iomem_permission(xch, dom, mfn, nr, 1);
		rc2 = rc1 ? rc1 : xc_domain_memory_mapping(xch, dom, mfn, mfn, nr, DPCI_ADD_MAPPING);
	} else {
		rc1 = xc_domain_memory_mapping(xch, dom, mfn, mfn, nr, DPCI_REMOVE_MAPPING);
		rc2 = xc_domain_iomem_permission(xch, dom, mfn, nr, 0);
	}
	printf("XTMAP %s dom=%lu mfn=0x%lx nr=0x%lx: %d %d (%s)\n", argv[1], dom, mfn, nr, rc1,
	       rc2, rc1 || rc2 ? strerror(errno) : "ok");
	xc_interface_close(xch);
	return rc1 || rc2;
}
