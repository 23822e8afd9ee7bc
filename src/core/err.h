/* err: the one error type of wenyuan.
 *
 * Every fallible function returns int: WY_OK (0) or a negative WY_E* code.
 * A message meant for a person travels in a wy_errinfo the caller owns; it
 * never holds a pointer into anything else, so it can outlive any object. */
#ifndef WY_ERR_H
#define WY_ERR_H

#include <stddef.h>

enum {
	WY_OK = 0,
	WY_ENOMEM = -1,     /* an allocation a client could size failed */
	WY_EIO = -2,        /* read/write/fsync failed (disk full, I/O error) */
	WY_ENOTFOUND = -3,  /* no such document, blob, job ... */
	WY_EINVAL = -4,     /* bad argument or malformed input */
	WY_ETOOBIG = -5,    /* a client-controlled size passed its cap */
	WY_ECORRUPT = -6,   /* stored data failed a check (hash mismatch, bad row) */
	WY_EFORMAT = -7,    /* the document's format is not recognised */
	WY_EPASSWORD = -8,  /* the document needs a password */
	WY_ETIMEOUT = -9,   /* a limit on time ran out */
	WY_ECRASH = -10,    /* a child process died */
	WY_EBUSY = -11,     /* the store stayed locked */
	WY_ESTORE = -12,    /* the database refused (constraint, schema) */
	WY_ENOTSUP = -13,   /* the backend does not do this */
	WY_EEMPTY = -14,    /* nothing to do: no job queued, empty document */
	WY_EOFFICE = -15,   /* an office document: the office converter's work */
	WY_EEXIST = -16,    /* the name is taken (a user, ...) */
	WY_EPOINTS = -17,   /* not enough points for this */
	WY_EPERM = -18,     /* not allowed for this user */
};

typedef struct wy_errinfo {
	int code;
	char msg[256];
} wy_errinfo;

/* Short stable name of a code ("ENOTFOUND"); never NULL. */
const char *wy_err_name(int code);

/* A sentence for a person for a code, used when no message was set. */
const char *wy_err_text(int code);

/* Record code and a printf-style message in ei (ei may be NULL) and return
 * code, so a failing path can say `return wy_err_set(ei, WY_EIO, "...")`. */
int wy_err_set(wy_errinfo *ei, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message of ei, or wy_err_text(code) when ei has none. */
const char *wy_err_msg(const wy_errinfo *ei, int code);

#endif
