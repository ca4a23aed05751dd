# kmm - top-level commands.  The build itself is CMake's (CMakeLists.txt).
#
#   make            build everything into build/ (the program is build/kmm)
#   make demo       build the program, then run the demo (needs only gcc, make, cmake)
#   make test       install what tests need (tools/install-deps.sh), build (GCC:
#                   release, debug, ASan+UBSan, TSan; Clang: fuzzers), then every
#                   test; ends with CTest's summary line
#   make bench      build, then run the benchmarks (results in build/bench/)
#   make fuzz       long fuzzing runs (FUZZ_SECONDS each, default 600)
#   make stress     the parallel-mode tests (debug and TSan), 50 times longer
#   make mutate     mutation testing: every mutant of tests/mutate/mutants.txt
#                   applied to a copy of the tree, the debug tests run against it;
#                   fails below 95% killed (tests/mutate/mutate.py)
#   make install    install the program, libkmm (.so, .a), the headers, kmm.pc and
#                   libkmm-malloc.so under PREFIX (default /usr/local)
#   make format     clang-format every source file

BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 600
PREFIX     ?= /usr/local

.PHONY: all demo test bench fuzz stress mutate format clean configure fuzz-build deps install

all: configure
	cmake --build $(BUILD) -j $(JOBS)

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DKMM_FUZZ_DIR=$(abspath $(FUZZ_BUILD))

fuzz-build:
	@test -f $(FUZZ_BUILD)/CMakeCache.txt || \
		cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DKMM_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target kmm
	$(BUILD)/kmm demo

deps:
	tools/install-deps.sh

# The configure step runs again after deps so that it finds what was installed.
test: deps
	cmake -S . -B $(BUILD) -DKMM_FUZZ_DIR=$(abspath $(FUZZ_BUILD)) >/dev/null
	$(MAKE) all fuzz-build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: all
	$(BUILD)/bench/kmm_bench --csv $(BUILD)/bench/results.csv

fuzz: fuzz-build
	$(FUZZ_BUILD)/fuzz_script -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/script
	$(FUZZ_BUILD)/fuzz_boot -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/boot
	$(FUZZ_BUILD)/fuzz_strace -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/strace
	$(FUZZ_BUILD)/fuzz_slab_harden -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/slab_harden

stress: all
	cd $(BUILD) && KMM_STRESS=long ctest --output-on-failure -j $(JOBS) -L stress

mutate:
	python3 tests/mutate/mutate.py --work $(abspath $(BUILD))/mutate -j $(JOBS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
