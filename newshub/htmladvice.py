"""What the editor can do about raw HTML or a link the sanitiser removed: the site.yaml setting
that allows it, or, when the site's Content-Security-Policy (deploy/) would block it anyway, where
it belongs instead. Every warning about removed markup ends with one of these."""

from __future__ import annotations

from urllib.parse import urlsplit

from .urls import scheme_of

LINKS = "use an address that starts with https://, mailto: or tel:, or a path on this site that starts with /"
_SCRIPTS = "scripts cannot run in content (the site's Content-Security-Policy blocks them); a script belongs in the theme's assets/"
_STYLES = "styles cannot be set in content (the site's Content-Security-Policy blocks them); use the theme's stylesheet in assets/css/"
_PLUGINS = "the site's Content-Security-Policy blocks plugins; embed with an <iframe> from a host in site.yaml html.iframe_hosts"
_CSP_STYLES = "(the site's Content-Security-Policy blocks inline styles)"
_BLOCKED = {"script": _SCRIPTS, "noscript": _SCRIPTS, "style": _STYLES, "object": _PLUGINS, "embed": _PLUGINS, "applet": _PLUGINS}


def tag_removed(tag: str, src: str) -> str:
    """What to do about a raw HTML <tag> outside the allowlist (`src`: its src attribute, or '')."""
    if tag == "iframe":
        return iframe_refused(src)
    return _BLOCKED.get(tag, f"allow it in site.yaml html.tags if it is needed ('tags: [{tag}]' under 'html:')")


def iframe_refused(src: str) -> str:
    """What to do about an iframe whose address is not allowed."""
    host = urlsplit(src).hostname if scheme_of(src) in ("http", "https") else None
    if host is None:
        return "to embed a video or a map, list its host in site.yaml html.iframe_hosts and give the iframe an https:// address"
    if scheme_of(src) != "https":
        return f"write its address with https://, and list {host} in site.yaml html.iframe_hosts if you trust it"
    return f"list {host} in site.yaml html.iframe_hosts if you trust it, and in frame-src of the Content-Security-Policy in deploy/"


def attribute_removed(name: str, kept: set[str]) -> str:
    """What to do about an attribute outside the allowlist; `kept` are the attributes the tag keeps."""
    if name.startswith("on"):
        return _SCRIPTS
    if name == "style":
        return "give the element a class and style that in the theme's stylesheet in assets/css/ " + _CSP_STYLES
    return f"only {', '.join(sorted(kept))} are kept on this tag; no setting adds others"
