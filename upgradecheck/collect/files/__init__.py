"""The file source: Kubernetes YAML/JSON files, folders and stdin → a Snapshot (`scan`).

Roles, in the order a scan meets them: `walk` (the named paths → files to read, chart and
kustomization folders to build, notes on what was passed over), `read` (a file or stdin →
its text), `objects` (a text's documents → objects with their file and line), `folders`
(a chart or kustomization folder → what helm or kubectl, or their fallbacks, give).
"""
