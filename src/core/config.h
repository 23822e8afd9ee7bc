/* config: the settings of one wenyuan process, declared as a table.
 *
 * Each setting has a default, a valid range and an environment variable
 * (WENYUAN_<NAME>); command-line flags override the environment. Values are
 * validated when loaded: a bad value is an error, never silently clamped. */
#ifndef WY_CONFIG_H
#define WY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/err.h"

#define WY_CONFIG_MAX 128    /* settings the table may hold */
#define WY_CONFIG_ORIGIN 48  /* bytes of a setting's origin */

typedef struct wy_config {
	char data_dir[1024];     /* SQLite store and blob directory */
	char store_url[1024];    /* "" = SQLite in data_dir; postgresql://... = PostgreSQL (libpq URI) */
	char blob_url[1024];     /* "" = data_dir/blobs; s3://BUCKET[/PREFIX] = an S3 object store */
	int blob_redirect_seconds; /* page images by a redirect to a presigned URL this long (0: through serve) */
	int convert_timeout;     /* wall-clock seconds per document */
	int convert_memory_mb;   /* address-space limit of a converter child */
	int max_pages;           /* pages converted per document */
	int page_width;          /* page image width in pixels */
	int thumb_width;         /* thumbnail width in pixels */
	int webp_quality;        /* 0..100 */
	int workers;             /* converter processes per worker (0 = cores) */
	int64_t max_upload_mb;   /* largest accepted original */
	int retries;             /* tries of a job whose worker died */
	char office_path[512];   /* LibreOffice's program directory */
	int office_prestart;     /* 1: a long-running worker starts its office converters at once */
	int office_first_pages;  /* a long text document's first pages go first (0: off) */
	int office_recycle;      /* documents an office converter converts before it is replaced */
	int allow_network;       /* 1: convert even where no network namespace can be had */
	int near_duplicates;     /* 0 allowed, 1 flagged (dup_of), 2 refused */
	int near_duplicate_percent; /* estimated shingle resemblance that counts */
	char web_dir[512];       /* templates/ and static/ of the site */
	char locale_dir[512];    /* compiled UI translations, <lang>.mo */
	int preview_pages;       /* pages a visitor previews before "download to read on" */
	char site_footer[256];   /* copyright line of every page */
	char site_icp[128];      /* ICP licence number shown in the footer ("" = none) */
	char site_name[128];     /* the site's name */
	int download_price;      /* default price of a new upload's download, in points */
	int upload_review;       /* 1: new uploads wait for an admin */
	int points_upload, points_signin, points_register;
	int cookie_secure;       /* 1: served over HTTPS, cookies are Secure */
	int login_attempts;      /* failed logins per address or name in 15 minutes */
	int trust_proxy;         /* 1: the client's address is X-Forwarded-For's last entry */
	char metrics_allow[256]; /* addresses that may read /metrics */
	char http_addr[64];
	int http_port;
	int http_threads;        /* request threads (0 = 4 per core) */
	int http_timeout;        /* seconds an idle connection is kept */
	int http_max_connections;
	int http_max_per_ip;
	int points_upload_daily;     /* upload points an account earns in any 24 hours */
	int points_upload_min_chars; /* characters of text an upload needs to earn them */
	int comments_per_hour;   /* comments one account may post in any hour (0: no limit) */
	int comment_review;      /* 1: new comments wait for an admin */
	int http_header_timeout; /* seconds a request's headers may take, however they trickle */
	int http_min_body_rate;  /* bytes/s a request body averages over every http_header_timeout */
	int serve_flush_ms;      /* ms between writes of the counts, visits and query log */
	int page_cache_ms;       /* ms an anonymous document page is kept (0: never) */
	int search_timeout_ms;   /* a site search's budget (0: none) */
	int ocr;                 /* 1: pages with no text layer are recognised (Tesseract) */
	char ocr_languages[128]; /* Tesseract's models, "chi_sim+chi_tra+eng" */
	int ocr_page_timeout;    /* seconds each recognised page adds to convert_timeout */
	int ocr_batch;           /* pages recognised per job (wy_job.ocr_from) */
	/* where each setting's value came from, in the table's order:
	 * "default", "FILE:LINE", "WENYUAN_X" or "--x" (`wenyuan config`) */
	int stop_grace;          /* seconds a stopping server gives the requests in flight */
	double recycle_days;     /* a deleted document's time in the recycle bin (0: until purged) */
	int blob_grace;          /* seconds an unreferenced blob is kept (one in flight) */
	int maintenance_seconds; /* between the server's purges and blob collections */
	char log_format[8];      /* "kv" or "json" (core/log.h) */
	/* issue 18 CAPTCHA: which forms ask for a captcha (web/captcha.c) */
	int captcha_register;    /* 1: registration asks for one */
	int captcha_login;       /* 1: logging in asks after a failed attempt */
	int captcha_reset;       /* 1: asking for a password reset link asks */
	int captcha_comment;     /* 1: posting a comment asks */
	int captcha_seconds;     /* a captcha's life */
	char origin[WY_CONFIG_MAX][WY_CONFIG_ORIGIN];
	char file[512];          /* the configuration file read ("" = none) */
	/* issue 18 PAGES: the footer's 公安备案 number and the analytics script */
	char site_psb[128];          /* 公安备案 number shown in the footer ("" = none) */
	char analytics_script[512];  /* an https URL of a script on every page ("" = none) */
	/* issue 18 SEO: robots.txt, the sitemap, absolute URLs */
	char robots_txt[4096];   /* /robots.txt ("" = the built-in default: web/seo.c) */
	char site_url[256];      /* the public base URL, https://host[:port][/path] ("" = from Host) */
	int sitemap_part_urls;   /* URLs (ids) a sitemap part covers, at most 50,000 */
	/* issue 18 LIMITS: download limits and signed download links */
	int downloads_per_user_day; /* downloads an account may start in any 24 hours (0: no limit) */
	int downloads_per_ip_day;   /* downloads one address may start in any 24 hours (0: no limit) */
	int guest_download;         /* 1: visitors without an account may download free documents */
	int download_link_seconds;  /* how long a signed download link stays valid */
	/* issue 18 MAIL: sending mail (jobs/mailer.c), addresses and resets (web/mail.c) */
	char smtp_url[512];      /* smtp://[user:pass@]host[:port], smtps://, smtp+starttls:// ("" = no mail) */
	char smtp_from[256];     /* the sender's address */
	int email_verify;        /* 0: no address asked; 1: asked, verified, optional; 2: required to act */
	int mail_retry_seconds;  /* the first wait after a failed send; doubled at each try */
	int mail_tries;          /* tries before a mail is given up (failed, its last error kept) */
	int reset_link_minutes;  /* a password reset link's life */
	int reset_link_seconds;  /* the same in seconds when not 0 (tests: an expiry without waiting minutes) */
} wy_config;

