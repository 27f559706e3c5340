"""The two scikit-learn classifiers: what they read, how they are built, trained and loaded.

``features`` (a message to what the model reads) is pure; ``textmodel`` (the scikit-learn
pipeline), ``modelfile`` (joblib), ``classifier`` (which model answers) and ``train``
(corpora to pipelines) are adapters.
"""
