/* The log's JSON lines (core/log.c): every line is one valid JSON object
 * whatever a field holds (quotes, backslashes, control bytes, bytes that
 * are not UTF-8, a line cut short), quoted values stay strings, bare
 * numbers are numbers; and request ids are checked before they are used. */
#include "core/log.h"
#include "test.h"

#include <jansson.h>

/* The line of kv with a head as wy_logl writes it, parsed. */
static json_t *parse(const char *kv, unsigned cap)
{
	char out[8192];
	unsigned n = wy_log_json("\"time\":\"t\",\"level\":\"info\",\"event\":\"e\",\"pid\":1", kv, out, cap);
	if (n == 0 || out[n - 1] != '\n' || memchr(out, '\n', n - 1))
		return NULL; /* one line, ending in a newline */
	json_error_t err;
	return json_loadb(out, n, 0, &err);
}

TEST(fields_become_strings_and_numbers)
{
	char q[200];
	char kv[400];
	snprintf(kv, sizeof kv, "job=12 ms=3.5 name=%s code=ENOTFOUND zero=007 neg=-4 pid=99",
		 wy_log_q(q, sizeof q, "a \"b\" \\ c"));
	json_t *j = parse(kv, 8192);
	ASSERT(j);
	ASSERT_EQ(json_integer_value(json_object_get(j, "job")), 12);
	ASSERT(json_real_value(json_object_get(j, "ms")) == 3.5);
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "name")), "a \"b\" \\ c");
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "code")), "ENOTFOUND");
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "zero")), "007"); /* no JSON number */
	ASSERT_EQ(json_integer_value(json_object_get(j, "neg")), -4);
	ASSERT_EQ(json_integer_value(json_object_get(j, "pid")), 1);   /* the line's own */
	ASSERT_EQ(json_integer_value(json_object_get(j, "pid_")), 99); /* the field's, renamed */
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "event")), "e");
	json_decref(j);
}

TEST(any_bytes_make_valid_json)
{
	/* a bare %s with quotes, control bytes, invalid and valid UTF-8 */
	const char *nasty[] = {
		"msg=\"he said \"hi\" there\" x=1",
		"a=\"unterminated",
		"b=\x01\x1f\x7f c=\"tab\there\"",
		"d=\xff\xfe e=\xc3\x28 f=\xe6\x96\x87\xe6\xb8\x8a g=\xed\xa0\x80 h=\xf0\x9f\x98\x80",
		"word-without-value =x == k=\"\\\"",
		"trailing=\\",
		"",
	};
	for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
		json_t *j = parse(nasty[i], 8192);
		if (!j)
			WY_FAIL_("not JSON: %s", nasty[i]);
		json_decref(j);
	}
	json_t *j = parse("f=\xe6\x96\x87\xe6\xb8\x8a", 8192);
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "f")), "文渊");
	json_decref(j);
	j = parse("d=\xff", 8192);
	ASSERT_STR_EQ(json_string_value(json_object_get(j, "d")), "\xef\xbf\xbd"); /* U+FFFD */
	json_decref(j);
}

TEST(a_full_line_drops_fields_whole)
{
	char kv[3000];
	int n = 0;
	for (int i = 0; i < 200; i++)
		n += snprintf(kv + n, sizeof kv - (size_t)n, "k%d=\"\x01\x02\x03\" ", i);
	json_t *j = parse(kv, 300);
	ASSERT(j);
	ASSERT(json_object_get(j, "k0"));
	ASSERT(!json_object_get(j, "k199"));
	json_decref(j);
}

TEST(request_ids_are_checked)
{
	ASSERT(wy_log_req_valid("abc-DEF_123"));
	ASSERT(!wy_log_req_valid(""));
	ASSERT(!wy_log_req_valid(NULL));
	ASSERT(!wy_log_req_valid("a b"));
	ASSERT(!wy_log_req_valid("a\"b"));
	ASSERT(!wy_log_req_valid("ab\ncd"));
	char long_id[WY_LOG_REQ_MAX + 2];
	memset(long_id, 'a', sizeof long_id - 1);
	long_id[WY_LOG_REQ_MAX + 1] = 0;
	ASSERT(!wy_log_req_valid(long_id));
	long_id[WY_LOG_REQ_MAX] = 0;
	ASSERT(wy_log_req_valid(long_id));
	wy_log_set_req("r-1");
	ASSERT_STR_EQ(wy_log_req(), "r-1");
	wy_log_set_req("bad id");
	ASSERT_STR_EQ(wy_log_req(), "");
	wy_log_set_req(NULL);
	ASSERT_STR_EQ(wy_log_req(), "");
}

TEST_LIST(T(fields_become_strings_and_numbers), T(any_bytes_make_valid_json), T(a_full_line_drops_fields_whole),
	  T(request_ids_are_checked))