/* Defaults, then WENYUAN_* from the environment. Errors name the variable. */
int wy_config_load(wy_config *cfg, wy_errinfo *ei);

/* The configuration file: "name = value" lines (a value may be in double
 * quotes; # starts a comment line), a setting of the table each. */
#define WY_CONFIG_FILE "/etc/wenyuan/wenyuan.conf"

/* Defaults, then the configuration file, then WENYUAN_* from the
 * environment (flags, applied after with wy_config_set, win over all).
 * The file is path, else $WENYUAN_CONFIG, else WY_CONFIG_FILE when it
 * exists; one named by path or the variable must exist. An unknown name or
 * a bad value is refused with the file and line. */
int wy_config_load_with_file(wy_config *cfg, const char *path, wy_errinfo *ei);

/* Set one setting by name ("convert_timeout", "data", ...) from a string. */
int wy_config_set(wy_config *cfg, const char *name, const char *value, wy_errinfo *ei);

/* Site settings, which an admin may change on the site (the rows of the
 * table marked so): the i-th one's name in the table's order, NULL past
 * the last; and whether name is one. */
const char *wy_config_site_setting(size_t i);
bool wy_config_is_site(const char *name);

/* A setting's value as text (and its help), by name; WY_EINVAL when there
 * is no such setting. */
int wy_config_get(const wy_config *cfg, const char *name, char *out, size_t size, const char **help);

/* The process environment for a process that execs wenyuan again with the
 * same settings: WENYUAN_CONFIG names cfg's file and the settings that
 * came from flags or the environment are its WENYUAN_* variables
 * (replacing any there); the rest it reads from the file itself, so that
 * it can reload them (wy_config_update). systemd's NOTIFY_SOCKET and
 * WATCHDOG_* are the caller's only. A NULL-terminated array the caller
 * frees with wy_config_environ_free. */
char **wy_config_environ(const wy_config *cfg);
void wy_config_environ_free(char **env);

/* Reloading (SIGHUP): the settings as the process would read them now
 * (cfg's file again, the environment), into fresh. */
int wy_config_reread(const wy_config *cfg, wy_config *fresh, wy_errinfo *ei);

/* Take fresh's values into live, but for the settings that only apply at
 * start (the listening socket, threads, directories: restart-only in the
 * table, logged as needing a restart when they changed) and those given
 * on the command line (which a reload cannot change). Logs each change;
 * returns how many settings changed. */
int wy_config_update(wy_config *live, const wy_config *fresh);

/* Whether a setting takes effect only at start. */
bool wy_config_is_restart_only(const char *name);

/* Whether a setting may hold a password (smtp_url, store_url): its value
 * is never logged or printed. */
bool wy_config_is_secret(const char *name);

/* Where the store is: store_url, else the data directory (SQLite). */
const char *wy_config_store_location(const wy_config *cfg);

/* Where the blobs are: blob_url, else data_dir/blobs. */
void wy_config_blob_location(const wy_config *cfg, char *out, size_t size);

/* What the table says of one setting, for its documentation (the manual
 * wenyuan.conf(5) is made of these): the i-th setting in the table's order,
 * false past the last. Strings are static. */
typedef struct wy_config_setting {
	const char *name, *env, *def, *help;
	bool number;         /* a number from min to max, else text */
	bool may_be_empty;   /* text that may be "" */
	long long min, max;
	bool site;           /* an admin may change it on the site */
	bool restart;        /* read at start only: a reload leaves it */
	const char *installed; /* the default of an installed binary, under
				* PREFIX/share/wenyuan ("web"), or NULL */
} wy_config_setting;
bool wy_config_describe(size_t i, wy_config_setting *out);

/* Print every setting with its value, range and variable. */
void wy_config_print(const wy_config *cfg, FILE *out);

#endif
