/* err: names and texts of wenyuan's error codes. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
	int code;
	const char *name;
	const char *text;
} table[] = {
	{WY_OK, "OK", "success"},
	{WY_ENOMEM, "ENOMEM", "out of memory"},
	{WY_EIO, "EIO", "input/output error"},
	{WY_ENOTFOUND, "ENOTFOUND", "not found"},
	{WY_EINVAL, "EINVAL", "invalid argument"},
	{WY_ETOOBIG, "ETOOBIG", "too big"},
	{WY_ECORRUPT, "ECORRUPT", "stored data is corrupt"},
	{WY_EFORMAT, "EFORMAT", "unrecognized format"},
	{WY_EPASSWORD, "EPASSWORD", "password-protected"},
	{WY_ETIMEOUT, "ETIMEOUT", "time limit exceeded"},
	{WY_ECRASH, "ECRASH", "converter crashed"},
	{WY_EBUSY, "EBUSY", "store is busy"},
	{WY_ESTORE, "ESTORE", "store error"},
	{WY_ENOTSUP, "ENOTSUP", "not supported"},
	{WY_EEMPTY, "EEMPTY", "nothing to do"},
	{WY_EOFFICE, "EOFFICE", "needs the office converter"},
	{WY_EEXIST, "EEXIST", "already exists"},
	{WY_EPOINTS, "EPOINTS", "not enough points"},
	{WY_EPERM, "EPERM", "not allowed"},
};

const char *wy_err_name(int code)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].code == code)
			return table[i].name;
	return "EUNKNOWN";
}

const char *wy_err_text(int code)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].code == code)
			return table[i].text;
	return "unknown error";
}

int wy_err_set(wy_errinfo *ei, int code, const char *fmt, ...)
{
	if (ei) {
		va_list ap;
		ei->code = code;
		va_start(ap, fmt);
		vsnprintf(ei->msg, sizeof ei->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *wy_err_msg(const wy_errinfo *ei, int code)
{
	if (ei && ei->msg[0])
		return ei->msg;
	return wy_err_text(code);
}
