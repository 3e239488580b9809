"""A choice among words, read from a page's stored content without a lookup."""

from wagtail import blocks


class TextChoiceBlock(blocks.ChoiceBlock):
    """Wagtail's ``ChoiceBlock`` for choices whose values are strings.

    Reading a stored value, Wagtail's block looks it up among the choices to give back the
    choice's own value: for a string, the same string. Every page reads its sections' aspects
    and its care cards' levels on every view, so the lookup is left out for strings. It
    deconstructs as a plain ``ChoiceBlock``, so migrations do not name it.
    """

    def to_python(self, value):
        return value if isinstance(value, str) else super().to_python(value)
