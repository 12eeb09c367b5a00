"""Entry point the Pulumi CLI runs (`pulumi preview --policy-pack policy`).

The CLI runs this file as a script from the pack's directory, whatever that directory is called
(a published pack is unpacked under another name), so the package is loaded from here under a
fixed name rather than imported by its folder's name.
"""

import importlib.util
import sys
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("data_platform_policy", _HERE / "__init__.py", submodule_search_locations=[str(_HERE)])
if _spec is None or _spec.loader is None:
    raise ImportError(f"{_HERE / '__init__.py'}: not loadable as the policy package")
_package = importlib.util.module_from_spec(_spec)
sys.modules["data_platform_policy"] = _package
_spec.loader.exec_module(_package)

from data_platform_policy.crossguard import PACK_NAME, policies  # noqa: E402

PolicyPack(name=PACK_NAME, policies=policies(), enforcement_level=EnforcementLevel.ADVISORY)
