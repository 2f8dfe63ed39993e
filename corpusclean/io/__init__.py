"""Reading and writing: input formats and compression, encoding detection, HTML/WARC main-text extraction,
parsing records into Documents, and the JSONL/text writers.

Imports only ``corpusclean.document`` from the package: everything above may use it, it uses nothing above.
"""
