/* test_golden.c - the generated files of every example, byte for byte
 * against tests/golden/NAME/ (refresh with `make golden`, review the diff). */
#include "testutil.h"

#include <dirent.h>

static char names[64][256];
static int nnames;

static void test_example(void **state)
{
	const char *name = *state;
	char *dir = tu_tempdir("golden");
	char model[4096], out[4200];
	snprintf(model, sizeof model, "%s/examples/%s.model", tu_root(), name);
	snprintf(out, sizeof out, "%s/out", dir);
	const char *argv[] = { tu_modelc(), model, "-o", out, NULL };
	tu_run r = tu_exec(NULL, argv);
	if (r.status != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.status, 0);
	tu_run_free(&r);
	const char *ext[] = { "h", "c", "sql" };
	for (int i = 0; i < 3; i++) {
		char got[4400], want[4400];
		snprintf(got, sizeof got, "%s/%s.%s", out, name, ext[i]);
		snprintf(want, sizeof want, "%s/tests/golden/%s/%s.%s", tu_root(), name, name, ext[i]);
		size_t lg, lw;
		char *g = tu_read(got, &lg), *w = tu_read(want, &lw);
		assert_non_null(g);
		if (!w)
			fail_msg("missing golden file %s (run make golden)", want);
		if (lg != lw || memcmp(g, w, lg) != 0) {
			char cmd[9000];
			snprintf(cmd, sizeof cmd, "diff -u '%s' '%s' | head -40 >&2", want, got);
			if (system(cmd) < 0)
				perror("diff");
			fail_msg("%s differs from %s (run make golden and review the diff)", got, want);
		}
		free(g);
		free(w);
	}
	tu_rm_rf(dir);
	free(dir);
}

int main(void)
{
	char ex[4096];
	snprintf(ex, sizeof ex, "%s/examples", tu_root());
	DIR *d = opendir(ex);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)) && nnames < 64) {
		size_t n = strlen(e->d_name);
		if (n > 6 && strcmp(e->d_name + n - 6, ".model") == 0)
			snprintf(names[nnames++], sizeof names[0], "%.*s", (int)(n - 6), e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)nnames, sizeof names[0], (int (*)(const void *, const void *))strcmp);
	struct CMUnitTest tests[64];
	for (int i = 0; i < nnames; i++) {
		struct CMUnitTest t = { names[i], test_example, NULL, NULL, names[i] };
		tests[i] = t;
	}
	return _cmocka_run_group_tests("golden files", tests, (size_t)nnames, NULL, NULL);
}
