# w2v — word2vec trainer and query tool.  See README.md.
#
#   make            build ./w2v and libw2v.a
#   make test       build and run every test; last line "N passed, N failed"
#   make sanitize   the same tests under ASan + UBSan (separate build dir)
#   make demo       train on data/ and run example queries
#   make install    PREFIX=/usr/local DESTDIR=

CC      ?= cc
CFLAGS  ?= -O3 -g
WARN     = -std=c11 -fopenmp-simd -ffp-contract=fast -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -fno-common
CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
LDLIBS   = -lm -pthread
ALL_CFLAGS = $(WARN) $(CFLAGS) -pthread -MMD -MP

PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
LIBDIR   = $(PREFIX)/lib
INCDIR   = $(PREFIX)/include

BUILD   ?= build
LIB_SRC  = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
MAIN_OBJ = $(BUILD)/obj/main.o
LIB      = $(BUILD)/libw2v.a
BIN      = $(BUILD)/w2v
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# Installed: the API an embedding program may use. cli.h is the command
# layer's own (its option tables and cmd_* entry points), not an API.
INTERNAL_HEADERS = include/w2v/cli.h
HEADERS  = $(filter-out $(INTERNAL_HEADERS),$(wildcard include/w2v/*.h))

.PHONY: all test sanitize faults demo install uninstall clean check-tests
.DELETE_ON_ERROR:
.SECONDARY:

all: w2v libw2v.a

ifeq ($(BUILD),build)
w2v: $(BIN)
	cp $(BIN) $@
libw2v.a: $(LIB)
	cp $(LIB) $@
endif

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests -Isrc $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB) $(EXTRA_OBJ)
	$(CC) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $(MAIN_OBJ) $(EXTRA_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIB)
	$(CC) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

check-tests: $(BIN) $(TEST_BIN)

test: check-tests
	@W2V_BIN=$(abspath $(BIN)) W2V_TEST_BIN_DIR=$(abspath $(BUILD)/tests) sh tests/run.sh

SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
sanitize:
	$(MAKE) --no-print-directory BUILD=build/sanitize CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" test

# Fault injection: w2v built with ASan and every allocation and I/O call
# wrapped (tests/fault/wrap.c), then tests/fault/run.sh fails each one in
# turn over a small train + save + load + query session.
FAULT_WRAP = malloc calloc realloc posix_memalign fopen fread fwrite fclose fflush \
             open read write mmap rename
FAULT_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
faults:
	$(MAKE) --no-print-directory BUILD=build/fault CFLAGS="$(FAULT_FLAGS)" \
	  LDFLAGS="$(FAULT_FLAGS) $(foreach f,$(FAULT_WRAP),-Wl,--wrap=$(f))" \
	  EXTRA_OBJ=build/fault/obj/fault_wrap.o build/fault/w2v
	sh tests/fault/run.sh build/fault/w2v

build/fault/obj/fault_wrap.o: tests/fault/wrap.c
	mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# Several processes or machines (issue 14): w2v built with mpicc and
# -DW2V_MPI in build/mpi (src/dist.c averages the ranks' models); the
# default build needs no MPI. Debian: apt-get install openmpi-bin libopenmpi-dev.
# tests/e2e_mpi.sh runs 2 ranks with it (skipped when mpirun is absent).
MPICC ?= mpicc
.PHONY: mpi
mpi:
	$(MAKE) --no-print-directory BUILD=build/mpi CC=$(MPICC) CFLAGS="-O3 -g -DW2V_MPI" LDFLAGS= EXTRA_OBJ= build/mpi/w2v

demo: w2v
	sh scripts/demo.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/w2v
	install -m 755 w2v $(DESTDIR)$(BINDIR)/w2v
	install -m 644 libw2v.a $(DESTDIR)$(LIBDIR)/libw2v.a
	install -m 644 $(HEADERS) $(DESTDIR)$(INCDIR)/w2v/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/w2v $(DESTDIR)$(LIBDIR)/libw2v.a
	rm -rf $(DESTDIR)$(INCDIR)/w2v

clean:
	rm -rf build w2v libw2v.a

# ---- fuzzing (see tests/fuzz/README.md) ------------------------------------
# Every tests/fuzz/fuzz_<name>.c is a libFuzzer harness. `make test` links
# each with tests/fuzz/replay.c into $(BUILD)/tests/test_fuzz_<name>, which
# replays tests/fuzz/corpus/<name>/ and tests/fuzz/regressions/<name>/.
# `make fuzz FUZZ_SECONDS=60` builds them with clang's libFuzzer + ASan +
# UBSan in build/fuzz and runs each for that long (FUZZ_ONLY=name picks one;
# FUZZ_ARGS passes libFuzzer options).
FUZZ_SRC     = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_REPLAY  = $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)
FUZZ_CC     ?= clang
FUZZ_SECONDS ?= 60
FUZZ_ONLY   ?= $(FUZZ_NAMES)
FUZZ_ARGS   ?=
FUZZ_BUILD   = build/fuzz
FUZZ_SAN     = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined
FUZZ_LIB_OBJ = $(LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)

.PHONY: fuzz fuzz-build

check-tests: $(FUZZ_REPLAY)

$(BUILD)/fuzz/%.o: tests/fuzz/%.c | $(BUILD)/fuzz
	$(CC) $(CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) -DFUZZ_DIR='"$(abspath tests/fuzz)"' -c $< -o $@

$(BUILD)/tests/test_fuzz_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/replay.o $(LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz:
	mkdir -p $@

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -pthread -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(CPPFLAGS) -Itests/fuzz $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer -pthread \
	    -o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS)

fuzz-build:
	@sh tests/fuzz/fuzz.sh probe $(FUZZ_CC)
	@$(MAKE) --no-print-directory $(FUZZ_ONLY:%=$(FUZZ_BUILD)/fuzz_%)

fuzz: fuzz-build
	@sh tests/fuzz/fuzz.sh run $(FUZZ_BUILD) $(FUZZ_SECONDS) "$(FUZZ_ARGS)" $(FUZZ_ONLY)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d $(BUILD)/fuzz/*.d $(FUZZ_BUILD)/obj/*.d)

# ---- ThreadSanitizer (tests/tsan/run.sh, suppressions in tests/tsan/tsan.supp) -------
# w2v built with -fsanitize=thread in build/tsan; the trainer (2 threads, the
# four model x loss combinations) and the threaded readers run on a small
# corpus; the only races allowed are the documented Hogwild updates.
# clang by default: its runtime matches the (suppressed) Hogwild races some
# 50 times faster than gcc 12's, which spends minutes symbolizing them.
# With gcc, no target_clones: gcc instruments their ifunc resolvers, which
# the loader runs before the TSan runtime is up (a crash at start).
TSAN_CC    ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
TSAN_FLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=thread
.PHONY: tsan
tsan:
	$(MAKE) --no-print-directory BUILD=build/tsan CC=$(TSAN_CC) \
	  CFLAGS="$(TSAN_FLAGS) -DW2V_NO_CLONES" LDFLAGS="$(TSAN_FLAGS)" build/tsan/w2v
	sh tests/tsan/run.sh build/tsan/w2v
