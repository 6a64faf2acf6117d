"""Data of the LangStream agent catalogue, split by family; see ``..catalogue``."""
