/* replay.c - runs the fuzz target over files and directories of inputs
 * (the seed corpus, the invalid models, the examples) without libFuzzer, so
 * `make test` replays them under ASan/UBSan. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	size_t cap = 1 << 16, len = 0, n;
	uint8_t *data = malloc(cap);
	while ((n = fread(data + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			data = realloc(data, cap *= 2);
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	/* every prefix too: truncated input is the commonest real-world damage */
	for (size_t cut = len / 2; cut > 0 && cut < len; cut += (len - cut + 1) / 2)
		LLVMFuzzerTestOneInput(data, cut);
	free(data);
	count++;
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	DIR *d = opendir(path);
	if (!d)
		return 1;
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (nn + 1) * sizeof *names);
		names[nn] = malloc(strlen(path) + strlen(e->d_name) + 2);
		sprintf(names[nn++], "%s/%s", path, e->d_name);
	}
	closedir(d);
	int rc = 0;
	for (size_t i = 0; i < nn; i++) {
		rc |= run_path(names[i]);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i]);
	printf("fuzz replay: %d inputs (and their prefixes) ran without a crash\n", count);
	printf("%d passed, %d failed\n", rc ? 0 : count, rc ? 1 : 0);
	return rc;
}
