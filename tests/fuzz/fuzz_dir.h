/* fuzz_dir.h: a private temporary directory for targets that must hand
 * their input to a loader that reads files (the .mo catalog reader loads
 * every <lang>.mo of a directory). Made once per process; what was made in
 * it is removed at exit. */
#ifndef WY_FUZZ_DIR_H
#define WY_FUZZ_DIR_H

#include "fuzz.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_DIR_MAX 16

static char fuzz_dir_base[256];
static char fuzz_dir_made[FUZZ_DIR_MAX][320]; /* files and directories, in order made */
static int fuzz_dir_nmade;

static void fuzz_dir_remove(void)
{
	for (int i = fuzz_dir_nmade - 1; i >= 0; i--)
		if (unlink(fuzz_dir_made[i]) != 0)
			rmdir(fuzz_dir_made[i]);
	rmdir(fuzz_dir_base);
}

static void fuzz_dir_note(const char *path)
{
	for (int i = 0; i < fuzz_dir_nmade; i++)
		if (strcmp(fuzz_dir_made[i], path) == 0)
			return;
	if (fuzz_dir_nmade == FUZZ_DIR_MAX)
		abort();
	if (snprintf(fuzz_dir_made[fuzz_dir_nmade++], sizeof fuzz_dir_made[0], "%s", path) >=
	    (int)sizeof fuzz_dir_made[0])
		abort();
}

/* Make the directory base/sub (and base, the first time); abort on failure.
 * Returns its path, static: valid until the next call. */
static const char *fuzz_dir_make(const char *sub)
{
	static char path[320];
	if (!fuzz_dir_base[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(fuzz_dir_base, sizeof fuzz_dir_base, "%s/wy-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(fuzz_dir_base)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(fuzz_dir_remove);
	}
	if (snprintf(path, sizeof path, "%s/%s", fuzz_dir_base, sub) >= (int)sizeof path)
		abort();
	if (mkdir(path, 0700) != 0) {
		perror(path);
		abort();
	}
	fuzz_dir_note(path);
	return path;
}

/* Write n bytes as the file name of dir (made by fuzz_dir_make). */
static void fuzz_dir_write(const char *dir, const char *name, const void *p, size_t n)
{
	char path[320];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		abort();
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n) || close(fd) != 0) {
		perror(path);
		abort();
	}
	fuzz_dir_note(path);
}

/* An empty but valid GNU .mo catalog (little-endian, no strings): enough
 * for the language to count as loaded. 28 bytes. */
static const unsigned char fuzz_empty_mo[28] = {0xde, 0x12, 0x04, 0x95, 0, 0, 0, 0, 0, 0, 0,  0, 28, 0,
                                                0,    0,    28,   0,    0, 0, 0, 0, 0, 0, 28, 0, 0,  0};

#endif
