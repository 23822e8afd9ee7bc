/* sandbox: child processes for parsing untrusted documents. */

#include "convert/sandbox.h"
#include "core/log.h"

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

/* The credentials a worker holds for its store and blob store (an S3 key,
 * a database URL that may carry a password, the mail server's login): a
 * converter reads untrusted documents and needs none of them, and a
 * document that gets a file read out of its converter (a link to
 * /proc/self/environ) must find nothing. Their values are overwritten in
 * place, in the child's copy of the environment's memory, which
 * /proc/self/environ shows (unsetenv would leave the bytes there, and
 * takes a lock a fork may have left held). */
static void scrub_secrets(void)
{
	static const char *const names[] = {"AWS_SECRET_ACCESS_KEY=", "AWS_ACCESS_KEY_ID=", "AWS_SESSION_TOKEN=",
					    "WENYUAN_STORE_URL=",    "WENYUAN_SMTP_URL=",  "PGPASSWORD=",
					    "DATABASE_URL="};
	extern char **environ;
	for (char **e = environ; e && *e; e++)
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			size_t n = strlen(names[i]);
			if (strncmp(*e, names[i], n) == 0)
				memset(*e + n, 0, strlen(*e + n));
		}
}

int wy_sandbox_spawn(const wy_sandbox_limits *lim, const char *name, int (*fn)(void *arg, int out_fd, int in_fd),
		     void *arg, pid_t *pid_out, int *read_fd, int *request_fd, wy_errinfo *ei)
{
	int p[2], q[2] = {-1, -1};
	if (pipe2(p, O_CLOEXEC) != 0)
		return wy_err_set(ei, WY_EIO, "pipe: %s", strerror(errno));
	if (request_fd && pipe2(q, O_CLOEXEC) != 0) {
		close(p[0]);
		close(p[1]);
		return wy_err_set(ei, WY_EIO, "pipe: %s", strerror(errno));
	}
	/* Learn in the parent whether the child got its own network namespace:
	 * the child reports it as the first byte on the pipe. */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		if (request_fd) {
			close(q[0]);
			close(q[1]);
		}
		return wy_err_set(ei, WY_EIO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(p[0]);
		if (request_fd)
			close(q[1]);
		if (name)
			prctl(PR_SET_NAME, name, 0, 0, 0);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(111); /* the parent died before PDEATHSIG was set */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		close_other_fds(p[1], q[0]);
		scrub_secrets();
		catch_stack_overflow();
		struct rlimit r = {0, 0};
		setrlimit(RLIMIT_CORE, &r);
		/* AddressSanitizer reserves terabytes of address space: under it
		 * (tests only) the memory limit cannot be an RLIMIT_AS. */
		if (lim->memory_bytes && !wy_sandbox_asan) {
			r.rlim_cur = r.rlim_max = lim->memory_bytes;
			setrlimit(RLIMIT_AS, &r);
		}
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
		net_isolated = isolated;
		if (write(p[1], &isolated, 1) != 1)
			_exit(112);
		int rc = fn(arg, p[1], q[0]);
		_exit(rc & 0xff);
	}
	close(p[1]);
	if (request_fd) {
		close(q[0]);
		*request_fd = q[1];
	}
	setpgid(pid, pid); /* both sides set it: no race with wy_sandbox_kill */
	char isolated = 0;
	ssize_t r;
	do
		r = read(p[0], &isolated, 1);
	while (r < 0 && errno == EINTR);
	net_isolated = r == 1 && isolated;
	if (lim->no_network && !net_isolated)
		wy_debug("sandbox.network", "isolated=0 pid=%d", (int)pid);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	*pid_out = pid;
	*read_fd = p[0];
	return WY_OK;
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
