/* sandbox: child processes for parsing untrusted documents. */

#include "convert/sandbox.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static bool net_isolated;

#if defined(__SANITIZE_ADDRESS__)
static const bool wy_sandbox_asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
static const bool wy_sandbox_asan = true;
#else
static const bool wy_sandbox_asan = false;
#endif
#else
static const bool wy_sandbox_asan = false;
#endif

bool wy_sandbox_memory_limited(void) { return !wy_sandbox_asan; }

bool wy_sandbox_network_isolated(void) { return net_isolated; }

/* A parser that recurses as deep as a hostile document nests (MuPDF lays
 * out HTML, EPUB, FB2, Markdown and Kindle books one call per level of
 * nesting: 10000 nested <div> overflow 8 MB) runs off the end of its
 * stack and gets SIGSEGV. Caught on a stack of its own, a fault at the
 * end of the stack ends the child with EXIT_STACK, which
 * wy_sandbox_describe turns into a reason; any other fault is left to
 * kill the child as before (SA_RESETHAND: the faulting instruction runs
 * again, now without the handler). */
#define EXIT_STACK 113
static uintptr_t stack_lo, stack_hi;
static unsigned char alt_stack[64 << 10];

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	uintptr_t a = (uintptr_t)si->si_addr;
	if (a >= stack_lo && a < stack_hi)
		_exit(EXIT_STACK);
}

static void catch_stack_overflow(void)
{
	struct rlimit r;
	if (wy_sandbox_asan || getrlimit(RLIMIT_STACK, &r) != 0)
		return;
	/* The stack ends at most its limit below here, and the kernel keeps a
	 * guard gap (1 MB by default) below that: a fault anywhere between is
	 * the stack's. An unlimited stack is bounded by the memory limit. */
	uint64_t size = r.rlim_cur == RLIM_INFINITY || r.rlim_cur > (1ull << 32) ? (1ull << 32) : r.rlim_cur;
	unsigned char here;
	stack_hi = (uintptr_t)&here;
	uint64_t below = size + (4u << 20);
	stack_lo = stack_hi > below ? stack_hi - (uintptr_t)below : 0;
	stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack};
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND};
	sigemptyset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) == 0)
		sigaction(SIGSEGV, &sa, NULL);
}

/* Close every descriptor but stdin/out/err and the two kept: the store's
 * database and the server's sockets must not be reachable from a parser. */
static void close_other_fds(int keep, int keep2)
{
	int a = keep < keep2 ? keep : keep2, b = keep < keep2 ? keep2 : keep;
	unsigned lo = 3;
	int ks[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		if (ks[i] < (int)lo)
			continue;
		if ((unsigned)ks[i] > lo)
			close_range(lo, (unsigned)ks[i] - 1, 0);
		lo = (unsigned)ks[i] + 1;
	}
	close_range(lo, ~0u, 0);
}

/* What of the environment a converter keeps: the allow-list, the one rule
 * for both kinds of child. A worker holds credentials for its store, its
 * blob store and its mail server (WENYUAN_STORE_URL, AWS_*, PGPASSWORD,
 * WENYUAN_SMTP_URL ...): a converter reads untrusted documents and needs
 * none of them, and a document that gets a file read out of its converter
 * (a link to /proc/self/environ) must find nothing. A list of exact names
 * of what is allowed rather than of what is secret, and no prefixes: a
 * credential under a name no one thought of stays out too (an attack round
 * put LC_SECRET and SAL_TOKEN through the prefixes an earlier list had).
 * What is here: where programs and libraries are found, language, locale
 * categories and time zone, temporary files, glibc's charset modules,
 * Tesseract's models and threads, fontconfig's configuration, the log
 * level and the sanitizers' options. The office converter sets what
 * LibreOffice needs itself (convert/office.c); the tests' hooks are read
 * by the worker, which passes them as parameters. */
