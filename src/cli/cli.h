/* cli: the commands behind `wenyuan COMMAND`. Each takes the process's
 * settings (already loaded from the environment and global flags) and its own
 * arguments, prints for people (or JSON with --json) and returns the exit
 * status. */
#ifndef WY_CLI_H
#define WY_CLI_H

#include "core/config.h"

int wy_cmd_add(wy_config *cfg, int argc, char **argv);
int wy_cmd_import(wy_config *cfg, int argc, char **argv);
int wy_cmd_info(wy_config *cfg, int argc, char **argv);
int wy_cmd_list(wy_config *cfg, int argc, char **argv);
int wy_cmd_text(wy_config *cfg, int argc, char **argv);
int wy_cmd_category(wy_config *cfg, int argc, char **argv);
int wy_cmd_retry(wy_config *cfg, int argc, char **argv);
int wy_cmd_worker(wy_config *cfg, int argc, char **argv);
int wy_cmd_serve(wy_config *cfg, int argc, char **argv);
int wy_cmd_config(wy_config *cfg, int argc, char **argv);
int wy_cmd_search(wy_config *cfg, int argc, char **argv);
int wy_cmd_reindex(wy_config *cfg, int argc, char **argv);
int wy_cmd_fsck(wy_config *cfg, int argc, char **argv);
int wy_cmd_gc(wy_config *cfg, int argc, char **argv);
int wy_cmd_user(wy_config *cfg, int argc, char **argv);
int wy_cmd_backup(wy_config *cfg, int argc, char **argv);
int wy_cmd_restore(wy_config *cfg, int argc, char **argv);
int wy_cmd_routes(wy_config *cfg, int argc, char **argv);
int wy_cmd_migrate(wy_config *cfg, int argc, char **argv);

/* Whether the arguments ask for help (--help or -h). */
#include <stdbool.h>
#include <stdio.h>
bool wy_cli_want_help(int argc, char **argv);

/* The help of the commands, one table (cli/help.c) for `wenyuan --help`,
 * `wenyuan COMMAND --help` and the manual: a command's usage lines and
 * what it does (nothing for an unknown name); its one-line summary ("" for
 * an unknown name); the global options, one a line. */
void wy_cli_usage(FILE *out, const char *name);
const char *wy_cli_summary(const char *name);
void wy_cli_options_print(FILE *out);

/* Write the manual made of the template at template_path (docs/man/ *.in:
 * roff with @COMMANDS@, @OPTIONS@, @SETTINGS@ lines and @VERSION@,
 * @DATE@, @CONFIG_FILE@ words) to out_path; date is the page's
 * (YYYY-MM-DD). Reads no settings; 0, or 1 with the reason on stderr. */
int wy_cli_man(const char *template_path, const char *out_path, const char *date);

/* Open the store and blob store of cfg->data_dir, printing any error; the
 * store applies cfg's upload points rule (wy_store_upload_points_set). */
struct wy_store;
struct wy_blob_store;
int wy_cli_open(const wy_config *cfg, struct wy_store **st, struct wy_blob_store **bs);

/* Whether name may be an uploader's display name (--uploader of add and
 * import): 1-64 bytes of UTF-8 without control characters; when not, says
 * so on stderr. */
bool wy_cli_uploader_ok(const char *name);

/* Store what is readable from fd (at most max_upload_mb) as the original
 * of the document dn describes and record it (wy_store_doc_add): the
 * object's name goes to sha, dn->sha256 (pointing at sha) and dn->size
 * are set. Errors of the blob store or the store, in ei. */
struct wy_doc_new;
struct wy_errinfo;
int wy_cli_store_fd(const wy_config *cfg, struct wy_store *st, struct wy_blob_store *bs, int fd,
		    struct wy_doc_new *dn, char sha[65], int64_t *id, bool *existed, struct wy_errinfo *ei);

/* fsck's checks of an open store and blob store (wenyuan fsck, and
 * wenyuan migrate at its destination): the store's own checks, every
 * referenced blob there (and, verify, whole), no orphan older than grace
 * seconds. Prints each problem and a summary; *problems counts them.
 * Errors (the checks could not run) in ei. */
#include <stdint.h>
int wy_cli_fsck(struct wy_store *st, struct wy_blob_store *bs, int64_t grace, bool verify, int *problems,
		struct wy_errinfo *ei);

#endif
