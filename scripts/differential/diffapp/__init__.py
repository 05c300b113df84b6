"""Models of the differential harness: the cases that third-party apps make possible."""
