"""Writing the report into the cluster as PolicyReports: the tool's only write, opt-in."""
