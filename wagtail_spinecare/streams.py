"""Walking StreamField content: every block at any depth, and errors placed on the right block."""

from collections.abc import Callable, Iterator

from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError


def iter_blocks(stream_value, path: tuple = ()) -> Iterator[tuple[tuple, blocks.Block, object]]:
    """Yield ``(path, block, value)`` for every block in a stream, at any depth: sections'
    contents and the structs inside structs (the image of a figure). List items are left to
    the block that holds them.

    ``path`` is a tuple of stream indexes and struct field names leading to the block.
    """
    for index, child in enumerate(stream_value or ()):
        child_path = (*path, index)
        yield child_path, child.block, child.value
        yield from _iter_struct(child.block, child.value, child_path)


def _iter_struct(block, value, path):
    """Nested streams and structs of a struct block (an image inside a figure, say)."""
    if not isinstance(block, blocks.StructBlock) or not hasattr(value, "get"):
        return
    for name, child_block in block.child_blocks.items():
        if isinstance(child_block, blocks.StreamBlock):
            yield from iter_blocks(value.get(name), (*path, name))
        elif isinstance(child_block, blocks.StructBlock):
            yield (*path, name), child_block, value.get(name)
            yield from _iter_struct(child_block, value.get(name), (*path, name))


Check = Callable[[blocks.Block, object], dict]


def stream_errors(stream_value, check: Check) -> StreamBlockValidationError | None:
    """Run ``check(block, value)`` on every struct block; nest its field errors where they belong.

    The result can be attached to a StreamField form field so that the admin shows each
    message on the field of the block at fault.
    """
    block_errors = {}
    for index, child in enumerate(stream_value or ()):
        error = _struct_errors(child.block, child.value, check)
        if error is not None:
            block_errors[index] = error
    return StreamBlockValidationError(block_errors=block_errors) if block_errors else None


def _struct_errors(block, value, check: Check) -> StructBlockValidationError | None:
    if not isinstance(block, blocks.StructBlock):
        return None
    field_errors = dict(check(block, value) or {})
    for name, child_block in block.child_blocks.items():
        if isinstance(child_block, blocks.StreamBlock):
            nested = stream_errors(value.get(name), check)
            if nested is not None:
                field_errors[name] = nested
    return StructBlockValidationError(block_errors=field_errors) if field_errors else None
