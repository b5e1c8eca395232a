# libpci device backend (ioreq work)
