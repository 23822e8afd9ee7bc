/* rules: the store's rules that are no backend's: what the callers derive
 * from the settings, the names of its states, what a valid name, title,
 * address or link is. Every backend checks its input with these (and
 * store/rules.h's), so a rule is said once, whichever database holds the
 * library. */
#include "core/config.h"
#include "core/util.h"
#include "store/rules.h"
#include "store/store.h"
#include "text/confusable.h"
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

wy_upload_points wy_upload_points_of(const wy_config *cfg)
{
	/* a near-duplicate of a document that earned points earns none when
	 * the site looks for near-duplicates at all */
	return (wy_upload_points){cfg->points_upload, cfg->points_upload_daily, cfg->points_upload_min_chars,
				  cfg->near_duplicates ? cfg->near_duplicate_percent / 100.0 : 0};
}

void store_perms_of(const int64_t row[7], wy_perms *out)
{
	memset(out, 0, sizeof *out);
	out->group_id = row[1];
	if (row[0] == WY_ROLE_ADMIN) { /* admins keep every right */
		out->can_upload = out->can_comment = out->skip_review = out->free_download = true;
		return;
	}
	out->can_upload = row[2] != 0;
	out->can_comment = row[3] != 0;
	out->skip_review = row[4] != 0;
	out->free_download = row[5] != 0;
	out->upload_mb = row[6];
}

int store_upload_points(const store_points_io *io, void *ctx, wy_errinfo *ei)
{
	int64_t owner, held;
	bool listed;
	int rc = io->doc(ctx, &owner, &held, &listed, ei);
	if (rc || !owner)
		return rc; /* no such document, or imported: nobody earns */
	if (held > 0) {
		if (listed)
			return WY_OK; /* it keeps what it earned */
		/* Exactly what it holds goes back, even below a zero balance
		 * (the points may be spent): a debt the owner pays back before
		 * spending again, never points made out of a deleted upload. */
		return io->set(ctx, owner, -held, "upload_revoked", 0, ei);
	}
	if (!listed)
		return WY_OK;
	wy_upload_points u;
	if ((rc = io->rule(ctx, &u, ei)) || u.points <= 0 || u.daily <= 0)
		return rc;
	bool copy;
	if ((rc = io->copy(ctx, u.similarity, &copy, ei)) || copy)
		return rc; /* its content has earned once already */
	if (u.min_chars > 0) {
		/* characters of text, white space aside: a page count costs an
		 * uploader nothing (blank pages), text is what readers read */
		int64_t chars;
		if ((rc = io->chars(ctx, &chars, ei)) || chars < u.min_chars)
			return rc;
	}
	/* the owner's upload points of the last 24 hours, granted less taken
	 * back, stay within the cap: points taken back make room again, but
	 * one grant is never more than the cap */
	int64_t recent;
	if ((rc = io->recent(ctx, owner, wy_now() - 86400, &recent, ei)))
		return rc;
	int64_t room = u.daily - (recent > 0 ? recent : 0), give = u.points < room ? u.points : room;
	return give > 0 ? io->set(ctx, owner, give, "upload", give, ei) : WY_OK;
}

/* ---- the names of states ---- */

const char *wy_doc_status_name(wy_doc_status s)
{
	static const char *names[WY_DOC_NSTATUS] = {"queued", "converting", "ready", "failed", "readable"};
	return (unsigned)s < WY_DOC_NSTATUS ? names[s] : "unknown";
}

const char *wy_doc_state_name(int state)
{
	static const char *names[] = {"published", "pending", "hidden", "deleted", "version"};
	return (unsigned)state < 5 ? names[state] : "unknown";
}

const char *wy_comment_state_name(int state)
{
	static const char *const names[] = {"published", "pending", "hidden"};
	return (unsigned)state < 3 ? names[state] : "unknown";
}

const char *wy_mail_state_name(wy_mail_state s)
{
	static const char *const names[] = {"queued", "sending", "sent", "failed"};
	return (unsigned)s < 4 ? names[s] : "unknown";
}

wy_mail_state store_mail_state_of(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, wy_mail_state_name((wy_mail_state)i)) == 0)
			return (wy_mail_state)i;
	return WY_MAIL_FAILED;
}

const char *store_mail_link_kind_name(wy_mail_link_kind k) { return k == WY_MAIL_RESET ? "reset" : "verify"; }

/* ---- text ---- */

long store_text_length(const char *s, const char *allowed, bool *visible)
{
	size_t n = strlen(s);
	*visible = false;
	if (!wy_utf8_valid(s, n))
		return -1;
	long count = 0;
	for (const char *p = s, *end = s + n; p < end; count++) {
		int cp = wy_utf8_decode(&p, end);
		if (cp < 0)
			return -1;
		bool control = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
			       wy_is_hidden_control((uint32_t)cp);
		if (control && !(cp < 0x80 && allowed && strchr(allowed, cp)))
			return -1;
		if (cp != ' ' && cp != 0x3000 && !control)
			*visible = true;
	}
	return count;
}

