# modelc - plain make, in the spirit of redis/hiredis.
#   make                 build modelc (build/modelc)
#   make SANITIZE=1      ASan + UBSan build (in build-san/)
#   make test            install missing packages, build with sanitizers,
#                        start a throwaway PostgreSQL cluster, run all tests
#   make golden          refresh tests/golden/ from the current compiler
#   make fuzz            run the libFuzzer target (FUZZ_SECONDS=60)
#   make bench           build build/bench/modelc_bench and run the peer benchmark
#                        kit with it (BENCH_KIT=../shared/bench, BENCH_ARGS=--quick)
#   make install PREFIX=/usr/local DESTDIR=   modelc, libmodelc.a, headers, modelc.pc
#   V=1                  show full commands

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
CXX        ?= c++
FLEX       ?= flex
BISON      ?= bison
OPTIMIZE   ?= -O2
STD        := -std=c11
WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
DEBUG      ?= -g

ifeq ($(SANITIZE),1)
B          ?= build-san
SAN        := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPTIMIZE   := -O1
else
B          ?= build
SAN        :=
endif

ALL_CFLAGS  = $(STD) $(OPTIMIZE) $(DEBUG) $(WARN) $(SAN) -D_POSIX_C_SOURCE=200809L \
              -DMODELC_VERSION='"$(VERSION)"' -Isrc -Igrammar -I$(B)/gen $(PQ_INC) $(CFLAGS)
GEN_CFLAGS  = $(filter-out -Wmissing-prototypes -Wshadow,$(ALL_CFLAGS)) -Wno-unused-function -Wno-sign-compare
ALL_LDFLAGS = $(SAN) $(LDFLAGS)

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n'
endif

