/* tools/vpcitrap.c - the front end: subcommands and exit codes (CONTRACT §4). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cmds.h"
#include "replay.h"

static void usage(FILE *f)
{
	fputs("usage: vpcitrap COMMAND [ARGS]\n"
	      "  replay TRACE [--machine FILE] [--sizes FILE] [--rdm SPEC] [--dmar FILE] [--ivrs FILE]\n"
	      "         [--memmap DIR] [--final] [--quiet]\n"
	      "  import-qemu LOG -o TRACE\n"
	      "  dmar FILE | ivrs FILE\n"
	      "  serve --domid N ... | serve --sim TRACE --vcpus N ...\n"
	      "  snapshot -o FILE\n"
	      "  bench [--quick]\n"
	      "Exit status: 0 ok, 1 mismatches found, 2 bad usage or input.\n", f);
}

int cmd_replay(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "machine", required_argument, 0, 'm' }, { "sizes", required_argument, 0, 's' },
		{ "rdm", required_argument, 0, 'r' },     { "final", no_argument, 0, 'f' },
		{ "quiet", no_argument, 0, 'q' },         { "help", no_argument, 0, 'h' },
		{ "dmar", required_argument, 0, 'D' },    { "ivrs", required_argument, 0, 'I' },
		{ "memmap", required_argument, 0, 'M' },
		{ 0, 0, 0, 0 },
	};
	struct replay_opts o = { 0 };
	struct vt_err err = { "" };
	static char buf[1 << 16];
	int c, rc;

	while ((c = getopt_long(argc, argv, "m:s:r:fqh", lo, NULL)) != -1) {
		switch (c) {
		case 'm': o.machine = optarg; break;
		case 's': o.sizes = optarg; break;
		case 'r': o.rdm = optarg; break;
		case 'f': o.final = true; break;
		case 'q': o.quiet = true; break;
		case 'D':
		case 'I':
			if (o.nacpi == VT_ARRAY_SIZE(o.acpi)) {
				fprintf(stderr, "vpcitrap replay: too many --dmar/--ivrs\n");
				return 2;
			}
			o.acpi[o.nacpi++] = optarg;
			break;
		case 'M': o.memmap = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vpcitrap replay: expected one TRACE\n");
		return 2;
	}
	o.trace = argv[optind];
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	rc = replay_run(&o, stdout, NULL, &err);
	fflush(stdout);
	if (rc == 2)
		fprintf(stderr, "vpcitrap replay: %s\n", err.msg);
	return rc;
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "replay", cmd_replay },     { "import-qemu", cmd_import_qemu }, { "dmar", cmd_dmar },
	{ "ivrs", cmd_ivrs },         { "serve", cmd_serve },             { "snapshot", cmd_snapshot },
	{ "bench", cmd_bench },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vpcitrap %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vpcitrap: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
