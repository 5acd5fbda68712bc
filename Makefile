# modelc - plain make, in the spirit of redis/hiredis.
#   make                 build modelc (build/modelc)
#   make SANITIZE=1      ASan + UBSan build (in build-san/)
#   make test            install missing packages, build with sanitizers,
#                        start a throwaway PostgreSQL cluster, run all tests
#   make golden          refresh tests/golden/ from the current compiler
#   make fuzz            run the libFuzzer target (FUZZ_SECONDS=60)
#   make install PREFIX=/usr/local DESTDIR=
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
              -DMODELC_VERSION='"$(VERSION)"' -Isrc -Igrammar -I$(B)/gen $(CFLAGS)
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
MAIN_OBJ     := $(B)/src/main.o
TEMPLATES    := $(sort $(wildcard templates/*.tmpl) $(wildcard templates/std/*.model))

.PHONY: all deps test golden fuzz clean install example bench
all: $(B)/modelc

$(B)/modelc: $(MAIN_OBJ) $(B)/libmodelcc.a
	$(say) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

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

clean:
	rm -rf build build-san gen

-include $(shell find $(B) -name '*.d' 2>/dev/null)