bool store_title_valid(const char *t, long max)
{
	bool visible;
	long n = t ? store_text_length(t, NULL, &visible) : -1;
	return n >= 1 && n <= max && visible;
}

/* ---- names ---- */

bool store_category_name_valid(const char *s, size_t n)
{
	if (n == 0 || n > 100 || !wy_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '/' || s[i] == 0x7f)
			return false;
	return true;
}

bool wy_user_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n < 2 || n > 32)
		return false;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)name;
	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &cp);
		if (k <= 0)
			return false;
		p += k;
		if (cp == '_' || cp == '-')
			continue;
		utf8proc_category_t cat = utf8proc_category(cp);
		if (!(cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) && cat != UTF8PROC_CATEGORY_ND)
			return false;
	}
	return true;
}

bool wy_collection_name_valid(const char *name)
{
	bool visible;
	long n = name ? store_text_length(name, NULL, &visible) : -1;
	return n >= 1 && n <= WY_COLLECTION_NAME_MAX && visible;
}

bool wy_collection_desc_valid(const char *description)
{
	bool visible;
	long n = description ? store_text_length(description, "\n\r\t", &visible) : -1;
	return n >= 0 && n <= WY_COLLECTION_DESC_MAX;
}

/* ---- articles and site links ---- */

const char *const wy_article_kinds[] = {"notice", "help", "about", "legal", NULL};
static const char *const legal_slugs[] = {"terms", "privacy", "disclaimer", NULL};

