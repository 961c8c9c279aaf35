# extwd: an external I2C hardware watchdog (chip firmware, host library,
# simulator). The two commands a newcomer needs:
#
#   make demo   install what is missing, build everything, and run the main
#               job: the simulated watchdog saving a hung host
#   make test   build everything and run every test (sanitizers on)
#
# Other targets: all, firmware, host, install (PREFIX, DESTDIR), bench, fuzz,
# cross, arduino, clean.

SHELL := /bin/bash
MAKEFLAGS += --no-print-directory
BUILD ?= build
JOBS  ?= $(shell nproc)
ROOT  := $(abspath .)

.PHONY: all deps firmware host host-asan demo test bench fuzz cross arduino clean install

PREFIX ?= /usr/local

all: firmware host

deps:
	@scripts/install-deps.sh

include firmware/firmware.mk

# Release build of the host side: libextwd, extwdctl, extwd-sim -> build/bin
host: deps
	@cmake -S . -B $(BUILD)/host -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) \
	  -DEXTWD_BIN_DIR=$(ROOT)/$(BUILD)/bin \
	  -DEXTWD_FIRMWARE_DIR=$(ROOT)/$(BUILD)/firmware >/dev/null
	@cmake --build $(BUILD)/host -j$(JOBS)

# The same sources under clang with AddressSanitizer and UBSan; the tests run here.
host-asan: deps
	@CC=clang CXX=clang++ cmake -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug \
	  -DEXTWD_SANITIZE=ON -DEXTWD_BIN_DIR=$(ROOT)/$(BUILD)/asan/bin \
	  -DEXTWD_FIRMWARE_DIR=$(ROOT)/$(BUILD)/firmware >/dev/null
	@cmake --build $(BUILD)/asan -j$(JOBS)

demo: firmware host
	@scripts/demo.sh $(BUILD)

test: firmware host host-asan
	@cd $(BUILD)/asan && ctest --output-on-failure -j$(JOBS)

bench: firmware host
	@scripts/bench.sh $(BUILD)

fuzz: host-asan
	@scripts/fuzz.sh $(BUILD)

cross: deps
	@scripts/cross.sh $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=/staging]: see docs/linux.md.
install: firmware host
	@cmake --install $(BUILD)/host

# The Arduino library zip (Library Manager / PlatformIO layout), checked.
arduino: deps
	@zip=$$(ports/arduino/package.sh $(BUILD)/arduino) && \
	  ports/arduino/check_package.sh $(BUILD)/arduino/extwd all && echo "$$zip"

clean:
	rm -rf $(BUILD)
