/* Mail (store/sqlite_mail.c, jobs/mailer.c): what may become a header, a
 * composed message as RFC 5322 and RFC 2047 want it, the queue's claims
 * (one sender per mail, a dead sender's claim taken over after its lease),
 * retries and giving up, and the mailed links: used once, until they
 * expire, and only while the account's address is the one they went to. */
#include "core/util.h"
#include "jobs/mailer.h"
#include "store/store.h"
#include "test.h"

#include <sodium.h>
#include <string.h>

static wy_store *fresh(void)
{
	wy_store *st;
	return wy_store_open(wy_test_store_location("mail"), &st, NULL) ? NULL : st;
}

static int64_t user(wy_store *st, const char *name)
{
	int64_t id = 0;
	ASSERT_EQ(wy_store_user_add(st, name, "$argon2id$fake", WY_ROLE_USER, 0, &id, NULL), WY_OK);
	return id;
}

TEST(what_may_be_an_address)
{
	ASSERT(wy_mail_addr_valid("lin@example.org"));
	ASSERT(wy_mail_addr_valid("a.b+c@mail.example.co"));
	ASSERT(wy_mail_addr_valid("黛玉@例子.中国"));
	const char *bad[] = {"", "a@b", "@example.org", "lin@", "lin@@example.org", "lin@example.org.",
			     "lin@.example.org", "lin@example..org", "li n@example.org", "<lin@example.org>",
			     "lin@example.org\r\nBcc: x@example.org", "lin@example.org\n", "lin\t@example.org",
			     "\"lin\"@example.org", "lin@exa,mple.org", "lin@example.org;x@example.org", NULL};
	for (int i = 0; bad[i]; i++)
		if (wy_mail_addr_valid(bad[i]))
			WY_FAIL_("took \"%s\"", bad[i]);
	ASSERT(!wy_mail_addr_valid("\xff\xfe@example.org"));
	ASSERT(wy_mail_header_safe("文渊文库：验证您的邮箱"));
	ASSERT(!wy_mail_header_safe("subject\r\nBcc: x@example.org"));
	ASSERT(!wy_mail_header_safe("a\nb"));
	ASSERT(!wy_mail_header_safe(NULL));
}

/* The text of the RFC 2047 words in a folded header value. */
static char *words_text(const char *v)
{
	wy_buf out;
	wy_buf_init(&out, 0);
	for (const char *p = v; (p = strstr(p, "=?UTF-8?B?")) != NULL;) {
		p += 10;
		const char *end = strstr(p, "?=");
		ASSERT(end);
		unsigned char bin[256];
		size_t n = 0;
		ASSERT_EQ(sodium_base642bin(bin, sizeof bin, p, (size_t)(end - p), NULL, &n, NULL,
					    sodium_base64_VARIANT_ORIGINAL),
			  0);
		wy_buf_append(&out, bin, n);
		p = end + 2;
	}
	return wy_buf_steal(&out);
}

