"""Staff write the documents as plain text: a line starting with '## ' is a heading, lines
starting with '- ' make a list, any other line is a paragraph. Everything is escaped;
nothing a staff member types becomes markup."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def policy_html(text: str) -> SafeString:
    parts: list[SafeString] = []
    items: list[str] = []
    for raw_line in [*text.splitlines(), ""]:
        line = raw_line.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
            continue
        if items:
            parts.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in items))))
            items = []
        if line.startswith("## "):
            parts.append(format_html("<h2>{}</h2>", line[3:].strip()))
        elif line:
            parts.append(format_html("<p>{}</p>", line))
    return mark_safe("".join(parts))  # noqa: S308 - every part was escaped by format_html
