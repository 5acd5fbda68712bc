#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int same_content(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char chunk[65536];
	size_t off = 0, n;
	int same = 1;
	while (same && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (off + n > len || memcmp(chunk, data + off, n) != 0)
			same = 0;
		off += n;
	}
	if (ferror(f) || off != len)
		same = 0;
	fclose(f);
	return same;
}

int output_write(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	if (same_content(path, data, len))
		return 0;
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 16);
	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the temporary file sits beside the target so rename() is atomic */
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	snprintf(tmp, pl + 16, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file in the directory of '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
			close(fd);
			unlink(tmp);
			free(tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot replace '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 1;
}

int output_mkdirs(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof path) {
		snprintf(err, errlen, "bad output directory '%s'", dir);
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory '%s': %s", path, strerror(errno));
			return -1;
		}
		path[i] = c;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a directory", dir);
		return -1;
	}
	return 0;
}
