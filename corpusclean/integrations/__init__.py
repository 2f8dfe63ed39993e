"""corpusclean inside other tools' pipelines: a datatrove step and a Hugging Face ``datasets`` map function.

Each lives in its own module and imports its host package only there, so ``import corpusclean`` never pulls
them in; each host is an optional extra (``pip install 'corpusclean[datatrove]'``, ``'corpusclean[hf]'``).
The top floor beside the CLI: imports the recipe and the pipeline, nothing imports it.
"""
