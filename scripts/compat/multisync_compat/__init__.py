"""What `make compat` adds to other projects' test runs, without editing their files.

`scripts/compat.py` copies this folder next to the unpacked sdists and puts it on
`PYTHONPATH`. With `MULTISYNC_COMPAT_INSTALL=1`, each module here installs
`"multisync"` the way a project does, by appending it to `INSTALLED_APPS` before
`django.setup()`; each writes a JSON report of its run to `MULTISYNC_COMPAT_REPORT`.
"""
