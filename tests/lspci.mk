# tests: lspci
