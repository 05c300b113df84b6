"""Models built on relations that Django did not define: django-taggit's managers."""
