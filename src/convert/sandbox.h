/* sandbox: run a function that parses untrusted input in a child process
 * with a memory limit, a CPU limit, no network (where the kernel lets us),
 * no core dumps, and death when its parent dies. The wall-clock limit is the
 * parent's to enforce (wy_sandbox_kill), since only it can see time pass
 * while the child is blocked.
 *
 * The child talks to its parent through one pipe; everything else it
 * inherited is closed before it runs. A converter is a fresh image of the
 * program (wy_sandbox_spawn_exec), holding nothing of its parent's memory
 * (credentials above all) and only an allow-listed environment;
 * wy_sandbox_spawn, a plain fork that calls a function, is for the tests'
 * probes. A child that parses documents then
 * confines itself (wy_sandbox_confine): from then on it can open only the
 * paths it named, so a parser bug that follows a path from a document (an
 * HTML <img src="../../..">) finds nothing to read. */
#ifndef WY_SANDBOX_H
#define WY_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

typedef struct wy_sandbox_limits {
	uint64_t memory_bytes;   /* RLIMIT_AS; 0 = none */
	int cpu_seconds;         /* RLIMIT_CPU; 0 = none */
	bool no_network;         /* try a new network namespace */
} wy_sandbox_limits;

/* Fork; in the child apply limits, name the process (prctl, for ps and
 * pkill; at most 15 bytes) and call fn(arg, out_fd, in_fd), whose return
 * becomes the exit status. The child is a copy of the parent: only the
 * environment's values outside the allow-list are wiped, whatever else
 * the parent's memory holds is there (use wy_sandbox_spawn_exec for
 * anything that parses documents). The parent gets the child's pid and the read end
 * of the child's output pipe (O_CLOEXEC, non-blocking). When request_fd is
 * not NULL a second pipe carries requests to the child: the parent gets its
 * write end there and the child its read end as in_fd (else in_fd is -1). */
int wy_sandbox_spawn(const wy_sandbox_limits *lim, const char *name, int (*fn)(void *arg, int out_fd, int in_fd),
		     void *arg, pid_t *pid, int *read_fd, int *request_fd, wy_errinfo *ei);

/* The same, but the child then executes a fresh image of this program
 * (the running binary, opened before the fork, so a binary replaced on
 * disk meanwhile does not matter) instead of calling a function: nothing
 * of the parent's memory (a database password, an S3 key in a struct, a
 * mail login) is in the converter, and its environment is cut to what
 * converters need (the allow-list in sandbox.c; never a credential). The
 * limits, the process group, the network namespace and no_new_privs are
 * set before the exec and stay; the new image re-arms PDEATHSIG.
 *
 * The new image starts as a converter when its main() calls
 * wy_sandbox_exec_child first; it finds its output pipe at
 * WY_SANDBOX_OUT_FD, its request pipe (when request_fd was given) at
 * WY_SANDBOX_IN_FD, and `params` (params_len bytes, at most
 * WY_SANDBOX_PARAMS_MAX, copied; the caller's own encoding) there. name
 * is the new image's argv[0] and process name. Returns as
 * wy_sandbox_spawn; WY_ETOOBIG for params too long. A child that cannot
 * exec exits with a status wy_sandbox_describe explains. */
#define WY_SANDBOX_OUT_FD 3
#define WY_SANDBOX_IN_FD 4
#define WY_SANDBOX_PARAMS_MAX (1u << 20)
int wy_sandbox_spawn_exec(const wy_sandbox_limits *lim, const char *name, const void *params, size_t params_len,
			  pid_t *pid, int *read_fd, int *request_fd, wy_errinfo *ei);

/* Call first in main() of every program that spawns converters with
 * wy_sandbox_spawn_exec. In any other process it returns false and changes
 * nothing. In such a converter it re-arms death with the parent (and ends
 * at once if the parent is gone), names the process, catches a stack
 * overflow as wy_sandbox_spawn does, and returns true with the name
 * (borrowed from argv), the params (malloc'd, *len bytes; free them), and
 * the descriptors (out_fd; in_fd or -1). A marked process whose
 * parameters are missing or malformed exits with WY_SANDBOX_EXIT_PARAMS,
 * as its caller does with parameters it cannot decode (wy_sandbox_describe
 * explains it). */
#define WY_SANDBOX_EXIT_PARAMS 112
bool wy_sandbox_exec_child(int argc, char **argv, const char **name, void **params, size_t *len, int *out_fd,
			   int *in_fd);

/* What a confined process may still open. Each list is NULL-terminated
 * (or NULL); paths that do not exist are skipped. */
typedef struct wy_sandbox_fs {
	const char *const *read;      /* files or directory trees it may read (and list) */
	const char *const *write;     /* directory trees where it may also create, write, rename and remove */
	const char *const *devices;   /* directory trees of device files it may read, write and ioctl (/dev) */
} wy_sandbox_fs;

/* In a child: confine this process, for good, to the paths in fs through
 * Landlock; every other path fails to open with EACCES, whoever owns it
 * (root too). TCP bind and connect are refused too where the kernel can
 * (Landlock ABI 4), as a second fence behind the network namespace.
 * Descriptors already open stay usable. Returns WY_OK, WY_ENOTSUP when this
 * kernel has no Landlock (nothing is changed), or WY_EIO. Not thread-safe
 * (call it while the process has one thread). */
int wy_sandbox_confine(const wy_sandbox_fs *fs, wy_errinfo *ei);

/* In a child that has opened all it needs: when root, become nobody
 * (65534) for good, with no supplementary groups, so that even where the
 * kernel has no Landlock the child cannot read what only root may. WY_OK
 * or WY_EIO. */
int wy_sandbox_drop_root(wy_errinfo *ei);

/* In a child: give up every capability (effective, permitted,
 * inheritable, ambient and the bounding set) while keeping the user: root
 * without capabilities can no longer override file permissions, open raw
 * devices, mount or trace. WY_OK, or WY_EIO. */
int wy_sandbox_drop_caps(wy_errinfo *ei);

/* Whether this kernel offers Landlock (wy_sandbox_confine can work). */
bool wy_sandbox_fs_supported(void);

/* Kill the child's whole process group. */
void wy_sandbox_kill(pid_t pid);

/* Explain a wait status for people: "killed by signal 11 (Segmentation
 * fault)", "ran out of memory", "nested too deeply" (a child of
 * wy_sandbox_spawn that ran off the end of its stack, as a parser
 * recursing once per level of a document's nesting does) ... into buf. Returns true when it was a
 * clean exit with status 0. */
bool wy_sandbox_describe(int status, const wy_sandbox_limits *lim, char *buf, size_t cap);

/* False in sanitizer builds, where RLIMIT_AS cannot be used. */
bool wy_sandbox_memory_limited(void);

/* In the parent: whether the last spawn got a private network namespace.
 * In a child: whether this process has one. */
bool wy_sandbox_network_isolated(void);

#endif
