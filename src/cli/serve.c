/* cli/serve: `wenyuan serve`: the site (web/site.h) and, unless
 * --no-worker, an embedded worker process converting queued documents,
 * restarted when it dies. This file owns the process: its arguments, its
 * signals (SIGTERM/SIGINT stop gracefully, SIGHUP reloads the settings),
 * what it tells systemd, and its children; the site owns everything about
 * HTTP. */
#include "cli/cli.h"
#include "core/log.h"
#include "core/notify.h"
#include "core/util.h"
#include "web/site.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t serve_stop, serve_reload;

static void on_stop(int sig)
{
	(void)sig;
	serve_stop = 1;
}

static void on_reload(int sig)
{
	(void)sig;
	serve_reload = 1;
}

/* SIGHUP: the settings as the file and the environment give them now, for
 * the site and (by its own SIGHUP) the embedded worker; on an error, the
 * ones in force stay. */
static void reload(const wy_config *cfg, wy_site *site, pid_t wpid)
{
	wy_notify_reloading();
	wy_config *fresh = wy_xmalloc(sizeof *fresh);
	wy_errinfo ei = {0};
	int rc = wy_config_reread(cfg, fresh, &ei);
	if (rc) {
		wy_error("serve.reload_failed", "msg=\"%s\" settings=unchanged", wy_err_msg(&ei, rc));
	} else {
		wy_site_reload(site, fresh);
		wy_log("serve.reload", "file=%s", fresh->file[0] ? fresh->file : "none");
	}
	free(fresh);
	if (wpid > 0)
		kill(wpid, SIGHUP);
	wy_notify_ready(rc ? "serving (the settings file has an error: see the log)" : "serving");
}

/* SIGCHLD only interrupts the serve loop's sleep, so a dead worker is
 * noticed at once. */
static void on_child(int sig) { (void)sig; }

/* The embedded worker is `wenyuan worker` in a process of its own: fork
 * and exec at once (the server has threads; between fork and exec only
 * async-signal-safe calls), with the settings passed in its environment. */
static pid_t start_worker(const char *self, char **envp)
{
	static char arg0[] = "wenyuan", arg1[] = "worker";
	char *argv[] = {arg0, arg1, NULL};
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_IGN); /* Ctrl-C reaches the server, which stops the worker */
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_IGN); /* until the worker routes it */
	execve(self, argv, envp);
	_exit(127);
}


int wy_cmd_serve(wy_config *cfg, int argc, char **argv)
{
	bool worker = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			wy_cli_usage(stdout, "serve");
			return 0;
		} else if (strcmp(argv[i], "--no-worker") == 0) {
			worker = false;
		} else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			/* ADDR:PORT */
			char addr[64];
			const char *colon = strrchr(argv[i + 1], ':');
			wy_errinfo ei = {0};
			int rc = WY_EINVAL;
			if (colon && (size_t)(colon - argv[i + 1]) < sizeof addr) {
				snprintf(addr, sizeof addr, "%.*s", (int)(colon - argv[i + 1]), argv[i + 1]);
				rc = wy_config_set(cfg, "http_addr", addr, &ei);
				if (!rc)
					rc = wy_config_set(cfg, "http_port", colon + 1, &ei);
			}
			if (rc) {
				fprintf(stderr, "wenyuan: --listen takes ADDR:PORT, e.g. 127.0.0.1:8080\n");
				return 1;
			}
			i++;
		} else if ((strcmp(argv[i], "--port") == 0 || strcmp(argv[i], "--addr") == 0) && i + 1 < argc) {
			wy_errinfo ei = {0};
			int rc = wy_config_set(cfg, argv[i][2] == 'p' ? "http_port" : "http_addr", argv[i + 1], &ei);
			if (rc) {
				fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
				return 1;
			}
			i++;
		} else {
			fprintf(stderr, "wenyuan serve: unknown argument %s\n", argv[i]);
			return 1;
		}
	}
	/* The site first: everything that can fail is checked before the
	 * worker starts. */
	int status = 1;
	pid_t wpid = 0;
	char **envp = NULL;
	wy_site *site = NULL;
	wy_errinfo ei = {0};
	int rc = wy_site_start(cfg, &site, &ei);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	envp = wy_config_environ(cfg);
	/* The binary by its real name, so the worker shows as wenyuan in ps. */
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl > 0)
		self[sl] = 0;
	else
		snprintf(self, sizeof self, "/proc/self/exe");
	if (worker && (wpid = start_worker(self, envp)) < 0) {
		fprintf(stderr, "wenyuan: cannot start the worker: %s\n", strerror(errno));
		wpid = 0;
		goto out;
	}
	int port = wy_site_port(site);
	unsigned threads, conns;
	wy_site_limits(site, &threads, &conns);
	wy_log("serve.start", "url=http://%s:%d/ worker=%d threads=%u connections=%u", cfg->http_addr, port, worker,
	       threads, conns);
	printf("wenyuan is serving http://%s:%d/ (Ctrl-C stops it)\n", cfg->http_addr, port);
	fflush(stdout);
	struct sigaction act;
	memset(&act, 0, sizeof act);
	act.sa_handler = on_stop;
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	act.sa_handler = on_reload;
	sigaction(SIGHUP, &act, NULL);
	act.sa_handler = on_child;
	sigaction(SIGCHLD, &act, NULL);
	/* Sleep in short steps rather than pause(): a signal between the check
	 * and the wait can then delay us a step, never lose us. The counts are
	 * written every serve_flush_ms. */
	int64_t next_start_ms = 0, next_tick_ms = wy_now_ms() + cfg->serve_flush_ms;
	int step_ms = cfg->serve_flush_ms < 200 ? cfg->serve_flush_ms : 200;
	struct timespec step = {0, (long)step_ms * 1000000L};
	wy_notify_ready("serving");
	while (!serve_stop) {
		nanosleep(&step, NULL);
		if (wy_now_ms() >= next_tick_ms) {
			wy_site_tick(site);
			next_tick_ms = wy_now_ms() + cfg->serve_flush_ms;
		}
		/* the loop that writes the counts is going round */
		wy_notify_alive();
		if (serve_reload) {
			serve_reload = 0;
			reload(cfg, site, wpid);
		}
		if (worker && wpid > 0 && waitpid(wpid, NULL, WNOHANG) == wpid) {
			wy_error("serve.worker_died", "pid=%d", (int)wpid);
			wpid = 0;
		}
		/* keep converting, but a worker that dies at once is not
		 * restarted more than every 5 s */
		if (worker && wpid == 0 && !serve_stop && wy_now_ms() >= next_start_ms) {
			wpid = start_worker(self, envp);
			next_start_ms = wy_now_ms() + 5000;
		}
	}
	/* The worker hands its jobs back while the requests in flight
	 * finish. */
	wy_notify_stopping("stopping: finishing the requests in flight");
	wy_log("serve.stop", "port=%d", port);
	status = 0;
out:
	if (wpid > 0)
		kill(wpid, SIGTERM);
	wy_site_stop(site);
	if (wpid > 0) {
		while (waitpid(wpid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	wy_config_environ_free(envp);
	return status;
}
