"""``keras.utils.Config``: a dict of named values, read and set as attributes, freezable."""

from __future__ import annotations

import difflib
import json

_OWN = frozenset(("_values", "_frozen"))


class Config:
    """A dict-like container of named values (Keras 3's ``keras.utils.Config``).

    Values are set and read as attributes or items; :meth:`freeze` makes every later change
    raise; :meth:`to_json` serializes it. Iterating gives the keys in sorted order.

    Example:
        >>> config = Config(learning_rate=0.1)
        >>> config.seed = 123
        >>> config["learning_rate"], config.seed
        (0.1, 123)
        >>> config.freeze()
        >>> config.momentum = 0.9   # ValueError: the config is frozen
    """

    def __init__(self, **kwargs):
        object.__setattr__(self, "_values", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self) -> bool:
        """True once :meth:`freeze` was called (and not undone by :meth:`unfreeze`)."""
        return self._frozen

    def freeze(self) -> None:
        """Refuse any further change."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        """Allow changes again."""
        object.__setattr__(self, "_frozen", False)

    def _check_mutable(self) -> None:
        if self._frozen:
            raise ValueError("Config: cannot change a frozen config (call unfreeze() first)")

    def as_dict(self) -> dict:
        """A shallow copy of the values as a dict."""
        return dict(self._values)

    def to_json(self) -> str:
        """The values as a JSON string."""
        return json.dumps(self._values)

    def keys(self):
        """The names."""
        return self._values.keys()

    def values(self):
        """The values."""
        return self._values.values()

    def items(self):
        """``(name, value)`` pairs."""
        return self._values.items()

    def get(self, keyname, value=None):
        """The value of ``keyname``, or ``value`` when it is not set."""
        return self._values.get(keyname, value)

    def pop(self, *args):
        """Remove and return a value (as ``dict.pop``)."""
        self._check_mutable()
        return self._values.pop(*args)

    def update(self, *args, **kwargs) -> None:
        """Set several values (as ``dict.update``)."""
        self._check_mutable()
        self._values.update(*args, **kwargs)

    def __setattr__(self, name, value):
        if name in _OWN or hasattr(type(self), name):
            raise AttributeError(f"Config: {name!r} is a method/property of Config and cannot "
                                 "be set as a value; use config[name] = value")
        self._check_mutable()
        self._values[name] = value

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        close = difflib.get_close_matches(name, list(values), n=1, cutoff=0.7)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise AttributeError(f"Unknown attribute: '{name}'.{hint}")

    def __setitem__(self, key, value):
        self._check_mutable()
        self._values[key] = value

    def __getitem__(self, key):
        return self._values[key]

    def __delitem__(self, key):
        self._check_mutable()
        del self._values[key]

    def __contains__(self, key) -> bool:
        return key in self._values

    def __iter__(self):
        return iter(sorted(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<Config {self._values}>"
