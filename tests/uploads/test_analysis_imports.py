"""Each kind of file loads only its own CAD library: OpenCascade alone costs about a second of CPU to import, and
the worker process that runs the sandbox loads none of them (no database)."""

import json
import subprocess
import sys
from pathlib import Path

from tests.uploads import samples

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from apps.uploads.analysis import sandbox  # what the worker imports
loaded = {"worker": sorted(m for m in ("numpy", "trimesh", "ezdxf", "OCP", "vtkmodules") if m in sys.modules)}
from apps.uploads.analysis.core import analyse
for name, path in json.loads(sys.argv[1]).items():
    analyse(path, sys.argv[2])
    loaded[name] = sorted(m for m in ("trimesh", "ezdxf", "OCP", "vtkmodules") if m in sys.modules)
print(json.dumps(loaded))
"""


def test_the_worker_loads_no_cad_library_and_meshes_and_drawings_never_load_opencascade(tmp_path):
    files = {"mesh": str(samples.box_stl(tmp_path)), "profile": str(samples.plate_dxf(tmp_path))}

    run = subprocess.run(  # a fresh interpreter: this test process has imported everything already
        [sys.executable, "-c", PROBE, json.dumps(files), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert loaded["worker"] == []
    assert loaded["mesh"] == ["trimesh", "vtkmodules"]  # VTK for the wall thickness of a closed mesh
    assert loaded["profile"] == ["ezdxf", "trimesh", "vtkmodules"]  # still no OpenCascade after a DXF
