"""Running a pipeline over files: the local engine (worker processes, ordered sharded output, deferred
corpus-wide decisions) and the Ray engine, which reuses the same stages on a cluster.

The top floor under the CLI: imports the pipeline, io and dedup; nothing in the package imports it but
the CLI.
"""
