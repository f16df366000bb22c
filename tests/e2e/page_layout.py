"""What the layout tests share: the widths and languages every page is checked at, and how a
page's horizontal overflow is measured."""

WIDTHS = (320, 390, 1440)
LOCALES = {"ko": "ko-KR", "en": "en-US"}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def layout_context(browser, *, lang: str, width: int):
    """A browser context in `lang` on a screen `width` px wide (a phone's height below 1000 px)."""
    return browser.new_context(locale=LOCALES[lang], viewport={"width": width, "height": 844 if width < 1000 else 900})