static bool env_allowed(const char *entry)
{
	static const char *const names[] = {
		"PATH",		 "HOME",	   "USER",	     "LOGNAME",		 "LANG",
		"LANGUAGE",	 "TZ",		   "TMPDIR",	     "LC_ALL",		 "LC_CTYPE",
		"LC_COLLATE",	 "LC_MESSAGES",	   "LC_NUMERIC",     "LC_TIME",		 "LC_MONETARY",
		"LC_PAPER",	 "LC_NAME",	   "LC_ADDRESS",     "LC_TELEPHONE",	 "LC_MEASUREMENT",
		"LC_IDENTIFICATION", "GCONV_PATH", "TESSDATA_PREFIX", "OMP_THREAD_LIMIT", "LD_LIBRARY_PATH",
		"FONTCONFIG_FILE", "FONTCONFIG_PATH", "WENYUAN_LOG",   "ASAN_OPTIONS",	 "UBSAN_OPTIONS",
		"LSAN_OPTIONS"};
	const char *eq = strchr(entry, '=');
	if (!eq)
		return false;
	size_t n = (size_t)(eq - entry);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && memcmp(entry, names[i], n) == 0)
			return true;
	return false;
}

/* A forked child (wy_sandbox_spawn) keeps its parent's environment: the
 * values of what is not allowed are overwritten in place, in the child's
 * copy of the environment's memory, which /proc/self/environ shows
 * (unsetenv would leave the bytes there, and takes a lock a fork may have
 * left held). The rest of the parent's memory is still there: real
 * converters are fresh images (wy_sandbox_spawn_exec). */
static void scrub_environment(void)
{
	extern char **environ;
	for (char **e = environ; e && *e; e++)
		if (!env_allowed(*e)) {
			char *eq = strchr(*e, '=');
			if (eq)
				memset(eq + 1, 0, strlen(eq + 1));
		}
}

/* The first steps of either child: its own process group (so that
 * wy_sandbox_kill reaches whatever it starts), death with its parent, the
 * default action for the signals a server catches. */
static void child_start(pid_t parent)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(111); /* the parent died before PDEATHSIG was set */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

static void limit_memory(uint64_t bytes)
{
	/* AddressSanitizer reserves terabytes of address space: under it
	 * (tests only) the memory limit cannot be an RLIMIT_AS. */
	if (bytes && !wy_sandbox_asan) {
		struct rlimit r = {bytes, bytes};
		setrlimit(RLIMIT_AS, &r);
	}
}

/* The limits of either child; returns whether it got its own network
 * namespace. Everything here survives an exec. The memory limit is set
 * here only when memory is true: a fresh image must first map its
 * libraries, which a limit meant for a parser's allocations (64 MiB in a
 * test) may not leave room for; it sets the limit itself then. */
