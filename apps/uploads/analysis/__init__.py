"""The CAD analyser: pure Python on trimesh, ezdxf and OpenCascade, nothing of Django (import-linter holds it).

Entry points:
- `sandbox.analyse_in_sandbox(path, out_dir, units=, filename=, limits=, cpu_seconds=, memory_mb=, timeout=)`
  → `result.Analysis` (the worker calls this; the analysis runs in a limited child process);
- `sandbox.repair_in_sandbox(path, out_dir, units=, filename=)` → `repair.MeshRepair` (writes `repaired.stl` in mm);
- `core.analyse(...)` / `core.repair(...)`: the same in this process (the child and the tests call these).

Previews are written into `out_dir`: `preview.glb` (meshes, solids: the part's own coordinates in mm, z up as in
the file, like the Markers) or `preview.svg` (profiles: user units mm, y flipped, so a Marker (x, y) is drawn at
(x, −y)).

`Analysis.extra` adds, besides "file_unit" and "bounds_mm": for meshes "thinnest_walls" ([{x, y, z, thickness_mm}],
thinnest first, up to 50 samples: where a process's minimum wall applies), "open_edges", "non_manifold_edges",
"cavities" (inside-out closed shells within the part: hollows, not bodies), "collapsed_triangles" (left out);
for profiles "holes" ([{x, y, diameter_mm, ref}] in the order of hole_diameters_mm), "preview_bounds_mm" (what the
SVG's viewBox spans), "ignored_entities"; through the sandbox "sandbox_seconds" and "cpu_seconds".

`AnalysisError.code` is one of: empty, corrupt, unsupported_format, wrong_extension, not_repairable,
file_too_large, too_many_triangles, too_many_entities, zip_too_large, zip_too_many_entries, zip_too_deep,
zip_unsafe_path, too_complex (the sandbox's CPU, memory or time limit), crashed.
Finding codes: mesh_not_watertight, mesh_non_manifold, mesh_inconsistent_normals, mesh_inside_out,
mesh_multiple_shells, mesh_thin_wall, profile_open_contour, profile_duplicate_lines, profile_ignored_entities,
solid_no_solid, solid_multiple_solids.
"""