COMPILER_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
COMPILER_OBJ := $(COMPILER_SRC:%.c=$(B)/%.o) $(B)/gen/parser.o $(B)/gen/lexer.o $(B)/gen/templates.o
# main and the commands that use the runtime (src/cli/): the modelc binary
# only, never the compiler library
MAIN_OBJ     := $(B)/src/main.o $(patsubst %.c,$(B)/%.o,$(wildcard src/cli/*.c))
TEMPLATES    := $(sort $(wildcard templates/*.tmpl) $(wildcard templates/std/*.model))

.PHONY: all deps test test-bins golden fuzz clean install example
all: $(B)/modelc $(B)/libmodelc.a

PQ_INC       := -I$(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)

# The runtime library: never linked into the compiler, never including its headers.
RUNTIME_SRC  := $(wildcard src/runtime/*.c)
RUNTIME_OBJ  := $(RUNTIME_SRC:%.c=$(B)/%.o)
RT_CFLAGS     = $(filter-out -Isrc -Igrammar -I$(B)/gen $(PQ_INC),$(ALL_CFLAGS)) -Isrc/runtime/include $(PQ_INC)

$(B)/src/runtime/%.o: src/runtime/%.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(RT_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libmodelc.a: $(RUNTIME_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

# The migration runner talks to PostgreSQL with libpq directly (never
# through libmodelc).
$(B)/modelc: $(MAIN_OBJ) $(B)/libmodelcc.a $(B)/libmodelc.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ -lpq -lpthread

$(B)/src/cli/%.o: src/cli/%.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/runtime/include -MMD -MP -c -o $@ $<

# The compiler as a library, so unit tests and the fuzz target link it too.
$(B)/libmodelcc.a: $(COMPILER_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/src/%.o: src/%.c $(B)/gen/parser.h
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/gen/parser.c $(B)/gen/parser.h: grammar/parser.y
	@mkdir -p $(B)/gen
	$(say) BISON $<
	$(Q)$(BISON) -Wall -Werror -d -o $(B)/gen/parser.c $<

$(B)/gen/lexer.c: grammar/lexer.l
	@mkdir -p $(B)/gen
	$(say) FLEX $<
	$(Q)$(FLEX) -o $@ $<

$(B)/gen/%.o: $(B)/gen/%.c $(B)/gen/parser.h
	$(say) CC $<
	$(Q)$(CC) $(GEN_CFLAGS) -MMD -MP -c -o $@ $<

# Templates and standard mixins are compiled into the binary.
$(B)/embed: src/tools/embed.c
	@mkdir -p $(B)
	$(say) CC $<
	$(Q)$(CC) $(STD) -O1 $(WARN) -o $@ $<

$(B)/gen/templates.c: $(B)/embed $(TEMPLATES)
	@mkdir -p $(B)/gen
	$(say) EMBED templates
	$(Q)$(B)/embed $@ $(TEMPLATES)

# ---- tests ---------------------------------------------------------------
# Every tests/test_*.c and tests/unit/test_*.c is one cmocka program linked
# with the compiler library; tests/run.sh runs them against a throwaway
# PostgreSQL cluster. Generated code of each example is compiled strictly and
# linked into tests/test_generated.c.
EXAMPLES     := $(basename $(notdir $(wildcard examples/*.model)))
TEST_SRC     := $(wildcard tests/test_*.c tests/unit/test_*.c)
TEST_BINS    := $(patsubst tests/%.c,$(B)/tests/%,$(TEST_SRC))
STRICT_C     := -std=c11 -Wall -Wextra -Werror -pedantic
TEST_CFLAGS   = $(filter-out -Wmissing-prototypes -Wstrict-prototypes -D_POSIX_C_SOURCE=200809L,$(ALL_CFLAGS)) -D_DEFAULT_SOURCE -Itests -Isrc/runtime/include $(PQ_INC)
TEST_LIBS    := -lcmocka -lpq -lpthread
EXGEN        := $(B)/examples

$(B)/tests/%: tests/%.c $(B)/libmodelcc.a $(B)/libmodelc.a tests/testutil.h
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(TEST_CFLAGS) -MMD -MP -o $@ $< $(B)/libmodelcc.a $(B)/libmodelc.a $(ALL_LDFLAGS) $(TEST_LIBS)

# generated code of every example: written by modelc, compiled with -Werror
# as C11 and (the header) as C++
$(EXGEN)/%.c $(EXGEN)/%.h $(EXGEN)/%.sql: examples/%.model $(B)/modelc
	@mkdir -p $(EXGEN)
	$(say) MODELC $<
	$(Q)$(B)/modelc $< -o $(EXGEN) -MD

$(EXGEN)/%.o: $(EXGEN)/%.c $(EXGEN)/%.h
	$(say) CC $<
	$(Q)$(CC) $(STRICT_C) $(SAN) -g -Isrc/runtime/include $(PQ_INC) -c -o $@ $<
	$(Q)$(CXX) -std=c++17 -Wall -Wextra -Werror -pedantic -Isrc/runtime/include -x c++ -fsyntax-only $(EXGEN)/$*.h
	$(Q)$(CXX) -std=c++17 -Wall -Wextra -Werror -pedantic -Isrc/runtime/include $(PQ_INC) -x c++ -fsyntax-only $(EXGEN)/$*.c

$(B)/tests/test_generated $(B)/tests/test_batch: $(B)/tests/%: tests/%.c $(EXAMPLES:%=$(EXGEN)/%.o) tests/testutil.h $(B)/libmodelc.a
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(TEST_CFLAGS) -I$(EXGEN) -o $@ $< $(EXAMPLES:%=$(EXGEN)/%.o) $(B)/libmodelc.a $(ALL_LDFLAGS) $(TEST_LIBS)

# the example programs (make example runs blog_app; tests/run.sh both)
$(B)/blog_app $(B)/batch_poll: $(B)/%: examples/%.c $(EXGEN)/blog.o $(B)/libmodelc.a
	$(say) LINK $@
	$(Q)$(CC) $(STD) $(WARN) -Werror $(SAN) -g -Isrc/runtime/include $(PQ_INC) -I$(EXGEN) -o $@ $< \
		$(EXGEN)/blog.o $(B)/libmodelc.a $(ALL_LDFLAGS) -lpq -lpthread

example:
	@bash tests/example.sh

# test models (tests/models/*.model): generated like the examples, linked
# into tests/test_access.c
TMODELS      := $(basename $(notdir $(wildcard tests/models/*.model)))
TGEN         := $(B)/testgen

$(TGEN)/%.c $(TGEN)/%.h $(TGEN)/%.sql: tests/models/%.model $(B)/modelc
	@mkdir -p $(TGEN)
	$(say) MODELC $<
	$(Q)$(B)/modelc $< -o $(TGEN) -MD

$(TGEN)/%.o: $(TGEN)/%.c $(TGEN)/%.h
	$(say) CC $<
	$(Q)$(CC) $(STRICT_C) $(SAN) -g -Isrc/runtime/include $(PQ_INC) -c -o $@ $<

$(B)/tests/test_access: tests/test_access.c $(TMODELS:%=$(TGEN)/%.o) tests/testutil.h $(B)/libmodelc.a
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(TEST_CFLAGS) -I$(TGEN) -o $@ $< $(TMODELS:%=$(TGEN)/%.o) $(B)/libmodelc.a $(ALL_LDFLAGS) $(TEST_LIBS)

$(B)/tests/test_loading: tests/test_loading.c $(TMODELS:%=$(TGEN)/%.o) tests/testutil.h $(B)/libmodelc.a
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(TEST_CFLAGS) -I$(TGEN) -o $@ $< $(TMODELS:%=$(TGEN)/%.o) $(B)/libmodelc.a $(ALL_LDFLAGS) $(TEST_LIBS)

# the fuzz target, driven by a replay main over the seed corpus
$(B)/tests/fuzz_replay: tests/fuzz/fuzz_model.c tests/fuzz/replay.c $(B)/libmodelcc.a
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ tests/fuzz/fuzz_model.c tests/fuzz/replay.c $(B)/libmodelcc.a $(ALL_LDFLAGS) -lpq

test-bins: $(B)/modelc $(TEST_BINS) $(B)/tests/fuzz_replay $(B)/blog_app $(B)/batch_poll

test:
	@bash tests/run.sh

deps:
	@bash tests/deps.sh

# refresh the committed expected output of every example
golden: $(B)/modelc
	@for e in $(EXAMPLES); do \
		mkdir -p tests/golden/$$e && $(B)/modelc examples/$$e.model -o tests/golden/$$e || exit 1; \
	done
	@git status --short tests/golden 2>/dev/null || true

FUZZ_SECONDS ?= 60
fuzz:
	@mkdir -p build-fuzz tests/fuzz/crashes
	$(MAKE) B=build-fuzz/lib CC=clang SANITIZE=1 SAN='-fsanitize=fuzzer-no-link,address,undefined' build-fuzz/lib/libmodelcc.a
	clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Igrammar -o build-fuzz/fuzz_model \
		tests/fuzz/fuzz_model.c build-fuzz/lib/libmodelcc.a -lpq
	cp -rn tests/fuzz/corpus/. build-fuzz/corpus/ 2>/dev/null || cp -r tests/fuzz/corpus build-fuzz/corpus
	build-fuzz/fuzz_model -max_total_time=$(FUZZ_SECONDS) -timeout=5 -rss_limit_mb=2048 \
		-artifact_prefix=tests/fuzz/crashes/ build-fuzz/corpus

# ---- benchmark ------------------------------------------------------------
# build/bench/modelc_bench runs the peer benchmark kit's workloads through
# the code generated from bench/blog.model: built with -O2, never sanitized
# (its own copy of the runtime), whatever SANITIZE says. When the kit is
# there, make bench runs it with modelc as one more implementation.
BENCH_KIT    ?= ../shared/bench
BENCH_ARGS   ?=
BB           := build/bench
BENCH_CFLAGS := $(STD) -O2 -g -Wall -Wextra -Werror -Isrc/runtime/include $(PQ_INC)
BENCH_RT_OBJ := $(RUNTIME_SRC:src/runtime/%.c=$(BB)/runtime/%.o)

$(BB)/runtime/%.o: src/runtime/%.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(STD) -O2 -g $(WARN) -D_POSIX_C_SOURCE=200809L -Isrc/runtime/include $(PQ_INC) -MMD -MP -c -o $@ $<

$(BB)/gen/%.c $(BB)/gen/%.h: bench/%.model $(B)/modelc
	@mkdir -p $(BB)/gen
	$(say) MODELC $<
	$(Q)$(B)/modelc $< -o $(BB)/gen
.SECONDARY: $(BB)/gen/blog.c $(BB)/gen/blog.h

$(BB)/gen/%.o: $(BB)/gen/%.c $(BB)/gen/%.h
	$(say) CC $<
	$(Q)$(CC) $(BENCH_CFLAGS) -c -o $@ $<

$(BB)/modelc_bench: bench/modelc_bench.c $(BB)/gen/blog.o $(BENCH_RT_OBJ)
	$(say) LINK $@
	$(Q)$(CC) $(BENCH_CFLAGS) -I$(BB)/gen -o $@ $< $(BB)/gen/blog.o $(BENCH_RT_OBJ) -lpq -lpthread

.PHONY: bench
bench: $(BB)/modelc_bench
	@if [ -x "$(BENCH_KIT)/run" ]; then \
		echo "  BENCH   $(BENCH_KIT)/run $(BENCH_ARGS)"; \
		"$(BENCH_KIT)/run" --impl modelc=$(abspath $(BB)/modelc_bench) $(BENCH_ARGS); \
	else \
		echo "no benchmark kit at $(BENCH_KIT) (BENCH_KIT=DIR sets it); run a workload alone with"; \
		echo "  PGURI=postgresql://USER@HOST:PORT/DB $(BB)/modelc_bench get_by_pk 10000"; \
		echo "on a database with the kit's schema and seed (see bench/README.md)"; \
	fi

# ---- install --------------------------------------------------------------
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR     ?= $(PREFIX)/lib
BINDIR     ?= $(PREFIX)/bin
PCDIR      ?= $(LIBDIR)/pkgconfig

# modelc.pc is written at install time: it depends on PREFIX and friends
install: $(B)/modelc $(B)/libmodelc.a
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/modelc $(DESTDIR)$(PCDIR)
	install -m 755 $(B)/modelc $(DESTDIR)$(BINDIR)/modelc
	install -m 644 $(B)/libmodelc.a $(DESTDIR)$(LIBDIR)/libmodelc.a
	install -m 644 src/runtime/include/modelc/*.h $(DESTDIR)$(INCLUDEDIR)/modelc/
	printf '%s\n' 'prefix=$(PREFIX)' 'includedir=$(INCLUDEDIR)' 'libdir=$(LIBDIR)' '' \
		'Name: modelc' 'Description: runtime of code generated by modelc' 'Version: $(VERSION)' \
		'Requires: libpq' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lmodelc -lpthread' \
		> $(DESTDIR)$(PCDIR)/modelc.pc

clean:
	rm -rf build build-san build-fuzz gen

-include $(shell find $(B) -name '*.d' 2>/dev/null)
