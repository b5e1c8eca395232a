# tests: ioreq
