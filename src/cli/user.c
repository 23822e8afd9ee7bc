/* cli/user: `wenyuan user`, the accounts from the command line (the first
 * admin of a new site is made here). Passwords are read from standard
 * input with --password-stdin, or made up and printed once. */
#include "blob/blob.h"
#include "cli/cli.h"
#include "core/util.h"
#include "store/store.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	wy_cli_usage(f, "user");
}

/* The new password: a line of standard input, or 16 random characters. */
static int read_password(bool from_stdin, char *out, size_t size, bool *made)
{
	*made = !from_stdin;
	if (!from_stdin) {
		static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
		for (int i = 0; i < 16; i++)
			out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
		out[16] = 0;
		return 0;
	}
	if (!fgets(out, (int)size, stdin))
		return -1;
	out[strcspn(out, "\r\n")] = 0;
	size_t n = strlen(out);
	return n >= 8 && n <= 128 ? 0 : -1;
}

int wy_cmd_user(wy_config *cfg, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	const char *sub = argv[1], *name = argc > 2 && argv[2][0] != '-' ? argv[2] : NULL;
	bool admin = false, pw_stdin = false, json = false;
	for (int i = name ? 3 : 2; i < argc; i++) {
		if (strcmp(argv[i], "--admin") == 0)
			admin = true;
		else if (strcmp(argv[i], "--password-stdin") == 0)
			pw_stdin = true;
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else {
			usage(stderr);
			return 1;
		}
	}
	if (sodium_init() < 0)
		return 1;
	wy_store *st;
	wy_blob_store *bs;
	if (wy_cli_open(cfg, &st, &bs))
		return 1;
	wy_blob_close(bs);
	wy_errinfo ei = {0};
	int rc = WY_OK, status = 0;
	if (strcmp(sub, "list") == 0 && !name) {
		wy_user_list l;
		int total;
		json_t *a = json_array();
		if (!(rc = wy_store_user_list(st, NULL, 0, 1000000, &l, &total, &ei))) {
			for (int i = 0; i < l.n; i++) {
				wy_user *u = &l.items[i];
				if (json)
					json_array_append_new(a, json_pack("{s:I, s:s, s:b, s:b, s:I}", "id", (json_int_t)u->id, "name",
									   u->name, "admin", u->role == WY_ROLE_ADMIN, "banned",
									   u->banned, "points", (json_int_t)u->points));
				else
					printf("%6lld  %-24s %-5s %-6s %lld points\n", (long long)u->id, u->name,
					       u->role == WY_ROLE_ADMIN ? "admin" : "user", u->banned ? "banned" : "",
					       (long long)u->points);
			}
			wy_user_list_clear(&l);
		}
		if (json && !rc) {
			char *s = json_dumps(a, JSON_INDENT(2));
			puts(s);
			free(s);
		}
		json_decref(a);
	} else if ((strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) && name) {
		char pw[256], hash[crypto_pwhash_STRBYTES];
		bool made = false;
		/* a name that cannot be added is refused before a password is
		 * read, made or hashed */
		if (sub[0] == 'a' && (rc = wy_store_user_name_free(st, name, &ei))) {
			pw[0] = 0;
		} else if (read_password(pw_stdin, pw, sizeof pw, &made)) {
			fprintf(stderr, "wenyuan: a password is one line of 8-128 bytes\n");
			rc = WY_EINVAL;
		} else if (crypto_pwhash_str(hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
					     crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
			rc = wy_err_set(&ei, WY_ENOMEM, "not enough memory to hash the password");
		} else if (sub[0] == 'a') {
			int64_t id;
			if (!(rc = wy_store_user_add(st, name, hash, admin ? WY_ROLE_ADMIN : WY_ROLE_USER, 0, &id, &ei)))
				printf("user %lld: %s%s\n", (long long)id, name, admin ? " (admin)" : "");
		} else {
			wy_user u;
			if (!(rc = wy_store_user_by_name(st, name, &u, NULL, &ei))) {
				rc = wy_store_user_set_password(st, u.id, hash, NULL, &ei);
				wy_user_clear(&u);
			}
			if (!rc)
				printf("password of %s changed; its sessions ended\n", name);
		}
		if (!rc && made)
			printf("password: %s\n", pw);
		sodium_memzero(pw, sizeof pw);
	} else if (name && (strcmp(sub, "ban") == 0 || strcmp(sub, "unban") == 0 || strcmp(sub, "admin") == 0 ||
			    strcmp(sub, "unadmin") == 0)) {
		wy_user u;
		if (!(rc = wy_store_user_by_name(st, name, &u, NULL, &ei))) {
			bool ban = strcmp(sub, "ban") == 0 || strcmp(sub, "unban") == 0;
			rc = ban ? wy_store_user_set(st, u.id, -1, sub[0] == 'b', &ei)
				 : wy_store_user_set(st, u.id, sub[0] == 'a' ? WY_ROLE_ADMIN : WY_ROLE_USER, -1, &ei);
			wy_user_clear(&u);
		}
		if (!rc)
			printf("%s: %s\n", name, sub);
	} else {
		usage(stderr);
		status = 1;
	}
	if (rc) {
		if (ei.msg[0] || rc != WY_EINVAL)
			fprintf(stderr, "wenyuan: %s\n", wy_err_msg(&ei, rc));
		status = 1;
	}
	wy_store_close(st);
	return status;
}
