/* sandbox: child processes for parsing untrusted documents. */

#include "convert/sandbox.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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

void wy_sandbox_kill(pid_t pid)
{
	if (pid > 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
}

bool wy_sandbox_describe(int status, const wy_sandbox_limits *lim, char *buf, size_t cap)
{
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
