/* reasons: why a document failed, in plain words.
 *
 * The worker, the converters and the store write a document's failure
 * reason in English for operators ("password-protected", "conversion took
 * longer than the limit of 300 s"...). Readers get instead a stable code
 * (the JSON API's "reason_code") and a sentence in their language that
 * says what happened and what to do (the pages' "reason_text"): one table,
 * in reasons.c, maps the first to the others. A reason the table does not
 * know gets the code "unknown" and a generic sentence. */
#ifndef WY_WEB_REASONS_H
#define WY_WEB_REASONS_H

#include <stdbool.h>

/* The stable code of a reason: "encrypted", "unrecognized_format" ...,
 * "unknown" for one the table does not know; NULL for NULL. Static. */
const char *wy_reason_code(const char *reason);

/* The Chinese msgid saying a reason in plain words (the generic one for an
 * unknown reason); NULL for NULL. Static. */
const char *wy_reason_msgid(const char *reason);

/* That sentence in language lang (web_lang): the catalog's, or the msgid
 * itself for Chinese. NULL for NULL. */
const char *wy_reason_text(const char *lang, const char *reason);

/* The i-th distinct code, from the first row on, and its msgid; "unknown"
 * and the generic msgid last; false past it. For pages that word the
 * codes a script reads (the upload page). */
bool wy_reason_each(int i, const char **code, const char **msgid);

#endif
