/* replay: the main() of a fuzz target in builds without libFuzzer.
 *
 *   wy_fuzz_<name> PATH...
 *
 * runs the target's LLVMFuzzerTestOneInput once over every file named, and
 * over every file of every directory named (not recursively, in name
 * order, dot files skipped), each in a heap block of exactly its size so
 * that AddressSanitizer sees a read past the end. This is how each corpus
 * tests/fuzz/corpus/<name>/ becomes the ordinary CTest case fuzz.<name>
 * in every build (SQLite's fuzzcheck does the same). An input that takes
 * longer than WY_FUZZ_TIMEOUT seconds (default 10) fails, as a hang does
 * under libFuzzer. Exit status: 0 when every input ran, 1 when a path
 * could not be read or held no input; a failing check aborts. */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* Defined by the targets that need it; libFuzzer calls it when present. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *current;
static unsigned timeout_s = 10;

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "fuzz replay: timeout on input ";
	/* async-signal-safe: write(2) only */
	if (write(2, msg, sizeof msg - 1) < 0 || write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
		_exit(3);
	_exit(3);
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz replay: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	int err = ferror(f);
	fclose(f);
	if (!buf || err) {
		fprintf(stderr, "fuzz replay: cannot read %s\n", path);
		free(buf);
		return -1;
	}
	/* exactly n bytes: a read past the input is a heap overflow */
	uint8_t *input = fuzz_memdup(buf, n);
	free(buf);
	fprintf(stderr, "fuzz replay: %s (%zu bytes)\n", path, n);
	current = path;
	alarm(timeout_s);
	LLVMFuzzerTestOneInput(input, n);
	alarm(0);
	free(input);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order; returns how many ran or -1. */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fuzz replay: cannot open %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof *names);
			if (!names)
				abort();
		}
		names[n++] = fuzz_strndup(e->d_name, strlen(e->d_name));
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	int ran = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(len);
		if (!path)
			abort();
		snprintf(path, len, "%s/%s", dir, names[i]);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) < 0)
				ran = -1;
			else if (ran >= 0)
				ran++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	const char *t = getenv("WY_FUZZ_TIMEOUT");
	if (t && atoi(t) > 0)
		timeout_s = (unsigned)atoi(t);
	signal(SIGALRM, on_alarm);
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 1;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	int total = 0, rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "fuzz replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		int ran = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]) == 0 ? 1 : -1;
		if (ran <= 0) {
			fprintf(stderr, "fuzz replay: %s: %s\n", argv[i], ran ? "unreadable input" : "no input in it");
			rc = 1;
			continue;
		}
		total += ran;
	}
	fprintf(stderr, "fuzz replay: %d inputs, %s\n", total, rc ? "with errors" : "all passed");
	return rc;
}
