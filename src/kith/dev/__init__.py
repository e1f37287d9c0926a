"""Development helpers used by the Makefile and the test suite."""
