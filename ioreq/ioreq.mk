# ioreq server sources (owned by the ioreq work).
