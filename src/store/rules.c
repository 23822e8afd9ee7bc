/* rules: what the store's callers derive from the settings, whichever
 * backend holds the store; said once here so that the server and the
 * command line apply the same rule. */
#include "core/config.h"
#include "store/store.h"

wy_upload_points wy_upload_points_of(const wy_config *cfg)
{
	/* a near-duplicate of a document that earned points earns none when
	 * the site looks for near-duplicates at all */
	return (wy_upload_points){cfg->points_upload, cfg->points_upload_daily, cfg->points_upload_min_chars,
				  cfg->near_duplicates ? cfg->near_duplicate_percent / 100.0 : 0};
}
