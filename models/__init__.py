"""The classifiers' corpora, saved pipelines and model cards (installed as ``watcher.models``)."""
