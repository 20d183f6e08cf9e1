"""Sphinx extension: pages whose scripts run without errors in the reader's browser.

- Sphinx 7.4 writes every inline script that an extension adds after the builder starts twice (it registers
  it once with filename None and once with ''; sphinx-thebe and sphinx-togglebutton do this). The second copy
  of sphinx-thebe's `const THEBE_JS_URL = ...` is a SyntaxError on every page. Each page keeps one copy.
- pydata-sphinx-theme reports "Got invalid theme mode" in the console on a reader's first visit when no
  default mode is configured (html_context["default_mode"]); the book sets "auto" (follow the reader's
  system), which is what the theme falls back to.
"""


def _key(script):
    attributes = getattr(script, "attributes", {})
    return (getattr(script, "filename", script) or "", getattr(script, "priority", 0),
            tuple(sorted(attributes.items())))


def _unique_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        seen = set()
        context["script_files"] = [s for s in scripts if not (_key(s) in seen or seen.add(_key(s)))]


def _default_mode(app, config):
    config.html_context = {**config.html_context, "default_mode": config.html_context.get("default_mode", "auto")}


def setup(app):
    app.connect("config-inited", _default_mode)
    app.connect("html-page-context", _unique_scripts, priority=1000)   # after every other extension's scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}
