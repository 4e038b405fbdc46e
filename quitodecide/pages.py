"""Sub-page URLs, built one way for every routable page (consultations, budget cycles,
assemblies): `subpage_url(page, "vote")` in Python, `{% subpage_url page "vote" %}` in
templates (a builtin tag, quitodecide.templatetags.pages)."""


def subpage_url(page, name: str, *args, **kwargs) -> str:
    return page.url + page.reverse_subpage(name, args=args or None, kwargs=kwargs or None)
