"""Map a pydantic error location (a tuple of keys and indexes) to a YAML node position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Key = str | int
YamlPath = tuple[Key, ...]
KEY_MARKER = "[key]"  # pydantic's loc element for an invalid mapping key


@dataclass(frozen=True)
class Spot:
    """Where a loc ends up in the file.

    `path` holds only keys and indexes that exist in the YAML (union tags are dropped),
    except when `missing` is set: then its last element is the absent key and the position
    is that of the mapping that lacks it.
    """

    path: YamlPath
    line: int
    col: int
    missing: bool = False


def locate(root: Node, loc: Sequence[Key], at_key: bool = False) -> Spot:
    """Follow `loc` through the node tree.

    Points at the value, or at the key itself when `at_key` is set or the loc ends with
    pydantic's "[key]" (a bad key). Elements that match nothing (union tags) are skipped;
    a scalar ends the walk.
    """
    node, key_node = root, None
    tagged: Node | None = None  # the check whose driver tag was skipped: a key may follow it
    path: list[Key] = []
    items = list(loc)
    if items and items[-1] == KEY_MARKER:
        items.pop()
        at_key = True
    for index, item in enumerate(items):
        last = index == len(items) - 1
        if isinstance(node, MappingNode):
            if node is not tagged and _is_driver_tag(node, item):
                # Last too: a check's own rule (a model validator) is told there. Once only:
                # a key may bear the driver's name (a script check's `script:`).
                tagged = node
                continue
            pair = _find(node, item)
            if pair is None:
                if last:
                    return _spot(node, (*path, item), missing=True)
                continue
            key_node, node = pair
            path.append(item)
        elif isinstance(node, SequenceNode):
            if isinstance(item, int) and 0 <= item < len(node.value):
                key_node, node = None, node.value[item]
                path.append(item)
        else:
            break
    target = key_node if at_key and key_node is not None else node
    return _spot(target, tuple(path))


def _spot(node: Node, path: YamlPath, missing: bool = False) -> Spot:
    mark = node.start_mark
    return Spot(path, mark.line + 1, mark.column + 1, missing)


def _is_driver_tag(node: MappingNode, item: Key) -> bool:
    # A check's loc holds its driver ("pipe") before the field name. Other union tags
    # (see data.py) are never keys, so the walk skips them as unmatched.
    driver = _find(node, "driver")
    return driver is not None and isinstance(driver[1], ScalarNode) and driver[1].value == item


def _find(node: MappingNode, item: Key) -> tuple[Node, Node] | None:
    # The last match wins, as in PyYAML (duplicates, and keys that override a "<<" merge).
    found = None
    for key, value in node.value:
        if _key_value(key) == item:
            found = (key, value)
    return found


def _key_value(node: Node) -> Any:
    if not isinstance(node, ScalarNode):
        return None
    try:
        return SafeConstructor().construct_object(node)
    except (ConstructorError, ValueError):
        return node.value
