/* wenyuan: command-line dispatch only. Global options (--data, settings as
 * --name=value) come before the command; each command parses the rest. */
#include "cli/cli.h"
#include "core/log.h"
#include "jobs/worker.h"
#include "wy_version.h" /* generated: tools/version.cmake */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The commands; what each says of itself is in cli/help.c. */
static const struct command {
	const char *name;
	int (*fn)(wy_config *cfg, int argc, char **argv);
} commands[] = {
	{"add", wy_cmd_add},
	{"import", wy_cmd_import},
	{"info", wy_cmd_info},
	{"list", wy_cmd_list},
	{"text", wy_cmd_text},
	{"category", wy_cmd_category},
	{"search", wy_cmd_search},
	{"reindex", wy_cmd_reindex},
	{"backup", wy_cmd_backup},
	{"restore", wy_cmd_restore},
	{"migrate", wy_cmd_migrate},
	{"fsck", wy_cmd_fsck},
	{"gc", wy_cmd_gc},
	{"user", wy_cmd_user},
	{"retry", wy_cmd_retry},
	{"worker", wy_cmd_worker},
	{"serve", wy_cmd_serve},
	{"config", wy_cmd_config},
	{"routes", wy_cmd_routes},
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wenyuan [--data DIR] [--SETTING=VALUE ...] COMMAND [ARGS]\n"
		"\n"
		"wenyuan (文渊) is a self-hosted document library: it converts documents into\n"
		"page images and searchable text and serves them as a web site.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, wy_cli_summary(commands[i].name));
	fprintf(out, "\nglobal options:\n");
	wy_cli_options_print(out);
}

int main(int argc, char **argv)
{
	/* A converter the worker started (a fresh image of this program,
	 * wy_sandbox_spawn_exec) runs from here and never returns; first,
	 * before anything reads settings or the environment. */
	wy_worker_child_entry(argc, argv);
	/* the build makes the manuals (docs/man/) from the tables alone, before
	 * any setting is read: a bad configuration file cannot break it */
	if (argc == 5 && strcmp(argv[1], "--man") == 0)
		return wy_cli_man(argv[2], argv[3], argv[4]);
	wy_config cfg;
	wy_errinfo ei = {0};
	/* the configuration file comes before the environment and the flags:
	 * find it first */
	const char *conf = NULL;
	for (int k = 1; k < argc && argv[k][0] == '-'; k++)
		if (strcmp(argv[k], "--config") == 0 && k + 1 < argc)
			conf = argv[++k];
		else if (strcmp(argv[k], "--data") == 0)
			k++;
	int rc = wy_config_load_with_file(&cfg, conf, &ei);
	if (rc) {
		fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		return 1;
	}
	int i = 1;
	int check_only = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			printf("wenyuan %s (git %s)\n", WY_VERSION, WY_COMMIT);
			return 0;
		}
		if (strcmp(a, "--check-config") == 0) {
			check_only = 1;
			continue;
		}
		if (strcmp(a, "--config") == 0 && i + 1 < argc) {
			i++; /* read before the rest */
			continue;
		}
		if (strcmp(a, "--data") == 0 && i + 1 < argc) {
			rc = wy_config_set(&cfg, "data", argv[++i], &ei);
		} else if (strncmp(a, "--", 2) == 0 && strchr(a, '=')) {
			char name[64];
			const char *eq = strchr(a, '=');
			snprintf(name, sizeof name, "%.*s", (int)(eq - a - 2), a + 2);
			rc = wy_config_set(&cfg, name, eq + 1, &ei);
		} else {
			fprintf(stderr, "wenyuan: unknown option %s\n\n", a);
			usage(stderr);
			return 1;
		}
		if (rc) {
			fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
			return 1;
		}
	}
	if (check_only) {
		wy_config_print(&cfg, stdout);
		printf("configuration ok\n");
		return 0;
	}
	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	/* Commands people run by hand print their results on stdout; the event
	 * log stays for the long-running ones unless WENYUAN_LOG asks. */
	if (!getenv("WENYUAN_LOG") && strcmp(argv[i], "serve") != 0 && strcmp(argv[i], "worker") != 0)
		wy_log_set_level(WY_LOG_WARN);
	wy_log_set_format(wy_log_format_from_name(cfg.log_format)); /* checked by the settings table */
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			return commands[k].fn(&cfg, argc - i, argv + i);
	fprintf(stderr, "wenyuan: unknown command '%s'\n\n", argv[i]);
	usage(stderr);
	return 1;
}
