"""No views: the harness only loads models (`ROOT_URLCONF` must still name a module)."""

urlpatterns: list[object] = []
