"""Built-in stages: one module per stage, named like the stage's recipe key.

Every module in this package is imported here so that its stage registers itself; adding a stage is
adding a file.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
