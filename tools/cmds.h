/* tools/cmds.h - the vpcitrap subcommands. Each returns the exit status (CONTRACT §4). */
#ifndef VT_CMDS_H
#define VT_CMDS_H

int cmd_replay(int argc, char **argv);
int cmd_import_qemu(int argc, char **argv);
int cmd_dmar(int argc, char **argv);
int cmd_ivrs(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif
