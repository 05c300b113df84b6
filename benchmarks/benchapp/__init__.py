"""Models the benchmarks load: Django's tutorial Question and Choice."""