static char child_limits(const wy_sandbox_limits *lim, bool memory)
{
	struct rlimit r = {0, 0};
	setrlimit(RLIMIT_CORE, &r);
	if (memory)
		limit_memory(lim->memory_bytes);
	if (lim->cpu_seconds > 0) {
		r.rlim_cur = (rlim_t)lim->cpu_seconds;
		r.rlim_max = (rlim_t)lim->cpu_seconds + 5;
		setrlimit(RLIMIT_CPU, &r);
	}
	char isolated = 0;
	if (lim->no_network) {
		/* As root a plain CLONE_NEWNET works; otherwise a user
		 * namespace first, where unprivileged ones are allowed. */
		if (unshare(CLONE_NEWNET) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0)
			isolated = 1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return isolated;
}

/* The parent's side of either spawn, once forked: learn whether the child
 * got its own network namespace (the first byte on the pipe). */
static void parent_finish(const wy_sandbox_limits *lim, pid_t pid, int read_end, pid_t *pid_out, int *read_fd)
{
	setpgid(pid, pid); /* both sides set it: no race with wy_sandbox_kill */
	char isolated = 0;
	ssize_t r;
	do
		r = read(read_end, &isolated, 1);
	while (r < 0 && errno == EINTR);
	net_isolated = r == 1 && isolated;
	if (lim->no_network && !net_isolated)
		wy_debug("sandbox.network", "isolated=0 pid=%d", (int)pid);
	fcntl(read_end, F_SETFL, fcntl(read_end, F_GETFL) | O_NONBLOCK);
	*pid_out = pid;
	*read_fd = read_end;
}

static int open_pipes(int p[2], int q[2], bool want_q, wy_errinfo *ei)
{
	if (pipe2(p, O_CLOEXEC) != 0)
		return wy_err_set(ei, WY_EIO, "pipe: %s", strerror(errno));
	if (want_q && pipe2(q, O_CLOEXEC) != 0) {
		close(p[0]);
		close(p[1]);
		return wy_err_set(ei, WY_EIO, "pipe: %s", strerror(errno));
	}
	return WY_OK;
}

static void close_pipes(int p[2], int q[2])
{
	for (int i = 0; i < 2; i++) {
		if (p[i] >= 0)
			close(p[i]);
		if (q[i] >= 0)
			close(q[i]);
	}
}

int wy_sandbox_spawn(const wy_sandbox_limits *lim, const char *name, int (*fn)(void *arg, int out_fd, int in_fd),
		     void *arg, pid_t *pid_out, int *read_fd, int *request_fd, wy_errinfo *ei)
{
	int p[2] = {-1, -1}, q[2] = {-1, -1};
	int rc = open_pipes(p, q, request_fd != NULL, ei);
	if (rc)
		return rc;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close_pipes(p, q);
		return wy_err_set(ei, WY_EIO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(p[0]);
		if (request_fd)
			close(q[1]);
		if (name)
			prctl(PR_SET_NAME, name, 0, 0, 0);
		child_start(parent);
		close_other_fds(p[1], q[0]);
		scrub_environment();
		catch_stack_overflow();
		char isolated = child_limits(lim, true);
		net_isolated = isolated;
		if (write(p[1], &isolated, 1) != 1)
			_exit(112);
		int r = fn(arg, p[1], q[0]);
		_exit(r & 0xff);
	}
	close(p[1]);
	if (request_fd) {
		close(q[0]);
		*request_fd = q[1];
	}
	parent_finish(lim, pid, p[0], pid_out, read_fd);
	return WY_OK;
}

/* ---- fresh images --------------------------------------------------------
 * The child of wy_sandbox_spawn_exec finds, at exec: its output pipe at 3,
 * its request pipe at 4 (or nothing there), and at PARAMS_FD a memfd that
 * holds a header (MAGIC, the parent's pid as 4 bytes little-endian,
 * whether the child has its own network namespace, 3 zero bytes, the
 * memory limit as 8 bytes little-endian) and then the caller's
 * parameters. Its environment holds CHILD_MARK=1 besides what
 * env_allowed lets through. */
#define PARAMS_FD 5
#define EXE_FD 6
#define MAGIC "WYSANDBX"
#define HDR_LEN 24
#define CHILD_MARK "WY_SANDBOX_CHILD"
#define EXIT_EXEC 110   /* could not exec the fresh image */
#define EXIT_PARAMS WY_SANDBOX_EXIT_PARAMS /* could not hand over, or read, its parameters */

/* In the forked child: move the pipes, the parameters and the program to
 * their numbers (through numbers above them, since a descriptor may sit on
 * another's target) and close everything else. */
static void place_fds(int out, int in, int params, int exe)
{
	int from[4] = {out, in, params, exe}, to[4] = {WY_SANDBOX_OUT_FD, WY_SANDBOX_IN_FD, PARAMS_FD, EXE_FD};
	for (int i = 0; i < 4; i++)
		if (from[i] >= 0 && (from[i] = fcntl(from[i], F_DUPFD_CLOEXEC, 16)) < 0)
			_exit(EXIT_EXEC);
	for (int i = 0; i < 4; i++)
		if (from[i] >= 0 ? dup2(from[i], to[i]) != to[i] : close(to[i]) != 0 && errno != EBADF)
			_exit(EXIT_EXEC);
	close_range(EXE_FD + 1, ~0u, 0);
	fcntl(EXE_FD, F_SETFD, FD_CLOEXEC); /* the new image has no use for it */
}

/* A plain loop, not wy_write_all: a test's armed write fault is not ours
 * to take. */
static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int wy_sandbox_spawn_exec(const wy_sandbox_limits *lim, const char *name, const void *params, size_t params_len,
			  pid_t *pid_out, int *read_fd, int *request_fd, wy_errinfo *ei)
{
	if (params_len > WY_SANDBOX_PARAMS_MAX)
		return wy_err_set(ei, WY_ETOOBIG, "sandbox: the converter's parameters are too long (%zu bytes)",
				  params_len);
	/* The program as it runs now: a binary replaced on disk since (an
	 * upgrade) is not what this process is. */
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return wy_err_set(ei, WY_EIO, "sandbox: cannot open /proc/self/exe: %s", strerror(errno));
	int mfd = memfd_create("wy-params", MFD_CLOEXEC);
	if (mfd < 0) {
		int rc = wy_err_set(ei, WY_EIO, "sandbox: memfd_create: %s", strerror(errno));
		close(exe);
		return rc;
	}
	pid_t parent = getpid();
	unsigned char h[HDR_LEN] = {0};
	memcpy(h, MAGIC, 8);
	for (int i = 0; i < 4; i++)
		h[8 + i] = (unsigned char)((uint32_t)parent >> (8 * i));
	for (int i = 0; i < 8; i++)
		h[16 + i] = (unsigned char)(lim->memory_bytes >> (8 * i));
	int p[2] = {-1, -1}, q[2] = {-1, -1};
	int rc = WY_OK;
	if (write_all(mfd, h, sizeof h) || write_all(mfd, params, params_len))
		rc = wy_err_set(ei, WY_EIO, "sandbox: cannot write the converter's parameters: %s", strerror(errno));
	if (!rc)
		rc = open_pipes(p, q, request_fd != NULL, ei);
	if (rc) {
		close(mfd);
		close(exe);
		return rc;
	}
	/* Made before the fork: a child of a process with threads may not
	 * allocate. The strings are the parent's, which the child's copy of
	 * its memory still holds at exec. */
	extern char **environ;
	size_t n = 0;
	for (char **e = environ; e && *e; e++)
		n++;
	char **envp = wy_xcalloc(n + 2, sizeof *envp);
	size_t k = 0;
	for (char **e = environ; e && *e; e++)
		if (env_allowed(*e))
			envp[k++] = *e;
	envp[k] = (char *)CHILD_MARK "=1";
	char *argv[] = {(char *)name, NULL};
	pid_t pid = fork();
	if (pid < 0) {
		rc = wy_err_set(ei, WY_EIO, "fork: %s", strerror(errno));
		close_pipes(p, q);
		close(mfd);
		close(exe);
		free(envp);
		return rc;
	}
	if (pid == 0) {
		/* Not named yet: the name is the fresh image's (see
		 * wy_sandbox_exec_child), so that a process with it never
		 * holds the parent's memory. */
		child_start(parent);
		place_fds(p[1], request_fd ? q[0] : -1, mfd, exe);
		char isolated = child_limits(lim, false);
		if (pwrite(PARAMS_FD, &isolated, 1, 12) != 1 || write(WY_SANDBOX_OUT_FD, &isolated, 1) != 1)
			_exit(EXIT_PARAMS);
		execveat(EXE_FD, "", argv, envp, AT_EMPTY_PATH);
		_exit(EXIT_EXEC);
	}
	free(envp);
	close(mfd);
	close(exe);
	close(p[1]);
	if (request_fd) {
		close(q[0]);
		*request_fd = q[1];
	}
	parent_finish(lim, pid, p[0], pid_out, read_fd);
	return WY_OK;
}

bool wy_sandbox_exec_child(int argc, char **argv, const char **name, void **params, size_t *len, int *out_fd,
			   int *in_fd)
{
	const char *mark = getenv(CHILD_MARK);
	if (!mark || strcmp(mark, "1") != 0 || argc < 1 || !argv[0] || !argv[0][0])
		return false;
	/* what this converter starts in turn (LibreOffice's helpers) is no
	 * converter of ours */
	unsetenv(CHILD_MARK);
	prctl(PR_SET_NAME, argv[0], 0, 0, 0);
	/* PDEATHSIG survives an exec, but not one that changed credentials
	 * (a user namespace's capabilities lost at exec): set it again, and
	 * see that the parent did not die before. */
	unsigned char h[HDR_LEN];
	struct stat st;
	if (fstat(PARAMS_FD, &st) != 0 || st.st_size < HDR_LEN || st.st_size > HDR_LEN + WY_SANDBOX_PARAMS_MAX ||
	    pread(PARAMS_FD, h, HDR_LEN, 0) != HDR_LEN || memcmp(h, MAGIC, 8) != 0 || h[12] > 1) {
		/* the marker, but no converter's start: someone's environment
		 * (an attack round ran `WY_SANDBOX_CHILD=1 wenyuan --version`) */
		static const char msg[] = "wenyuan: " CHILD_MARK " is set, but this process was not started as a "
					  "converter: unset it\n";
		if (write(2, msg, sizeof msg - 1) < 0) {
			/* nothing more to say it with */
		}
		_exit(EXIT_PARAMS);
	}
	pid_t parent = (pid_t)((uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(111);
	net_isolated = h[12];
	uint64_t memory = 0;
	for (int i = 0; i < 8; i++)
		memory |= (uint64_t)h[16 + i] << (8 * i);
	size_t n = (size_t)st.st_size - HDR_LEN;
	unsigned char *b = wy_xmalloc(n + 1);
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(PARAMS_FD, b + got, n - got, (off_t)(HDR_LEN + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(EXIT_PARAMS);
		got += (size_t)r;
	}
	close(PARAMS_FD);
	/* LibreOffice starts helpers: the pipes are this process's alone */
	fcntl(WY_SANDBOX_OUT_FD, F_SETFD, FD_CLOEXEC);
	bool has_in = fcntl(WY_SANDBOX_IN_FD, F_SETFD, FD_CLOEXEC) == 0;
	catch_stack_overflow();
	limit_memory(memory); /* now that the program and its libraries are mapped */
	*name = argv[0];
	*params = b;
	*len = n;
	*out_fd = WY_SANDBOX_OUT_FD;
	*in_fd = has_in ? WY_SANDBOX_IN_FD : -1;
	return true;
}

/* ---- Landlock ----------------------------------------------------------
 * Declared here rather than taken from <linux/landlock.h>: Debian 12's
 * headers stop at ABI 2, while the running kernel may offer more (TRUNCATE
 * in 3, TCP in 4, IOCTL_DEV in 5). Each right is handled (and so denied
 * unless a rule grants it) only when the kernel knows it. */
#define LL_FS_EXECUTE (1ull << 0)
#define LL_FS_WRITE_FILE (1ull << 1)
#define LL_FS_READ_FILE (1ull << 2)
#define LL_FS_READ_DIR (1ull << 3)
#define LL_FS_REMOVE_DIR (1ull << 4)
#define LL_FS_REMOVE_FILE (1ull << 5)
#define LL_FS_MAKE_CHAR (1ull << 6)
#define LL_FS_MAKE_DIR (1ull << 7)
#define LL_FS_MAKE_REG (1ull << 8)
#define LL_FS_MAKE_SOCK (1ull << 9)
#define LL_FS_MAKE_FIFO (1ull << 10)
#define LL_FS_MAKE_BLOCK (1ull << 11)
#define LL_FS_MAKE_SYM (1ull << 12)
#define LL_FS_REFER (1ull << 13)     /* ABI 2 */
#define LL_FS_TRUNCATE (1ull << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ull << 15) /* ABI 5 */
#define LL_NET_BIND_TCP (1ull << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1)
#define LL_RULE_PATH_BENEATH 1

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

static int ll_abi(void)
{
#ifdef SYS_landlock_create_ruleset
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u /* LANDLOCK_CREATE_RULESET_VERSION */);
	return v > 0 ? (int)v : 0;
#else
	return 0;
#endif
}

bool wy_sandbox_fs_supported(void) { return ll_abi() > 0; }

int wy_sandbox_drop_caps(wy_errinfo *ei)
{
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* the bounding set first: dropping from it needs CAP_SETPCAP */
	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL)
			break; /* past the kernel's last capability */
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d) != 0)
		return wy_err_set(ei, WY_EIO, "sandbox: capset: %s", strerror(errno));
	return WY_OK;
}

