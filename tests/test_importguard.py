"""Heavy optional packages stay out of work that does not need them, in that thread only."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from callvault.importguard import without_optional


def _fresh(name: str) -> str:
    sys.modules.pop(name, None)
    return name


def test_refused_in_this_thread_only_and_only_inside_the_block():
    name = _fresh("colorsys")  # a stdlib module nothing here has imported yet
    seen = {}
    with without_optional((name,)):
        with pytest.raises(ModuleNotFoundError, match="not imported here"):
            __import__(name)
        other = threading.Thread(target=lambda: seen.update(module=__import__(name)))
        other.start()
        other.join()
    assert seen["module"].__name__ == name  # another thread (a diarizer loading torch) imports as usual
    sys.modules.pop(name)
    assert __import__(name).__name__ == name  # and so does this one, after the block


def test_a_package_already_loaded_is_left_alone():
    import json

    with without_optional(("json",)):
        import json as again
    assert again is json


@pytest.mark.slow
def test_building_the_detector_imports_neither_torch_nor_transformers():
    probe = (
        "import sys; from callvault.redact.detect import Detector; d = Detector(); "
        "found = [f.entity_type for f in d.analyze_text('my card number is 4111 1111 1111 1111')]; "
        "print('torch' in sys.modules, 'transformers' in sys.modules, found)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    torch_loaded, transformers_loaded, found = out.split(maxsplit=2)
    assert (torch_loaded, transformers_loaded) == ("False", "False")
    assert "PAN" in found  # detection works without them
