"""The fleet: many clusters (kubeconfig contexts or snapshot files) judged in one run, then
what they share, so that one migration is planned once. `sources` names the members,
`runner` judges them, `aggregate` builds the Fleet of `model`.

Nothing is imported here, so that the renderers can read the model without loading the
collector."""
