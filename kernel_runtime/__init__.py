"""ls-workbench's engine: LangStream applications run in-process on an embedded or Kafka broker.

No IPython or widget imports here: this package is also the container entrypoint
(`python -m kernel_runtime run APP_DIR`).
"""

__version__ = "0.1.0"
