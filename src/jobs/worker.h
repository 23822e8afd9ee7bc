/* worker: claims conversion jobs from the store and runs each in a
 * sandboxed child (convert/), supervising up to N children at once: a child
 * that crashes, hangs past the wall-clock limit or exhausts its memory fails
 * its own job with a reason, and the worker goes on. Results are published
 * in one store transaction per document.
 *
 * The worker process itself never parses document content. */
#ifndef WY_WORKER_H
#define WY_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "blob/blob.h"
#include "core/config.h"
#include "store/store.h"

typedef struct wy_worker_opts {
	const char *name;         /* for logs and the store's job rows */
	/* When set, return once every one of these documents is ready or
	 * failed (converted by this worker or any other). */
	const int64_t *wait_ids;
	int nwait;
	/* Return when no job is queued and none is running here. */
	bool until_idle;
	/* Called about every 200 ms while waiting (progress bars). */
	void (*tick)(void *ctx, wy_store *st);
	void *tick_ctx;
	/* A caller that queues jobs while this worker converts them (`wenyuan
	 * import` storing a tree): called with tick_ctx on every turn of the
	 * loop to do a little of its work (a file), returning true while it
	 * has more. Meanwhile the loop does not wait, looks for new jobs on
	 * every turn and, with until_idle, does not take the queue for empty
	 * until it has looked once after the last call. */
	bool (*feed)(void *ctx, wy_store *st);
} wy_worker_opts;

/* Run until stopped (wy_worker_stop, SIGINT/SIGTERM when the caller routes
 * them there) or until opts says to return. Children still running when it
 * stops are killed and their jobs go back to the queue. */
int wy_worker_run(const wy_config *cfg, wy_store *st, wy_blob_store *bs, const wy_worker_opts *opts,
		  wy_errinfo *ei);

/* Call first in main() of every program that runs a worker: a converter
 * is a fresh image of the program (wy_sandbox_spawn_exec), which starts
 * here as one and never returns. In any other process this returns at
 * once and changes nothing. */
void wy_worker_child_entry(int argc, char **argv);

/* Ask running workers in this process to stop; async-signal-safe. */
void wy_worker_stop(void);

/* Ask running workers in this process to read their settings again
 * (wy_config_reread, as SIGHUP does): the next jobs use them, and office
 * converters started with the old ones are replaced; async-signal-safe. */
void wy_worker_reload(void);

#endif
