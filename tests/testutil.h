/* testutil.h - helpers shared by the cmocka test programs (header only).
 *
 * Tests find the tree and the binary through the environment that
 * tests/run.sh sets: MODELC_ROOT (source tree), MODELC (the compiler binary),
 * MODELC_BUILD (build directory), and PGHOST/PGPORT/PGUSER for the cluster. */
#ifndef MODELC_TESTUTIL_H
#define MODELC_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static inline const char *tu_env(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

static inline const char *tu_root(void) { return tu_env("MODELC_ROOT", "."); }
static inline const char *tu_modelc(void) { return tu_env("MODELC", "build-san/modelc"); }

/* Reads a whole file (NUL-terminated, caller frees); NULL when missing. */
static inline char *tu_read(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *data = malloc(cap);
	size_t n;
	while ((n = fread(data + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			cap *= 2;
			data = realloc(data, cap);
		}
	}
	fclose(f);
	data[len] = '\0';
	if (len_out)
		*len_out = len;
	return data;
}

static inline void tu_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A fresh empty directory under the build directory; caller frees. */
static inline char *tu_tempdir(const char *tag)
{
	char *path = malloc(4096);
	snprintf(path, 4096, "%s/tmp", tu_env("MODELC_BUILD", "build-san"));
	mkdir(path, 0777);
	snprintf(path, 4096, "%s/tmp/%s.XXXXXX", tu_env("MODELC_BUILD", "build-san"), tag);
	assert_non_null(mkdtemp(path));
	return path;
}

static inline int tu_rm_rf(const char *path)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	return system(cmd);
}

/* Number of entries in a directory (excluding . and ..), -1 if missing. */
static inline int tu_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

typedef struct tu_run {
	int status;     /* exit status, or -1 when killed by a signal */
	char *out;      /* stdout, caller frees */
	char *err;      /* stderr, caller frees */
} tu_run;

static inline char *tu_slurp_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *data = malloc(cap);
	for (;;) {
		if (cap - len < 2048) {
			cap *= 2;
			data = realloc(data, cap);
		}
		ssize_t n = read(fd, data + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	data[len] = '\0';
	return data;
}

/* Runs argv (argv[0] looked up in PATH unless it has a '/') in directory cwd
 * (NULL = here), capturing stdout and stderr through temporary files. */
static inline tu_run tu_exec(const char *cwd, const char *const argv[])
{
	tu_run r = { -1, NULL, NULL };
	char outp[] = "/tmp/modelc-test-out.XXXXXX", errp[] = "/tmp/modelc-test-err.XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp);
	assert_true(ofd >= 0 && efd >= 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	lseek(ofd, 0, SEEK_SET);
	lseek(efd, 0, SEEK_SET);
	r.out = tu_slurp_fd(ofd);
	r.err = tu_slurp_fd(efd);
	close(ofd);
	close(efd);
	unlink(outp);
	unlink(errp);
	return r;
}

static inline void tu_run_free(tu_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* Absolute path of p (relative to the current directory); caller frees. */
static inline char *tu_abs(const char *p)
{
	char *r = realpath(p, NULL);
	if (!r) {
		r = malloc(strlen(p) + 1);
		strcpy(r, p);
	}
	return r;
}

#endif