TEST(a_message_is_rfc_5322)
{
	const char *subject = "[文渊文库] 验证您的邮箱：这是一个很长很长的主题，用来看它是否被折成几行而每个编码字都不超过七十五个字符";
	const char *body = "您好，林黛玉：\n\n请打开下面的链接。\nhttp://127.0.0.1/verify/abc\n";
	wy_buf m;
	ASSERT_EQ(wy_mail_compose("文渊文库", "noreply@wenyuan.test", "lin@example.org", subject, body, 1700000000, &m,
				  NULL),
		  WY_OK);
	/* every line ends in CRLF and none is longer than 76 (RFC 2047's
	 * limit for a line with encoded words) */
	const char *p = m.data;
	while (*p) {
		const char *nl = strstr(p, "\r\n");
		ASSERT(nl);
		ASSERT((size_t)(nl - p) <= 76);
		ASSERT(!memchr(p, '\n', (size_t)(nl - p)));
		p = nl + 2;
	}
	ASSERT_CONTAINS(m.data, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n");
	ASSERT_CONTAINS(m.data, "@wenyuan.test>\r\nFrom: =?UTF-8?B?");
	ASSERT_CONTAINS(m.data, "<noreply@wenyuan.test>\r\nTo: <lin@example.org>\r\nSubject: =?UTF-8?B?");
	ASSERT_CONTAINS(m.data, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
				"Content-Transfer-Encoding: base64\r\n\r\n");
	ASSERT_CONTAINS(m.data, "Message-ID: <");
	/* the subject's words, folded, give the subject back */
	const char *s = strstr(m.data, "Subject: ");
	const char *e = strstr(s, "\r\nMIME-Version");
	char *folded = wy_xstrndup(s, (size_t)(e - s));
	ASSERT(strstr(folded, "\r\n "));
	char *text = words_text(folded);
	ASSERT_STR_EQ(text, subject);
	free(text);
	free(folded);
	/* the body decodes to the text with CRLF line ends */
	const char *b = strstr(m.data, "\r\n\r\n") + 4;
	wy_buf b64;
	wy_buf_init(&b64, 0);
	for (; *b; b++)
		if (*b != '\r' && *b != '\n')
			wy_buf_putc(&b64, *b);
	unsigned char bin[512];
	size_t n = 0;
	ASSERT_EQ(sodium_base642bin(bin, sizeof bin, b64.data, b64.len, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	bin[n] = 0;
	ASSERT_STR_EQ((char *)bin, "您好，林黛玉：\r\n\r\n请打开下面的链接。\r\nhttp://127.0.0.1/verify/abc\r\n");
	wy_buf_free(&b64);
	wy_buf_free(&m);
	/* nothing can add a header */
	ASSERT_EQ(wy_mail_compose("x", "noreply@wenyuan.test", "lin@example.org", "a\r\nBcc: x@example.org", "b", 0, &m, NULL),
		  WY_EINVAL);
	ASSERT_EQ(wy_mail_compose("x", "noreply@wenyuan.test", "lin@example.org\r\nBcc: x@example.org", "a", "b", 0, &m, NULL),
		  WY_EINVAL);
	ASSERT_EQ(wy_mail_compose("x\r\nBcc: y@example.org", "noreply@wenyuan.test", "lin@example.org", "a", "b", 0, &m, NULL),
		  WY_EINVAL);
	ASSERT_EQ(wy_mail_send("http://127.0.0.1/", "noreply@wenyuan.test", "lin@example.org", "x", 1, 1, NULL), WY_EINVAL);
}

TEST(the_queue_claims_each_mail_once)
{
	wy_store *st = fresh();
	ASSERT(st);
	ASSERT_EQ(wy_mail_enqueue(st, "a@example.org\r\nBcc: b@example.org", "s", "b", NULL), WY_EINVAL);
	ASSERT_EQ(wy_mail_enqueue(st, "a@example.org", "s\r\nBcc: b@example.org", "b", NULL), WY_EINVAL);
	ASSERT_EQ(wy_mail_enqueue(st, "a@example.org", "first", "one", NULL), WY_OK);
	ASSERT_EQ(wy_mail_enqueue(st, "b@example.org", "second", "two", NULL), WY_OK);
	int64_t now = wy_now();
	wy_mail m1, m2, m3;
	ASSERT_EQ(wy_store_mail_claim(st, now, 100, &m1, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_claim(st, now, 100, &m2, NULL), WY_OK);
	ASSERT(m1.id != m2.id);
	ASSERT_EQ(m1.tries, 1);
	ASSERT_EQ(m1.state, WY_MAIL_SENDING);
	ASSERT_EQ(wy_store_mail_claim(st, now, 100, &m3, NULL), WY_ENOTFOUND);
	/* the first is sent; the second's sender died: after its lease it is
	 * claimed again, its tries counted */
	ASSERT_EQ(wy_store_mail_sent(st, m1.id, now, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_claim(st, now + 101, 100, &m3, NULL), WY_OK);
	ASSERT_EQ(m3.id, m2.id);
	ASSERT_EQ(m3.tries, 2);
	wy_mail_clear(&m3);
	/* a failure waits until its retry time, then gives up when told */
	ASSERT_EQ(wy_store_mail_retry(st, m2.id, "connection refused", now + 500, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_claim(st, now + 499, 100, &m3, NULL), WY_ENOTFOUND);
	int64_t next;
	ASSERT_EQ(wy_store_mail_next(st, &next, NULL), WY_OK);
	ASSERT_EQ(next, now + 500);
	ASSERT_EQ(wy_store_mail_claim(st, now + 500, 100, &m3, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_retry(st, m3.id, "550 no such user", 0, NULL), WY_OK);
	wy_mail_clear(&m3);
	wy_mail_list l;
	ASSERT_EQ(wy_store_mail_list(st, 10, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 2);
	ASSERT_EQ(l.counts[WY_MAIL_SENT], 1);
	ASSERT_EQ(l.counts[WY_MAIL_FAILED], 1);
	ASSERT_EQ(l.items[0].state, WY_MAIL_FAILED);
	ASSERT_STR_EQ(l.items[0].last_error, "550 no such user");
	ASSERT_EQ(l.items[0].tries, 3);
	ASSERT_EQ(l.items[1].sent_at, now);
	wy_mail_list_clear(&l);
	ASSERT_EQ(wy_store_mail_next(st, &next, NULL), WY_OK);
	ASSERT_EQ(next, 0);
	wy_mail_clear(&m1);
	wy_mail_clear(&m2);
	wy_store_close(st);
}

static void hash_of(const char *token, unsigned char h[WY_TOKEN_HASH])
{
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
}

TEST(links_work_once_until_they_expire)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t lin = user(st, "lin"), kai = user(st, "kai"), uid = 0;
	ASSERT_EQ(wy_store_user_email_set(st, lin, "Lin@Example.org", NULL), WY_OK);
	ASSERT_EQ(wy_store_user_email_free(st, "LIN@example.org", NULL), WY_OK); /* not verified: reserves nothing */
	ASSERT_EQ(wy_store_user_email_set(st, kai, "kai@example.org\nBcc: x@example.org", NULL), WY_EINVAL);
	int64_t now = wy_now();
	unsigned char v[WY_TOKEN_HASH], r[WY_TOKEN_HASH], old[WY_TOKEN_HASH];
	hash_of("verify-1", v);
	hash_of("reset-1", r);
	hash_of("reset-old", old);
	ASSERT_EQ(wy_store_mail_link_add(st, v, WY_MAIL_VERIFY, lin, "Lin@Example.org", now + 100, NULL), WY_OK);
	/* a reset link is not a verification link */
	ASSERT_EQ(wy_store_mail_link_verify(st, r, now, &uid, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_mail_link_verify(st, v, now, &uid, NULL), WY_OK);
	ASSERT_EQ(uid, lin);
	ASSERT_EQ(wy_store_mail_link_verify(st, v, now, &uid, NULL), WY_ENOTFOUND); /* once */
	ASSERT_EQ(wy_store_user_email_set(st, kai, "lin@example.org", NULL), WY_EEXIST); /* verified: without case */
	ASSERT_EQ(wy_store_user_email_free(st, "LIN@example.org", NULL), WY_EEXIST);
	char *email;
	int64_t verified;
	ASSERT_EQ(wy_store_user_email(st, lin, &email, &verified, NULL), WY_OK);
	ASSERT_EQ(verified, now);
	free(email);
	/* the same address (without case) keeps its verification */
	ASSERT_EQ(wy_store_user_email_set(st, lin, "lin@example.org", NULL), WY_OK);
	ASSERT_EQ(wy_store_user_email(st, lin, &email, &verified, NULL), WY_OK);
	ASSERT_EQ(verified, now);
	free(email);
	/* a reset link: checked without being used, used once, expired after */
	ASSERT_EQ(wy_store_mail_link_add(st, r, WY_MAIL_RESET, lin, "lin@example.org", now + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_add(st, old, WY_MAIL_RESET, lin, "lin@example.org", now + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_check(st, r, WY_MAIL_RESET, now + 100, &uid, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_mail_link_check(st, r, WY_MAIL_RESET, now + 99, &uid, NULL), WY_OK);
	unsigned char sess[WY_TOKEN_HASH] = {1};
	ASSERT_EQ(wy_store_session_add(st, sess, lin, "c", now + 1000, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_reset(st, r, now + 100, "$argon2id$new", NULL, &uid, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_mail_link_reset(st, r, now, "$argon2id$new", NULL, &uid, NULL), WY_OK);
	ASSERT_EQ(uid, lin);
	ASSERT_EQ(wy_store_mail_link_reset(st, r, now, "$argon2id$again", NULL, &uid, NULL), WY_ENOTFOUND);
	/* the account's other reset link went with it, and its sessions */
	ASSERT_EQ(wy_store_mail_link_check(st, old, WY_MAIL_RESET, now, &uid, NULL), WY_ENOTFOUND);
	wy_user u;
	char csrf[65];
	ASSERT_EQ(wy_store_session_get(st, sess, &u, csrf, NULL), WY_ENOTFOUND);
	char *pass = NULL;
	ASSERT_EQ(wy_store_user_by_name(st, "lin", &u, &pass, NULL), WY_OK);
	ASSERT_STR_EQ(pass, "$argon2id$new");
	free(pass);
	wy_user_clear(&u);
	/* a link mailed to an address the account no longer has is dead */
	hash_of("reset-2", r);
	ASSERT_EQ(wy_store_mail_link_add(st, r, WY_MAIL_RESET, lin, "lin@example.org", now + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_user_email_set(st, lin, "daiyu@example.org", NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_check(st, r, WY_MAIL_RESET, now, &uid, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_user_email(st, lin, &email, &verified, NULL), WY_OK);
	ASSERT_EQ(verified, 0); /* a new address is not verified */
	free(email);
	/* an account is found by its name or its verified address (the
	 * test below), never when banned */
	ASSERT_EQ(wy_store_user_find_login(st, "DAIYU@example.org", &uid, &email, &verified, NULL), WY_ENOTFOUND);
	ASSERT_EQ(wy_store_user_find_login(st, "lin", &uid, &email, &verified, NULL), WY_OK);
	ASSERT_EQ(uid, lin);
	free(email);
	ASSERT_EQ(wy_store_user_find_login(st, "kai", &uid, &email, &verified, NULL), WY_OK);
	ASSERT(email == NULL);
	ASSERT_EQ(wy_store_user_set(st, kai, -1, 1, NULL), WY_OK);
	ASSERT_EQ(wy_store_user_find_login(st, "kai", &uid, &email, &verified, NULL), WY_ENOTFOUND);
	wy_store_close(st);
}

/* An address given and never verified reserves nothing: its owner may
 * give it too and verify it; then it is that account's alone, the other
 * account's link is refused, and a reset by address finds the owner. */
TEST(unverified_addresses_reserve_nothing)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t squat = user(st, "squat"), owner = user(st, "owner"), third = user(st, "third"), uid = 0, verified;
	char *email = NULL;
	ASSERT_EQ(wy_store_user_email_set(st, squat, "x@example.org", NULL), WY_OK);
	ASSERT_EQ(wy_store_user_email_set(st, owner, "X@Example.org", NULL), WY_OK);
	ASSERT_EQ(wy_store_user_email_free(st, "x@example.org", NULL), WY_OK);
	ASSERT_EQ(wy_store_user_find_login(st, "x@example.org", &uid, &email, &verified, NULL), WY_ENOTFOUND);
	int64_t now = wy_now();
	unsigned char vs[WY_TOKEN_HASH], vo[WY_TOKEN_HASH];
	hash_of("verify-squat", vs);
	hash_of("verify-owner", vo);
	ASSERT_EQ(wy_store_mail_link_add(st, vs, WY_MAIL_VERIFY, squat, "x@example.org", now + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_add(st, vo, WY_MAIL_VERIFY, owner, "X@Example.org", now + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_verify(st, vo, now, &uid, NULL), WY_OK);
	ASSERT_EQ(uid, owner);
	/* verified by another account meanwhile: refused, nothing changed */
	ASSERT_EQ(wy_store_mail_link_verify(st, vs, now, &uid, NULL), WY_EEXIST);
	ASSERT_EQ(wy_store_user_email(st, squat, &email, &verified, NULL), WY_OK);
	ASSERT_EQ(verified, 0);
	free(email);
	ASSERT_EQ(wy_store_user_email_free(st, "x@example.org", NULL), WY_EEXIST);
	ASSERT_EQ(wy_store_user_email_set(st, third, "x@EXAMPLE.org", NULL), WY_EEXIST);
	/* a reset by address finds the account that verified it, only */
	ASSERT_EQ(wy_store_user_find_login(st, "x@example.org", &uid, &email, &verified, NULL), WY_OK);
	ASSERT_EQ(uid, owner);
	ASSERT_EQ(verified, now);
	free(email);
	/* the other account may give another address */
	ASSERT_EQ(wy_store_user_email_set(st, squat, "s@example.org", NULL), WY_OK);
	wy_store_close(st);
}

/* Mails to one address are counted without case (the limit per
 * recipient); the periodic maintenance deletes mail sent or failed and
 * links used or expired longer ago than it keeps them, and nothing else. */
TEST(old_mail_and_links_are_pruned)
{
	wy_store *st = fresh();
	ASSERT(st);
	int64_t lin = user(st, "lin"), n = -1, mails = -1, links = -1, now = wy_now(), uid;
	const int64_t day = 86400, keep = 30 * day;
	ASSERT_EQ(wy_mail_enqueue(st, "a@example.org", "old", "sent long ago", NULL), WY_OK);
	ASSERT_EQ(wy_mail_enqueue(st, "A@Example.org", "new", "sent now", NULL), WY_OK);
	ASSERT_EQ(wy_mail_enqueue(st, "b@example.org", "failed", "given up", NULL), WY_OK);
	ASSERT_EQ(wy_mail_enqueue(st, "c@example.org", "waiting", "queued", NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_count_to(st, "a@EXAMPLE.org", now - 3600, &n, NULL), WY_OK);
	ASSERT_EQ(n, 2);
	ASSERT_EQ(wy_store_mail_count_to(st, "a@example.org", now + 10, &n, NULL), WY_OK);
	ASSERT_EQ(n, 0);
	wy_mail m;
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(wy_store_mail_claim(st, now + 10, 100, &m, NULL), WY_OK);
		if (strcmp(m.subject, "old") == 0)
			ASSERT_EQ(wy_store_mail_sent(st, m.id, now - keep - day, NULL), WY_OK);
		else if (strcmp(m.subject, "new") == 0)
			ASSERT_EQ(wy_store_mail_sent(st, m.id, now, NULL), WY_OK);
		else
			ASSERT_EQ(wy_store_mail_retry(st, m.id, "550 no such user", 0, NULL), WY_OK);
		wy_mail_clear(&m);
	}
	unsigned char live[WY_TOKEN_HASH], gone[WY_TOKEN_HASH], used[WY_TOKEN_HASH];
	hash_of("live", live);
	hash_of("gone", gone);
	hash_of("used", used);
	ASSERT_EQ(wy_store_user_email_set(st, lin, "lin@example.org", NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_add(st, gone, WY_MAIL_RESET, lin, "lin@example.org", now - keep - day, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_add(st, used, WY_MAIL_VERIFY, lin, "lin@example.org", now + 100, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_verify(st, used, now, &uid, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_link_add(st, live, WY_MAIL_RESET, lin, "lin@example.org", now + 100 * day, NULL), WY_OK);
	/* now: the mail sent 31 days ago and the link expired as long ago */
	ASSERT_EQ(wy_store_mail_prune(st, now, keep, &mails, &links, NULL), WY_OK);
	ASSERT_EQ(mails, 1);
	ASSERT_EQ(links, 1);
	wy_mail_list l;
	ASSERT_EQ(wy_store_mail_list(st, 10, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 3);
	ASSERT_EQ(l.counts[WY_MAIL_SENT], 1);
	ASSERT_EQ(l.counts[WY_MAIL_FAILED], 1);
	ASSERT_EQ(l.counts[WY_MAIL_QUEUED], 1);
	wy_mail_list_clear(&l);
	/* 31 days on: the mail sent and failed today and the link used today
	 * go; the queued mail and the unexpired, unused link stay */
	ASSERT_EQ(wy_store_mail_prune(st, now + keep + day, keep, &mails, &links, NULL), WY_OK);
	ASSERT_EQ(mails, 2);
	ASSERT_EQ(links, 1);
	ASSERT_EQ(wy_store_mail_list(st, 10, &l, NULL), WY_OK);
	ASSERT_EQ(l.n, 1);
	ASSERT_STR_EQ(l.items[0].subject, "waiting");
	wy_mail_list_clear(&l);
	ASSERT_EQ(wy_store_mail_link_check(st, live, WY_MAIL_RESET, now, &uid, NULL), WY_OK);
	ASSERT_EQ(wy_store_mail_prune(st, now + keep + day, keep, &mails, &links, NULL), WY_OK);
	ASSERT_EQ(mails + links, 0);
	wy_store_close(st);
}

TEST_LIST(T(what_may_be_an_address), T(a_message_is_rfc_5322), T(the_queue_claims_each_mail_once),
	  T(links_work_once_until_they_expire), T(unverified_addresses_reserve_nothing), T(old_mail_and_links_are_pruned))
