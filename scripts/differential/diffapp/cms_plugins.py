"""A django CMS plugin type with no model of its own, so that `CMSPlugin` rows exist."""

from cms.plugin_base import CMSPluginBase
from cms.plugin_pool import plugin_pool


@plugin_pool.register_plugin
class NotePlugin(CMSPluginBase):
    """Stores nothing beyond `CMSPlugin` and renders nothing."""

    name = "Note"
    render_plugin = False