int wy_sandbox_drop_root(wy_errinfo *ei)
{
	if (geteuid() != 0)
		return WY_OK;
	const uid_t uid = 65534;
	const gid_t gid = 65534;
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0)
		return wy_err_set(ei, WY_EIO, "sandbox: cannot become user %u: %s", (unsigned)uid, strerror(errno));
	return WY_OK;
}

#ifdef SYS_landlock_create_ruleset
/* Grant `access` (cut to what a file may have, for a file) beneath path. */
static int ll_allow(int ruleset, const char *path, uint64_t access, uint64_t handled, wy_errinfo *ei)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return WY_OK; /* nothing there to grant */
	struct stat st;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		access &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV;
	struct ll_path_beneath_attr pb = {.allowed_access = access & handled, .parent_fd = fd};
	long r = syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0);
	int e = errno;
	close(fd);
	if (r != 0)
		return wy_err_set(ei, WY_EIO, "sandbox: cannot allow %s: %s", path, strerror(e));
	return WY_OK;
}
#endif

int wy_sandbox_confine(const wy_sandbox_fs *fs, wy_errinfo *ei)
{
	int abi = ll_abi();
	if (abi <= 0)
		return wy_err_set(ei, WY_ENOTSUP, "this kernel has no Landlock");
#ifdef SYS_landlock_create_ruleset
	uint64_t handled = (LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: rights 0..12 */
	if (abi >= 2)
		handled |= LL_FS_REFER;
	if (abi >= 3)
		handled |= LL_FS_TRUNCATE;
	if (abi >= 5)
		handled |= LL_FS_IOCTL_DEV;
	struct ll_ruleset_attr attr = {.handled_access_fs = handled};
	size_t attr_size = sizeof attr.handled_access_fs;
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP; /* no rule grants them */
		attr_size = sizeof attr;
	}
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (rs < 0)
		return wy_err_set(ei, WY_EIO, "sandbox: landlock_create_ruleset: %s", strerror(errno));
	const uint64_t rd = LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_EXECUTE;
	const uint64_t wr = rd | LL_FS_WRITE_FILE | LL_FS_TRUNCATE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE |
			    LL_FS_MAKE_DIR | LL_FS_MAKE_REG | LL_FS_MAKE_SYM | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO |
			    LL_FS_REFER;
	const uint64_t dev = LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_READ_DIR | LL_FS_IOCTL_DEV;
	int rc = WY_OK;
	for (const char *const *p = fs ? fs->read : NULL; !rc && p && *p; p++)
		rc = ll_allow(rs, *p, rd, handled, ei);
	for (const char *const *p = fs ? fs->write : NULL; !rc && p && *p; p++)
		rc = ll_allow(rs, *p, wr, handled, ei);
	for (const char *const *p = fs ? fs->devices : NULL; !rc && p && *p; p++)
		rc = ll_allow(rs, *p, dev, handled, ei);
	/* A sanitizer reads /proc/self/maps when it reports (tests only). */
	if (!rc && wy_sandbox_asan)
		rc = ll_allow(rs, "/proc/self", rd, handled, ei);
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		rc = wy_err_set(ei, WY_EIO, "sandbox: no_new_privs: %s", strerror(errno));
	if (!rc && syscall(SYS_landlock_restrict_self, rs, 0) != 0)
		rc = wy_err_set(ei, WY_EIO, "sandbox: landlock_restrict_self: %s", strerror(errno));
	close(rs);
	return rc;
#else
	(void)fs;
	return wy_err_set(ei, WY_ENOTSUP, "built without Landlock");
#endif
}

void wy_sandbox_kill(pid_t pid)
{
	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
}

bool wy_sandbox_describe(int status, const wy_sandbox_limits *lim, char *buf, size_t cap)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_STACK) {
		snprintf(buf, cap, "the document is nested too deeply: the converter ran out of stack");
		return false;
	}
	if (WIFEXITED(status) && (WEXITSTATUS(status) == EXIT_EXEC || WEXITSTATUS(status) == EXIT_PARAMS)) {
		snprintf(buf, cap, "the converter could not start (status %d)", WEXITSTATUS(status));
		return false;
	}
	if (WIFEXITED(status)) {
		snprintf(buf, cap, "converter exited with status %d", WEXITSTATUS(status));
		return WEXITSTATUS(status) == 0;
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		if (sig == SIGXCPU)
			snprintf(buf, cap, "converter passed its CPU limit of %d s", lim ? lim->cpu_seconds : 0);
		else if (sig == SIGKILL)
			snprintf(buf, cap, "converter was killed");
		else
			snprintf(buf, cap, "converter crashed (signal %d, %s)", sig, strsignal(sig));
		return false;
	}
	snprintf(buf, cap, "converter stopped (status %d)", status);
	return false;
}
