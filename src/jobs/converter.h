/* jobs/converter: the converter processes' side of the worker (worker.c
 * is the parent's). A converter is a fresh image of the program
 * (wy_sandbox_spawn_exec) that finds its parameters at its start
 * (wy_worker_child_entry), confines itself and converts: `wy-convert` one
 * document per process (child_main: MuPDF's formats and text; an office
 * document is handed back), `wy-office` one LibreOffice kept per slot
 * (office_main: a document per request). Both answer with the records
 * below, which the worker reads (worker.c: parse_records). */
#ifndef WY_JOBS_CONVERTER_H
#define WY_JOBS_CONVERTER_H

#include "convert/convert.h"
#include "convert/sandbox.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Child -> parent records: type byte, 4-byte little-endian length, payload. */
enum {
	REC_FORMAT = 'F', REC_COUNT = 'N', REC_META = 'M', REC_THUMB = 'T',
	REC_PAGE = 'P', REC_ERROR = 'E', REC_DONE = 'D',
	REC_OFFICE = 'O',   /* child: this is an office document (payload: format) */
	REC_BLOB = 'B',     /* child: an image to store (payload: its 64-hex SHA-256, the bytes) */
	REC_REQUEST = 'R',  /* parent -> office converter: "format\0path[\0first_page]" */
	REC_OCR = 'Q',      /* child: the next page is being recognised (payload: its number) */
	REC_OCR_LATER = 'L',/* child: recognition is to go on from this page in another turn */
	REC_OUTLINE = 'U',  /* child: the outline, "PAGE DEPTH TITLE\n" per entry (text/outline.h) */
};
#define REC_MAX (8u << 20)       /* one page's text is cut well below this */
#define BLOB_MAX (32u << 20)     /* one page image (WebP sides stop at 16383 px) */
#define BOXES_MAX (128u << 20)   /* all pages' character boxes (16M characters) */

/* What a converter is told: the per-job one its original and options, the
 * office one its settings. The parent fills it; it travels as bytes
 * (converter.c: child_params_put/get), never as memory. */
typedef struct child_ctx {
	int fd;
	int fault;            /* tests only: 1 crash, 2 hang, 3 bad boxes, 4 bad outline (see start_job) */
	int pause_after;      /* tests only: stop after sending this page, until killed (see start_job) */
	const char *path;
	wy_convert_opts opts;
	/* office converters only */
	const char *office_path;  /* the settings it needs (the rest of the
				     configuration stays with the worker) */
	bool allow_network;
	int office_first_pages;
	const char *workdir;
	int in_fd;            /* the original, opened before confinement */
	bool drop_format;     /* the PDF's own format record is not the document's */
	size_t boxes_sent;    /* box bytes of the current document so far */
	bool prestart;        /* start (and warm) LibreOffice before the first request */
	int count_as;         /* the first pages first: the page count sent instead of the PDF's */
	int last_sent;        /* the last page sent of the current document */
	const char *first_pdf;
} child_ctx;

/* Start a converter of this kind ('C' per job, 'O' office) as a fresh image
 * of the program, with these parameters (see wy_sandbox_spawn_exec for
 * the descriptors). */
int conv_spawn(const wy_sandbox_limits *lim, char kind, const child_ctx *c, pid_t *pid, int *out_fd, int *req_fd,
	       wy_errinfo *ei);

/* One record to fd (the parent's requests to an office converter too). */
int conv_send_rec(int fd, char type, const void *p, size_t n);

#endif
