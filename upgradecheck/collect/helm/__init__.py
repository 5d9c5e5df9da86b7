"""Helm charts in a scan: chart folders (`chart`), the `helm template` runner (`render`), what
the target serves for `--api-versions` (`api_versions`), and the fallback that reads
templates without helm: tokens → parse tree (`tokens`, `parse`) → branch reader
(`branches`, which computes action values with `pipeline`, `expressions` and `functions`) →
objects (`fallback`)."""