bool wy_article_slug_valid(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;
	if (n == 0 || n > WY_ARTICLE_SLUG_MAX || slug[0] == '-' || slug[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((slug[i] >= 'a' && slug[i] <= 'z') || (slug[i] >= '0' && slug[i] <= '9') || slug[i] == '-'))
			return false;
	return true;
}

bool wy_article_is_legal(const char *slug)
{
	for (int i = 0; slug && legal_slugs[i]; i++)
		if (strcmp(slug, legal_slugs[i]) == 0)
			return true;
	return false;
}

static bool kind_valid(const char *kind)
{
	for (int i = 0; kind && wy_article_kinds[i]; i++)
		if (strcmp(kind, wy_article_kinds[i]) == 0)
			return true;
	return false;
}

int store_article_check(const wy_article *a, wy_errinfo *ei)
{
	if (!wy_article_slug_valid(a->slug))
		return wy_err_set(ei, WY_EINVAL, "articles: a slug is 1-%d of a-z, 0-9 and '-' (not first or last)",
				  WY_ARTICLE_SLUG_MAX);
	if (!store_title_valid(a->title, WY_ARTICLE_TITLE_MAX))
		return wy_err_set(ei, WY_EINVAL, "articles: a title is 1-%d characters", WY_ARTICLE_TITLE_MAX);
	if (!kind_valid(a->kind))
		return wy_err_set(ei, WY_EINVAL, "articles: a kind is notice, help, about or legal");
	bool visible;
	if (!a->body_md || strlen(a->body_md) > WY_ARTICLE_BODY_MAX)
		return wy_err_set(ei, WY_EINVAL, "articles: a body is at most %d KiB of text", WY_ARTICLE_BODY_MAX >> 10);
	if (store_text_length(a->body_md, "\n\r\t", &visible) < 0)
		return wy_err_set(ei, WY_EINVAL, "articles: a body is not UTF-8 text (or has control characters)");
	if (a->state != 0 && a->state != 1)
		return wy_err_set(ei, WY_EINVAL, "articles: a state is 0 (draft) or 1 (published)");
	if (a->published_at <= 0)
		return wy_err_set(ei, WY_EINVAL, "articles: no publishing time");
	return WY_OK;
}

bool wy_site_link_url_valid(const char *url, bool image)
{
	size_t n = url ? strlen(url) : 0;
	if (n == 0 || n > WY_LINK_URL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`')
			return false;
	}
	if (url[0] == '/')
		return url[1] != '/'; /* "//host" leaves the site */
	const char *host = !strncmp(url, "https://", 8) ? url + 8 : !image && !strncmp(url, "http://", 7) ? url + 7 : NULL;
	if (!host)
		return false; /* javascript:, data:, a relative path ... */
	/* a host: a DNS name or address, an optional :port */
	return wy_host_valid(host, strcspn(host, "/?#"));
}

int store_link_check(const wy_site_link *l, wy_errinfo *ei)
{
	if (l->kind < 0 || l->kind >= WY_LINK_NKINDS)
		return wy_err_set(ei, WY_EINVAL, "links: no such kind of link");
	if (!store_title_valid(l->title, WY_LINK_TITLE_MAX))
		return wy_err_set(ei, WY_EINVAL, "links: a title is 1-%d characters", WY_LINK_TITLE_MAX);
	if (!wy_site_link_url_valid(l->url, false))
		return wy_err_set(ei, WY_EINVAL, "links: a link is http:// or https:// with a host, or a path on this site");
	const char *image = l->image ? l->image : "";
	if (l->kind == WY_LINK_BANNER ? !wy_site_link_url_valid(image, true) : *image != 0)
		return wy_err_set(ei, WY_EINVAL, "links: a banner's picture is https:// with a host, or a path on this site");
	if (l->position < -1000000 || l->position > 1000000)
		return wy_err_set(ei, WY_EINVAL, "links: a position is from -1000000 to 1000000");
	return WY_OK;
}

/* ---- mail ---- */

bool wy_mail_header_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return s != NULL;
}

bool wy_mail_addr_valid(const char *a)
{
	size_t n = a ? strlen(a) : 0;
	if (n < 3 || n > 254 || !wy_mail_header_safe(a) || !wy_utf8_valid(a, n))
		return false;
	const char *at = strchr(a, '@');
	if (!at || at == a || strchr(at + 1, '@') || !at[1] || at - a > 64)
		return false;
	for (const char *p = a; *p; p++)
		if (strchr(" \"<>(),;:\\[]", *p))
			return false;
	const char *dot = strchr(at + 1, '.');
	/* a dot inside the domain, not at either end, no empty label */
	return dot && dot != at + 1 && a[n - 1] != '.' && !strstr(at + 1, "..");
}

#define SUBJECT_MAX 400
#define BODY_MAX (64u << 10)

int store_mail_check(const char *to, const char *subject, const char *body, wy_errinfo *ei)
{
	if (!wy_mail_addr_valid(to))
		return wy_err_set(ei, WY_EINVAL, "not an email address");
	if (!subject || !wy_mail_header_safe(subject) || !wy_utf8_valid(subject, strlen(subject)))
		return wy_err_set(ei, WY_EINVAL, "a subject is one line of text");
	if (strlen(subject) > SUBJECT_MAX || !body || strlen(body) > BODY_MAX)
		return wy_err_set(ei, WY_ETOOBIG, "a mail's subject is at most %d bytes, its body %u", SUBJECT_MAX,
				  BODY_MAX);
	if (!wy_utf8_valid(body, strlen(body)))
		return wy_err_set(ei, WY_EINVAL, "a mail's body is UTF-8 text");
	return WY_OK;
}

/* ---- accounts and limits (the backends' users and limits files) ---- */

int store_user_name_check(const char *name, char sk[STORE_SKELETON_BYTES], wy_errinfo *ei)
{
	if (!wy_user_name_valid(name))
		return wy_err_set(ei, WY_EINVAL, "a user name is 2-32 bytes of letters, digits, '_' and '-'");
	if (wy_confusable_mixed(name))
		return wy_err_set(ei, WY_EINVAL, "a user name may not mix scripts (such as Latin and Cyrillic letters)");
	if (wy_confusable_skeleton(name, sk, STORE_SKELETON_BYTES))
		return wy_err_set(ei, WY_EINVAL, "a user name is 2-32 bytes of letters, digits, '_' and '-'");
	return WY_OK;
}

bool store_setting_count(const char *v, long long max, int64_t *out)
{
	char *tail;
	long long n = v ? strtoll(v, &tail, 10) : -1;
	if (!v || tail == v || *tail || n < 0 || n > max)
		return false;
	*out = n;
	return true;
}

void store_upload_rule_set(wy_upload_points *r, const char *name, const char *value)
{
	int64_t n;
	if (!name || !store_setting_count(value, 1000000000, &n))
		return;
	if (strcmp(name, "points_upload") == 0)
		r->points = n;
	else if (strcmp(name, "points_upload_daily") == 0)
		r->daily = n;
	else if (strcmp(name, "points_upload_min_chars") == 0)
		r->min_chars = n;
}

int store_group_check(const wy_group *g, wy_errinfo *ei)
{
	size_t n = g->name ? strlen(g->name) : 0;
	if (n == 0 || n > 64 || !wy_utf8_valid(g->name, n))
		return wy_err_set(ei, WY_EINVAL, "a group's name is 1 to 64 bytes of UTF-8");
	if (g->upload_mb < 0 || g->upload_mb > 1048576)
		return wy_err_set(ei, WY_EINVAL, "upload_mb is 0 to 1048576");
	return WY_OK;
}

int store_attempt_check(const wy_attempt_key *keys, int n, int64_t window, wy_errinfo *ei)
{
	if (n < 1 || n > WY_ATTEMPT_KEYS || window < 1)
		return wy_err_set(ei, WY_EINVAL, "1 to %d keys and a window are needed", WY_ATTEMPT_KEYS);
	for (int i = 0; i < n; i++)
		if (!keys[i].key || !*keys[i].key || strlen(keys[i].key) > WY_ATTEMPT_KEY_MAX)
			return wy_err_set(ei, WY_EINVAL, "an attempt key is 1 to %d bytes", WY_ATTEMPT_KEY_MAX);
	return WY_OK;
}
