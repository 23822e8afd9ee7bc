/* store/types: freeing what store.h's functions give their callers,
 * whichever backend filled it. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void wy_doc_clear(wy_doc *d)
{
	if (!d)
		return;
	free(d->title);
	free(d->filename);
	free(d->format);
	free(d->category);
	free(d->reason);
	free(d->author);
	free(d->keywords);
	free(d->uploader);
	free(d->description);
	free(d->tags);
	memset(d, 0, sizeof *d);
}

void wy_doc_list_clear(wy_doc_list *l)
{
	for (int i = 0; i < l->n; i++)
		wy_doc_clear(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void wy_page_clear(wy_page *p)
{
	free(p->text);
	free(p->boxes);
	memset(p, 0, sizeof *p);
}

void wy_job_clear(wy_job *j)
{
	free(j->filename);
	free(j->title);
	memset(j, 0, sizeof *j);
}

void wy_category_list_clear(wy_category_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].path);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void wy_article_clear(wy_article *a)
{
	if (!a)
		return;
	free(a->slug);
	free(a->title);
	free(a->kind);
	free(a->body_md);
	memset(a, 0, sizeof *a);
}

void wy_article_list_clear(wy_article_list *l)
{
	for (int i = 0; l && i < l->n; i++)
		wy_article_clear(&l->items[i]);
	if (l) {
		free(l->items);
		l->items = NULL;
		l->n = 0;
	}
}

void wy_site_link_list_clear(wy_site_link_list *l)
{
	for (int i = 0; l && i < l->n; i++) {
		free(l->items[i].title);
		free(l->items[i].url);
		free(l->items[i].image);
	}
	if (l) {
		free(l->items);
		l->items = NULL;
		l->n = 0;
	}
}

void wy_collection_clear(wy_collection *c)
{
	if (!c)
		return;
	free(c->owner);
	free(c->name);
	free(c->description);
	memset(c, 0, sizeof *c);
}

void wy_collection_list_clear(wy_collection_list *l)
{
	for (int i = 0; l && i < l->n; i++)
		wy_collection_clear(&l->items[i]);
	if (l) {
		free(l->items);
		l->items = NULL;
		l->n = 0;
	}
}

void wy_comment_clear(wy_comment *c)
{
	free(c->user_name);
	free(c->text);
	memset(c, 0, sizeof *c);
}

void wy_comment_list_clear(wy_comment_list *l)
{
	for (int i = 0; i < l->n; i++)
		wy_comment_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void wy_doc_version_clear(wy_doc_version *v)
{
	if (!v)
		return;
	free(v->reason);
	free(v->filename);
	memset(v, 0, sizeof *v);
}

void wy_group_list_clear(wy_group_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void wy_mail_clear(wy_mail *m)
{
	free(m->to_addr);
	free(m->subject);
	free(m->body);
	free(m->last_error);
	memset(m, 0, sizeof *m);
}

void wy_mail_list_clear(wy_mail_list *l)
{
	for (int i = 0; i < l->n; i++)
		wy_mail_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void wy_recycle_list_clear(wy_recycle_list *l)
{
	for (int i = 0; i < l->n; i++)
		wy_doc_clear(&l->items[i].doc);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void wy_search_result_clear(wy_search_result *r)
{
	for (int i = 0; i < r->n; i++)
		wy_doc_clear(&r->items[i].doc);
	free(r->items);
	memset(r, 0, sizeof *r);
}

void wy_str_list_clear(wy_str_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void wy_user_clear(wy_user *u)
{
	if (!u)
		return;
	free(u->name);
	memset(u, 0, sizeof *u);
}

void wy_user_list_clear(wy_user_list *l)
{
	for (int i = 0; i < l->n; i++)
		wy_user_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void wy_ledger_clear(wy_ledger *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->items[i].reason);
		free(l->items[i].doc_title);
		free(l->items[i].other_name);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

void wy_report_list_clear(wy_report_list *l)
{
	for (int i = 0; i < l->n; i++) {
		wy_report *r = &l->items[i];
		free(r->reason);
		free(r->detail);
		free(r->user_name);
		free(r->doc_title);
		free(r->comment_text);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

void wy_audit_list_clear(wy_audit_list *l)
{
	for (int i = 0; i < l->n; i++) {
		wy_audit_entry *a = &l->items[i];
		free(a->admin_name);
		free(a->action);
		free(a->target);
		free(a->detail);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}
