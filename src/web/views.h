/* views: JSON forms of the store's objects, shared by the API
 * (/api/v1/...) and the command line's --json, so both say the same thing
 * with the same field names (docs/api.md). Each returns a new reference. */
#ifndef WY_VIEWS_H
#define WY_VIEWS_H

#include <jansson.h>

#include "store/store.h"

json_t *wy_view_doc(const wy_doc *d);
json_t *wy_view_page(const wy_page *p);
json_t *wy_view_category(const wy_category *c);

#endif
