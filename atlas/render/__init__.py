"""Render the Atlas into files: ``render_site(atlas, mode) -> {output path: bytes}``."""

from atlas.render.site import STATIC_DIR, TEMPLATES_DIR, render_site

__all__ = ["render_site", "TEMPLATES_DIR", "STATIC_DIR"]
