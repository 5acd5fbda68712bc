/* fuzz_model.c - libFuzzer entry point: scanner, parser, semantic pass and
 * all emitters over one input, entirely in memory. Every import resolves to
 * the input itself, so imports, cycles and duplicates get exercised too. */
#include <stdint.h>
#include <string.h>

#include "emit.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct input {
	const uint8_t *data;
	size_t size;
	int loads;
} input;

static int mem_loader(void *ctx, arena *a, const char *path, const char **text, size_t *len, const char **err)
{
	input *in = ctx;
	(void)path;
	if (++in->loads > 8) {
		*err = "too many files";
		return -1;
	}
	*text = arena_strndup(a, (const char *)in->data, in->size);
	*len = in->size;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	arena a;
	arena_init(&a);
	diag_ctx d;
	diag_init(&d, &a);
	input in = { data, size, 0 };
	model *m = model_load(&d, "fuzz.model", mem_loader, &in);
	if (m) {
		emit_file files[EMIT_NFILES];
		emit_opts opts = { NULL };
		emit_all(&d, m, &opts, files);
		for (int i = 0; i < EMIT_NFILES; i++)
			buf_free(&files[i].content);
	}
	diag_dispose(&d);
	arena_free(&a);
	return 0;
}
