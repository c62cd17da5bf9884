# PVCKit: the two commands are `make run` and `make test` (see README.md).
# Everything runs as root on Debian 12; missing packages are installed.

.PHONY: all build test run stop bench deb format lint clean

all: build

build:
	Scripts/install-deps.sh build
	swift build

test:
	Scripts/test.sh

run:
	Scripts/run.sh start

stop:
	Scripts/run.sh stop

bench:
	Scripts/bench.sh

# Debian 12 packages (release builds) in .build/deb; see Documentation/Install.md.
deb:
	Scripts/install-deps.sh build deb
	Scripts/deb.sh build

format:
	swift format --in-place --recursive Package.swift Sources Tests Benchmarks Examples

lint:
	swift format lint --strict --recursive Package.swift Sources Tests Benchmarks Examples

clean:
	swift package clean
