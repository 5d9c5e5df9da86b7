"""The one codec: each model type to its JSON-ready dict and, for snapshots, back, the two
directions of a type side by side. One module per document (`snapshot`, `report`,
`comparison`, `fleet`), the types they share in `common`. Reading and writing files is
snapshot_io's; turning a dict into text is the renderers'.

Nothing is imported here, so that reading a snapshot does not load the report's and the
comparison's models."""
