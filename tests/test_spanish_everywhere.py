"""Every public page, allauth's pages and our admin screens render in Spanish."""

from html.parser import HTMLParser

SKIPPED_TAGS = {"script", "style", "template", "noscript", "code", "pre", "svg"}
TEXT_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}


class _TextCollector(HTMLParser):
    """The strings a person reads or hears: text nodes and text-bearing attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in TEXT_ATTRIBUTES & attributes.keys():
            self._add(attributes[name])
        if tag in ("input", "button") and attributes.get("type") in ("submit", "button", "reset"):
            self._add(attributes.get("value"))
        if tag in SKIPPED_TAGS:
            self.skipping.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_TAGS:
            self.skipping.pop()

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self._add(data)

    def _add(self, text):
        text = " ".join((text or "").split())
        if text:
            self.texts.append(text)


def texts(html: str) -> list[str]:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector.texts


def visible_text(html: str) -> str:
    return "\n".join(texts(html))
